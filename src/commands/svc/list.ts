import {Flags} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {parseLabelSelector, matchesRequirements} from '../../cluster/labels.js'
import {serviceList} from '../../dns/service-list.js'
import {inputError} from '../../errors.js'
import {allNamespacesFlag, dnsFlags, inputFlags, listFlags, outputFlag} from '../../flags.js'
import {loadCluster, resultContext} from '../../pipeline.js'
import type {SvcListResult} from '../../results.js'

export default class SvcList extends KdiscoCommand {
  static override summary = 'Services with their DNS name and what DNS returns for it.'
  static override examples = ['kubectl get svc,pods,endpointslices -A -o yaml | <%= config.bin %> <%= command.id %> -A -f -', '<%= config.bin %> <%= command.id %> -n data -o wide', '<%= config.bin %> <%= command.id %> -l app=kubia -o name']
  static override flags = {
    ...inputFlags,
    'all-namespaces': allNamespacesFlag,
    selector: Flags.string({char: 'l', description: 'Label selector for Services (a=b,c!=d,e in (x,y)).'}),
    output: outputFlag(['table', 'wide', 'json', 'yaml', 'name'] as const, 'table'),
    ...listFlags,
    ...dnsFlags,
  }

  async run(): Promise<SvcListResult> {
    const {flags} = await this.parse(SvcList)
    const reqs = flags.selector === undefined ? [] : parseLabelSelector(flags.selector)
    if (typeof reqs === 'string') throw inputError(`-l: ${reqs}`, 'Use a selector like app=web,tier!=db')
    const {snapshot, model, namespace} = await loadCluster(flags, {serviceSelector: flags.selector})
    await this.reportInputGaps(snapshot, model)
    const all = flags['all-namespaces']
    const inScope = new Set(snapshot.services.filter((s) => (all || (s.metadata.namespace ?? 'default') === namespace) && matchesRequirements(reqs, s.metadata.labels)).map((s) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`))
    const services = serviceList(model).filter((r) => inScope.has(`${r.namespace}/${r.name}`))
    const result: SvcListResult = {services, ...resultContext(snapshot, model)}
    await this.render(result, flags.output, async (r) => {
      if (flags.output === 'name') return r.services.map((s) => `service/${s.name}`).join('\n')
      const {renderServiceList} = await import('../../render/svc-list.js')
      return renderServiceList(r.services, {wide: flags.output === 'wide', showNamespace: all, noHeaders: flags['no-headers'], showLabels: flags['show-labels']})
    })
    return result
  }
}
