// kube-dns (kubernetes/dns: kubedns behind dnsmasq), the cluster DNS of many older and GKE clusters, as far as kdisco
// models it. Its ConfigMap (kube-system/kube-dns: stubDomains, upstreamNameservers) becomes the equivalent server
// (stub domains forwarded, the rest to the upstream nameservers); its records differ from CoreDNS's where its source
// says so (pkg/dns/dns.go, pkg/dns/util/util.go):
// - every record has TTL 30 (util.defaultTTL) and dnsmasq caches positive answers (--cache-size=1000, --no-negcache);
// - a headless endpoint without a hostname is named by a hash of its record (util.GetSkyMsg), not its dashed IP;
// - PTR records exist for cluster IPs and for headless endpoints that have a hostname only;
// - a pod name a-b-c-d.<ns>.pod.<zone> answers its IPv4 address for any namespace (getPodIP), never IPv6;
// - an A question for a name above records (a namespace, `svc`) answers every address below it (skydns subtree
//   lookups), `*` labels match anything;
// - no dns-version TXT record.
// SRV and the other types are not modelled: kdisco says so instead of guessing. Pure.
import {parseCorefile} from './corefile.js'
import {compileServer, type ServerConfig} from './coredns/server.js'
import type {DnsSettings} from './settings.js'

export interface KubeDnsConfig {
  stubDomains: Record<string, string[]>
  upstreamNameservers: string[]
}

/** The kube-dns ConfigMap's data, or the reason a field cannot be read (its values are JSON). */
export function readKubeDnsConfigMap(data: Record<string, string> | undefined): KubeDnsConfig | string {
  const out: KubeDnsConfig = {stubDomains: {}, upstreamNameservers: []}
  try {
    if (data?.stubDomains) {
      const parsed = JSON.parse(data.stubDomains) as unknown
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'stubDomains must be a JSON object of domain → nameservers'
      for (const [domain, servers] of Object.entries(parsed)) {
        if (!Array.isArray(servers) || servers.some((s) => typeof s !== 'string')) return `stubDomains["${domain}"] must be a list of nameserver addresses`
        out.stubDomains[domain] = servers as string[]
      }
    }
    if (data?.upstreamNameservers) {
      const parsed = JSON.parse(data.upstreamNameservers) as unknown
      if (!Array.isArray(parsed) || parsed.some((s) => typeof s !== 'string')) return 'upstreamNameservers must be a JSON list of addresses'
      out.upstreamNameservers = parsed as string[]
    }
  } catch (e) {
    return `not JSON: ${(e as Error).message}`
  }
  return out
}

/**
 * dnsmasq's routing as a Corefile: stub domains to their servers (`--server=/domain/ip`), the cluster domain and
 * reverse zones to kubedns, the rest to upstreamNameservers or the node's resolv.conf. kubedns is the `kubernetes`
 * link of the chain, with kube-dns's record rules (settings.flavour).
 */
export function kubeDnsServer(settings: DnsSettings, config: KubeDnsConfig, source: string): ServerConfig {
  const upstream = config.upstreamNameservers.length > 0 ? config.upstreamNameservers.join(' ') : '/etc/resolv.conf'
  let text = `.:53 {\n  cache 30\n  kubernetes ${settings.zones.join(' ')}\n  forward . ${upstream}\n}\n`
  for (const [domain, servers] of Object.entries(config.stubDomains)) text += `${domain}:53 {\n  forward . ${servers.join(' ')}\n}\n`
  const corefile = parseCorefile(text, {source})
  const server = compileServer(corefile, {settings})
  // dnsmasq caches what it forwards and what kubedns answers, without a TTL cap of its own; no negative caching.
  for (const b of server.blocks) for (const p of b.plugins) if (p.kind === 'cache') p.settings = {zones: [''], successTtl: 2 ** 31 - 1, minSuccessTtl: 0, denialTtl: 0, minDenialTtl: 0, disableSuccess: [], disableDenial: ['']}
  return server
}

/** kube-dns's name for a headless endpoint without a hostname: util.GetSkyMsg's hash of its skydns record. */
export function kubeDnsEndpointLabel(ip: string): string {
  // fmt.Sprintf("%v", &msg.Service{Host: ip, Priority: 10, Weight: 10, Ttl: 30}), FNV-1a 32, printed %x twice.
  const text = `&{${ip} 0 10 10  false 30 0  }`
  let h = 0x811c9dc5
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return Buffer.from(h.toString(16), 'utf8').toString('hex')
}

export const KUBE_DNS_TTL = 30
