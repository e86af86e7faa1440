// Which DNS settings apply: a --corefile file, else a CoreDNS ConfigMap among the inputs, else kube-dns's ConfigMap
// when kube-dns serves cluster DNS, else kubeadm's stock Corefile; explicit flags then override single options. The
// files a Corefile refers to come from --corefile-import and from the ConfigMaps distributions mount (coredns-custom
// at /etc/coredns/custom on AKS and k3s, the coredns ConfigMap's own keys such as k3s's NodeHosts); the node's
// resolver from --node-resolv-conf or --node-search; NodeLocal DNSCache from its ConfigMap or its pods.
import {basename} from 'node:path'
import {TooLarge, readBounded} from '../read-bounded.js'
import {type CorefileFile, CorefileError, settingsFromCorefile} from '../dns/corefile.js'
import {compileServer} from '../dns/coredns/server.js'
import {kubeDnsServer, readKubeDnsConfigMap} from '../dns/kube-dns.js'
import {isDns1123Subdomain, normalizeName} from '../dns/names.js'
import {NODE_LOCAL_COREFILE, nodeLocalCorefile} from '../dns/node-local.js'
import {type NodeResolver, DEFAULT_CLUSTER_DNS_IP, parseResolvConf} from '../dns/resolver.js'
import {type DnsSettings, MAX_CLUSTER_DOMAIN, type PodsMode, kubeadmDefaults} from '../dns/settings.js'
import {inputError, quote} from '../errors.js'
import {CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE, type ClusterSnapshot, type ConfigMap, namespaceOf} from './types.js'

export interface DnsOverrides {
  /** Files the Corefile refers to (imports, hosts files, zone files), matched by base name. */
  corefileImports?: string[]
  clusterDomain?: string
  pods?: PodsMode
  ttl?: number
  endpointPodNames?: boolean
  /** The node's resolv.conf (kubelet --resolv-conf): its search domains, and CoreDNS's own upstreams. */
  nodeResolvConf?: string
  /** The node's search domains, when its resolv.conf is not at hand. */
  nodeSearch?: string[]
}

/** A Corefile, a hosts file or a zone file kdisco reads: a few MiB at most. */
const MAX_FILE_BYTES = 16 << 20

export interface CorefileSource {
  text: string
  /** The file, or "ConfigMap <namespace>/<name>". */
  source: string
  /** The ConfigMap it came from: its other keys are files beside the Corefile. */
  configMap?: ConfigMap
}

/** The CoreDNS ConfigMap: kube-system/coredns, or any ConfigMap in kube-system holding a Corefile. */
export function findCorefileConfigMap(snapshot: ClusterSnapshot): CorefileSource | undefined {
  const candidates = snapshot.configMaps.filter((c) => typeof c.data?.Corefile === 'string' && c.metadata.name !== 'node-local-dns')
  const cm = candidates.find((c) => c.metadata.name === 'coredns' && namespaceOf(c) === 'kube-system') ?? candidates.find((c) => namespaceOf(c) === 'kube-system') ?? candidates[0]
  return cm ? {text: cm.data!.Corefile, source: `ConfigMap ${namespaceOf(cm)}/${cm.metadata.name}`, configMap: cm} : undefined
}

function kubeSystemConfigMap(snapshot: ClusterSnapshot, name: string): ConfigMap | undefined {
  return snapshot.configMaps.find((c) => c.metadata.name === name && namespaceOf(c) === CLUSTER_DNS_NAMESPACE)
}

/** Lines searched below a ConfigMap's first line for its `Corefile: |` key. */
const COREFILE_KEY_WINDOW = 10000

/**
 * Where the lines of a ConfigMap's Corefile are in the manifest file it was read from: `FILE:LINE` for a Corefile
 * line, when the Corefile is a literal block (`Corefile: |`, one file line per Corefile line, as kubectl writes it);
 * else undefined. The file is read again once, on the first call (only messages ask).
 */
