import {Args, Flags, type Interfaces} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {dnsLookup} from '../../dns/lookup.js'
import {checkQueryName} from '../../dns/names.js'
import {expectation, typeCode} from '../../dns/records.js'
import {parseIp, reverseName} from '../../dns/ip.js'
import {inputError} from '../../errors.js'
import {commandName} from '../../invocation.js'
import {dnsFlags, inputFlags, outputFlag, probeFlags, waitFlag} from '../../flags.js'
import {type ProbeConfig, type ProbeSession, probeConfig, withProbeSession} from '../../probe/index.js'
import {probeAndCompare} from '../../compare/probe-report.js'
import {type ExpectedQuery, queryCandidates} from '../../dns/service-lookup.js'
import {ExitCode} from '../../errors.js'
import {loadCluster, probeContext, resultContext, waitDuration} from '../../pipeline.js'
import type {DnsLookupResult} from '../../results.js'
import {repeatUntilMatch} from '../../compare/wait.js'
import {closeNames} from '../../cluster/find.js'
import {type Pod, namespaceOf} from '../../cluster/types.js'

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
      if (flags.output !== 'junit') return (await import('../../render/dns-lookup.js')).renderDnsLookup(r)
      const query = {name: r.question.name, type: r.question.type, kind: 'short-name' as const, from: r.question.namespace, expected: expectation(r), ...(r.status ? {status: r.status, observed: r.observed, diff: r.diff} : {})}
      return (await import('../../render/ci-reports.js')).queriesJunit('dns lookup', `${r.question.name} ${r.question.type}`, [query])
    })
    if (result.summary && result.summary.mismatch > 0) this.exit(ExitCode.FINDING)
    return result
  }

  private async attempt(flags: Interfaces.InferredFlags<typeof DnsLookup.flags>, draft: ReturnType<typeof questionFrom>, probe: ProbeConfig, session?: ProbeSession): Promise<DnsLookupResult> {
    // A name can point into any namespace, so a live lookup reads every namespace.
    const {snapshot, model, namespace} = await loadCluster(flags, {kinds: ['pods'], clusterDns: true, everyNamespace: true})
    await this.reportInputGaps(snapshot, model)
    let pod: Pod | undefined
    if (flags.pod !== undefined) {
      pod = snapshot.pods.find((p) => p.metadata.name === flags.pod && namespaceOf(p) === namespace)
      if (!pod) {
        const hints = closeNames(flags.pod, namespace, snapshot.pods.map((p) => ({name: p.metadata.name, namespace: namespaceOf(p)})))
        throw inputError(`--pod "${flags.pod}" not found in namespace ${namespace}`, hints.length > 0 ? hints.join('; ') : 'Check the name and -n')
      }
    }
    const report = dnsLookup(model, {...draft, namespace, ...(pod ? {pod: pod.metadata.name} : {})}, pod)
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

/** Validated question, before any I/O. */
export function questionFrom(name: string | undefined, typeFlag: string, reverse: string | undefined, namespace: string) {
  const type = typeFlag.toUpperCase()
  if (typeCode(type) === undefined) throw inputError(`"${typeFlag}" is not a DNS record type`, 'Use A, AAAA, SRV, PTR, CNAME, TXT, SOA, NS, MX, ANY, another IANA mnemonic or TYPEnnn')
  if (reverse !== undefined) {
    if (name !== undefined) throw inputError('give either a NAME or -x IP, not both', 'Drop one of them')
    const rev = reverseName(reverse)
    if (!rev) throw inputError(`-x "${reverse}" is not an IP address`, 'Use an IPv4 or IPv6 address, e.g. -x 10.96.0.10')
    return {name: rev, type: 'PTR', namespace}
  }
  if (name === undefined || name === '') throw inputError('missing NAME to look up', `Give a name, e.g. '${commandName()} dns lookup kubia'`)
  if (type === 'PTR' && parseIp(name)) return {name: reverseName(name)!, type, namespace}
  const problem = checkQueryName(name)
  if (problem) throw inputError(`"${name.length > 40 ? name.slice(0, 40) + '…' : name}" is not a valid DNS name: ${problem}`, 'Check the name')
  return {name, type, namespace}
}
