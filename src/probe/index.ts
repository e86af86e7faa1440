// Probe selection and execution. Each probe answers a ProbeRequest from one or more vantage points (one per DNS
// replica for port-forward). The back-ends are loaded only when used.
import type {Observed} from '../compare/verdict.js'
import type {Connection} from '../cluster/live/connect.js'
import {ExitCode, KdiscoError, checkNamespaceName, inputError} from '../errors.js'
import type {ApplicationView, ParsedResolvConf, ScriptOp} from './script.js'
import type {Progress} from '../render/progress.js'

export const PROBE_KINDS = ['none', 'server', 'pod', 'exec', 'ephemeral', 'port-forward'] as const
export type ProbeKind = (typeof PROBE_KINDS)[number]

export interface ProbeConfig {
  kind: ProbeKind
  host?: string
  port?: number
  timeoutMs: number
  /** pod: where the debug pod runs (default: the command's namespace). */
  namespace?: string
  image?: string
  keep?: boolean
  deadlineSeconds?: number
  /** exec/ephemeral: the pod to run in, and for exec its container. */
  pod?: string
  container?: string
}

export interface ProbeQuestion {
  name: string
  type: string
}

export interface ProbeRequest {
  /** Names asked exactly as given (absolute). */
  queries: ProbeQuestion[]
  /** Short names a pod in `namespace` looks up: pod-side probes expand them with the pod's real resolv.conf. */
  searches: (ProbeQuestion & {namespace: string})[]
}

/** What one vantage point observed. Keys are `name type`, name lowercase and absolute. */
export interface Vantage {
  via: string
  observed: Map<string, Observed>
  /** The real resolv.conf of the pod that asked, and its namespace: short names walk its search list. */
  resolvConf?: ParsedResolvConf & {namespace: string}
  applications?: Map<string, ApplicationView | {unavailable: string}>
  notes: string[]
}

export const observedKey = (name: string, type: string) => `${name.toLowerCase().replace(/\.?$/, '.')} ${type}`

/** `10.96.0.10`, `127.0.0.1:5353`, `[::1]:53`, `::1`. */
export function parseDnsServer(text: string): {host: string; port: number} {
  let host = text
  let port = 53
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracket) {
    host = bracket[1]
    if (bracket[2]) port = Number(bracket[2])
  } else if (/^[^:]+:\d+$/.test(text)) {
    ;[host, port] = [text.split(':')[0], Number(text.split(':')[1])]
  }
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw inputError(`--dns-server "${text}" is not HOST[:PORT]`, 'For example --dns-server 10.96.0.10 or --dns-server 127.0.0.1:5353')
  return {host, port}
}

export interface ProbeFlags {
  probe?: string
  'dns-server'?: string
  'probe-timeout'?: number
  'probe-namespace'?: string
  image?: string
  keep?: boolean
  'probe-deadline'?: number
  pod?: string
  container?: string
  filename?: string[]
}

/**
 * The probe the flags ask for: `pod` by default on a live cluster, `none` with -f (no cluster to ask).
 * `defaultPod`: the pod --probe exec/ephemeral look from when --pod is not given (pod lookup: the pod itself).
 */
export function probeConfig(flags: ProbeFlags, options: {defaultPod?: string} = {}): ProbeConfig {
  if (flags.pod === undefined && (flags.probe === 'exec' || flags.probe === 'ephemeral')) flags = {...flags, pod: options.defaultPod}
  const offline = (flags.filename?.length ?? 0) > 0
  const kind = (flags.probe ?? (flags['dns-server'] ? 'server' : flags.pod ? 'exec' : offline ? 'none' : 'pod')) as ProbeKind
  const timeoutMs = (flags['probe-timeout'] ?? 2) * 1000
  const misplaced = (flag: string, goesWith: string) => inputError(`--${flag} goes with ${goesWith}`, `Drop --${flag} or use ${goesWith}`)
  if (kind !== 'server' && flags['dns-server']) throw misplaced('dns-server', '--probe server')
  if (kind !== 'exec' && kind !== 'ephemeral' && flags.pod) throw misplaced('pod', '--probe exec or --probe ephemeral')
  if (kind !== 'exec' && flags.container) throw misplaced('container', '--probe exec')
  if (kind !== 'pod' && (flags.keep || flags['probe-namespace'])) throw misplaced(flags.keep ? 'keep' : 'probe-namespace', '--probe pod')
  if (kind !== 'pod' && kind !== 'ephemeral' && flags.image) throw misplaced('image', '--probe pod or --probe ephemeral')
  if (kind !== 'none' && kind !== 'server' && offline) throw inputError(`--probe ${kind} needs a live cluster, not -f files`, 'Use --probe server --dns-server HOST[:PORT] with -f, or drop -f')
  checkNamespaceName(flags['probe-namespace'])
  switch (kind) {
    case 'server':
      if (!flags['dns-server']) throw inputError('--probe server needs --dns-server HOST[:PORT]', 'Name the DNS server to ask, e.g. --dns-server 10.96.0.10')
      return {kind, ...parseDnsServer(flags['dns-server']), timeoutMs}
    case 'exec':
    case 'ephemeral':
      if (!flags.pod) throw inputError(`--probe ${kind} needs --pod NAME`, 'Name the pod whose view of DNS you want, e.g. --pod web-0')
      return {kind, pod: flags.pod, container: flags.container, image: flags.image, timeoutMs, deadlineSeconds: flags['probe-deadline'] ?? 120}
    case 'pod':
      return {kind, namespace: flags['probe-namespace'], image: flags.image, keep: flags.keep, deadlineSeconds: flags['probe-deadline'] ?? 120, timeoutMs}
    default:
      return {kind, timeoutMs}
  }
}