export function corefileManifestLines(snapshot: ClusterSnapshot, corefile: CorefileSource | undefined): (line: number) => string | undefined {
  let found: {file: string; keyLine: number} | null | undefined
  const find = (): {file: string; keyLine: number} | null => {
    const cm = corefile?.configMap
    const at = cm ? snapshot.locate?.(`ConfigMap ${namespaceOf(cm)}/${cm.metadata.name}`) : undefined
    if (!at || at.file === '-' || at.line === undefined) return null
    const first = at.line - 1
    let lines: string[]
    try {
      lines = readBounded(at.file, MAX_FILE_BYTES).toString('utf8').split(/\r?\n/)
    } catch {
      return null
    }
    for (let i = first; i < Math.min(lines.length, first + COREFILE_KEY_WINDOW); i++) {
      if (i > first && /^---/.test(lines[i])) return null
      if (/^\s*["']?Corefile["']?\s*:\s*\|[-+0-9]*\s*(#.*)?$/.test(lines[i])) return {file: at.file, keyLine: i + 1}
    }
    return null
  }
  return (line) => {
    if (found === undefined) found = find()
    return found ? `${found.file}:${found.keyLine + line}` : undefined
  }
}

/** A file the user named (`what`, given with `flag`), read bounded; without a byte order mark, as kubectl reads files. */
function readInputFile(path: string, what: string, flag: string): string {
  try {
    return readBounded(path, MAX_FILE_BYTES).toString('utf8').replace(/^\ufeff/, '')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = error instanceof TooLarge ? `larger than ${MAX_FILE_BYTES >> 20} MiB` : code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (code ?? (error as Error).message)
    throw inputError(`Cannot read ${what} ${quote(path)}: ${why}`, `Check the path given to ${flag}`)
  }
}

/** The Corefile that applies: the --corefile file, else the CoreDNS ConfigMap among the inputs; read once per run. */
export function corefileSource(path: string | undefined, snapshot: ClusterSnapshot): CorefileSource | undefined {
  return path ? {text: readInputFile(path, 'Corefile', '--corefile'), source: path} : findCorefileConfigMap(snapshot)
}

/** The files a Corefile can refer to, and the directories kdisco has in full. */
function corefileFiles(overrides: DnsOverrides, snapshot: ClusterSnapshot, corefileConfigMap: ConfigMap | undefined): {files: CorefileFile[]; completeDirs: string[]} {
  const files: CorefileFile[] = []
  for (const path of overrides.corefileImports ?? []) files.push({name: basename(path), text: readInputFile(path, 'Corefile import', '--corefile-import'), source: path})
  // The coredns ConfigMap is mounted at /etc/coredns: its other keys are files there (k3s's NodeHosts).
  for (const [key, text] of Object.entries(corefileConfigMap?.data ?? {})) if (key !== 'Corefile') files.push({name: key, text, source: `ConfigMap ${namespaceOf(corefileConfigMap!)}/${corefileConfigMap!.metadata.name} key ${key}`})
  const custom = kubeSystemConfigMap(snapshot, 'coredns-custom')
  for (const [key, text] of Object.entries(custom?.data ?? {})) files.push({name: key, text, source: `ConfigMap kube-system/coredns-custom key ${key}`})
  // Read live without a gap, an absent coredns-custom is an empty directory; from files, kdisco cannot tell.
  const readLive = snapshot.origin === 'live' && !snapshot.gaps.some((g) => g.resource === 'configmaps' && g.namespace === CLUSTER_DNS_NAMESPACE)
  const completeDirs = custom || readLive ? ['custom', '/etc/coredns/custom'] : []
  return {files, completeDirs}
}

/** The node's resolver from --node-resolv-conf or --node-search (kubelet copies its search domains into pods). */
function nodeResolver(overrides: DnsOverrides): NodeResolver | undefined {
  if (overrides.nodeResolvConf !== undefined && overrides.nodeSearch !== undefined) throw inputError('Give --node-resolv-conf or --node-search, not both', 'Drop one of them')
  if (overrides.nodeResolvConf !== undefined) {
    const conf = parseResolvConf(readInputFile(overrides.nodeResolvConf, 'node resolv.conf', '--node-resolv-conf'))
    return {nameservers: conf.nameservers, searches: conf.searches, options: conf.options, known: true}
  }
  if (overrides.nodeSearch !== undefined) {
    const searches = overrides.nodeSearch.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)
    for (const s of searches) if (!isDns1123Subdomain(normalizeName(s))) throw inputError(`--node-search "${s}" is not a domain name`, 'Use names like ec2.internal or c.my-project.internal')
    return {nameservers: [], searches, options: [], known: true}
  }
  return undefined
}

/**
 * The settings from `corefile` (see corefileSource; by default the CoreDNS ConfigMap among the inputs), else kube-dns's
 * ConfigMap, else kubeadm's defaults, with single options overridden.
 * `lenient`: a Corefile kdisco cannot use (no kubernetes stanza, a syntax error) gives kubeadm's defaults and says
 * why in `source`, instead of an input error — for dns doctor, whose Corefile check reports what is wrong with it.
 */
export function resolveDnsSettings(overrides: DnsOverrides, snapshot: ClusterSnapshot, corefile = findCorefileConfigMap(snapshot), options: {lenient?: boolean} = {}): DnsSettings {
  let settings: DnsSettings | undefined
  const kubeDnsMap = kubeSystemConfigMap(snapshot, 'kube-dns')
  const kubeDns = kubeDnsMap ? readKubeDnsConfigMap(kubeDnsMap.data) : undefined
  if (typeof kubeDns === 'string') throw inputError(`ConfigMap kube-system/kube-dns: ${kubeDns}`, 'Fix the ConfigMap (kube-dns refuses it too)')
  if (corefile) {
    const {files, completeDirs} = corefileFiles(overrides, snapshot, corefile.configMap)
    try {
      settings = settingsFromCorefile(corefile.text, corefile.source, {files, completeDirs})
    } catch (error) {
      if (!(error instanceof CorefileError)) throw error
      // Errors name the file and line they are at (an imported file's own), after the Corefile's name, said once; a
      // ConfigMap's Corefile line is said as the line of the manifest that holds it, when it can be told.
      const own = error.file === corefile.source
      const inManifest = own && error.line !== undefined ? corefileManifestLines(snapshot, corefile)(error.line) : undefined
      const message = inManifest ? `${inManifest}: ${corefile.source}: ${error.detail}` : own ? error.message : `${corefile.source}: ${error.message}`
      if (!options.lenient) throw inputError(message, 'Fix the Corefile, or give one kdisco can read with --corefile FILE')
      const problem = inManifest ? `${inManifest}: ${error.detail}` : own ? (error.line === undefined ? error.detail : `line ${error.line}: ${error.detail}`) : error.message
      settings = {...kubeadmDefaults(), source: `kubeadm defaults: ${corefile.source} is unusable (${problem})`, unusableCorefile: {source: corefile.source, problem}}
    }
  }
  if (!settings) {
    // kubeadm writes its Corefile for the cluster domain it was given.
    const domain = overrides.clusterDomain !== undefined && isDns1123Subdomain(normalizeName(overrides.clusterDomain)) ? overrides.clusterDomain : undefined
    settings = kubeadmDefaults(domain)
    const gap = snapshot.gaps.find((g) => g.resource === 'configmaps' && g.namespace === 'kube-system')
    if (kubeDns) {
      // No Corefile, a kube-dns ConfigMap: kube-dns serves cluster DNS (GKE's default for years).
      settings = {...settings, source: 'kube-dns (ConfigMap kube-system/kube-dns)', flavour: 'kube-dns', ttl: 30, pods: 'insecure', cache: undefined}
    } else if (snapshot.origin === 'live') settings.source = `kubeadm defaults: the kube-system/coredns ConfigMap could not be read (${gap?.reason ?? 'absent'})`
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
  settings.node = nodeResolver(overrides)
  try {
    if (settings.flavour === 'kube-dns') settings.server = kubeDnsServer(settings, kubeDns as Exclude<typeof kubeDns, string | undefined>, settings.source)
    else if (settings.corefile) settings.server = compileServer(settings.corefile, {settings, directive: settings.kubernetesDirective})
  } catch (error) {
    if (!(error instanceof CorefileError)) throw error
    // Plugin errors name the file and line they were written at (the Corefile, or an imported file).
    if (!options.lenient) throw inputError(error.message, 'Fix the Corefile (CoreDNS refuses it too)')
    // dns doctor: the kubernetes stanza alone answers, and the Corefile check says what is wrong with the rest.
    settings.corefile = undefined
    settings.kubernetesDirective = undefined
    settings.source += ` (its other plugins are unusable: ${error.message})`
  }
  try {
    settings.nodeLocal = nodeLocal(snapshot, settings, kubeDns)
  } catch (error) {
    if (error instanceof CorefileError) throw inputError(error.message, 'Fix the node-local-dns ConfigMap (NodeLocal DNSCache refuses it too)')
    throw error
  }
  return settings
}

/**
 * NodeLocal DNSCache, when the input shows it: its ConfigMap (kube-system/node-local-dns), else its pods (the upstream
 * manifest's Corefile is assumed). Pods then ask it first; it forwards cluster names to cluster DNS.
 */
function nodeLocal(snapshot: ClusterSnapshot, settings: DnsSettings, kubeDns: ReturnType<typeof readKubeDnsConfigMap> | undefined): DnsSettings['nodeLocal'] {
  const cm = kubeSystemConfigMap(snapshot, 'node-local-dns')
  const pods = snapshot.pods.some((p) => namespaceOf(p) === CLUSTER_DNS_NAMESPACE && p.metadata.labels?.['k8s-app'] === 'node-local-dns')
  const text = cm?.data?.Corefile ?? (pods ? NODE_LOCAL_COREFILE : undefined)
  if (text === undefined) return undefined
  const source = cm?.data?.Corefile ? 'ConfigMap kube-system/node-local-dns' : "node-local-dns pods run; their ConfigMap was not read, so kdisco assumes the upstream manifest's Corefile"
  const dnsSvc = snapshot.services.find((s) => namespaceOf(s) === CLUSTER_DNS_NAMESPACE && s.metadata.name === CLUSTER_DNS_SERVICE)
  const {corefile, address} = nodeLocalCorefile({
    text,
    source,
    clusterDomain: settings.clusterDomain,
    clusterDnsIp: dnsSvc?.spec?.clusterIP ?? DEFAULT_CLUSTER_DNS_IP,
    kubeDns: typeof kubeDns === 'object' ? kubeDns : undefined,
  })
  return {server: compileServer(corefile), source, address}
}
