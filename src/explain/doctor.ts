// `dns doctor`: the "Debugging DNS Resolution" page as checks over plain data — the cluster DNS Service, its
// endpoints and pods, the Corefile, CoreDNS's RBAC, NodeLocal DNSCache, the ndots cost, and (from the command) a
// control lookup. Pure: the command gathers the inputs. Each check says ok / warning / error / skipped, with evidence.
import {plural} from '../words.js'
import {isPodReady, missingEndpointSlices} from '../cluster/derive.js'
import type {CorefileSource} from '../cluster/dns-settings.js'
import {CLUSTER_DNS_NAMESPACE as DNS_NAMESPACE, CLUSTER_DNS_SERVICE as DNS_SERVICE, type ClusterSnapshot, type Pod, SERVICE_NAME_LABEL, namespaceOf, sliceOrigin} from '../cluster/types.js'
import {type Directive, type ServerBlock, parseCorefile} from '../dns/corefile.js'
import {HostsPlugin} from '../dns/coredns/hosts.js'
import {ruleRewrites} from '../dns/coredns/rewrite.js'
import {type BlockConfig, type PluginSpec, pluginName} from '../dns/coredns/server.js'
import {lowerName, matchAbsolute} from '../dns/coredns/types.js'
import type {ClusterDns} from '../dns/model.js'
import {NODE_SEARCH_UNKNOWN, clusterFirstConf, searchCandidates} from '../dns/resolver.js'

export type CheckStatus = 'ok' | 'warning' | 'error' | 'skipped'

export interface Check {
  id: string
  title: string
  status: CheckStatus
  message: string
  evidence: string[]
  hint?: string
  /** The objects the check concerns ("Service kube-system/kube-dns"), as findings name them: what -o name prints. */
  objects: string[]
}

export interface RbacRule {
  apiGroups?: string[]
  resources?: string[]
  verbs?: string[]
}

/** What the command could read of CoreDNS's permissions: the rules bound to kube-system/coredns, or why not. */
export type CorednsRbac = {rules: RbacRule[]; roles: string[]} | {unavailable: string}

function check(id: string, title: string, status: CheckStatus, message: string, evidence: string[] = [], hint?: string): Check {
  return {id, title, status, message, evidence, ...(hint ? {hint} : {}), objects: []}
}

/**
 * Manifests may hold only part of a cluster: a check whose objects are not among them is skipped, saying so. On a
 * live cluster the same absence is real, and an error.
 */
function partial(snapshot: ClusterSnapshot): boolean {
  return snapshot.origin === 'files'
}

function dnsPods(snapshot: ClusterSnapshot): Pod[] {
  return snapshot.pods.filter((p) => namespaceOf(p) === DNS_NAMESPACE && p.metadata.labels?.['k8s-app'] === 'kube-dns')
}

export function serviceCheck(snapshot: ClusterSnapshot): Check {
  const svc = snapshot.services.find((s) => namespaceOf(s) === DNS_NAMESPACE && s.metadata.name === DNS_SERVICE)
  const title = 'cluster DNS Service'
  if (!svc && partial(snapshot)) return check('service', title, 'skipped', `${DNS_SERVICE} is not in the input (Service ${DNS_NAMESPACE}/${DNS_SERVICE})`)
  if (!svc) return check('service', title, 'error', `Service ${DNS_NAMESPACE}/${DNS_SERVICE} does not exist: pods' nameserver points at nothing`, [], 'Reinstall CoreDNS (kubeadm init phase addon coredns, or your distribution\'s DNS add-on)')
  const ports = svc.spec?.ports ?? []
  const has = (proto: string) => ports.some((p) => p.port === 53 && (p.protocol ?? 'TCP') === proto)
  const evidence = [`clusterIP ${svc.spec?.clusterIP ?? 'none'}`, `ports ${ports.map((p) => `${p.name ?? '-'} ${p.port}/${p.protocol ?? 'TCP'}`).join(', ') || 'none'}`]
  const missing = ['UDP', 'TCP'].filter((p) => !has(p))
  if (missing.length) return check('service', title, 'error', `${DNS_NAMESPACE}/${DNS_SERVICE} lacks port 53/${missing.join(' and 53/')}${missing.includes('TCP') ? ': truncated answers (large headless Services) cannot be retried over TCP' : ': ordinary lookups fail'}`, evidence, 'Add the missing port (name dns for UDP, dns-tcp for TCP)')
  return check('service', title, 'ok', `${DNS_NAMESPACE}/${DNS_SERVICE} serves 53/UDP and 53/TCP on ${svc.spec?.clusterIP}`, evidence)
}

