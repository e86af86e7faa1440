import {Args, Flags, type Interfaces} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {type DnsLookupReport, dnsLookup} from '../../dns/lookup.js'
import type {ClusterDns} from '../../dns/model.js'
import {checkQueryName, isDns1035Label} from '../../dns/names.js'
import {expectation, typeCode} from '../../dns/records.js'
import {parseIp, reverseName} from '../../dns/ip.js'
import {inputError, quote} from '../../errors.js'
import {commandName} from '../../invocation.js'
import {dnsFlags, inputFlags, listFlags, outputFlag, probeFlags, waitFlag} from '../../flags.js'
import {type ProbeConfig, type ProbeSession, probeConfig, withProbeSession} from '../../probe/index.js'
import {probeAndCompare} from '../../compare/probe-report.js'
import {type ExpectedQuery, queryCandidates} from '../../dns/service-lookup.js'
import {ExitCode} from '../../errors.js'
import {type LoadedCluster, type PipelineFlags, loadClusterForQuestion, probeContext, resultContext, waitDuration} from '../../pipeline.js'
import type {DnsLookupResult} from '../../results.js'
import {repeatUntilMatch} from '../../compare/wait.js'
import {closeNames, hintOf} from '../../cluster/find.js'
import {type ClusterSnapshot, type Pod, namespaceOf} from '../../cluster/types.js'

export default class DnsLookup extends KdiscoCommand {
  static override summary = 'What cluster DNS answers for a name, asked from a pod in a namespace.'
  static override description =
    "Walks the pod resolver's search list (ndots:5) exactly as glibc does and shows each name tried with its rcode and route (the Corefile's server block and the plugins that answered: rewrite, autopath, hosts, template, file, kubernetes, forward…), then the answer. With --pod, the walk uses that pod's own resolv.conf and address (offline with -f; with a live cluster the probe also runs in it). A trailing dot makes the name absolute. Names forwarded upstream are not predicted."
  static override examples = [
    '<%= config.bin %> <%= command.id %> kubia',
    '<%= config.bin %> <%= command.id %> _mysql._tcp.mysql-svc.data --type SRV',
    'kubectl get svc,pods,endpointslices -A -o yaml | <%= config.bin %> <%= command.id %> -x 10.244.1.8 -f - -o json',
    '<%= config.bin %> <%= command.id %> mysql-svc --pod kubia-5d8b7c9f6-q9m2c --node-search ec2.internal',
  ]
  static override args = {name: Args.string({description: 'Name to look up (or an IP with --type PTR).'})}
  static override flags = {
    ...inputFlags,
    type: Flags.string({char: 't', default: 'A', description: 'Record type: A, AAAA, SRV, PTR, CNAME, TXT, SOA, NS, MX, ANY.'}),
    reverse: Flags.string({char: 'x', description: 'Reverse lookup of this IP address (PTR).'}),
    output: outputFlag(['table', 'json', 'yaml', 'junit'] as const, 'table'),
    'no-headers': listFlags['no-headers'],
    ...dnsFlags,
    ...probeFlags,
    ...waitFlag,
  }

  async run(): Promise<DnsLookupResult> {
    const {args, flags} = await this.parse(DnsLookup)
    // --pod names the asking pod; offline it is no probe target (there is nothing to exec into).
    const offlinePod = (flags.filename?.length ?? 0) > 0 && flags.probe === undefined && flags.pod !== undefined
    const probe = probeConfig(offlinePod ? {...flags, pod: undefined} : flags)
    const waitMs = waitDuration(flags.wait, probe)
    const draft = questionFrom(args.name, flags.type, flags.reverse, flags.namespace ?? 'default')
    const result = await withProbeSession(probe, waitMs, (probe, session) => repeatUntilMatch(waitMs, () => this.attempt(flags, draft, probe, session)))
    await this.render(result, flags.output, async (r) => {
      if (flags.output !== 'junit') return (await import('../../render/dns-lookup.js')).renderDnsLookup(r, {noHeaders: flags['no-headers']})
      const query = {name: r.question.name, type: r.question.type, kind: 'short-name' as const, from: r.question.namespace, expected: expectation(r), ...(r.status ? {status: r.status, observed: r.observed, diff: r.diff} : {})}
      return (await import('../../render/ci-reports.js')).queriesJunit('dns lookup', `${r.question.name} ${r.question.type}`, [query])
    })
    if (result.summary && result.summary.mismatch > 0) this.exit(ExitCode.FINDING)
    return result
  }

