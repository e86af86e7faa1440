import {Args} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {serviceNotFound} from '../../cluster/find.js'
import {serviceEndpoints} from '../../explain/endpoints.js'
import {dnsFlags, inputFlags, listFlags, outputFlag} from '../../flags.js'
import {namespaceOf} from '../../cluster/types.js'
import {loadCluster, resultContext} from '../../pipeline.js'
import type {SvcEndpointsResult} from '../../results.js'

export default class SvcEndpoints extends KdiscoCommand {
  static override summary = "A Service's endpoints, whether DNS serves each one, and why not."
  static override description =
    'One row per endpoint address (ports, ready, DNS name, pod, IN DNS with the reason: the containers not ready and the probe that fails, terminating, publishNotReadyAddresses off); -o wide adds the EndpointSlice\'s serving, terminating, node, zone, hostname, targetRef and slice name. Then the selected pods without an endpoint and, when the selector matches nothing, the pods that miss it by one label. -o name prints pod/NAME for each endpoint backed by a pod, as kubectl get pods -o name does, for piping into kubectl.'
  static override examples = [
    'kubectl get svc,pods,endpointslices -A -o yaml | <%= config.bin %> <%= command.id %> kubia -f -',
    '<%= config.bin %> <%= command.id %> mysql-svc -n data -o wide --show-labels',
    '<%= config.bin %> <%= command.id %> web -n shop -o name | xargs kubectl describe -n shop',
  ]
  static override args = {name: Args.string({description: 'Service name.', required: true})}
  static override flags = {...inputFlags, output: outputFlag(['table', 'wide', 'json', 'yaml', 'name'] as const, 'table'), ...listFlags, ...dnsFlags}

  async run(): Promise<SvcEndpointsResult> {
    const {args, flags} = await this.parse(SvcEndpoints)
    const {snapshot, model, namespace} = await loadCluster(flags, {service: args.name, pods: true, nearMisses: true})
    const svc = model.service(namespace, args.name)
    if (!svc) throw serviceNotFound(model, args.name, namespace, flags.filename)
    await this.reportInputGaps(snapshot, model)
    const result: SvcEndpointsResult = {...serviceEndpoints(model, snapshot, svc), ...resultContext(snapshot, model)}
    await this.render(result, flags.output, async (r) => {
      // The pods behind the endpoints, once each (a pod with several addresses is one name), in the table's order.
      if (flags.output === 'name') return [...new Set(r.endpoints.flatMap((e) => (e.pod ? [`pod/${e.pod}`] : [])))].join('\n')
      const podLabels = flags['show-labels'] ? new Map(snapshot.pods.filter((p) => namespaceOf(p) === namespace).map((p) => [p.metadata.name, p.metadata.labels])) : undefined
      return (await import('../../render/svc-endpoints.js')).renderServiceEndpoints(r, {wide: flags.output === 'wide', noHeaders: flags['no-headers'], podLabels})
    })
    return result
  }
}
