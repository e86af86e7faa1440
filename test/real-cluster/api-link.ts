// A TCP relay between CoreDNS and the API server that a test can pause: while paused, no byte moves either way
// and new connections wait, so CoreDNS keeps serving what it saw last. It lets a test change the cluster
// "behind CoreDNS's back" deterministically (a stale replica), instead of racing its watch.
import {type Server, type Socket, connect, createServer} from 'node:net'

export class ApiLink {
  private server?: Server
  private paused = false
  private readonly pairs = new Set<[Socket, Socket]>()
  private readonly waiting: Socket[] = []
  private readonly flushers = new Map<[Socket, Socket], () => void>()
  port = 0

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      client.on('error', () => undefined)
      if (this.paused) this.waiting.push(client)
      else this.relay(client)
    })
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()))
    this.port = (this.server.address() as {port: number}).port
    return this
  }

  private relay(client: Socket): void {
    const upstream = connect(this.upstreamPort, this.upstreamHost)
    const pair: [Socket, Socket] = [client, upstream]
    this.pairs.add(pair)
    upstream.on('error', () => client.destroy())
    client.on('close', () => {
      upstream.destroy()
      this.pairs.delete(pair)
      this.flushers.delete(pair)
    })
    upstream.on('close', () => client.destroy())
    // Forwarded by hand, not piped: a pipe resumes its source on 'drain', a pause must hold.
    const held = new Map<Socket, Buffer[]>([
      [client, []],
      [upstream, []],
    ])
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (this.paused) held.get(from)!.push(chunk)
        else to.write(chunk)
      })
    forward(client, upstream)
    forward(upstream, client)
    this.flushers.set(pair, () => {
      for (const [from, chunks] of held) for (const c of chunks.splice(0)) (from === client ? upstream : client).write(c)
    })
  }

  /** Stops every byte in both directions; connections opened meanwhile wait. */
  pause(): void {
    this.paused = true
    for (const [a, b] of this.pairs) {
      a.pause()
      b.pause()
    }
  }

  resume(): void {
    this.paused = false
    for (const pair of this.pairs) {
      this.flushers.get(pair)?.()
      pair[0].resume()
      pair[1].resume()
    }
    for (const client of this.waiting.splice(0)) this.relay(client)
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy()
      b.destroy()
    }
    for (const c of this.waiting.splice(0)) c.destroy()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
