// The whole expected zone: every record cluster DNS serves for a snapshot, found by asking the model for every
// name that exists, so the zone and single lookups can never disagree. Pure.
import {podIps} from '../cluster/derive.js'
import {type Pod, namespaceOf} from '../cluster/types.js'
import {type AddressData, addressData, dashedIp, reverseName} from './ip.js'
import type {ClusterDns, ServiceEntry} from './model.js'
import {type ResourceRecord, compareNames} from './records.js'
import {isReverseZone, matchZone} from './settings.js'
import {byCodeUnits} from '../order.js'

export interface ZoneListing {
  zone: string
  records: ResourceRecord[]
  /** Records left out because a name in them is longer than DNS allows (255 octets, labels 63): no question reaches them. */
  omitted?: number
}

/** Names in the model have plain labels, so an absolute name's octets on the wire are its length plus one. */
const MAX_NAME_TEXT = 254

/**
 * Whether every name in a record fits in a DNS message (owner, and the target of CNAME, PTR, NS, SRV). The only
 * label that can be too long is an SRV name's `_<port name>`: a Service port name may have 63 characters.
 */
export function fitsOnTheWire(r: ResourceRecord): boolean {
  if (r.name.length > MAX_NAME_TEXT || (r.name.charCodeAt(0) === 95 && r.name.indexOf('.') > 63)) return false
  if (r.data.length <= MAX_NAME_TEXT) return true
  return r.type === 'A' || r.type === 'AAAA' || r.type === 'TXT' || r.data.slice(r.data.lastIndexOf(' ') + 1).length <= MAX_NAME_TEXT
}

export interface ZoneOptions {
  /** Only Services (and their records) in these namespaces; empty = all. */
  namespaces?: string[]
  /** Only these zones (normalized); empty = every zone the plugin serves. */
  zones?: string[]
}

type Part = {endpoint?: string; port?: string; protocol?: string}

/**
 * A string whose plain order is the canonical order of the address's reverse name: the dotted IPv4 text itself
 * (octets as text, most significant first; '.' sorts below every digit), or IPv6's 32 nibbles.
 */
function reverseSortKey(ip: string): string {
  if (!ip.includes(':')) return ip
  const rev = reverseName(ip)!
  let key = ''
  for (let i = rev.length - '.ip6.arpa.'.length - 1; i >= 0; i -= 2) key += rev[i]
  return key
}

/** The names (as parts, and types) that exist for one Service; A/AAAA only where an address of that family is. */
function serviceQuestions(model: ClusterDns, svc: ServiceEntry): [Part, string][] {
  // An ExternalName owns only its CNAME (asked for A or AAAA it answers the same CNAME plus its target's records).
  if (svc.kind === 'ExternalName') return [[{}, 'CNAME']]
  let v4 = false
  let v6 = false
  if (svc.kind === 'ClusterIP') for (const a of svc.addresses) a.family === 4 ? (v4 = true) : (v6 = true)
  const ports = new Map<string, Part>()
  const addPort = (name: string, protocol: string) => {
    if (name !== '' && protocol !== '') ports.set(`${name.toLowerCase()}/${protocol}`, {port: name.toLowerCase(), protocol})
  }
  if (svc.kind === 'ClusterIP') for (const p of svc.ports) addPort(p.name, p.protocol)
  // Keyed lowercase: "Web" and "web" are one DNS name (the first spelling is kept).
  const endpointNames = new Map<string, {endpoint: string; v4: boolean; v6: boolean}>()
  for (const ep of model.endpointsOf(svc.namespace, svc.name)) {
    if (!ep.ready) continue
    const family = ep.parsed?.family
    if (svc.kind === 'Headless') {
      for (const p of ep.ports) addPort(p.name, p.protocol)
      if (family === 4) v4 = true
      else if (family === 6) v6 = true
    }
    const lower = ep.endpointName.toLowerCase()
    let name = endpointNames.get(lower)
    if (!name) endpointNames.set(lower, (name = {endpoint: ep.endpointName, v4: false, v6: false}))
    if (family === 4) name.v4 = true
    else if (family === 6) name.v6 = true
  }
  // In canonical order: the Service's own name (A, AAAA, SRV), then its children by their label next to it:
  // `_<proto>` (then `_<port>`) for SRV names, the endpoint label for endpoint names; '_' sorts below letters and
  // digits never start a port name, and all of these are lowercase, so plain text order is label order.
  const out: [Part, string][] = []
  if (v4) out.push([{}, 'A'])
  if (v6) out.push([{}, 'AAAA'])
  out.push([{}, 'SRV'])
  const children: {key: string; questions: [Part, string][]}[] = []
  for (const part of ports.values()) children.push({key: `_${part.protocol}\u0000_${part.port}`, questions: [[part, 'SRV']]})
  for (const [lower, {endpoint, v4, v6}] of endpointNames) {
    const questions: [Part, string][] = []
    if (v4) questions.push([{endpoint}, 'A'])
    if (v6) questions.push([{endpoint}, 'AAAA'])
    children.push({key: lower, questions})
  }
  children.sort((a, b) => byCodeUnits(a.key, b.key))
  for (const child of children) out.push(...child.questions)
  return out
}

