// Every name a Service has and what each answers: the expectation side of `svc lookup`. Pure.
import {plural} from '../words.js'
import {missingEndpointSlices} from '../cluster/derive.js'
import {matchesServiceSelector} from '../cluster/labels.js'
import type {ClusterSnapshot, PredictedPod, SliceOrigin} from '../cluster/types.js'
import {ipFamily, reverseName} from './ip.js'
import {type ClusterDns, type ServiceEntry, type ServiceKind, pendingFamilies} from './model.js'
import {truncationNote} from './message-size.js'
import {type Expectation, type Rcode, type Route, cacheNote, expectation} from './records.js'
import {type ResolvConf, clusterDnsContext, clusterFirstConf, resolveName, searchCandidates} from './resolver.js'

export type QueryKind = 'service' | 'port' | 'endpoint' | 'reverse' | 'short-name'

export interface ExpectedQuery {
  name: string
  type: string
  kind: QueryKind
  expected: Expectation
  /** For short names: the namespace of the pod that asks, and the search walk. */
  from?: string
  tried?: {name: string; rcode: Rcode | null}[]
  notes?: string[]
  /** The server block and plugins that answer it (for a short name: the name its walk ends with). */
  route?: Route
}

/** The per-pod name a StatefulSet pod that does not exist yet will have. Never part of an answer: its IP is unknown. */
export interface PredictedName {
  name: string
  pod: string
  statefulSet: string
  /** The governing Service: the StatefulSet's serviceName. */
  service: string
  ip: null
  /** pending: it resolves once the pod runs and is ready; will-not-resolve: the governing Service is missing or wrong. */
  status: 'pending' | 'will-not-resolve'
  /** With will-not-resolve: why ("no Service nginx"). */
  reason?: string
  /** What DNS answers today, before the pod exists. */
  rcode: Rcode | null
}

/** Predicted names of the StatefulSet pods `wanted` keeps, each saying whether it will ever resolve. */
export function predictedNames(model: ClusterDns, snapshot: ClusterSnapshot, wanted: (p: PredictedPod) => boolean = () => true): PredictedName[] {
  const out: PredictedName[] = []
  for (const p of snapshot.predictedPods) {
    if (!p.serviceName || !wanted(p)) continue // without serviceName a StatefulSet's pods get no per-pod name at all
    const name = `${p.hostname}.${p.serviceName}.${p.namespace}.svc.${model.settings.clusterDomain}.`
    const svc = model.service(p.namespace, p.serviceName)
    const labels = snapshot.statefulSets.find((s) => s.metadata.name === p.statefulSet && (s.metadata.namespace ?? 'default') === p.namespace)?.spec.template?.metadata?.labels
    const reason = !svc
      ? `no Service ${p.serviceName}`
      : svc.kind !== 'Headless'
        ? `Service ${p.serviceName} is not headless`
        : labels && Object.keys(svc.object.spec?.selector ?? {}).length > 0 && !matchesServiceSelector(svc.object.spec?.selector, labels)
          ? `headless Service ${p.serviceName} does not select the StatefulSet's pods`
          : undefined
    out.push({name, pod: p.name, statefulSet: p.statefulSet, service: p.serviceName, ip: null, status: reason ? 'will-not-resolve' : 'pending', ...(reason ? {reason} : {}), rcode: model.answer(name, 'A').rcode})
  }
  return out
}

export interface ServiceSummary {
  name: string
  namespace: string
  type: string
  kind: ServiceKind
  fqdn: string
  clusterIPs: string[]
  /** The manifest sets no cluster IP: the API server allocates one when the Service is created (offline input only). */
  clusterIPPending?: true
  externalName?: string
  ports: {name?: string; port: number; protocol: string; targetPort?: number | string}[]
  selector?: Record<string, string>
  publishNotReadyAddresses: boolean
  /** Ready and all endpoints as DNS sees them; where their EndpointSlices came from (observed, or derived by kdisco). */
  endpoints: {ready: number; total: number; origin: SliceOrigin[]}
}

export interface ServiceLookupReport {
  service: ServiceSummary
  queries: ExpectedQuery[]
  predicted: PredictedName[]
  notes: string[]
}

export function summarizeService(model: ClusterDns, svc: ServiceEntry): ServiceSummary {
  const eps = model.endpointsOf(svc.namespace, svc.name)
  const spec = svc.object.spec ?? {}
  const summary: ServiceSummary = {
    name: svc.name,
    namespace: svc.namespace,
    type: svc.type,
    kind: svc.kind,
    fqdn: model.serviceFqdn(svc),
    clusterIPs: svc.clusterIPs,
    ports: (spec.ports ?? []).map((p) => ({...(p.name ? {name: p.name} : {}), port: p.port, protocol: p.protocol ?? 'TCP', ...(p.targetPort !== undefined ? {targetPort: p.targetPort} : {})})),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    endpoints: {ready: eps.filter((e) => e.ready).length, total: eps.length, origin: model.sliceOrigins(svc.namespace, svc.name)},
  }
  if (svc.ipPending) summary.clusterIPPending = true
  if (svc.externalName !== undefined) summary.externalName = svc.externalName
  if (spec.selector) summary.selector = spec.selector
  return summary
}

export interface ServiceLookupOptions {
  /** Extra namespaces to resolve the short names from (besides the Service's own). */
  fromNamespaces?: string[]
  /** false: only the Service's own names, without the search walks of short names (svc explain). */
  shortNames?: boolean
}

