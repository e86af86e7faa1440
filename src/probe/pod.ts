// The debug-pod probe: ONE short-lived pod runs every lookup of the command (the fixed script in script.ts) and the
// results come back through its log. The pod passes Pod Security "restricted" as written, carries kdisco's labels,
// has an activeDeadlineSeconds so a killed kdisco cannot leave it running, and is deleted on success, error,
// timeout, SIGINT and SIGTERM (unless --keep).
import {randomBytes} from 'node:crypto'
import {setTimeout as sleep} from 'node:timers/promises'
import type {Pod} from '../cluster/types.js'
import {ApiError} from '../cluster/live/client.js'
import type {Connection} from '../cluster/live/connect.js'
import {ExitCode, KdiscoError} from '../errors.js'
import {commandName} from '../invocation.js'
import type {Progress} from '../render/progress.js'
import {onInterrupt} from './interrupt.js'
import {MARK} from './script.js'
import {byCodeUnits} from '../order.js'

export const MANAGED_BY = 'app.kubernetes.io/managed-by'
export const RUN_LABEL = 'kdisco.dev/run'
export const KEEP_LABEL = 'kdisco.dev/keep'
/** dig and getent; used by the Kubernetes e2e DNS tests, so it is kept up to date with them. */
export const DEFAULT_IMAGE = 'registry.k8s.io/e2e-test-images/jessie-dnsutils:1.7'
/** A non-root user every image has: nobody. */
const NOBODY = 65534

export interface DebugPodOptions {
  namespace: string
  image: string
  argv: string[]
  /** activeDeadlineSeconds: the cluster kills the pod after this, whatever happens to kdisco. */
  deadlineSeconds: number
  keep?: boolean
  /** Stay running after the lookups (for a --wait session, which deletes it at the end); not labelled kept. */
  stay?: boolean
  runId?: string
}

