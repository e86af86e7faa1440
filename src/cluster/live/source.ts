// The live-cluster source: reads what a command needs through the API, in as few requests as possible, and
// produces the same ClusterSnapshot the file source does. Partial access (RBAC) degrades into snapshot gaps.
import {ExitCode, KdiscoError} from '../../errors.js'
import {completeSnapshot} from '../derive.js'
import {formatSelector} from '../labels.js'
import {
  type ClusterSnapshot,
  type ConfigMap,
  type Endpoints,
  type EndpointSlice,
  type Ingress,
  type Pod,
  CLUSTER_DNS_NAMESPACE,
  CLUSTER_DNS_SERVICE,
  SERVICE_NAME_LABEL,
  type Service,
  type StatefulSet,
  emptySnapshot,
} from '../types.js'
import {ApiError, KubeClient, type ListResult} from './client.js'
import {toKdiscoError} from './errors.js'
import type {KubeconfigOptions} from './kubeconfig.js'
import {connect} from './connect.js'

export type LiveKind = 'pods' | 'statefulsets' | 'ingresses'

export type LiveQuery =
  /** One Service: its object, its slices, the pods its selector matches (≤ 4 requests with the Corefile). */
  | {mode: 'service'; name: string; pods: boolean; nearMisses?: boolean; namespaceSlices?: boolean}
  /** A namespace (or every namespace): one paged LIST per kind. */
  | {mode: 'namespace'; kinds: LiveKind[]; serviceSelector?: string; clusterDns?: boolean; apiService?: boolean}

export interface LiveScope extends KubeconfigOptions {
  namespace?: string
  allNamespaces: boolean
  query: LiveQuery
  timeoutMs: number
  log?: (line: string) => void
}

export interface LiveResult {
  snapshot: ClusterSnapshot
  client: KubeClient
}

const CORE = '/api/v1'
const DISCOVERY = '/apis/discovery.k8s.io/v1'
const APPS = '/apis/apps/v1'
const NETWORKING = '/apis/networking.k8s.io/v1'

function scoped(group: string, resource: string, namespace?: string): string {
  return namespace ? `${group}/namespaces/${encodeURIComponent(namespace)}/${resource}` : `${group}/${resource}`
}

/** Kind names for objects that arrive from a LIST without apiVersion/kind on each item. */
function typed<T>(items: T[], apiVersion: string, kind: string): T[] {
  for (const item of items as (T & {apiVersion?: string; kind?: string})[]) {
    item.apiVersion ??= apiVersion
    item.kind ??= kind
  }
  return items
}

export async function loadLiveSnapshot(scope: LiveScope): Promise<LiveResult> {
  const {client, config, namespace} = connect(scope)
  const snap = emptySnapshot('live')
  snap.sources = [`${config.server} (context ${config.context})`]
  snap.defaultNamespace = namespace
  try {
    if (scope.query.mode === 'service') await readService(client, snap, namespace, scope.query)
    else await readNamespace(client, snap, scope.allNamespaces ? undefined : namespace, scope.query)
  } catch (error) {
    throw toKdiscoError(error, config)
  }
  return {snapshot: completeSnapshot(snap, {preferEndpoints: true}), client}
}

/** Records a forbidden or missing resource as a gap; anything else is fatal. */
async function optional<T>(snap: ClusterSnapshot, resource: string, namespace: string | undefined, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
      snap.gaps.push({resource, namespace, reason: error.status === 403 ? 'Forbidden' : 'NotFound', message: error.message.replace(/\s+/g, ' ')})
      return undefined
    }
    throw error
  }
}

/**
 * The CoreDNS ConfigMap, and what it depends on: kube-system/coredns-custom when the Corefile imports from it (AKS and
 * k3s mount it at /etc/coredns/custom), kube-system/kube-dns when there is no Corefile (kube-dns's stubDomains), and
 * with `nodeLocal` the NodeLocal DNSCache ConfigMap. An absent optional ConfigMap is no gap: most clusters have none.
 */
