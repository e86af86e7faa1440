// NodeLocal DNSCache (k8s-dns-node-cache): a CoreDNS on every node that pods ask first. Its Corefile is read like
// CoreDNS's; the placeholders node-cache fills in at start are filled in here the same way. Pure.
import {type Corefile, parseCorefile} from './corefile.js'

/** The link-local address NodeLocal DNSCache listens on (the documented default; kubelet's clusterDNS points at it). */
export const NODE_LOCAL_ADDRESS = '169.254.20.10'

/**
 * The Corefile of the upstream manifest (kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml, 1.36), used when
 * node-local-dns pods run but their ConfigMap was not read.
 */
export const NODE_LOCAL_COREFILE = `__PILLAR__DNS__DOMAIN__:53 {
    errors
    cache {
        success 9984 30
        denial 9984 5
    }
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
        force_tcp
    }
    prometheus :9253
    health __PILLAR__LOCAL__DNS__:8080
}
in-addr.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
        force_tcp
    }
    prometheus :9253
}
ip6.arpa:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__CLUSTER__DNS__ {
        force_tcp
    }
    prometheus :9253
}
.:53 {
    errors
    cache 30
    reload
    loop
    bind __PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__
    forward . __PILLAR__UPSTREAM__SERVERS__
    prometheus :9253
}
`

export interface NodeLocalInput {
  text: string
  source: string
  clusterDomain: string
  /** The kube-dns Service's cluster IP (__PILLAR__DNS__SERVER__). */
  clusterDnsIp: string
  /** kube-system/kube-dns ConfigMap's stubDomains and upstreamNameservers, which node-cache adds at start. */
  kubeDns?: {stubDomains: Record<string, string[]>; upstreamNameservers: string[]}
}

/**
 * The Corefile node-cache runs: install-time placeholders filled (domain, local address, kube-dns IP) where the
 * ConfigMap still has them; the kube-dns ConfigMap's stub domains as server blocks of their own and its upstream
 * nameservers in place of __PILLAR__UPSTREAM__SERVERS__ (node-cache's config sync). __PILLAR__CLUSTER__DNS__ stays:
 * it names cluster DNS (the kube-dns-upstream Service), which kdisco models as the next hop.
 */
export function nodeLocalCorefile(input: NodeLocalInput): {corefile: Corefile; address: string} {
  let text = input.text
    .replaceAll('__PILLAR__DNS__DOMAIN__', input.clusterDomain)
    .replaceAll('__PILLAR__LOCAL__DNS__', NODE_LOCAL_ADDRESS)
    .replaceAll('__PILLAR__DNS__SERVER__', input.clusterDnsIp)
  const kubeDns = input.kubeDns
  if (kubeDns?.upstreamNameservers.length) text = text.replaceAll('__PILLAR__UPSTREAM__SERVERS__', kubeDns.upstreamNameservers.join(' '))
  for (const [domain, servers] of Object.entries(kubeDns?.stubDomains ?? {})) {
    text += `\n${domain}:53 {\n    errors\n    cache 30\n    bind ${NODE_LOCAL_ADDRESS} ${input.clusterDnsIp}\n    forward . ${servers.join(' ')}\n}\n`
  }
  const corefile = parseCorefile(text, {source: input.source})
  const binds = corefile.blocks.flatMap((b) => b.directives.filter((d) => d.name === 'bind').flatMap((d) => d.args))
  const address = binds.find((a) => a.startsWith('169.254.')) ?? binds[0] ?? NODE_LOCAL_ADDRESS
  return {corefile, address}
}
