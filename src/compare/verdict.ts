// Expected against observed, point by point. Pure. Names compare case-insensitively, answers as sets, TTLs
// never; SRV priority/weight differ between DNS servers, so they are reported but fail only with --strict.
import type {Expectation, Rcode, ResourceRecord} from '../dns/records.js'

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

/** What an answer is compared against (the model's expectation). */
export type Expected = Expectation

export interface Verdict {
  status: QueryStatus
  /** Expected records not observed, and observed records not expected (as "TYPE data"). */
  missing: string[]
  unexpected: string[]
  notes: string[]
}

// Most data is already lower case with single spaces; the test is cheaper than normalizing every record.
const NEEDS_NORM = /[A-Z\s]/
const norm = (s: string) => (NEEDS_NORM.test(s) ? s.toLowerCase().replace(/\s+/g, ' ').trim() : s)

/**
 * The keys a set of records compares by. Without --strict an SRV record's key leaves out priority and weight,
 * which are collected into `weights` instead.
 */
function recordKeys(records: ResourceRecord[], strict: boolean, weights: Set<string>): Set<string> {
  const keys = new Set<string>()
  for (const r of records) {
    const data = norm(r.data)
    const second = r.type === 'SRV' && !strict ? data.indexOf(' ', data.indexOf(' ') + 1) : -1
    if (second > 0) {
      weights.add(data.slice(0, second))
      keys.add(`SRV ${data.slice(second + 1)}`)
    } else if (r.type === 'SOA') {
      keys.add(`SOA ${data.split(' ').slice(0, 2).join(' ')}`)
    } else {
      keys.add(`${r.type} ${data}`)
    }
  }
  return keys
}

export function compareAnswer(question: string, expected: Expected, observed: Observed | undefined, options: {strict?: boolean} = {}): Verdict {
  const strict = options.strict ?? false
  const notes: string[] = []
  if (!observed) return {status: 'unprobed', missing: [], unexpected: [], notes}
  if (expected.rcode === null) {
    notes.push(expected.forwarded ? 'answered upstream: kdisco does not predict it' : 'kdisco does not predict this answer')
    return {status: 'unprobed', missing: [], unexpected: [], notes}
  }
  // A SERVFAIL or REFUSED kdisco predicts (a hosts or template plugin's, no server block) is an answer like any other.
  if (observed.error || observed.rcode === null || ((observed.rcode === 'SERVFAIL' || observed.rcode === 'REFUSED') && observed.rcode !== expected.rcode)) {
    return {status: 'error', missing: [], unexpected: [], notes: [observed.error ?? `the server answered ${observed.rcode}`]}
  }
  if (observed.rcode !== expected.rcode) return {status: 'rcode', missing: [], unexpected: [], notes: [`expected ${expected.rcode}, got ${observed.rcode}`]}
  // Where the CNAME target is resolved upstream, only records owned by the question name are predicted.
  const owned = expected.forwarded ? observed.answers.filter((r) => norm(r.name).replace(/\.$/, '') === norm(question).replace(/\.$/, '')) : observed.answers
  const expectedWeights = new Set<string>()
  const observedWeights = new Set<string>()
  const want = recordKeys(expected.answers, strict, expectedWeights)
  const got = recordKeys(owned, strict, observedWeights)
  let missing = [...want].filter((k) => !got.has(k)).sort()
  let unexpected = [...got].filter((k) => !want.has(k)).sort()
  if (expected.partial) {
    // PTR targets in namespaces kdisco did not read are not surprises: `<endpoint>.<service>.<namespace>.svc.…`.
    const read = new Set(expected.partial.readNamespaces.map((n) => n.toLowerCase()))
    const elsewhere = unexpected.filter((k) => k.startsWith('PTR ') && !read.has(k.slice(4).split('.')[2] ?? ''))
    if (elsewhere.length > 0) {
      notes.push(`${elsewhere.length} more PTR record${elsewhere.length > 1 ? 's' : ''} for endpoints in namespaces kdisco did not read (${elsewhere.map((k) => k.slice(4)).join(', ')})`)
      unexpected = unexpected.filter((k) => !elsewhere.includes(k))
    }
  }
  if (expected.truncated && missing.length > 0) {
    // Only part of an answer this big can come back; which part is the server's choice.
    if (got.size > 0) {
      notes.push(`${got.size} of ${want.size} records came back: the whole answer does not fit in one DNS message`)
      missing = []
    } else {
      notes.push('no record came back: the answer does not fit in one DNS message, and this server sent none of it (CoreDNS sends the records that fit)')
    }
  }
  if (!strict && missing.length === 0 && unexpected.length === 0) {
    const ew = [...expectedWeights].sort().join(',')
    const ow = [...observedWeights].sort().join(',')
    if (ew !== ow) notes.push(`SRV priority/weight differ (expected ${ew}, observed ${ow}); not a failure without --strict`)
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
