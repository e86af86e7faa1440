// Adds what was observed to a report's expected queries, with a verdict per query and a summary. Pure.
import type {ExpectedQuery} from '../dns/service-lookup.js'
import {walkSearch} from '../dns/resolver.js'
import type {ApplicationView} from '../probe/script.js'
import {observedKey} from '../probe/index.js'
import {type Observed, type QueryStatus, type Summary, compareAnswer, summarize} from './verdict.js'

export interface ObservedQuery extends ExpectedQuery {
  observed?: Observed & {
    tried?: {name: string; rcode: string | null}[]
    /** Short names: whose search list the walk followed. */
    searchList?: 'pod resolv.conf' | 'expected resolv.conf'
    /** Short names: what applications get (getent ahosts in the probing pod). */
    application?: ApplicationView | {unavailable: string}
  }
  status: QueryStatus
  diff?: {missing: string[]; unexpected: string[]}
}

export function applyObservations(
  queries: ExpectedQuery[],
  observed: Map<string, Observed> | undefined,
  candidates: (q: ExpectedQuery) => string[],
  options: {strict?: boolean} = {},
): {queries: ObservedQuery[]; summary: Summary} {
  const get = (name: string, type: string) => observed?.get(observedKey(name, type))
  const out: ObservedQuery[] = queries.map((q) => {
    let obs: ObservedQuery['observed']
    let question = q.name
    if (observed && q.kind === 'short-name') {
      // The same walk the resolver does, over the observed answers.
      const walk = walkSearch(candidates(q), (c) => get(c, q.type))
      const last = walk.steps.at(-1)
      if (last) {
        question = last.name
        const final = walk.stopped ?? {...last.answer, rcode: walk.rcode}
        obs = {...final, tried: walk.steps.map((s) => ({name: s.name, rcode: s.answer.rcode}))}
      }
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