export function endpointsCheck(model: ClusterDns, snapshot: ClusterSnapshot): Check {
  const eps = model.endpointsOf(DNS_NAMESPACE, DNS_SERVICE)
  const ready = eps.filter((e) => e.ready)
  const evidence = eps.map((e) => `${e.address} ${e.podName ?? ''} ${e.ready ? 'ready' : 'not ready'}`.replace(/\s+/g, ' '))
  const title = 'cluster DNS endpoints'
  const svc = model.service(DNS_NAMESPACE, DNS_SERVICE)
  if (!svc) return check('endpoints', title, 'skipped', partial(snapshot) ? `${DNS_SERVICE} is not in the input` : `no Service ${DNS_NAMESPACE}/${DNS_SERVICE} (see the cluster DNS Service check)`)
  if (partial(snapshot) && eps.length === 0 && dnsPods(snapshot).length === 0) return check('endpoints', title, 'skipped', `neither EndpointSlices of ${DNS_SERVICE} nor its pods are in the input`)
  const sliceless = missingEndpointSlices(snapshot, svc.object)
  if (sliceless) return check('endpoints', title, 'error', `${sliceless.message}: every lookup in the cluster times out`, evidence, sliceless.hint)
  if (ready.length === 0) return check('endpoints', title, 'error', `no ready endpoint behind ${DNS_SERVICE}: every lookup in the cluster times out`, evidence, `kubectl get endpointslices -n ${DNS_NAMESPACE} -l ${SERVICE_NAME_LABEL}=${DNS_SERVICE}; then see the pods check`)
  if (ready.length === 1) return check('endpoints', title, 'warning', `only 1 ready endpoint behind ${DNS_SERVICE}: no redundancy`, evidence, `kubectl scale deployment coredns -n ${DNS_NAMESPACE} --replicas=2`)
  return check('endpoints', title, 'ok', `${ready.length} of ${eps.length} endpoints ready`, evidence)
}

export function podsCheck(snapshot: ClusterSnapshot): Check {
  const title = 'cluster DNS pods'
  if (snapshot.gaps.some((g) => g.resource === 'pods')) return check('pods', title, 'skipped', 'pods could not be read (RBAC)')
  const pods = dnsPods(snapshot)
  if (pods.length === 0 && partial(snapshot)) return check('pods', title, 'skipped', `no ${DNS_SERVICE} pod (label k8s-app=kube-dns in ${DNS_NAMESPACE}) is in the input`)
  if (pods.length === 0) return check('pods', title, 'error', `no pod labelled k8s-app=kube-dns in ${DNS_NAMESPACE}`, [], `kubectl get deploy -n ${DNS_NAMESPACE} (is CoreDNS scaled to 0?)`)
  let worst: CheckStatus = 'ok'
  const evidence: string[] = []
  for (const p of pods) {
    const statuses = p.status?.containerStatuses ?? []
    const ready = isPodReady(p)
    const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0)
    const last = statuses.map((c) => c.lastState?.terminated?.reason).find(Boolean)
    const waiting = statuses.map((c) => c.state?.waiting?.reason).find(Boolean)
    evidence.push(`${p.metadata.name}: ${p.status?.phase ?? 'Unknown'}, ${ready ? 'ready' : 'not ready'}, ${plural(restarts, 'restart')}${last ? ` (last: ${last})` : ''}${waiting ? `, waiting: ${waiting}` : ''}`)
    if (!ready || waiting === 'CrashLoopBackOff') worst = 'error'
    else if (restarts > 0 && worst === 'ok') worst = 'warning'
  }
  const readyCount = pods.filter(isPodReady).length
  const message = worst === 'error' ? `${pods.length - readyCount} of ${pods.length} DNS pods not ready` : worst === 'warning' ? 'DNS pods are ready but have restarted' : `${plural(pods.length, 'DNS pod')} ready, no restarts`
  const hint = worst === 'ok' ? undefined : `kubectl logs -n ${DNS_NAMESPACE} -l k8s-app=kube-dns --previous (OOMKilled: raise the memory limit; a loop: see the corefile check)`
  return check('pods', title, worst, message, evidence, hint)
}

