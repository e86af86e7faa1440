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

/** Sort key parts for RFC 4034 canonical name order (labels compared right to left). */
export function canonicalCompare(a: string, b: string): number {
  const la = a.toLowerCase().replace(/\.$/, '').split('.').reverse()
  const lb = b.toLowerCase().replace(/\.$/, '').split('.').reverse()
  const n = Math.min(la.length, lb.length)
  for (let i = 0; i < n; i++) {
    if (la[i] !== lb[i]) return la[i] < lb[i] ? -1 : 1
  }
  return la.length - lb.length
}

const TYPE_ORDER = ['SOA', 'NS', 'A', 'AAAA', 'CNAME', 'SRV', 'PTR', 'TXT', 'MX']

export function compareRecords(a: ResourceRecord, b: ResourceRecord): number {
  return (
    canonicalCompare(a.name, b.name) ||
    TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) ||
    (a.data < b.data ? -1 : a.data > b.data ? 1 : 0)
  )
}
