// The live-cluster source: reads what a command needs through the API, in as few requests as possible, and
// produces the same ClusterSnapshot the file source does. Partial access (RBAC) degrades into snapshot gaps.
import {ExitCode, KdiscoError, quote} from '../../errors.js'
import {completeSnapshot} from '../derive.js'
import {formatSelector, matchesServiceSelector} from '../labels.js'
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
import type {KubeconfigOptions, LoadedKubeconfig} from './kubeconfig.js'
import {type ClusterRead, readKey} from '../../dns/reads.js'
import {connect} from './connect.js'

export type LiveKind = 'pods' | 'statefulsets' | 'ingresses'

export type LiveQuery =
  /** One Service: its object, its slices, the pods its selector matches (≤ 4 requests with the Corefile). */
  | {mode: 'service'; name: string; pods: boolean; nearMisses?: boolean; namespaceSlices?: boolean}
  /**
   * One pod: its GET, its namespace's Services and slices (the names it has), the Corefile and cluster DNS (its
   * resolv.conf). When it is not there, the namespace, its StatefulSets (pods to come) and pods (hints) too.
   */
  | {mode: 'pod'; name: string}
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

/** Appends a LIST's items (apiVersion set where the API server left it out; the client checked kind and shape). */
function append<T>(into: T[], items: T[], apiVersion: string): void {
  for (const item of items as (T & {apiVersion?: string})[]) {
    item.apiVersion ??= apiVersion
    into.push(item)
  }
}

export async function loadLiveSnapshot(scope: LiveScope): Promise<LiveResult> {
  const {client, config, namespace} = await connect(scope)
  const snap = emptySnapshot('live')
  snap.sources = [`${config.display} (context ${config.context})`]
  snap.defaultNamespace = namespace
  try {
    if (scope.query.mode === 'service') await readService(client, snap, namespace, scope.query)
    else if (scope.query.mode === 'pod') await readPod(client, snap, namespace, scope.query.name)
    else await readNamespace(client, snap, scope.allNamespaces ? undefined : namespace, scope.query)
    if (!scope.allNamespaces) await readExternalNameTargets(client, snap)
  } catch (error) {
    throw toKdiscoError(error, config)
  }
  // CoreDNS answers from the EndpointSlices that exist: none are derived, except where kdisco may not read them
  // (RBAC) — there the pods tell what the controller wrote, and the endpoints are marked derived.
  const unreadable = new Set(snap.gaps.filter((g) => g.resource === 'endpointslices').map((g) => g.namespace ?? ''))
  return {snapshot: completeSnapshot(snap, {fromPods: (ns) => unreadable.has(ns) || unreadable.has('')}), client}
}

/** A server's message in one line, at most 300 characters. */
const gapMessage = (message: string) => {
  const line = message.replace(/\s+/g, ' ').trim()
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}

/** Records a forbidden or missing resource as a gap (any error status with `anyStatus`); anything else is fatal. */
async function optional<T>(snap: ClusterSnapshot, resource: string, namespace: string | undefined, read: () => Promise<T>, anyStatus = false): Promise<T | undefined> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404 || anyStatus)) {
      const reason = error.status === 403 ? 'Forbidden' : error.status === 404 ? 'NotFound' : `${error.status}${error.reason ? ` ${error.reason}` : ''}`
      snap.gaps.push({resource, namespace, reason, message: gapMessage(error.message)})
      return undefined
    }
    throw error
  }
}

/**
 * The CoreDNS ConfigMap (when the API server refuses it, whatever the status, kubeadm's defaults apply: README), and
 * what it depends on: kube-system/coredns-custom when the Corefile imports from it (AKS and
 * k3s mount it at /etc/coredns/custom), kube-system/kube-dns when there is no Corefile (kube-dns's stubDomains), and
 * with `nodeLocal` the NodeLocal DNSCache ConfigMap. An absent optional ConfigMap is no gap: most clusters have none.
 */
