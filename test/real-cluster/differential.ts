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

/**
 * What the upstream is asked to judge a forwarded expectation: the question the route says went upstream (rewritten,
 * a CNAME's target), else the target of kdisco's own CNAME, else the question.
 */
export function upstreamQuestion(expected: DnsAnswer, q: Question): Question {
  if (expected.route?.upstreamQuestion) return expected.route.upstreamQuestion
  const cname = [...expected.answers].reverse().find((r) => r.type === 'CNAME')
  return cname ? {name: cname.data, type: q.type} : q
}

/**
 * Upstream's records as the client gets them back: a name rewrite with `answer auto` (exact rules always) maps the
 * rewritten name back to the asked one, lower-cased (rewrite/name.go remapStringRewriter).
 */
export function asClientSees(expected: DnsAnswer, q: Question, records: ObservedRecord[]): ObservedRecord[] {
  // The rule maps the name it produced (route.rewritten) back, not whatever else went upstream (a CNAME's target).
  const to = expected.route?.rewritten?.split(' ')[0].toLowerCase()
  const asked = q.name.toLowerCase()
  if (!to || to === asked) return records
  const back = (n: string) => (n === to ? asked : n.endsWith('.' + to) ? n.slice(0, n.length - to.length) + asked : n)
  return records.map((r) => ({...r, name: back(r.name.toLowerCase())}))
}

/**
 * autopath's reply from upstream: kdisco's own records, then upstream's, with a CNAME from the asked name to the first
 * record another name owns put in front (autopath/cname.go cnamer), if any is.
 */
function autopathReply(asked: string, own: Rr[], upstream: Rr[]): Rr[] {
  const all = [...own, ...upstream]
  const other = all.find((r) => r.name.toLowerCase() !== asked.toLowerCase())
  return other ? [{name: asked, type: 'CNAME', ttl: other.ttl, data: other.name}, ...all] : all
}

/**
 * How `expected` (kdisco) and `observed` (CoreDNS) differ, or undefined when they agree. Answers are sets (order is
 * loadbalance's); owner names and data are compared exactly as written (case included) and TTLs must be equal —
 * except where kdisco says the answer may come from CoreDNS's cache (TTL at most the expected one, spelling of the
 * first asker). A forwarded expectation agrees when CoreDNS relayed what the upstream answers (`upstream`, asked
 * for upstreamQuestion()), after the records kdisco predicts itself (an ExternalName's CNAME).
 */
export function difference(expected: DnsAnswer, observed: ObservedReply, upstream?: ObservedReply, question?: Question): string | undefined {
  const got = observed.answers
  if (expected.forwarded) {
    if (!upstream) return undefined
    if (question) upstream = {...upstream, answers: asClientSees(expected, question, upstream.answers)}
    if (question && expected.route?.autopath?.answeredBy) {
      // One list, duplicates kept: cnamer may repeat a CNAME kdisco's own records already hold.
      // When kdisco's own records already leave the asked name, kdisco put cnamer's CNAME in front itself.
      const done = expected.answers.some((r) => r.name.toLowerCase() !== question.name.toLowerCase())
      const reply = done ? [...expected.answers, ...upstream.answers] : autopathReply(question.name, expected.answers, upstream.answers)
      const want = reply.map((r) => key(r, {ttl: false, foldCase: true})).sort()
      const have = got.map((r) => key(r, {ttl: false, foldCase: true})).sort()
      const rcode = expected.answers.length > 0 ? (expected.rcode ?? 'NOERROR') : upstream.rcode
      if (observed.rcode === rcode && want.join('|') === have.join('|')) return undefined
      return `expected autopath's reply from upstream (${describe(rcode, want.map((k) => ({name: k, type: '', ttl: 0, data: ''})))}), got ${describe(observed.rcode, got)}`
    }
    const own = expected.answers
    const ownGot = got.filter((r) => own.some((e) => key(e, {ttl: false, foldCase: true}) === key(r, {ttl: false, foldCase: true})))
    const rest = got.filter((r) => !ownGot.includes(r))
    // With records of its own CoreDNS answers NOERROR whatever the upstream said (backend_lookup.go A).
    // kdisco's own records (a CNAME) make it NOERROR, unless the plugin that wrote them set an rcode (a template's).
    const rcode = own.length > 0 ? (expected.rcode ?? 'NOERROR') : upstream.rcode
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
export async function askAll(server: DnsServer, questions: Question[], concurrency = 16, from?: string): Promise<Map<string, ObservedReply>> {
  const out = new Map<string, ObservedReply>()
  let next = 0
  const worker = async () => {
    while (next < questions.length) {
      const q = questions[next++]
      // No answer at all is an answer too (and a disagreement unless kdisco expected none).
      out.set(`${q.name} ${q.type}`, await ask(server, q.name, q.type, {cd: q.cd, from}).catch((e: Error) => ({rcode: `no answer (${e.message})`, authoritative: false, truncated: false, answers: [], authority: []})))
    }
  }
  await Promise.all(Array.from({length: concurrency}, worker))
  return out
}

/**
 * Names a test Corefile treats specially (rewrite triggers, hosts entries, templates, stub domains), each asked for
 * every type, for a state's namespaces and Services.
 */
export function corefileQuestions(corefile: string, services: {name: string; namespace: string}[]): Question[] {
  const names: string[] = []
  const some = services.slice(0, 12)
  switch (corefile) {
    case 'aks':
      for (const s of some) names.push(`${s.name}.${s.namespace}.corp.internal.`)
      names.push('nope.corp.internal.', 'db.stub.internal.', 'alias.stub.internal.', 'missing.stub.internal.', 'stub.internal.')
      break
    case 'k3s':
      names.push('kwok-node-0.', 'kwok-node-1.', 'KWOK-Node-1.', 'kwok-node-2.', 'kwok-node-0.cluster.local.', '10.49.168.192.in-addr.arpa.', '11.49.168.192.in-addr.arpa.', '1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.9.4.0.0.0.0.d.f.ip6.arpa.')
      break
    case 'rewrite':
      for (const s of some) names.push(`${s.name}.${s.namespace}.svc.corp.example.`, `${s.name}.${s.namespace}.apps.example.`, `${s.name}.${s.namespace}.svc.alias.internal.`)
      for (const ns of new Set(some.map((s) => s.namespace))) names.push(`legacy.${ns}.svc.cluster.local.`, `legacy.nope.${ns}.svc.cluster.local.`)
      names.push('upstream-api.cluster.local.', 'Upstream-API.cluster.local.', 'nope.svc.corp.example.', 'x.y.apps.example.')
      break
    case 'template-hosts':
      for (const s of some) names.push(`${s.name}.${s.namespace}.tmpl.internal.`)
      names.push('nomatch.tmpl.internal.', 'a.b.c.tmpl.internal.', 'tmpl.internal.', 'static.internal.', 'Static-Alias.internal.', 'x.wild.internal.', 'a.b.wild.internal.', 'wild.internal.', 'web.hosts-override.svc.cluster.local.', 'localhost.', 'ip6-localhost.', 'api.example.org.', 'www.example.org.', '80.2.0.192.in-addr.arpa.', '1.0.0.127.in-addr.arpa.', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.')
      break
    case 'stub-domain':
      names.push('db.stub.internal.', 'alias.stub.internal.', 'missing.stub.internal.', 'stub.internal.', 'DB.Stub.internal.')
      break
  }
  return names.flatMap((name) => QUESTION_TYPES.map((type) => ({name, type})))
}
