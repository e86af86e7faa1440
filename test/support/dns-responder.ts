// A small DNS server a test scripts, on one UDP and one TCP port: for hostile and broken answers (wrong IDs, other
// questions, truncation, TCP connections closed early or half a frame sent, garbage). Replies are built with
// dns-packet, an implementation independent of kdisco's codec.
import {createSocket, type Socket as UdpSocket} from 'node:dgram'
import {createServer, type Server, type Socket} from 'node:net'
import dnsPacket from 'dns-packet'

export interface Query {
  id: number
  name: string
  type: string
}

/** Decodes a query kdisco sent (its first question). */
export function readQuery(buf: Buffer): Query {
  const q = dnsPacket.decode(buf)
  return {id: q.id ?? 0, name: q.questions?.[0]?.name ?? '', type: q.questions?.[0]?.type ?? 'A'}
}

export interface ReplyOptions {
  id?: number
  /** The question echoed: name, type, class; `questions: []` sends none. */
  name?: string
  type?: string
  class?: 'IN' | 'CH'
  questions?: []
  answers?: {name?: string; type?: 'A'; data: string}[]
  truncated?: boolean
  response?: boolean
  rcode?: 'NOERROR' | 'NXDOMAIN' | 'FORMERR'
}

/** A reply to `q`, spoiled as the options say. */
export function reply(q: Query, o: ReplyOptions = {}): Buffer {
  const name = o.name ?? q.name
  const flags = (o.truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | dnsPacket.AUTHORITATIVE_ANSWER | {NOERROR: 0, FORMERR: 1, NXDOMAIN: 3}[o.rcode ?? 'NOERROR']
  return dnsPacket.encode({
    type: o.response === false ? 'query' : 'response',
    id: o.id ?? q.id,
    flags,
    questions: o.questions ?? [{name, type: (o.type ?? q.type) as 'A', class: o.class ?? 'IN'}],
    answers: (o.answers ?? []).map((a) => ({name: a.name ?? name, type: 'A' as const, ttl: 30, data: a.data})),
  } as dnsPacket.Packet)
}

/** The 2-byte length prefix of DNS over TCP. */
export function frame(message: Buffer): Buffer {
  const len = Buffer.alloc(2)
  len.writeUInt16BE(message.length)
  return Buffer.concat([len, message])
}

export interface Responder {
  port: number
  udpQueries: number
  tcpConnections: number
  close(): Promise<void>
}

export interface Script {
  /** Called for each UDP query, with a way to answer it (any number of datagrams). */
  udp?: (query: Buffer, send: (datagram: Buffer) => void) => void
  /** Called for each TCP query (the first framed message of a connection) with the socket. */
  tcp?: (query: Buffer, socket: Socket) => void
  /** Called for every framed query of a connection (pipelined queries, as port-forward sends them). */
  tcpEach?: (query: Buffer, socket: Socket) => void
}

export async function startResponder(script: Script): Promise<Responder> {
  for (let attempt = 0; ; attempt++) {
    const server: Server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as {port: number}).port
    const udp: UdpSocket = createSocket('udp4')
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    if (!bound) {
      server.close()
      udp.close()
      if (attempt > 10) throw new Error('no free port pair')
      continue
    }
    const sockets = new Set<Socket>()
    const responder: Responder = {
      port,
      udpQueries: 0,
      tcpConnections: 0,
      close: async () => {
        for (const s of sockets) s.destroy()
        await new Promise<void>((r) => server.close(() => r()))
        await new Promise<void>((r) => udp.close(() => r()))
      },
    }
    udp.on('message', (msg, peer) => {
      responder.udpQueries++
      script.udp?.(msg, (datagram) => udp.send(datagram, peer.port, peer.address))
    })
    server.on('connection', (socket) => {
      responder.tcpConnections++
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
      let buf = Buffer.alloc(0)
      let asked = false
      socket.on('data', (d) => {
        buf = Buffer.concat([buf, d])
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const query = buf.subarray(2, 2 + buf.readUInt16BE(0))
          buf = buf.subarray(2 + query.length)
          if (!asked) script.tcp?.(query, socket)
          asked = true
          script.tcpEach?.(query, socket)
        }
      })
    })
    return responder
  }
}