/** Whether short names from `namespace` are looked up by the probe's own resolver (pod-side probes). */
export function probeNamespace(config: ProbeConfig, commandNamespace: string): string | undefined {
  if (config.kind === 'pod') return config.namespace ?? commandNamespace
  if (config.kind === 'exec' || config.kind === 'ephemeral') return commandNamespace
  return undefined
}

export function scriptOps(request: ProbeRequest): ScriptOp[] {
  const ops: ScriptOp[] = request.queries.map((q) => ({op: 'query', type: q.type, name: q.name.replace(/\.?$/, '.')}))
  const apps = new Set<string>()
  for (const s of request.searches) {
    ops.push({op: 'search', type: s.type, name: s.name})
    if ((s.type === 'A' || s.type === 'AAAA') && !apps.has(s.name)) (apps.add(s.name), ops.push({op: 'getent', name: s.name}))
  }
  return ops
}

export interface ProbeContext {
  /** The live connection (pod-side and port-forward probes). */
  connect: () => Promise<Connection>
  namespace: string
  quiet?: boolean
  /** Across --wait attempts: one debug pod, reused through exec, deleted when the session closes. */
  session?: ProbeSession
}

export interface ProbeSession {
  pod?: {namespace: string; name: string; conn: Connection}
  /** Deletes the current pod (the session goes on). */
  drop(): Promise<void>
  /** Deletes the pod and ends the session. */
  close(): Promise<void>
}

/** A session for repeated probes; its pod is deleted on close and on SIGINT/SIGTERM. */
export async function probeSession(): Promise<ProbeSession> {
  const {onInterrupt} = await import('./interrupt.js')
  const {deletePod, leftoverLine} = await import('./pod.js')
  // The pod being dropped, until it is known to be gone: what an interrupt names if it cannot delete it.
  let dropping: {namespace: string; name: string; conn: Connection} | undefined
  const session: ProbeSession = {
    async drop() {
      const pod = session.pod ?? dropping
      session.pod = undefined
      if (!pod) return
      dropping = pod
      if ((await deletePod(pod.conn, pod.namespace, pod.name)) !== 'failed') dropping = undefined
    },
    async close() {
      unregister()
      await session.drop()
      const line = leftover()
      if (line) process.stderr.write(`kdisco: ${line}\n`)
    },
  }
  const leftover = () => {
    const pod = session.pod ?? dropping
    return pod && leftoverLine(pod.conn, pod.namespace, pod.name)
  }
  const unregister = onInterrupt({run: () => session.drop(), leftover})
  return session
}

/**
 * Runs `fn` with a probe session when the probe repeats (--wait) with debug pods: one pod for every attempt, whose
 * deadline covers the whole wait, deleted at the end.
 */
export async function withProbeSession<R>(config: ProbeConfig, waitMs: number | undefined, fn: (config: ProbeConfig, session?: ProbeSession) => Promise<R>): Promise<R> {
  if (!waitMs || config.kind !== 'pod' || config.keep) return fn(config, undefined)
  const session = await probeSession()
  try {
    return await fn({...config, deadlineSeconds: (config.deadlineSeconds ?? 120) + Math.ceil(waitMs / 1000)}, session)
  } finally {
    await session.close()
  }
}

/** Asks the questions through the chosen probe; undefined when probing is off. */
export async function runProbe(config: ProbeConfig, request: ProbeRequest, ctx: ProbeContext): Promise<Vantage[] | undefined> {
  if (config.kind === 'none' || request.queries.length + request.searches.length === 0) return undefined
  if (config.kind === 'server') {
    const {probeServer} = await import('./server.js')
    const questions = [...request.queries, ...request.searches]
    const {observed, notes} = await probeServer(questions, {host: config.host!, port: config.port!, timeoutMs: config.timeoutMs})
    return [{via: `server ${config.host}:${config.port}`, observed: new Map(questions.map((q, i) => [observedKey(q.name, q.type), observed[i]])), notes}]
  }
  const conn = await ctx.connect()
  const {progress} = await import('../render/progress.js')
  const bar = progress({quiet: ctx.quiet})
  try {
    return await probeInCluster(config, request, ctx, conn, bar)
  } catch (error) {
    throw (await import('../cluster/live/errors.js')).toKdiscoError(error, conn.config)
  } finally {
    bar.done()
  }
}

