// One question, asked the way an application in a pod asks it: through that pod's resolv.conf. Pure.
import {describeOrigin} from '../cluster/types.js'
import type {ClusterDns} from './model.js'
import {normalizeName} from './names.js'
import {type Truncation, truncationNote} from './message-size.js'
import {type Rcode, type ResourceRecord, cacheNote} from './records.js'
import {clusterFirstConf, resolveName} from './resolver.js'

export interface DnsQuestion {
  name: string
  type: string
  namespace: string
}

export interface DnsLookupReport {
  question: DnsQuestion
  /** The search list and ndots used for the walk (a ClusterFirst pod in the question's namespace). */
  resolver: {searches: string[]; ndots: number; nameservers: string[]}
  tried: {name: string; rcode: Rcode | null; answers: ResourceRecord[]; notes?: string[]}[]
  rcode: Rcode | null
  answers: ResourceRecord[]
  forwarded?: boolean
  /** The answer does not fit in one DNS message: the server sends only the records that fit. */
  truncated?: Truncation
  notes: string[]
}

export function dnsLookup(model: ClusterDns, question: DnsQuestion): DnsLookupReport {
  const conf = clusterFirstConf(model, question.namespace)
  const r = resolveName(model, question.name, question.type, conf)
  const report: DnsLookupReport = {
    question,
    resolver: {searches: conf.searches, ndots: conf.ndots, nameservers: conf.nameservers},
    tried: r.tried.map((t) => ({name: t.name, rcode: t.rcode, answers: t.answers, ...(t.notes ? {notes: t.notes} : {})})),
    rcode: r.rcode,
    answers: r.answers,
    notes: r.notes,
  }
  if (r.forwarded) report.forwarded = true
  if (r.truncated) {
    report.truncated = r.truncated
    report.notes.push(truncationNote(r.truncated))
  }
  if (r.answers.length === 0 && !question.name.endsWith('.')) report.notes.push(...elsewhereHints(model, question))
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
