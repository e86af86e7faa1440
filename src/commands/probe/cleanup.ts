import {Args} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {allNamespacesFlag, inputFlags, outputFlag} from '../../flags.js'
import {checkNamespaceName, inputError} from '../../errors.js'
import {connectCluster} from '../../pipeline.js'
import type {ProbeCleanupResult} from '../../results.js'

export default class ProbeCleanup extends KdiscoCommand {
  static override summary = 'Delete debug pods kdisco left behind (label app.kubernetes.io/managed-by=kdisco).'
  static override description =
    'kdisco deletes its pods itself, even on Ctrl-C, and the cluster stops them after activeDeadlineSeconds; this removes pods kept with --keep, finished pods of a kdisco that was killed, and pods orphaned by a lost connection. With POD, only that pod (kdisco prints this command, with the pod, when it could not delete one).'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> -A', '<%= config.bin %> <%= command.id %> -n shop kdisco-probe-4afcd00']
  static override args = {
    pod: Args.string({description: 'Only this debug pod (it must carry the kdisco label).'}),
  }
  static override flags = {
    namespace: inputFlags.namespace,
    'all-namespaces': allNamespacesFlag,
    kubeconfig: inputFlags.kubeconfig,
    context: inputFlags.context,
    'request-timeout': inputFlags['request-timeout'],
    verbose: inputFlags.verbose,
    output: outputFlag(['table', 'json', 'yaml', 'name'] as const, 'table'),
  }

  async run(): Promise<ProbeCleanupResult> {
    const {args, flags} = await this.parse(ProbeCleanup)
    checkNamespaceName(flags.namespace)
    if (args.pod !== undefined && flags['all-namespaces']) throw inputError('A POD name goes with -n, not -A', 'Name the namespace of the pod with -n')
    const conn = await connectCluster(flags, flags.namespace ?? '')
    const [{cleanupPods}, {toKdiscoError}] = await Promise.all([import('../../probe/pod.js'), import('../../cluster/live/errors.js')])
    const deleted = await cleanupPods(conn, flags['all-namespaces'] ? undefined : flags.namespace ?? conn.namespace, args.pod).catch((error) => {
      throw toKdiscoError(error, conn.config)
    })
    const result: ProbeCleanupResult = {deleted}
    // -o name: pod/NAME per deleted pod, as kubectl delete -o name prints them (nothing when none was found).
    await this.render(result, flags.output, (r) => (flags.output === 'name' ? r.deleted.map((p) => `pod/${p.name}\n`).join('') : r.deleted.length === 0 ? 'No kdisco pods found.' : r.deleted.map((p) => `pod ${p.namespace}/${p.name} deleted`).join('\n')))
    return result
  }
}
