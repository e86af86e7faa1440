// Which DNS settings apply: a --corefile file, else a CoreDNS ConfigMap among the inputs, else kubeadm's stock
// Corefile; explicit flags then override single options.
import {TooLarge, readBounded} from '../read-bounded.js'
import {CorefileError, settingsFromCorefile} from '../dns/corefile.js'
import {isDns1123Subdomain, normalizeName} from '../dns/names.js'
import {type DnsSettings, MAX_CLUSTER_DOMAIN, type PodsMode, kubeadmDefaults} from '../dns/settings.js'
import {inputError, quote} from '../errors.js'
import {type ClusterSnapshot, namespaceOf} from './types.js'

/** A Corefile is a few KB. */
const MAX_COREFILE_BYTES = 16 << 20

export interface DnsOverrides {
  clusterDomain?: string
  pods?: PodsMode
  ttl?: number
  endpointPodNames?: boolean
}

export interface CorefileSource {
  text: string
  /** The file, or "ConfigMap <namespace>/<name>". */
  source: string
}

/** The CoreDNS ConfigMap: kube-system/coredns, or any ConfigMap in kube-system holding a Corefile. */
export function findCorefileConfigMap(snapshot: ClusterSnapshot): CorefileSource | undefined {
  const candidates = snapshot.configMaps.filter((c) => typeof c.data?.Corefile === 'string')
  const cm = candidates.find((c) => c.metadata.name === 'coredns' && namespaceOf(c) === 'kube-system') ?? candidates.find((c) => namespaceOf(c) === 'kube-system') ?? candidates[0]
  return cm ? {text: cm.data!.Corefile, source: `ConfigMap ${namespaceOf(cm)}/${cm.metadata.name}`} : undefined
}

/** The Corefile that applies: the --corefile file, else the CoreDNS ConfigMap among the inputs; read once per run. */
export async function corefileSource(path: string | undefined, snapshot: ClusterSnapshot): Promise<CorefileSource | undefined> {
  if (!path) return findCorefileConfigMap(snapshot)
  try {
    // Without a byte order mark, as kubectl reads files.
    return {text: readBounded(path, MAX_COREFILE_BYTES).toString('utf8').replace(/^\ufeff/, ''), source: path}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = error instanceof TooLarge ? `larger than ${MAX_COREFILE_BYTES >> 20} MiB` : code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)
    throw inputError(`cannot read Corefile ${quote(path)}: ${why}`, 'Check the path given to --corefile')
  }
}

/**
 * The settings from `corefile` (see corefileSource), else kubeadm's defaults, with single options overridden.
 * `lenient`: a Corefile kdisco cannot use (no kubernetes stanza, a syntax error) gives kubeadm's defaults and says
 * why in `source`, instead of an input error — for dns doctor, whose Corefile check reports what is wrong with it.
 */
export function resolveDnsSettings(overrides: DnsOverrides, snapshot: ClusterSnapshot, corefile: CorefileSource | undefined, options: {lenient?: boolean} = {}): DnsSettings {
  let settings: DnsSettings
  if (corefile) {
    try {
      settings = settingsFromCorefile(corefile.text, corefile.source)
    } catch (error) {
      if (!(error instanceof CorefileError)) throw error
      if (!options.lenient) throw inputError(`${corefile.source}: ${error.message}`, 'Fix the Corefile, or pass --cluster-domain/--pods/--ttl instead')
      settings = kubeadmDefaults()
      settings.source = `kubeadm defaults: ${corefile.source} is unusable (${error.message})`
    }
  } else {
    // kubeadm writes its Corefile for the cluster domain it was given.
    const domain = overrides.clusterDomain !== undefined && isDns1123Subdomain(normalizeName(overrides.clusterDomain)) ? overrides.clusterDomain : undefined
    settings = kubeadmDefaults(domain)
    const gap = snapshot.gaps.find((g) => g.resource === 'configmaps' && g.namespace === 'kube-system')
    if (snapshot.origin === 'live') settings.source = `kubeadm defaults: the kube-system/coredns ConfigMap could not be read (${gap?.reason ?? 'absent'})`
  }
  if (overrides.clusterDomain === undefined && settings.clusterDomain.length > MAX_CLUSTER_DOMAIN)
    throw inputError(`${corefile?.source ?? 'the Corefile'}: the cluster domain is longer than ${MAX_CLUSTER_DOMAIN} characters`, 'Its NS target kube-dns.kube-system.svc.<domain> would not fit in a DNS name')
  const changed: string[] = []
  if (overrides.clusterDomain !== undefined) {
    const domain = normalizeName(overrides.clusterDomain)
    if (!isDns1123Subdomain(domain, true)) throw inputError(`--cluster-domain ${quote(overrides.clusterDomain)} is not a valid domain`, 'Use a name like cluster.local')
    if (domain.length > MAX_CLUSTER_DOMAIN) throw inputError(`--cluster-domain is longer than ${MAX_CLUSTER_DOMAIN} characters`, 'Its NS target kube-dns.kube-system.svc.<domain> would not fit in a DNS name')
    settings.zones = [domain, ...settings.zones.filter((z) => z !== settings.clusterDomain)]
    settings.clusterDomain = domain
    changed.push('cluster-domain')
  }
  if (overrides.pods !== undefined) {
    settings.pods = overrides.pods
    changed.push('pods')
  }
  if (overrides.ttl !== undefined) {
    settings.ttl = overrides.ttl
    changed.push('ttl')
  }
  if (overrides.endpointPodNames) {
    settings.endpointPodNames = true
    changed.push('endpoint-pod-names')
  }
  if (changed.length > 0) settings.source += ` with --${changed.join(', --')}`
  return settings
}
