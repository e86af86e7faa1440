// A small Kubernetes REST client: raw JSON in and out (the same object shapes the file source reads), kubeconfig
// auth (TLS through client-node, the user's credentials through credentials.ts), paged LISTs (limit + continue,
// restarting on 410 Expired), Retry-After on 429, a per-request deadline that covers the whole answer, and a request
// log that never shows credentials. Answers may come gzipped, as kubectl asks for them (big LISTs shrink ~15×). What
// comes back is checked before anyone reads it: a JSON content type, JSON that parses, at most MAX_BODY_BYTES
// (counted as it arrives, compressed and decompressed), the kind that was asked for, and every object's shape
// (schema.ts). Anything else is an InvalidResponse: never an empty list, never a crash.
import http from 'node:http'
import https from 'node:https'
import {createGunzip} from 'node:zlib'
import {ObjectError, checkObject} from '../schema.js'
import {type Credentials, credentialSource} from './credentials.js'
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

/** An answer that is not what was asked for: not JSON, cut short, too large, the wrong kind, a malformed object. */
export class InvalidResponse extends Error {
  constructor(
    readonly verb: string,
    readonly path: string,
    readonly detail: string,
  ) {
    super(detail)
    this.name = 'InvalidResponse'
  }
}

/** The largest answer kdisco reads (a page of 500 objects is a few MB; a string can hold 512 MiB). */
export const MAX_BODY_BYTES = 256 << 20

export interface ListResult<T> {
  items: T[]
  resourceVersion?: string
  /** The API server's clock when it answered (its Date header), ms since the epoch. */
  date?: number
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

/** What a GET or LIST expects back: the kind of the object (of the items, for a LIST), and the namespace asked. */
export interface Expect {
  kind: string
  namespace?: string
}

const isJsonType = (contentType: string | undefined) => /^application\/(json|[\w.+-]*\+json)\s*(;|$)/i.test(contentType ?? '')
const describeKind = (body: unknown) => {
  const kind = (body as {kind?: unknown})?.kind
  return typeof kind === 'string' && kind !== '' ? `a ${JSON.stringify(kind).slice(1, -1).slice(0, 60)}` : 'an object without kind'
}

/** Checks an object the API server sent (its kind set when a LIST left it out) against the shape kdisco reads. */
function checkItem(verb: string, path: string, item: unknown, expect: Expect): void {
  if (!item || typeof item !== 'object' || Array.isArray(item)) throw new InvalidResponse(verb, path, `an item that is not an object (${item === null ? 'null' : Array.isArray(item) ? 'a list' : typeof item})`)
  const o = item as Record<string, unknown>
  o.kind ??= expect.kind
  if (o.kind !== expect.kind) throw new InvalidResponse(verb, path, `${describeKind(o)} where a ${expect.kind} was asked for`)
  try {
    checkObject(o, expect.namespace)
  } catch (error) {
    if (error instanceof ObjectError) throw new InvalidResponse(verb, path, `an invalid object: ${error.detail}`)
    throw error
  }
}

function withQuery(path: string, query: Query = {}): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v))
  const s = qs.toString()
  return s ? `${path}?${s}` : path
}

export class KubeClient {
  private tls?: https.RequestOptions
  /** The Date of the API server's latest answer: its clock, for ages that must not depend on this machine's. */
  private serverDate?: number
  private readonly credentials: () => Promise<Credentials>

  constructor(
    readonly config: LoadedKubeconfig,
    private readonly options: ClientOptions,
  ) {
    this.credentials = credentialSource(config.user, {timeoutMs: options.timeoutMs, cluster: config.cluster})
  }

