// Probe a report's queries and attach the verdicts: the probe → compare stage shared by lookup commands.
import {ExitCode, KdiscoError} from '../errors.js'
import {commandName} from '../invocation.js'
import type {ExpectedQuery} from '../dns/service-lookup.js'
import {searchCandidates} from '../dns/resolver.js'
import {type ProbeConfig, type ProbeContext, type ProbeRequest, type Vantage, observedKey, probeNamespace, runProbe} from '../probe/index.js'
import {type ObservedQuery, applyObservations} from './report.js'
import {type Summary, summarize} from './verdict.js'

export interface ProbedQueries {
  queries: ObservedQuery[]
  summary: Summary
  /** Where the answers came from, and what the probe noticed about itself. */
  probe: {kind: string; vantages: string[]; resolvConf?: {namespace: string; text: string}; notes: string[]}
}

/**
 * Direct queries are asked as they are. A short name is expanded by the probe's own resolver when the probe runs
 * in a pod of the namespace it is asked from; otherwise its expected search candidates are asked one by one.
 */
export function probeRequest(queries: ExpectedQuery[], candidates: (q: ExpectedQuery) => string[], podNamespace: string | undefined): ProbeRequest {
  const seen = new Set<string>()
  const request: ProbeRequest = {queries: [], searches: []}
  for (const q of queries) {
    if (q.kind === 'short-name' && podNamespace !== undefined && (q.from ?? podNamespace) === podNamespace) {
      const k = `s ${observedKey(q.name, q.type)}`
      if (!seen.has(k)) (seen.add(k), request.searches.push({name: q.name, type: q.type, namespace: podNamespace}))
      continue
    }
    for (const name of q.kind === 'short-name' ? candidates(q) : [q.name]) {
      const k = observedKey(name, q.type)
      if (!seen.has(k)) (seen.add(k), request.queries.push({name, type: q.type}))
    }
  }
  return request
}

/** One vantage point's verdicts; short names walk that pod's real search list when it has one. */
function judge(queries: ExpectedQuery[], vantage: Vantage, candidates: (q: ExpectedQuery) => string[], strict: boolean) {
  const conf = vantage.resolvConf
  const walkFrom = (q: ExpectedQuery) => (q.kind === 'short-name' && conf && (q.from ?? conf.namespace) === conf.namespace ? searchCandidates(q.name, conf) : candidates(q))
  const result = applyObservations(queries, vantage.observed, walkFrom, {strict})
  for (const row of result.queries) {
    if (!row.observed || row.kind !== 'short-name') continue
    row.observed.searchList = conf && (row.from ?? conf.namespace) === conf.namespace ? 'pod resolv.conf' : 'expected resolv.conf'
    const app = vantage.applications?.get(row.name.toLowerCase())
    if (app && (row.type === 'A' || row.type === 'AAAA')) row.observed.application = app
  }
  return result
}

export async function probeAndCompare(
  queries: ExpectedQuery[],
  candidates: (q: ExpectedQuery) => string[],
  probe: ProbeConfig,
  ctx: ProbeContext,
  options: {strict?: boolean},
): Promise<ProbedQueries | undefined> {
  const request = probeRequest(queries, candidates, probeNamespace(probe, ctx.namespace))
  const vantages = await runProbe(probe, request, ctx)
  if (!vantages) return undefined
  const all = vantages.flatMap((v) => [...v.observed.values()])
  if (all.length > 0 && all.every((o) => o.error)) {
    throw new KdiscoError(`The probe got no answer at all: ${all[0].error}`, {hint: probe.kind === 'server' ? 'Check --dns-server and that the server is reachable from here' : `Check that cluster DNS is running (${commandName()} dns doctor)`, exitCode: ExitCode.CLUSTER})
  }
  const judged = vantages.map((v) => judge(queries, v, candidates, options.strict ?? false))
  // Several vantages (DNS replicas): a query matches only if every replica matches; disagreements are named.
  const rows = judged[0].queries.map((row, i) => {
    const bad = judged.map((j, k) => ({row: j.queries[i], via: vantages[k].via})).filter((x) => x.row.status !== 'match')
    if (judged.length === 1 || bad.length === 0) return row
    const worst = {...bad[0].row}
    const agree = judged.length - bad.length
    worst.notes = [...(worst.notes ?? []), `${bad.map((b) => `${b.via}: ${b.row.status}`).join('; ')}${agree ? ` (${agree} of ${judged.length} replicas match: the replicas disagree)` : ''}`]
    return worst
  })
  const conf = vantages[0].resolvConf
  return {
    queries: rows,
    summary: summarize(rows.map((r) => r.status)),
    probe: {kind: probe.kind, vantages: vantages.map((v) => v.via), ...(conf ? {resolvConf: {namespace: conf.namespace, text: conf.text}} : {}), notes: [...new Set(vantages.flatMap((v) => v.notes))]},
  }
}