async function readCorefile(client: KubeClient, snap: ClusterSnapshot, options: {nodeLocal?: boolean} = {}): Promise<void> {
  const path = (name: string) => `${CORE}/namespaces/${CLUSTER_DNS_NAMESPACE}/configmaps/${name}`
  const extra = async (name: string) => {
    try {
      const cm = await client.get<ConfigMap>(path(name))
      snap.configMaps.push({...cm, apiVersion: 'v1', kind: 'ConfigMap'})
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return
      if (error instanceof ApiError && error.status === 403) {
        snap.gaps.push({resource: 'configmaps', namespace: CLUSTER_DNS_NAMESPACE, reason: 'Forbidden', message: `${name}: ${error.message.replace(/\s+/g, ' ')}`})
        return
      }
      throw error
    }
  }
  const [cm] = await Promise.all([optional(snap, 'configmaps', CLUSTER_DNS_NAMESPACE, () => client.get<ConfigMap>(path('coredns'))), options.nodeLocal ? extra('node-local-dns') : undefined])
  if (cm) snap.configMaps.push({...cm, apiVersion: 'v1', kind: 'ConfigMap'})
  if (cm && /^\s*import\s+\S*custom\//m.test(cm.data?.Corefile ?? '')) await extra('coredns-custom')
  if (!cm && snap.gaps.some((g) => g.resource === 'configmaps' && g.reason === 'NotFound')) await extra('kube-dns')
}

/** EndpointSlices, or v1 Endpoints when the cluster does not serve discovery.k8s.io/v1. */
async function readEndpoints(client: KubeClient, snap: ClusterSnapshot, namespace: string | undefined, labelSelector?: string): Promise<void> {
  try {
    const slices = await client.list<EndpointSlice>(scoped(DISCOVERY, 'endpointslices', namespace), {labelSelector})
    snap.endpointSlices.push(...typed(slices.items, 'discovery.k8s.io/v1', 'EndpointSlice'))
    return
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      if (error instanceof ApiError && error.status === 403) {
        snap.gaps.push({resource: 'endpointslices', namespace, reason: 'Forbidden', message: error.message})
        return
      }
      throw error
    }
  }
  // discovery.k8s.io/v1 is not served (Kubernetes < 1.21): fall back to v1 Endpoints.
  const fieldSelector = labelSelector?.startsWith(`${SERVICE_NAME_LABEL}=`) ? `metadata.name=${labelSelector.split('=')[1]}` : undefined
  const eps = await optional(snap, 'endpoints', namespace, () => client.list<Endpoints>(scoped(CORE, 'endpoints', namespace), {fieldSelector}))
  if (eps) snap.endpoints.push(...typed(eps.items, 'v1', 'Endpoints'))
}

function selectorString(selector: Record<string, string> | undefined): string | undefined {
  return formatSelector(selector) || undefined
}

async function readService(client: KubeClient, snap: ClusterSnapshot, namespace: string, query: Extract<LiveQuery, {mode: 'service'}>): Promise<void> {
  const svcPath = `${CORE}/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(query.name)}`
  const [svc] = await Promise.all([
    client.get<Service>(svcPath).catch(async (error) => {
      if (error instanceof ApiError && error.status === 404) throw await notFound(client, namespace, query.name)
      throw error
    }),
    // Every slice of the namespace when PTR answers matter (an address can back several Services).
    readEndpoints(client, snap, namespace, query.namespaceSlices ? undefined : `${SERVICE_NAME_LABEL}=${query.name}`),
    readCorefile(client, snap),
  ])
  snap.services.push({...svc, apiVersion: 'v1', kind: 'Service'})
  snap.namespaces = [...new Set(['default', 'kube-system', namespace])]
  snap.readNamespaces = [namespace]
  await readExternalNameTargets(client, snap, svc)
  const labelSelector = selectorString(svc.spec?.selector)
  if (query.pods && labelSelector) {
    // One unpaged request: a single Service's pods are a bounded set, and the request count stays flat.
    const pods = await optional(snap, 'pods', namespace, () => client.list<Pod>(scoped(CORE, 'pods', namespace), {labelSelector}, {paged: false}))
    if (pods) snap.pods.push(...typed(pods.items, 'v1', 'Pod'))
    // Nothing matches: read the namespace's pods once more to find near misses.
    if (pods && pods.items.length === 0 && query.nearMisses) {
      const all = await optional(snap, 'pods', namespace, () => client.list<Pod>(scoped(CORE, 'pods', namespace)))
      if (all) snap.pods.push(...typed(all.items, 'v1', 'Pod'))
    }
  }
}

/**
 * An ExternalName whose target is a Service name in the cluster zone is answered with that Service's records
 * (CoreDNS chases it inside the plugin): read the target, and its slices, following chains as CoreDNS does.
 */
async function readExternalNameTargets(client: KubeClient, snap: ClusterSnapshot, svc: Service): Promise<void> {
  let current: Service | undefined = svc
  for (let depth = 0; depth < 8 && current?.spec?.type === 'ExternalName'; depth++) {
    const m = /^([a-z0-9-]{1,63})\.([a-z0-9-]{1,63})\.svc\.[^]*$/i.exec(current.spec.externalName ?? '')
    if (!m) return
    const [name, namespace] = [m[1].toLowerCase(), m[2].toLowerCase()]
    if (snap.services.some((s) => s.metadata.name === name && (s.metadata.namespace ?? 'default') === namespace)) return
    current = await optional(snap, 'services', namespace, () => client.get<Service>(`${CORE}/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`))
    if (!current) return
    snap.services.push({...current, apiVersion: 'v1', kind: 'Service'})
    // The Service exists, so its namespace does.
    snap.namespaces = [...new Set([...snap.namespaces, namespace])]
    await readEndpoints(client, snap, namespace, `${SERVICE_NAME_LABEL}=${name}`)
  }
}

