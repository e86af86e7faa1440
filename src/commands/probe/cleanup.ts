import {KdiscoCommand} from '../../command-base.js'
import {allNamespacesFlag, inputFlags, outputFlag} from '../../flags.js'
import {checkNamespaceName} from '../../errors.js'
import {connectCluster} from '../../pipeline.js'
import type {ProbeCleanupResult} from '../../results.js'

export default class ProbeCleanup extends KdiscoCommand {
  static override summary = 'Delete debug pods kdisco left behind (label app.kubernetes.io/managed-by=kdisco).'
  static override description = 'kdisco deletes its pods itself, even on Ctrl-C, and the cluster stops them after activeDeadlineSeconds; this removes pods kept with --keep or orphaned by a lost connection.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -A']
  static override flags = {
    namespace: inputFlags.namespace,
    'all-namespaces': allNamespacesFlag,
    kubeconfig: inputFlags.kubeconfig,
    context: inputFlags.context,
    'request-timeout': inputFlags['request-timeout'],
    verbose: inputFlags.verbose,
    output: outputFlag(['table', 'json', 'yaml'] as const, 'table'),
  }

  async run(): Promise<ProbeCleanupResult> {
    const {flags} = await this.parse(ProbeCleanup)
    checkNamespaceName(flags.namespace)
    const conn = await connectCluster(flags, flags.namespace ?? '')
    const [{cleanupPods}, {toKdiscoError}] = await Promise.all([import('../../probe/pod.js'), import('../../cluster/live/errors.js')])
    const deleted = await cleanupPods(conn, flags['all-namespaces'] ? undefined : flags.namespace ?? conn.namespace).catch((error) => {
      throw toKdiscoError(error, conn.config)
    })
    const result: ProbeCleanupResult = {deleted}
    await this.render(result, flags.output, (r) => (r.deleted.length === 0 ? 'No kdisco pods found.' : r.deleted.map((p) => `pod ${p.namespace}/${p.name} deleted`).join('\n')))
    return result
  }
}