export function serviceLookup(model: ClusterDns, snapshot: ClusterSnapshot, svc: ServiceEntry, options: ServiceLookupOptions = {}): ServiceLookupReport {
  const queries: ExpectedQuery[] = []
  const notes: string[] = []
  const ask = (name: string, type: string, kind: QueryKind, extraNotes: string[] = []) => {
    const a = model.answer(name, type)
    const q: ExpectedQuery = {name, type, kind, expected: expectation(a), route: a.route}
    const allNotes = [...extraNotes, ...(a.rcode !== 'NOERROR' || a.answers.length === 0 || a.forwarded || a.truncated ? a.notes ?? [] : [])]
    if (allNotes.length > 0) q.notes = allNotes
    queries.push(q)
  }
  const fq = model.serviceFqdn(svc)
  const endpoints = model.endpointsOf(svc.namespace, svc.name)
  const families = new Set<number>()
  for (const ip of svc.clusterIPs) families.add(ipFamily(ip) ?? 4)
  if (svc.ipPending) for (const family of pendingFamilies(svc.object)) families.add(family ?? 4)
  if (svc.kind === 'Headless') for (const ep of endpoints) families.add(ipFamily(ep.address) ?? 4)
  if (families.size === 0) families.add(4)

  if (svc.kind === 'ExternalName') {
    ask(fq, 'CNAME', 'service')
    ask(fq, 'A', 'service')
  } else {
    if (families.has(4)) ask(fq, 'A', 'service')
    if (families.has(6)) ask(fq, 'AAAA', 'service')
    ask(fq, 'SRV', 'service')
    // _port._proto names: Service ports for a cluster IP, endpoint ports for headless (what CoreDNS matches).
    const portNames = new Map<string, string>()
    const addPort = (name: string, protocol: string) => {
      if (name && protocol) portNames.set(`_${name.toLowerCase()}._${protocol}.${fq}`, name)
    }
    if (svc.kind === 'ClusterIP') for (const p of svc.ports) addPort(p.name, p.protocol)
    else {
      for (const p of svc.object.spec?.ports ?? []) addPort(p.name ?? '', (p.protocol ?? 'TCP').toLowerCase())
      for (const ep of endpoints) for (const p of ep.ports) addPort(p.name, p.protocol)
    }
    for (const name of portNames.keys()) ask(name, 'SRV', 'port')
    // Per-endpoint names, ready or not: a not-ready endpoint's name is the classic "why NXDOMAIN".
    const byName = new Map<string, typeof endpoints>()
    for (const ep of endpoints) byName.set(ep.endpointName.toLowerCase(), [...(byName.get(ep.endpointName.toLowerCase()) ?? []), ep])
    for (const group of byName.values()) {
      const name = `${group[0].endpointName}.${fq}`
      const fams = new Set(group.map((e) => ipFamily(e.address) ?? 4))
      const epNotes: string[] = []
      const notReady = group.filter((e) => !e.ready)
      if (notReady.length > 0) epNotes.push(`not ready: ${notReady.map((e) => e.podName ?? e.address).join(', ')} (DNS serves ready endpoints only)`)
      if (group.length > 1) epNotes.push(`${group.length} endpoints share the name ${group[0].endpointName}`)
      if (fams.has(4)) ask(name, 'A', 'endpoint', epNotes)
      if (fams.has(6)) ask(name, 'AAAA', 'endpoint', epNotes)
    }
    const reverse = new Set<string>([...svc.clusterIPs, ...endpoints.map((e) => e.address)])
    for (const ip of reverse) {
      const rev = reverseName(ip)
      if (rev) ask(rev, 'PTR', 'reverse')
    }
  }

  // Short names, as a pod's resolver completes them.
  const shortType = svc.kind === 'ExternalName' ? 'A' : families.has(4) ? 'A' : 'AAAA'
  const shortNames = [svc.name, `${svc.name}.${svc.namespace}`, `${svc.name}.${svc.namespace}.svc`, `${svc.name}.${svc.namespace}.svc.${model.settings.clusterDomain}`]
  const dnsCtx = clusterDnsContext(model)
  if (dnsCtx.assumed && snapshot.origin === 'files') notes.push(`cluster DNS Service kube-system/kube-dns is not in the input; resolv.conf uses ${dnsCtx.ips.join(', ')} (kubeadm default)`)
  const fromList = options.shortNames === false ? [] : [svc.namespace, ...(options.fromNamespaces ?? []).filter((n) => n !== svc.namespace)]
  for (const from of fromList) {
    const conf: ResolvConf = clusterFirstConf(model, from)
    for (const short of shortNames) {
      const r = resolveName(model, short, shortType, conf)
      const q: ExpectedQuery = {
        name: short,
        type: shortType,
        kind: 'short-name',
        from,
        expected: expectation(r),
        tried: r.tried.map((t) => ({name: t.name, rcode: t.rcode})),
        ...(r.route ? {route: r.route} : {}),
      }
      if (r.truncated) q.notes = [truncationNote(r.truncated)]
      queries.push(q)
    }
  }

  const sliceless = missingEndpointSlices(snapshot, svc.object)
  if (sliceless) notes.push(`${sliceless.message}. ${sliceless.hint}`)
  const predicted = predictedNames(model, snapshot, (p) => p.namespace === svc.namespace && p.serviceName === svc.name)
  if (predicted.length > 0) notes.push(`${plural(predicted.length, 'StatefulSet pod')} ${predicted.length === 1 ? 'does' : 'do'} not exist yet: their names are predicted, their IPs pending`)
  const cached = model.settings.cache && cacheNote(model.settings.cache, queries.map((q) => q.expected))
  if (cached) notes.push(cached)
  return {service: summarizeService(model, svc), queries, predicted, notes}
}

/** The names a pod's resolver asks for a short-name query (absolute, in order); a direct query is itself. */
export function queryCandidates(model: ClusterDns, q: ExpectedQuery): string[] {
  if (q.kind !== 'short-name') return [q.name]
  return searchCandidates(q.name, clusterFirstConf(model, q.from ?? 'default'))
}
