// The first stages every command shares: flags → validated scope → snapshot (files or live) → DNS settings →
// expected DNS model.
import {resolveDnsSettings} from './cluster/dns-settings.js'
import {type SnapshotNeed, loadSnapshot} from './cluster/load.js'
import type {ClusterSnapshot} from './cluster/types.js'
import {ClusterDns} from './dns/model.js'
import {pluginName} from './dns/coredns/server.js'
import type {PodsMode} from './dns/settings.js'
import {checkNamespaceName, inputError} from './errors.js'
import type {Connection} from './cluster/live/connect.js'
import type {ProbeContext, ProbeSession} from './probe/index.js'

export interface PipelineFlags {
  filename?: string[]
  recursive?: boolean
  namespace?: string
  'all-namespaces'?: boolean
  kubeconfig?: string
  context?: string
  'request-timeout'?: string
  verbose?: boolean
  'cluster-domain'?: string
  pods?: PodsMode
  ttl?: number
  'endpoint-pod-names'?: boolean
  corefile?: string
  'corefile-import'?: string[]
  'node-resolv-conf'?: string
  'node-search'?: string[]
}

export interface LoadedCluster {
  snapshot: ClusterSnapshot
  model: ClusterDns
  /** The namespace the command works in: -n, else the kubeconfig context's, else default. */
  namespace: string
}

/** `30s`, `1m`, `1m30s`, `500ms`, or a bare number of seconds. */
export function parseDuration(text: string, flag: string): number {
  const bare = /^\d+(\.\d+)?$/.test(text) ? `${text}s` : text
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy
  let total = 0
  let m: RegExpExecArray | null
  let consumed = 0
  while ((m = re.exec(bare))) {
    total += Number(m[1]) * {ms: 1, s: 1000, m: 60000, h: 3600000}[m[2] as 'ms' | 's' | 'm' | 'h']
    consumed = re.lastIndex
  }
  if (consumed !== bare.length || consumed === 0 || total <= 0) throw inputError(`${flag} "${text}" is not a duration`, 'Use a value like 30s, 2m or 1m30s')
  return total
}

/** How the flags reach the API server: request timeout and --verbose's request log. */
function liveOptions(flags: PipelineFlags): {timeoutMs: number; log?: (line: string) => void} {
  return {
    timeoutMs: parseDuration(flags['request-timeout'] ?? '30s', '--request-timeout'),
    log: flags.verbose ? (line: string) => process.stderr.write(`kdisco: ${line}\n`) : undefined,
  }
}

/** The live connection for `namespace` (the client is shared with the snapshot source: one per run). */
export async function connectCluster(flags: PipelineFlags, namespace: string): Promise<Connection> {
  const {connect} = await import('./cluster/live/connect.js')
  return connect({kubeconfig: flags.kubeconfig, context: flags.context, namespace: namespace || undefined, ...liveOptions(flags)})
}

/** The probe's way to the cluster, opened only if a probe needs it. */
export function probeContext(flags: PipelineFlags, namespace: string, session?: ProbeSession): ProbeContext {
  let conn: Promise<Connection> | undefined
  return {namespace, session, connect: () => (conn ??= connectCluster(flags, namespace))}
}

export async function loadCluster(flags: PipelineFlags, need: SnapshotNeed = {}): Promise<LoadedCluster> {
  checkNamespaceName(flags.namespace)
  const {timeoutMs, log} = liveOptions(flags)
  const snapshot = await loadSnapshot({
    filenames: flags.filename ?? [],
    recursive: flags.recursive ?? false,
    namespace: flags.namespace,
    allNamespaces: flags['all-namespaces'] ?? false,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    timeoutMs,
    log,
    need,
  })
  if (log) for (const o of snapshot.ignored) log(`ignored ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} (${o.source})`)
  const settings = await resolveDnsSettings(
    {
      corefile: flags.corefile,
      corefileImports: flags['corefile-import'],
      clusterDomain: flags['cluster-domain'],
      pods: flags.pods,
      ttl: flags.ttl,
      endpointPodNames: flags['endpoint-pod-names'],
      nodeResolvConf: flags['node-resolv-conf'],
      nodeSearch: flags['node-search'],
    },
    snapshot,
  )
  return {snapshot, model: new ClusterDns(snapshot, settings), namespace: snapshot.defaultNamespace}
}

/** The settings as reported in every JSON result. */
function settingsSummary(model: ClusterDns) {
  const s = model.settings
  const server = model.coreDns().config
  return {
    clusterDomain: s.clusterDomain,
    zones: s.zones,
    pods: s.pods,
    ttl: s.ttl,
    endpointPodNames: s.endpointPodNames,
    source: s.source,
    ...(s.flavour ? {server: s.flavour} : {}),
    /** The Corefile's server blocks and the plugins kdisco routes through, in CoreDNS's order. */
    blocks: server.blocks.map((b) => ({server: b.label, plugins: b.plugins.map(pluginName)})),
    ...(server.notes.length > 0 ? {corefileNotes: server.notes} : {}),
    ...(s.nodeLocal ? {nodeLocal: {source: s.nodeLocal.source, address: s.nodeLocal.address}} : {}),
    /** The node's search domains kubelet appends to ClusterFirst pods; null: not given (they may exist). */
    nodeSearch: s.node ? s.node.searches : null,
  }
}

/** Where the data came from and what could not be read, as reported in every JSON result. */
function inputSummary(snapshot: ClusterSnapshot) {
  return {origin: snapshot.origin, sources: snapshot.sources, gaps: snapshot.gaps}
}

/** What every JSON result says about where its data came from and which DNS settings applied. */
export interface ResultContext {
  settings: ReturnType<typeof settingsSummary>
  input: ReturnType<typeof inputSummary>
}

export function resultContext(snapshot: ClusterSnapshot, model: ClusterDns): ResultContext {
  return {settings: settingsSummary(model), input: inputSummary(snapshot)}
}