async function readCorefile(client: KubeClient, snap: ClusterSnapshot, options: {nodeLocal?: boolean} = {}): Promise<void> {
  const path = (name: string) => `${CORE}/namespaces/${CLUSTER_DNS_NAMESPACE}/configmaps/${name}`
  const extra = async (name: string) => {
    try {
      const cm = await client.get<ConfigMap>(path(name), undefined, {kind: 'ConfigMap', namespace: CLUSTER_DNS_NAMESPACE})
      snap.configMaps.push({...cm, apiVersion: 'v1', kind: 'ConfigMap'})
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return
      if (error instanceof ApiError && error.status === 403) {
        snap.gaps.push({resource: 'configmaps', namespace: CLUSTER_DNS_NAMESPACE, reason: 'Forbidden', message: `${name}: ${gapMessage(error.message)}`})
        return
      }
      throw error
    }
  }
  const [cm] = await Promise.all([optional(snap, 'configmaps', CLUSTER_DNS_NAMESPACE, () => client.get<ConfigMap>(path('coredns'), undefined, {kind: 'ConfigMap', namespace: CLUSTER_DNS_NAMESPACE}), true), options.nodeLocal ? extra('node-local-dns') : undefined])
  if (cm) snap.configMaps.push({...cm, apiVersion: 'v1', kind: 'ConfigMap'})
  if (cm && /^\s*import\s+\S*custom\//m.test(cm.data?.Corefile ?? '')) await extra('coredns-custom')
  if (!cm && snap.gaps.some((g) => g.resource === 'configmaps' && g.reason === 'NotFound')) await extra('kube-dns')
}

/** EndpointSlices, or v1 Endpoints when the cluster does not serve discovery.k8s.io/v1. */
async function readEndpoints(client: KubeClient, snap: ClusterSnapshot, namespace: string | undefined, labelSelector?: string): Promise<void> {
  try {
    const slices = await client.list<EndpointSlice>(scoped(DISCOVERY, 'endpointslices', namespace), {labelSelector}, {expect: {kind: 'EndpointSlice', namespace}})
    append(snap.endpointSlices, slices.items, 'discovery.k8s.io/v1')
    return
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      if (error instanceof ApiError && error.status === 403) {
        snap.gaps.push({resource: 'endpointslices', namespace, reason: 'Forbidden', message: gapMessage(error.message)})
        return
      }
      throw error
    }
  }
  // discovery.k8s.io/v1 is not served (Kubernetes < 1.21): fall back to v1 Endpoints.
  const fieldSelector = labelSelector?.startsWith(`${SERVICE_NAME_LABEL}=`) ? `metadata.name=${labelSelector.split('=')[1]}` : undefined
  const eps = await optional(snap, 'endpoints', namespace, () => client.list<Endpoints>(scoped(CORE, 'endpoints', namespace), {fieldSelector}, {expect: {kind: 'Endpoints', namespace}}))
  if (eps) append(snap.endpoints, eps.items, 'v1')
}

function selectorString(selector: Record<string, string> | undefined): string | undefined {
  return formatSelector(selector) || undefined
}

/**
 * For the reads of one Service or one pod, which hold one namespace's slices: the selector of a Service that has no
 * EndpointSlice (nor v1 Endpoints) among them. It has no endpoints in DNS then, and its pods, read by that selector,
 * say how many it should have had (missingEndpointSlices). Undefined for a Service without a selector, an
 * ExternalName, one with slices, or when slices could not be read (nothing can be told then).
 */
