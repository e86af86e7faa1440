// What a question needs from the cluster: the objects the kubernetes plugin consults for the names that reach it.
// Pure. The model itself routes each name through the Corefile (rewrite, template, autopath, NodeLocal DNSCache…), so
// the names are the ones the plugin is really asked, not guesses from the question; a live read of just these
// objects gives the answer a read of the whole cluster gives.
import {addressData, addressTextFromDashedLabel, ipFromReverseName} from './ip.js'
import {ClusterDns} from './model.js'
import {isDns1123Label, normalizeName, stripZone} from './names.js'
import {isReverseZone, matchZone} from './settings.js'
import type {ChainContext, Question} from './coredns/types.js'

/** One read a question needs. Cluster-wide reads carry why (the answer says so). */
export type ClusterRead =
  /** Whether the namespace exists. */
  | {kind: 'namespace'; namespace: string}
  /** The Service and its EndpointSlices (kubernetes.io/service-name). */
  | {kind: 'service'; namespace: string; name: string}
  /** The pods with this status.podIP: in a namespace (pods verified), or anywhere (autopath finds the asker by it). */
  | {kind: 'pods-at'; ip: string; namespace?: string}
  /** Every Service of that name, in any namespace (hints when a short name fails). */
  | {kind: 'services-named'; name: string}
  /** Every Service (no API selects Services by cluster IP). */
  | {kind: 'all-services'; why: string}
  /** Every EndpointSlice (no API selects EndpointSlices by address). */
  | {kind: 'all-endpointslices'; why: string}

export function readKey(r: ClusterRead): string {
  switch (r.kind) {
    case 'namespace':
      return `namespace ${r.namespace.toLowerCase()}`
    case 'service':
      return `service ${r.namespace.toLowerCase()}/${r.name.toLowerCase()}`
    case 'pods-at':
      return `pods-at ${r.namespace?.toLowerCase() ?? '*'} ${r.ip}`
    case 'services-named':
      return `services-named ${r.name.toLowerCase()}`
    default:
      return r.kind
  }
}

/** CoreDNS follows an in-zone ExternalName chain inside the plugin at most this far (backend_lookup.go). */
const CNAME_HOPS = 8

/**
 * A ClusterDns that writes down what each question reaching its kubernetes plugin consults. Only the primary
 * kubernetes stanza reports (siblings are separate models): `reliable()` says whether this Corefile has just one.
 */
export class ReadTracingModel extends ClusterDns {
  /** What earlier rounds read (readKey): set before the question is asked. */
  read = new Set<string>()
  /** The reads of each question that reached the plugin, in the order asked (a walk stops at its first answer). */
  readonly questions: ClusterRead[][] = []
  /** Reads for the report's hints, wanted once the answer is known. */
  readonly hints: ClusterRead[] = []
  private current?: ClusterRead[]

  /** The reads of the first question that still needs some: later names of the walk may never be asked. */
  nextReads(): ClusterRead[] {
    const pending = this.questions.find((reads) => reads.some((r) => !this.read.has(readKey(r))))
    return pending ?? this.hints.filter((r) => !this.read.has(readKey(r)))
  }

  /** Whether the tracing sees every question the plugin gets: one kubernetes stanza in the Corefile (and NodeLocal's). */
  reliable(): boolean {
    const stanzas = (server: {blocks: {plugins: {kind: string}[]}[]}) => server.blocks.reduce((n, b) => n + b.plugins.filter((p) => p.kind === 'kubernetes').length, 0)
    return stanzas(this.coreDns().config) <= 1 && (!this.settings.nodeLocal || stanzas(this.settings.nodeLocal.server) === 0)
  }

  override kubernetesServe(q: Question, ctx?: ChainContext) {
    this.current = []
    this.questions.push(this.current)
    this.need(q.name, q.type, 0)
    return super.kubernetesServe(q, ctx)
  }

  override autopathSearch(q: Question, ctx: ChainContext): string[] | undefined {
    if (ctx.asker && this.settings.pods === 'verified' && matchZone(normalizeName(q.name), this.settings.zones) !== undefined) this.questions.push([{kind: 'pods-at', ip: ctx.asker.ip}])
    return super.autopathSearch(q, ctx)
  }

  /** Also what the hints of an unanswered short name consult. */
  needServicesNamed(name: string): void {
    this.hints.push({kind: 'services-named', name})
  }

  private add(r: ClusterRead): void {
    this.current?.push(r)
  }

  private need(name: string, qtype: string, hops: number): void {
    const n = normalizeName(name)
    const zone = matchZone(n, this.settings.zones)
    if (zone === undefined || qtype === 'AXFR' || qtype === 'IXFR') return
    if (isReverseZone(zone)) {
      const ip = qtype === 'PTR' ? ipFromReverseName(n) : undefined
      const parsed = ip === undefined ? undefined : addressData(ip)
      if (!parsed) return
      this.add({kind: 'all-services', why: `the PTR question for ${ip} asks which Service has that cluster IP, and the API selects Services by cluster IP in no other way`})
      const byService = this.allServices().some((s) => s.addresses.some((a) => a.data === parsed.data) && this.namespaceExposed(s.namespace))
      if (!byService && this.read.has('all-services'))
        this.add({kind: 'all-endpointslices', why: `${ip} is no Service's cluster IP, so its PTR records name the endpoints at that address, and the API selects EndpointSlices by address in no other way`})
      return
    }
    if ((qtype === 'NS' && n === zone) || n === `ns.dns.${zone}`) {
      const why = 'nameserver records name the Services with an endpoint at CoreDNS\'s own address, in any namespace'
      this.add({kind: 'all-services', why})
      this.add({kind: 'all-endpointslices', why})
      return
    }
    const labels = stripZone(n, zone).split('.')
    const last = labels[labels.length - 1]
    const rest = labels.slice(0, -1)
    if (rest.length === 0 || (last !== 'svc' && last !== 'pod')) return
    const ns = rest[rest.length - 1]
    // No object can have a name the API server refuses: such names need no read.
    if (!isDns1123Label(ns.toLowerCase())) return
    this.add({kind: 'namespace', namespace: ns})
    if (last === 'pod') {
      const ip = rest.length >= 2 && rest.length <= 4 ? addressTextFromDashedLabel(rest[rest.length - 2]) : undefined
      if (ip !== undefined && this.settings.pods === 'verified') this.add({kind: 'pods-at', ip, namespace: ns})
      return
    }
    if (rest.length < 2 || rest.length > 4 || !isDns1123Label(ns.toLowerCase()) || !isDns1123Label(rest[rest.length - 2].toLowerCase())) return
    this.add({kind: 'service', namespace: ns, name: rest[rest.length - 2]})
    // An ExternalName's in-zone target is resolved inside the plugin (no new question reaches it): follow it here.
    const svc = this.service(ns, rest[rest.length - 2])
    if (svc?.kind === 'ExternalName' && svc.externalName && hops < CNAME_HOPS) this.need(svc.externalName.endsWith('.') ? svc.externalName : `${svc.externalName}.`, 'A', hops + 1)
  }
}
