// A pod's resolver: the /etc/resolv.conf kubelet writes for its dnsPolicy/dnsConfig, and the way glibc walks
// the search list with it. Pure.
import {CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE} from '../cluster/types.js'
import type {ClusterDns} from './model.js'
import {fqdn, isAbsolute} from './names.js'
import type {Truncation} from './message-size.js'
import type {Rcode, ResourceRecord, Route} from './records.js'
import type {Asker} from './coredns/types.js'

export interface DnsOption {
  name: string
  value?: string
}

/** The node's own resolver (kubelet --resolv-conf). Unknown offline, so kdisco says so. */
export interface NodeResolver {
  nameservers: string[]
  searches: string[]
  options: DnsOption[]
  known: boolean
}

export const UNKNOWN_NODE_RESOLVER: NodeResolver = {nameservers: ['<node nameserver>'], searches: [], options: [], known: false}

/** kubeadm's default cluster DNS Service IP, used when the snapshot has no kube-system/kube-dns Service. */
export const DEFAULT_CLUSTER_DNS_IP = '10.96.0.10'

export type DnsPolicy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None'

export interface PodDnsInput {
  namespace: string
  dnsPolicy?: DnsPolicy
  hostNetwork?: boolean
  dnsConfig?: {nameservers?: string[]; searches?: string[]; options?: DnsOption[]}
}

export interface ResolverContext {
  clusterDomain: string
  clusterDnsIps: string[]
  node?: NodeResolver
}

export interface ResolvConf {
  /** The policy as written (defaulted to ClusterFirst). */
  policy: DnsPolicy
  /** The policy kubelet actually applies (ClusterFirst with hostNetwork becomes Default). */
  effectivePolicy: DnsPolicy
  usesClusterDns: boolean
  nameservers: string[]
  searches: string[]
  options: DnsOption[]
  ndots: number
  notes: string[]
}

const MAX_NAMESERVERS = 3
const MAX_SEARCHES = 32
const MAX_SEARCH_CHARS = 2048

function dedupe(list: string[]): string[] {
  return [...new Set(list)]
}

export interface ParsedResolvConf {
  text: string
  nameservers: string[]
  searches: string[]
  options: DnsOption[]
  ndots: number
}

