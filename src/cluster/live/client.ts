// A small Kubernetes REST client: raw JSON in and out (the same object shapes the file source reads), kubeconfig
// auth through client-node, paged LISTs (limit + continue, restarting on 410 Expired), Retry-After on 429, a
// per-request timeout, and a request log that never shows credentials.
import http from 'node:http'
import https from 'node:https'
import type {LoadedKubeconfig} from './kubeconfig.js'

export interface ApiStatus {
  kind?: string
  status?: string
  message?: string
  reason?: string
  code?: number
  details?: {name?: string; kind?: string; group?: string; retryAfterSeconds?: number}
}

/** A non-2xx answer from the API server, with its Status body. */
export class ApiError extends Error {
  constructor(
    readonly verb: string,
    readonly path: string,
    readonly status: number,
    readonly body: ApiStatus,
  ) {
    super(body.message || `HTTP ${status}`)
    this.name = 'ApiError'
  }

  get reason(): string {
    return this.body.reason ?? ''
  }
}

/** No answer at all: connection refused, DNS failure, TLS failure, timeout. */
export class TransportError extends Error {
  constructor(
    readonly verb: string,
    readonly path: string,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'TransportError'
  }
}

export interface ListResult<T> {
  items: T[]
  resourceVersion?: string
}

export interface ClientOptions {
  timeoutMs: number
  pageSize?: number
  /** Called once per request with a redacted line (method, path, status, ms). */
  log?: (line: string) => void
}

type Query = Record<string, string | number | undefined>

interface SendOptions {
  body?: string
  contentType?: string
  /** The answer is text (pod logs), not JSON. */
  text?: boolean
}

function withQuery(path: string, query: Query = {}): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v))
  const s = qs.toString()
  return s ? `${path}?${s}` : path
}

export class KubeClient {
  private prepared?: Promise<https.RequestOptions>

  constructor(
    readonly config: LoadedKubeconfig,
    private readonly options: ClientOptions,
  ) {}

  private auth(): Promise<https.RequestOptions> {
    // Auth (tokens, client certs, exec plugins) is resolved once per run by client-node.
    this.prepared ??= (async () => {
      const opts: https.RequestOptions = {}
      await this.config.kc.applyToHTTPSOptions(opts)
      return opts
    })()
    return this.prepared
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', withQuery(path, query))
  }

  /** A plain-text GET (pod logs). */
  async getText(path: string, query?: Query): Promise<string> {
    return this.request<string>('GET', withQuery(path, query), {text: true})
  }

  async create<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, {body: JSON.stringify(body)})
  }

  async delete<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', withQuery(path, query))
  }

  /** A strategic-merge PATCH (ephemeral containers). */
  async patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, {body: JSON.stringify(body), contentType: 'application/strategic-merge-patch+json'})
  }

  /** What a websocket upgrade to `path` needs: the URL and the auth headers/TLS options of this kubeconfig. */
  async upgradeTarget(pathWithQuery: string): Promise<{url: URL; options: https.RequestOptions}> {
    const base = await this.auth()
    this.options.log?.(`UPGRADE ${pathWithQuery}`)
    return {url: this.url(pathWithQuery), options: base}
  }

  private url(pathWithQuery: string): URL {
    return new URL(this.config.server.replace(/\/+$/, '') + pathWithQuery)
  }

  /** A full LIST, paged. A 410 Expired continue token restarts the list from the beginning (at most twice). */
  async list<T>(path: string, query: {labelSelector?: string; fieldSelector?: string} = {}, options: {paged?: boolean} = {}): Promise<ListResult<T>> {
    const limit = options.paged === false ? undefined : (this.options.pageSize ?? 500)
    for (let restart = 0; ; restart++) {
      const items: T[] = []
      let token: string | undefined
      let resourceVersion: string | undefined
      try {
        do {
          const page = await this.request<{items?: T[]; metadata?: {continue?: string; resourceVersion?: string}}>(
            'GET',
            withQuery(path, {...query, limit, continue: token}),
          )
          items.push(...(page.items ?? []))
          token = page.metadata?.continue || undefined
          resourceVersion = page.metadata?.resourceVersion
        } while (token)
        return {items, resourceVersion}
      } catch (error) {
        if (error instanceof ApiError && error.status === 410 && token !== undefined && restart < 2) {
          this.options.log?.(`restarting LIST ${path}: continue token expired (410)`)
          continue
        }
        throw error
      }
    }
  }

  private async request<T>(method: string, pathWithQuery: string, send: SendOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, pathWithQuery, send)
      } catch (error) {
        // 429 Too Many Requests: wait what the server asks (capped), at most three times.
        if (error instanceof ApiError && error.status === 429 && attempt < 3) {
          const wait = Math.min(error.body.details?.retryAfterSeconds ?? 1, 10)
          this.options.log?.(`throttled (429): retrying in ${wait}s`)
          await new Promise((r) => setTimeout(r, wait * 1000))
          continue
        }
        throw error
      }
    }
  }

  private async once<T>(method: string, pathWithQuery: string, send: SendOptions): Promise<T> {
    const base = await this.auth()
    const url = this.url(pathWithQuery)
    const started = Date.now()
    const path = url.pathname + url.search
    return new Promise<T>((resolve, reject) => {
      const lib = url.protocol === 'http:' ? http : https
      const headers: Record<string, string> = {...(base.headers as Record<string, string> | undefined), Accept: send.text ? 'text/plain, */*' : 'application/json', 'User-Agent': 'kdisco'}
      if (send.body !== undefined) headers['Content-Type'] = send.contentType ?? 'application/json'
      const req = lib.request(url, {...base, method, headers, timeout: undefined}, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (e) => reject(new TransportError(method, path, (e as NodeJS.ErrnoException).code ?? 'ERESPONSE', e.message)))
        res.on('end', () => {
          clearTimeout(timer)
          const status = res.statusCode ?? 0
          this.options.log?.(`${method} ${path} ${status} ${Date.now() - started}ms`)
          const text = Buffer.concat(chunks).toString('utf8')
          if (send.text && status >= 200 && status < 300) return resolve(text as T)
          let body: unknown
          try {
            body = text ? JSON.parse(text) : {}
          } catch {
            body = {message: text.slice(0, 200)}
          }
          if (status >= 200 && status < 300) return resolve(body as T)
          const st = (body && typeof body === 'object' ? body : {}) as ApiStatus
          const retryAfter = Number(res.headers['retry-after'])
          if (Number.isFinite(retryAfter)) st.details = {...st.details, retryAfterSeconds: retryAfter}
          reject(new ApiError(method, path, status, st))
        })
      })
      const timer = setTimeout(() => {
        req.destroy(new TransportError(method, path, 'ETIMEDOUT', `no answer within ${this.options.timeoutMs / 1000}s`))
      }, this.options.timeoutMs)
      req.on('error', (e) => {
        clearTimeout(timer)
        this.options.log?.(`${method} ${path} failed after ${Date.now() - started}ms: ${(e as NodeJS.ErrnoException).code ?? e.message}`)
        reject(e instanceof TransportError ? e : new TransportError(method, path, (e as NodeJS.ErrnoException).code ?? 'EREQUEST', e.message))
      })
      req.end(send.body)
    })
  }
}
