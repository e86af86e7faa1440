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

/** The EKS CoreDNS add-on's default Corefile (as an EKS cluster's kube-system/coredns holds it): ttl 5, cache 30 for every name. */
export const EKS_COREFILE = `.:53 {
    errors
    health {
        lameduck 5s
      }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`

/** AKS's default Corefile: the kube-system/coredns-custom ConfigMap is mounted at /etc/coredns/custom and imported. */
export const AKS_COREFILE = `.:53 {
    errors
    ready
    health {
      lameduck 5s
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
      ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
    import custom/*.override
}
import custom/*.server
`

/** What a user puts in AKS's coredns-custom: a rewrite into the cluster (.override) and a stub domain (.server). */
export const AKS_CUSTOM: Record<string, string> = {
  'corp.override': 'rewrite name suffix .corp.internal. .svc.cluster.local. answer auto\n',
  'stub.server': `stub.internal:53 {\n    errors\n    cache 30\n    forward . 10.150.0.53\n}\n`,
}

/** k3s's Corefile (manifests/coredns.yaml): the coredns ConfigMap's NodeHosts key through the hosts plugin. */
export const K3S_COREFILE = `.:53 {
    errors
    health
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    hosts /etc/coredns/NodeHosts {
      ttl 60
      reload 15s
      fallthrough
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
    import /etc/coredns/custom/*.override
}
import /etc/coredns/custom/*.server
`

/** k3s writes a line per node into the coredns ConfigMap's NodeHosts. */
export const K3S_NODE_HOSTS = '192.168.49.10 kwok-node-0\n192.168.49.11 kwok-node-1\nfd00:49::11 kwok-node-1\n'

/**
 * Rewrites both ways with answer auto: names of an outside zone onto Services (suffix), cluster names onto an upstream
 * name (exact), a regex with groups and answer auto, a prefix rule without it (answers keep the rewritten name), a
 * continue rule before a type rule, and names that become invalid.
 */
export const REWRITE_COREFILE = `.:53 {
    errors
    ready
    rewrite name suffix .svc.corp.example. .svc.cluster.local. answer auto
    rewrite name exact upstream-api.cluster.local. api.example.org.
    rewrite name regex ^(.+)\\.(.+)\\.apps\\.example\\.$ {1}.{2}.svc.cluster.local. answer auto
    rewrite name prefix legacy web
    rewrite continue name suffix .alias.internal. .cluster.local.
    rewrite type MX TXT
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    forward . /etc/resolv.conf
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loadbalance
}
`

/**
 * autopath @kubernetes with pods verified (CoreDNS then walks a pod's search list itself), listening on port 53 of an
 * address of its own so a pod's resolv.conf can name it.
 */
export const AUTOPATH_COREFILE = `.:53 {
    bind 10.96.0.10
    errors
    ready
    autopath @kubernetes
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods verified
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    forward . /etc/resolv.conf
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
}
`

/** A template answering AAAA for an outside zone with NXDOMAIN, a CNAME template into the cluster, and inline hosts. */
export const TEMPLATE_HOSTS_COREFILE = `.:53 {
    errors
    ready
    template IN AAAA example.org {
        rcode NXDOMAIN
    }
    template IN A tmpl.internal {
        match "^(?P<svc>[a-z0-9-]+)\\.(?P<ns>[a-z0-9-]+)\\.tmpl\\.internal\\.$"
        answer "{{ .Name }} 60 IN CNAME {{ .Group.svc }}.{{ .Group.ns }}.svc.cluster.local."
        fallthrough
    }
    template IN TXT tmpl.internal {
        answer "{{ .Name }} 45 IN TXT \\"zone {{ .Zone }} type {{ .Type }}\\""
    }
    hosts {
        192.0.2.80 static.internal static-alias.internal
        2001:db8::80 static.internal
        192.0.2.81 *.wild.internal
        192.0.2.82 web.hosts-override.svc.cluster.local
        fallthrough
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    forward . /etc/resolv.conf
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
}
`

/** What kubelet writes into a pod's /etc/hosts (what `hosts` without a path reads in a CoreDNS pod), minus its own line. */
export const POD_HOSTS_FILE = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n'

/** kubeadm's Corefile with a stub domain in a server block of its own, forwarded to a nameserver of its own (NSD here). */
export const STUB_DOMAIN_COREFILE = `${KUBEADM_COREFILE}stub.internal:53 {
    errors
    cache 30
    forward . 10.150.0.53
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
  /** host:port that `forward` sends to instead of /etc/resolv.conf's servers (and instead of a stub domain's). */
  upstream: string
  /**
   * Paths as the Corefile writes them (files, or directories ending in /) → where the harness wrote them. `/etc/hosts`
   * stands for what `hosts` reads without a path (a pod's /etc/hosts, not this machine's).
   */
  paths?: Record<string, string>
}

/**
 * The Corefile as run here. Server block keys keep their zones with the test's port; `bind` binds the pod's address;
 * health/ready/prometheus listen on loopback ports; every `forward` goes to the local upstream (stub domains too: it
 * serves their zones); the kubernetes stanza reads the API through `kubeconfig`; paths of imports, hosts files and zone
 * files point at the files the harness wrote.
 */
export function adaptCorefile(text: string, ports: CorefilePorts, options: {inBlock?: boolean} = {}): string {
  const paths = ports.paths ?? {}
  const local = (p: string) => {
    if (paths[p] !== undefined) return paths[p]
    for (const [written, there] of Object.entries(paths)) if (written.endsWith('/') && p.startsWith(written)) return there + p.slice(written.length)
    return p
  }
  const out: string[] = []
  // An imported snippet of directives (an AKS/k3s .override) is read as if inside a server block.
  let depth = options.inBlock ? 1 : 0
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd()
    const trimmed = line.trim()
    const indent = line.slice(0, line.length - line.trimStart().length)
    const [word, ...args] = trimmed.split(/\s+/)
    const opens = trimmed.endsWith('{')
    if (depth === 0 && word === 'import') {
      out.push(`import ${local(args[0])}`)
      continue
    }
    if (depth === 0 && opens) {
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
      if (word === 'bind') out.push(`${indent}bind ${ports.address}`)
      else if (word === 'health') out.push(`${indent}health 127.0.0.1:${ports.health}${opens ? ' {' : ''}`)
      else if (word === 'ready') out.push(`${indent}ready 127.0.0.1:${ports.ready}`)
      else if (word === 'prometheus') out.push(`${indent}prometheus 127.0.0.1:${ports.metrics}`)
      else if (word === 'forward') out.push(`${indent}forward ${args[0]} ${ports.upstream}${opens ? ' {' : ''}`)
      else if (word === 'import' || word === 'file') out.push(`${indent}${word} ${local(args[0])} ${args.slice(1).join(' ')}`.trimEnd())
      else if (word === 'hosts') {
        const rest = args.filter((a) => a !== '{')
        const path = rest.length > 0 ? local(rest[0]) : local('/etc/hosts')
        out.push(`${indent}hosts ${[path, ...rest.slice(1)].join(' ')}${opens ? ' {' : ''}`)
      } else if (word === 'kubernetes') {
        out.push(opens ? line : `${line} {`, `${indent}   kubeconfig ${ports.kubeconfig} real`)
        if (!opens) out.push(`${indent}}`)
      } else out.push(line)
    } else out.push(line)
    if (opens) depth++
    if (trimmed === '}' || (trimmed.endsWith('}') && !opens)) depth--
  }
  return out.join('\n')
}