/** The pods collection of a namespace, or one pod in it. */
export function podPath(namespace: string, name?: string): string {
  const pods = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`
  return name === undefined ? pods : `${pods}/${encodeURIComponent(name)}`
}

export function newRunId(): string {
  return randomBytes(4).toString('hex').slice(0, 7)
}

const restrictedContainerContext = {
  allowPrivilegeEscalation: false,
  capabilities: {drop: ['ALL']},
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: NOBODY,
  runAsGroup: NOBODY,
  seccompProfile: {type: 'RuntimeDefault'},
}

export const LOOKUP_RESOURCES = {requests: {cpu: '10m', memory: '16Mi'}, limits: {cpu: '200m', memory: '64Mi'}}

/** The container spec shared by the debug pod and the ephemeral container. */
export function lookupContainer(name: string, image: string, argv: string[]) {
  return {name, image, imagePullPolicy: 'IfNotPresent', command: argv, securityContext: restrictedContainerContext, resources: LOOKUP_RESOURCES}
}

/** A kept pod runs the lookups, then stays up (until its deadline) so later runs can exec into it. */
function keepAlive(argv: string[], seconds: number): string[] {
  const [sh, c, script, ...rest] = argv
  return [sh, c, `${script}\nexec sleep ${Math.floor(seconds)}\n`, ...rest]
}

export function debugPodManifest(options: DebugPodOptions): Pod {
  const runId = options.runId ?? newRunId()
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `kdisco-probe-${runId}`,
      namespace: options.namespace,
      labels: {[MANAGED_BY]: 'kdisco', 'app.kubernetes.io/name': 'kdisco-probe', [RUN_LABEL]: runId, ...(options.keep ? {[KEEP_LABEL]: 'true'} : {})},
      annotations: {'kdisco.dev/purpose': 'DNS lookups made by kdisco; deleted when the run ends (kdisco probe cleanup removes leftovers)'},
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: options.deadlineSeconds,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 1,
      // The image and the script are Linux: never land on a Windows node of a mixed cluster.
      nodeSelector: {'kubernetes.io/os': 'linux'},
      securityContext: {runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, seccompProfile: {type: 'RuntimeDefault'}},
      containers: [lookupContainer('lookup', options.image, options.keep || options.stay ? keepAlive(options.argv, options.deadlineSeconds) : options.argv)],
    },
  } as unknown as Pod
}

type ContainerStatus = {name: string; state?: {waiting?: {reason?: string; message?: string}; running?: object; terminated?: {exitCode?: number; reason?: string; message?: string}}}
type PodStatus = {phase?: string; reason?: string; message?: string; conditions?: {type: string; status: string; reason?: string; message?: string}[]; containerStatuses?: ContainerStatus[]; ephemeralContainerStatuses?: ContainerStatus[]}

const IMAGE_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError'])
/** The runtime could not start the container's command (containerd: StartError; docker: ContainerCannotRun). */
const START_ERRORS = new Set(['StartError', 'ContainerCannotRun'])

/** Where a container is, in words, or a fatal error. */
export function containerPhase(status: PodStatus, container: string, ephemeral = false): {phase: string; finished?: boolean; fatal?: string} {
  const statuses = (ephemeral ? status.ephemeralContainerStatuses : status.containerStatuses) ?? []
  const cs = statuses.find((c) => c.name === container)
  if (status.phase === 'Failed' && status.reason === 'DeadlineExceeded') return {phase: 'deadline exceeded', fatal: `the pod reached its activeDeadlineSeconds (${status.message ?? 'DeadlineExceeded'})`}
  const terminated = cs?.state?.terminated
  if (terminated?.reason && START_ERRORS.has(terminated.reason)) return {phase: terminated.reason, fatal: `${terminated.reason}: ${(terminated.message ?? '').replace(/\s+/g, ' ').trim() || `exit code ${terminated.exitCode}`}`}
  if (terminated) return {phase: 'finished', finished: true}
  if (cs?.state?.running) return {phase: 'running lookups'}
  const waiting = cs?.state?.waiting
  if (waiting?.reason && IMAGE_ERRORS.has(waiting.reason)) return {phase: waiting.reason, fatal: `${waiting.reason}: ${(waiting.message ?? '').replace(/\s+/g, ' ').trim() || 'no message'}`}
  if (waiting) return {phase: waiting.reason === 'ContainerCreating' ? 'pulling image and starting the container' : `waiting (${waiting.reason ?? 'unknown'})`}
  if (!ephemeral) {
    const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled')
    if (scheduled?.status === 'False') return {phase: `unschedulable: ${(scheduled.message ?? scheduled.reason ?? '').replace(/\s+/g, ' ')}`}
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return {phase: 'finished', finished: true}
    if (scheduled?.status === 'True') return {phase: 'pulling image and starting the container'}
  }
  return {phase: ephemeral ? 'starting the ephemeral container' : 'scheduling'}
}

/** A rejected create, in the user's terms: Pod Security admission, a webhook, a quota, or RBAC. */
export function createError(error: unknown, what: string, namespace: string): unknown {
  if (!(error instanceof ApiError)) return error
  const msg = error.message.replace(/\s+/g, ' ').trim()
  if (error.status === 403 && /cannot (create|patch) resource/.test(msg)) {
    return new KdiscoError(`RBAC forbids creating ${what} in namespace ${namespace}: ${msg}`, {hint: 'The pod probe needs create/get/delete on pods and get on pods/log (see README, "RBAC"); or use --probe port-forward, --probe server, or --probe none for the expected answers alone', exitCode: ExitCode.CLUSTER})
  }
  if (error.status === 403 || error.status === 400 || error.status === 422) {
    const why = /violates PodSecurity/.test(msg) ? 'Pod Security admission' : /admission webhook/.test(msg) ? 'an admission webhook' : /exceeded quota/.test(msg) ? 'a ResourceQuota' : 'the API server'
    return new KdiscoError(`${why} rejected ${what} in namespace ${namespace}: ${msg}`, {hint: 'Choose another namespace with --probe-namespace, or inspect the manifest with --dry-run', exitCode: ExitCode.CLUSTER})
  }
  return error
}

export interface PodRun {
  pod: string
  namespace: string
  log: string
  kept: boolean
}

/**
 * Polls the pod until `container` is done — terminated, or, for a pod that stays up, its log holds the script's end
 * marker — and returns the container's log. A fatal state or the timeout is a KdiscoError with the real reason.
 */
export async function waitForLog(conn: Connection, namespace: string, pod: string, container: string, options: {timeoutMs: number; progress: Progress; label: string; ephemeral?: boolean; staysUp?: boolean}): Promise<string> {
  const path = podPath(namespace, pod)
  const deadline = Date.now() + options.timeoutMs
  for (let delay = 100; ; delay = Math.min(delay * 1.5, 1000)) {
    const current = await conn.client.get<{status?: PodStatus}>(path, undefined, {kind: 'Pod', namespace})
    const state = containerPhase(current.status ?? {}, container, options.ephemeral)
    if (state.fatal) throw new KdiscoError(`${options.label} ${namespace}/${pod} failed: ${state.fatal}`, {hint: state.phase.includes('Image') ? 'Check --image and that the nodes can pull it' : START_ERRORS.has(state.phase) ? 'The image must let a non-root user (65534) run sh and dig or nslookup: check --image' : 'Retry, or raise --probe-deadline', exitCode: ExitCode.CLUSTER})
    if (state.finished || (options.staysUp && state.phase === 'running lookups')) {
      const log = await conn.client.getText(`${path}/log`, {container})
      if (state.finished || log.includes(`${MARK} done`)) return log
    }
    options.progress.phase(`${options.label} ${pod}: ${state.phase}`)
    if (Date.now() + delay > deadline) throw new KdiscoError(`${options.label} ${namespace}/${pod} did not finish within ${Math.round(options.timeoutMs / 1000)}s (last state: ${state.phase})`, {hint: 'Raise --probe-deadline, or check the namespace events (kubectl get events)', exitCode: ExitCode.CLUSTER})
    await sleep(delay)
  }
}

/** A kept pod from an earlier --keep run, still running the same image in the namespace: reusable through exec. */
export async function findKeptPod(conn: Connection, namespace: string, image: string): Promise<string | undefined> {
  const pods = await conn.client.list<Pod>(podPath(namespace), {labelSelector: `${MANAGED_BY}=kdisco,${KEEP_LABEL}=true`}, {paged: false, expect: {kind: 'Pod', namespace}})
  const usable = pods.items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.spec?.containers?.[0]?.image === image)
  return usable.sort((a, b) => byCodeUnits(b.metadata.creationTimestamp ?? '', a.metadata.creationTimestamp ?? ''))[0]?.metadata.name
}

/** The command that removes one debug pod, exactly as the user can run it (context and kubeconfig included). */
export function cleanupCommand(conn: Connection, namespace: string, name: string): string {
  const q = (v: string) => (/^[A-Za-z0-9@%+=:,./_-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`)
  const context = conn.config.context && conn.config.context !== '(in-cluster)' ? ` --context ${q(conn.config.context)}` : ''
  const kubeconfig = conn.config.kubeconfigFlag ? ` --kubeconfig ${q(conn.config.kubeconfigFlag)}` : ''
  return `${commandName()} probe cleanup -n ${q(namespace)} ${q(name)}${context}${kubeconfig}`
}

