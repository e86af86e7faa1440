// What the cluster's controllers would have produced from the objects in a snapshot: EndpointSlices from pods
// (EndpointSlice controller), slices mirrored from v1 Endpoints (EndpointSlice mirroring controller), and the
// pods a StatefulSet will create. Pure: snapshot in, snapshot out.
import {plural} from '../words.js'
import {ipFamily} from '../dns/ip.js'
import {formatSelector, matchesServiceSelector} from './labels.js'
import {
  type ClusterSnapshot,
  DERIVED_ANNOTATION,
  type EndpointAddress,
  type EndpointPort,
  type Endpoints,
  type EndpointSlice,
  type Pod,
  type PredictedPod,
  SERVICE_NAME_LABEL,
  type Service,
  type ServicePort,
  type SliceEndpoint,
  type SliceOrigin,
  type SnapshotGap,
  namespaceOf,
} from './types.js'

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
}

/** What kubectl shows as a pod's status: Terminating once it is being deleted, else its phase. */
export function podStatus(pod: Pod): string {
  return pod.metadata.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown')
}

export function podIps(pod: Pod): string[] {
  const ips = pod.status?.podIPs?.map((p) => p.ip).filter(Boolean) ?? []
  if (ips.length > 0) return ips
  return pod.status?.podIP ? [pod.status.podIP] : []
}

/** Why a selected pod cannot be an endpoint at all, or undefined when it can. */
export function endpointExclusion(pod: Pod): string | undefined {
  const phase = pod.status?.phase
  if (phase === 'Succeeded' || phase === 'Failed') return `pod phase is ${phase}`
  if (podIps(pod).length === 0) return phase === 'Pending' || !phase ? 'pod is Pending and has no IP yet' : 'pod has no IP'
  return undefined
}

/**
 * The container port a Service port reaches on a pod (podutil.FindPort): a named targetPort must exist on a
 * container with the same protocol; a number is used as is; no targetPort means the Service port.
 */
export function resolveTargetPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port
  if (typeof target === 'number') return target
  if (/^\d+$/.test(target)) return Number(target)
  const protocol = port.protocol ?? 'TCP'
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort
    }
  }
  return undefined
}

/** Families the EndpointSlice controller makes slices for. */
function serviceFamilies(svc: Service, pods: Pod[]): ('IPv4' | 'IPv6')[] {
  const declared = svc.spec?.ipFamilies?.filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6')
  if (declared && declared.length > 0) return declared
  const fromClusterIps = (svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []))
    .map((ip) => ipFamily(ip))
    .filter((f) => f !== undefined)
    .map((f) => (f === 4 ? 'IPv4' : 'IPv6') as 'IPv4' | 'IPv6')
  if (fromClusterIps.length > 0) return [...new Set(fromClusterIps)]
  // Headless without declared families: the API server defaults to one family (both with a dual-stack policy).
  const seen = new Set<'IPv4' | 'IPv6'>()
  for (const pod of pods) for (const ip of podIps(pod)) seen.add(ipFamily(ip) === 6 ? 'IPv6' : 'IPv4')
  const policy = svc.spec?.ipFamilyPolicy
  if (policy === 'PreferDualStack' || policy === 'RequireDualStack') return [...seen].sort()
  return seen.has('IPv4') || seen.size === 0 ? ['IPv4'] : ['IPv6']
}

