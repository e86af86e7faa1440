// Cluster DNS settings: what the CoreDNS `kubernetes` plugin is configured to serve. Pure.
import {cidrReverseZones} from './ip.js'
import {isDns1123Subdomain, normalizeName} from './names.js'

export type PodsMode = 'disabled' | 'insecure' | 'verified'

export interface DnsSettings {
  /** Forward zone first (the cluster domain), then any others, then reverse zones. Normalized. */
  zones: string[]
  clusterDomain: string
  pods: PodsMode
  ttl: number
  endpointPodNames: boolean
  /** Zones where an NXDOMAIN is passed on to the next plugin (`fallthrough`); [''] = all zones. */
  fallthrough: string[]
  /** `namespaces` option: only these are served; empty = all. */
  namespaces: string[]
  /** `noendpoints`: no EndpointSlice watch. */
  noEndpoints: boolean
  /** `ignore empty_service`. */
  ignoreEmptyService: boolean
  /** Where these settings came from, for the user. */
  source: string
}

export const DNS_VERSION = '1.1.0'
export const DNS_VERSION_TTL = 28800
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local'

/** kubeadm's stock Corefile: `kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`. */
export function kubeadmDefaults(clusterDomain = DEFAULT_CLUSTER_DOMAIN): DnsSettings {
  const domain = normalizeName(clusterDomain)
  return {
    zones: [domain, 'in-addr.arpa', 'ip6.arpa'],
    clusterDomain: domain,
    pods: 'insecure',
    ttl: 30,
    endpointPodNames: false,
    fallthrough: ['in-addr.arpa', 'ip6.arpa'],
    namespaces: [],
    noEndpoints: false,
    ignoreEmptyService: false,
    source: 'kubeadm defaults',
  }
}

export function isReverseZone(zone: string): boolean {
  return zone === 'in-addr.arpa' || zone === 'ip6.arpa' || zone.endsWith('.in-addr.arpa') || zone.endsWith('.ip6.arpa')
}

/** The longest zone name whose SOA names (ns.dns.<zone>, hostmaster.<zone>) still fit in 255 octets. */
export const MAX_ZONE_NAME = 242
/** The longest cluster domain whose NS target (kube-dns.kube-system.svc.<domain>) still fits in 255 octets. */
export const MAX_CLUSTER_DOMAIN = 228

/** Turns zone arguments (names or CIDRs) into normalized zone names, as CoreDNS's plugin.Host does. */
export function normalizeZones(args: string[]): string[] | string {
  const out: string[] = []
  for (const arg of args) {
    if (arg.includes('/')) {
      const zones = cidrReverseZones(arg)
      if (!zones) return `"${arg}" is not a valid CIDR`
      out.push(...zones)
    } else {
      const zone = normalizeName(arg)
      // A zone is a DNS name that can go on the wire (and into a zone file): labels of at most 63 characters.
      if (zone !== '' && !isDns1123Subdomain(zone, true)) return `${JSON.stringify(arg)} is not a valid zone name`
      if (zone.length > MAX_ZONE_NAME) return `zone ${JSON.stringify(arg)} is longer than ${MAX_ZONE_NAME} characters: its SOA names (hostmaster.<zone>) would not fit in a DNS name`
      out.push(zone)
    }
  }
  return [...new Set(out)]
}

/** The zone that names a query, longest match first (CoreDNS plugin.Zones.Matches). */
export function matchZone(name: string, zones: string[]): string | undefined {
  let best: string | undefined
  for (const z of zones) {
    if ((z === '' || name === z || name.endsWith('.' + z)) && (best === undefined || z.length > best.length)) best = z
  }
  return best
}

export function fallsThrough(settings: DnsSettings, name: string): boolean {
  if (settings.fallthrough.length === 0) return false
  return matchZone(name, settings.fallthrough) !== undefined
}
