// Corefiles the real-cluster tests run, and how one written for a cluster (port 53, in-cluster API access,
// /etc/resolv.conf upstream) is adapted to run here: loopback ports, a kubeconfig, a local upstream. Only where the
// server listens and what it forwards to change; every option that shapes answers stays as written.

/** kubeadm's stock Corefile (cmd/kubeadm/app/phases/addons/dns, Kubernetes 1.36) for `cluster.local`. */
export const KUBEADM_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`

/** Pod records only for pods that exist, endpoints named after their pods, another TTL; bound to one address. */
export const VERIFIED_COREFILE = `.:53 {
    bind 10.96.0.10
    errors
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods verified
       endpoint_pod_names
       fallthrough in-addr.arpa ip6.arpa
       ttl 7
    }
    forward . /etc/resolv.conf
    loop
}
`

/** A custom cluster domain, reverse zones given as CIDRs (service and pod ranges), no fallthrough. */
export const CUSTOM_DOMAIN_COREFILE = `.:53 {
    errors
    ready
    kubernetes kdisco.test 10.96.0.0/12 10.244.0.0/16 192.168.0.0/16 172.16.0.0/16 fd00:10:96::/112 fd00:10:244::/56 {
       pods disabled
    }
    forward . /etc/resolv.conf
}
`

export interface CorefilePorts {
  /** The address it listens on (a CoreDNS pod's IP, added to the loopback interface). */
  address: string
  dns: number
  health: number
  ready: number
  metrics: number
  /** kubeconfig for the kubernetes plugin (the coredns ServiceAccount's token). */
  kubeconfig: string
  /** host:port that `forward` sends to instead of /etc/resolv.conf's servers. */
  upstream: string
}

/**
 * The Corefile as run here. Server block keys keep their zones with the test's port; `bind` binds the pod's address;
 * health/ready/prometheus listen on loopback ports; `forward` goes to the local upstream; the kubernetes stanza
 * reads the API through `kubeconfig`.
 */
export function adaptCorefile(text: string, ports: CorefilePorts): string {
  const out: string[] = []
  let depth = 0
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd()
    const trimmed = line.trim()
    const indent = line.slice(0, line.length - line.trimStart().length)
    if (depth === 0 && trimmed.endsWith('{')) {
      const keys = trimmed
        .slice(0, -1)
        .trim()
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((k) => `${k.replace(/:\d+$/, '')}:${ports.dns}`)
      // Listening everywhere, as in a pod, unless the Corefile binds (then to the pod's address): CoreDNS finds its
      // own address among the machine's, and bound to plain addresses it finds none (kubernetes/local.go).
      out.push(`${keys.join(' ')} {`)
      depth++
      continue
    }
    if (depth === 1) {
      const [word] = trimmed.split(/\s+/)
      const opens = trimmed.endsWith('{')
      if (word === 'bind') out.push(`${indent}bind ${ports.address}`)
      else if (word === 'health') out.push(`${indent}health 127.0.0.1:${ports.health}${opens ? ' {' : ''}`)
      else if (word === 'ready') out.push(`${indent}ready 127.0.0.1:${ports.ready}`)
      else if (word === 'prometheus') out.push(`${indent}prometheus 127.0.0.1:${ports.metrics}`)
      else if (word === 'forward') out.push(`${indent}forward ${trimmed.split(/\s+/)[1]} ${ports.upstream}${opens ? ' {' : ''}`)
      else if (word === 'kubernetes') {
        out.push(opens ? line : `${line} {`, `${indent}   kubeconfig ${ports.kubeconfig} real`)
        if (!opens) out.push(`${indent}}`)
      } else out.push(line)
    } else out.push(line)
    if (trimmed.endsWith('{')) depth++
    if (trimmed === '}' || trimmed.endsWith('}')) depth--
  }
  return out.join('\n')
}
