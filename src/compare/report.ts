// Adds what was observed to a report's expected queries, with a verdict per query and a summary. Pure.
import type {ExpectedQuery} from '../dns/service-lookup.js'
import {type Observed, type QueryStatus, type Summary, compareAnswer, summarize} from './verdict.js'

export interface ObservedQuery extends ExpectedQuery {
  observed?: Observed & {tried?: {name: string; rcode: string | null}[]}
  status: QueryStatus
  diff?: {missing: string[]; unexpected: string[]}
}

/** The questions to ask: each direct query once, and every search candidate of the short names. */
export function probeQuestions(queries: ExpectedQuery[], candidates: (q: ExpectedQuery) => string[]): {name: string; type: string}[] {
  const seen = new Set<string>()
  const out: {name: string; type: string}[] = []
  const add = (name: string, type: string) => {
    const k = `${name.toLowerCase()} ${type}`
    if (!seen.has(k)) (seen.add(k), out.push({name, type}))
  }
  for (const q of queries) {
    if (q.kind === 'short-name') for (const c of candidates(q)) add(c, q.type)
    else add(q.name, q.type)
  }
  return out
}

export function applyObservations(
  queries: ExpectedQuery[],
  observed: Map<string, Observed> | undefined,
  candidates: (q: ExpectedQuery) => string[],
  options: {strict?: boolean} = {},
): {queries: ObservedQuery[]; summary: Summary} {
  const get = (name: string, type: string) => observed?.get(`${name.toLowerCase()} ${type}`)
  const out: ObservedQuery[] = queries.map((q) => {
    let obs: ObservedQuery['observed']
    let question = q.name
    if (observed && q.kind === 'short-name') {
      // Walk the search list over the observed answers, as the resolver would.
      const tried: {name: string; rcode: string | null}[] = []
      for (const c of candidates(q)) {
        const o = get(c, q.type)
        if (!o) break
        tried.push({name: c, rcode: o.rcode})
        question = c
        if (o.error || (o.rcode === 'NOERROR' && o.answers.length > 0) || (o.rcode !== 'NOERROR' && o.rcode !== 'NXDOMAIN')) {
          obs = {...o, tried}
          break
        }
        obs = {...o, tried}
      }
      if (obs && obs.rcode === 'NXDOMAIN' && tried.some((t) => t.rcode === 'NOERROR')) obs = {...obs, rcode: 'NOERROR'}
    } else if (observed) {
      obs = get(q.name, q.type)
    }
    const verdict = compareAnswer(question, q.expected, obs, options)
    const row: ObservedQuery = {...q, status: verdict.status}
    if (obs) row.observed = obs
    if (verdict.missing.length || verdict.unexpected.length) row.diff = {missing: verdict.missing, unexpected: verdict.unexpected}
    if (verdict.notes.length) row.notes = [...(q.notes ?? []), ...verdict.notes]
    return row
  })
  return {queries: out, summary: summarize(out.map((q) => q.status))}
}