  /** TLS settings (CA, client certificate, verification) once per run, and the user's credentials per request. */
  private async auth(): Promise<https.RequestOptions> {
    if (!this.tls) {
      const opts: https.RequestOptions = {}
      // client-node: TLS files and auth-provider plugins (the kubeconfig loader gave it no other credentials), bounded.
      let timer: NodeJS.Timeout | undefined
      // A plain-http server (kubectl proxy) has no TLS to set up, and credentials never go to it (refused earlier).
      if (!this.config.server.startsWith('http:')) await Promise.race([
        this.config.kc.applyToHTTPSOptions(opts),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new TransportError('GET', '', 'ETIMEDOUT', `the kubeconfig's auth provider gave no credential within ${this.options.timeoutMs / 1000}s`)), this.options.timeoutMs))),
      ]).finally(() => clearTimeout(timer))
      this.tls = opts
    }
    const creds = await this.credentials()
    const headers = {...(this.tls.headers as Record<string, string> | undefined)}
    if (creds.authorization) headers.Authorization = creds.authorization
    return {...this.tls, headers, ...(creds.cert ? {cert: creds.cert, key: creds.key} : {})}
  }

  async get<T>(path: string, query?: Query, expect?: Expect): Promise<T> {
    const body = await this.request<T>('GET', withQuery(path, query))
    if (expect) checkItem('GET', path, body, expect)
    return body
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

  /**
   * A full LIST, paged. A 410 Expired continue token restarts the list from the beginning (at most twice). Each page
   * must be a `<kind>List` with an items list, and each item a valid object of `kind`.
   */
  async list<T>(path: string, query: {labelSelector?: string; fieldSelector?: string} = {}, options: {paged?: boolean; expect?: Expect} = {}): Promise<ListResult<T>> {
    const limit = options.paged === false ? undefined : (this.options.pageSize ?? 500)
    for (let restart = 0; ; restart++) {
      const items: T[] = []
      let token: string | undefined
      let resourceVersion: string | undefined
      try {
        do {
          const page = await this.request<{kind?: unknown; items?: unknown; metadata?: {continue?: unknown; resourceVersion?: unknown}}>('GET', withQuery(path, {...query, limit, continue: token}))
          const expect = options.expect
          if (expect ? page.kind !== `${expect.kind}List` : typeof page.kind !== 'string' || !page.kind.endsWith('List'))
            throw new InvalidResponse('GET', path, `${describeKind(page)} where a ${expect ? `${expect.kind}List` : 'List'} was asked for`)
          if (page.items !== null && page.items !== undefined && !Array.isArray(page.items)) throw new InvalidResponse('GET', path, `a ${page.kind} whose items is not a list`)
          const meta = page.metadata
          if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta) || (meta.continue !== undefined && typeof meta.continue !== 'string')))
            throw new InvalidResponse('GET', path, `a ${page.kind} whose metadata is malformed`)
          // One item at a time: a spread of 130k arguments overflows the stack.
          for (const item of (page.items as T[] | null | undefined) ?? []) {
            if (expect) checkItem('GET', path, item, expect)
            items.push(item)
          }
          token = (meta?.continue as string | undefined) || undefined
          resourceVersion = typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : undefined
        } while (token)
        return {items, resourceVersion, date: this.serverDate}
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
          const wait = Math.min(Math.max(error.body.details?.retryAfterSeconds ?? 1, 0), 10)
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
      let settled = false
      const done = (error: Error | undefined, value?: T) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error) reject(error)
        else resolve(value as T)
      }
      const lib = url.protocol === 'http:' ? http : https
      const headers: Record<string, string> = {...(base.headers as Record<string, string> | undefined), Accept: send.text ? 'text/plain, */*' : 'application/json', 'Accept-Encoding': 'gzip', 'User-Agent': 'kdisco'}
      if (send.body !== undefined) headers['Content-Type'] = send.contentType ?? 'application/json'
      const req = lib.request(url, {...base, method, headers, timeout: undefined}, (res) => {
        const status = res.statusCode ?? 0
        const ok = status >= 200 && status < 300
        const date = Date.parse(res.headers.date ?? '')
        if (!Number.isNaN(date)) this.serverDate = date
        const tooLarge = () => {
          req.destroy()
          done(new InvalidResponse(method, path, `more than ${MAX_BODY_BYTES >> 20} MiB`))
        }
        if (Number(res.headers['content-length']) > MAX_BODY_BYTES) return tooLarge()
        // A success must say what it is: JSON (or text for logs). A proxy's HTML login page is not an empty list.
        if (ok && !send.text && !isJsonType(res.headers['content-type'])) {
          req.destroy()
          return done(new InvalidResponse(method, path, `${res.headers['content-type'] ? JSON.stringify(res.headers['content-type']).slice(0, 80) : 'no content type'}, not JSON`))
        }
        const encoding = (res.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
        if (encoding !== 'identity' && encoding !== 'gzip') {
          req.destroy()
          return done(new InvalidResponse(method, path, `a body encoded as ${JSON.stringify(encoding).slice(0, 40)}, which kdisco did not ask for`))
        }
        // Decompressed bytes are bounded like plain ones: a few KB of gzip can stand for gigabytes.
        const stream = encoding === 'gzip' ? res.pipe(createGunzip()) : res
        const chunks: Buffer[] = []
        let bytes = 0
        let wire = 0
        if (stream !== res) res.on('data', (c: Buffer) => (wire += c.length))
        stream.on('data', (c: Buffer) => {
          bytes += c.length
          if (bytes > MAX_BODY_BYTES) {
            stream.destroy()
            return tooLarge()
          }
          chunks.push(c)
        })
        if (stream !== res) stream.on('error', (e) => done(new InvalidResponse(method, path, `a gzip body that does not decompress (${(e as NodeJS.ErrnoException).code ?? e.message})`)))
        // An error while the answer arrives (the connection reset mid-body) is an answer cut short; the deadline's own
        // error passes through.
        res.on('error', (e) => done(e instanceof TransportError ? e : new TransportError(method, path, 'ETRUNCATED', `the connection closed before the answer was complete (${(e as NodeJS.ErrnoException).code ?? e.message})`)))
        // The server closed the connection before the answer was complete (a frame, a chunk, a Content-Length short).
        res.on('close', () => res.complete || done(new TransportError(method, path, 'ETRUNCATED', 'the connection closed before the answer was complete')))
        stream.on('end', () => {
          if (settled) return
          this.options.log?.(`${method} ${path} ${status} ${Date.now() - started}ms${stream === res ? '' : ` (gzip: ${wire} bytes for ${bytes})`}`)
          const text = Buffer.concat(chunks).toString('utf8')
          if (send.text && ok) return done(undefined, text as T)
          let body: unknown
          try {
            body = text ? JSON.parse(text) : undefined
          } catch (error) {
            if (ok) return done(new InvalidResponse(method, path, `JSON that does not parse (${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}; ${bytes} bytes: cut short?)`))
            body = {message: text.slice(0, 200)}
          }
          if (ok) {
            if (!body || typeof body !== 'object' || Array.isArray(body)) return done(new InvalidResponse(method, path, `${body === undefined ? 'an empty body' : Array.isArray(body) ? 'a JSON list' : `JSON ${typeof body === 'object' ? 'null' : typeof body}`}, not an object`))
            return done(undefined, body as T)
          }
          const st = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as ApiStatus
          if (typeof st.message !== 'string') st.message = undefined
          if (typeof st.reason !== 'string') st.reason = undefined
          if (st.details !== undefined && (typeof st.details !== 'object' || st.details === null)) st.details = undefined
          const retryAfter = Number(res.headers['retry-after'])
          if (Number.isFinite(retryAfter)) st.details = {...st.details, retryAfterSeconds: retryAfter}
          done(new ApiError(method, path, status, st))
        })
      })
      // The deadline covers the whole exchange: connecting, the headers, and every byte of the body.
      const timer = setTimeout(() => {
        req.destroy(new TransportError(method, path, 'ETIMEDOUT', `no answer within ${this.options.timeoutMs / 1000}s`))
      }, this.options.timeoutMs)
      req.on('error', (e) => {
        if (settled) return
        this.options.log?.(`${method} ${path} failed after ${Date.now() - started}ms: ${(e as NodeJS.ErrnoException).code ?? e.message}`)
        done(e instanceof TransportError ? e : new TransportError(method, path, (e as NodeJS.ErrnoException).code ?? 'EREQUEST', e.message))
      })
      req.end(send.body)
    })
  }
}
