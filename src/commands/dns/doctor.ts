import {KdiscoCommand} from '../../command-base.js'
import {ExitCode} from '../../errors.js'
import {type Check, type CorednsRbac, staticChecks, summarizeChecks} from '../../explain/doctor.js'
import {dnsFlags, inputFlags, outputFlag, probeFlags} from '../../flags.js'
import {connectCluster, loadCluster, probeContext, resultContext} from '../../pipeline.js'
import type {DnsDoctorResult} from '../../results.js'
import {probeConfig} from '../../probe/index.js'
import {probeAndCompare} from '../../compare/probe-report.js'
import type {ExpectedQuery} from '../../dns/service-lookup.js'
import {expectation} from '../../dns/records.js'
import type {ClusterDns} from '../../dns/model.js'
import {CLUSTER_DNS_NAMESPACE} from '../../cluster/types.js'

export default class DnsDoctor extends KdiscoCommand {
  static override summary = 'Check cluster DNS itself: Service, endpoints, pods, Corefile, RBAC, NodeLocal DNSCache, a control lookup.'
  static override description =
    'The "Debugging DNS Resolution" page as checks, each ok / warning / error with its evidence. The control lookup of kubernetes.default goes through a probe (a debug pod by default; --probe port-forward asks every DNS replica). Exit 1 when a check fails. -o name prints the objects of the failed and warning checks as kubectl get -o name does (service/kube-dns, pod/coredns-…, configmap/coredns), errors first.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --probe port-forward -o json', '<%= config.bin %> <%= command.id %> -f k8s/']
  static override flags = {...inputFlags, output: outputFlag(['table', 'json', 'yaml', 'name'] as const, 'table'), ...dnsFlags, ...probeFlags}

  async run(): Promise<DnsDoctorResult> {
    const {flags} = await this.parse(DnsDoctor)
    const probe = probeConfig(flags)
    // Cluster DNS lives in kube-system whatever -n says; the probe pod goes to -n (default: default).
    // A Corefile kdisco cannot use is a finding here (the corefile check), not a reason to stop.
    const {snapshot, model, corefile} = await loadCluster({...flags, namespace: CLUSTER_DNS_NAMESPACE}, {kinds: ['pods'], clusterDns: true, apiService: true}, {lenientCorefile: true})
    await this.reportInputGaps(snapshot, model)
    const probeNs = flags.namespace ?? 'default'
    const rbac = snapshot.origin === 'live' ? await this.readRbac(flags) : {unavailable: 'offline (-f): ClusterRoles are not read from files'}
    const query = controlQuery(model)
    if (flags['dry-run']) return this.dryRun(probe, [query], (q) => [q.name], probeNs)
    const checks = staticChecks(model, snapshot, rbac, corefile)
    checks.splice(checks.length - 1, 0, await this.controlLookup(flags, probe, query, probeNs, model, snapshot.origin))
    const result: DnsDoctorResult = {...summarizeChecks(checks), ...resultContext(snapshot, model)}
    await this.render(result, flags.output, async (r) => {
      const doctor = await import('../../render/dns-doctor.js')
      return flags.output === 'name' ? doctor.doctorNames(r) : doctor.renderDoctor(r)
    })
    if (result.summary.error > 0) this.exit(ExitCode.FINDING)
    return result
  }

  private async readRbac(flags: Parameters<typeof connectCluster>[0]): Promise<CorednsRbac> {
    const conn = await connectCluster(flags, CLUSTER_DNS_NAMESPACE)
    const {readCorednsRbac} = await import('../../cluster/live/rbac.js')
    return readCorednsRbac(conn.client)
  }

  private async controlLookup(flags: Parameters<typeof probeContext>[0] & {strict?: boolean}, probe: ReturnType<typeof probeConfig>, query: ExpectedQuery, namespace: string, model: ClusterDns, origin: 'files' | 'live'): Promise<Check> {
    const title = 'control lookup'
    // Manifests without the API server's Service say nothing about what its name answers.
    if (origin === 'files' && !model.service('default', 'kubernetes')) return {id: 'lookup', title, status: 'skipped', message: `Service default/kubernetes is not in the input, so what ${query.name} answers is not known`, evidence: [], objects: []}
    const expected = query.expected.answers.map((a) => a.data).join(', ') || query.expected.rcode
    if (probe.kind === 'none') return {id: 'lookup', title, status: 'skipped', message: `no probe (-f or --probe none): ${query.name} should answer ${expected}`, evidence: [], objects: []}
    try {
      const probed = await probeAndCompare([query], (q) => [q.name], probe, probeContext(flags, namespace), {strict: flags.strict})
      const row = probed!.queries[0]
      const evidence = [...probed!.probe.vantages.map((v) => `via ${v}`), ...(row.notes ?? [])]
      if (row.status === 'match') return {id: 'lookup', title, status: 'ok', message: `${query.name} answers ${expected} as expected`, evidence, objects: []}
      const got = row.observed?.error ?? `${row.observed?.rcode} ${(row.observed?.answers ?? []).map((a) => a.data).join(', ')}`.trim()
      return {id: 'lookup', title, status: 'error', message: `${query.name}: expected ${expected}, got ${got} (${row.status})`, evidence, hint: 'See the pods and rbac checks; kubectl logs -n kube-system -l k8s-app=kube-dns', objects: []}
    } catch (error) {
      const e = error as Error & {hint?: string}
      return {id: 'lookup', title, status: 'error', message: `the probe failed: ${e.message}`, evidence: [], ...(e.hint ? {hint: e.hint} : {}), objects: []}
    }
  }
}

/** kubernetes.default.svc.<zone> A: every cluster has it, so it is the control name. */
function controlQuery(model: ClusterDns): ExpectedQuery {
  const name = `kubernetes.default.svc.${model.settings.clusterDomain}.`
  const a = model.answer(name, 'A')
  return {name, type: 'A', kind: 'service', expected: expectation(a)}
}
