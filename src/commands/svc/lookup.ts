import {Args, Flags, type Interfaces} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {queryCandidates, serviceLookup} from '../../dns/service-lookup.js'
import {checkNamespaceName} from '../../errors.js'
import {dnsFlags, inputFlags, listFlags, outputFlag, probeFlags, waitFlag} from '../../flags.js'
import {type ProbeConfig, type ProbeSession, probeConfig, withProbeSession} from '../../probe/index.js'
import {probeAndCompare} from '../../compare/probe-report.js'
import {ExitCode} from '../../errors.js'
import {loadCluster, probeContext, resultContext, waitDuration} from '../../pipeline.js'
import type {SvcLookupResult} from '../../results.js'
import {repeatUntilMatch} from '../../compare/wait.js'
import type {ExpectedQuery} from '../../dns/service-lookup.js'
import {serviceNotFound} from '../../cluster/find.js'

export default class SvcLookup extends KdiscoCommand {
  static override summary = 'Every DNS name a Service has and what each answers.'
  static override description =
    'The FQDN (A/AAAA or CNAME), SRV for the service and per named port, per-endpoint names (ready or not), PTRs, and how the short forms resolve from the Service\'s namespace and from --from-namespace.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> kubia-headless',
    '<%= config.bin %> <%= command.id %> mysql-svc -n data -o json',
    'kubectl get svc,pods,endpointslices -A -o yaml | <%= config.bin %> <%= command.id %> kubia -f - --from-namespace data',
  ]
  static override args = {name: Args.string({description: 'Service name.', required: true})}
  static override flags = {
    ...inputFlags,
    'from-namespace': Flags.string({multiple: true, description: 'Also resolve the short names from a pod in this namespace (repeatable).'}),
    output: outputFlag(['table', 'json', 'yaml', 'junit'] as const, 'table'),
    'no-headers': listFlags['no-headers'],
    ...dnsFlags,
    ...probeFlags,
    ...waitFlag,
  }

  async run(): Promise<SvcLookupResult> {
    const {args, flags} = await this.parse(SvcLookup)
    for (const ns of flags['from-namespace'] ?? []) checkNamespaceName(ns)
    const probe = probeConfig(flags)
    const waitMs = waitDuration(flags.wait, probe)
    const result = await withProbeSession(probe, waitMs, (probe, session) => repeatUntilMatch(waitMs, () => this.attempt(flags, args.name, probe, session)))
    await this.render(result, flags.output, async (r) =>
      flags.output === 'junit' ? (await import('../../render/ci-reports.js')).queriesJunit('svc lookup', `${r.service.namespace}/${r.service.name}`, r.queries) : (await import('../../render/svc-lookup.js')).renderServiceLookup(r, {noHeaders: flags['no-headers']}),
    )
    if (result.summary && result.summary.mismatch > 0) this.exit(ExitCode.FINDING)
    return result
  }

  /** One attempt: fresh cluster state, expectation and probe (--wait repeats it). */
  private async attempt(flags: Interfaces.InferredFlags<typeof SvcLookup.flags>, name: string, probe: ProbeConfig, session?: ProbeSession): Promise<SvcLookupResult> {
    const {snapshot, model, namespace} = await loadCluster(flags, {service: name, namespaceSlices: true})
    const svc = model.service(namespace, name)
    if (!svc) throw serviceNotFound(model, name, namespace, flags.filename)
    await this.reportInputGaps(snapshot, model)
    const report = serviceLookup(model, snapshot, svc, {fromNamespaces: flags['from-namespace']})
    const candidates = (q: ExpectedQuery) => queryCandidates(model, q)
    if (flags['dry-run']) return this.dryRun(probe, report.queries, candidates, namespace)
    const probed = await probeAndCompare(report.queries, candidates, probe, probeContext(flags, namespace, session), {strict: flags.strict})
    return {...report, ...probed, ...resultContext(snapshot, model)}
  }
}
