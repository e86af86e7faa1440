// A Kubernetes API test server: speaks the real REST API over HTTP or HTTPS (self-signed CA) for the resources
// kdisco reads — real object JSON, *List with resourceVersion, label and field selectors, limit/continue paging
// (410 Expired on stale tokens), watch as a chunked event stream, API discovery (so the real kubectl can talk to
// it), pod create/delete/log, real Status errors, bearer-token auth, a request log and fault injection.
// Reused by every live-cluster test.
import {randomUUID} from 'node:crypto'
import {readFileSync, writeFileSync, mkdtempSync} from 'node:fs'
import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Duplex} from 'node:stream'
import {connect as tcpConnect} from 'node:net'
import {WebSocketServer, type WebSocket} from 'ws'
import {matchesRequirements, parseLabelSelector} from '../../src/cluster/labels.js'
import {Kubelet, type KubeletOptions} from './kubelet.js'

interface ResourceType {
  group: string
  version: string
  plural: string
  singular: string
  kind: string
  namespaced: boolean
  shortNames?: string[]
  fields: string[]
}

const META_FIELDS = ['metadata.name', 'metadata.namespace']
export const RESOURCES: ResourceType[] = [
  {group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], fields: [...META_FIELDS, 'status.phase']},
  {group: '', version: 'v1', plural: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], fields: [...META_FIELDS, 'spec.clusterIP', 'spec.type']},
  {group: '', version: 'v1', plural: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'], fields: META_FIELDS},
  {group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], fields: [...META_FIELDS, 'spec.nodeName', 'status.phase', 'status.podIP', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.nominatedNodeName']},
  {group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], fields: META_FIELDS},
  {group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', namespaced: true, fields: [...META_FIELDS, 'addressType']},
  {group: 'apps', version: 'v1', plural: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], fields: META_FIELDS},
  {group: 'apps', version: 'v1', plural: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'], fields: META_FIELDS},
  {group: 'apps', version: 'v1', plural: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'], fields: META_FIELDS},
  {group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', namespaced: false, fields: ['metadata.name']},
  {group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', namespaced: false, fields: ['metadata.name']},
  {group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', singular: 'ingress', kind: 'Ingress', namespaced: true, shortNames: ['ing'], fields: META_FIELDS},
]

interface ContainerSpec {
  name: string
  image?: string
  command?: string[]
  args?: string[]
}
interface PodSpec {
  containers: ContainerSpec[]
  ephemeralContainers?: ContainerSpec[]
  nodeName?: string
  activeDeadlineSeconds?: number
}
type ContainerStatus = {name: string; image?: string; ready: boolean; restartCount: number; started?: boolean; state: Record<string, unknown>}
interface PodStatus {
  phase?: string
  reason?: string
  message?: string
  qosClass?: string
  hostIP?: string
  podIP?: string
  conditions?: {type: string; status: string; reason?: string; message?: string}[]
  containerStatuses?: ContainerStatus[]
  ephemeralContainerStatuses?: ContainerStatus[]
}

type Obj = {apiVersion?: string; kind: string; metadata: {name: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; generateName?: string; labels?: Record<string, string>}} & Record<string, unknown>

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  status: number
  authorization: boolean
}

export interface Fault {
  method?: string
  /** Matched against the path without query. */
  path: RegExp
  status?: number
  reason?: string
  /** The Status message, or one made from the request path. */
  message?: string | ((path: string) => string)
  retryAfter?: number
  /** Never answer (for timeouts). */
  hang?: boolean
  /** Answer normally, but only after this long (a slow request in flight). */
  delayMs?: number
  /** How many requests it applies to; unlimited when absent. */
  times?: number
  /**
   * Answer modes for a broken or hostile server (each answers the request as routed, then spoils it):
   * `transform` rewrites the JSON body (a wrong kind, items that are not a list, a malformed object), `raw` replaces
   * the answer with these bytes and this content type, `cut` sends only the first N bytes of the answer (the full
   * Content-Length announced) and closes the connection, `bodyBytes` streams a 200 JSON body of that many bytes
   * (lazily, until the client hangs up), and `dripMs` sends the answer one byte every so many ms.
   */
  transform?: (body: unknown) => unknown
  /** Rewrites the answer's text (after transform), keeping its content type. */
  rewrite?: (text: string) => string
  raw?: {status?: number; contentType?: string; contentEncoding?: string; body: string | Buffer}
  cut?: number
  bodyBytes?: number
  dripMs?: number
  /** Called when the fault applies (a test can act at the moment a request arrives). */
  onRequest?: () => void
}

export interface KubeApiServerOptions {
  /** HTTPS with the fixture CA (default); false serves plain http (kdisco then refuses to send credentials). */
  tls?: boolean
  /** Bearer token required on every request (401 otherwise); null disables auth. */
  token?: string | null
  /** API groups not served (e.g. discovery.k8s.io to test the v1 Endpoints fallback). */
  unservedGroups?: string[]
  /** Play kubelet: run created pods, exec sessions and ephemeral containers locally; proxy port-forwards. */
  kubelet?: KubeletOptions
}

const TLS_DIR = new URL('../fixtures/tls/', import.meta.url)

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? {details} : {}), code}
}

function fieldValue(obj: Obj, path: string): string {
  let v: unknown = obj
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined
  return v === undefined || v === null ? '' : String(v)
}

/** The websocket subprotocols kubelet's port-forward accepts (cri-streaming portforward/websocket.go). */
const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io']

export class KubeApiServer {
  readonly requests: RecordedRequest[] = []
  url = ''
  /** The bearer token every request must carry (rotate it with setToken). */
  token: string | null
  private readonly tls: boolean
  private readonly server: http.Server
  private readonly store = new Map<string, Obj>()
  private readonly logs = new Map<string, string>()
  private readonly faults: Fault[] = []
  private readonly watchers = new Set<{type: ResourceType; namespace?: string; res: ServerResponse}>()
  private rv = 1000
  private compactedRv = 0
  private readonly unserved: Set<string>
  readonly kubelet?: Kubelet
  private readonly processes = new Map<string, import('node:child_process').ChildProcess>()
  private readonly wss = new WebSocketServer({noServer: true, handleProtocols: (protocols) => [...protocols][0] ?? false})
  private stopped = false

  constructor(private readonly options: KubeApiServerOptions = {}) {
    this.token = options.token === undefined ? 'test-token' : options.token
    this.unserved = new Set(options.unservedGroups ?? [])
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res)
    this.tls = options.tls ?? true
    this.server = this.tls ? https.createServer({cert: readFileSync(new URL('server.crt', TLS_DIR)), key: readFileSync(new URL('server.key', TLS_DIR))}, handler) : http.createServer(handler)
    if (options.kubelet) this.kubelet = new Kubelet(options.kubelet)
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head))
  }

  static caPath(): string {
    return new URL('ca.crt', TLS_DIR).pathname
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const {port} = this.server.address() as AddressInfo
    this.url = `${this.tls ? 'https' : 'http'}://127.0.0.1:${port}`
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.kubelet?.stopAll()
    for (const c of this.wss.clients) c.terminate()
    for (const w of this.watchers) w.res.end()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Writes a kubeconfig pointing at this server; returns its path. */
  kubeconfig(options: {context?: string; namespace?: string; token?: string; extraContexts?: string[]} = {}): string {
    const ctx = options.context ?? 'test'
    const tls = this.tls ? `    certificate-authority: ${KubeApiServer.caPath()}` : '    insecure-skip-tls-verify: true'
    const contexts = [ctx, ...(options.extraContexts ?? [])]
      .map((name) => `- name: ${name}\n  context:\n    cluster: test-cluster\n    user: test-user${name === ctx && options.namespace ? `\n    namespace: ${options.namespace}` : ''}`)
      .join('\n')
    const text = `apiVersion: v1\nkind: Config\nclusters:\n- name: test-cluster\n  cluster:\n    server: ${this.url}\n${tls}\nusers:\n- name: test-user\n  user:\n    token: ${options.token ?? this.token ?? 'none'}\ncontexts:\n${contexts}\ncurrent-context: ${ctx}\n`
    const path = join(mkdtempSync(join(tmpdir(), 'kdisco-kubeconfig-')), 'config')
    writeFileSync(path, text)
    return path
  }

  // ---- state ---------------------------------------------------------------------------------------------

  private typeOf(kind: string): ResourceType {
    const t = RESOURCES.find((r) => r.kind === kind)
    if (!t) throw new Error(`test server does not serve kind ${kind}`)
    return t
  }

  private key(t: ResourceType, namespace: string | undefined, name: string): string {
    return `${t.group}/${t.plural}/${t.namespaced ? namespace ?? 'default' : ''}/${name}`
  }

  /** Adds or replaces objects (metadata gets uid, resourceVersion, creationTimestamp as the API server sets them). */
  add(...objects: Obj[]): this {
    for (const o of objects) this.put(structuredClone(o), 'ADDED')
    return this
  }

  private put(o: Obj, event: 'ADDED' | 'MODIFIED'): Obj {
    const t = this.typeOf(o.kind)
    o.apiVersion = t.group ? `${t.group}/${t.version}` : t.version
    if (t.namespaced) o.metadata.namespace ??= 'default'
    const k = this.key(t, o.metadata.namespace, o.metadata.name)
    const existing = this.store.get(k)
    o.metadata.uid ??= existing?.metadata.uid ?? randomUUID()
    o.metadata.creationTimestamp ??= existing?.metadata.creationTimestamp ?? new Date(Date.UTC(2026, 10, 1)).toISOString().replace('.000', '')
    o.metadata.resourceVersion = String(++this.rv)
    this.store.set(k, o)
    this.notify(t, existing ? 'MODIFIED' : event, o)
    return o
  }

  remove(kind: string, namespace: string | undefined, name: string): Obj | undefined {
    const t = this.typeOf(kind)
    const k = this.key(t, namespace, name)
    const o = this.store.get(k)
    if (!o) return undefined
    this.store.delete(k)
    this.rv++
    this.notify(t, 'DELETED', o)
    return o
  }

  objects(kind: string, namespace?: string): Obj[] {
    const t = this.typeOf(kind)
    return [...this.store.values()].filter((o) => o.kind === t.kind && (namespace === undefined || o.metadata.namespace === namespace))
  }

  setLog(namespace: string, pod: string, text: string, container = ''): void {
    this.logs.set(`${namespace}/${pod}/${container}`, text)
  }

  /** Pods that exist now, in every namespace, with a label (e.g. kdisco's managed-by). */
  podsLabelled(label: string, value: string): Obj[] {
    return this.objects('Pod').filter((p) => p.metadata.labels?.[label] === value)
  }

  fault(f: Fault): this {
    this.faults.push({...f})
    return this
  }

  /** Removes every fault (a server shared by several tests). */
  clearFaults(): this {
    this.faults.length = 0
    return this
  }

  /** Accepts another bearer token from now on (a rotated service-account token). */
  setToken(token: string): void {
    this.token = token
  }

  /** RBAC denial as the real API server words it. */
  forbid(verb: 'get' | 'list' | 'watch' | 'create' | 'delete', plural: string, namespace?: string, user = 'system:serviceaccount:default:kdisco'): this {
    const t = RESOURCES.find((r) => r.plural === plural)!
    const res = t.group ? `${plural}.${t.group}` : plural
    const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'
    const path = new RegExp(`^/api${t.group ? `s/${t.group.replace(/\./g, '\\.')}` : ''}/v1/${namespace ? `namespaces/${namespace}/` : ''}${plural}${verb === 'list' || verb === 'watch' ? '$' : '/'}`)
    // As the real API server words it: the object's name when the request names one (services "web" is forbidden).
    const message = (p: string) => {
      const name = path.exec(p) && p.split('/').slice(-1)[0] !== plural ? p.split('/').slice(-1)[0] : undefined
      return `${res}${name ? ` "${name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${plural}" in API group "${t.group}"${scope}`
    }
    return this.fault({method: verb === 'create' ? 'POST' : verb === 'delete' ? 'DELETE' : 'GET', path, status: 403, reason: 'Forbidden', message})
  }

  /** Makes every continue token issued so far stale (as after etcd compaction). */
  expireContinueTokens(): void {
    this.compactedRv = this.rv
    this.rv++ // the store moves on past the compaction point, as etcd does
  }

  clearLog(): void {
    this.requests.length = 0
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x')
    const query = Object.fromEntries(url.searchParams.entries())
    const entry: RecordedRequest = {method: req.method ?? 'GET', path: url.pathname, query, status: 0, authorization: Boolean(req.headers.authorization)}
    this.requests.push(entry)
    let spoil: Fault | undefined
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status
      if (spoil?.raw) {
        entry.status = spoil.raw.status ?? 200
        res.writeHead(entry.status, {...(spoil.raw.contentType === undefined ? {} : {'Content-Type': spoil.raw.contentType}), ...(spoil.raw.contentEncoding === undefined ? {} : {'Content-Encoding': spoil.raw.contentEncoding})})
        res.end(spoil.raw.body)
        return
      }
      if (spoil?.transform) body = spoil.transform(structuredClone(body))
      let text = typeof body === 'string' ? body : JSON.stringify(body)
      if (spoil?.rewrite) text = spoil.rewrite(text)
      const type = {'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers}
      if (spoil?.cut !== undefined) {
        const bytes = Buffer.from(text)
        res.writeHead(status, {...type, 'Content-Length': String(bytes.length)})
        res.write(bytes.subarray(0, spoil.cut))
        setTimeout(() => res.destroy(), 20)
        return
      }
      if (spoil?.dripMs !== undefined) {
        const bytes = Buffer.from(text)
        res.writeHead(status, {...type, 'Content-Length': String(bytes.length)})
        let i = 0
        const drip = setInterval(() => (i < bytes.length && !res.destroyed ? res.write(bytes.subarray(i, ++i)) : (clearInterval(drip), res.end())), spoil.dripMs)
        res.on('close', () => clearInterval(drip))
        return
      }
      res.writeHead(status, type)
      res.end(text)
    }
    const fail = (status: number, reason: string, message: string, details?: Record<string, unknown>) => send(status, statusBody(status, reason, message, details))

    if (this.token !== null && req.headers.authorization !== `Bearer ${this.token}`) return fail(401, 'Unauthorized', 'Unauthorized')
    const fault = this.faults.find((f) => (!f.method || f.method === entry.method) && f.path.test(url.pathname) && (f.times === undefined || f.times > 0))
    fault?.onRequest?.()
    if (fault && (fault.transform || fault.rewrite || fault.raw || fault.cut !== undefined || fault.dripMs !== undefined)) {
      if (fault.times !== undefined) fault.times--
      spoil = fault
    } else if (fault?.bodyBytes !== undefined) {
      if (fault.times !== undefined) fault.times--
      entry.status = 200
      res.writeHead(200, {'Content-Type': 'application/json'})
      const head = '{"kind":"ServiceList","apiVersion":"v1","metadata":{},"items":['
      const chunk = Buffer.alloc(1 << 20, ' ')
      let sent = 0
      const pump = () => {
        if (sent === 0) (res.write(head), (sent = head.length))
        while (sent < fault.bodyBytes! - 2 && !res.destroyed) {
          sent += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        if (!res.destroyed) res.end(']}')
      }
      pump()
      return
    } else if (fault?.delayMs !== undefined) {
      if (fault.times !== undefined) fault.times--
      let delayedBody = ''
      req.on('data', (c) => (delayedBody += c))
      req.on('end', () => setTimeout(() => this.route(entry, url, query, delayedBody, req, res, send, fail), fault.delayMs))
      return
    }
    if (fault && !spoil) {
      if (fault.times !== undefined) fault.times--
      if (fault.hang) {
        entry.status = -1
        return // never answers
      }
      const status = fault.status ?? 500
      const message = typeof fault.message === 'function' ? fault.message(url.pathname) : fault.message
      return send(status, statusBody(status, fault.reason ?? 'InternalError', message ?? 'an error on the server ("injected") has prevented the request from succeeding', fault.retryAfter ? {retryAfterSeconds: fault.retryAfter} : undefined), fault.retryAfter ? {'Retry-After': String(fault.retryAfter)} : {})
    }
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      try {
        this.route(entry, url, query, body, req, res, send, fail)
      } catch (error) {
        fail(500, 'InternalError', (error as Error).message)
      }
    })
  }

  private route(
    entry: RecordedRequest,
    url: URL,
    query: Record<string, string>,
    body: string,
    req: IncomingMessage,
    res: ServerResponse,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    fail: (status: number, reason: string, message: string, details?: Record<string, unknown>) => void,
  ): void {
    const p = url.pathname.replace(/\/+$/, '') || '/'
    if (p === '/version') return send(200, {major: '1', minor: '31', gitVersion: 'v1.31.0', gitCommit: 'kdisco-test', gitTreeState: 'clean', buildDate: '2026-11-01T00:00:00Z', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64'})
    if (p === '/api') return send(200, {kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{clientCIDR: '0.0.0.0/0', serverAddress: url.host}]})
    if (p === '/apis') return send(200, this.groupList())
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(\/.*)?$/.exec(p)
    if (!m) return fail(404, 'NotFound', 'the server could not find the requested resource')
    const group = m[2] ?? ''
    const version = m[1] ?? m[3]
    if (this.unserved.has(group) || (group && !RESOURCES.some((r) => r.group === group && r.version === version))) return fail(404, 'NotFound', 'the server could not find the requested resource')
    const rest = (m[4] ?? '').split('/').filter(Boolean).map(decodeURIComponent)
    if (rest.length === 0) return send(200, this.resourceList(group, version))
    let namespace: string | undefined
    let parts = rest
    const typeByPlural = (plural: string) => RESOURCES.find((r) => r.group === group && r.plural === plural)
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1]
      parts = rest.slice(2)
    }
    const t = typeByPlural(parts[0])
    if (!t || (namespace && !t.namespaced)) return fail(404, 'NotFound', 'the server could not find the requested resource')
    const [, name, sub] = parts
    const groupResource = t.group ? `${t.plural}.${t.group}` : t.plural
    if (name === undefined) {
      if (req.method === 'GET') return this.list(t, namespace, query, send, fail, res, entry)
      if (req.method === 'POST') {
        const obj = JSON.parse(body) as Obj
        obj.kind ??= t.kind
        obj.metadata ??= {name: ''}
        if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + Math.random().toString(36).slice(2, 7)
        if (!obj.metadata.name) return fail(422, 'Invalid', `${t.kind} "" is invalid: metadata.name: Required value: name or generateName is required`)
        obj.metadata.namespace = namespace
        // Created now, as the API server stamps it (loaded fixtures keep a fixed date, for stable ages).
        obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
        if (this.store.has(this.key(t, namespace, obj.metadata.name))) return fail(409, 'AlreadyExists', `${groupResource} "${obj.metadata.name}" already exists`, {name: obj.metadata.name, kind: t.plural})
        if (t.kind === 'Pod' && this.kubelet) {
          obj.status = {phase: 'Pending', qosClass: 'Burstable'}
          const created = this.put(obj, 'ADDED')
          send(201, created)
          return this.podLifecycle(namespace ?? 'default', obj.metadata.name)
        }
        return send(201, this.put(obj, 'ADDED'))
      }
      return fail(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
    }
    if (t.kind === 'Namespace' && namespace === undefined && rest.length >= 2) namespace = undefined
    const stored = this.store.get(this.key(t, namespace, name))
    if (req.method === 'DELETE') {
      if (!stored) return fail(404, 'NotFound', `${groupResource} "${name}" not found`, {name, kind: t.plural})
      this.remove(t.kind, namespace, name)
      for (const [k, proc] of this.processes) if (k.startsWith(`${namespace}/${name}/`)) (proc.kill('SIGKILL'), this.processes.delete(k))
      return send(200, stored)
    }
    if (!stored) return fail(404, 'NotFound', `${groupResource} "${name}" not found`, {name, kind: t.plural})
    if (sub === 'log' && t.kind === 'Pod') {
      const containers = ((stored.spec as PodSpec | undefined)?.containers ?? []).map((c) => c.name)
      const container = query.container ?? (containers.length === 1 ? containers[0] : undefined)
      if (container === undefined) return fail(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`)
      return send(200, this.logs.get(`${namespace}/${name}/${container}`) ?? this.logs.get(`${namespace}/${name}/`) ?? '')
    }
    if (sub === 'ephemeralcontainers' && t.kind === 'Pod' && req.method === 'PATCH') return this.addEphemeral(stored, JSON.parse(body), send, fail)
    if (sub === 'status' || sub === undefined) return send(200, stored)
    return fail(404, 'NotFound', 'the server could not find the requested resource')
  }

  // ---- kubelet -------------------------------------------------------------------------------------------

  private update(namespace: string, name: string, change: (pod: Obj & {spec?: PodSpec; status?: PodStatus}) => void): boolean {
    const k = this.key(this.typeOf('Pod'), namespace, name)
    const current = this.store.get(k)
    if (!current || this.stopped) return false
    const next = structuredClone(current) as Obj & {spec?: PodSpec; status?: PodStatus}
    change(next)
    this.put(next, 'MODIFIED')
    return true
  }

  private later(ms: number, fn: () => void): void {
    setTimeout(() => this.stopped || fn(), ms).unref()
  }

  /** Scheduling, image pull, running, and termination, as kubelet reports them in pod status. */
  private podLifecycle(namespace: string, name: string): void {
    const kubelet = this.kubelet!
    const pod = this.store.get(this.key(this.typeOf('Pod'), namespace, name)) as Obj & {spec: PodSpec}
    const behaviour = kubelet.options.behaviour?.(pod) ?? 'run'
    const step = kubelet.options.stepMs ?? 30
    const container = pod.spec.containers[0]
    const waiting = (reason: string, message?: string) => [{name: container.name, image: container.image, ready: false, restartCount: 0, started: false, state: {waiting: {reason, ...(message ? {message} : {})}}}]
    if (behaviour === 'pending') return
    this.later(step, () => {
      if (behaviour === 'unschedulable') {
        this.update(namespace, name, (p) => {
          p.status = {phase: 'Pending', conditions: [{type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.'}]}
        })
        return
      }
      this.update(namespace, name, (p) => {
        p.spec!.nodeName = 'node-1'
        p.status = {phase: 'Pending', conditions: [{type: 'PodScheduled', status: 'True'}], hostIP: '192.168.0.11', containerStatuses: waiting('ContainerCreating')}
      })
      // activeDeadlineSeconds counts from the pod's startTime, which only a kubelet that has the pod sets.
      if (pod.spec.activeDeadlineSeconds) {
      this.later(pod.spec.activeDeadlineSeconds * 1000, () => {
        const proc = this.processes.get(`${namespace}/${name}/${container.name}`)
        proc?.kill('SIGKILL')
        this.update(namespace, name, (p) => {
          if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return
          p.status = {...p.status, phase: 'Failed', reason: 'DeadlineExceeded', message: `Pod was active on the node longer than the specified deadline`}
        })
      })
    }
      this.later(step, () => {
        if (behaviour === 'image-pull-error') {
          this.update(namespace, name, (p) => {
            p.status!.containerStatuses = waiting('ErrImagePull', `rpc error: code = NotFound desc = failed to pull and unpack image "${container.image}": failed to resolve reference "${container.image}": not found`)
          })
          this.later(step * 3, () => this.update(namespace, name, (p) => (p.status!.containerStatuses = waiting('ImagePullBackOff', `Back-off pulling image "${container.image}"`))))
          return
        }
        this.runContainer(namespace, name, container, false)
      })
    })
  }

  private runContainer(namespace: string, name: string, container: ContainerSpec, ephemeral: boolean): void {
    const statusKey = ephemeral ? 'ephemeralContainerStatuses' : 'containerStatuses'
    const setState = (state: Record<string, unknown>, phase?: string) =>
      this.update(namespace, name, (p) => {
        const list = (p.status![statusKey] ??= []).filter((c) => c.name !== container.name)
        list.push({name: container.name, image: container.image, ready: !ephemeral && 'running' in state, restartCount: 0, state})
        p.status![statusKey] = list
        if (phase) p.status!.phase = phase
        if (!ephemeral && !p.status!.podIP) p.status!.podIP = '10.244.9.9'
      })
    const started = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
    setState({running: {startedAt: started}}, ephemeral ? undefined : 'Running')
    let log = ''
    const k = `${namespace}/${name}/${container.name}`
    const proc = this.kubelet!.start([...(container.command ?? []), ...(container.args ?? [])], namespace, (chunk) => {
      log += chunk.toString('utf8')
      this.logs.set(k, log)
    }, (code) => {
      this.processes.delete(k)
      this.logs.set(k, log)
      setState({terminated: {exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: started, finishedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z')}}, ephemeral ? undefined : code === 0 ? 'Succeeded' : 'Failed')
    })
    this.processes.set(k, proc)
  }

  private addEphemeral(stored: Obj, patch: {spec?: {ephemeralContainers?: ContainerSpec[]}}, send: (status: number, body: unknown) => void, fail: (status: number, reason: string, message: string) => void): void {
    const ns = stored.metadata.namespace ?? 'default'
    const added = patch.spec?.ephemeralContainers ?? []
    const spec = stored.spec as PodSpec
    for (const c of added) {
      if ((c as {resources?: unknown}).resources) return fail(422, 'Invalid', `Pod "${stored.metadata.name}" is invalid: spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container`)
    }
    const fresh = added.filter((c) => !(spec.ephemeralContainers ?? []).some((e) => e.name === c.name))
    this.update(ns, stored.metadata.name, (p) => (p.spec!.ephemeralContainers = [...(p.spec!.ephemeralContainers ?? []), ...fresh]))
    send(200, this.store.get(this.key(this.typeOf('Pod'), ns, stored.metadata.name)))
    if (this.kubelet) for (const c of fresh) this.later(this.kubelet.options.stepMs ?? 30, () => this.runContainer(ns, stored.metadata.name, c, true))
  }

  /** pods/exec and pods/portforward over websockets, as the API server proxies them to kubelet. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x')
    const entry: RecordedRequest = {method: 'UPGRADE', path: url.pathname, query: Object.fromEntries(url.searchParams.entries()), status: 0, authorization: Boolean(req.headers.authorization)}
    this.requests.push(entry)
    const refuse = (status: number, reason: string, message: string) => {
      entry.status = status
      const body = JSON.stringify(statusBody(status, reason, message))
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
    }
    if (this.token !== null && req.headers.authorization !== `Bearer ${this.token}`) return refuse(401, 'Unauthorized', 'Unauthorized')
    const fault = this.faults.find((f) => (!f.method || f.method === 'UPGRADE') && f.path.test(url.pathname) && (f.times === undefined || f.times > 0))
    if (fault) {
      if (fault.times !== undefined) fault.times--
      return refuse(fault.status ?? 500, fault.reason ?? 'InternalError', (typeof fault.message === 'function' ? fault.message(url.pathname) : fault.message) ?? 'injected')
    }
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|portforward)$/.exec(url.pathname)
    if (!m) return refuse(404, 'NotFound', 'the server could not find the requested resource')
    const [, namespace, name, action] = m
    const pod = this.store.get(this.key(this.typeOf('Pod'), namespace, name)) as (Obj & {spec?: PodSpec; status?: PodStatus}) | undefined
    if (!pod) return refuse(404, 'NotFound', `pods "${name}" not found`)
    if (pod.status?.phase !== 'Running') return refuse(400, 'BadRequest', `pod ${name} is not running (phase ${pod.status?.phase ?? 'Pending'})`)
    if (!this.kubelet) return refuse(500, 'InternalError', 'no kubelet in this test server')
    if (action === 'exec') {
      const containers = (pod.spec?.containers ?? []).map((c) => c.name)
      const container = url.searchParams.get('container') ?? (containers.length === 1 ? containers[0] : undefined)
      if (!container) return refuse(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`)
      if (!containers.includes(container)) return refuse(400, 'BadRequest', `container ${container} is not valid for pod ${name}`)
      entry.status = 101
      this.wss.handleUpgrade(req, socket, head, (ws) => this.exec(ws, url.searchParams.getAll('command'), namespace))
      return
    }
    // kubelet's websocket port-forward speaks the channel protocols only; "portforward.k8s.io" is SPDY's name, and
    // the handshake fails with a bare 403 (found against the real kube-apiserver and KWOK's kubelet API).
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean)
    if (offered.length > 0 && !offered.some((p) => PORT_FORWARD_PROTOCOLS.includes(p))) {
      entry.status = 403
      return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    }
    const port = Number(url.searchParams.get('ports'))
    const target = this.kubelet.options.portForwardTarget?.(name, port)
    if (!target) return refuse(500, 'InternalError', `error forwarding port ${port} to pod ${name}: no target`)
    entry.status = 101
    this.wss.handleUpgrade(req, socket, head, (ws) => this.portForward(ws, port, target))
  }

  private exec(ws: WebSocket, argv: string[], namespace: string): void {
    const frame = (channel: number, data: Buffer | string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)]))
    this.kubelet!.start(argv, namespace, (chunk, stream) => frame(stream === 'stdout' ? 1 : 2, chunk), (code) => {
      const status = code === 0
        ? {metadata: {}, status: 'Success'}
        : {metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`, reason: 'NonZeroExitCode', details: {causes: [{reason: 'ExitCode', message: String(code)}]}}
      frame(3, JSON.stringify(status))
      ws.close(1000)
    })
  }

  private portForward(ws: WebSocket, port: number, target: {host: string; port: number}): void {
    const portBytes = Buffer.alloc(2)
    portBytes.writeUInt16LE(port)
    ws.send(Buffer.concat([Buffer.from([0]), portBytes]))
    ws.send(Buffer.concat([Buffer.from([1]), portBytes]))
    const tcp = tcpConnect(target.port, target.host)
    tcp.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), d])))
    tcp.on('error', (e) => {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port}: ${e.message}`)]))
      ws.close(1000)
    })
    tcp.on('close', () => ws.close(1000))
    ws.on('message', (d: Buffer) => {
      if (d[0] === 0 && d.length > 1) tcp.write(d.subarray(1))
    })
    ws.on('close', () => tcp.destroy())
  }

  private matching(t: ResourceType, namespace: string | undefined, query: Record<string, string>): Obj[] | string {
    let reqs: ReturnType<typeof parseLabelSelector> = []
    if (query.labelSelector) {
      reqs = parseLabelSelector(query.labelSelector)
      if (typeof reqs === 'string') return `unable to parse requirement: ${reqs}`
    }
    const fields: [string, string, boolean][] = []
    for (const term of (query.fieldSelector ?? '').split(',').filter(Boolean)) {
      const fm = /^([^!=]+)(==|=|!=)(.*)$/.exec(term)
      if (!fm) return `invalid field selector: ${term}`
      if (!t.fields.includes(fm[1])) return `field label not supported: ${fm[1]}`
      fields.push([fm[1], fm[3], fm[2] === '!='])
    }
    return [...this.store.values()]
      .filter((o) => o.kind === t.kind && (namespace === undefined || o.metadata.namespace === namespace))
      .filter((o) => matchesRequirements(reqs as Exclude<typeof reqs, string>, o.metadata.labels))
      .filter((o) => fields.every(([f, v, neg]) => (fieldValue(o, f) === v) !== neg))
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`))
  }

  private list(
    t: ResourceType,
    namespace: string | undefined,
    query: Record<string, string>,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    fail: (status: number, reason: string, message: string) => void,
    res: ServerResponse,
    entry: RecordedRequest,
  ): void {
    const items = this.matching(t, namespace, query)
    if (typeof items === 'string') return fail(400, 'BadRequest', items)
    if (query.watch === 'true' || query.watch === '1') {
      entry.status = 200
      res.writeHead(200, {'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked'})
      for (const o of items) res.write(JSON.stringify({type: 'ADDED', object: o}) + '\n')
      const w = {type: t, namespace, res}
      this.watchers.add(w)
      res.on('close', () => this.watchers.delete(w))
      return
    }
    let offset = 0
    let listRv = String(this.rv)
    if (query.continue) {
      let token: {rv: string; offset: number}
      try {
        token = JSON.parse(Buffer.from(query.continue, 'base64').toString('utf8'))
      } catch {
        return fail(400, 'BadRequest', 'continue key is not valid: illegal base64 data')
      }
      if (Number(token.rv) <= this.compactedRv) {
        return send(410, statusBody(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.'))
      }
      offset = token.offset
      listRv = token.rv
    }
    const limit = query.limit ? Number(query.limit) : 0
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset)
    const next = limit > 0 && offset + limit < items.length ? Buffer.from(JSON.stringify({rv: listRv, offset: offset + limit})).toString('base64') : undefined
    const metadata: Record<string, unknown> = {resourceVersion: listRv}
    if (next) {
      metadata.continue = next
      metadata.remainingItemCount = items.length - offset - page.length
    }
    // Items in a list carry no apiVersion/kind, as on a real API server.
    send(200, {kind: `${t.kind}List`, apiVersion: t.group ? `${t.group}/${t.version}` : t.version, metadata, items: page.map(({apiVersion: _a, kind: _k, ...rest}) => rest)})
  }

  private notify(t: ResourceType, type: string, o: Obj): void {
    for (const w of this.watchers) if (w.type === t && (w.namespace === undefined || w.namespace === o.metadata.namespace)) w.res.write(JSON.stringify({type, object: o}) + '\n')
  }

  private groupList() {
    const groups = [...new Set(RESOURCES.filter((r) => r.group && !this.unserved.has(r.group)).map((r) => r.group))]
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((name) => {
        const gv = {groupVersion: `${name}/v1`, version: 'v1'}
        return {name, versions: [gv], preferredVersion: gv}
      }),
    }
  }

  private resourceList(group: string, version: string) {
    const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
    const resources = RESOURCES.filter((r) => r.group === group && r.version === version).flatMap((r) => [
      {name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs, ...(r.shortNames ? {shortNames: r.shortNames} : {})},
      ...(r.kind === 'Pod' ? [{name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get']}, {name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update']}, {name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get']}, {name: 'pods/portforward', singularName: '', namespaced: true, kind: 'PodPortForwardOptions', verbs: ['create', 'get']}, {name: 'pods/ephemeralcontainers', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update']}] : []),
    ])
    return {kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources}
  }
}
