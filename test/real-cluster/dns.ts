// Asks a real DNS server (CoreDNS, NSD) one question and returns its reply as records in kdisco's text form.
// Encoding and decoding use dns-packet, not kdisco's own wire codec: the differential tests must not share code
// with what they check.
import {createSocket} from 'node:dgram'
import {connect} from 'node:net'
import * as packet from 'dns-packet'

export interface DnsServer {
  host: string
  port: number
}

export interface ObservedRecord {
  name: string
  type: string
  ttl: number
  data: string
}

export interface ObservedReply {
  rcode: string
  authoritative: boolean
  truncated: boolean
  answers: ObservedRecord[]
  authority: ObservedRecord[]
}

/** Absolute, with one trailing dot. */
const abs = (name: string) => (name === '' || name === '.' ? '.' : `${name.replace(/\.$/, '')}.`)

/** The record's data as kdisco writes it (dig's presentation format, names absolute). */
export function recordData(r: packet.Answer): string {
  const d = (r as {data: unknown}).data as any
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return String(d)
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return abs(String(d))
    case 'SRV':
      return `${d.priority ?? 0} ${d.weight ?? 0} ${d.port} ${abs(d.target)}`
    case 'SOA':
      return `${abs(d.mname)} ${abs(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`
    case 'TXT':
      // kdisco writes TXT data unquoted.
      return (Array.isArray(d) ? d : [d]).map((s: Buffer | string) => (Buffer.isBuffer(s) ? s.toString('utf8') : s)).join(' ')
    case 'MX':
      return `${d.preference} ${abs(d.exchange)}`
    default:
      return Buffer.isBuffer(d) ? d.toString('hex') : JSON.stringify(d)
  }
}

function toRecord(r: packet.Answer): ObservedRecord {
  return {name: abs(r.name), type: r.type, ttl: (r as {ttl?: number}).ttl ?? 0, data: recordData(r)}
}

function decode(buf: Buffer): ObservedReply {
  const m = packet.decode(buf)
  const flags = m.flags ?? 0
  return {
    rcode: (m as {rcode?: string}).rcode ?? 'NOERROR',
    authoritative: (flags & packet.AUTHORITATIVE_ANSWER) !== 0,
    truncated: (flags & packet.TRUNCATED_RESPONSE) !== 0,
    answers: (m.answers ?? []).map(toRecord),
    authority: (m.authorities ?? []).map(toRecord),
  }
}

/** The question as the type dns-packet knows, or TYPEnnn for types it does not name. */
function encodeQuery(id: number, name: string, type: string, cd: boolean): Buffer {
  return packet.encode({
    type: 'query',
    id,
    flags: packet.RECURSION_DESIRED | (cd ? packet.CHECKING_DISABLED : 0),
    questions: [{name: name.replace(/\.$/, ''), type: type as packet.RecordType, class: 'IN'}],
    additionals: [{type: 'OPT', name: '.', udpPayloadSize: 4096, flags: 0} as packet.Answer],
  })
}

/**
 * One question over UDP (EDNS0, 4096 bytes), asked again over TCP when the reply is truncated. `cd` sets the CD bit,
 * which CoreDNS's cache keys on: a question with it never meets an answer cached for one without.
 */
export async function ask(server: DnsServer, name: string, type: string, options: {timeoutMs?: number; cd?: boolean; from?: string} = {}): Promise<ObservedReply> {
  const timeoutMs = options.timeoutMs ?? 3000
  const id = Math.floor(Math.random() * 65535)
  const query = encodeQuery(id, name, type, options.cd ?? false)
  const udp = await new Promise<Buffer>((resolve, reject) => {
    const sock = createSocket('udp4')
    const timer = setTimeout(() => {
      sock.close()
      reject(new Error(`no answer from ${server.host}:${server.port} for ${name} ${type} in ${timeoutMs} ms`))
    }, timeoutMs)
    sock.on('message', (msg) => {
      if (msg.length < 2 || msg.readUInt16BE(0) !== id) return
      clearTimeout(timer)
      sock.close()
      resolve(msg)
    })
    sock.on('error', (e) => {
      clearTimeout(timer)
      sock.close()
      reject(e)
    })
    // From a given address (a pod's, on the loopback interface): CoreDNS knows the asker by it (autopath).
    if (options.from) sock.bind({address: options.from, port: 0}, () => sock.send(query, server.port, server.host))
    else sock.send(query, server.port, server.host)
  })
  const reply = decode(udp)
  return reply.truncated ? decode(await askTcp(server, query, timeoutMs, options.from)) : reply
}

function askTcp(server: DnsServer, query: Buffer, timeoutMs: number, from?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({port: server.port, host: server.host, ...(from ? {localAddress: from} : {})})
    const framed = Buffer.alloc(query.length + 2)
    framed.writeUInt16BE(query.length, 0)
    query.copy(framed, 2)
    let got = Buffer.alloc(0)
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`TCP: no answer from ${server.host}:${server.port} in ${timeoutMs} ms`)))
    sock.on('connect', () => sock.write(framed))
    sock.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c])
      if (got.length >= 2 && got.length >= got.readUInt16BE(0) + 2) {
        sock.destroy()
        resolve(got.subarray(2, got.readUInt16BE(0) + 2))
      }
    })
    sock.on('error', reject)
    sock.on('close', () => reject(new Error('TCP: connection closed before a whole reply')))
  })
}