function slicelessSelector(snap: ClusterSnapshot, svc: Service): string | undefined {
  if (svc.spec?.type === 'ExternalName' || snap.gaps.some((g) => g.resource === 'endpointslices' || g.resource === 'endpoints')) return undefined
  const name = svc.metadata.name
  if (snap.endpointSlices.some((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name) || snap.endpoints.some((e) => e.metadata.name === name)) return undefined
  return selectorString(svc.spec?.selector)
}

/** The pods a selector matches, in one unpaged request: a single Service's pods are a bounded set. */
function readSelectedPods(client: KubeClient, snap: ClusterSnapshot, namespace: string, labelSelector: string): Promise<ListResult<Pod> | undefined> {
  return optional(snap, 'pods', namespace, () => client.list<Pod>(scoped(CORE, 'pods', namespace), {labelSelector}, {paged: false, expect: {kind: 'Pod', namespace}}))
}

async function readService(client: KubeClient, snap: ClusterSnapshot, namespace: string, query: Extract<LiveQuery, {mode: 'service'}>): Promise<void> {
  const svcPath = `${CORE}/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(query.name)}`
  const [svc] = await Promise.all([
    client.get<Service>(svcPath, undefined, {kind: 'Service', namespace}).catch(async (error) => {
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
  const labelSelector = selectorString(svc.spec?.selector)
  // Its pods, when asked for or when it has no EndpointSlice (one more request, only then). Without the right to read
  // EndpointSlices (RBAC), the endpoints are derived from those pods, as the controller would, and marked derived.
  const slicesForbidden = snap.gaps.some((g) => g.resource === 'endpointslices')
  if (labelSelector && (query.pods || slicesForbidden || slicelessSelector(snap, svc))) {
    const pods = await readSelectedPods(client, snap, namespace, labelSelector)
    if (pods) append(snap.pods, pods.items, 'v1')
    // Nothing matches: read the namespace's pods once more to find near misses.
    if (pods && pods.items.length === 0 && query.nearMisses) {
      const all = await optional(snap, 'pods', namespace, () => client.list<Pod>(scoped(CORE, 'pods', namespace), {}, {expect: {kind: 'Pod', namespace}}))
      if (all) append(snap.pods, all.items, 'v1')
    }
  }
}

/** Whether a namespace exists (a 403 cannot tell: it is assumed to). */
function namespaceExists(client: KubeClient, namespace: string): Promise<boolean> {
  return client.get(`${CORE}/namespaces/${encodeURIComponent(namespace)}`, undefined, {kind: 'Namespace'}).then(
    () => true,
    (error) => {
      if (error instanceof ApiError && error.status === 404) return false
      if (error instanceof ApiError && error.status === 403) return true
      throw error
    },
  )
}

async function readPod(client: KubeClient, snap: ClusterSnapshot, namespace: string, name: string): Promise<void> {
  const podPath = `${CORE}/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`
  const services = (ns: string) => client.list<Service>(scoped(CORE, 'services', ns), {}, {expect: {kind: 'Service', namespace: ns}})
  const absent = (error: unknown) => {
    if (error instanceof ApiError && error.status === 404) return undefined
    throw error
  }
  const [pod, here, dns] = await Promise.all([
    optional(snap, 'pods', namespace, () => client.get<Pod>(podPath, undefined, {kind: 'Pod', namespace}).catch(absent)),
    services(namespace),
    // As in a namespace read: a missing cluster DNS Service is a gap (the resolv.conf's nameserver is unknown).
    namespace === CLUSTER_DNS_NAMESPACE ? undefined : optional(snap, 'services', CLUSTER_DNS_NAMESPACE, () => client.get<Service>(`${CORE}/namespaces/${CLUSTER_DNS_NAMESPACE}/services/${CLUSTER_DNS_SERVICE}`, undefined, {kind: 'Service', namespace: CLUSTER_DNS_NAMESPACE})),
    readEndpoints(client, snap, namespace),
    readCorefile(client, snap, {nodeLocal: true}),
  ])
  append(snap.services, here.items, 'v1')
  if (dns) snap.services.push({...dns, apiVersion: 'v1', kind: 'Service'})
  snap.readNamespaces = [namespace]
  snap.namespaces = [...new Set(['default', 'kube-system', namespace])].sort()
  // Without the right to read slices (RBAC), the endpoints come from the namespace's pods, as in a namespace read.
  const slicesForbidden = snap.gaps.some((g) => g.resource === 'endpointslices')
  const podsForbidden = snap.gaps.some((g) => g.resource === 'pods')
  if (pod && !slicesForbidden) {
    snap.pods.push({...pod, apiVersion: 'v1', kind: 'Pod'})
    // A Service selecting the pod without any EndpointSlice: its pods are read as svc lookup reads them (one request
    // more per such selector, only then: Services sharing a selector share the read).
    const selectors = new Set(here.items.filter((svc) => matchesServiceSelector(svc.spec?.selector, pod.metadata.labels)).map((svc) => slicelessSelector(snap, svc)))
    selectors.delete(undefined)
    const selected = await Promise.all([...selectors].map((labelSelector) => readSelectedPods(client, snap, namespace, labelSelector!)))
    const have = new Set([pod.metadata.name])
    for (const p of selected.flatMap((r) => r?.items ?? [])) {
      if (have.has(p.metadata.name)) continue
      have.add(p.metadata.name)
      snap.pods.push({...p, apiVersion: 'v1', kind: 'Pod'})
    }
    return
  }
  const [exists, pods, sets] = await Promise.all([
    pod ? true : namespaceExists(client, namespace),
    podsForbidden ? undefined : optional(snap, 'pods', namespace, () => client.list<Pod>(scoped(CORE, 'pods', namespace), {}, {expect: {kind: 'Pod', namespace}})),
    pod ? undefined : optional(snap, 'statefulsets', namespace, () => client.list<StatefulSet>(scoped(APPS, 'statefulsets', namespace), {}, {expect: {kind: 'StatefulSet', namespace}})),
  ])
  if (!exists) snap.namespaces = ['default', 'kube-system']
  if (pods) append(snap.pods, pods.items, 'v1')
  else if (pod) snap.pods.push({...pod, apiVersion: 'v1', kind: 'Pod'})
  if (sets) append(snap.statefulSets, sets.items, 'apps/v1')
}

/** `<service>.<namespace>.svc.<zone>`: the Service an ExternalName points at inside the cluster, if it does. */
function inClusterTarget(svc: Service): {namespace: string; name: string} | undefined {
  if (svc.spec?.type !== 'ExternalName') return undefined
  const labels = (svc.spec.externalName ?? '').toLowerCase().replace(/\.$/, '').split('.')
  return labels.length >= 4 && labels[2] === 'svc' ? {name: labels[0], namespace: labels[1]} : undefined
}

/**
 * CoreDNS chases an ExternalName's in-cluster target itself, so what its name answers depends on a Service that may
 * live in another namespace: read it (and its slices), following chains as far as CoreDNS does (8 hops).
 */
async function readExternalNameTargets(client: KubeClient, snap: ClusterSnapshot): Promise<void> {
  const have = (t: {namespace: string; name: string}) => snap.services.some((s) => s.metadata.name === t.name && (s.metadata.namespace ?? 'default') === t.namespace)
  const asked = new Set<string>()
  for (let hop = 0; hop < 8; hop++) {
    const targets = snap.services.map(inClusterTarget).filter((t) => t !== undefined && !have(t) && !asked.has(`${t.namespace}/${t.name}`)) as {namespace: string; name: string}[]
    if (targets.length === 0) return
    await Promise.all(
      targets.map(async (t) => {
        asked.add(`${t.namespace}/${t.name}`)
        // A target that does not exist is an answer (the CNAME is dropped), not a gap in what could be read.
        const svc = await optional(snap, 'services', t.namespace, () =>
          client.get<Service>(`${CORE}/namespaces/${encodeURIComponent(t.namespace)}/services/${encodeURIComponent(t.name)}`).catch((error) => {
            if (error instanceof ApiError && error.status === 404) return undefined
            throw error
          }),
        )
        if (!svc) return
        snap.services.push({...svc, apiVersion: 'v1', kind: 'Service'})
        snap.namespaces = [...new Set([...snap.namespaces, t.namespace])].sort()
        if (!snap.endpointSlices.some((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === t.name && s.metadata.namespace === t.namespace)) await readEndpoints(client, snap, t.namespace, `${SERVICE_NAME_LABEL}=${t.name}`)
      }),
    )
  }
}

/**
 * A 404 for a Service: say whether the namespace exists, and suggest names. Exit 2 as offline (a name the user gave
 * that does not exist), not 3: the cluster was read.
 */
async function notFound(client: KubeClient, namespace: string, name: string): Promise<KdiscoError> {
  const sameName = () => client.list<Service>(`${CORE}/services`, {fieldSelector: `metadata.name=${name}`}, {expect: {kind: 'Service'}}).catch(() => ({items: []}) as ListResult<Service>)
  const {closeNames, hintOf, serviceNotFoundError} = await import('../find.js')
  const asCandidates = (services: Service[]) => services.map((s) => ({name: s.metadata.name, namespace: s.metadata.namespace ?? namespace}))
  if (!(await namespaceExists(client, namespace))) {
    const hints = closeNames(name, namespace, asCandidates((await sameName()).items))
    return new KdiscoError(`Service ${quote(name)} not found: namespace "${namespace}" does not exist`, {hint: hintOf(hints, 'Check -n (kubectl get namespaces lists them)'), exitCode: ExitCode.USAGE})
  }
  const [here, elsewhere] = await Promise.all([client.list<Service>(scoped(CORE, 'services', namespace), {}, {expect: {kind: 'Service', namespace}}).catch(() => ({items: []}) as ListResult<Service>), sameName()])
  return serviceNotFoundError(name, namespace, closeNames(name, namespace, asCandidates([...here.items, ...elsewhere.items])))
}

async function readNamespace(client: KubeClient, snap: ClusterSnapshot, namespace: string | undefined, query: Extract<LiveQuery, {mode: 'namespace'}>): Promise<void> {
  const kinds = new Set(query.kinds)
  const tasks: Promise<unknown>[] = []
  const add = <T>(p: Promise<T>, then: (v: T) => void) => tasks.push(p.then(then))
  add(client.list<Service>(scoped(CORE, 'services', namespace), {labelSelector: query.serviceSelector}, {expect: {kind: 'Service', namespace}}), (r) => append(snap.services, r.items, 'v1'))
  tasks.push(readEndpoints(client, snap, namespace))
  tasks.push(readCorefile(client, snap, {nodeLocal: query.clusterDns}))
  if (namespace) {
    // A namespace that does not exist is left out of `namespaces` (the pipeline warns); every cluster has the first two.
    add(
      namespaceExists(client, namespace),
      (exists) => (snap.namespaces = [...new Set(['default', 'kube-system', ...(exists ? [namespace] : [])])]),
    )
    // Single Services from other namespaces: the API server's (control name) and cluster DNS (resolv.conf).
    const oneService = (ns: string, name: string) =>
      add(optional(snap, 'services', ns, () => client.get<Service>(`${CORE}/namespaces/${ns}/services/${name}`, undefined, {kind: 'Service', namespace: ns})), (svc) => {
        if (svc) snap.services.push({...svc, apiVersion: 'v1', kind: 'Service'})
      })
    if (query.apiService && namespace !== 'default') oneService('default', 'kubernetes')
    if (query.clusterDns && namespace !== CLUSTER_DNS_NAMESPACE) oneService(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE)
  } else {
    add(optional(snap, 'namespaces', undefined, () => client.list<{metadata: {name: string}}>(`${CORE}/namespaces`, {}, {expect: {kind: 'Namespace'}})), (r) => {
      snap.namespaces = r ? r.items.map((n) => n.metadata.name) : []
    })
  }
  if (kinds.has('pods')) add(optional(snap, 'pods', namespace, () => client.list<Pod>(scoped(CORE, 'pods', namespace), {}, {expect: {kind: 'Pod', namespace}})), (r) => r && append(snap.pods, r.items, 'v1'))
  if (kinds.has('statefulsets'))
    add(optional(snap, 'statefulsets', namespace, () => client.list<StatefulSet>(scoped(APPS, 'statefulsets', namespace), {}, {expect: {kind: 'StatefulSet', namespace}})), (r) => r && append(snap.statefulSets, r.items, 'apps/v1'))
  if (kinds.has('ingresses'))
    add(optional(snap, 'ingresses', namespace, () => client.list<Ingress>(scoped(NETWORKING, 'ingresses', namespace), {}, {expect: {kind: 'Ingress', namespace}})), (r) => r && append(snap.ingresses, r.items, 'networking.k8s.io/v1'))
  await Promise.all(tasks)
  if (namespace) snap.readNamespaces = [namespace]
  if (!namespace && snap.namespaces.length === 0) {
    // Namespaces could not be listed: every namespace an object lives in exists.
    snap.namespaces = [...new Set(['default', 'kube-system', ...snap.services.map((s) => s.metadata.namespace ?? 'default')])]
  }
  snap.namespaces.sort()
}

/** `namespace/name`, lower-cased: one copy of an object that several reads return. */
const objectKey = (o: {metadata: {name: string; namespace?: string}}) => `${(o.metadata.namespace ?? 'default').toLowerCase()}/${o.metadata.name.toLowerCase()}`

/**
 * The objects one DNS question depends on, read in rounds: the model runs on what has been read, says what the
 * names reaching its kubernetes plugin consulted (ClusterRead), and the reader fetches what is new, until nothing is.
 * Services by GET with their slices by `kubernetes.io/service-name`, namespaces by GET, pods by status.podIP; a
 * cluster-wide LIST only where no narrower request exists (each says why in `clusterWide`).
 */
export class QuestionReader {
  readonly clusterWide: string[] = []
  private readonly done = new Set<string>()
  private readonly services = new Map<string, Service>()
  private readonly slices = new Map<string, EndpointSlice>()
  private readonly pods = new Map<string, Pod>()
  private readonly namespaces = new Set<string>(['default', 'kube-system'])
  private readonly absent = new Set<string>()

  private constructor(
    readonly client: KubeClient,
    private readonly base: ClusterSnapshot,
    private readonly config: LoadedKubeconfig,
  ) {}

  /**
   * The first round, before the Corefile is known: the Corefile (and NodeLocal DNSCache's), the cluster DNS Service
   * (the resolv.conf nameserver), the asking namespace, and the asking pod when there is one.
   */
  static async open(scope: Omit<LiveScope, 'query' | 'allNamespaces'>, asking: {pod?: string}): Promise<QuestionReader> {
    const {client, config, namespace} = await connect(scope)
    const snap = emptySnapshot('live')
    snap.sources = [`${config.display} (context ${config.context})`]
    snap.defaultNamespace = namespace
    const reader = new QuestionReader(client, snap, config)
    reader.done.add(readKey({kind: 'namespace', namespace}))
    await reader.guard(async () => {
      await Promise.all([
        readCorefile(client, snap, {nodeLocal: true}),
        reader.readService(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE, false),
        reader.readNamespaceExists(namespace),
        asking.pod === undefined ? undefined : reader.readPod(namespace, asking.pod),
      ])
      // NodeLocal DNSCache forwards to kube-dns-upstream: the model needs its address to see the hop.
      if (snap.configMaps.some((c) => c.metadata.name === 'node-local-dns')) await reader.readService(CLUSTER_DNS_NAMESPACE, `${CLUSTER_DNS_SERVICE}-upstream`, false)
    })
    return reader
  }

  /** Reads what is new among `reads`; false when everything was read already (the answer is complete). */
  async read(reads: ClusterRead[]): Promise<boolean> {
    const fresh = reads.filter((r) => !this.done.has(readKey(r)))
    if (fresh.length === 0) return false
    for (const r of fresh) this.done.add(readKey(r))
    await this.guard(() => Promise.all(fresh.map((r) => this.readOne(r))))
    return true
  }

  /** The reads done so far (readKey). */
  readKeys(): Set<string> {
    return new Set(this.done)
  }

  /** What has been read, as a snapshot (a new one each round: the model indexes it once). */
  snapshot(): ClusterSnapshot {
    const objectNamespaces = [...this.services.values(), ...this.slices.values(), ...this.pods.values()].map((o) => o.metadata.namespace ?? 'default')
    const snap: ClusterSnapshot = {
      ...this.base,
      gaps: [...this.base.gaps],
      warnings: [...this.base.warnings],
      configMaps: [...this.base.configMaps],
      endpoints: [...this.base.endpoints],
      // Objects live only in namespaces that exist.
      namespaces: [...new Set([...this.namespaces, ...objectNamespaces])].sort(),
      services: [...this.services.values()],
      endpointSlices: [...this.slices.values()],
      pods: [...this.pods.values()],
    }
    return completeSnapshot(snap, {fromPods: (ns) => this.slicesUnreadable(ns)})
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw toKdiscoError(error, this.config)
    }
  }

  private async readOne(r: ClusterRead): Promise<void> {
    switch (r.kind) {
      case 'namespace':
        return this.readNamespaceExists(r.namespace)
      case 'service':
        return this.readService(r.namespace, r.name, true)
      case 'pods-at': {
        const path = scoped(CORE, 'pods', r.namespace)
        const found = await optional(this.base, 'pods', r.namespace, () => this.client.list<Pod>(path, {fieldSelector: `status.podIP=${r.ip}`}, {paged: false, expect: {kind: 'Pod', namespace: r.namespace}}))
        for (const p of found?.items ?? []) this.pods.set(objectKey(p), {...p, apiVersion: 'v1', kind: 'Pod'})
        return
      }
      case 'services-named': {
        const found = await optional(this.base, 'services', undefined, () => this.client.list<Service>(`${CORE}/services`, {fieldSelector: `metadata.name=${r.name}`}, {paged: false, expect: {kind: 'Service'}}))
        for (const s of found?.items ?? []) this.services.set(objectKey(s), {...s, apiVersion: 'v1', kind: 'Service'})
        return
      }
      case 'all-services': {
        this.clusterWide.push(`read every Service: ${r.why}`)
        const found = await optional(this.base, 'services', undefined, () => this.client.list<Service>(`${CORE}/services`, {}, {expect: {kind: 'Service'}}))
        for (const s of found?.items ?? []) this.services.set(objectKey(s), {...s, apiVersion: 'v1', kind: 'Service'})
        return
      }
      case 'all-endpointslices': {
        this.clusterWide.push(`read every EndpointSlice: ${r.why}`)
        return this.readSlices(undefined)
      }
    }
  }

  private async readSlices(namespace: string | undefined, labelSelector?: string): Promise<void> {
    const into = emptySnapshot('live')
    await readEndpoints(this.client, into, namespace, labelSelector)
    for (const s of into.endpointSlices) this.slices.set(objectKey(s), s)
    this.base.endpoints.push(...into.endpoints.filter((e) => !this.base.endpoints.some((have) => objectKey(have) === objectKey(e))))
    for (const g of into.gaps) if (!this.base.gaps.some((h) => h.resource === g.resource && h.namespace === g.namespace)) this.base.gaps.push(g)
  }

  /** A Service by GET and (`withSlices`) its slices; a 404 is an answer (no such Service), not a gap. */
  private async readService(namespace: string, name: string, withSlices: boolean): Promise<void> {
    const path = `${CORE}/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`
    const [svc] = await Promise.all([
      optional(this.base, 'services', namespace, () =>
        this.client.get<Service>(path, undefined, {kind: 'Service', namespace}).catch((error) => {
          if (error instanceof ApiError && error.status === 404) return undefined
          throw error
        }),
      ),
      withSlices && !this.done.has('all-endpointslices') ? this.readSlices(namespace, `${SERVICE_NAME_LABEL}=${name}`) : undefined,
    ])
    if (!svc) return
    this.services.set(objectKey(svc), {...svc, apiVersion: 'v1', kind: 'Service'})
    // Without the right to read its slices (RBAC), the Service's endpoints come from its pods, as the wide read derives them.
    const labelSelector = selectorString(svc.spec?.selector)
    if (withSlices && labelSelector && this.slicesUnreadable(namespace)) {
      const pods = await optional(this.base, 'pods', namespace, () => this.client.list<Pod>(scoped(CORE, 'pods', namespace), {labelSelector}, {paged: false, expect: {kind: 'Pod', namespace}}))
      for (const p of pods?.items ?? []) this.pods.set(objectKey(p), {...p, apiVersion: 'v1', kind: 'Pod'})
    }
  }

  private slicesUnreadable(namespace: string): boolean {
    return this.base.gaps.some((g) => g.resource === 'endpointslices' && (g.namespace === undefined || g.namespace === namespace))
  }

  private async readNamespaceExists(namespace: string): Promise<void> {
    if (this.namespaces.has(namespace) || this.absent.has(namespace)) return
    try {
      await this.client.get(`${CORE}/namespaces/${encodeURIComponent(namespace)}`, undefined, {kind: 'Namespace'})
      this.namespaces.add(namespace)
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.absent.add(namespace)
        return
      }
      if (error instanceof ApiError && error.status === 403) return void this.namespaces.add(namespace) // cannot tell; assume it exists
      throw error
    }
  }

  /** The asking pod; when it is not there, the namespace's pods (their names are the hints). */
  private async readPod(namespace: string, name: string): Promise<void> {
    const pod = await optional(this.base, 'pods', namespace, () =>
      this.client.get<Pod>(`${CORE}/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`, undefined, {kind: 'Pod', namespace}).catch((error) => {
        if (error instanceof ApiError && error.status === 404) return undefined
        throw error
      }),
    )
    if (pod) return void this.pods.set(objectKey(pod), {...pod, apiVersion: 'v1', kind: 'Pod'})
    const all = await optional(this.base, 'pods', namespace, () => this.client.list<Pod>(scoped(CORE, 'pods', namespace), {}, {expect: {kind: 'Pod', namespace}}))
    for (const p of all?.items ?? []) this.pods.set(objectKey(p), {...p, apiVersion: 'v1', kind: 'Pod'})
  }
}
