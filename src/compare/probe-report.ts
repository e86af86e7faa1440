// Probe a report's queries and attach the verdicts: the probe → compare stage shared by lookup commands.
import {ExitCode, KdiscoError} from '../errors.js'
import type {ExpectedQuery} from '../dns/service-lookup.js'
import {type ProbeConfig, runProbe} from '../probe/index.js'
import {type ObservedQuery, applyObservations, probeQuestions} from './report.js'
import type {Observed, Summary} from './verdict.js'

export interface ProbedQueries {
  queries: ObservedQuery[]
  summary: Summary
}

export async function probeAndCompare(queries: ExpectedQuery[], candidates: (q: ExpectedQuery) => string[], probe: ProbeConfig, options: {strict?: boolean}): Promise<ProbedQueries | undefined> {
  const questions = probeQuestions(queries, candidates)
  const observed = await runProbe(probe, questions)
  if (!observed) return undefined
  if (observed.length > 0 && observed.every((o) => o.error)) {
    throw new KdiscoError(`the probe got no answer at all: ${observed[0].error}`, {hint: 'Check --dns-server and that the server is reachable from here', exitCode: ExitCode.CLUSTER})
  }
  const byKey = new Map<string, Observed>(questions.map((q, i) => [`${q.name.toLowerCase()} ${q.type}`, observed[i]]))
  return applyObservations(queries, byKey, candidates, options)
}
