// The real API server's own record of what a client asked (audit log, Metadata level, for AUDITED_USER only): tests
// read the events written since a mark, to assert request patterns (counts, paging, statuses) as the server saw them.
import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {AUDITED_USER, type RealCluster} from './cluster.js'

export interface AuditEvent {
  verb: string
  requestURI: string
  responseStatus?: {code?: number}
  stage: string
  user: {username: string}
}

export class AuditLog {
  private readonly path: string

  constructor(c: RealCluster) {
    this.path = join(c.dir, 'logs', 'audit.log')
  }

  /** Where the log ends now: events after it belong to what the test does next. */
  mark(): number {
    return existsSync(this.path) ? statSync(this.path).size : 0
  }

  /**
   * The audited user's completed requests since `mark` (ResponseComplete; a refused upgrade also ends there).
   * The server writes an event when the response is done; `settleMs` of quiet means none is still on its way.
   */
  async since(mark: number, settleMs = 300): Promise<AuditEvent[]> {
    let size = -1
    while (size !== this.mark()) {
      size = this.mark()
      await sleep(settleMs)
    }
    const text = readFileSync(this.path).subarray(mark).toString('utf8')
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent)
      .filter((e) => e.user.username === AUDITED_USER && e.stage === 'ResponseComplete')
  }
}

/** "GET /api/v1/services?limit=500" with the continue token shortened to "…": a request's shape, for comparisons. */
export function shape(e: AuditEvent): string {
  const url = new URL(e.requestURI, 'https://x')
  if (url.searchParams.has('continue')) url.searchParams.set('continue', '…')
  const q = [...url.searchParams].map(([k, v]) => `${k}=${v}`).join('&')
  return `${e.verb} ${url.pathname}${q ? `?${q}` : ''}`
}