  private async attempt(flags: Interfaces.InferredFlags<typeof DnsLookup.flags>, draft: ReturnType<typeof questionFrom>, probe: ProbeConfig, session?: ProbeSession): Promise<DnsLookupResult> {
    const {snapshot, model, namespace, report} = await loadForLookup(flags, draft)
    await this.reportInputGaps(snapshot, model)
    const query: ExpectedQuery = {
      name: report.question.name,
      type: report.question.type,
      kind: report.question.name.endsWith('.') ? 'service' : 'short-name',
      from: namespace,
      expected: expectation(report),
    }
    const candidates = (q: ExpectedQuery) => queryCandidates(model, q)
    if (flags['dry-run']) return this.dryRun(probe, [query], candidates, namespace)
    const probed = await probeAndCompare([query], candidates, probe, probeContext(flags, namespace, session), {strict: flags.strict})
    const verdict = probed?.queries[0]
    const result: DnsLookupResult = {
      ...report,
      ...(verdict ? {observed: verdict.observed, status: verdict.status, ...(verdict.diff ? {diff: verdict.diff} : {}), summary: probed!.summary, probe: probed!.probe} : {}),
      ...resultContext(snapshot, model),
    }
    return result
  }
}

/**
 * The cluster a lookup needs and its report. Live, only what the names the walk asks can touch is read
 * (loadClusterForQuestion): the asking namespace, the Services those names spell and their slices, pods by address,
 * and cluster-wide lists only where no narrower read exists (the report's notes say which and why); -f reads every file.
 */
export async function loadForLookup(flags: PipelineFlags & {pod?: string}, draft: ReturnType<typeof questionFrom>): Promise<LoadedCluster & {report: DnsLookupReport}> {
  const ask = ({snapshot, model, namespace}: {snapshot: ClusterSnapshot; model: ClusterDns; namespace: string}) => {
    const pod = flags.pod === undefined ? undefined : askingPod(snapshot, flags.pod, namespace)
    return dnsLookup(model, {...draft, namespace, ...(pod ? {pod: pod.metadata.name} : {})}, pod)
  }
  const {clusterWide, ...loaded} = await loadClusterForQuestion(flags, {pod: flags.pod}, (round) => {
    const asked = ask(round)
    // An unanswered short name gets hints about Services of that name elsewhere: one request finds them.
    const first = draft.name.split('.')[0].toLowerCase()
    if (asked.answers.length === 0 && !draft.name.endsWith('.') && isDns1035Label(first)) round.model.needServicesNamed(first)
  })
  const report = ask(loaded)
  report.notes.push(...clusterWide)
  return {...loaded, report}
}

/** --pod in the asking namespace, or a usage error with the closest pod names. */
function askingPod(snapshot: ClusterSnapshot, name: string, namespace: string): Pod {
  const pod = snapshot.pods.find((p) => p.metadata.name === name && namespaceOf(p) === namespace)
  if (pod) return pod
  const hints = closeNames(name, namespace, snapshot.pods.map((p) => ({name: p.metadata.name, namespace: namespaceOf(p)})))
  throw inputError(`--pod ${quote(name)} not found in namespace ${namespace}`, hintOf(hints, 'Check the name and -n'))
}

/** Validated question, before any I/O. */
export function questionFrom(name: string | undefined, typeFlag: string, reverse: string | undefined, namespace: string) {
  const type = typeFlag.toUpperCase()
  if (typeCode(type) === undefined) throw inputError(`"${typeFlag}" is not a DNS record type`, 'Use A, AAAA, SRV, PTR, CNAME, TXT, SOA, NS, MX, ANY, another IANA mnemonic or TYPEnnn')
  if (reverse !== undefined) {
    if (name !== undefined) throw inputError('Give either a NAME or -x IP, not both', 'Drop one of them')
    const rev = reverseName(reverse)
    if (!rev) throw inputError(`-x "${reverse}" is not an IP address`, 'Use an IPv4 or IPv6 address, e.g. -x 10.96.0.10')
    return {name: rev, type: 'PTR', namespace}
  }
  if (name === undefined || name === '') throw inputError('Missing NAME to look up', `Give a name, e.g. '${commandName()} dns lookup kubia'`)
  if (type === 'PTR' && parseIp(name)) return {name: reverseName(name)!, type, namespace}
  const problem = checkQueryName(name)
  if (problem) throw inputError(`"${name.length > 40 ? name.slice(0, 40) + '…' : name}" is not a valid DNS name: ${problem}`, 'Check the name')
  return {name, type, namespace}
}
