import {Args, Flags} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {serviceNotFound} from '../../cluster/find.js'
import {ExitCode} from '../../errors.js'
import {type ServiceExplanation, explainService} from '../../explain/service.js'
import {dnsFlags, inputFlags, outputFlag} from '../../flags.js'
import {inputSummary, loadCluster, settingsSummary} from '../../pipeline.js'

export type SvcExplainResult = ServiceExplanation & {settings: ReturnType<typeof settingsSummary>; input: ReturnType<typeof inputSummary>}

export default class SvcExplain extends KdiscoCommand {
  static override summary = 'Explain a Service: what it is, its DNS names, the environment pods get, and what is wrong.'
  static override examples = ['<%= config.bin %> <%= command.id %> kubia -f examples/', '<%= config.bin %> <%= command.id %> web -n shop --fail-on warning -o json']
  static override args = {name: Args.string({description: 'Service name.', required: true})}
  static override flags = {
    ...inputFlags,
    'fail-on': Flags.option({options: ['error', 'warning'] as const, description: 'Exit 1 when a finding of this severity or worse is found.'})(),
    output: outputFlag(['table', 'json', 'yaml'] as const, 'table'),
    ...dnsFlags,
  }

  async run(): Promise<SvcExplainResult> {
    const {args, flags} = await this.parse(SvcExplain)
    const {snapshot, model, namespace} = await loadCluster(flags, {service: args.name, pods: true, nearMisses: true, namespaceSlices: true})
    this.reportInputGaps(snapshot, model)
    const svc = model.service(namespace, args.name)
    if (!svc) throw serviceNotFound(model, args.name, namespace)
    const result: SvcExplainResult = {...explainService(model, snapshot, svc), settings: settingsSummary(model), input: inputSummary(snapshot)}
    await this.render(result, flags.output, async (r) => (await import('../../render/svc-explain.js')).renderServiceExplanation(r))
    const failing = flags['fail-on'] === 'warning' ? ['error', 'warning'] : flags['fail-on'] === 'error' ? ['error'] : []
    if (result.findings.some((f) => failing.includes(f.severity))) this.exit(ExitCode.FINDING)
    return result
  }
}
