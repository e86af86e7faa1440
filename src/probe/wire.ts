// DNS messages on the wire (RFC 1035 §4, EDNS0 from RFC 6891): the one query kdisco sends and the part of a reply
// it reads (header, answers). Written for the probe's hot path: one pass over the bytes, no object per section.
import type {Observed} from '../compare/verdict.js'
import {formatIPv6} from '../dns/ip.js'
import {type ResourceRecord, TYPE_CODES, typeCode} from '../dns/records.js'

const TYPE_NAMES = new Map(Object.entries(TYPE_CODES).map(([name, code]) => [code, name]))
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE']
const OPT = TYPE_CODES.OPT
/** The UDP payload size kdisco advertises: the DNS Flag Day 2020 value, safe from IP fragmentation. */
export const EDNS_PAYLOAD = 1232

/** A question of a message: name (presentation form, no trailing dot), type and class codes. */
export interface Question {
  name: string
  type: number
  class: number
}

/** A reply's header facts, its question section and its answer section, names absolute with the trailing dot. */
export interface Reply {
  id: number
  /** The question section as the server echoed it (dig matches replies to queries by it). */
  questions: Question[]
  /** QR: a reply, not a query. */
  response: boolean
  /** TC: the answer did not fit; ask again over TCP. */
  truncated: boolean
  rcode: string
  answers: ResourceRecord[]
}

/** The query every probe sends: recursion desired, one question of class IN, EDNS0 with a 1232-byte payload. */
export function encodeQuery(name: string, type: string, id: number): Buffer {
  const code = typeCode(type)
  if (code === undefined) throw new Error(`cannot ask for record type ${type}`)
  const text = name.endsWith('.') ? name.slice(0, -1) : name
  // The name's text goes in one copy one octet to the right; each dot then becomes the length of the label after it.
  const textLength = Buffer.byteLength(text)
  const nameLength = text === '' ? 1 : textLength + 2
  const invalid = () => new Error(`"${name}" is not a valid DNS name (labels of 1 to 63 octets, 255 in all)`)
  if (nameLength > 255) throw invalid()
  const buf = Buffer.alloc(12 + nameLength + 4 + 11)
  buf.writeUInt16BE(id & 0xffff, 0)
  buf.writeUInt16BE(0x0100, 2) // RD
  buf.writeUInt16BE(1, 4) // QDCOUNT
  buf.writeUInt16BE(1, 10) // ARCOUNT: the OPT record
  if (text !== '') {
    buf.write(text, 13)
    let lengthAt = 12
    for (let i = 13; i <= 13 + textLength; i++) {
      if (i < 13 + textLength && buf[i] !== 46) continue
      const length = i - lengthAt - 1
      if (length === 0 || length > 63) throw invalid()
      buf[lengthAt] = length
      lengthAt = i
    }
  }
  // The root label (0) is already there; then type, class IN and the OPT record: root owner, type 41, class =
  // payload size, TTL = extended rcode/version/flags 0, no options.
  const at = 12 + nameLength
  buf.writeUInt16BE(code, at)
  buf.writeUInt16BE(1, at + 2)
  buf.writeUInt16BE(OPT, at + 5)
  buf.writeUInt16BE(EDNS_PAYLOAD, at + 7)
  return buf
}

interface Name {
  /** Presentation form without the trailing dot; "." and "\\" inside a label are escaped. */
  name: string
  /** Octets on the wire, uncompressed, for the 255-octet limit. */
  octets: number
  /** Where the name ends at the place it was read (after its pointer, if any). */
  end: number
}

/**
 * Reads a possibly compressed name at `at`. Pointers may only point backwards (RFC 1035 §4.1.4), so every name
 * decodes in bounded steps; `suffixes` remembers each name a pointer led to, since a reply with 500 records points
 * 500 times at the question's name.
 */
function readName(buf: Buffer, at: number, suffixes: Map<number, Name>): Name {
  const start = at
  let name = ''
  let octets = 1
  for (;;) {
    if (at >= buf.length) throw new Error('DNS name runs past the end of the message')
    const len = buf[at]
    if (len === 0) return {name, octets, end: at + 1}
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= buf.length) throw new Error('DNS name pointer runs past the end of the message')
      const target = ((len & 0x3f) << 8) | buf[at + 1]
      if (target >= start) throw new Error('DNS name pointer does not point backwards')
      let suffix = suffixes.get(target)
      if (!suffix) suffixes.set(target, (suffix = readName(buf, target, suffixes)))
      octets += suffix.octets - 1
      if (octets > 255) throw new Error('DNS name longer than 255 octets')
      return {name: name === '' ? suffix.name : suffix.name === '' ? name : `${name}.${suffix.name}`, octets, end: at + 2}
    }
    if ((len & 0xc0) !== 0) throw new Error('DNS name has a label of an unknown kind')
    if (at + 1 + len > buf.length) throw new Error('DNS label runs past the end of the message')
    octets += len + 1
    if (octets > 255) throw new Error('DNS name longer than 255 octets')
    let label = buf.toString('utf8', at + 1, at + 1 + len)
    if (label.includes('.') || label.includes('\\')) label = label.replace(/[.\\]/g, '\\$&')
    name = name === '' ? label : `${name}.${label}`
    at += 1 + len
  }
}

