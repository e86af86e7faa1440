// Record and answer types shared by the model, the resolver emulation and the renderers. Plain data.

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED'

export const QUERY_TYPES = ['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'TXT', 'SOA', 'NS', 'MX', 'ANY'] as const
export type QueryType = (typeof QUERY_TYPES)[number]

export interface ResourceRecord {
  /** Absolute owner name with the trailing dot, spelled as asked. */
  name: string
  type: string
  ttl: number
  /** A/AAAA: the address (RFC 5952 for IPv6); SRV: `priority weight port target.`; CNAME/PTR/NS: target with the dot; TXT: unquoted text. */
  data: string
}

export interface DnsAnswer {
  /** null when cluster DNS does not answer this itself (forwarded upstream): kdisco does not predict it. */
  rcode: Rcode | null
  answers: ResourceRecord[]
  /** The question leaves the cluster's zones (or falls through) and is answered by upstream DNS. */
  forwarded?: boolean
  /** One-line explanations of why the answer is what it is. */
  notes?: string[]
}

/** RFC 4034 canonical name order as a plain string key: labels right to left, NUL-separated (sorts before any label byte). */
export function canonicalKey(name: string): string {
  return name.toLowerCase().replace(/\.$/, '').split('.').reverse().join('\u0000')
}

const TYPE_ORDER = ['SOA', 'NS', 'A', 'AAAA', 'CNAME', 'SRV', 'PTR', 'TXT', 'MX']

/** Records in canonical zone order (name, then type, then data); keys are computed once per record. */
export function sortRecords(records: ResourceRecord[]): ResourceRecord[] {
  // Records of one name usually come together: reuse the last key.
  let lastName = ''
  let lastKey = ''
  const keyed = records.map((r) => {
    if (r.name !== lastName) (lastName = r.name), (lastKey = canonicalKey(r.name))
    return {r, k: lastKey, t: TYPE_ORDER.indexOf(r.type)}
  })
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.t - b.t || (a.r.data < b.r.data ? -1 : a.r.data > b.r.data ? 1 : 0)))
  return keyed.map((x) => x.r)
}