const find = (directives: Directive[], name: string) => directives.find((d) => d.name === name)

/** `corefile`: the one the settings came from (--corefile, else the CoreDNS ConfigMap), so every check sees the same. */
export function corefileCheck(corefile: CorefileSource | undefined, snapshot: ClusterSnapshot, model?: ClusterDns): Check {
  const title = 'Corefile'
  if (model?.settings.flavour === 'kube-dns') return check('corefile', title, 'skipped', `kube-dns serves cluster DNS (${model.settings.source}): there is no Corefile`)
  const cm = corefile
  if (!cm)
    return check('corefile', title, 'skipped', `${partial(snapshot) ? `ConfigMap ${DNS_NAMESPACE}/coredns is not in the input and no --corefile was given` : `ConfigMap ${DNS_NAMESPACE}/coredns not readable or absent`}: kdisco assumes kubeadm's stock Corefile`)
  const ref = /^ConfigMap ([^/]+)\/(.+)$/.exec(cm.source)
  const edit = ref ? `kubectl -n ${ref[1]} edit configmap ${ref[2]}` : `edit ${cm.source}`
  // The Corefile kdisco answers through, with its imports resolved; parsed here only when kdisco could not use it.
  const used = model?.settings.corefile?.source === cm.source ? model.settings.corefile : undefined
  let blocks: ServerBlock[]
  try {
    blocks = used ? used.blocks : parseCorefile(cm.text).blocks
  } catch (error) {
    return check('corefile', title, 'error', `the Corefile does not parse: ${(error as Error).message}`, [cm.source], `CoreDNS refuses to load it; ${edit}`)
  }
  const main = blocks.find((b) => b.directives.some((d) => d.name === 'kubernetes'))
  if (!main) return check('corefile', title, 'error', 'no server block has the kubernetes plugin: cluster names are not served', [cm.source])
  // It parses, but a plugin's options do not hold (cache -5, a bad zone): CoreDNS refuses to start with it too.
  const unusable = model?.settings.unusableCorefile
  if (unusable?.source === cm.source) return check('corefile', title, 'error', `the Corefile does not load: ${unusable.problem}`, [cm.source], `CoreDNS refuses to load it; ${edit}`)
  const k8s = find(main.directives, 'kubernetes')!
  const pods = find(k8s.block, 'pods')?.args[0] ?? 'disabled'
  const evidence = [`${cm.source}, server block ${main.keys.join(' ')}`, `kubernetes ${k8s.args.join(' ')} (pods ${pods}${find(k8s.block, 'fallthrough') ? `, fallthrough ${find(k8s.block, 'fallthrough')!.args.join(' ')}` : ''})`]
  const problems: string[] = []
  const forward = find(main.directives, 'forward') ?? find(main.directives, 'proxy')
  evidence.push(forward ? `forward ${forward.args.join(' ')}` : 'no forward: names outside the cluster are not resolved')
  if (!forward) problems.push('no forward plugin: external names fail (SERVFAIL/REFUSED)')
  const cache = find(main.directives, 'cache')
  evidence.push(cache ? `cache ${cache.args.join(' ') || '(default 3600 s cap)'}` : 'no cache')
  if (!cache) problems.push('no cache plugin: every query reaches the API watch or upstream')
  const loop = find(main.directives, 'loop')
  evidence.push(loop ? 'loop: forwarding loops are detected' : 'no loop plugin')
  if (!loop) problems.push('no loop plugin: a node resolv.conf pointing at CoreDNS itself would loop (CrashLoopBackOff elsewhere)')
  if (find(main.directives, 'log')) evidence.push('log: every query is logged (useful while debugging; costly at scale)')
  for (const p of ['errors', 'health', 'ready']) if (!find(main.directives, p)) evidence.push(`no ${p} plugin`)
  const domain = k8s.args.find((a) => !a.endsWith('arpa')) ?? 'cluster.local'
  return check('corefile', title, problems.length ? 'warning' : 'ok', problems.length ? problems.join('; ') : `parses; cluster domain ${domain}, pods ${pods}`, evidence, problems.length ? edit : undefined)
}

