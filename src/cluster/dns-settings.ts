// Which DNS settings apply: a --corefile file, else a CoreDNS ConfigMap among the inputs, else kubeadm's stock
// Corefile; explicit flags then override single options.
import {readFile} from 'node:fs/promises'
import {CorefileError, settingsFromCorefile} from '../dns/corefile.js'
import {isDns1123Subdomain, normalizeName} from '../dns/names.js'
import {type DnsSettings, type PodsMode, kubeadmDefaults} from '../dns/settings.js'
import {inputError} from '../errors.js'
import {type ClusterSnapshot, namespaceOf} from './types.js'

export interface DnsOverrides {
  corefile?: string
  clusterDomain?: string
  pods?: PodsMode
  ttl?: number
  endpointPodNames?: boolean
}

/** The CoreDNS ConfigMap: kube-system/coredns, or any ConfigMap in kube-system holding a Corefile. */
export function findCorefileConfigMap(snapshot: ClusterSnapshot): {text: string; source: string} | undefined {
  const candidates = snapshot.configMaps.filter((c) => typeof c.data?.Corefile === 'string')
  const cm = candidates.find((c) => c.metadata.name === 'coredns' && namespaceOf(c) === 'kube-system') ?? candidates.find((c) => namespaceOf(c) === 'kube-system') ?? candidates[0]
  return cm ? {text: cm.data!.Corefile, source: `ConfigMap ${namespaceOf(cm)}/${cm.metadata.name}`} : undefined
}

/**
 * `lenient`: a Corefile kdisco cannot use (no kubernetes stanza, a syntax error) gives kubeadm's defaults and says
 * why in `source`, instead of an input error — for dns doctor, whose Corefile check reports what is wrong with it.
 */
export async function resolveDnsSettings(overrides: DnsOverrides, snapshot: ClusterSnapshot, options: {lenient?: boolean} = {}): Promise<DnsSettings> {
  let settings: DnsSettings
  let corefile: {text: string; source: string} | undefined
  if (overrides.corefile) {
    try {
      corefile = {text: await readFile(overrides.corefile, 'utf8'), source: overrides.corefile}
    } catch (error) {
      throw inputError(`cannot read Corefile ${overrides.corefile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 'Check the path given to --corefile')
    }
  } else {
    corefile = findCorefileConfigMap(snapshot)
  }
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
  const changed: string[] = []
  if (overrides.clusterDomain !== undefined) {
    const domain = normalizeName(overrides.clusterDomain)
    if (!isDns1123Subdomain(domain)) throw inputError(`--cluster-domain "${overrides.clusterDomain}" is not a valid domain`, 'Use a name like cluster.local')
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
