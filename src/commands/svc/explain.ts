import {Args, Flags} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {serviceNotFound} from '../../cluster/find.js'
import {ExitCode, inputError} from '../../errors.js'
import {type Finding, explainService, lintServices} from '../../explain/service.js'
import {DEFAULT_NODE_PORT_RANGE, parseNodePortRange} from '../../explain/references.js'
import {allNamespacesFlag, dnsFlags, inputFlags, listFlags, outputFlag, probeFlags} from '../../flags.js'
import {probeConfig} from '../../probe/index.js'
import {probeAndCompare} from '../../compare/probe-report.js'
import {queryCandidates} from '../../dns/service-lookup.js'
import {loadCluster, probeContext, resultContext} from '../../pipeline.js'
import type {SvcExplainAllResult, SvcExplainResult} from '../../results.js'

export default class SvcExplain extends KdiscoCommand {
  static override summary = 'Explain a Service: what it is, its DNS names, the environment pods get, and what is wrong.'
  static override description = 'With --all, lints every Service in the namespace (or every namespace with -A), and finds StatefulSets, pods and Ingresses that point at Services that do not exist. -o name prints the objects the findings concern as kubectl get -o name does (service/web, pod/web-0, statefulset.apps/db), each once, errors first.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> kubia',
    '<%= config.bin %> <%= command.id %> web -n shop --fail-on warning -o json',
    '<%= config.bin %> <%= command.id %> --all -A -f k8s/',
    '<%= config.bin %> <%= command.id %> --all -n shop -o name | xargs kubectl describe -n shop',
  ]
  static override args = {name: Args.string({description: 'Service name (omit with --all).'})}
  static override flags = {
    ...inputFlags,
    all: Flags.boolean({description: 'Every Service in the namespace (-A: in every namespace).'}),
    'all-namespaces': allNamespacesFlag,
    'fail-on': Flags.option({options: ['error', 'warning'] as const, description: 'Exit 1 when a finding of this severity or worse is found.'})(),
    'node-port-range': Flags.string({description: 'The API server\'s --service-node-port-range (default 30000-32767).'}),
    output: outputFlag(['table', 'json', 'yaml', 'name', 'junit', 'sarif'] as const, 'table'),
    'no-headers': listFlags['no-headers'],
    ...dnsFlags,
    ...probeFlags,
  }

  async run(): Promise<SvcExplainResult | SvcExplainAllResult> {
    const {args, flags} = await this.parse(SvcExplain)
    if (Boolean(flags.all) === (args.name !== undefined)) throw inputError(flags.all ? 'Give either a Service NAME or --all, not both' : 'Missing Service NAME', `E.g. '${this.config.bin} svc explain web' or '${this.config.bin} svc explain --all'`)
    if (flags['all-namespaces'] && !flags.all) throw inputError('-A goes with --all', 'Add --all, or drop -A')
    if ((flags.output === 'junit' || flags.output === 'sarif') && !flags.all) throw inputError(`-o ${flags.output} reports --all`, `Lint every Service: ${this.config.bin} svc explain --all -o ${flags.output}`)
    if (flags.output === 'sarif' && !flags.filename?.length) throw inputError('-o sarif points at manifest files: it needs -f', `E.g. ${this.config.bin} svc explain --all -f k8s/ -o sarif`)
    if (flags.all && flags.probe && flags.probe !== 'none') throw inputError('--all does not probe', `Probe one Service: ${this.config.bin} svc explain NAME --probe ${flags.probe}`)
    const nodePortRange = flags['node-port-range'] === undefined ? DEFAULT_NODE_PORT_RANGE : parseNodePortRange(flags['node-port-range'])
    if (!nodePortRange) throw inputError(`--node-port-range "${flags['node-port-range']}" is not MIN-MAX`, 'For example --node-port-range 30000-32767')
    // One LIST per kind in the namespace: StatefulSets, pods and Ingresses point at Services by name.
    // The DNS section is probed live (one debug pod by default); --all only lints.
    // -o name prints the findings' objects: no debug pod for that unless --probe asks for one.
    const probe = flags.all || flags.output === 'name' ? probeConfig({...flags, probe: flags.probe ?? 'none'}) : probeConfig(flags)
    const {snapshot, model, namespace} = await loadCluster(flags, {kinds: ['pods', 'statefulsets', 'ingresses']})
    if (!flags.all && !model.service(namespace, args.name!)) throw serviceNotFound(model, args.name!, namespace, flags.filename)
    await this.reportInputGaps(snapshot, model)
    const context = resultContext(snapshot, model)
    let findings: Finding[]
    let mismatches = 0
    let result: SvcExplainResult | SvcExplainAllResult
    if (flags.all) {
      const namespaces = flags['all-namespaces'] ? [...new Set([...snapshot.namespaces, ...model.allServices().map((s) => s.namespace)])].sort() : [namespace]
      const report = lintServices(model, snapshot, namespaces, {nodePortRange})
      result = {...report, ...context}
      findings = [...report.services.flatMap((s) => s.findings), ...report.findings]
      await this.render(result, flags.output, async (r) => {
        if (flags.output === 'junit') return (await import('../../render/ci-reports.js')).lintJunit(r)
        if (flags.output === 'sarif') return (await import('../../render/ci-reports.js')).lintSarif(r, snapshot.locate ?? (() => undefined), this.config.version)
        if (flags.output === 'name') return (await import('../../render/svc-explain.js')).findingNames(r)
        return (await import('../../render/svc-explain.js')).renderLint(r, {noHeaders: flags['no-headers']})
      })
    } else {
      const svc = model.service(namespace, args.name!)!
      const explanation = explainService(model, snapshot, svc, {nodePortRange})
      const candidates = (q: Parameters<typeof queryCandidates>[1]) => queryCandidates(model, q)
      if (flags['dry-run']) return this.dryRun(probe, explanation.dns, candidates, namespace)
      const probed = await probeAndCompare(explanation.dns, candidates, probe, probeContext(flags, namespace), {strict: flags.strict})
      result = {...explanation, ...(probed ? {dns: probed.queries, summary: probed.summary, probe: probed.probe} : {}), ...context}
      findings = explanation.findings
      mismatches = probed?.summary.mismatch ?? 0
      await this.render(result, flags.output, async (r) => {
        if (flags.output === 'name') return (await import('../../render/svc-explain.js')).findingNames(r)
        return (await import('../../render/svc-explain.js')).renderServiceExplanation(r, {noHeaders: flags['no-headers']})
      })
    }
    const failing = flags['fail-on'] === 'warning' ? ['error', 'warning'] : flags['fail-on'] === 'error' ? ['error'] : []
    if (findings.some((f) => failing.includes(f.severity)) || mismatches > 0) this.exit(ExitCode.FINDING)
    return result
  }
}
