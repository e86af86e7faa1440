// The expected answers of cluster DNS: the Kubernetes DNS specification 1.1.0 as CoreDNS's `kubernetes`
// plugin (v1.14) implements it. Pure: a snapshot and settings in, answers out. Indexes are built once, so a
// question costs a few map lookups whatever the cluster size.
import {podIps} from '../cluster/derive.js'
import {CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE, type ClusterSnapshot, type EndpointSlice, SERVICE_NAME_LABEL, type Service, type SliceOrigin, namespaceOf, sliceOrigin} from '../cluster/types.js'
import {type AddressData, addressData, addressTextFromDashedLabel, dashedIp, ipFamily, ipFromReverseName} from './ip.js'
import {fqdn, normalizeName, stripZone} from './names.js'
import {truncation, truncationNote} from './message-size.js'
import {type DnsAnswer, type Rcode, type ResourceRecord, type Route} from './records.js'
import {DNS_VERSION, DNS_VERSION_TTL, type DnsSettings, fallsThrough, isReverseZone, matchZone} from './settings.js'
import {byCodeUnits} from '../order.js'
import {throughCache} from './coredns/cache.js'
import {CoreDnsServer, type ServerEnvironment, compileServer, impliedServer} from './coredns/server.js'
import {KUBE_DNS_TTL, kubeDnsEndpointLabel} from './kube-dns.js'
import type {Asker, ChainContext, Question, Served} from './coredns/types.js'
import {absoluteZone, lowerName, matchAbsolute} from './coredns/types.js'

export type ServiceKind = 'ClusterIP' | 'Headless' | 'ExternalName'

export interface PortEntry {
  name: string
  protocol: string
  /** -1 stands for "no ports" (CoreDNS's sentinel): the name answers A/AAAA but not SRV. */
  port: number
}

export interface ServiceEntry {
  namespace: string
  name: string
  kind: ServiceKind
  type: string
  clusterIPs: string[]
  /** clusterIPs, parsed (same order). */
  addresses: AddressData[]
  /**
   * A ClusterIP Service whose manifest sets no cluster IP (as most do): the API server allocates one when it is
   * created. Its name will answer with that address, which no manifest tells; SRV records do not depend on it.
   */
  ipPending: boolean
  /** `<name>.<namespace>.svc.<cluster domain>.`, built once (a zone listing names it ~30 times per Service). */
  fqdn: string
  ports: PortEntry[]
  externalName?: string
  object: Service
}

export interface EndpointEntry {
  namespace: string
  service: string
  /** Address text as stored in the EndpointSlice (CoreDNS compares PTR questions against this text). */
  address: string
  /** The address parsed; undefined when the text is not an IP (such an endpoint has no A/AAAA record). */
  parsed?: AddressData
  /** The label CoreDNS serves for it: hostname, else (endpoint_pod_names) the pod name, else the dashed IP. */
  endpointName: string
  ready: boolean
  ports: PortEntry[]
  podName?: string
  nodeName?: string
  sliceName: string
}

interface ServiceEndpoints {
  all: EndpointEntry[]
  ready: EndpointEntry[]
  readyByName: Map<string, EndpointEntry[]>
}

/**
 * An address behind a name; its SRV target is `<endpoint>.<service FQDN>` for endpoints, else the Service FQDN.
 * `pending`: a cluster IP the API server has yet to allocate (ip is empty): SRV records exist, the address is unknown;
 * `family` is its IP family when the manifest says (spec.ipFamilies), else the cluster's default decides.
 */
type Backend = {kind: 'ip'; ip: string; parsed?: AddressData; port: number; endpoint?: string; svcFqdn: string; pending?: true; family?: 4 | 6} | {kind: 'cname'; host: string}

/** Built only for SRV answers: A/AAAA answers, most of a zone, never need it. */
function srvTarget(b: Extract<Backend, {kind: 'ip'}>): string {
  return b.endpoint === undefined ? b.svcFqdn : `${b.endpoint}.${b.svcFqdn}`
}

const key = (ns: string, name: string) => `${ns.toLowerCase()}/${name.toLowerCase()}`

/** The kubernetes plugin passes the question to the next plugin: outside its zones, or an NXDOMAIN it falls through. */
interface Pass {
  pass: true
  /** It looked the name up (fallthrough), as opposed to never looking (outside its zones). */
  consulted: boolean
  note?: string
}

export interface AnswerOptions {
  /** The pod that asks (its address): autopath and templates depend on it. */
  asker?: Asker
  /** Ask CoreDNS itself, not through NodeLocal DNSCache (a probe of a replica, the differential tests). */
  direct?: boolean
}

/** Upstream names that stand for cluster DNS in NodeLocal DNSCache's Corefile (node-cache fills them in). */
const CLUSTER_DNS_PLACEHOLDER = '__PILLAR__CLUSTER__DNS__'

export function serviceKind(svc: Service): ServiceKind {
  if (svc.spec?.type === 'ExternalName') return 'ExternalName'
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : []
  // CoreDNS: headless iff the first cluster IP is "None". A Service with no cluster IP at all in a manifest
  // would get one allocated by the API server; kdisco treats it as headless only when it says None.
  return ips[0] === 'None' ? 'Headless' : 'ClusterIP'
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label
}

/** Whether a port answers an SRV question's `_port._proto` labels (lower-cased; undefined asks for any). */
function portMatches(p: PortEntry, port: string | undefined, protocol: string | undefined): boolean {
  return (port === undefined || p.name.toLowerCase() === port) && (protocol === undefined || p.protocol === protocol)
}

export class ClusterDns {
  readonly settings: DnsSettings
  private readonly namespaces: Set<string>
  private readonly services = new Map<string, ServiceEntry>()
  /** Slices by service key; their entries are built the first time a question needs that Service. */
  private readonly slicesByService = new Map<string, EndpointSlice[]>()
  private readonly entriesByService = new Map<string, ServiceEndpoints>()
  private readonly byClusterIp = new Map<string, ServiceEntry[]>()
  /** Built on first use (PTR questions): every ready endpoint by address. */
  private addressIndex?: Map<string, EndpointEntry[]>
  /** Built on first use (pods verified). */
  private podIndex?: Map<string, number>
  private readonly pods: ClusterSnapshot['pods']
  private readonly readNamespaces?: string[]
  private readonly snapshot: ClusterSnapshot
  /** The Corefile's server, and NodeLocal DNSCache's in front of it (built on first use). */
  private server?: CoreDnsServer
  private nodeLocalServer?: CoreDnsServer
  /** Other kubernetes stanzas of the Corefile, by their settings. */
  private readonly siblings = new Map<DnsSettings, ClusterDns>()
  /** Built on first use (autopath): pods by IP, as CoreDNS's pod index holds them. */
  private podsByIp?: Map<string, string[]>

