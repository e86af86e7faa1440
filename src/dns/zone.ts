// The whole expected zone: every record cluster DNS serves for a snapshot, found by asking the model for every
// name that exists, so the zone and single lookups can never disagree. Pure.
import {podIps} from '../cluster/derive.js'
import {type Pod, namespaceOf} from '../cluster/types.js'
import {canonicalIp, ipFromReverseName, reverseName} from './ip.js'
import type {ClusterDns, ServiceEntry} from './model.js'
import {type ResourceRecord, sortRecords} from './records.js'
import {DNS_VERSION, DNS_VERSION_TTL, isReverseZone, matchZone} from './settings.js'

export interface ZoneListing {
  zone: string
  records: ResourceRecord[]
}

export interface ZoneOptions {
  /** Only Services (and their records) in these namespaces; empty = all. */
  namespaces?: string[]
  /** Only these zones (normalized); empty = every zone the plugin serves. */
  zones?: string[]
}

type Part = {endpoint?: string; port?: string; protocol?: string}

/** The names (as parts, and types) that exist for one Service. */
function serviceQuestions(model: ClusterDns, svc: ServiceEntry): [Part, string][] {
  // An ExternalName owns only its CNAME (asked for A or AAAA it answers the same CNAME plus its target's records).
  if (svc.kind === 'ExternalName') return [[{}, 'CNAME']]
  const out: [Part, string][] = [
    [{}, 'A'],
    [{}, 'AAAA'],
    [{}, 'SRV'],
  ]
  const ports = new Map<string, Part>()
  const addPort = (name: string, protocol: string) => {
    if (name !== '' && protocol !== '') ports.set(`${name.toLowerCase()}/${protocol}`, {port: name.toLowerCase(), protocol})
  }
  if (svc.kind === 'ClusterIP') for (const p of svc.ports) addPort(p.name, p.protocol)
  // Keyed lowercase: "Web" and "web" are one DNS name (the first spelling is kept).
  const endpointNames = new Map<string, string>()
  for (const ep of model.endpointsOf(svc.namespace, svc.name)) {
    if (!ep.ready) continue
    if (svc.kind === 'Headless') for (const p of ep.ports) addPort(p.name, p.protocol)
    const lower = ep.endpointName.toLowerCase()
    if (!endpointNames.has(lower)) endpointNames.set(lower, ep.endpointName)
  }
  for (const part of ports.values()) out.push([part, 'SRV'])
  for (const endpoint of endpointNames.values()) out.push([{endpoint}, 'A'], [{endpoint}, 'AAAA'])
  return out
}

export function zoneRecords(model: ClusterDns, pods: Pod[], options: ZoneOptions = {}): ZoneListing[] {
  const settings = model.settings
  const nsFilter = new Set((options.namespaces ?? []).map((n) => n.toLowerCase()))
  const wanted = (ns: string) => nsFilter.size === 0 || nsFilter.has(ns.toLowerCase())
  const zones = (options.zones && options.zones.length > 0 ? options.zones : settings.zones).filter((z) => settings.zones.includes(z))
  // Every name below is asked once (duplicates are removed where they could arise: endpoint names differing in case,
  // addresses spelled two ways, pods sharing an IP), so records are simply collected per zone.
  const byZone = new Map<string, ResourceRecord[]>(zones.map((z) => [z, []]))
  /** Records owned by names of one zone (the caller knows which). */
  const addTo = (zone: string | undefined, records: ResourceRecord[]) => {
    const listing = zone === undefined ? undefined : byZone.get(zone)
    if (listing) for (const r of records) listing.push(r)
  }
  const add = (records: ResourceRecord[]) => {
    for (const r of records) addTo(matchZone(r.name.toLowerCase().replace(/\.$/, ''), zones), [r])
  }
  const serviceZone = zones.includes(settings.clusterDomain) ? settings.clusterDomain : undefined
  for (const zone of zones) {
    add(model.answer(zone + '.', 'SOA').answers)
    add(model.answer(zone + '.', 'NS').answers)
    if (!isReverseZone(zone)) add([{name: `dns-version.${zone}.`, type: 'TXT', ttl: DNS_VERSION_TTL, data: DNS_VERSION}])
  }
  const addresses = new Set<string>()
  for (const svc of model.allServices()) {
    if (!wanted(svc.namespace) || !model.namespaceExposed(svc.namespace)) continue
    if (serviceZone !== undefined)
      for (const [part, type] of serviceQuestions(model, svc)) {
        const a = model.serviceAnswer(svc, type, part)
        // Only the records owned by this name; an ExternalName's in-zone chase belongs to its target.
        const owner = a.answers[0]?.name
        addTo(serviceZone, a.answers.filter((r) => r.name === owner))
      }
    for (const ip of svc.clusterIPs) addresses.add(ip)
    for (const ep of model.endpointsOf(svc.namespace, svc.name)) if (ep.ready) addresses.add(ep.address)
  }
  const reverseNames = new Set<string>()
  for (const ip of addresses) {
    const rev = reverseName(ip)
    if (!rev || reverseNames.has(rev)) continue
    reverseNames.add(rev)
    // The address as the reverse name spells it, exactly as a PTR question would be read.
    const asked = ipFromReverseName(rev.replace(/\.$/, '').toLowerCase())
    if (asked) addTo(matchZone(rev.replace(/\.$/, '').toLowerCase(), zones), model.ptrAnswer(asked, rev).answers)
  }
  if (settings.pods !== 'disabled') {
    // Insecure mode answers any dashed IP; the zone lists the pods that exist.
    const seen = new Set<string>()
    for (const pod of pods) {
      if (!wanted(namespaceOf(pod))) continue
      for (const ip of podIps(pod)) {
        const id = `${namespaceOf(pod).toLowerCase()}/${canonicalIp(ip) ?? ip}`
        if (seen.has(id)) continue // pods sharing an IP (hostNetwork) have one record
        seen.add(id)
        addTo(serviceZone, model.podAnswer(namespaceOf(pod), ip, 'A').answers)
        addTo(serviceZone, model.podAnswer(namespaceOf(pod), ip, 'AAAA').answers)
      }
    }
  }
  return zones.map((zone) => ({zone, records: sortRecords(byZone.get(zone)!)}))
}
