// One question, asked the way an application in a pod asks it: through that pod's resolv.conf. Pure.
import {podIps} from '../cluster/derive.js'
import {type Pod, describeOrigin, namespaceOf} from '../cluster/types.js'
import type {ClusterDns} from './model.js'
import {normalizeName} from './names.js'
import {type Truncation, truncationNote} from './message-size.js'
import {type Rcode, type ResourceRecord, type Route, cacheNote} from './records.js'
import {type DnsPolicy, NODE_SEARCH_UNKNOWN, type ResolvConf, clusterFirstConf, podResolvConf, resolveName, resolverContext} from './resolver.js'

export interface DnsQuestion {
  name: string
  type: string
  namespace: string
  /** Asked from this pod (its own resolv.conf and address) rather than from a ClusterFirst pod in the namespace. */
  pod?: string
}

export interface DnsLookupReport {
  question: DnsQuestion
  /** The resolv.conf the walk used: --pod's own, else a ClusterFirst pod's in the question's namespace. */
  resolver: {searches: string[]; ndots: number; nameservers: string[]; policy?: DnsPolicy; address?: string}
  tried: {name: string; rcode: Rcode | null; answers: ResourceRecord[]; notes?: string[]; route?: Route}[]
  rcode: Rcode | null
  answers: ResourceRecord[]
  forwarded?: boolean
  /** The answer does not fit in one DNS message: the server sends only the records that fit. */
  truncated?: Truncation
  /** The route of the name the walk ended with. */
  route?: Route
  notes: string[]
}

/** The resolv.conf and address a question is asked with: `pod`'s own, else a ClusterFirst pod's in the namespace. */
export function askingPod(model: ClusterDns, namespace: string, pod?: Pod): {conf: ResolvConf; address?: string} {
  if (!pod) return {conf: clusterFirstConf(model, namespace)}
  const spec = pod.spec ?? {containers: []}
  const conf = podResolvConf({namespace: namespaceOf(pod), dnsPolicy: spec.dnsPolicy, hostNetwork: spec.hostNetwork, dnsConfig: spec.dnsConfig}, resolverContext(model))
  return {conf, address: pod.status?.podIP ?? podIps(pod)[0]}
}

export function dnsLookup(model: ClusterDns, question: DnsQuestion, pod?: Pod): DnsLookupReport {
  const {conf, address} = askingPod(model, question.namespace, pod)
  const r = resolveName(model, question.name, question.type, conf, address ? {ip: address} : undefined)
  const clusterFirst = conf.effectivePolicy === 'ClusterFirst' || conf.effectivePolicy === 'ClusterFirstWithHostNet'
  const report: DnsLookupReport = {
    question,
    resolver: {searches: conf.searches, ndots: conf.ndots, nameservers: conf.nameservers, ...(pod ? {policy: conf.effectivePolicy} : {}), ...(address ? {address} : {})},
    tried: r.tried.map((t) => ({name: t.name, rcode: t.rcode, answers: t.answers, ...(t.notes ? {notes: t.notes} : {}), ...(t.route ? {route: t.route} : {})})),
    rcode: r.rcode,
    answers: r.answers,
    ...(r.route ? {route: r.route} : {}),
    notes: r.notes,
  }
  if (clusterFirst && !model.settings.node && !question.name.endsWith('.') && r.answers.length === 0) report.notes.push(NODE_SEARCH_UNKNOWN)
  if (!pod && model.coreDns().config.blocks.some((b) => b.plugins.some((p) => p.kind === 'autopath'))) report.notes.push('the Corefile runs autopath, which answers by the asking pod: --pod POD shows what that pod gets')
  if (r.forwarded) report.forwarded = true
  if (r.truncated) {
    report.truncated = r.truncated
    report.notes.push(truncationNote(r.truncated))
  }
  // Not when cluster DNS answers the name in a way kdisco cannot predict (a cluster IP yet to be allocated): it was found.
  const foundUnpredicted = r.rcode === null && !r.forwarded
  if (r.answers.length === 0 && !foundUnpredicted && !question.name.endsWith('.')) report.notes.push(...elsewhereHints(model, question))
  const derived = r.answers.length > 0 ? derivedFrom(model, r.tried.at(-1)?.name ?? '') : undefined
  if (derived) report.notes.push(derived)
  const cached = model.settings.cache && cacheNote(model.settings.cache, [r])
  if (cached) report.notes.push(cached)
  return report
}

/**
 * When an answer comes from endpoints kdisco derived (manifests without EndpointSlices): says so. Only names whose
 * answers are endpoints: a headless Service's own names and endpoint names (a cluster IP is the Service's own).
 */
function derivedFrom(model: ClusterDns, answered: string): string | undefined {
  const zone = model.settings.clusterDomain
  const n = normalizeName(answered)
  if (!n.endsWith(`.svc.${zone}`)) return undefined
  const labels = n.slice(0, -`.svc.${zone}`.length).split('.')
  if (labels.length < 2) return undefined
  const svc = model.service(labels[labels.length - 1], labels[labels.length - 2])
  if (!svc || (svc.kind !== 'Headless' && labels.length !== 3)) return undefined
  const origins = model.sliceOrigins(svc.namespace, svc.name).filter((o) => o !== 'observed')
  return origins.length > 0 ? `the endpoints of Service ${svc.namespace}/${svc.name} are ${origins.map(describeOrigin).join(' or ')} by kdisco: the input has no EndpointSlices for it` : undefined
}

/** When a short name fails, point at Services of that name in other namespaces (the most common cause). */
function elsewhereHints(model: ClusterDns, question: DnsQuestion): string[] {
  const first = question.name.split('.')[0].toLowerCase()
  const zone = model.settings.clusterDomain
  return model
    .allServices()
    .filter((s) => s.name.toLowerCase() === first && s.namespace !== question.namespace)
    .slice(0, 3)
    .map((s) => `Service ${s.name} exists in namespace ${s.namespace}: from ${question.namespace} ask for ${s.name}.${s.namespace} (or ${s.name}.${s.namespace}.svc.${zone}.)`)
}
