import {Args} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {closeNames} from '../../cluster/find.js'
import {namespaceOf} from '../../cluster/types.js'
import {type PodIdentity, podIdentity} from '../../dns/pod-identity.js'
import {inputError} from '../../errors.js'
import {dnsFlags, inputFlags, outputFlag} from '../../flags.js'
import {inputSummary, loadCluster, settingsSummary} from '../../pipeline.js'

export type PodLookupResult = PodIdentity & {settings: ReturnType<typeof settingsSummary>; input: ReturnType<typeof inputSummary>}

export default class PodLookup extends KdiscoCommand {
  static override summary = "A pod's DNS identity: its names, its records, and the resolv.conf and /etc/hosts kubelet writes."
  static override description =
    'Shows the hostname.subdomain FQDN (served only when a headless Service named like the subdomain selects the pod), the endpoint names the pod has in every Service it backs, its a-b-c-d.<ns>.pod record under the pods mode, and the resolver files of the pod.'
  static override examples = ['<%= config.bin %> <%= command.id %> mysql-sts-0 -n data -f examples/', '<%= config.bin %> <%= command.id %> kubia-5d8b7c9f6-q9m2c -f examples/ -o json']
  static override args = {pod: Args.string({description: 'Pod name.', required: true})}
  static override flags = {...inputFlags, output: outputFlag(['table', 'json', 'yaml'] as const, 'table'), ...dnsFlags}

  async run(): Promise<PodLookupResult> {
    const {args, flags} = await this.parse(PodLookup)
    const {snapshot, model, namespace} = await loadCluster(flags, {kinds: ['pods', 'statefulsets'], clusterDns: true})
    this.reportInputGaps(snapshot, model)
    const pod = snapshot.pods.find((p) => p.metadata.name === args.pod && namespaceOf(p) === namespace)
    if (!pod) {
      const predicted = snapshot.predictedPods.find((p) => p.name === args.pod && p.namespace === namespace)
      if (predicted) {
        const fqdn = `${predicted.hostname}.${predicted.serviceName}.${namespace}.svc.${model.settings.clusterDomain}`
        const svc = model.service(namespace, predicted.serviceName)
        throw inputError(
          `Pod "${args.pod}" does not exist yet: StatefulSet ${predicted.statefulSet} will create it${svc ? ` as ${fqdn}` : ''}`,
          svc?.kind === 'Headless'
            ? `See ${this.config.bin} svc lookup ${predicted.serviceName} -n ${namespace}`
            : `Its serviceName "${predicted.serviceName}" names ${svc ? 'a Service that is not headless' : 'no Service'} in ${namespace}, so ${fqdn} will never resolve: create a headless Service with that name`,
        )
      }
      const hints = closeNames(args.pod, namespace, snapshot.pods.map((p) => ({name: p.metadata.name, namespace: namespaceOf(p)})))
      throw inputError(`Pod "${args.pod}" not found in namespace ${namespace}`, hints.length > 0 ? hints.join('; ') : 'Check the name and -n')
    }
    const result: PodLookupResult = {...podIdentity(model, pod), settings: settingsSummary(model), input: inputSummary(snapshot)}
    await this.render(result, flags.output, async (r) => (await import('../../render/pod-lookup.js')).renderPodLookup(r))
    return result
  }
}
