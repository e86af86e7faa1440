// --wait: repeat a probed lookup (cluster state, expectation and probe, all fresh) until every query matches or
// time runs out — a post-deploy gate for CI. Progress goes to stderr; the last result is the one reported.
import {setTimeout as sleep} from 'node:timers/promises'
import type {Summary} from './verdict.js'

export async function repeatUntilMatch<R extends {summary?: Summary}>(waitMs: number | undefined, attempt: () => Promise<R>, log = (line: string) => process.stderr.write(`kdisco: ${line}\n`)): Promise<R> {
  const deadline = Date.now() + (waitMs ?? 0)
  for (let n = 1, pause = 2000; ; n++, pause = Math.min(pause * 1.5, 10_000)) {
    const result = await attempt()
    const s = result.summary
    if (!waitMs || !s || s.mismatch === 0) {
      if (waitMs && n > 1 && s) log(`all ${s.total} queries match after ${n} attempts`)
      return result
    }
    const left = deadline - Date.now()
    if (left <= 0) {
      log(`gave up waiting: ${s.mismatch} of ${s.total} queries still differ after ${n} attempt${n === 1 ? '' : 's'}`)
      return result
    }
    const next = Math.min(pause, left)
    log(`attempt ${n}: ${s.mismatch} of ${s.total} queries differ; trying again in ${Math.ceil(next / 1000)}s (${Math.ceil(left / 1000)}s left)`)
    await sleep(next)
  }
}