function derivedSlice(svc: Service, origin: SliceOrigin, index: number, addressType: EndpointSlice['addressType'], ports: EndpointPort[], endpoints: SliceEndpoint[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${svc.metadata.name}-kdisco-${index}`,
      namespace: namespaceOf(svc),
      labels: {
        [SERVICE_NAME_LABEL]: svc.metadata.name,
        'endpointslice.kubernetes.io/managed-by':
          origin === 'mirrored-from-endpoints' ? 'endpointslicemirroring-controller.k8s.io' : 'endpointslice-controller.k8s.io',
      },
      annotations: {[DERIVED_ANNOTATION]: origin},
    },
    addressType,
    endpoints,
    ports,
  }
}

/** EndpointSlices the EndpointSlice controller would write for a selector Service, given the pods present. */
export function deriveSlicesFromPods(svc: Service, pods: Pod[]): EndpointSlice[] {
  const ns = namespaceOf(svc)
  const selected = pods.filter((p) => namespaceOf(p) === ns && matchesServiceSelector(svc.spec?.selector, p.metadata.labels))
  const families = serviceFamilies(svc, selected)
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true
  // The controller groups endpoints by their resolved port set: one slice per (family, port set).
  const groups = new Map<string, {family: 'IPv4' | 'IPv6'; ports: EndpointPort[]; endpoints: SliceEndpoint[]}>()
  for (const pod of selected) {
    if (endpointExclusion(pod)) continue
    const ports: EndpointPort[] = []
    for (const sp of svc.spec?.ports ?? []) {
      const port = resolveTargetPort(pod, sp)
      if (port === undefined) continue
      const ep: EndpointPort = {name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP'}
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol
      ports.push(ep)
    }
    const podReady = isPodReady(pod)
    const terminating = Boolean(pod.metadata.deletionTimestamp)
    const ready = publishNotReady || (podReady && !terminating)
    for (const ip of podIps(pod)) {
      const family = ipFamily(ip) === 6 ? 'IPv6' : 'IPv4'
      if (!families.includes(family)) continue
      const key = family + JSON.stringify(ports)
      let group = groups.get(key)
      if (!group) groups.set(key, (group = {family, ports, endpoints: []}))
      const endpoint: SliceEndpoint = {
        addresses: [ip],
        conditions: {ready, serving: podReady, terminating},
        targetRef: {kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid},
      }
      const hostname = pod.spec?.hostname
      if (hostname && pod.spec?.subdomain === svc.metadata.name) endpoint.hostname = hostname
      if (pod.spec?.nodeName) endpoint.nodeName = pod.spec.nodeName
      group.endpoints.push(endpoint)
    }
  }
  let i = 0
  return [...groups.values()].map((g) => derivedSlice(svc, 'derived-from-pods', i++, g.family, g.ports, g.endpoints))
}

/** Slices the mirroring controller writes for v1 Endpoints (notReadyAddresses become ready=false). */
export function mirrorEndpoints(svc: Service, endpoints: Endpoints): EndpointSlice[] {
  const slices: EndpointSlice[] = []
  let i = 0
  for (const subset of endpoints.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP'}))
    const byFamily = new Map<'IPv4' | 'IPv6', SliceEndpoint[]>()
    const add = (addresses: EndpointAddress[] | undefined, ready: boolean) => {
      for (const a of addresses ?? []) {
        const f = ipFamily(a.ip)
        if (!f) continue // the mirroring controller skips invalid addresses
        const family = f === 6 ? 'IPv6' : 'IPv4'
        const ep: SliceEndpoint = {addresses: [a.ip], conditions: {ready}}
        if (a.hostname) ep.hostname = a.hostname
        if (a.nodeName) ep.nodeName = a.nodeName
        if (a.targetRef) ep.targetRef = a.targetRef
        const list = byFamily.get(family) ?? []
        list.push(ep)
        byFamily.set(family, list)
      }
    }
    add(subset.addresses, true)
    add(subset.notReadyAddresses, false)
    for (const [family, eps] of byFamily) slices.push(derivedSlice(svc, 'mirrored-from-endpoints', i++, family, ports, eps))
  }
  return slices
}

/**
 * At most this many pods are predicted per StatefulSet, and this many in all: `replicas: 2147483647` is a valid
 * StatefulSet, and two billion predicted names would take all the memory there is. The rest is said in a gap.
 */
export const MAX_PREDICTED_PER_STATEFULSET = 1000
export const MAX_PREDICTED = 100_000

/**
 * A selector Service with no EndpointSlice at all on a live cluster, while pods match its selector: CoreDNS (and
 * kube-proxy) read EndpointSlices only, so it has no endpoints whatever its pods. Undefined when that is not the
 * case or cannot be told: manifests (kdisco derives their slices, marked), or slices or pods that could not be read.
 */
export function missingEndpointSlices(snapshot: ClusterSnapshot, svc: Service): {message: string; hint: string} | undefined {
  const selector = svc.spec?.selector ?? {}
  if (snapshot.origin !== 'live' || svc.spec?.type === 'ExternalName' || Object.keys(selector).length === 0) return undefined
  if (snapshot.gaps.some((g) => g.resource === 'endpointslices' || g.resource === 'endpoints' || g.resource === 'pods')) return undefined
  const ns = namespaceOf(svc)
  const name = svc.metadata.name
  if (snapshot.endpointSlices.some((s) => namespaceOf(s) === ns && s.metadata.labels?.[SERVICE_NAME_LABEL] === name)) return undefined
  const selected = snapshot.pods.filter((p) => namespaceOf(p) === ns && matchesServiceSelector(selector, p.metadata.labels))
  if (selected.length === 0) return undefined
  const ready = selected.filter((p) => !endpointExclusion(p) && isPodReady(p) && !p.metadata.deletionTimestamp).length
  const effect = (svc.spec?.clusterIPs?.[0] ?? svc.spec?.clusterIP) === 'None' ? 'its name answers NXDOMAIN' : 'its cluster IP resolves but has no backends'
  return {
    message: `${plural(ready, 'ready pod')} match${ready === 1 ? 'es' : ''} the selector ${formatSelector(selector)}${selected.length > ready ? ` (${selected.length} in all)` : ''}, but no EndpointSlice exists for Service ${ns}/${name}: CoreDNS and kube-proxy read EndpointSlices only, so ${effect}`,
    hint: `Likely causes: the EndpointSlice controller (kube-controller-manager) is not running, RBAC keeps it from writing EndpointSlices, or the Service was created a moment ago. Check: kubectl get endpointslices -n ${ns} -l ${SERVICE_NAME_LABEL}=${name}`,
  }
}

/** StatefulSet pods that do not exist yet: names and DNS hostnames are certain, IPs are pending. */
export function predictStatefulSetPods(snapshot: ClusterSnapshot, gaps: SnapshotGap[] = []): PredictedPod[] {
  if (snapshot.statefulSets.length === 0) return []
  const podNames = new Set(snapshot.pods.map((p) => `${namespaceOf(p)}/${p.metadata.name}`))
  const out: PredictedPod[] = []
  for (const sts of snapshot.statefulSets) {
    const ns = namespaceOf(sts)
    const replicas = Math.max(0, sts.spec.replicas ?? 1)
    const start = Math.max(0, sts.spec.ordinals?.start ?? 0)
    const room = Math.min(MAX_PREDICTED_PER_STATEFULSET, MAX_PREDICTED - out.length)
    if (replicas > room) {
      const why = room < MAX_PREDICTED_PER_STATEFULSET ? `${MAX_PREDICTED} in all` : `${MAX_PREDICTED_PER_STATEFULSET} per StatefulSet`
      gaps.push({resource: 'statefulsets', namespace: ns, reason: 'PredictionLimit', message: `StatefulSet ${ns}/${sts.metadata.name} has ${replicas} replicas: kdisco predicts the names of its first ${room} pods only (at most ${why})`})
    }
    for (let ordinal = start; ordinal < start + Math.min(replicas, room); ordinal++) {
      const name = `${sts.metadata.name}-${ordinal}`
      if (podNames.has(`${ns}/${name}`)) continue
      out.push({namespace: ns, name, statefulSet: sts.metadata.name, serviceName: sts.spec.serviceName ?? '', hostname: name, ordinal})
    }
  }
  return out
}

/**
 * Completes a snapshot the way the cluster would: selector Services without slices get slices derived from
 * their pods (or mirrored from their v1 Endpoints when no pods are present), selector-less Services get their
 * Endpoints mirrored, and StatefulSets' missing pods are predicted (kept apart from the answers: their IPs are
 * unknown).
 *
 * A live cluster is completed from pods only where EndpointSlices could not be read (`fromPods` per namespace):
 * CoreDNS answers from the EndpointSlices that exist, so a Service without them has no endpoints, whatever its pods
 * (a finding says so). Its v1 Endpoints are mirrored only because
 * they are what was read where discovery.k8s.io/v1 is not served, and what CoreDNS reads there.
 */
export function completeSnapshot(snapshot: ClusterSnapshot, options: {fromPods?: boolean | ((namespace: string) => boolean)} = {}): ClusterSnapshot {
  const option = options.fromPods ?? true
  const fromPods = typeof option === 'function' ? option : () => option
  const hasSlices = new Set<string>()
  for (const s of snapshot.endpointSlices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL]
    if (svc) hasSlices.add(`${namespaceOf(s)}/${svc}`)
  }
  const endpointsByKey = new Map(snapshot.endpoints.map((e) => [`${namespaceOf(e)}/${e.metadata.name}`, e]))
  // Built on first use: exports usually carry every Service's slices.
  let podsByNs: Map<string, Pod[]> | undefined
  const podsIn = (ns: string) => {
    if (!podsByNs) {
      podsByNs = new Map()
      for (const p of snapshot.pods) {
        const list = podsByNs.get(namespaceOf(p))
        if (list) list.push(p)
        else podsByNs.set(namespaceOf(p), [p])
      }
    }
    return podsByNs.get(ns) ?? []
  }
  const added: EndpointSlice[] = []
  const append = (slices: EndpointSlice[]) => {
    for (const s of slices) added.push(s)
  }
  for (const svc of snapshot.services) {
    const key = `${namespaceOf(svc)}/${svc.metadata.name}`
    if (hasSlices.has(key) || svc.spec?.type === 'ExternalName') continue
    const endpoints = endpointsByKey.get(key)
    const hasSelector = Object.keys(svc.spec?.selector ?? {}).length > 0
    if (hasSelector && fromPods(namespaceOf(svc))) {
      const derived = deriveSlicesFromPods(svc, podsIn(namespaceOf(svc)))
      if (derived.length > 0 || !endpoints) append(derived)
      else append(mirrorEndpoints(svc, endpoints))
    } else if (endpoints) {
      append(mirrorEndpoints(svc, endpoints))
    }
  }
  const gaps = [...snapshot.gaps]
  const predictedPods = predictStatefulSetPods(snapshot, gaps)
  return {...snapshot, gaps, endpointSlices: snapshot.endpointSlices.concat(added), predictedPods}
}