  constructor(snapshot: ClusterSnapshot, settings: DnsSettings) {
    this.snapshot = snapshot
    this.settings = settings
    this.namespaces = new Set(snapshot.namespaces.map((n) => n.toLowerCase()))
    for (const svc of snapshot.services) this.addService(svc)
    if (!settings.noEndpoints) {
      for (const slice of snapshot.endpointSlices) {
        const svcName = slice.metadata.labels?.[SERVICE_NAME_LABEL]
        if (!svcName) continue // CoreDNS never matches slices without the service-name label
        push(this.slicesByService, key(namespaceOf(slice), svcName), slice)
      }
    }
    this.pods = snapshot.pods
    this.readNamespaces = snapshot.readNamespaces
  }

  /** A Service's endpoints (all, ready, ready by lowercase endpoint name), built once from its slices. */
  private entries(k: string): ServiceEndpoints {
    let built = this.entriesByService.get(k)
    if (built) return built
    built = {all: [], ready: [], readyByName: new Map()}
    for (const slice of this.slicesByService.get(k) ?? []) {
      const ns = namespaceOf(slice)
      const svcName = slice.metadata.labels![SERVICE_NAME_LABEL]
      const ports: PortEntry[] = (slice.ports ?? []).map((p) => ({name: p.name ?? '', protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port ?? -1}))
      for (const ep of slice.endpoints ?? []) {
        // CoreDNS drops ready=false at ingestion; a missing condition counts as ready.
        const ready = ep.conditions?.ready !== false
        for (const address of ep.addresses ?? []) {
          const podName = ep.targetRef?.kind === 'Pod' || !ep.targetRef?.kind ? ep.targetRef?.name : undefined
          const entry: EndpointEntry = {
            namespace: ns,
            service: svcName,
            address,
            parsed: addressData(address),
            endpointName: this.endpointName(address, ep.hostname, ep.targetRef?.name),
            ready,
            ports: ports.length > 0 ? ports : [{name: '', protocol: '', port: -1}],
            podName,
            nodeName: ep.nodeName,
            sliceName: slice.metadata.name,
          }
          built.all.push(entry)
          if (ready) {
            built.ready.push(entry)
            push(built.readyByName, entry.endpointName.toLowerCase(), entry)
          }
        }
      }
    }
    this.entriesByService.set(k, built)
    return built
  }

  private byEndpointAddress(): Map<string, EndpointEntry[]> {
    if (!this.addressIndex) {
      this.addressIndex = new Map()
      for (const k of this.slicesByService.keys()) for (const e of this.entries(k).ready) push(this.addressIndex, e.address, e)
    }
    return this.addressIndex
  }

  /**
   * `pods verified`: the pods CoreDNS's pod watch holds, by namespace and IP text. CoreDNS keeps only
   * `status.podIP` (object/pod.go ToPod), compared as text with the label's address (kubernetes.go findPods), and
   * watches no Succeeded/Failed/Unknown pod. A pod that starts terminating keeps its entry (informer.go skips the
   * update), so terminating pods count.
   */
  private podIps(): Map<string, number> {
    if (!this.podIndex) {
      this.podIndex = new Map()
      for (const pod of this.pods) {
        const phase = pod.status?.phase
        if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Unknown' || !pod.status?.podIP) continue
        const k = `${namespaceOf(pod).toLowerCase()}/${pod.status.podIP}`
        this.podIndex.set(k, (this.podIndex.get(k) ?? 0) + 1)
      }
    }
    return this.podIndex
  }

  private endpointName(address: string, hostname: string | undefined, targetName: string | undefined): string {
    if (hostname) return hostname
    if (this.settings.flavour === 'kube-dns') return kubeDnsEndpointLabel(address)
    if (this.settings.endpointPodNames && targetName && targetName.length < 64) return targetName
    return dashedIp(address)
  }

  private addService(svc: Service): void {
    const kind = serviceKind(svc)
    const rawIps = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : []
    // Cluster IPs that are IPs (a ClusterIP Service's), each parsed once.
    const clusterIPs: string[] = []
    const addresses: AddressData[] = []
    for (const ip of kind === 'ClusterIP' ? rawIps : []) {
      const parsed = addressData(ip)
      if (parsed) clusterIPs.push(ip), addresses.push(parsed)
    }
    const ports: PortEntry[] = (svc.spec?.ports ?? []).map((p) => ({name: p.name ?? '', protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port}))
    const entry: ServiceEntry = {
      namespace: namespaceOf(svc),
      name: svc.metadata.name,
      kind,
      type: svc.spec?.type ?? 'ClusterIP',
      clusterIPs,
      addresses,
      ipPending: kind === 'ClusterIP' && rawIps.length === 0,
      fqdn: `${svc.metadata.name}.${namespaceOf(svc)}.svc.${this.settings.clusterDomain}.`,
      ports: ports.length > 0 ? ports : [{name: '', protocol: '', port: -1}],
      externalName: kind === 'ExternalName' ? svc.spec?.externalName : undefined,
      object: svc,
    }
    this.services.set(key(entry.namespace, entry.name), entry)
    for (const a of addresses) push(this.byClusterIp, a.data, entry)
  }

  // ---- read access for reports -------------------------------------------------------------------------

  service(namespace: string, name: string): ServiceEntry | undefined {
    return this.services.get(key(namespace, name))
  }

  allServices(): ServiceEntry[] {
    return [...this.services.values()]
  }

  /** Every endpoint of a Service, ready or not (for explanations). */
  endpointsOf(namespace: string, name: string): EndpointEntry[] {
    return this.entries(key(namespace, name)).all
  }

