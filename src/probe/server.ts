// Direct queries from this machine to a DNS server you name (`--probe server --dns-server HOST[:PORT]`): UDP with
// EDNS0, TCP retry when the answer is truncated, per-query timeout and retries, bounded concurrency, one socket.
import {createSocket, type Socket} from 'node:dgram'
import {Socket as TcpSocket} from 'node:net'
import type {Observed} from '../compare/verdict.js'
import type {ProbeQuestion} from './index.js'
import {decodeReply, encodeQuery, observedReply, type Reply, takeTcpMessages, tcpFrame} from './wire.js'

export interface ServerProbeOptions {
  host: string
  port: number
  timeoutMs?: number
  retries?: number
  concurrency?: number
}

/** One question over TCP. */
function queryTcp(q: ProbeQuestion, options: ServerProbeOptions): Promise<Reply> {
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
        resolve(decodeReply(messages[0]))
      } catch (error) {
        reject(error)
      }
    })
    sock.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    sock.connect(options.port, options.host, () => {
      try {
        sock.write(tcpFrame(encodeQuery(q.name, q.type, 1)))
      } catch (error) {
        clearTimeout(timer)
        sock.destroy()
        reject(error)
      }
    })
  })
}

/** Asks every question; answers come back in the same order. Never throws for a single failed question. */
export async function probeServer(questions: ProbeQuestion[], options: ServerProbeOptions): Promise<Observed[]> {
  const via = `server ${options.host}:${options.port}`
  const timeoutMs = options.timeoutMs ?? 2000
  const retries = options.retries ?? 2
  // 50 in flight: as fast as 100 against NSD on loopback, while 250 already overflow its socket buffer (dropped
  // queries wait for a retry); a DNS server shared with a cluster deserves the headroom.
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 50, 1000))
  const family = options.host.includes(':') ? 'udp6' : 'udp4'
  const socket: Socket = createSocket(family)
  const pending = new Map<number, {resolve: (reply: Reply) => void; reject: (error: Error) => void; timer: NodeJS.Timeout}>()
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
      return // A malformed datagram is ignored; its question times out and is retried.
    }
    if (reply.response) settle(reply.id)?.resolve(reply)
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
    return questions.map(() => ({rcode: null, answers: [], via, error}))
  }
  let nextId = Math.floor(Math.random() * 0xffff)
  const freshId = () => {
    do nextId = (nextId + 1) & 0xffff
    while (pending.has(nextId))
    return nextId
  }
  const askUdp = (q: ProbeQuestion) =>
    new Promise<Reply>((resolve, reject) => {
      const message = encodeQuery(q.name, q.type, 0)
      const id = freshId()
      message.writeUInt16BE(id, 0)
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error('timeout'))
      }, timeoutMs)
      pending.set(id, {resolve, reject, timer})
      socket.send(message)
    })
  const ask = async (q: ProbeQuestion): Promise<Observed> => {
    let lastError = ''
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        let reply = await askUdp(q)
        // Truncated: ask again over TCP.
        if (reply.truncated) reply = await queryTcp(q, options)
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
  return results
}
