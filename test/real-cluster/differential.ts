// The differential check: the questions to ask for a cluster state, and how kdisco's expected answer is compared
// with what real CoreDNS answered. Disagreements are reported, never asserted one by one, so a run shows them all.
import type {ClusterDns} from '../../src/dns/model.js'
import {zoneRecords} from '../../src/dns/zone.js'
import type {DnsAnswer} from '../../src/dns/records.js'
import type {Pod} from '../../src/cluster/types.js'
import {UPSTREAM_ZONE} from './cluster.js'
import {type DnsServer, type ObservedRecord, type ObservedReply, ask} from './dns.js'

export const QUESTION_TYPES = ['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'TXT', 'NS', 'SOA', 'MX', 'HINFO'] as const

export interface Question {
  name: string
  type: string
  /** Asked with the CD bit: kept apart from CoreDNS's cache entries for other spellings of the name. */
  cd?: boolean
}

/** Flips the case of some letters, the same way for the same name and seed. */
export function mixCase(name: string, seed: number): string {
  let out = ''
  let s = seed
  for (const ch of name) {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    out += /[a-z]/.test(ch) && s % 3 === 0 ? ch.toUpperCase() : ch
  }
  return out
}

/**
 * Every name kdisco's zone listing holds for `namespaces`, each asked for every type, plus names that must not
 * exist or lie just outside the zone, plus mixed-case spellings of some names.
 */
export function questionsFor(model: ClusterDns, pods: Pod[], namespaces: string[], seed: number): Question[] {
  const zone = model.settings.clusterDomain
  const names = new Set<string>()
  for (const listing of zoneRecords(model, pods, {namespaces})) for (const r of listing.records) names.add(r.name)
  const probe = namespaces[0]
  const negatives = [
    `${zone}.`,
    `dns-version.${zone}.`,
    `ns.dns.${zone}.`,
    `svc.${zone}.`,
    `pod.${zone}.`,
    `nonexistent.svc.${zone}.`,
    `web.nonexistent.svc.${zone}.`,
    `nonexistent.pod.${zone}.`,
    `web.${probe}.${zone}.`,
    `something.${zone}.`,
    `${zone}x.`,
    `x${zone}.`,
    `api.${UPSTREAM_ZONE}.`,
    `www.${UPSTREAM_ZONE}.`,
    `missing.${UPSTREAM_ZONE}.`,
    `in-addr.arpa.`,
    `10.in-addr.arpa.`,
    `10.9.9.9.in-addr.arpa.`,
    `ip6.arpa.`,
    `1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.`,
  ]
  for (const ns of namespaces) {
    const svc = `${ns}.svc.${zone}`
    negatives.push(
      `${svc}.`,
      `${ns}.pod.${zone}.`,
      `nope.${svc}.`,
      `nope.web.${svc}.`,
      `_nope._tcp.web.${svc}.`,
      `_http._udp.web.${svc}.`,
      `http.tcp.web.${svc}.`,
      `_http.web.${svc}.`,
      `a.b.c.web.${svc}.`,
      `x._http._tcp.web.${svc}.`,
      `_http._tcp.db.${svc}.`,
      `_dns._udp.db.${svc}.`,
      `_sctp._sctp.db.${svc}.`,
      `sts-0.nginx.${svc}.`,
      `sts-0.stateful.${svc}.`,
      `twin.nginx.${svc}.`,
      `twin.stateful.${svc}.`,
      `stray.other-svc.${svc}.`,
      `legacy-0.legacy.${svc}.`,
      `db-0.external-db.${svc}.`,
      `db-v6.external-db.${svc}.`,
      `ext.${svc}.`,
      `ext-ip.${svc}.`,
      `alias.${svc}.`,
      `x.ext.${svc}.`,
      `_http._tcp.ext.${svc}.`,
      `unlabelled.${svc}.`,
      `1-2-3-4.${ns}.pod.${zone}.`,
      `1-2-3.${ns}.pod.${zone}.`,
      `x.1-2-3-4.${ns}.pod.${zone}.`,
      `fd00-10-244-0--5.${ns}.pod.${zone}.`,
      `a-b-c-d.${ns}.pod.${zone}.`,
    )
  }
  for (const n of negatives) names.add(n)
  const out: Question[] = []
  for (const name of [...names].sort()) for (const type of QUESTION_TYPES) out.push({name, type})
  // Mixed case: CoreDNS matches case-insensitively and echoes the question's spelling.
  let i = 0
  for (const name of [...names].sort()) {
    if (i++ % 4 !== 0) continue
    const mixed = mixCase(name, seed + i)
    // With CD set: the cache keys on it, so another spelling's cached answer is not returned for this one.
    if (mixed !== name) for (const type of QUESTION_TYPES) out.push({name: mixed, type, cd: true})
  }
  return out
}

export interface Disagreement {
  server: string
  question: Question
  /** Which of kdisco's answers (live, dump, derived…) disagreed. */
  source: string
  expected: string
  observed: string
}

type Rr = {name: string; type: string; ttl: number; data: string}

/** The SOA serial is the time of CoreDNS's last change; kdisco writes a placeholder. */
function comparable(r: Rr): Rr {
  if (r.type !== 'SOA') return r
  const f = r.data.split(' ')
  f[2] = 'SERIAL'
  return {...r, data: f.join(' ')}
}

const key = (r: Rr, options: {ttl?: boolean; foldCase?: boolean} = {}) => {
  const c = comparable(r)
  const name = options.foldCase ? c.name.toLowerCase() : c.name
  const data = options.foldCase ? c.data.toLowerCase() : c.data
  return `${name} ${c.type}${options.ttl === false ? '' : ` ${c.ttl}`} ${data}`
}

function describe(rcode: string | null, records: Rr[]): string {
  return `${rcode ?? 'forwarded'}${records.length ? ` [${records.map((r) => key(r)).sort().join('; ')}]` : ''}`
}

/** What the upstream is asked to judge a forwarded expectation: the question, or the target of kdisco's own CNAME. */
export function upstreamQuestion(expected: DnsAnswer, q: Question): Question {
  const cname = [...expected.answers].reverse().find((r) => r.type === 'CNAME')
  return cname ? {name: cname.data, type: q.type} : q
}

/**
 * How `expected` (kdisco) and `observed` (CoreDNS) differ, or undefined when they agree. Answers are sets (order is
 * loadbalance's); owner names and data are compared exactly as written (case included) and TTLs must be equal —
 * except where kdisco says the answer may come from CoreDNS's cache (TTL at most the expected one, spelling of the
 * first asker). A forwarded expectation agrees when CoreDNS relayed what the upstream answers (`upstream`, asked
 * for upstreamQuestion()), after the records kdisco predicts itself (an ExternalName's CNAME).
 */
export function difference(expected: DnsAnswer, observed: ObservedReply, upstream?: ObservedReply): string | undefined {
  const got = observed.answers
  if (expected.forwarded) {
    if (!upstream) return undefined
    const own = expected.answers
    const ownGot = got.filter((r) => own.some((e) => key(e, {ttl: false, foldCase: true}) === key(r, {ttl: false, foldCase: true})))
    const rest = got.filter((r) => !ownGot.includes(r))
    // With records of its own CoreDNS answers NOERROR whatever the upstream said (backend_lookup.go A).
    const rcode = own.length > 0 ? 'NOERROR' : upstream.rcode
    const sameRest = rest.map((r) => key(r, {ttl: false, foldCase: true})).sort().join('|') === upstream.answers.map((r) => key(r, {ttl: false, foldCase: true})).sort().join('|')
    const ownOk = ownGot.length === own.length && ownGot.every((r) => own.some((e) => key(e, {ttl: false, foldCase: true}) === key(r, {ttl: false, foldCase: true}) && r.ttl <= e.ttl))
    if (observed.rcode === rcode && sameRest && ownOk) return undefined
    return `expected forwarded (own ${describe('', own).trim() || 'none'}; upstream says ${describe(upstream.rcode, upstream.answers)}), got ${describe(observed.rcode, got)}`
  }
  if (expected.cached) {
    // From the cache: TTLs count down, names as the first asker spelled them.
    const want = expected.answers.map((r) => key(r, {ttl: false, foldCase: true})).sort()
    const have = got.map((r) => key(r, {ttl: false, foldCase: true})).sort()
    const ttlOk = got.every((r) => r.ttl <= (expected.answers[0]?.ttl ?? 0))
    if (expected.rcode === observed.rcode && want.join('|') === have.join('|') && ttlOk) return undefined
  } else {
    const want = expected.answers.map((r) => key(r)).sort()
    const have = got.map((r) => key(r)).sort()
    if (expected.rcode === observed.rcode && want.join('|') === have.join('|')) return undefined
  }
  return `expected ${describe(expected.rcode, expected.answers)}${expected.cached ? ' (cached)' : ''}, got ${describe(observed.rcode, got)}`
}

/** Asks every question with bounded concurrency. */
export async function askAll(server: DnsServer, questions: Question[], concurrency = 16): Promise<Map<string, ObservedReply>> {
  const out = new Map<string, ObservedReply>()
  let next = 0
  const worker = async () => {
    while (next < questions.length) {
      const q = questions[next++]
      // No answer at all is an answer too (and a disagreement unless kdisco expected none).
      out.set(`${q.name} ${q.type}`, await ask(server, q.name, q.type, {cd: q.cd}).catch((e: Error) => ({rcode: `no answer (${e.message})`, authoritative: false, truncated: false, answers: [], authority: []})))
    }
  }
  await Promise.all(Array.from({length: concurrency}, worker))
  return out
}
