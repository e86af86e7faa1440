// How big a reply is on the wire, and whether it fits in one DNS message at all. Pure.
//
// A DNS message is at most 65,535 octets, over TCP too (RFC 1035 §4.2.2: a two-octet length). A bigger answer, such
// as the SRV records of a headless Service with a few thousand endpoints, cannot be sent whole: CoreDNS (miekg/dns's
// Truncate) sends the records that fit and sets TC. Sizes follow RFC 1035's name compression the way servers apply
// it: owner names and the names inside NS, CNAME, PTR, MX and SOA data point back at earlier names; an SRV target
// is written out in full (RFC 2782, RFC 3597 §4); a pointer can only reach the first 16 KiB of a message.
import type {ResourceRecord} from './records.js'

const MAX_MESSAGE_OCTETS = 65535
const HEADER = 12
/** The EDNS0 OPT record a reply carries when the query had one (kdisco's probes, dig, glibc with edns0). */
const OPT_RECORD = 11
/** Fixed part of a resource record after its owner: type, class, TTL, data length. */
const RECORD_FIXED = 10
const POINTER_LIMIT = 0x4000

/** An answer too big for one DNS message: how many records it has, the octets it needs, and how many fit. */
export interface Truncation {
  records: number
  octets: number
  fit: number
}

/** Octets of one name at `offset`, remembering its suffixes for later pointers when it may be compressed. */
function nameOctets(name: string, offset: number, names: Map<string, number>, compress: boolean): number {
  const labels = name.replace(/\.$/, '').toLowerCase().split('.').filter((l) => l !== '')
  let octets = 0
  for (let i = 0; i < labels.length; i++) {
    const suffix = labels.slice(i).join('.')
    if (compress && names.has(suffix)) return octets + 2
    if (compress && offset + octets < POINTER_LIMIT) names.set(suffix, offset + octets)
    octets += 1 + Buffer.byteLength(labels[i])
  }
  return octets + 1
}

function dataOctets(r: ResourceRecord, offset: number, names: Map<string, number>): number {
  const fields = () => r.data.trim().split(/\s+/)
  switch (r.type) {
    case 'A':
      return 4
    case 'AAAA':
      return 16
    case 'SRV':
      return 6 + nameOctets(fields()[3] ?? '', offset + 6, names, false)
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return nameOctets(r.data, offset, names, true)
    case 'MX':
      return 2 + nameOctets(fields()[1] ?? '', offset + 2, names, true)
    case 'SOA': {
      const [mnameText = '', rnameText = ''] = fields()
      const mname = nameOctets(mnameText, offset, names, true)
      return mname + nameOctets(rnameText, offset + mname, names, true) + 20
    }
    case 'TXT': {
      // Character-strings of at most 255 octets, each with a length octet.
      const text = Buffer.byteLength(r.data)
      return text + Math.max(1, Math.ceil(text / 255))
    }
    default:
      return Math.ceil(r.data.length / 2)
  }
}

/** The octets of a reply to `question` carrying `answers`, and how many of them fit when it is too big. */
export function replySize(question: string, answers: ResourceRecord[]): {octets: number; fit: number} {
  const names = new Map<string, number>()
  let octets = HEADER
  octets += nameOctets(question, octets, names, true) + 4
  let fit = 0
  for (const r of answers) {
    const owner = nameOctets(r.name, octets, names, true)
    octets += owner + RECORD_FIXED
    octets += dataOctets(r, octets, names)
    if (octets + OPT_RECORD <= MAX_MESSAGE_OCTETS) fit++
  }
  return {octets: octets + OPT_RECORD, fit}
}

/** Why an answer that does not fit is cut, in one line. */
export function truncationNote(cut: Truncation): string {
  return `${cut.records} records need ${cut.octets} octets, more than one DNS message holds (65,535, over TCP too): CoreDNS sends the ${cut.fit} that fit, with TC set, and which ones is its choice`
}

/** Undefined when the answer fits in one message; else what is left out. */
export function truncation(question: string, answers: ResourceRecord[]): Truncation | undefined {
  // Cheap first: an upper bound on the uncompressed size settles nearly every answer without counting.
  let bound = HEADER + question.length + 6 + OPT_RECORD
  for (const r of answers) bound += r.name.length + 2 + RECORD_FIXED + (r.type === 'AAAA' ? 16 : 2 * r.data.length + 8)
  if (bound <= MAX_MESSAGE_OCTETS) return undefined
  const {octets, fit} = replySize(question, answers)
  return octets > MAX_MESSAGE_OCTETS ? {records: answers.length, octets, fit} : undefined
}
