// Direct queries from this machine to a DNS server you name (`--probe server --dns-server HOST[:PORT]`): UDP with
// EDNS0, TCP retry when the answer is truncated, per-query timeout and retries, bounded concurrency, one socket.
// A reply is taken only as dig takes it: the ID of a query in flight and the same question (name, type, class,
// case-insensitively); anything else is ignored, counted, and said in the probe's notes. Every read has a deadline:
// a TCP server that closes early or sends half a message is an error, not a wait.
import {createSocket, type Socket} from 'node:dgram'
import {Socket as TcpSocket} from 'node:net'
import type {Observed} from '../compare/verdict.js'
import type {ProbeQuestion} from './index.js'
import {answersQuestion, decodeReply, encodeQuery, observedReply, type Reply, takeTcpMessages, tcpFrame} from './wire.js'

export interface ServerProbeOptions {
  host: string
  port: number
  timeoutMs?: number
  retries?: number
  concurrency?: number
}

/** Replies that did not answer any query in flight, by why. */
export interface IgnoredReplies {
  /** Not a DNS message kdisco can read. */
  malformed: number
  /** A query's bit (QR clear), not a reply. */
  notReplies: number
  /** An ID no query in flight has. */
  unknownId: number
  /** The ID of a query in flight, but another question. */
  otherQuestion: number
}

export interface ServerProbeResult {
  observed: Observed[]
  ignored: IgnoredReplies
  /** The ignored replies in words, for the probe's notes (empty when none was ignored). */
  notes: string[]
}

function ignoredNotes(ignored: IgnoredReplies, via: string): string[] {
  const parts: string[] = []
  if (ignored.unknownId) parts.push(`${ignored.unknownId} with an ID no query had`)
  if (ignored.otherQuestion) parts.push(`${ignored.otherQuestion} with a query's ID but another question`)
  if (ignored.malformed) parts.push(`${ignored.malformed} malformed`)
  if (ignored.notReplies) parts.push(`${ignored.notReplies} not marked as replies`)
  if (parts.length === 0) return []
  const total = ignored.unknownId + ignored.otherQuestion + ignored.malformed + ignored.notReplies
  return [`${via}: ignored ${total} ${total === 1 ? 'message' : 'messages'} that answered no question asked (${parts.join(', ')}), as dig does`]
}

/** A fresh random 16-bit query ID. */
const randomId = () => Math.floor(Math.random() * 0x10000)

/**
 * One question over TCP, within one deadline for connecting, sending and reading. Replies with another ID or
 * question are ignored (counted) until the right one arrives; a connection closed before it is an error.
 */
function queryTcp(q: ProbeQuestion, options: ServerProbeOptions, ignored: IgnoredReplies): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = new TcpSocket()
    const id = randomId()
    let buf: Buffer = Buffer.alloc(0)
    let settled = false
    const finish = (error: Error | undefined, reply?: Reply) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      sock.destroy()
      if (error) reject(error)
      else resolve(reply!)
    }
    const timer = setTimeout(() => finish(new Error('timeout')), options.timeoutMs ?? 2000)
    sock.on('data', (chunk) => {
      const {messages, rest} = takeTcpMessages(buf.length === 0 ? chunk : Buffer.concat([buf, chunk]))
      buf = rest
      for (const message of messages) {
        let reply: Reply
        try {
          reply = decodeReply(message)
        } catch (error) {
          return finish(new Error(`malformed reply over TCP: ${(error as Error).message}`))
        }
        if (!reply.response) ignored.notReplies++
        else if (reply.id !== id) ignored.unknownId++
        else if (!answersQuestion(reply, q.name, q.type)) ignored.otherQuestion++
        else return finish(undefined, reply)
      }
    })
    // The server hung up before the answer was complete: that is an answer of its own, now.
    sock.on('end', () => {
      const expected = buf.length >= 2 ? buf.readUInt16BE(0) : undefined
      finish(new Error(buf.length === 0 ? 'the server closed the TCP connection without answering' : `the server closed the TCP connection in the middle of a message (${buf.length - 2 < 0 ? 0 : buf.length - 2} of ${expected ?? '?'} octets)`))
    })
    sock.on('close', () => finish(new Error('the server closed the TCP connection without answering')))
    sock.on('error', (e) => finish(e))
    sock.connect(options.port, options.host, () => {
      try {
        sock.write(tcpFrame(encodeQuery(q.name, q.type, id)))
      } catch (error) {
        finish(error as Error)
      }
    })
  })
}

