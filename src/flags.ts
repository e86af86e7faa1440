// Flags shared by the commands. Kept free of heavy imports: every command module loads this at start-up.
import {Flags} from '@oclif/core'

/**
 * A whole number of seconds from `min` to `max`. Its error says what is valid; oclif's integer flag says only
 * "Parsing --ttl".
 */
function seconds(min: number, max: number, options: {description: string; helpGroup?: string; default?: number}) {
  return Flags.custom<number>({
    ...options,
    async parse(input, _context, opts) {
      const n = /^\d+$/.test(input) ? Number(input) : Number.NaN
      // A usage error (exit 2); oclif puts "Parsing --NAME" in front of the message, which the command's catch drops.
      if (!(n >= min && n <= max)) throw Object.assign(new Error(`--${opts.name} must be a whole number of seconds between ${min} and ${max}`), {oclif: {exit: 2}})
      return n
    },
  })()
}

export const inputFlags = {
  filename: Flags.string({
    char: 'f',
    multiple: true,
    description: 'Manifest file, directory, or - for stdin (YAML or JSON, List objects too); repeatable.',
    helpGroup: 'INPUT',
  }),
  recursive: Flags.boolean({char: 'R', description: 'Read directories given to -f recursively.', helpGroup: 'INPUT'}),
  namespace: Flags.string({char: 'n', description: 'Namespace (default: default).', helpGroup: 'INPUT'}),
  verbose: Flags.boolean({description: 'Log each API request (method, path, status, time) and ignored objects to stderr; never credentials.'}),
  kubeconfig: Flags.string({description: 'Kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster).', helpGroup: 'CLUSTER'}),
  context: Flags.string({description: 'Kubeconfig context to use.', helpGroup: 'CLUSTER'}),
  'request-timeout': Flags.string({default: '30s', description: 'How long to wait for each API request (e.g. 10s, 1m).', helpGroup: 'CLUSTER'}),
}

export const allNamespacesFlag = Flags.boolean({char: 'A', description: 'Every namespace.', exclusive: ['namespace']})

export const dnsFlags = {
  'cluster-domain': Flags.string({description: 'Cluster domain (default: from the Corefile, else cluster.local).', helpGroup: 'DNS SETTINGS'}),
  pods: Flags.option({options: ['disabled', 'insecure', 'verified'] as const, description: 'CoreDNS pods mode for a-b-c-d.<ns>.pod.<zone> records.', helpGroup: 'DNS SETTINGS'})(),
  // CoreDNS's bounds for the kubernetes plugin's ttl.
  ttl: seconds(0, 3600, {description: 'TTL of answers in seconds, 0-3600 (CoreDNS ttl option).', helpGroup: 'DNS SETTINGS'}),
  'endpoint-pod-names': Flags.boolean({description: 'Name endpoints by pod name instead of dashed IP (CoreDNS endpoint_pod_names).', helpGroup: 'DNS SETTINGS'}),
  corefile: Flags.string({description: 'Answer through this Corefile (every server block and plugin) instead of the CoreDNS ConfigMap.', helpGroup: 'DNS SETTINGS'}),
  'corefile-import': Flags.string({multiple: true, description: 'A file the Corefile refers to (import, hosts or file zone), matched by base name; repeatable.', helpGroup: 'DNS SETTINGS'}),
  'node-resolv-conf': Flags.string({description: "The nodes' resolv.conf: kubelet appends its search domains to ClusterFirst pods, and CoreDNS forwards to its nameservers.", helpGroup: 'DNS SETTINGS'}),
  'node-search': Flags.string({multiple: true, description: "The nodes' search domains (comma-separated or repeated), when their resolv.conf is not at hand.", helpGroup: 'DNS SETTINGS'}),
}

/** kubectl's list habits: tables without their header line, and every object's labels. */
export const listFlags = {
  'no-headers': Flags.boolean({description: 'Print tables without the header line (as kubectl --no-headers).'}),
  'show-labels': Flags.boolean({description: 'Add a LABELS column (as kubectl --show-labels).'}),
}

export function outputFlag<T extends readonly string[]>(options: T, defaultValue: T[number]) {
  return Flags.option({char: 'o', options, default: defaultValue, description: 'Output format.'})()
}

/** Only for the lookups that can repeat (svc lookup, dns lookup): elsewhere --wait is no flag at all. */
export const waitFlag = {
  wait: Flags.string({description: 'Repeat the probe until every query matches or this much time has passed (e.g. 2m): a post-deploy gate. Needs a probe.', helpGroup: 'PROBE'}),
}

export const probeFlags = {
  probe: Flags.option({
    options: ['none', 'server', 'pod', 'exec', 'ephemeral', 'port-forward'] as const,
    description: 'Make real lookups and compare: pod (a short-lived debug pod; default on a live cluster), exec (in --pod), ephemeral (a debug container in --pod), port-forward (to every cluster DNS replica), server (ask --dns-server from here), none (default with -f).',
    helpGroup: 'PROBE',
  })(),
  'dns-server': Flags.string({description: 'DNS server to ask with --probe server: HOST[:PORT].', helpGroup: 'PROBE'}),
  pod: Flags.string({description: 'The pod whose DNS view to probe (--probe exec or ephemeral; implies exec).', helpGroup: 'PROBE'}),
  container: Flags.string({char: 'c', description: 'Container of --pod to exec in (default: the pod\'s only or default container).', helpGroup: 'PROBE'}),
  image: Flags.string({description: 'Image of the debug pod or ephemeral container; needs sh and dig or nslookup (default: registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7).', helpGroup: 'PROBE'}),
  'probe-namespace': Flags.string({description: 'Namespace for the debug pod (default: the command\'s namespace).', helpGroup: 'PROBE'}),
  'probe-deadline': seconds(10, 3600, {description: 'activeDeadlineSeconds of the debug pod: the cluster stops it after this, whatever happens to kdisco (default 120).', helpGroup: 'PROBE'}),
  keep: Flags.boolean({description: 'Keep the debug pod running after the run (until --probe-deadline); later --keep runs exec into it instead of creating a new one.', helpGroup: 'PROBE'}),
  'dry-run': Flags.boolean({description: 'Print the debug pod (or ephemeral container) manifest the probe would create, and exit.', helpGroup: 'PROBE'}),
  'probe-timeout': seconds(1, 60, {default: 2, description: 'Seconds to wait for each answer (retried).', helpGroup: 'PROBE'}),
  strict: Flags.boolean({description: 'Also fail on SRV priority/weight differences.', helpGroup: 'PROBE'}),
}
