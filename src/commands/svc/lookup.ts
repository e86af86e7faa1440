import {Args, Flags} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {type ServiceLookupReport, serviceLookup} from '../../dns/service-lookup.js'
import {isDns1123Label} from '../../dns/names.js'
import {inputError} from '../../errors.js'
import {dnsFlags, inputFlags, outputFlag} from '../../flags.js'
import {inputSummary, loadCluster, settingsSummary} from '../../pipeline.js'
import {serviceNotFound} from '../../cluster/find.js'

export type SvcLookupResult = ServiceLookupReport & {settings: ReturnType<typeof settingsSummary>; input: ReturnType<typeof inputSummary>}

export default class SvcLookup extends KdiscoCommand {
  static override summary = 'Every DNS name a Service has and what each answers.'
  static override description =
    'The FQDN (A/AAAA or CNAME), SRV for the service and per named port, per-endpoint names (ready or not), PTRs, and how the short forms resolve from the Service\'s namespace and from --from-namespace.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> kubia-headless -f examples/',
    '<%= config.bin %> <%= command.id %> mysql-svc -n data -f examples/ -o json',
    '<%= config.bin %> <%= command.id %> kubia -f examples/ --from-namespace data',
  ]
  static override args = {name: Args.string({description: 'Service name.', required: true})}
  static override flags = {
    ...inputFlags,
    'from-namespace': Flags.string({multiple: true, description: 'Also resolve the short names from a pod in this namespace (repeatable).'}),
    output: outputFlag(['table', 'json', 'yaml'] as const, 'table'),
    ...dnsFlags,
  }

  async run(): Promise<SvcLookupResult> {
    const {args, flags} = await this.parse(SvcLookup)
    for (const ns of flags['from-namespace'] ?? [])
      if (!isDns1123Label(ns)) throw inputError(`"${ns}" is not a valid namespace name`, 'Namespaces are lowercase RFC 1123 labels')
    const {snapshot, model, namespace} = await loadCluster(flags, {service: args.name, namespaceSlices: true})
    this.reportInputGaps(snapshot, model)
    const svc = model.service(namespace, args.name)
    if (!svc) throw serviceNotFound(model, args.name, namespace)
    const result: SvcLookupResult = {...serviceLookup(model, snapshot, svc, {fromNamespaces: flags['from-namespace']}), settings: settingsSummary(model), input: inputSummary(snapshot)}
    if (flags.output === 'table') {
      const {renderServiceLookup} = await import('../../render/svc-lookup.js')
      this.emit(await renderServiceLookup(result))
    } else {
      const {structured} = await import('../../render/style.js')
      this.emit(await structured(result, flags.output))
    }
    return result
  }
}