/** The line said when a debug pod may still exist. */
export function leftoverLine(conn: Connection, namespace: string, name: string): string {
  return `debug pod ${namespace}/${name} may be left behind (its activeDeadlineSeconds stops it); delete it with: ${cleanupCommand(conn, namespace, name)}`
}

/** A finished debug pod is left alone this long past its deadline: its run may still be reading its log. */
const SWEEP_GRACE_MS = 10_000

/**
 * Removes finished kdisco pods older than their deadline in `namespace` (a kdisco killed with SIGKILL leaves them:
 * the deadline stops them, nothing deletes them). Ages are measured against the API server's clock (the Date of
 * its answer), so a skewed local clock cannot sweep a pod another run still reads. Best effort: without list or
 * delete rights on pods this does nothing.
 */
export async function sweepFinishedPods(conn: Connection, namespace: string): Promise<string[]> {
  let list
  try {
    list = await conn.client.list<Pod>(podPath(namespace), {labelSelector: `${MANAGED_BY}=kdisco`}, {expect: {kind: 'Pod', namespace}})
  } catch (error) {
    if (error instanceof ApiError) return []
    throw error
  }
  const now = list.date ?? Date.now()
  const swept: string[] = []
  for (const p of list.items) {
    const phase = p.status?.phase
    const created = Date.parse(p.metadata.creationTimestamp ?? '')
    const deadline = ((p.spec as {activeDeadlineSeconds?: number} | undefined)?.activeDeadlineSeconds ?? 120) * 1000
    if ((phase !== 'Succeeded' && phase !== 'Failed') || Number.isNaN(created) || now - created <= deadline + SWEEP_GRACE_MS || p.metadata.deletionTimestamp) continue
    if ((await deletePod(conn, namespace, p.metadata.name)) === 'deleted') swept.push(p.metadata.name)
  }
  return swept
}