async function probeInCluster(config: ProbeConfig, request: ProbeRequest, ctx: ProbeContext, conn: Connection, bar: Progress): Promise<Vantage[]> {
  if (config.kind === 'port-forward') {
    const {probePortForward} = await import('./port-forward.js')
    return probePortForward(conn, request.queries, {timeoutMs: config.timeoutMs, progress: bar})
  }
  const {parseScriptOutput, lookupArgv} = await import('./script.js')
  const argv = lookupArgv(scriptOps(request), Math.ceil(config.timeoutMs / 1000))
  const {log, via, namespace} = await runScript(config, argv, ctx, conn, bar)
  const parsed = parseScriptOutput(log, via)
  if (!parsed.resolvConf && parsed.observed.size === 0) {
    throw new KdiscoError(`${via} printed no lookup results: ${log.trim().split('\n').slice(-1)[0] || 'empty log'}`, {hint: 'The image needs sh and dig or nslookup (see --image)', exitCode: ExitCode.CLUSTER})
  }
  if (parsed.tool === 'none') parsed.notes.push('the image has neither dig nor nslookup')
  return [{via, observed: parsed.observed, resolvConf: parsed.resolvConf && {...parsed.resolvConf, namespace}, applications: parsed.applications, notes: parsed.notes}]
}

/** Runs the lookup script where the probe says: a debug pod (new or kept), an existing pod, an ephemeral container. */
async function runScript(config: ProbeConfig, argv: string[], ctx: ProbeContext, conn: Connection, bar: Progress): Promise<{log: string; via: string; namespace: string}> {
  const {DEFAULT_IMAGE, findKeptPod, runDebugPod} = await import('./pod.js')
  const image = config.image ?? DEFAULT_IMAGE
  const timeoutMs = (config.deadlineSeconds ?? 120) * 1000
  if (config.kind === 'pod') {
    const namespace = config.namespace ?? ctx.namespace
    // --keep reuses a kept pod that is still running (exec: no scheduling, no image pull), else keeps a new one.
    const session = ctx.session
    const reuse = session?.pod?.name ?? (config.keep ? await findKeptPod(conn, namespace, image) : undefined)
    if (reuse) {
      const {execInPod} = await import('./exec.js')
      try {
        const {log} = await execInPod(conn, {namespace, pod: reuse, container: 'lookup', argv, timeoutMs}, bar)
        return {log, via: `pod ${namespace}/${reuse} (${session?.pod ? 'reused' : 'kept, reused'})`, namespace}
      } catch (error) {
        // The session's pod is gone (evicted, deleted): start a new one; a kept pod of someone else's is not ours to fix.
        if (!session?.pod) throw error
        await session.drop()
      }
    }
    const run = await runDebugPod(conn, {namespace, image, argv, deadlineSeconds: config.deadlineSeconds!, keep: config.keep, stay: Boolean(session)}, bar)
    if (session && !config.keep) session.pod = {namespace, name: run.pod, conn}
    return {log: run.log, via: `pod ${namespace}/${run.pod}${run.kept ? ' (kept)' : ''}`, namespace}
  }
  const namespace = ctx.namespace
  if (config.kind === 'exec') {
    const {execInPod} = await import('./exec.js')
    const run = await execInPod(conn, {namespace, pod: config.pod!, container: config.container, argv, timeoutMs}, bar)
    return {log: run.log, via: `exec ${namespace}/${config.pod}${run.container ? `[${run.container}]` : ''}`, namespace}
  }
  const {runEphemeral} = await import('./ephemeral.js')
  const run = await runEphemeral(conn, {namespace, pod: config.pod!, image, argv, deadlineSeconds: config.deadlineSeconds!}, bar)
  return {log: run.log, via: `ephemeral ${namespace}/${config.pod}[${run.container}]`, namespace}
}

/** --dry-run: what the probe would create, as a manifest. */
export async function probeManifest(config: ProbeConfig, request: ProbeRequest, namespace: string): Promise<object> {
  const {lookupArgv} = await import('./script.js')
  const argv = lookupArgv(scriptOps(request), Math.ceil(config.timeoutMs / 1000))
  const pod = await import('./pod.js')
  if (config.kind === 'pod') return pod.debugPodManifest({namespace: config.namespace ?? namespace, image: config.image ?? pod.DEFAULT_IMAGE, argv, deadlineSeconds: config.deadlineSeconds!, keep: config.keep})
  if (config.kind === 'ephemeral') return (await import('./ephemeral.js')).ephemeralPatch(config.image ?? pod.DEFAULT_IMAGE, argv, pod.newRunId())
  throw inputError('--dry-run goes with --probe pod or --probe ephemeral', 'Those are the probes that create something; drop --dry-run')
}