/** A resolv.conf as glibc reads it: every nameserver line, the last search or domain line, every option. */
export function parseResolvConf(text: string): ParsedResolvConf {
  const nameservers: string[] = []
  let searches: string[] = []
  const options: DnsOption[] = []
  for (const line of text.split('\n')) {
    const [key, ...rest] = line.replace(/[#;].*/, '').trim().split(/\s+/)
    if (key === 'nameserver' && rest[0]) nameservers.push(rest[0])
    else if (key === 'search' || key === 'domain') searches = rest.filter(Boolean)
    else if (key === 'options')
      for (const o of rest) {
        const [name, value] = o.split(':')
        options.push(value === undefined ? {name} : {name, value})
      }
  }
  return {text, nameservers, searches, options, ndots: ndotsOf(options)}
}

/** The ndots a resolver applies for these options: glibc's default 1, capped at 15; the last ndots wins. */
export function ndotsOf(options: DnsOption[]): number {
  const ndots = options.filter((o) => o.name === 'ndots').at(-1)
  return ndots?.value !== undefined && /^\d+$/.test(ndots.value) ? Math.min(Number(ndots.value), 15) : 1
}

/** kubelet's GetPodDNS: the resolv.conf a pod gets. */
export function podResolvConf(pod: PodDnsInput, ctx: ResolverContext): ResolvConf {
  const node = ctx.node ?? UNKNOWN_NODE_RESOLVER
  const policy: DnsPolicy = pod.dnsPolicy ?? 'ClusterFirst'
  const notes: string[] = []
  let effective: DnsPolicy = policy
  if (policy === 'ClusterFirst' && pod.hostNetwork) {
    effective = 'Default'
    notes.push('dnsPolicy ClusterFirst with hostNetwork: true behaves like Default; use ClusterFirstWithHostNet for cluster DNS')
  }
  let nameservers: string[] = []
  let searches: string[] = []
  let options: DnsOption[] = []
  const clusterFirst = effective === 'ClusterFirst' || effective === 'ClusterFirstWithHostNet'
  if (clusterFirst) {
    nameservers = [...ctx.clusterDnsIps]
    const zone = ctx.clusterDomain
    searches = zone ? [`${pod.namespace}.svc.${zone}`, `svc.${zone}`, zone, ...node.searches] : [...node.searches]
    options = [{name: 'ndots', value: '5'}]
  } else if (effective === 'Default') {
    nameservers = [...node.nameservers]
    searches = [...node.searches]
    options = [...node.options]
    if (!node.known) notes.push("dnsPolicy Default: the pod uses the node's resolv.conf, which kdisco cannot see offline")
  } else {
    notes.push('dnsPolicy None: everything comes from dnsConfig')
  }
  const cfg = pod.dnsConfig
  if (cfg) {
    nameservers = dedupe([...nameservers, ...(cfg.nameservers ?? [])])
    searches = dedupe([...searches, ...(cfg.searches ?? [])])
    for (const opt of cfg.options ?? []) {
      const i = options.findIndex((o) => o.name === opt.name)
      const merged: DnsOption = opt.value === undefined ? {name: opt.name} : {name: opt.name, value: opt.value}
      if (i >= 0) options[i] = merged
      else options.push(merged)
    }
  }
  searches = dedupe(searches.map((s) => s.replace(/\.$/, '')).filter((s) => s.length > 0))
  if (nameservers.length > MAX_NAMESERVERS) {
    notes.push(`kubelet keeps only the first ${MAX_NAMESERVERS} nameservers (${nameservers.length} configured)`)
    nameservers = nameservers.slice(0, MAX_NAMESERVERS)
  }
  // kubelet formDNSSearchFitsLimits: at most 32 domains, none over 253 characters, the line at most 2048 characters.
  if (searches.length > MAX_SEARCHES) {
    notes.push(`kubelet keeps only the first ${MAX_SEARCHES} search domains (${searches.length} configured): ${searches.slice(MAX_SEARCHES).join(', ')} dropped`)
    searches = searches.slice(0, MAX_SEARCHES)
  }
  const long = searches.filter((s) => s.length > 253)
  if (long.length > 0) {
    notes.push(`kubelet drops search domains longer than 253 characters (${long.length})`)
    searches = searches.filter((s) => s.length <= 253)
  }
  const cut: string[] = []
  while (searches.join(' ').length > MAX_SEARCH_CHARS) cut.unshift(searches.pop()!)
  if (cut.length > 0) notes.push(`the search line would exceed kubelet's ${MAX_SEARCH_CHARS} characters: ${cut.join(', ')} dropped`)
  const ndots = ndotsOf(options)
  const usesClusterDns = nameservers.some((ns) => ctx.clusterDnsIps.includes(ns))
  return {policy, effectivePolicy: effective, usesClusterDns, nameservers, searches, options, ndots, notes}
}

export function renderResolvConf(conf: ResolvConf): string {
  const lines: string[] = []
  if (conf.searches.length > 0) lines.push(`search ${conf.searches.join(' ')}`)
  for (const ns of conf.nameservers) lines.push(`nameserver ${ns}`)
  if (conf.options.length > 0) lines.push(`options ${conf.options.map((o) => (o.value === undefined ? o.name : `${o.name}:${o.value}`)).join(' ')}`)
  return lines.join('\n') + '\n'
}

/** The names glibc's res_search asks, in order (absolute, with the trailing dot). */
export function searchCandidates(name: string, conf: Pick<ResolvConf, 'searches' | 'ndots'>): string[] {
  if (isAbsolute(name)) return [name]
  const dots = name.split('.').length - 1
  const asIs = fqdn(name)
  const searched = conf.searches.map((s) => `${name}.${s}.`)
  return dots >= conf.ndots ? [asIs, ...searched.filter((n) => n !== asIs)] : [...searched.filter((n) => n !== asIs), asIs]
}

export interface SearchStep {
  name: string
  rcode: Rcode | null
  answers: ResourceRecord[]
  forwarded?: boolean
  notes?: string[]
  /** The server block and plugins that answered this name. */
  route?: Route
}

export interface Resolution {
  tried: SearchStep[]
  rcode: Rcode | null
  answers: ResourceRecord[]
  forwarded?: boolean
  /** The answer the walk ends with does not fit in one DNS message. */
  truncated?: Truncation
  cached?: boolean
  /** The route of the name the walk ends with. */
  route?: Route
  notes: string[]
}

/**
 * Walks the search list as glibc does: the first name with an answer wins; NXDOMAIN and NODATA move on to the
 * next name. A name cluster DNS forwards upstream cannot be predicted, so the walk stops there with rcode null.
 */
/** One answer as the search walk sees it: an rcode (null: none, or not predicted), records, maybe an error. */
export interface WalkAnswer {
  rcode: string | null
  answers: unknown[]
  error?: string
}

/**
 * glibc's res_search over any source of answers: the first name with records wins; NXDOMAIN and NODATA move on;
 * anything else (no answer, an error rcode) stops the walk. Without a winner the result is NODATA if any name was
 * NODATA, else NXDOMAIN. `ask` returning undefined ends the walk early (nothing known for that name).
 */
export function walkSearch<T extends WalkAnswer>(candidates: string[], ask: (name: string) => T | undefined): {steps: {name: string; answer: T}[]; stopped?: T; rcode: string | null} {
  const steps: {name: string; answer: T}[] = []
  let sawNodata = false
  for (const name of candidates) {
    const answer = ask(name)
    if (!answer) break
    steps.push({name, answer})
    const nodata = answer.rcode === 'NOERROR' && answer.answers.length === 0
    if (answer.error || answer.rcode === null || (answer.rcode !== 'NXDOMAIN' && !nodata)) return {steps, stopped: answer, rcode: answer.error ? null : answer.rcode}
    if (nodata) sawNodata = true
  }
  return {steps, rcode: steps.length === 0 ? null : sawNodata ? 'NOERROR' : 'NXDOMAIN'}
}

/** A pod's search walk through cluster DNS; `asker` is the pod's address (autopath answers by it). */
export function resolveName(model: ClusterDns, name: string, qtype: string, conf: ResolvConf, asker?: Asker): Resolution {
  const notes = [...conf.notes]
  if (!conf.usesClusterDns) {
    notes.push('this pod does not send its queries to cluster DNS, so kdisco cannot predict the answers')
    return {tried: searchCandidates(name, conf).map((n) => ({name: n, rcode: null, answers: [], forwarded: true})), rcode: null, answers: [], forwarded: true, notes}
  }
  const walk = walkSearch(searchCandidates(name, conf), (candidate) => model.answer(candidate, qtype, {asker}))
  const tried: SearchStep[] = walk.steps.map(({name: n, answer: a}) => ({name: n, rcode: a.rcode, answers: a.answers, ...(a.forwarded ? {forwarded: true} : {}), ...(a.notes?.length ? {notes: a.notes} : {}), route: a.route}))
  const stopped = walk.stopped
  const route = walk.steps.at(-1)?.answer.route
  if (stopped?.rcode === null) {
    notes.push(`${walk.steps.at(-1)!.name} ${stopped.forwarded ? 'is answered by upstream DNS' : 'has an answer'}, which kdisco does not predict`)
    return {tried, rcode: null, answers: stopped.answers, ...(stopped.forwarded ? {forwarded: true} : {}), ...(route ? {route} : {}), notes}
  }
  return {tried, rcode: walk.rcode as Rcode, answers: stopped?.answers ?? [], ...(stopped?.forwarded ? {forwarded: true} : {}), ...(stopped?.truncated ? {truncated: stopped.truncated} : {}), ...(stopped?.cached ? {cached: true} : {}), ...(route ? {route} : {}), notes}
}

/** The resolv.conf of a ClusterFirst pod in `namespace`, with this cluster's domain and DNS Service IP. */
export function clusterFirstConf(model: ClusterDns, namespace: string): ResolvConf {
  return podResolvConf({namespace}, resolverContext(model))
}

/** What kubelet writes pods' resolv.conf from: the cluster domain, cluster DNS's IPs, the node's resolver if known. */
export function resolverContext(model: ClusterDns): ResolverContext {
  return {clusterDomain: model.settings.clusterDomain, clusterDnsIps: clusterDnsContext(model).ips, ...(model.settings.node ? {node: model.settings.node} : {})}
}

/** The note a ClusterFirst walk carries when the node's search domains are unknown. */
export const NODE_SEARCH_UNKNOWN =
  "kubelet appends the node's search domains (ec2.internal, c.<project>.internal, …) to ClusterFirst pods; kdisco was not given them (--node-resolv-conf or --node-search), so the walk may try more names than shown"

/** The nameserver IPs kubelet puts in ClusterFirst pods: the kube-dns Service's cluster IPs, else kubeadm's default. */
export function clusterDnsContext(model: ClusterDns): {ips: string[]; assumed: boolean} {
  const svc = model.service(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE)
  if (svc && svc.clusterIPs.length > 0) return {ips: svc.clusterIPs, assumed: false}
  return {ips: [DEFAULT_CLUSTER_DNS_IP], assumed: true}
}