const absolute = (name: string) => `${name}.`

function readData(buf: Buffer, type: number, at: number, length: number, suffixes: Map<number, Name>): string {
  const end = at + length
  switch (type) {
    case 1:
      if (length !== 4) throw new Error('A record data is not 4 octets')
      return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`
    case 28:
      if (length !== 16) throw new Error('AAAA record data is not 16 octets')
      return formatIPv6([...buf.subarray(at, end)])
    case 2:
    case 5:
    case 12:
      return absolute(readName(buf, at, suffixes).name)
    case 15:
      if (length < 3) throw new Error('MX record data too short')
      return `${buf.readUInt16BE(at)} ${absolute(readName(buf, at + 2, suffixes).name)}`
    case 33:
      if (length < 7) throw new Error('SRV record data too short')
      return `${buf.readUInt16BE(at)} ${buf.readUInt16BE(at + 2)} ${buf.readUInt16BE(at + 4)} ${absolute(readName(buf, at + 6, suffixes).name)}`
    case 16: {
      // Character-strings, joined: how kdisco compares TXT data.
      let text = ''
      for (let i = at; i < end; ) {
        const n = buf[i]
        if (i + 1 + n > end) throw new Error('TXT string runs past its record')
        text += buf.toString('utf8', i + 1, i + 1 + n)
        i += 1 + n
      }
      return text
    }
    case 6: {
      const mname = readName(buf, at, suffixes)
      const rname = readName(buf, mname.end, suffixes)
      if (rname.end + 20 > end) throw new Error('SOA record data too short')
      const n = (i: number) => buf.readUInt32BE(rname.end + 4 * i)
      return `${absolute(mname.name)} ${absolute(rname.name)} ${n(0)} ${n(1)} ${n(2)} ${n(3)} ${n(4)}`
    }
    default:
      return buf.toString('hex', at, end)
  }
}

/** Decodes a reply's header and answer section; throws an Error for a malformed message. */
export function decodeReply(buf: Buffer): Reply {
  if (buf.length < 12) throw new Error('DNS message shorter than its header')
  const flags = buf.readUInt16BE(2)
  const questions = buf.readUInt16BE(4)
  const count = buf.readUInt16BE(6)
  const suffixes = new Map<number, Name>()
  let at = 12
  const asked: Question[] = []
  for (let i = 0; i < questions; i++) {
    const qname = readName(buf, at, suffixes)
    at = qname.end + 4
    if (at > buf.length) throw new Error('DNS question runs past the end of the message')
    asked.push({name: qname.name, type: buf.readUInt16BE(at - 4), class: buf.readUInt16BE(at - 2)})
  }
  const answers: ResourceRecord[] = []
  for (let i = 0; i < count; i++) {
    const owner = readName(buf, at, suffixes)
    at = owner.end
    if (at + 10 > buf.length) throw new Error('DNS record header runs past the end of the message')
    const type = buf.readUInt16BE(at)
    const ttl = buf.readUInt32BE(at + 4)
    const length = buf.readUInt16BE(at + 8)
    at += 10
    if (at + length > buf.length) throw new Error('DNS record data runs past the end of the message')
    if (type !== OPT) answers.push({name: absolute(owner.name), type: TYPE_NAMES.get(type) ?? `TYPE${type}`, ttl, data: readData(buf, type, at, length, suffixes)})
    at += length
  }
  const rcode = flags & 0xf
  return {id: buf.readUInt16BE(0), questions: asked, response: (flags & 0x8000) !== 0, truncated: (flags & 0x0200) !== 0, rcode: RCODES[rcode] ?? `RCODE_${rcode}`, answers}
}

/**
 * Whether a reply answers the query for `name`/`type`, as dig decides: QR set, and every question it echoes is
 * that name (case-insensitively), that type and class IN. A reply without a question section (some servers'
 * FORMERR) is taken on its ID alone, as dig takes it. The ID is the caller's to match.
 */
export function answersQuestion(reply: Reply, name: string, type: string): boolean {
  if (!reply.response) return false
  const code = typeCode(type)
  const wanted = name.replace(/\.$/, '').toLowerCase()
  for (const q of reply.questions) if (q.type !== code || q.class !== 1 || q.name.toLowerCase() !== wanted) return false
  return true
}

/** A reply as the comparison sees it. */
export function observedReply(reply: Reply, via: string): Observed {
  return {rcode: reply.rcode, answers: reply.answers, via}
}

/** DNS over TCP prefixes each message with its 2-byte length. */
export function tcpFrame(message: Buffer): Buffer {
  const framed = Buffer.alloc(2 + message.length)
  framed.writeUInt16BE(message.length)
  message.copy(framed, 2)
  return framed
}

/** The complete messages at the head of a TCP byte stream, and the bytes left over. */
export function takeTcpMessages(buffer: Buffer): {messages: Buffer[]; rest: Buffer} {
  const messages: Buffer[] = []
  while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
    messages.push(buffer.subarray(2, 2 + buffer.readUInt16BE(0)))
    buffer = buffer.subarray(2 + buffer.readUInt16BE(0))
  }
  return {messages, rest: buffer}
}
