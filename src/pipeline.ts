// The first stages every command shares: flags → validated scope → snapshot (files or live) → DNS settings →
// expected DNS model.
import {type CorefileSource, corefileManifestLines, corefileSource, resolveDnsSettings} from './cluster/dns-settings.js'
import {type SnapshotNeed, loadSnapshot} from './cluster/load.js'
import type {ClusterSnapshot} from './cluster/types.js'
import {ClusterDns} from './dns/model.js'
import {ReadTracingModel, readKey} from './dns/reads.js'
import type {DnsSettings} from './dns/settings.js'
import type {LiveKind} from './cluster/live/source.js'
import {pluginName} from './dns/coredns/server.js'
import {whereWritten} from './dns/corefile.js'
import type {PodsMode} from './dns/settings.js'
import {checkNamespaceName, inputError, quote} from './errors.js'
import type {Connection} from './cluster/live/connect.js'
import type {ProbeConfig, ProbeContext, ProbeSession} from './probe/index.js'
import type {ResultContext} from './results.js'

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
  /** The Corefile the settings came from (--corefile, else the CoreDNS ConfigMap), if any. */
  corefile?: CorefileSource
}

/** The longest duration kdisco takes (--request-timeout, --wait): a day, well inside what a timer can wait. */
export const MAX_DURATION_MS = 24 * 3600 * 1000

/** `30s`, `1m`, `1m30s`, `500ms`, or a bare number of seconds; from 1 ms to 24 h. */
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
  if (consumed !== bare.length || consumed === 0 || !(total > 0)) throw inputError(`${flag} ${quote(text)} is not a duration`, 'Use a value like 30s, 2m or 1m30s')
  // Node's timers wait at most 2^31-1 ms (~24.8 days) and fire at once beyond it.
  if (total > MAX_DURATION_MS) throw inputError(`${flag} ${quote(text)} is too long`, 'Use at most 24h')
  return Math.max(1, Math.ceil(total))
}

/**
 * --wait in milliseconds, or undefined. It repeats a probe until the answers match, so without a probe (-f alone, or
 * --probe none) it cannot apply, and saying so beats waiting for nothing.
 */