/** Asks every question; answers come back in the same order. Never throws for a single failed question. */
export async function probeServer(questions: ProbeQuestion[], options: ServerProbeOptions): Promise<ServerProbeResult> {
  const via = `server ${options.host}:${options.port}`
  const timeoutMs = options.timeoutMs ?? 2000
  const retries = options.retries ?? 2
  const ignored: IgnoredReplies = {malformed: 0, notReplies: 0, unknownId: 0, otherQuestion: 0}
  // 50 in flight: as fast as 100 against NSD on loopback, while 250 already overflow its socket buffer (dropped
  // queries wait for a retry); a DNS server shared with a cluster deserves the headroom.
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 50, 1000))
  const family = options.host.includes(':') ? 'udp6' : 'udp4'
  const socket: Socket = createSocket(family)
  const pending = new Map<number, {q: ProbeQuestion; resolve: (reply: Reply) => void; reject: (error: Error) => void; timer: NodeJS.Timeout}>()
  const settle = (id: number) => {
    const waiter = pending.get(id)
    if (waiter) {
      clearTimeout(waiter.timer)
      pending.delete(id)
    }
    return waiter
  }
  socket.on('message', (msg) => {
    let reply: Reply
    try {
      reply = decodeReply(msg)
    } catch {
      ignored.malformed++ // its question times out and is retried
      return
    }
    if (!reply.response) return void ignored.notReplies++
    const waiter = pending.get(reply.id)
    if (!waiter) return void ignored.unknownId++
    // Another question under this ID (a spoofed or stale reply): the query keeps waiting for its own.
    if (!answersQuestion(reply, waiter.q.name, waiter.q.type)) return void ignored.otherQuestion++
    settle(reply.id)?.resolve(reply)
  })
  // A connected socket hears the server's ICMP "port unreachable" as ECONNREFUSED: every waiting question fails
  // now (and is retried) instead of waiting for its timeout.
  socket.on('error', (error) => {
    for (const id of [...pending.keys()]) settle(id)?.reject(error)
  })
  // Connected: the kernel drops datagrams from anyone but the server, and sends need no address lookup. Node hands
  // a failed connect (a host name that does not resolve) to the callback, not to 'error'.
  const connectError = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    socket.connect(options.port, options.host, ((error?: NodeJS.ErrnoException) => resolve(error)) as () => void)
  })
  if (connectError) {
    socket.close()
    const error = `${connectError.code ?? connectError.message} from ${options.host}:${options.port}`
    return {observed: questions.map(() => ({rcode: null, answers: [], via, error})), ignored, notes: []}
  }
  let nextId = randomId()
  const freshId = () => {
    do nextId = (nextId + 1) & 0xffff
    while (pending.has(nextId))
    return nextId
  }
  const askUdp = (q: ProbeQuestion) =>
    new Promise<Reply>((resolve, reject) => {
      const id = freshId()
      const message = encodeQuery(q.name, q.type, id)
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error('timeout'))
      }, timeoutMs)
      pending.set(id, {q, resolve, reject, timer})
      socket.send(message)
    })
  const ask = async (q: ProbeQuestion): Promise<Observed> => {
    let lastError = ''
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        let reply = await askUdp(q)
        // Truncated: ask again over TCP.
        if (reply.truncated) reply = await queryTcp(q, {...options, timeoutMs}, ignored)
        return observedReply(reply, via)
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
  return {observed: results, ignored, notes: ignoredNotes(ignored, via)}
}