/** One zone's records, produced in canonical order as they are iterated (each listing iterates once). */
export interface ZoneStream {
  zone: string
  records: Iterable<ResourceRecord>
}

/**
 * Every zone's records, in canonical order by construction, listed lazily: `dns zone -o json` writes them as they
 * come, so 400k records (10k Services) are never all in the heap at once. Records a name too long for DNS would
 * appear in are still yielded: the caller leaves them out (fitsOnTheWire) and counts them.
 */
export function zoneStreams(model: ClusterDns, pods: Pod[], options: ZoneOptions = {}): ZoneStream[] {
  const settings = model.settings
  const nsFilter = new Set((options.namespaces ?? []).map((n) => n.toLowerCase()))
  const wanted = (ns: string) => nsFilter.size === 0 || nsFilter.has(ns.toLowerCase())
  const zones = (options.zones && options.zones.length > 0 ? options.zones : settings.zones).filter((z) => settings.zones.includes(z))
  // Every name below is asked once (duplicates are removed where they could arise: endpoint names differing in case,
  // addresses spelled two ways, pods sharing an IP), so each zone's records are simply listed in canonical order,
  // part by part, instead of sorting ~400k records (10k Services): the apex, then dns-version, then the pod names
  // (<dashed-ip>.<ns>.pod; "pod" < "svc"), then each Service's subtree in (namespace, name) order, its names asked in
  // order; reverse zones list the PTRs by address. Property tests check the result against a plain sort by
  // (name, type, data).
  const serviceZone = zones.includes(settings.clusterDomain) ? settings.clusterDomain : undefined
  // The apex records of every zone, each filed under the zone that owns its name.
  const heads = new Map<string, ResourceRecord[]>(zones.map((z) => [z, []]))
  const file = (records: ResourceRecord[]) => {
    for (const r of records) {
      const zone = matchZone(r.name.toLowerCase().replace(/\.$/, ''), zones)
      if (zone !== undefined) heads.get(zone)?.push(r)
    }
  }
  for (const zone of zones) {
    file(model.answer(zone + '.', 'SOA').answers)
    file(model.answer(zone + '.', 'NS').answers)
    if (!isReverseZone(zone)) file(model.answer(`dns-version.${zone}.`, 'TXT').answers)
  }
  const services = model.allServices().filter((svc) => wanted(svc.namespace) && model.namespaceExposed(svc.namespace))
  services.sort((a, b) => compareNames(a.namespace, b.namespace) || compareNames(a.name, b.name))

  function* podRecords(): Generator<ResourceRecord> {
    // Insecure mode answers any dashed IP; the zone lists the pods that exist. By namespace (lower case: one DNS
    // name), then by the dashed label, lower case; each namespace's addresses once (pods sharing an IP, hostNetwork,
    // have one record).
    const byNamespace = new Map<string, {seen: Set<string>; named: {key: string; ns: string; ip: string; parsed?: AddressData}[]; dotted: boolean}>()
    for (const pod of pods) {
      const ns = namespaceOf(pod)
      if (!wanted(ns)) continue
      const lower = ns.toLowerCase()
      let group = byNamespace.get(lower)
      if (!group) byNamespace.set(lower, (group = {seen: new Set(), named: [], dotted: true}))
      for (const ip of podIps(pod)) {
        const parsed = addressData(ip)
        const id = parsed?.data ?? ip
        if (group.seen.has(id)) continue
        group.seen.add(id)
        // IPv4 text (canonical: parsed.data is the text) sorts as its dashed label does: '.' and '-' both sort
        // below every digit. Other addresses sort by the label itself, and then so must every address beside them.
        if (parsed?.data !== ip || parsed.family !== 4) group.dotted = false
        group.named.push({key: ip, ns, ip, parsed})
      }
    }
    for (const lower of [...byNamespace.keys()].sort(byCodeUnits)) {
      const {named, dotted} = byNamespace.get(lower)!
      if (!dotted) for (const n of named) n.key = dashedIp(n.ip).toLowerCase()
      named.sort((a, b) => byCodeUnits(a.key, b.key))
      // A pod record has one type, that of its address (the other question is NODATA).
      for (const {ns, ip, parsed} of named) yield* model.podAnswer(ns, ip, parsed?.family === 6 ? 'AAAA' : 'A').answers
    }
  }

  function* serviceRecords(): Generator<ResourceRecord> {
    for (const svc of services)
      for (const [part, type] of serviceQuestions(model, svc)) {
        const a = model.serviceAnswer(svc, type, part)
        // Only the records owned by this name; an ExternalName's in-zone chase belongs to its target.
        const owner = a.answers[0]?.name
        const own = a.answers.filter((r) => r.name === owner)
        yield* own.length > 1 ? own.sort((x, y) => byCodeUnits(x.data, y.data)) : own
      }
  }

  /**
   * Canonical text of every address that has a PTR record, in the canonical order of its reverse name (by the
   * address's labels from the most significant, each compared as text). Only the addresses are kept: their reverse
   * names and zones are worked out as each reverse zone is listed.
   */
  let ptrOrder: string[] | undefined
  const ptrs = () => {
    if (ptrOrder) return ptrOrder
    const addresses = new Set<string>()
    let v6 = false
    for (const svc of services) {
      for (const address of svc.addresses) addresses.add(address.data)
      for (const ep of model.endpointsOf(svc.namespace, svc.name)) if (ep.ready && ep.parsed) addresses.add(ep.parsed.data)
    }
    for (const ip of addresses) if (ip.includes(':')) v6 = true
    // IPv4 text is its own sort key; with IPv6 beside it, each is sorted by reverseSortKey.
    ptrOrder = v6 ? [...addresses].map((ip) => `${reverseSortKey(ip)}\u0000${ip}`).sort().map((keyed) => keyed.slice(keyed.indexOf('\u0000') + 1)) : [...addresses].sort()
    return ptrOrder
  }
  /** Whether reverse names under `base` (in-addr.arpa, ip6.arpa) can fall in zone `z`: a zone above or below it. */
  const holds = (z: string, base: string) => z === '' || z === base || base.endsWith(`.${z}`) || z.endsWith(`.${base}`)

  function* records(zone: string): Generator<ResourceRecord> {
    yield* heads.get(zone)!
    if (zone === serviceZone && settings.pods !== 'disabled') yield* podRecords()
    if (zone === serviceZone) yield* serviceRecords()
    const v4 = holds(zone, 'in-addr.arpa')
    const v6 = holds(zone, 'ip6.arpa')
    if (!v4 && !v6) return
    for (const ip of ptrs()) {
      if (!(ip.includes(':') ? v6 : v4)) continue
      // The PTR question for the address is read back as its canonical text, which is what ptrs() holds.
      const rev = reverseName(ip)!
      if (matchZone(rev.slice(0, -1), zones) === zone) yield* model.ptrAnswer(ip, rev).answers
    }
  }

  return zones.map((zone) => ({zone, records: {[Symbol.iterator]: () => records(zone)}}))
}

/** Every zone's records, in canonical order (zoneStreams, collected). */
export function zoneRecords(model: ClusterDns, pods: Pod[], options: ZoneOptions = {}): ZoneListing[] {
  return collectZones(zoneStreams(model, pods, options))
}

/** The records of listed zones, those too long for DNS left out and counted. */
export function collectZones(streams: ZoneStream[]): ZoneListing[] {
  return streams.map(({zone, records}) => {
    const fitting: ResourceRecord[] = []
    let omitted = 0
    for (const r of records) fitsOnTheWire(r) ? fitting.push(r) : omitted++
    return omitted > 0 ? {zone, records: fitting, omitted} : {zone, records: fitting}
  })
}
