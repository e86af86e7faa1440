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
import {matchesRequirements, parseLabelSelector} from '../../src/cluster/labels.js'

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
  {group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', singular: 'ingress', kind: 'Ingress', namespaced: true, shortNames: ['ing'], fields: META_FIELDS},
]

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
  message?: string
  retryAfter?: number
  /** Never answer (for timeouts). */
  hang?: boolean
  /** How many requests it applies to; unlimited when absent. */
  times?: number
}

export interface KubeApiServerOptions {
  tls?: boolean
  /** Bearer token required on every request (401 otherwise); null disables auth. */
  token?: string | null
  /** API groups not served (e.g. discovery.k8s.io to test the v1 Endpoints fallback). */
  unservedGroups?: string[]
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

export class KubeApiServer {
  readonly requests: RecordedRequest[] = []
  url = ''
  readonly token: string | null
  private readonly server: http.Server
  private readonly store = new Map<string, Obj>()
  private readonly logs = new Map<string, string>()
  private readonly faults: Fault[] = []
  private readonly watchers = new Set<{type: ResourceType; namespace?: string; res: ServerResponse}>()
  private rv = 1000
  private compactedRv = 0
  private readonly unserved: Set<string>

  constructor(private readonly options: KubeApiServerOptions = {}) {
    this.token = options.token === undefined ? 'test-token' : options.token
    this.unserved = new Set(options.unservedGroups ?? [])
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res)
    this.server = options.tls ? https.createServer({cert: readFileSync(new URL('server.crt', TLS_DIR)), key: readFileSync(new URL('server.key', TLS_DIR))}, handler) : http.createServer(handler)
  }

  static caPath(): string {
    return new URL('ca.crt', TLS_DIR).pathname
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const {port} = this.server.address() as AddressInfo
    this.url = `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${port}`
    return this
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.end()
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Writes a kubeconfig pointing at this server; returns its path. */
  kubeconfig(options: {context?: string; namespace?: string; token?: string; extraContexts?: string[]} = {}): string {
    const ctx = options.context ?? 'test'
    const tls = this.options.tls ? `    certificate-authority: ${KubeApiServer.caPath()}` : '    insecure-skip-tls-verify: true'
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

  setLog(namespace: string, pod: string, text: string): void {
    this.logs.set(`${namespace}/${pod}`, text)
  }

  fault(f: Fault): this {
    this.faults.push({...f})
    return this
  }

  /** RBAC denial as the real API server words it. */
  forbid(verb: 'get' | 'list' | 'watch' | 'create' | 'delete', plural: string, namespace?: string, user = 'system:serviceaccount:default:kdisco'): this {
    const t = RESOURCES.find((r) => r.plural === plural)!
    const res = t.group ? `${plural}.${t.group}` : plural
    const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope'
    const path = new RegExp(`^/api${t.group ? `s/${t.group.replace(/\./g, '\\.')}` : ''}/v1/${namespace ? `namespaces/${namespace}/` : ''}${plural}${verb === 'list' || verb === 'watch' ? '$' : '/'}`)
    return this.fault({method: verb === 'create' ? 'POST' : verb === 'delete' ? 'DELETE' : 'GET', path, status: 403, reason: 'Forbidden', message: `${res} is forbidden: User "${user}" cannot ${verb} resource "${plural}" in API group "${t.group}"${scope}`})
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
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status
      const text = typeof body === 'string' ? body : JSON.stringify(body)
      res.writeHead(status, {'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers})
      res.end(text)
    }
    const fail = (status: number, reason: string, message: string, details?: Record<string, unknown>) => send(status, statusBody(status, reason, message, details))

    if (this.token !== null && req.headers.authorization !== `Bearer ${this.token}`) return fail(401, 'Unauthorized', 'Unauthorized')
    const fault = this.faults.find((f) => (!f.method || f.method === entry.method) && f.path.test(url.pathname) && (f.times === undefined || f.times > 0))
    if (fault) {
      if (fault.times !== undefined) fault.times--
      if (fault.hang) {
        entry.status = -1
        return // never answers
      }
      const status = fault.status ?? 500
      return send(status, statusBody(status, fault.reason ?? 'InternalError', fault.message ?? 'an error on the server ("injected") has prevented the request from succeeding', fault.retryAfter ? {retryAfterSeconds: fault.retryAfter} : undefined), fault.retryAfter ? {'Retry-After': String(fault.retryAfter)} : {})
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
        if (this.store.has(this.key(t, namespace, obj.metadata.name))) return fail(409, 'AlreadyExists', `${groupResource} "${obj.metadata.name}" already exists`, {name: obj.metadata.name, kind: t.plural})
        return send(201, this.put(obj, 'ADDED'))
      }
      return fail(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')
    }
    if (t.kind === 'Namespace' && namespace === undefined && rest.length >= 2) namespace = undefined
    const stored = this.store.get(this.key(t, namespace, name))
    if (req.method === 'DELETE') {
      if (!stored) return fail(404, 'NotFound', `${groupResource} "${name}" not found`, {name, kind: t.plural})
      this.remove(t.kind, namespace, name)
      return send(200, stored)
    }
    if (!stored) return fail(404, 'NotFound', `${groupResource} "${name}" not found`, {name, kind: t.plural})
    if (sub === 'log' && t.kind === 'Pod') return send(200, this.logs.get(`${namespace}/${name}`) ?? '')
    if (sub === 'status' || sub === undefined) return send(200, stored)
    return fail(404, 'NotFound', 'the server could not find the requested resource')
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
      ...(r.kind === 'Pod' ? [{name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get']}, {name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update']}] : []),
    ])
    return {kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources}
  }
}