export function waitDuration(wait: string | undefined, probe: Pick<ProbeConfig, 'kind'>): number | undefined {
  if (wait === undefined) return undefined
  if (probe.kind === 'none') throw inputError('--wait repeats the probe until DNS answers as expected, and there is no probe here (-f or --probe none)', 'Probe a live cluster (drop -f), or a DNS server with --probe server --dns-server HOST; or drop --wait')
  return parseDuration(wait, '--wait')
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

/** `lenientCorefile`: see resolveDnsSettings (dns doctor reports a Corefile it cannot use instead of stopping). */
export async function loadCluster(flags: PipelineFlags, need: SnapshotNeed = {}, options: {lenientCorefile?: boolean} = {}): Promise<LoadedCluster> {
  checkNamespaceName(flags.namespace)
  const {timeoutMs, log} = liveOptions(flags)
  const snapshot = await loadSnapshot({
    filenames: flags.filename ?? [],
    recursive: flags.recursive ?? false,
    namespace: flags.namespace,
    allNamespaces: (flags['all-namespaces'] || need.everyNamespace) ?? false,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    timeoutMs,
    log,
    need,
  })
  if (log) for (const o of snapshot.ignored) log(`ignored ${o.kind}${o.name ? ` ${o.namespace ? `${o.namespace}/` : ''}${o.name}` : ''} (${o.source})${o.reason ? `: ${o.reason}` : ''}`)
  return modelOf(flags, snapshot, options)
}

/** The snapshot's DNS settings and expected model (`Model`: a subclass that also traces what questions read). */
function modelOf<M extends ClusterDns>(flags: PipelineFlags, snapshot: ClusterSnapshot, options: {lenientCorefile?: boolean}, Model: new (s: ClusterSnapshot, d: DnsSettings) => M = ClusterDns as never): LoadedCluster & {model: M} {
  // A namespace that is not there is no error (its answers are NXDOMAIN, its lists empty), but never a quiet one.
  const ns = snapshot.defaultNamespace
  if (!flags['all-namespaces'] && !snapshot.namespaces.includes(ns))
    snapshot.warnings.push(snapshot.origin === 'live' ? `Namespace "${ns}" does not exist in the cluster` : `Namespace "${ns}" is not in the input: no object of -f is in it, and no Namespace names it`)
  const corefile = corefileSource(flags.corefile, snapshot)
  const settings = resolveDnsSettings(
    {
      corefileImports: flags['corefile-import'],
      clusterDomain: flags['cluster-domain'],
      pods: flags.pods,
      ttl: flags.ttl,
      endpointPodNames: flags['endpoint-pod-names'],
      nodeResolvConf: flags['node-resolv-conf'],
      nodeSearch: flags['node-search'],
    },
    snapshot,
    corefile,
    {lenient: options.lenientCorefile},
  )
  // A plugin CoreDNS does not have: a typo CoreDNS refuses to start with (or a plugin built in by hand). Said on every
  // command, not only in the JSON's corefileNotes and dns doctor: the answers kdisco predicts assume it is not there.
  const inManifest = corefileManifestLines(snapshot, corefile)
  for (const u of settings.corefile?.unknownPlugins ?? []) {
    const at = (u.source === corefile?.source && inManifest(u.line)) || whereWritten(u)
    const warning = `${at}: "${u.name}" is not a CoreDNS plugin (a typo CoreDNS refuses to start with, or one built in by hand): kdisco ignores it`
    if (!snapshot.warnings.includes(warning)) snapshot.warnings.push(warning)
  }
  return {snapshot, model: new Model(snapshot, settings), namespace: snapshot.defaultNamespace, corefile}
}

/** How many rounds a question's reads may take (a round per name of the walk, per hop of an ExternalName chain) before kdisco reads everything. */
const QUESTION_ROUNDS = 40

/**
 * The cluster as one DNS question needs it (`ask` asks it of the model). With -f, every file. Live, only the objects
 * the names reaching the kubernetes plugin consult (ClusterRead), a name of the walk per round (the walk stops at its
 * first answer, so later names may never be asked), until a round needs nothing new; every
 * Service, EndpointSlice and pod (as before) when the tracing cannot see every question (several kubernetes stanzas).
 * `clusterWide`: the cluster-wide reads it needed, and why (PTR questions, nameserver records).
 */
export async function loadClusterForQuestion(flags: PipelineFlags, asking: {pod?: string}, ask: (loaded: LoadedCluster & {model: ReadTracingModel}) => void): Promise<LoadedCluster & {clusterWide: string[]}> {
  const wide = {kinds: ['pods'] as LiveKind[], clusterDns: true, everyNamespace: true}
  if ((flags.filename?.length ?? 0) > 0) return {...(await loadCluster(flags, wide)), clusterWide: []}
  checkNamespaceName(flags.namespace)
  const {timeoutMs, log} = liveOptions(flags)
  const {QuestionReader} = await import('./cluster/live/source.js')
  const reader = await QuestionReader.open({kubeconfig: flags.kubeconfig, context: flags.context, namespace: flags.namespace, timeoutMs, log}, asking)
  let why = `the question took more than ${QUESTION_ROUNDS} rounds of reads`
  for (let round = 0; round < QUESTION_ROUNDS; round++) {
    const loaded = modelOf(flags, reader.snapshot(), {}, ReadTracingModel)
    if (!loaded.model.reliable()) {
      why = 'the Corefile has more than one kubernetes stanza, and kdisco traces the reads of one'
      break
    }
    loaded.model.read = reader.readKeys()
    ask(loaded)
    const next = loaded.model.nextReads().filter((r) => !loaded.model.read.has(readKey(r)))
    if (next.length === 0) return {...loaded, clusterWide: reader.clusterWide}
    log?.(`the question needs: ${[...new Set(next.map(readKey))].join(', ')}`)
    await reader.read(next)
  }
  log?.(`reading every Service, EndpointSlice and pod: ${why}`)
  return {...(await loadCluster(flags, wide)), clusterWide: [`read every Service, EndpointSlice and pod: ${why}`]}
}

/** What every JSON result says about where its data came from and which DNS settings applied. */
export function resultContext(snapshot: ClusterSnapshot, model: ClusterDns): ResultContext {
  const s = model.settings
  const server = model.coreDns().config
  return {
    settings: {
      clusterDomain: s.clusterDomain,
      zones: s.zones,
      pods: s.pods,
      ttl: s.ttl,
      endpointPodNames: s.endpointPodNames,
      source: s.source,
      ...(s.flavour ? {server: s.flavour} : {}),
      blocks: server.blocks.map((b) => ({server: b.label, plugins: b.plugins.map(pluginName)})),
      ...(server.notes.length > 0 ? {corefileNotes: server.notes} : {}),
      ...(s.nodeLocal ? {nodeLocal: {source: s.nodeLocal.source, address: s.nodeLocal.address}} : {}),
      nodeSearch: s.node ? s.node.searches : null,
    },
    input: {origin: snapshot.origin, sources: snapshot.sources, gaps: snapshot.gaps, warnings: snapshot.warnings},
  }
}
