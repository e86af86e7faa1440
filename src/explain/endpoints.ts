// Every endpoint of a Service and whether DNS serves it (and why not), the selected pods without an endpoint,
// and, when the selector matches nothing, the pods that miss it by one label. Pure.
import {endpointExclusion, missingEndpointSlices, resolveTargetPort} from '../cluster/derive.js'
import {distance} from '../cluster/find.js'
import {byCodeUnits} from '../order.js'
import {formatSelector, matchesServiceSelector} from '../cluster/labels.js'
import {type ClusterSnapshot, type Pod, SERVICE_NAME_LABEL, type SliceOrigin, namespaceOf, sliceOrigin} from '../cluster/types.js'
import type {ClusterDns, ServiceEntry} from '../dns/model.js'
import {type ServiceSummary, summarizeService} from '../dns/service-lookup.js'
import {notReadyReason} from './pods.js'

export interface EndpointRow {
  address: string
  ports: string[]
  ready: boolean | null
  serving: boolean | null
  terminating: boolean | null
  dnsName: string
  pod?: string
  node?: string
  zone?: string
  /** The endpoint's hostname (a StatefulSet pod's, or spec.hostname): its per-pod DNS name. */
  hostname?: string
  /** What the endpoint points at, as kubectl describe endpointslice says it: Pod/web-0. */
  targetRef?: string
  inDns: boolean
  why?: string
  slice: string
  origin: SliceOrigin
  /** Service ports this endpoint's pod cannot serve: a named targetPort no container port of the pod has. */
  missingPorts?: string[]
}

export interface PodWithoutEndpoint {
  pod: string
  phase: string
  reason: string
}

export interface NearMiss {
  pod: string
  /** The selector label the pod misses, the value the selector wants, and the pod's value (null: it lacks the label). */
  label: string
  want: string
  have: string | null
  /** For a pod lacking the label: its label that holds the wanted value instead ("name=web"). */
  instead?: string
}

export interface EndpointsReport {
  service: ServiceSummary
  endpoints: EndpointRow[]
  podsWithoutEndpoint: PodWithoutEndpoint[]
  nearMisses: NearMiss[]
  notes: string[]
}

/** A likely typo: the same text in another case, or a few characters off. */
function close(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || distance(a, b) <= Math.max(1, Math.floor(Math.max(a.length, b.length) / 4))
}

/**
 * Pods that miss the selector by one label: every other selector label matches. With a one-label selector that alone
 * says nothing (every pod of an app=x namespace has an app label), so the miss must look like a slip: a close value
 * (app=webb for app=web) or the wanted value under another label (name=web).
 */
export function nearMisses(selector: Record<string, string>, pods: Pod[]): NearMiss[] {
  const keys = Object.keys(selector)
  const out: NearMiss[] = []
  if (keys.length === 0) return out
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {}
    const off = keys.filter((k) => labels[k] !== selector[k])
    if (off.length !== 1) continue
    const [label] = off
    const want = selector[label]
    const have = labels[label]
    const instead = have === undefined ? Object.keys(labels).find((k) => labels[k] === want) : undefined
    if (keys.length === 1 && !(have !== undefined ? close(have, want) : instead !== undefined)) continue
    out.push({pod: pod.metadata.name, label, want, have: have ?? null, ...(instead !== undefined ? {instead: `${instead}=${want}`} : {})})
  }
  // By name, whatever order the pods were read in (files, or the API's).
  return out.sort((a, b) => byCodeUnits(a.pod, b.pod))
}