const NEEDED: [string, string][] = [
  ['discovery.k8s.io', 'endpointslices'],
  ['', 'services'],
  ['', 'pods'],
  ['', 'namespaces'],
]

export function rbacCheck(rbac: CorednsRbac): Check {
  const title = "CoreDNS's RBAC"
  if ('unavailable' in rbac) return check('rbac', title, 'skipped', rbac.unavailable)
  const allows = (group: string, resource: string, verb: string) =>
    rbac.rules.some((r) => (r.apiGroups ?? []).some((g) => g === group || g === '*') && (r.resources ?? []).some((x) => x === resource || x === '*') && (r.verbs ?? []).some((v) => v === verb || v === '*'))
  const missing = NEEDED.flatMap(([g, res]) => ['list', 'watch'].filter((v) => !allows(g, res, v)).map((v) => `${v} ${res}${g ? `.${g}` : ''}`))
  const evidence = [`${rbac.roles.length === 1 ? 'ClusterRole' : 'ClusterRoles'} bound to ServiceAccount kube-system/coredns: ${rbac.roles.join(', ') || 'none'}`]
  if (rbac.roles.length === 0) return check('rbac', title, 'error', 'no ClusterRoleBinding gives ServiceAccount kube-system/coredns any role: the kubernetes plugin cannot watch the API and answers SERVFAIL', evidence, 'Restore ClusterRole system:coredns and its binding')
  if (missing.length) return check('rbac', title, 'error', `CoreDNS may not ${missing.join(', ')}: its watches fail and cluster names answer SERVFAIL or go stale`, evidence, 'Add them to ClusterRole system:coredns')
  return check('rbac', title, 'ok', 'CoreDNS may list and watch endpointslices, services, pods and namespaces', evidence)
}

export function nodeLocalCheck(snapshot: ClusterSnapshot, model?: ClusterDns): Check {
  if (partial(snapshot) && !model?.settings.nodeLocal && !snapshot.pods.some((p) => namespaceOf(p) === DNS_NAMESPACE)) return check('nodelocaldns', 'NodeLocal DNSCache', 'skipped', `no ${DNS_NAMESPACE} pods are in the input`)
  const pods = snapshot.pods.filter((p) => namespaceOf(p) === DNS_NAMESPACE && p.metadata.labels?.['k8s-app'] === 'node-local-dns')
  const local = model?.settings.nodeLocal
  if (pods.length === 0 && !local) return check('nodelocaldns', 'NodeLocal DNSCache', 'ok', 'not installed: pods query the kube-dns Service directly')
  // The two hops a cluster name takes: the node's cache, then cluster DNS.
  const hops = model ? model.answer(`kubernetes.default.svc.${model.settings.clusterDomain}.`, 'A').route : undefined
  const evidence = [
    ...(local ? [`${local.source}; pods ask ${local.address}`] : []),
    ...(hops?.nodeLocal ? [`kubernetes.default: node-local ${hops.nodeLocal.server} ${hops.nodeLocal.plugins.join(' → ')} ⇒ cluster DNS ${hops.server} ${hops.plugins.join(' → ')}`] : []),
    ...pods.map((p) => `${p.metadata.name} on ${p.spec?.nodeName ?? '?'}`),
  ]
  if (pods.length === 0) return check('nodelocaldns', 'NodeLocal DNSCache', 'ok', 'configured (its ConfigMap is there); no node-local-dns pod was read', evidence)
  const ready = pods.filter(isPodReady).length
  return check('nodelocaldns', 'NodeLocal DNSCache', ready === pods.length ? 'ok' : 'warning', `installed on ${plural(pods.length, 'node')}, ${ready} ready: pods on a node whose cache is down cannot resolve`, evidence, ready === pods.length ? undefined : `kubectl -n ${DNS_NAMESPACE} get pods -l k8s-app=node-local-dns -o wide`)
}

