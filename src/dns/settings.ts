// Cluster DNS settings: what the CoreDNS `kubernetes` plugin is configured to serve. Pure.
import type {Corefile, Directive} from './corefile.js'
import type {ServerConfig} from './coredns/server.js'
import {cidrReverseZones} from './ip.js'
import {isDns1123Subdomain, normalizeName} from './names.js'
import type {NodeResolver} from './resolver.js'

export type PodsMode = 'disabled' | 'insecure' | 'verified'

/**
 * The `cache` plugin of the server block that runs the kubernetes plugin (plugin/cache setup.go): it sets every
 * record of an answer to the answer's lowest TTL clamped to [min, max] (also where storing is disabled), and stores
 * answers except in the disabled zones.
 */
export interface CacheSettings {
  /** Zones it handles (normalized; '' = every name). */
  zones: string[]
  successTtl: number
  minSuccessTtl: number
  denialTtl: number
  minDenialTtl: number
  /** `disable success|denial ZONES`: answers not stored (normalized; '' = every name). */
  disableSuccess: string[]
  disableDenial: string[]
}

/** cache.go's defaults: 3600 s for answers, 1800 s for denials, 5 s minimum. */
export const CACHE_DEFAULTS = {successTtl: 3600, minSuccessTtl: 5, denialTtl: 1800, minDenialTtl: 5} as const

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
  /** The `cache` plugin in the same server block, if any. */
  cache?: CacheSettings
  /** The server block has `bind` (CoreDNS then answers NS and ns.dns.<zone> with no records). */
  bound?: boolean
  /** Where these settings came from, for the user. */
  source: string
  /** Lenient reading only: why the Corefile could not be used (these settings are kubeadm's defaults instead). */
  unusableCorefile?: {source: string; problem: string}
  /** kube-dns serves cluster DNS instead of CoreDNS: its record rules (dns/kube-dns.ts). */
  flavour?: 'kube-dns'
  /** The whole Corefile these settings were read from, and the stanza they are. */
  corefile?: Corefile
  kubernetesDirective?: Directive
  /** The Corefile's server blocks and plugin chains, compiled (ClusterDns compiles them when absent). */
  server?: ServerConfig
  /** The node's resolver: CoreDNS's own resolv.conf (dnsPolicy Default) and kubelet's search domains for pods. */
  node?: NodeResolver
  /** NodeLocal DNSCache in front of cluster DNS: its Corefile, compiled, and the address pods ask. */
  nodeLocal?: {server: ServerConfig; source: string; address: string}
}

export const DNS_VERSION = '1.1.0'
export const DNS_VERSION_TTL = 28800
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local'

/**
 * kubeadm's stock Corefile (Kubernetes 1.36): `kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure;
 * fallthrough in-addr.arpa ip6.arpa; ttl 30 }` and `cache 30 { disable success cluster.local; disable denial
 * cluster.local }`.
 */
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
    cache: {zones: [''], successTtl: 30, minSuccessTtl: CACHE_DEFAULTS.minSuccessTtl, denialTtl: 30, minDenialTtl: CACHE_DEFAULTS.minDenialTtl, disableSuccess: [domain], disableDenial: [domain]},
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
