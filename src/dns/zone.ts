// The whole expected zone: every record cluster DNS serves for a snapshot, found by asking the model for every
// name that exists, so the zone and single lookups can never disagree. Pure.
import {podIps} from '../cluster/derive.js'
import {type Pod, namespaceOf} from '../cluster/types.js'
import {dashedIp, reverseName} from './ip.js'
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

/** Names (and types) that exist for one Service. */
function serviceQuestions(model: ClusterDns, svc: ServiceEntry): [string, string][] {
  const fq = model.serviceFqdn(svc)
  const out: [string, string][] = [
    [fq, 'A'],
    [fq, 'AAAA'],
    [fq, 'CNAME'],
    [fq, 'SRV'],
  ]
  if (svc.kind === 'ExternalName') return out
  const portNames = new Set<string>()
  const addPort = (name: string, protocol: string) => {
    if (name !== '' && protocol !== '') portNames.add(`_${name.toLowerCase()}._${protocol}.${fq}`)
  }
  if (svc.kind === 'ClusterIP') for (const p of svc.ports) addPort(p.name, p.protocol)
  const endpointNames = new Set<string>()
  for (const ep of model.endpointsOf(svc.namespace, svc.name)) {
    if (!ep.ready) continue
    if (svc.kind === 'Headless') for (const p of ep.ports) addPort(p.name, p.protocol)
    endpointNames.add(`${ep.endpointName}.${fq}`)
  }
  for (const name of portNames) out.push([name, 'SRV'])
  for (const name of endpointNames) out.push([name, 'A'], [name, 'AAAA'])
  return out
}

export function zoneRecords(model: ClusterDns, pods: Pod[], options: ZoneOptions = {}): ZoneListing[] {
  const settings = model.settings
  const nsFilter = new Set((options.namespaces ?? []).map((n) => n.toLowerCase()))
  const wanted = (ns: string) => nsFilter.size === 0 || nsFilter.has(ns.toLowerCase())
  const zones = (options.zones && options.zones.length > 0 ? options.zones : settings.zones).filter((z) => settings.zones.includes(z))
  const byZone = new Map<string, Map<string, ResourceRecord>>(zones.map((z) => [z, new Map()]))
  const add = (records: ResourceRecord[]) => {
    for (const r of records) {
      const z = matchZone(r.name.toLowerCase().replace(/\.$/, ''), zones)
      if (z === undefined) continue
      byZone.get(z)!.set(`${r.name.toLowerCase()} ${r.type} ${r.data.toLowerCase()}`, r)
    }
  }
  for (const zone of zones) {
    add(model.answer(zone + '.', 'SOA').answers)
    add(model.answer(zone + '.', 'NS').answers)
    if (!isReverseZone(zone)) add([{name: `dns-version.${zone}.`, type: 'TXT', ttl: DNS_VERSION_TTL, data: DNS_VERSION}])
  }
  const addresses = new Set<string>()
  for (const svc of model.allServices()) {
    if (!wanted(svc.namespace) || !model.namespaceExposed(svc.namespace)) continue
    for (const [name, type] of serviceQuestions(model, svc)) {
      const a = model.answer(name, type)
      // Only the records owned by this name; an ExternalName's in-zone chase belongs to its target.
      add(a.answers.filter((r) => r.name.toLowerCase() === name.toLowerCase()))
    }
    for (const ip of svc.clusterIPs) addresses.add(ip)
    for (const ep of model.endpointsOf(svc.namespace, svc.name)) if (ep.ready) addresses.add(ep.address)
  }
  for (const ip of addresses) {
    const rev = reverseName(ip)
    if (rev) add(model.answer(rev, 'PTR').answers)
  }
  if (settings.pods !== 'disabled') {
    // Insecure mode answers any dashed IP; the zone lists the pods that exist.
    for (const pod of pods) {
      if (!wanted(namespaceOf(pod))) continue
      for (const ip of podIps(pod)) {
        const name = `${dashedIp(ip)}.${namespaceOf(pod)}.pod.${settings.clusterDomain}.`
        add(model.answer(name, 'A').answers)
        add(model.answer(name, 'AAAA').answers)
      }
    }
  }
  return zones.map((zone) => ({zone, records: sortRecords([...byZone.get(zone)!.values()])}))
}
