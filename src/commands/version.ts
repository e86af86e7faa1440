import {Flags} from '@oclif/core'
import {KdiscoCommand} from '../command-base.js'
import {ExitCode, KdiscoError} from '../errors.js'
import {inputFlags, outputFlag} from '../flags.js'
import {connectCluster} from '../pipeline.js'
import type {VersionResult} from '../results.js'

export default class Version extends KdiscoCommand {
  static override summary = "kdisco's version, Node's, and the API server's (like kubectl version)."
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --client -o json']
  static override flags = {
    client: Flags.boolean({description: 'Only the client: do not ask the API server.'}),
    kubeconfig: inputFlags.kubeconfig,
    context: inputFlags.context,
    'request-timeout': inputFlags['request-timeout'],
    output: outputFlag(['table', 'json', 'yaml'] as const, 'table'),
  }

  async run(): Promise<VersionResult> {
    const {flags} = await this.parse(Version)
    const result: VersionResult = {client: {version: this.config.version, node: process.version, platform: `${process.platform}/${process.arch}`}}
    let failure: unknown
    if (!flags.client) {
      try {
        const {client, config} = await connectCluster(flags, '')
        try {
          const server = await client.get<{gitVersion?: string; platform?: string}>('/version')
          result.server = {version: String(server.gitVersion ?? 'unknown'), platform: String(server.platform ?? 'unknown')}
        } catch (error) {
          const {toKdiscoError} = await import('../cluster/live/errors.js')
          failure = toKdiscoError(error, config)
        }
      } catch (error) {
        failure = error
      }
    }
    // A kubeconfig kdisco cannot use is an input error: nothing on stdout, as for every exit 2 (kubectl too fails
    // before printing). An unreachable server fails after what is known is printed, as kubectl version does.
    if (failure instanceof KdiscoError && failure.exitCode === ExitCode.USAGE) throw failure
    await this.render(result, flags.output, (r) =>
      [`Client Version: ${r.client.version}`, `Node Version: ${r.client.node} (${r.client.platform})`, ...(r.server ? [`Server Version: ${r.server.version} (${r.server.platform})`] : [])].join('\n'),
    )
    if (failure) throw failure
    return result
  }
}