  /** Where a Service's EndpointSlices came from (observed, or derived/mirrored by kdisco), sorted. */
  sliceOrigins(namespace: string, name: string): SliceOrigin[] {
    return [...new Set((this.slicesByService.get(key(namespace, name)) ?? []).map(sliceOrigin))].sort()
  }

  /** Endpoints that serve `address`, across Services (ready only, as DNS sees them). */
  endpointsAt(address: string): EndpointEntry[] {
    return this.byEndpointAddress().get(address) ?? []
  }

  /** Whether the namespace exists in the input (served or not). */
  hasNamespace(ns: string): boolean {
    return this.namespaces.has(ns.toLowerCase())
  }

  namespaceExposed(ns: string): boolean {
    const n = ns.toLowerCase()
    if (this.settings.namespaces.length > 0 && !this.settings.namespaces.includes(n)) return false
    return this.namespaces.has(n)
  }

  serviceFqdn(entry: {name: string; namespace: string}, zone = this.settings.clusterDomain): string {
    return `${entry.name}.${entry.namespace}.svc.${zone}.`
  }

  // ---- the question ------------------------------------------------------------------------------------

  /**
   * What cluster DNS answers for (name, type), through the whole Corefile (and NodeLocal DNSCache when the cluster runs
   * it), with the route the question took. `name` is taken as absolute.
   */
  answer(name: string, qtype: string, options: AnswerOptions = {}): DnsAnswer & {route: Route} {
    const type = qtype.toUpperCase()
    if (this.settings.nodeLocal && !options.direct) {
      const local = this.settings.nodeLocal
      this.nodeLocalServer ??= new CoreDnsServer(local.server, this.environment(true))
      const a = this.nodeLocalServer.answer(name, type, options.asker)
      // Cluster DNS asked: its route, NodeLocal DNSCache in front. Not asked (forwarded from the node): NodeLocal's own.
      const nodeLocal = a.route.nodeLocal ? {...a.route.nodeLocal, address: local.address} : {server: a.route.server, plugins: a.route.plugins, address: local.address, alone: true}
      return {...a, route: {...a.route, nodeLocal}}
    }
    return this.coreDns().answer(name, type, options.asker)
  }

  /** The Corefile's server: its blocks and plugin chains, with this model as the kubernetes plugin. */
  coreDns(): CoreDnsServer {
    if (!this.server) {
      const s = this.settings
      const config = s.server ?? (s.corefile ? compileServer(s.corefile, {settings: s, directive: s.kubernetesDirective}) : impliedServer(s))
      this.server = new CoreDnsServer(config, this.environment(false))
    }
    return this.server
  }