export async function runDebugPod(conn: Connection, options: DebugPodOptions, progress: Progress): Promise<PodRun> {
  const manifest = debugPodManifest(options)
  const {name, namespace} = manifest.metadata as {name: string; namespace: string}
  // What is known of the pod: 'absent' (the API server refused the create), 'deleted', or else it may exist.
  let state: 'creating' | 'absent' | 'exists' | 'deleting' | 'deleted' | 'kept' = 'creating'
  let creating: Promise<unknown> | undefined
  let removing: Promise<void> | undefined
  const remove = () =>
    (removing ??= (async () => {
      if (!creating) return void (state = 'absent')
      // An interrupt can arrive while the create is in flight: let it land first, or the delete could miss the pod.
      // A create the server refused created nothing; one that failed otherwise (a timeout, a connection cut) may
      // still land: delete anyway, and if nothing was there yet, say so (it may appear later).
      const created = await creating.then(
        () => 'yes' as const,
        (error) => (error instanceof ApiError ? ('no' as const) : ('unknown' as const)),
      )
      if (created === 'no') return void (state = 'absent')
      state = 'deleting'
      const deleted = await deletePod(conn, namespace, name)
      state = deleted === 'deleted' || (deleted === 'gone' && created === 'yes') ? 'deleted' : 'exists'
    })())
  const leftover = () => (state === 'absent' || state === 'deleted' || state === 'kept' ? undefined : leftoverLine(conn, namespace, name))
  // Registered before the create, so an interrupt during the request still removes the pod (or names it).
  const unregister = onInterrupt({run: remove, leftover})
  let succeeded = false
  try {
    progress.phase(`removing finished kdisco pods in ${namespace}`)
    await sweepFinishedPods(conn, namespace)
    progress.phase(`creating debug pod ${name}`)
    creating = conn.client.create(podPath(namespace), manifest)
    await creating.catch((error: unknown) => {
      throw createError(error, 'the debug pod', namespace)
    })
    state = 'exists'
    // A pod that stays up (--keep, --wait) does not terminate: its lookups are done when its log says so.
    const log = await waitForLog(conn, namespace, name, 'lookup', {timeoutMs: options.deadlineSeconds * 1000 + 5000, progress, label: 'debug pod', staysUp: options.keep || options.stay})
    succeeded = true
    return {pod: name, namespace, log, kept: Boolean(options.keep)}
  } finally {
    progress.done()
    // A staying pod is handed to its session only when it worked; otherwise it goes now.
    if (options.keep || (options.stay && succeeded)) {
      if (state === 'exists') state = 'kept'
    } else if (creating) {
      await remove()
      const line = leftover()
      if (line) process.stderr.write(`kdisco: ${line}\n`)
    }
    unregister()
  }
}

/** Deletes a debug pod now (probe sessions, cleanup): 'deleted', 'gone' (there was none), or 'failed'. */
export async function deletePod(conn: Connection, namespace: string, name: string): Promise<'deleted' | 'gone' | 'failed'> {
  try {
    await conn.client.delete(podPath(namespace, name), {gracePeriodSeconds: 0})
    return 'deleted'
  } catch (error) {
    return error instanceof ApiError && error.status === 404 ? 'gone' : 'failed'
  }
}

/** `kdisco probe cleanup`: every pod kdisco left behind, by label (or the one named, if it is kdisco's). */
export async function cleanupPods(conn: Connection, namespace: string | undefined, only?: string): Promise<{namespace: string; name: string}[]> {
  let pods: Pod[]
  if (only !== undefined) {
    const ns = namespace ?? conn.namespace
    try {
      pods = [await conn.client.get<Pod>(podPath(ns, only), undefined, {kind: 'Pod', namespace: ns})]
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return []
      throw error
    }
    if (pods[0].metadata.labels?.[MANAGED_BY] !== 'kdisco')
      throw new KdiscoError(`Pod ${ns}/${only} was not created by kdisco (no label ${MANAGED_BY}=kdisco): not deleting it`, {hint: 'Name a pod kdisco created (kdisco-probe-…), or leave out the name to delete every kdisco pod', exitCode: ExitCode.USAGE})
  } else {
    const path = namespace ? podPath(namespace) : '/api/v1/pods'
    pods = (await conn.client.list<Pod>(path, {labelSelector: `${MANAGED_BY}=kdisco`}, {expect: {kind: 'Pod', namespace}})).items
  }
  const removed: {namespace: string; name: string}[] = []
  for (const p of pods) {
    const ns = p.metadata.namespace ?? namespace ?? 'default'
    try {
      await conn.client.delete(podPath(ns, p.metadata.name), {gracePeriodSeconds: 0})
      removed.push({namespace: ns, name: p.metadata.name})
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error
    }
  }
  return removed
}
