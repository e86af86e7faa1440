// Expected against observed, point by point. Pure. Names compare case-insensitively, answers as sets, TTLs
// never; SRV priority/weight differ between DNS servers, so they are reported but fail only with --strict.
import type {Rcode, ResourceRecord} from '../dns/records.js'

export type QueryStatus = 'match' | 'missing' | 'unexpected' | 'rcode' | 'error' | 'unprobed'

export interface Observed {
  /** The rcode the server answered, or null when no answer came (see `error`). */
  rcode: Rcode | string | null
  answers: ResourceRecord[]
  /** How it was observed: "server 127.0.0.1:53", "pod kdisco-probe-x (dig)"… */
  via: string
  /** timeout, refused, network error… */
  error?: string
}

export interface Expected {
  rcode: Rcode | null
  answers: ResourceRecord[]
  forwarded?: boolean
}

export interface Verdict {
  status: QueryStatus
  /** Expected records not observed, and observed records not expected (as "TYPE data"). */
  missing: string[]
  unexpected: string[]
  notes: string[]
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim()

function recordKey(r: ResourceRecord, strict: boolean): string {
  if (r.type === 'SRV' && !strict) {
    const [, , port, target] = r.data.split(/\s+/)
    return `SRV ${port} ${norm(target)}`
  }
  if (r.type === 'SOA') return `SOA ${norm(r.data.split(/\s+/).slice(0, 2).join(' '))}`
  return `${r.type} ${norm(r.data)}`
}

export function compareAnswer(question: string, expected: Expected, observed: Observed | undefined, options: {strict?: boolean} = {}): Verdict {
  const strict = options.strict ?? false
  const notes: string[] = []
  if (!observed) return {status: 'unprobed', missing: [], unexpected: [], notes}
  if (expected.rcode === null) {
    notes.push('answered upstream: kdisco does not predict it')
    return {status: 'unprobed', missing: [], unexpected: [], notes}
  }
  if (observed.error || observed.rcode === null || observed.rcode === 'SERVFAIL' || observed.rcode === 'REFUSED') {
    return {status: 'error', missing: [], unexpected: [], notes: [observed.error ?? `the server answered ${observed.rcode}`]}
  }
  if (observed.rcode !== expected.rcode) return {status: 'rcode', missing: [], unexpected: [], notes: [`expected ${expected.rcode}, got ${observed.rcode}`]}
  // Where the CNAME target is resolved upstream, only records owned by the question name are predicted.
  const owned = expected.forwarded ? observed.answers.filter((r) => norm(r.name).replace(/\.$/, '') === norm(question).replace(/\.$/, '')) : observed.answers
  const want = new Set(expected.answers.map((r) => recordKey(r, strict)))
  const got = new Set(owned.map((r) => recordKey(r, strict)))
  const missing = [...want].filter((k) => !got.has(k)).sort()
  const unexpected = [...got].filter((k) => !want.has(k)).sort()
  if (!strict) {
    const weights = (rs: ResourceRecord[]) => new Set(rs.filter((r) => r.type === 'SRV').map((r) => r.data.split(/\s+/).slice(0, 2).join(' ')))
    const ew = [...weights(expected.answers)].sort().join(',')
    const ow = [...weights(owned)].sort().join(',')
    if (ew !== ow && missing.length === 0 && unexpected.length === 0) notes.push(`SRV priority/weight differ (expected ${ew}, observed ${ow}); not a failure without --strict`)
  }
  const status: QueryStatus = missing.length > 0 ? 'missing' : unexpected.length > 0 ? 'unexpected' : 'match'
  return {status, missing, unexpected, notes}
}

export interface Summary {
  total: number
  match: number
  mismatch: number
  unprobed: number
}

export function summarize(statuses: QueryStatus[]): Summary {
  const match = statuses.filter((s) => s === 'match').length
  const unprobed = statuses.filter((s) => s === 'unprobed').length
  return {total: statuses.length, match, mismatch: statuses.length - match - unprobed, unprobed}
}