  private environment(nodeLocal: boolean): ServerEnvironment {
    const node = this.settings.node
    const env: ServerEnvironment = {
      kubernetes: (settings, q, ctx) => {
        const model = this.forSettings(settings)
        const r = model.kubernetesServe(q, ctx)
        return 'pass' in r ? {consulted: r.consulted, note: r.note} : {answer: r, consulted: true}
      },
      autopathSearch: (settings, q, ctx) => this.forSettings(settings).autopathSearch(q, ctx),
      resolvConf: (path) => (path === '/etc/resolv.conf' || path.includes('__PILLAR__UPSTREAM__SERVERS__') ? (node?.known && node.nameservers.length > 0 ? node.nameservers : undefined) : undefined),
      resolvConfSearch: (path) => (path === '/etc/resolv.conf' && node?.known ? node.searches : undefined),
    }
    if (nodeLocal) {
      env.hop = (upstreams, q, ctx) => {
        const clusterDns = this.clusterDnsAddresses()
        if (!upstreams.some((u) => u.includes(CLUSTER_DNS_PLACEHOLDER) || clusterDns.has(u.replace(/^dns:\/\//, '').replace(/:53$/, '')))) return undefined
        const inner = this.coreDns().answer(q.name, q.type, ctx.asker)
        ctx.trace.inner = inner.route
        const {route, ...answer} = inner
        void route
        return {...answer, ...(inner.route.upstreamQuestion ? {forwardedAs: inner.route.upstreamQuestion} : {})}
      }
    }
    return env
  }

  /** Cluster IPs of kube-system/kube-dns and kube-dns-upstream (NodeLocal DNSCache forwards to the latter). */
  private clusterDnsAddresses(): Set<string> {
    const out = new Set<string>()
    for (const name of [CLUSTER_DNS_SERVICE, `${CLUSTER_DNS_SERVICE}-upstream`]) for (const ip of this.service(CLUSTER_DNS_NAMESPACE, name)?.clusterIPs ?? []) out.add(ip)
    return out
  }

  /** The model of another kubernetes stanza of the same Corefile (same cluster state, its own settings). */
  private forSettings(settings: DnsSettings): ClusterDns {
    if (settings === this.settings) return this
    let m = this.siblings.get(settings)
    if (!m) this.siblings.set(settings, (m = new ClusterDns(this.snapshot, {...settings, corefile: undefined, server: undefined, nodeLocal: undefined})))
    return m
  }

  /** The kubernetes plugin's own answer (handler.go), or the pass to the next plugin. */
  kubernetesServe(q: Question, ctx?: ChainContext): Served | Pass {
    return this.lookup(q.name, q.type, ctx?.depth ?? 0, ctx)
  }

  /**
   * autopath @kubernetes (kubernetes/autopath.go AutoPath): for a question in the plugin's zones from a pod CoreDNS knows
   * by its address (pods verified), [<ns>.svc.<zone>, svc.<zone>, <zone>, CoreDNS's own resolv.conf search…, ""].
   */
  autopathSearch(q: Question, ctx: ChainContext): string[] | undefined {
    const zone = matchAbsolute(q.name, this.settings.zones.map(absoluteZone))
    if (zone === undefined || this.settings.pods !== 'verified' || !ctx.asker) return undefined
    const namespaces = this.podNamespacesAt(ctx.asker.ip)
    if (namespaces.length === 0) return undefined
    if (namespaces.length > 1) ctx.trace.notes.push(`${namespaces.length} pods have the address ${ctx.asker.ip} (host network?): CoreDNS takes the first its index returns; kdisco takes namespace ${namespaces[0]}`)
    const ns = namespaces[0]
    const own = this.settings.node?.known ? this.settings.node.searches.map((s) => lowerName(s)) : []
    if (!this.settings.node?.known) ctx.trace.notes.push("CoreDNS's own resolv.conf (the node's) may add search domains to autopath's walk: kdisco was not given them (--node-resolv-conf, --node-search)")
    const first = zone === '.' ? [`${ns}.svc.`, 'svc.', '.'] : [`${ns}.svc.${zone}`, `svc.${zone}`, zone]
    return [...first, ...own, '']
  }

  /** The namespaces of pods whose status.podIP is `ip`, as CoreDNS's pod index has them (first by name). */
  podNamespacesAt(ip: string): string[] {
    if (!this.podsByIp) {
      this.podsByIp = new Map()
      const sorted = [...this.pods].sort((a, b) => byCodeUnits(key(namespaceOf(a), a.metadata.name), key(namespaceOf(b), b.metadata.name)))
      for (const pod of sorted) {
        const phase = pod.status?.phase
        if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Unknown' || !pod.status?.podIP) continue
        push(this.podsByIp, pod.status.podIP, namespaceOf(pod).toLowerCase())
      }
    }
    return this.podsByIp.get(ip) ?? []
  }

  private lookup(name: string, qtype: string, depth: number, ctx?: ChainContext): DnsAnswer | Pass {
    const asked = name.replace(/\.+$/, '')
    const owner = fqdn(asked)
    const n = normalizeName(asked)
    const zone = matchZone(n, this.settings.zones)
    if (zone === undefined) return {pass: true, consulted: false}
    if (qtype === 'AXFR' || qtype === 'IXFR') return {rcode: 'REFUSED', answers: [], notes: ['zone transfers are refused by the kubernetes plugin']}
    if (this.settings.flavour === 'kube-dns') return this.kubeDnsRecords(n, owner, qtype, zone)
    // CoreDNS keeps the question's spelling of the zone in what it builds from it (handler.go).
    const zoneAsAsked = asked.slice(asked.length - zone.length)
    let result: DnsAnswer
    // handler.go: SOA exists only at the apex and NS is answered there; every other name is NODATA for SOA without
    // a lookup, and looked up as A ("fake A") for NS. The NS test compares the lower-cased name with the zone as
    // asked, so an apex spelled with capitals gets NODATA.
    if (qtype === 'SOA') result = n === zone ? {rcode: 'NOERROR', answers: [this.soaRecord(owner, zoneAsAsked)]} : nodata('SOA is served only at the zone apex')
    else if (qtype === 'NS' && n === zone && zoneAsAsked === zone) result = this.nsAnswer(owner, zoneAsAsked)
    else result = isReverseZone(zone) ? this.reverse(n, owner, qtype, zone) : this.forward(asked, n, owner, qtype, zone, zoneAsAsked, depth, ctx)
    if (result.rcode === 'NXDOMAIN' && fallsThrough(this.settings, n)) {
      return {pass: true, consulted: true, note: `${result.notes?.[0] ? `${result.notes[0]}; ` : ''}fallthrough: the kubernetes plugin passes this NXDOMAIN on to the next plugin`}
    }
    const cut = truncation(owner, result.answers)
    if (cut) return {...result, truncated: cut, notes: [...(result.notes ?? []), truncationNote(cut)]}
    return result
  }

  private ttl(): number {
    return this.settings.ttl
  }

  /**
   * kube-dns's records (kubernetes/dns pkg/dns/dns.go) for the names kdisco models: a ClusterIP Service's A/AAAA, a
   * headless endpoint's A/AAAA (hash-named without a hostname), a pod's a-b-c-d name (IPv4, any namespace), PTR for
   * cluster IPs and named headless endpoints, an ExternalName's CNAME. Anything else is said to be not predicted.
   */
  private kubeDnsRecords(n: string, owner: string, qtype: string, zone: string): DnsAnswer {
    const unpredicted = (why: string): DnsAnswer => ({rcode: null, answers: [], notes: [`kube-dns: ${why}, which kdisco does not model`]})
    const rr = (type: string, data: string): ResourceRecord => ({name: owner, type, ttl: KUBE_DNS_TTL, data})
    if (isReverseZone(zone)) {
      if (qtype !== 'PTR') return unpredicted(`${qtype} questions in reverse zones`)
      const ip = ipFromReverseName(n)
      const parsed = ip ? addressData(ip) : undefined
      if (!parsed) return nxdomain('kube-dns: not a reverse name of an address')
      const svc = (this.byClusterIp.get(parsed.data) ?? [])[0]
      if (svc) return {rcode: 'NOERROR', answers: [rr('PTR', this.serviceFqdn(svc))]}
      const named = (this.byEndpointAddress().get(ip!) ?? []).filter((e) => this.service(e.namespace, e.service)?.kind === 'Headless' && e.endpointName !== kubeDnsEndpointLabel(e.address))
      if (named.length > 0) return {rcode: 'NOERROR', answers: [rr('PTR', `${named[0].endpointName}.${named[0].service}.${named[0].namespace}.svc.${this.settings.clusterDomain}.`)]}
      return unpredicted('a PTR question for an address without a Service cluster IP or named headless endpoint (its reply then depends on skydns error handling)')
    }
    const labels = stripZone(n, zone).split('.')
    const last = labels[labels.length - 1]
    if (last === 'pod' && labels.length === 3) {
      const ip = labels[0].replaceAll('-', '.')
      const parsed = addressData(ip)
      if (!parsed || parsed.family !== 4) return nxdomain('kube-dns: pod names spell IPv4 addresses with dashes (getPodIP)')
      if (qtype === 'A') return {rcode: 'NOERROR', answers: [rr('A', parsed.data)]}
      return unpredicted(`${qtype} questions for pod names`)
    }
    if (last !== 'svc' || labels.some((l) => l === '*')) return unpredicted('names other than Services, endpoints and pods (its subtree and wildcard answers)')
    if (labels.length === 3) {
      const svc = this.service(labels[1], labels[0])
      if (!svc) return nxdomain(`kube-dns: no Service ${labels[0]} in namespace ${labels[1]}`)
      if (svc.kind === 'ExternalName') return qtype === 'CNAME' ? {rcode: 'NOERROR', answers: [rr('CNAME', fqdn(svc.externalName ?? ''))]} : unpredicted(`${qtype} questions for ExternalName Services`)
      if (svc.kind === 'Headless') return unpredicted('headless Service names (its subtree answers include the SRV targets)')
      if (qtype !== 'A' && qtype !== 'AAAA') return unpredicted(`${qtype} questions for Services`)
      const family = qtype === 'A' ? 4 : 6
      const answers = svc.addresses.filter((a) => a.family === family).map((a) => rr(qtype, a.data))
      return answers.length > 0 ? {rcode: 'NOERROR', answers} : unpredicted(`a question for the other address family of a Service`)
    }
    if (labels.length === 4) {
      const svc = this.service(labels[2], labels[1])
      if (!svc || svc.kind !== 'Headless') return unpredicted('endpoint names of Services that are not headless')
      if (qtype !== 'A' && qtype !== 'AAAA') return unpredicted(`${qtype} questions for endpoint names`)
      const family = qtype === 'A' ? 4 : 6
      const eps = (this.entries(key(svc.namespace, svc.name)).readyByName.get(labels[0]) ?? []).filter((e) => e.parsed?.family === family)
      if (eps.length === 0) return this.entries(key(svc.namespace, svc.name)).readyByName.has(labels[0]) ? unpredicted('a question for the other address family of an endpoint') : nxdomain(`kube-dns: no ready endpoint named ${labels[0]}`)
      return {rcode: 'NOERROR', answers: eps.map((e) => rr(qtype, e.parsed!.data))}
    }
    return unpredicted('SRV names')
  }

  /** The `cache` plugin of the kubernetes plugin's server block, for answers built without a question (zone listing). */
  private throughCache(n: string, a: DnsAnswer): DnsAnswer {
    return this.settings.cache ? throughCache(this.settings.cache, n, a) : a
  }

  /**
   * NS at a zone apex (ns.go nsAddrs): the Services whose endpoints include CoreDNS's own address, named in the zone
   * as asked; with none, `ns.dns.<zone>`.
   */
  private nsAnswer(owner: string, zoneAsAsked: string): DnsAnswer {
    if (this.settings.bound) return nodata(BOUND_NOTE)
    const servers = this.nameservers(zoneAsAsked)
    const names = servers ? [...new Set(servers.map((s) => s.name))] : [`ns.dns.${zoneAsAsked}.`]
    return {rcode: 'NOERROR', answers: names.map((data) => ({name: owner, type: 'NS', ttl: this.ttl(), data}))}
  }

  /**
   * CoreDNS's nameserver names and addresses (ns.go nsAddrs): for its own address, every Service with an endpoint
   * there — a ClusterIP Service by its name and cluster IPs, a headless one by the endpoint names and addresses of
   * that slice. kdisco takes CoreDNS's address to be a ready endpoint of kube-system/kube-dns (CoreDNS runs in the
   * pods behind it); undefined when there is none, as CoreDNS then answers with addresses of its own machine.
   */
  private nameservers(zoneAsAsked: string): {name: string; ip: AddressData}[] | undefined {
    const dns = this.entries(key(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE)).ready
    const own = dns.map((e) => e.address).sort(byCodeUnits)[0]
    if (own === undefined) {
      // kube-dns's endpoints were not read (a live read of another namespace): CoreDNS runs behind it.
      const svc = this.services.get(key(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE))
      if (svc?.kind === 'ClusterIP' && this.readNamespaces && !this.readNamespaces.includes(CLUSTER_DNS_NAMESPACE))
        return svc.addresses.map((ip) => ({name: `${svc.name}.${svc.namespace}.svc.${zoneAsAsked}.`, ip}))
      return undefined
    }
    const out: {name: string; ip: AddressData}[] = []
    for (const ep of this.byEndpointAddress().get(own) ?? []) {
      const svc = this.services.get(key(ep.namespace, ep.service))
      if (!svc) continue
      const name = `${svc.name}.${svc.namespace}.svc.${zoneAsAsked}.`
      if (svc.kind === 'Headless') {
        for (const peer of this.entries(key(svc.namespace, svc.name)).ready) if (peer.sliceName === ep.sliceName && peer.parsed) out.push({name: `${peer.endpointName}.${name}`, ip: peer.parsed})
      } else {
        for (const ip of svc.addresses) out.push({name, ip})
      }
    }
    return out.length > 0 ? out : undefined
  }

  /** `ns.dns.<zone>` A/AAAA: the nameserver addresses (kubernetes.go Services, isDefaultNS). */
  private defaultNsAnswer(owner: string, qtype: string, zoneAsAsked: string): DnsAnswer {
    if (qtype !== 'A' && qtype !== 'AAAA') return nodata(`ns.dns.${zoneAsAsked} has only A and AAAA records`)
    if (this.settings.bound) return nodata(BOUND_NOTE)
    const servers = this.nameservers(zoneAsAsked)
    if (!servers) return {rcode: null, answers: [], notes: [`CoreDNS answers ns.dns.${zoneAsAsked} with the addresses of its own machine, which kdisco does not know (kube-system/kube-dns has no ready endpoint)`]}
    const family = qtype === 'A' ? 4 : 6
    const answers: ResourceRecord[] = []
    for (const s of servers) if (s.ip.family === family && !answers.some((r) => r.data === s.ip.data)) answers.push({name: owner, type: qtype, ttl: this.ttl(), data: s.ip.data})
    return answers.length > 0 ? {rcode: 'NOERROR', answers} : nodata(`no IPv${family} nameserver address`)
  }

  soaRecord(owner: string, zone: string): ResourceRecord {
    // The serial is the time of CoreDNS's last change: not predictable, so kdisco writes 1.
    return {name: owner, type: 'SOA', ttl: Math.min(this.ttl(), 300), data: `ns.dns.${zone}. hostmaster.${zone}. 1 7200 1800 86400 ${this.ttl()}`}
  }

  private reverse(n: string, owner: string, qtype: string, zone: string): DnsAnswer {
    // kubernetes.go Records: the apex parses as an empty name (NODATA; TXT finds nothing there: NXDOMAIN); any other
    // name in a reverse zone exists only for PTR.
    if (n === zone) return qtype === 'TXT' ? nxdomain('TXT exists only at dns-version.<cluster domain>') : nodata('the zone apex has only SOA and NS records')
    if (qtype !== 'PTR') return nxdomain('a name in a reverse zone exists only for PTR questions')
    const ip = ipFromReverseName(n)
    if (!ip) return nxdomain('not a complete reverse name for an IP address')
    return this.ptrRecords(ip, owner)
  }

  /** The PTR answer for an address (owner: its reverse name), without parsing a question. */
  ptrAnswer(ip: string, owner: string): DnsAnswer {
    return this.throughCache(normalizeName(owner), this.ptrRecords(ip, owner))
  }

  private ptrRecords(ip: string, owner: string): DnsAnswer {
    const targets = this.ptrTargets(ip)
    if (targets.length === 0) return nxdomain(`no Service cluster IP or ready endpoint has the address ${ip}`)
    const answer: DnsAnswer = {rcode: 'NOERROR', answers: targets.map((t) => ({name: owner, type: 'PTR', ttl: this.ttl(), data: t}))}
    if (this.readNamespaces && !this.byClusterIp.get(ip)?.some((svc) => this.namespaceExposed(svc.namespace))) {
      // Cluster IPs are unique, endpoint addresses are not: endpoints in namespaces that were not read can share
      // the address, and reverse.go answers for all of them.
      answer.partial = {readNamespaces: this.readNamespaces}
      answer.notes = [`only namespace${this.readNamespaces.length > 1 ? 's' : ''} ${this.readNamespaces.join(', ')} ${this.readNamespaces.length > 1 ? 'were' : 'was'} read: endpoints with this address in other namespaces add PTR records`]
    }
    return answer
  }

  /** The answer for a pod's a-b-c-d.<ns>.pod name, without parsing a question (`ip` as the pod's status has it). */
  podAnswer(namespace: string, ip: string, qtype: string): DnsAnswer {
    const label = dashedIp(ip)
    const zone = this.settings.clusterDomain
    const owner = `${label}.${namespace}.pod.${zone}.`
    return this.throughCache(normalizeName(owner), this.pod(owner, qtype, [label, namespace], zone, ip))
  }

  /** PTR targets for an IP: the first Service with that cluster IP, else every ready endpoint with that address. */
  ptrTargets(ip: string): string[] {
    const zone = this.settings.clusterDomain
    // Most addresses a zone listing asks about are endpoints': no array is made for them.
    const byIp = this.byClusterIp.get(ip)
    const services = byIp ? byIp.filter((s) => this.namespaceExposed(s.namespace)) : []
    if (services.length > 0) {
      // CoreDNS returns only one Service when several share an IP; kdisco picks the first by namespace/name.
      const first = [...services].sort((a, b) => byCodeUnits(key(a.namespace, a.name), key(b.namespace, b.name)))[0]
      return [this.serviceFqdn(first, zone)]
    }
    const out: string[] = []
    for (const ep of this.byEndpointAddress().get(ip) ?? []) {
      if (!this.namespaceExposed(ep.namespace)) continue
      const target = `${ep.endpointName}.${ep.service}.${ep.namespace}.svc.${zone}.`
      if (!out.some((t) => t.toLowerCase() === target.toLowerCase())) out.push(target)
    }
    // CoreDNS's order follows its informer cache; kdisco sorts so that every source gives the same answer.
    return out.sort()
  }

  private forward(asked: string, n: string, owner: string, qtype: string, zone: string, zoneAsAsked: string, depth: number, ctx?: ChainContext): DnsAnswer {
    if (n === zone) return emptyName(qtype, 'the zone apex has only SOA and NS records')
    // kubernetes.go Services: TXT exists only at dns-version.<zone>.
    if (qtype === 'TXT' && n === `dns-version.${zone}`) {
      return {rcode: 'NOERROR', answers: [{name: owner, type: 'TXT', ttl: DNS_VERSION_TTL, data: DNS_VERSION}]}
    }
    // isDefaultNS compares the lower-cased name with the zone as asked: a zone spelled with capitals never matches.
    if (n === `ns.dns.${zone}` && zoneAsAsked === zone && qtype !== 'TXT' && qtype !== 'PTR') return this.defaultNsAnswer(owner, qtype, zoneAsAsked)
    const base = stripZone(asked, zone)
    const labels = base.split('.')
    const last = labels[labels.length - 1].toLowerCase()
    if (base.toLowerCase() === 'svc' || base.toLowerCase() === 'pod') return emptyName(qtype, `"${base}.${zone}" is an empty non-terminal`)
    if (last === 'pod') return this.pod(owner, qtype, labels.slice(0, -1), zoneAsAsked)
    if (last !== 'svc') return nxdomain(`cluster names end in .svc.${zone} or .pod.${zone}`)
    const rest = labels.slice(0, -1)
    const ns = rest[rest.length - 1]
    if (rest.length === 1) {
      return this.namespaceExposed(ns) ? emptyName(qtype, `namespace ${ns} exists; the name itself has no records`) : nxdomain(`namespace ${ns} does not exist`)
    }
    if (rest.length > 4) return nxdomain('too many labels left of <service>.<namespace>.svc')
    if (!this.namespaceExposed(ns)) return nxdomain(`namespace ${ns} does not exist${this.settings.namespaces.length ? ' or is not served (namespaces option)' : ''}`)
    const svcName = rest[rest.length - 2]
    const svc = this.services.get(key(ns, svcName))
    if (!svc) return nxdomain(`no Service ${svcName} in namespace ${ns}`)
    const endpoint = rest.length === 3 ? rest[0] : undefined
    const port = rest.length === 4 ? stripUnderscore(rest[0]) : undefined
    const protocol = rest.length === 4 ? stripUnderscore(rest[1]) : undefined
    const backends = this.backends(svc, zoneAsAsked, endpoint, port, protocol)
    if (typeof backends === 'string') return nxdomain(backends)
    return this.shape(owner, qtype, zone, backends, depth, ctx)
  }

  /**
   * The answer for a name a Service owns — its FQDN, `_port._proto.` names, endpoint names — built from the same
   * backends and shaping as answer(), without parsing a question (the zone listing asks hundreds of thousands).
   */
  serviceAnswer(svc: ServiceEntry, qtype: string, part: {endpoint?: string; port?: string; protocol?: string} = {}): DnsAnswer {
    const zone = this.settings.clusterDomain
    const fq = svc.fqdn
    const owner = part.endpoint !== undefined ? `${part.endpoint}.${fq}` : part.port !== undefined ? `_${part.port}._${part.protocol}.${fq}` : fq
    const backends = this.backends(svc, zone, part.endpoint, part.port, part.protocol)
    if (typeof backends === 'string') return nxdomain(backends)
    return this.throughCache(zone, this.shape(owner, qtype, zone, backends, 0))
  }

  private backends(svc: ServiceEntry, zoneAsAsked: string, endpoint?: string, port?: string, protocol?: string): Backend[] | string {
    // Lower-cased once: this runs for every question a zone listing asks.
    const wantPort = port === undefined || port === '' ? undefined : port.toLowerCase()
    const wantProtocol = protocol === undefined || protocol === '' ? undefined : protocol.toLowerCase()
    if (svc.kind === 'ExternalName') {
      if (endpoint !== undefined || port !== undefined) return 'an ExternalName Service has no endpoint or port names'
      const host = svc.externalName ?? ''
      if (host === '' || ipFamily(host.replace(/\.$/, '')) !== undefined)
        return `externalName "${host}" is an IP address, which CoreDNS does not serve as a CNAME`
      return [{kind: 'cname', host}]
    }
    const svcFqdn = zoneAsAsked === this.settings.clusterDomain ? svc.fqdn : `${svc.name}.${svc.namespace}.svc.${zoneAsAsked}.`
    if (svc.kind === 'Headless' || endpoint !== undefined) {
      const out: Backend[] = []
      const eps = this.entries(key(svc.namespace, svc.name))
      const candidates = endpoint === undefined ? eps.ready : eps.readyByName.get(endpoint.toLowerCase())
      for (const ep of candidates ?? []) {
        for (const p of ep.ports) {
          if (!portMatches(p, wantPort, wantProtocol)) continue
          out.push({kind: 'ip', ip: ep.address, parsed: ep.parsed, port: p.port, endpoint: ep.endpointName, svcFqdn})
        }
      }
      if (out.length === 0) {
        if (endpoint !== undefined) return `no ready endpoint named ${endpoint} in Service ${svc.namespace}/${svc.name}`
        if (port !== undefined) return `no ready endpoint of headless Service ${svc.namespace}/${svc.name} has port ${port}/${protocol}`
        return `headless Service ${svc.namespace}/${svc.name} has no ready endpoints`
      }
      return out
    }
    if (this.settings.ignoreEmptyService && this.entries(key(svc.namespace, svc.name)).ready.length === 0)
      return `Service ${svc.namespace}/${svc.name} has no ready endpoints and the Corefile sets "ignore empty_service"`
    const out: Backend[] = []
    for (const p of svc.ports) {
      if (!portMatches(p, wantPort, wantProtocol)) continue
      for (let i = 0; i < svc.clusterIPs.length; i++) out.push({kind: 'ip', ip: svc.clusterIPs[i], parsed: svc.addresses[i], port: p.port, svcFqdn})
      // One address per family it will get: two when the manifest asks for both, else one (the cluster's default).
      if (svc.ipPending) for (const family of pendingFamilies(svc.object)) out.push({kind: 'ip', ip: '', port: p.port, svcFqdn, pending: true, family})
    }
    if (out.length === 0) return port !== undefined ? `Service ${svc.namespace}/${svc.name} has no port named ${port} with protocol ${protocol}` : `Service ${svc.namespace}/${svc.name} has no cluster IP`
    return out
  }

  private shape(owner: string, qtype: string, zone: string, backends: Backend[], depth: number, ctx?: ChainContext): DnsAnswer {
    const ttl = this.ttl()
    const cname = backends.find((b) => b.kind === 'cname') as {kind: 'cname'; host: string} | undefined
    if (cname) {
      const target = fqdn(cname.host)
      const record: ResourceRecord = {name: owner, type: 'CNAME', ttl, data: target}
      if (qtype === 'CNAME') return {rcode: 'NOERROR', answers: [record]}
      // backend_lookup.go: A and AAAA follow the CNAME; other types see only that it exists (TXT too: kubernetes.go
      // Services hands TXT no records for a name that has some).
      if (qtype !== 'A' && qtype !== 'AAAA') return nodata('an ExternalName Service has only a CNAME')
      if (normalizeName(target) === normalizeName(owner)) return nodata('a CNAME to itself is suppressed')
      if (depth >= 8) return nodata('CNAME chain too long')
      const t = normalizeName(target)
      if (t === zone || t.endsWith(`.${zone}`)) {
        // backend_lookup.go A: a target in the same zone is resolved inside the plugin; without records (NXDOMAIN or
        // NODATA, whatever fallthrough says) the CNAME itself is dropped.
        const chased = this.lookup(target, qtype, depth + 1, ctx)
        if ('pass' in chased || chased.answers.length === 0) return nodata(`CNAME target ${target} has no ${qtype} records, so CoreDNS drops the CNAME`)
        return {rcode: 'NOERROR', answers: [record, ...chased.answers]}
      }
      // Any other target goes through the whole server again (upstream.Lookup); CoreDNS keeps the CNAME whatever comes back.
      let up: Served
      if (ctx) up = ctx.lookup(target, qtype)
      else {
        const local = this.lookup(target, qtype, depth + 1)
        up = 'pass' in local ? {rcode: null, answers: [], forwarded: true, forwardedAs: {name: target, type: qtype}} : local
      }
      if (up.rcode === null && up.answers.length === 0) {
        const out: Served = {rcode: 'NOERROR', answers: [record], forwarded: true, forwardedAs: up.forwardedAs ?? {name: target, type: qtype}, notes: [`the addresses of ${target} come from upstream DNS (CoreDNS resolves the CNAME target through the whole server again)`]}
        return out
      }
      const out: Served = {rcode: 'NOERROR', answers: [record, ...up.answers], notes: [`CoreDNS resolved the CNAME target ${target} through the whole server again: ${up.rcode}${up.notes?.[0] ? ` (${up.notes[0]})` : ''}`]}
      if (up.forwarded) Object.assign(out, {forwarded: true, forwardedAs: up.forwardedAs})
      return out
    }
    const ips = backends as Extract<Backend, {kind: 'ip'}>[]
    if ((qtype === 'A' || qtype === 'AAAA') && ips.some((b) => b.pending)) {
      // Not NXDOMAIN: once created, the Service has an address of each family it asks for (of the cluster's default
      // family when it asks for none); of a family it does not ask for, none (NODATA).
      const family = qtype === 'A' ? 4 : 6
      if (ips.some((b) => b.pending && (b.family === undefined || b.family === family))) return {rcode: null, answers: [], notes: [PENDING_IP_NOTE]}
      return nodata(`no IPv${family} address behind this name (spec.ipFamilies)`)
    }
    if (qtype === 'A' || qtype === 'AAAA') {
      const family = qtype === 'A' ? 4 : 6
      const answers: ResourceRecord[] = []
      // Most names have one address: a Set only pays off for large headless Services.
      const seen = ips.length > 16 ? new Set<string>() : undefined
      for (const b of ips) {
        if (b.parsed?.family !== family) continue
        const data = b.parsed.data
        if (seen ? seen.has(data) : answers.some((r) => r.data === data)) continue
        seen?.add(data)
        answers.push({name: owner, type: qtype, ttl, data})
      }
      return answers.length > 0 ? {rcode: 'NOERROR', answers} : nodata(`no IPv${family} address behind this name`)
    }
    if (qtype === 'SRV') {
      const weight = Math.max(1, Math.floor(100 / ips.length))
      const seen = new Set<string>()
      const answers: ResourceRecord[] = []
      for (const b of ips) {
        if (b.port === -1) continue
        const target = srvTarget(b)
        const k = `${target.toLowerCase()} ${b.port}`
        if (seen.has(k)) continue
        seen.add(k)
        answers.push({name: owner, type: 'SRV', ttl, data: `0 ${weight} ${b.port} ${target}`})
      }
      return answers.length > 0 ? {rcode: 'NOERROR', answers} : nodata('no ports, so no SRV records')
    }
    return nodata(`the name exists but has no ${qtype} records`)
  }

  /**
   * `<label>.<ns>.pod.<zone>` (kubernetes.go findPods). The label spells an address (three dashes and no `--`:
   * IPv4, else IPv6); `insecure` answers for any address, `verified` only for a pod whose status.podIP is that text.
   * Up to two labels left of it are ignored, more are NXDOMAIN (parse.go). The record has port 0, so an SRV question
   * gets `0 100 0 <label>.<ns>.pod.<zone>` (backend_lookup.go SRV skips only port -1).
   * `text`: the address as the pod's status has it, when the caller knows it (no parsing back).
   */
  private pod(owner: string, qtype: string, rest: string[], zoneAsAsked: string, text?: string): DnsAnswer {
    if (this.settings.pods === 'disabled') return nxdomain(`pod records are disabled (Corefile "pods disabled")`)
    const ns = rest[rest.length - 1].toLowerCase()
    if (!this.namespaceExposed(ns)) return nxdomain(`namespace ${ns} does not exist`)
    if (rest.length === 1) return emptyName(qtype, `namespace ${ns} exists; the name itself has no records`)
    if (rest.length > 4) return nxdomain('too many labels left of <address>.<namespace>.pod')
    const label = rest[rest.length - 2].toLowerCase()
    const raw = text ?? addressTextFromDashedLabel(label)
    const parsed = raw === undefined ? undefined : addressData(raw)
    if (!parsed) return nxdomain(`"${label}" is not a dashed IP address`)
    let copies = 1
    if (this.settings.pods === 'verified') {
      copies = this.podIps().get(`${ns}/${raw}`) ?? 0
      if (copies === 0) return nxdomain(`no running pod has IP ${raw} in namespace ${ns} ("pods verified" compares status.podIP as written)`)
    }
    const family = parsed.family === 4 ? 'A' : 'AAAA'
    if (qtype === family) return {rcode: 'NOERROR', answers: [{name: owner, type: family, ttl: this.ttl(), data: parsed.data}]}
    if (qtype === 'SRV') return {rcode: 'NOERROR', answers: [{name: owner, type: 'SRV', ttl: this.ttl(), data: `0 ${Math.max(1, Math.floor(100 / copies))} 0 ${label}.${ns}.pod.${zoneAsAsked}.`}]}
    return nodata(`a pod record has only an ${family} record (and an SRV record with port 0)`)
  }
}

/**
 * The families of the cluster IPs a Service without one will be given: those of spec.ipFamilies (both for
 * RequireDualStack), else one of the cluster's default family (undefined: not known offline).
 */
export function pendingFamilies(svc: Service): (4 | 6 | undefined)[] {
  const asked = (svc.spec?.ipFamilies ?? []).map((f) => (f === 'IPv6' ? 6 : 4) as 4 | 6)
  if (svc.spec?.ipFamilyPolicy === 'RequireDualStack') return asked[0] === 6 ? [6, 4] : [4, 6]
  return asked.length > 0 ? asked.slice(0, 2) : [undefined]
}

/** Why a Service's own address is not predicted offline. */
export const PENDING_IP_NOTE = 'the manifest sets no cluster IP: the API server allocates one when the Service is created, and the name answers with it'

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k)
  if (list) list.push(v)
  else map.set(k, [v])
}

/**
 * With `bind`, CoreDNS's idea of its own addresses is empty: kubernetes/local.go boundIPs reads bind's plain
 * addresses as CIDRs, which fails, so ns.go nsAddrs finds no address and no Service.
 */
const BOUND_NOTE = 'the server block uses "bind": CoreDNS then does not know its own address (kubernetes/local.go), so it has no nameserver records'

/**
 * A name that exists without records of its own (apex, `svc`, `pod`, `<ns>.svc`, `<ns>.pod`): NODATA, except for TXT,
 * where CoreDNS answers NODATA only for names with records of another type (kubernetes.go Services).
 */
function emptyName(qtype: string, note: string): DnsAnswer {
  return qtype === 'TXT' ? nxdomain(`${note}; CoreDNS answers TXT with NXDOMAIN for names without records`) : nodata(note)
}

function nodata(note: string): DnsAnswer {
  return {rcode: 'NOERROR', answers: [], notes: [note]}
}

function nxdomain(note: string): DnsAnswer {
  return {rcode: 'NXDOMAIN' as Rcode, answers: [], notes: [note]}
}