/** How many queries a ClusterFirst pod sends for an external name, and how to avoid them. */
export function ndotsCheck(model: ClusterDns, name = 'example.com'): Check {
  const conf = clusterFirstConf(model, 'default')
  const tried = searchCandidates(name, conf)
  const queries = tried.length * 2 // glibc asks A and AAAA for each name
  return check('ndots', `cost of ndots:${conf.ndots}`, 'ok', `a pod resolving "${name}" sends ${queries} queries (A and AAAA for each of ${tried.length} names) to get its answer; "${name}." sends 2`, tried.map((t, i) => `${i + 1}. ${t}`), `Use FQDNs with a trailing dot for external names, or set dnsConfig.options [{name: ndots, value: "1"}] on pods that mostly resolve external names`)
}

/**
 * The plugins that change answers or send them elsewhere, per server block, and the risky ones: a rewrite, hosts
 * entry or template that shadows a Service name, autopath without pods verified, a stub domain inside the cluster
 * domain, a forward to cluster DNS itself (a loop), imports kdisco could not read, stub domains NodeLocal DNSCache
 * bypasses.
 */
export function pluginsCheck(model: ClusterDns, snapshot: ClusterSnapshot): Check {
  const title = 'Corefile plugins and routes'
  if (model.settings.flavour === 'kube-dns') return check('plugins', title, 'skipped', 'kube-dns serves cluster DNS: stub domains and upstreams are in the routes of dns lookup')
  // Without a Corefile the routes would be kubeadm's defaults: reporting them as "ok" would vouch for a file not read.
  if (!model.settings.corefile && !model.settings.server) return check('plugins', title, 'skipped', `no Corefile to check (${model.settings.source}); kdisco assumes kubeadm's plugins`)
  const server = model.coreDns().config
  const zone = `${model.settings.clusterDomain}.`
  const services = model.allServices().map((svc) => ({svc, name: lowerName(svc.fqdn)}))
  const evidence: string[] = []
  const errors: string[] = []
  const warnings: string[] = []
  const shadowed = (what: string, hits: string[]) => {
    if (hits.length > 0) warnings.push(`${what} shadows Service name${hits.length > 1 ? 's' : ''} ${hits.slice(0, 3).join(', ')}${hits.length > 3 ? ` and ${hits.length - 3} more` : ''}: pods asking for ${hits.length > 1 ? 'them' : 'it'} never reach the kubernetes plugin`)
  }
  // Addresses a forward must not send to: cluster DNS itself (the Service, its endpoints) and the loopback.
  const dnsSvc = model.service(DNS_NAMESPACE, DNS_SERVICE)
  const selfAddresses = new Set([...(dnsSvc?.clusterIPs ?? []), ...model.endpointsOf(DNS_NAMESPACE, DNS_SERVICE).map((e) => e.address)])
  const loops = (target: string) => {
    const host = target.replace(/^[a-z]+:\/\//, '').replace(/^\[([^\]]+)\](:\d+)?$/, '$1').replace(/:\d+$/, '')
    return selfAddresses.has(host) || /^127\./.test(host) || host === '::1' || host === 'localhost'
  }
  const kubeBlock = server.blocks.find((b) => b.plugins.some((p) => p.kind === 'kubernetes' && p.settings === model.settings))
  for (const block of server.blocks) {
    const list = block.plugins.map(pluginName)
    evidence.push(`${block.label}: ${list.join(' → ') || '(no plugin)'}`)
    const inCluster = block.zones.filter((z) => z !== '.' && matchAbsolute(z, [zone]) !== undefined)
    if (block !== kubeBlock && inCluster.length > 0) warnings.push(`server block ${block.label} is inside the cluster domain: it takes ${inCluster.join(', ')} from the kubernetes plugin`)
    for (const p of block.plugins) describePlugin(p, block, {evidence, errors, warnings, shadowed, services, loops, zone, model})
  }
  for (const i of model.settings.corefile?.imports ?? []) if (!i.unresolved) evidence.push(`import ${i.pattern}: ${i.resolved.join(', ') || 'nothing (no such file)'}`)
  for (const note of server.notes) warnings.push(note)
  const nodeLocal = model.settings.nodeLocal
  if (nodeLocal) {
    // NodeLocal DNSCache forwards names outside the cluster domain from the node: cluster DNS's stub domains are skipped.
    const localZones = nodeLocal.server.blocks.flatMap((b) => b.zones)
    const stubs = server.blocks.filter((b) => b !== kubeBlock && b.plugins.some((p) => p.kind === 'forward')).flatMap((b) => b.zones).filter((z) => matchAbsolute(z, [zone]) === undefined && !localZones.includes(z))
    evidence.push(`NodeLocal DNSCache (${nodeLocal.source}): ${nodeLocal.server.blocks.map((b) => `${b.label}: ${b.plugins.map(pluginName).join(' → ')}`).join('; ')}`)
    if (stubs.length > 0) warnings.push(`NodeLocal DNSCache forwards ${stubs.join(', ')} straight to the node's upstream: the stub domain${stubs.length > 1 ? 's' : ''} in CoreDNS's Corefile ${stubs.length > 1 ? 'are' : 'is'} never asked (add ${stubs.length > 1 ? 'them' : 'it'} to the node-local-dns ConfigMap or kube-dns's stubDomains)`)
  }
  void snapshot
  const status: CheckStatus = errors.length > 0 ? 'error' : warnings.length > 0 ? 'warning' : 'ok'
  const message = [...errors, ...warnings].join('; ') || `${server.blocks.length} server block${server.blocks.length > 1 ? 's' : ''}; nothing shadows a Service name or loops`
  return check('plugins', title, status, message, evidence, status === 'ok' ? undefined : 'kdisco dns lookup NAME shows the route a name takes; kubectl -n kube-system edit configmap coredns')
}

interface PluginFindings {
  evidence: string[]
  errors: string[]
  warnings: string[]
  shadowed: (what: string, hits: string[]) => void
  services: {svc: {namespace: string; name: string}; name: string}[]
  loops: (target: string) => boolean
  zone: string
  model: ClusterDns
}

function describePlugin(p: PluginSpec, block: BlockConfig, f: PluginFindings): void {
  const svcNames = (match: (name: string) => boolean) => f.services.filter((s) => match(s.name)).map((s) => `${s.svc.namespace}/${s.svc.name}`)
  switch (p.kind) {
    case 'rewrite':
      for (const rule of p.rules) {
        f.evidence.push(`  ${rule.text}`)
        f.shadowed(`"${rule.text}"`, svcNames((n) => {
          const to = ruleRewrites(rule, n)
          return to !== undefined && to !== n
        }))
      }
      break
    case 'autopath':
      f.evidence.push(`  autopath ${'plugin' in p.config.source ? `@${p.config.source.plugin}` : p.config.source.resolvConf}: CoreDNS walks a pod's search list itself and answers with a CNAME`)
      if ('plugin' in p.config.source) {
        const kube = block.plugins.find((x) => x.kind === 'kubernetes')
        if (p.config.source.plugin !== 'kubernetes' || !kube) f.warnings.push(`autopath @${p.config.source.plugin} in ${block.label} has no kubernetes plugin to ask: it does nothing`)
        else if (kube.kind === 'kubernetes' && kube.settings.pods !== 'verified') f.warnings.push(`autopath @kubernetes without "pods verified" does nothing: CoreDNS can only find the asking pod with the pod watch`)
      }
      break
    case 'hosts': {
      const hosts = new HostsPlugin(p.config)
      const names = hosts.names()
      f.evidence.push(`  hosts ${p.config.path}${p.config.file ? ` (${p.config.file.source})` : ' (not given to kdisco)'}: ${names.length} name${names.length === 1 ? '' : 's'}${p.config.fallthrough ? ', fallthrough' : ', no fallthrough: other names in its zones get SERVFAIL'}`)
      f.shadowed(`hosts entry`, svcNames((n) => names.includes(n)))
      if (!p.config.fallthrough && matchAbsolute(f.zone, p.config.origins) !== undefined) f.warnings.push(`hosts in ${block.label} covers the cluster domain without fallthrough: Service names get SERVFAIL`)
      break
    }
    case 'template':
      for (const t of p.templates) {
        f.evidence.push(`  template ${t.klass} ${t.type} ${t.zones.join(' ')}: rcode ${t.rcode}${t.answers.length ? `, ${t.answers.length} answer${t.answers.length > 1 ? 's' : ''}` : ''}${t.fallthrough ? ', fallthrough' : ''}`)
        if (matchAbsolute(f.zone, t.zones) !== undefined || t.zones.some((z) => matchAbsolute(z, [f.zone]) !== undefined))
          f.shadowed(`template ${t.klass} ${t.type} ${t.zones.join(' ')}`, svcNames((n) => matchAbsolute(n, t.zones) !== undefined && t.regex.some((re) => re.match(n) !== undefined)))
      }
      break
    case 'file':
      f.evidence.push(`  file ${p.config.path} for ${p.config.origins.join(' ')}${p.config.zones ? '' : ' (not given to kdisco)'}`)
      f.shadowed(`file zone ${p.config.origins.join(' ')}`, svcNames((n) => matchAbsolute(n, p.config.origins) !== undefined))
      break
    case 'forward': {
      const c = p.config
      const upstream = c.to.join(' ')
      f.evidence.push(`  ${c.plugin} ${c.from} ${upstream}${c.except.length ? ` (except ${c.except.join(' ')})` : ''}`)
      const node = f.model.settings.node
      const targets = c.to.flatMap((t) => (t.startsWith('/') && node?.known ? node.nameservers : [t]))
      const looping = targets.filter(f.loops)
      if (looping.length > 0) f.errors.push(`${c.plugin} ${c.from} in ${block.label} sends to ${looping.join(', ')}${c.to.some((t) => t.startsWith('/')) ? ` (the node's resolv.conf)` : ''}, which is cluster DNS itself: a loop (the loop plugin stops CoreDNS; without it queries circle until they time out)`)
      if (c.from !== '.' && matchAbsolute(c.from, [f.zone]) !== undefined) f.warnings.push(`${c.plugin} ${c.from} in ${block.label} is a stub domain inside the cluster domain`)
      break
    }
    case 'unmodelled':
      f.evidence.push(`  ${p.name}: not modelled by kdisco`)
      break
    default:
      break
  }
}

/** The node's search domains kubelet appends to ClusterFirst pods, and where kubelet's limits cut them. */
export function nodeSearchCheck(model: ClusterDns): Check {
  const title = 'node search domains'
  const node = model.settings.node
  if (!node) return check('nodesearch', title, 'skipped', NODE_SEARCH_UNKNOWN)
  const conf = clusterFirstConf(model, 'default')
  const limits = conf.notes.filter((n) => /kubelet|search line/.test(n))
  const evidence = [`search ${conf.searches.join(' ')}`, ...(node.nameservers.length ? [`node nameservers (CoreDNS's upstream with forward . /etc/resolv.conf): ${node.nameservers.join(', ')}`] : [])]
  if (limits.length > 0) return check('nodesearch', title, 'warning', limits.join('; '), evidence, 'Shorten the nodes\' search line (kubelet --resolv-conf), or set dnsConfig/dnsPolicy on the pods that need the rest')
  return check('nodesearch', title, 'ok', node.searches.length > 0 ? `kubelet appends ${node.searches.join(', ')} to ClusterFirst pods: a name that fails in the cluster is also tried there` : 'the nodes have no search domains', evidence)
}

export interface DoctorReport {
  checks: Check[]
  summary: Record<CheckStatus, number>
}

export function summarizeChecks(checks: Check[]): DoctorReport {
  const summary: Record<CheckStatus, number> = {ok: 0, warning: 0, error: 0, skipped: 0}
  for (const c of checks) summary[c.status]++
  return {checks, summary}
}

export function staticChecks(model: ClusterDns, snapshot: ClusterSnapshot, rbac: CorednsRbac, corefile: CorefileSource | undefined): Check[] {
  const checks = [serviceCheck(snapshot), endpointsCheck(model, snapshot), podsCheck(snapshot), corefileCheck(corefile, snapshot, model), pluginsCheck(model, snapshot), rbacCheck(rbac), nodeLocalCheck(snapshot, model), nodeSearchCheck(model), ndotsCheck(model)]
  return checks.map((c) => ({...c, objects: checkObjects(c, model, snapshot, rbac, corefile)}))
}

/**
 * The objects a check concerns, among those that exist: the kube-dns Service, its EndpointSlices, the DNS pods (those
 * not ready or restarting when some are), the CoreDNS ConfigMap (not a --corefile file), the ClusterRoles bound to
 * CoreDNS, NodeLocal DNSCache's pods. The node search domains, the ndots cost and the control lookup concern no object.
 */
function checkObjects(c: Check, model: ClusterDns, snapshot: ClusterSnapshot, rbac: CorednsRbac, corefile: CorefileSource | undefined): string[] {
  const service = model.service(DNS_NAMESPACE, DNS_SERVICE) ? [`Service ${DNS_NAMESPACE}/${DNS_SERVICE}`] : []
  const inDns = (p: Pod) => namespaceOf(p) === DNS_NAMESPACE
  switch (c.id) {
    case 'service':
      return service
    case 'endpoints': {
      const slices = snapshot.endpointSlices.filter((s) => namespaceOf(s) === DNS_NAMESPACE && s.metadata.labels?.[SERVICE_NAME_LABEL] === DNS_SERVICE && sliceOrigin(s) === 'observed')
      return slices.length ? slices.map((s) => `EndpointSlice ${DNS_NAMESPACE}/${s.metadata.name}`) : service
    }
    case 'pods': {
      const pods = dnsPods(snapshot)
      const troubled = pods.filter((p) => !isPodReady(p) || (p.status?.containerStatuses ?? []).some((cs) => (cs.restartCount ?? 0) > 0 || cs.state?.waiting))
      return (troubled.length ? troubled : pods).map((p) => `Pod ${DNS_NAMESPACE}/${p.metadata.name}`)
    }
    case 'corefile':
    case 'plugins':
      return corefile?.configMap ? [`ConfigMap ${namespaceOf(corefile.configMap)}/${corefile.configMap.metadata.name}`] : []
    case 'rbac':
      return 'unavailable' in rbac ? [] : rbac.roles.length ? rbac.roles.map((r) => `ClusterRole ${r}`) : [`ServiceAccount ${DNS_NAMESPACE}/coredns`]
    case 'nodelocaldns':
      return snapshot.pods.filter((p) => inDns(p) && p.metadata.labels?.['k8s-app'] === 'node-local-dns').map((p) => `Pod ${DNS_NAMESPACE}/${p.metadata.name}`)
    default:
      return []
  }
}