/** A 404 for a Service: say whether the namespace exists, and suggest names. */
async function notFound(client: KubeClient, namespace: string, name: string): Promise<KdiscoError> {
  try {
    await client.get(`${CORE}/namespaces/${encodeURIComponent(namespace)}`)
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return new KdiscoError(`namespace "${namespace}" not found`, {hint: 'Check -n (kubectl get namespaces lists them)', exitCode: ExitCode.CLUSTER})
    if (!(error instanceof ApiError && error.status === 403)) throw error
  }
  const [here, elsewhere] = await Promise.all([
    client.list<Service>(scoped(CORE, 'services', namespace)).catch(() => ({items: []}) as ListResult<Service>),
    client.list<Service>(`${CORE}/services`, {fieldSelector: `metadata.name=${name}`}).catch(() => ({items: []}) as ListResult<Service>),
  ])
  const {closeNames} = await import('../find.js')
  const candidates = [...here.items, ...elsewhere.items].map((s) => ({name: s.metadata.name, namespace: s.metadata.namespace ?? namespace}))
  const hints = closeNames(name, namespace, candidates)
  return new KdiscoError(`Service "${name}" not found in namespace ${namespace}`, {hint: hints.length ? hints.join('; ') : 'List Services with kdisco svc list', exitCode: ExitCode.CLUSTER})
}

async function readNamespace(client: KubeClient, snap: ClusterSnapshot, namespace: string | undefined, query: Extract<LiveQuery, {mode: 'namespace'}>): Promise<void> {
  const kinds = new Set(query.kinds)
  const tasks: Promise<unknown>[] = []
  const add = <T>(p: Promise<T>, then: (v: T) => void) => tasks.push(p.then(then))
  add(client.list<Service>(scoped(CORE, 'services', namespace), {labelSelector: query.serviceSelector}), (r) => snap.services.push(...typed(r.items, 'v1', 'Service')))
  tasks.push(readEndpoints(client, snap, namespace))
  tasks.push(readCorefile(client, snap, {nodeLocal: query.clusterDns}))
  if (namespace) {
    add(
      client.get(`${CORE}/namespaces/${encodeURIComponent(namespace)}`).catch((error) => {
        if (error instanceof ApiError && error.status === 404) throw new KdiscoError(`namespace "${namespace}" not found`, {hint: 'Check -n (kubectl get namespaces lists them)', exitCode: ExitCode.CLUSTER})
        if (error instanceof ApiError && error.status === 403) return undefined // cannot tell; assume it exists
        throw error
      }),
      () => (snap.namespaces = [...new Set(['default', 'kube-system', namespace])]),
    )
    // Single Services from other namespaces: the API server's (control name) and cluster DNS (resolv.conf).
    const oneService = (ns: string, name: string) =>
      add(optional(snap, 'services', ns, () => client.get<Service>(`${CORE}/namespaces/${ns}/services/${name}`)), (svc) => {
        if (svc) snap.services.push({...svc, apiVersion: 'v1', kind: 'Service'})
      })
    if (query.apiService && namespace !== 'default') oneService('default', 'kubernetes')
    if (query.clusterDns && namespace !== CLUSTER_DNS_NAMESPACE) oneService(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE)
  } else {
    add(optional(snap, 'namespaces', undefined, () => client.list<{metadata: {name: string}}>(`${CORE}/namespaces`)), (r) => {
      snap.namespaces = r ? r.items.map((n) => n.metadata.name) : []
    })
  }
  if (kinds.has('pods')) add(optional(snap, 'pods', namespace, () => client.list<Pod>(scoped(CORE, 'pods', namespace))), (r) => r && snap.pods.push(...typed(r.items, 'v1', 'Pod')))
  if (kinds.has('statefulsets'))
    add(optional(snap, 'statefulsets', namespace, () => client.list<StatefulSet>(scoped(APPS, 'statefulsets', namespace))), (r) => r && snap.statefulSets.push(...typed(r.items, 'apps/v1', 'StatefulSet')))
  if (kinds.has('ingresses'))
    add(optional(snap, 'ingresses', namespace, () => client.list<Ingress>(scoped(NETWORKING, 'ingresses', namespace))), (r) => r && snap.ingresses.push(...typed(r.items, 'networking.k8s.io/v1', 'Ingress')))
  await Promise.all(tasks)
  if (namespace) snap.readNamespaces = [namespace]
  if (!namespace && snap.namespaces.length === 0) {
    // Namespaces could not be listed: every namespace an object lives in exists.
    snap.namespaces = [...new Set(['default', 'kube-system', ...snap.services.map((s) => s.metadata.namespace ?? 'default')])]
  }
  snap.namespaces.sort()
}
