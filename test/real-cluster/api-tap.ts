// A TLS-terminating relay between a client (kdisco) and the real API server that can hold chosen requests until the
// test releases them: a request in flight when kdisco is interrupted, a continue token that expires between two
// pages. It serves the API server's own certificate (so the cluster's kubeconfig CA verifies it) and forwards every
// request as it came, credentials included. No websocket upgrades: exec and port-forward go to the server directly.
import {readFileSync} from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {type Server, createServer, request} from 'node:https'
import {join} from 'node:path'

export interface HeldRequest {
  method: string
  /** Path and query, as the client sent them. */
  url: string
  /** Lets it through to the API server. */
  release(): void
}

interface Rule {
  matches: (method: string, url: string) => boolean
  arrived: (held: HeldRequest) => void
}

export class ApiTap {
  private server?: Server
  private readonly rules: Rule[] = []
  /** Every request forwarded, in order of its answer, with the API server's status. */
  readonly answered: {method: string; url: string; status: number}[] = []
  port = 0

  constructor(
    private readonly upstream: string,
    private readonly pki: string,
  ) {}

  async start(): Promise<this> {
    const cert = readFileSync(join(this.pki, 'apiserver.crt'))
    this.server = createServer({cert, key: readFileSync(join(this.pki, 'apiserver.key'))}, (req, res) => this.handle(req, res, cert))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()))
    this.port = (this.server.address() as {port: number}).port
    return this
  }

  /** The address a kubeconfig puts as its server (the certificate is valid for 127.0.0.1 on any port). */
  get url(): string {
    return `https://127.0.0.1:${this.port}`
  }

  /** The next request that `matches` is held; resolves when it arrives. */
  holdNext(matches: (method: string, url: string) => boolean): Promise<HeldRequest> {
    return new Promise((arrived) => this.rules.push({matches, arrived}))
  }

  private handle(req: IncomingMessage, res: ServerResponse, ca: Buffer): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const forward = () => {
        const upstream = request(new URL(req.url ?? '/', this.upstream), {method: req.method, headers: {...req.headers, host: new URL(this.upstream).host}, ca, timeout: 60000}, (answer) => {
          this.answered.push({method: req.method ?? 'GET', url: req.url ?? '/', status: answer.statusCode ?? 0})
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        })
        upstream.on('timeout', () => upstream.destroy(new Error('no answer from the API server in 60 s')))
        upstream.on('error', () => res.destroy())
        upstream.end(Buffer.concat(chunks))
      }
      const i = this.rules.findIndex((r) => r.matches(req.method ?? 'GET', req.url ?? '/'))
      if (i < 0) return forward()
      const [rule] = this.rules.splice(i, 1)
      rule.arrived({method: req.method ?? 'GET', url: req.url ?? '/', release: forward})
    })
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
