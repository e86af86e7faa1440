// Direct queries from this machine to a DNS server you name (`--probe server --dns-server HOST[:PORT]`): UDP with
// EDNS0, TCP retry when the answer is truncated, per-query timeout and retries, bounded concurrency, one socket.
import {createSocket, type Socket} from 'node:dgram'
import {Socket as TcpSocket} from 'node:net'
import dnsPacket from 'dns-packet'
import type {Observed} from '../compare/verdict.js'
import {canonicalIp} from '../dns/ip.js'
import type {ResourceRecord} from '../dns/records.js'
import type {ProbeQuestion} from './index.js'


export interface ServerProbeOptions {
  host: string
  port: number
  timeoutMs?: number
  retries?: number
  concurrency?: number
}

type Answer = dnsPacket.Answer & {data?: unknown; ttl?: number}

function recordData(a: Answer): string {
  const d = a.data as unknown
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return canonicalIp(String(d)) ?? String(d)
    case 'SRV': {
      const s = d as {priority?: number; weight?: number; port: number; target: string}
      return `${s.priority ?? 0} ${s.weight ?? 0} ${s.port} ${s.target.replace(/\.?$/, '.')}`
    }
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return String(d).replace(/\.?$/, '.')
    case 'TXT':
      return (Array.isArray(d) ? d : [d]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).join('')
    case 'SOA': {
      const s = d as {mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number}
      return `${s.mname}. ${s.rname}. ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`
    }
    default:
      return Buffer.isBuffer(d) ? d.toString('hex') : JSON.stringify(d)
  }
}

function toObserved(packet: dnsPacket.Packet & {rcode?: string}, via: string): Observed {
  const answers: ResourceRecord[] = ((packet.answers ?? []) as Answer[])
    .filter((a) => a.type !== 'OPT')
    .map((a) => ({name: a.name.replace(/\.?$/, '.'), type: a.type, ttl: a.ttl ?? 0, data: recordData(a)}))
  return {rcode: packet.rcode ?? 'NOERROR', answers, via}
}

/** Decodes one DNS reply into an observation; throws an Error for a malformed packet. */
export function decodeReply(buf: Buffer, via: string): Observed {
  return toObserved(dnsPacket.decode(buf) as dnsPacket.Packet & {rcode?: string}, via)
}

/** The query every probe sends: recursion desired, EDNS0 with a 1232-byte payload. */
export function queryPacket(q: ProbeQuestion, id: number): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{type: q.type as dnsPacket.RecordType, name: q.name.replace(/\.$/, ''), class: 'IN'}],
    additionals: [{type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0} as unknown as dnsPacket.Answer],
  })
}

/** DNS over TCP prefixes each message with its 2-byte length. */
export function tcpFrame(message: Buffer): Buffer {
  const len = Buffer.alloc(2)
  len.writeUInt16BE(message.length)
  return Buffer.concat([len, message])
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

/** One question over TCP. */
export function queryTcp(q: ProbeQuestion, options: ServerProbeOptions): Promise<dnsPacket.Packet & {rcode?: string}> {
  return new Promise((resolve, reject) => {
    const sock = new TcpSocket()
    let buf: Buffer = Buffer.alloc(0)
    const timer = setTimeout(() => sock.destroy(new Error('timeout')), options.timeoutMs ?? 2000)
    sock.on('data', (chunk) => {
      const {messages, rest} = takeTcpMessages(Buffer.concat([buf, chunk]))
      buf = rest
      if (messages.length === 0) return
      clearTimeout(timer)
      sock.end()
      try {
        resolve(dnsPacket.decode(messages[0]) as dnsPacket.Packet & {rcode?: string})
      } catch (error) {
        reject(error)
      }
    })
    sock.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    sock.connect(options.port, options.host, () => sock.write(tcpFrame(queryPacket(q, 1))))
  })
}

/** Asks every question; answers come back in the same order. Never throws for a single failed question. */
export async function probeServer(questions: ProbeQuestion[], options: ServerProbeOptions): Promise<Observed[]> {
  const via = `server ${options.host}:${options.port}`
  const timeoutMs = options.timeoutMs ?? 2000
  const retries = options.retries ?? 2
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 100, 1000))
  const family = options.host.includes(':') ? 'udp6' : 'udp4'
  const socket: Socket = createSocket(family)
  const pending = new Map<number, (packet: dnsPacket.Packet & {rcode?: string}) => void>()
  socket.on('message', (msg) => {
    try {
      const packet = dnsPacket.decode(msg) as dnsPacket.Packet & {rcode?: string}
      if (packet.type !== 'response') return
      pending.get(packet.id ?? -1)?.(packet)
    } catch {
      // A malformed datagram is ignored; its question times out and is retried.
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(0, () => resolve())
  })
  let nextId = Math.floor(Math.random() * 0xffff)
  const freshId = () => {
    do nextId = (nextId + 1) & 0xffff
    while (pending.has(nextId))
    return nextId
  }
  const askUdp = (q: ProbeQuestion) =>
    new Promise<dnsPacket.Packet & {rcode?: string}>((resolve, reject) => {
      const id = freshId()
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error('timeout'))
      }, timeoutMs)
      pending.set(id, (packet) => {
        clearTimeout(timer)
        pending.delete(id)
        resolve(packet)
      })
      socket.send(queryPacket(q, id), options.port, options.host, (err) => {
        if (err) {
          clearTimeout(timer)
          pending.delete(id)
          reject(err)
        }
      })
    })
  const ask = async (q: ProbeQuestion): Promise<Observed> => {
    let lastError = ''
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        let packet = await askUdp(q)
        // Truncated: ask again over TCP.
        if ((packet as {flag_tc?: boolean}).flag_tc) packet = await queryTcp(q, options)
        return toObserved(packet, via)
      } catch (error) {
        lastError = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }
    }
    return {rcode: null, answers: [], via, error: lastError === 'timeout' ? `no answer from ${options.host}:${options.port} within ${timeoutMs} ms (${retries + 1} tries)` : `${lastError} from ${options.host}:${options.port}`}
  }
  const results: Observed[] = new Array(questions.length)
  let next = 0
  const worker = async () => {
    while (next < questions.length) {
      const i = next++
      results[i] = await ask(questions[i])
    }
  }
  try {
    await Promise.all(Array.from({length: Math.min(concurrency, questions.length)}, worker))
  } finally {
    socket.close()
  }
  return results
}