export function serviceEndpoints(model: ClusterDns, snapshot: ClusterSnapshot, svc: ServiceEntry): EndpointsReport {
  const ns = svc.namespace
  const notes: string[] = []
  const podsByName = new Map(snapshot.pods.filter((p) => namespaceOf(p) === ns).map((p) => [p.metadata.name, p]))
  const missingPortsOf = (p: Pod) => (svc.object.spec?.ports ?? []).filter((sp) => resolveTargetPort(p, sp) === undefined).map((sp) => `${sp.name ?? sp.port} (targetPort ${sp.targetPort}: no container port with that name)`)
  const publish = svc.object.spec?.publishNotReadyAddresses === true
  const rows: EndpointRow[] = []
  const fqdn = model.serviceFqdn(svc)
  const endpointName = new Map(model.endpointsOf(ns, svc.name).map((e) => [`${e.sliceName}/${e.address}`, e.endpointName]))
  for (const slice of snapshot.endpointSlices) {
    if (namespaceOf(slice) !== ns || slice.metadata.labels?.[SERVICE_NAME_LABEL] !== svc.name) continue
    const ports = (slice.ports ?? []).map((p) => `${p.name ? `${p.name}:` : ''}${p.port ?? '*'}/${p.protocol ?? 'TCP'}`)
    for (const ep of slice.endpoints ?? []) {
      for (const address of ep.addresses) {
        const ready = ep.conditions?.ready ?? null
        const pod = ep.targetRef?.kind === 'Pod' ? ep.targetRef.name : undefined
        const inDns = ready !== false && !model.settings.noEndpoints
        let why: string | undefined
        if (!inDns) {
          const p = pod ? podsByName.get(pod) : undefined
          if (ep.conditions?.terminating) why = publish ? 'terminating' : 'terminating (publishNotReadyAddresses is off)'
          else if (p) why = `${notReadyReason(p) ?? 'not ready'}; publishNotReadyAddresses is off`
          else if (pod && snapshot.gaps.some((g) => g.resource === 'pods')) why = 'not ready (pod not readable: reason unknown)'
          else why = 'not ready'
        }
        const row: EndpointRow = {
          address,
          ports,
          ready,
          serving: ep.conditions?.serving ?? null,
          terminating: ep.conditions?.terminating ?? null,
          dnsName: `${endpointName.get(`${slice.metadata.name}/${address}`) ?? address}.${fqdn}`,
          inDns,
          slice: slice.metadata.name,
          origin: sliceOrigin(slice),
        }
        if (pod) row.pod = pod
        const missing = pod && podsByName.has(pod) ? missingPortsOf(podsByName.get(pod)!) : []
        if (missing.length > 0) row.missingPorts = missing
        if (ep.nodeName) row.node = ep.nodeName
        if (ep.zone) row.zone = ep.zone
        if (ep.hostname) row.hostname = ep.hostname
        if (ep.targetRef?.name) row.targetRef = `${ep.targetRef.kind ?? '?'}/${ep.targetRef.name}`
        if (why) row.why = why
        rows.push(row)
      }
    }
  }
  const selector = svc.object.spec?.selector
  const podsWithoutEndpoint: PodWithoutEndpoint[] = []
  let misses: NearMiss[] = []
  if (selector && Object.keys(selector).length > 0) {
    const nsPods = [...podsByName.values()]
    const selected = nsPods.filter((p) => matchesServiceSelector(selector, p.metadata.labels))
    const backing = new Set(rows.map((r) => r.pod).filter(Boolean))
    // A pod is listed once: a pod that is an endpoint is a row above (with the ports it lacks), never also here.
    for (const p of selected) {
      const exclusion = endpointExclusion(p)
      if (exclusion) podsWithoutEndpoint.push({pod: p.metadata.name, phase: p.status?.phase ?? 'Unknown', reason: exclusion})
      else if (!backing.has(p.metadata.name)) podsWithoutEndpoint.push({pod: p.metadata.name, phase: p.status?.phase ?? 'Unknown', reason: 'no endpoint yet (the EndpointSlice controller has not caught up)'})
    }
    if (selected.length === 0) {
      misses = nearMisses(selector, nsPods)
      notes.push(`the selector ${formatSelector(selector)} matches no pod in ${ns}`)
    }
  } else if (svc.kind !== 'ExternalName') {
    notes.push('no selector: endpoints come from manually managed Endpoints/EndpointSlices')
  }
  const sliceless = missingEndpointSlices(snapshot, svc.object)
  if (sliceless) notes.unshift(`${sliceless.message}. ${sliceless.hint}`)
  if (svc.kind === 'ExternalName') notes.push('an ExternalName Service has no endpoints: DNS answers a CNAME')
  if (snapshot.gaps.some((g) => g.resource === 'pods')) notes.push('pods could not be read: readiness reasons are unknown')
  return {service: summarizeService(model, svc), endpoints: rows, podsWithoutEndpoint, nearMisses: misses, notes}
}
