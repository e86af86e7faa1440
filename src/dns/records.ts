// Record and answer types shared by the model, the resolver emulation and the renderers. Plain data.
import type {Truncation} from './message-size.js'

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'FORMERR' | 'NOTIMP'

export const QUERY_TYPES = ['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'TXT', 'SOA', 'NS', 'MX', 'ANY'] as const
export type QueryType = (typeof QUERY_TYPES)[number]

/** IANA's codes of the record types one may ask about (the DNS parameters registry), beyond those kdisco models. */
export const TYPE_CODES: Readonly<Record<string, number>> = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, RP: 17, AFSDB: 18, AAAA: 28, LOC: 29, SRV: 33,
  NAPTR: 35, CERT: 37, DNAME: 39, OPT: 41, DS: 43, SSHFP: 44, IPSECKEY: 45, RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49,
  NSEC3: 50, NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53, HIP: 55, CDS: 59, CDNSKEY: 60, OPENPGPKEY: 61, CSYNC: 62,
  ZONEMD: 63, SVCB: 64, HTTPS: 65, SPF: 99, EUI48: 108, EUI64: 109, IXFR: 251, AXFR: 252, ANY: 255, URI: 256, CAA: 257,
}

/** A type's code from its mnemonic or RFC 3597's TYPEnnn; undefined when it is neither. */
export function typeCode(type: string): number | undefined {
  const upper = type.toUpperCase()
  if (Object.hasOwn(TYPE_CODES, upper)) return TYPE_CODES[upper]
  const generic = /^TYPE(\d{1,5})$/.exec(upper)
  return generic && Number(generic[1]) <= 0xffff ? Number(generic[1]) : undefined
}

export interface ResourceRecord {
  /** Absolute owner name with the trailing dot, spelled as asked. */
  name: string
  type: string
  ttl: number
  /** A/AAAA: the address (RFC 5952 for IPv6); SRV: `priority weight port target.`; CNAME/PTR/NS: target with the dot; TXT: unquoted text. */
  data: string
}

/**
 * The way a question took through cluster DNS: the server block that got it and the plugins that acted on it in
 * CoreDNS's order (the last one answered), with what they changed or where they sent it.
 */
export interface Route {
  /** The server block's keys as the Corefile writes them, e.g. `.:53`. */
  server: string
  plugins: string[]
  /** The question as the plugins after `rewrite` saw it. */
  rewritten?: string
  /** Where a forwarded question went. */
  upstream?: string[]
  /** The question that went upstream (as asked, rewritten, a CNAME's target, an autopath candidate). */
  upstreamQuestion?: {name: string; type: string}
  /** autopath's server-side search: the names it tried and the one that answered. */
  autopath?: {searched: string[]; answeredBy?: string}
  /**
   * NodeLocal DNSCache in front of cluster DNS: its server block and plugins; the route above is CoreDNS's, or (alone)
   * NodeLocal's own when it did not ask cluster DNS.
   */
  nodeLocal?: {server: string; plugins: string[]; address?: string; alone?: boolean}
}

export interface DnsAnswer {
  /** null when cluster DNS does not answer this itself (forwarded upstream): kdisco does not predict it. */
  rcode: Rcode | null
  answers: ResourceRecord[]
  /** The question leaves the cluster's zones (or falls through) and is answered by upstream DNS. */
  forwarded?: boolean
  /** One-line explanations of why the answer is what it is. */
  notes?: string[]
  /** The answer does not fit in one DNS message: the server sends only the records that fit. */
  truncated?: Truncation
  /** CoreDNS's cache stores it: a repeated question may see lower TTLs and the first asker's spelling of names. */
  cached?: boolean
  /** Only these namespaces were read: other namespaces may add records to this (cluster-wide) answer. */
  partial?: {readNamespaces: string[]}
  /** Which server block and plugins answered (answers through the whole Corefile). */
  route?: Route
}

/** What a probed answer is compared against: an answer without its explanations. */
export type Expectation = Pick<DnsAnswer, 'rcode' | 'answers' | 'forwarded' | 'truncated' | 'cached' | 'partial'>

/** An answer's expectation; optional facts appear only when they hold, so JSON stays as small as the answer. */
export function expectation(a: Expectation): Expectation {
  const e: Expectation = {rcode: a.rcode, answers: a.answers}
  if (a.forwarded) e.forwarded = true
  if (a.truncated) e.truncated = a.truncated
  if (a.cached) e.cached = true
  if (a.partial) e.partial = a.partial
  return e
}

/**
 * RFC 4034 §6.1 canonical name order: labels compared right to left, each as ASCII-lowercased bytes, a name
 * before its children. Compares in place, without building keys (the zone listing sorts ~40 names per Service).
 */
export function compareNames(a: string, b: string): number {
  // Ends of the label being compared (exclusive); a trailing dot is not a label.
  let aEnd = a.endsWith('.') ? a.length - 1 : a.length
  let bEnd = b.endsWith('.') ? b.length - 1 : b.length
  while (aEnd > 0 && bEnd > 0) {
    const aStart = a.lastIndexOf('.', aEnd - 1) + 1
    const bStart = b.lastIndexOf('.', bEnd - 1) + 1
    const aLen = aEnd - aStart
    const bLen = bEnd - bStart
    const common = aLen < bLen ? aLen : bLen
    for (let i = 0; i < common; i++) {
      let x = a.charCodeAt(aStart + i)
      let y = b.charCodeAt(bStart + i)
      if (x >= 65 && x <= 90) x += 32
      if (y >= 65 && y <= 90) y += 32
      if (x !== y) return x - y
    }
    if (aLen !== bLen) return aLen - bLen
    aEnd = aStart - 1
    bEnd = bStart - 1
  }
  // The name with labels left over is the child: it sorts after its parent.
  return (aEnd > 0 ? 1 : 0) - (bEnd > 0 ? 1 : 0)
}

/**
 * One line for a report whose answers CoreDNS's cache stores (said once, not per answer): how long a pod may keep
 * seeing an answer after the cluster changed.
 */
export function cacheNote(cache: {successTtl: number; denialTtl: number}, answers: {cached?: boolean; answers: unknown[]}[]): string | undefined {
  const stored = answers.filter((a) => a.cached)
  if (stored.length === 0) return undefined
  const ttls = new Set(stored.map((a) => (a.answers.length > 0 ? cache.successTtl : cache.denialTtl)))
  const most = Math.max(...ttls)
  return `CoreDNS's cache plugin stores ${stored.length === answers.length ? 'these answers' : 'some of these answers ("cached" in JSON)'}: after a change, a pod may get the old answer for up to ${most} s (TTLs counting down)`
}
