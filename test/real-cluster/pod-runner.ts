// The container runtime KWOK lacks, for the pods whose containers matter to kdisco's tests. KWOK plays kubelet for
// every pod (node, IP, conditions, deletion) but runs nothing; this runner is the rest of the kubelet for:
// - kdisco's debug pods (label app.kubernetes.io/managed-by=kdisco): KWOK's harness stage admits them (IP, startTime,
//   container ContainerCreating); the runner then starts the container's argv on this machine with the real
//   dig/getent (container.sh: the pod network, the pod's resolv.conf, the container's user), serves its output as the
//   container's log through KWOK's logs mapping (CRI log lines), marks it running, then terminated with its exit
//   code, and ends it at activeDeadlineSeconds as kubelet does (KWOK does not);
// - test pods labelled kdisco.test/exec=true: `kubectl exec` and kdisco's exec probe reach them through KWOK's exec
//   mapping (kubelet-exec.sh), and their ephemeral containers run like debug pod containers.
// It also keeps the pod network's kube-dns ClusterIP pointing at the ready endpoints of kube-dns (kube-proxy).
import {type ChildProcess, spawn} from 'node:child_process'
import {appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {asRoot} from '../support/privilege.js'
import {ApiError, type KubeApi} from './api.js'
import {HARNESS_DIR} from './components.js'
import type {PodNetwork, ServiceEndpoint} from './pod-network.js'
import {withParentDeath} from './processes.js'

export const MANAGED_BY = 'app.kubernetes.io/managed-by'
/** Test pods whose containers can be exec'd into and given ephemeral containers. */
export const EXEC_LABEL = 'kdisco.test/exec'
export const CONTAINER_SH = join(HARNESS_DIR, 'container.sh')
export const KUBELET_EXEC_SH = join(HARNESS_DIR, 'kubelet-exec.sh')
/** Commands a pod may be asked to exec (links to kubelet-exec.sh on KWOK's PATH). */
export const EXEC_COMMANDS = ['sh', 'dig', 'getent', 'nslookup', 'busybox', 'cat', 'true']
/**
 * Images are this machine's programs (a container's PATH), except this one: its programs are executable by root
 * only, like an image built to run as root. A container running as any other user cannot start its command.
 */
export const ROOT_ONLY_IMAGE = 'kdisco.test/root-only-dnsutils:1'
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

interface Container {
  name: string
  image?: string
  command?: string[]
  args?: string[]
  securityContext?: {runAsUser?: number; runAsGroup?: number}
}

interface ContainerStatus {
  name: string
  state?: {waiting?: {reason?: string}; running?: {startedAt?: string}; terminated?: {exitCode: number}}
}

export interface RunnerPod {
  metadata: {name: string; namespace: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string}
  spec: {
    containers: Container[]
    ephemeralContainers?: Container[]
    activeDeadlineSeconds?: number
    dnsPolicy?: string
    hostNetwork?: boolean
    hostname?: string
    subdomain?: string
    dnsConfig?: {nameservers?: string[]; searches?: string[]; options?: {name: string; value?: string}[]}
    securityContext?: {runAsUser?: number; runAsGroup?: number}
  }
  status?: {phase?: string; podIP?: string; startTime?: string; conditions?: {type: string; status: string}[]; containerStatuses?: ContainerStatus[]; ephemeralContainerStatuses?: ContainerStatus[]}
}

export interface PodRunnerOptions {
  clusterDomain: string
  dnsServiceIp: string
  /** Where each CoreDNS pod's port 53 really is (they share this machine): pod IP → port. */
  dnsPorts: () => Map<string, number>
  /** Every pod can be exec'd into (npm run cluster), not only those labelled EXEC_LABEL=true (the tests'). */
  execAllPods?: boolean
}

/** What the runner tracks per pod (by uid). */
interface Tracked {
  pod: RunnerPod
  dir: string
  busy?: Promise<void>
  /** Containers started (or being started), by name, with their process once running. */
  started: Map<string, ChildProcess | undefined>
  logs: Set<string>
  execMapped: boolean
  ended: boolean
}

const NOW = () => new Date().toISOString()

export class PodRunner {
  /** Tests can stop new debug pods before their container starts ('pending', ContainerCreating) or before their command runs ('running'). */
  hold: 'pending' | 'running' | undefined
  private readonly tracked = new Map<string, Tracked>()
  /** image → the container's PATH, for images that are not this machine's programs. */
  private readonly images: Record<string, string>
  private stopped = false
  private loop?: Promise<void>

  constructor(
    private readonly api: KubeApi,
    private readonly dir: string,
    private readonly network: PodNetwork,
    private readonly options: PodRunnerOptions,
  ) {
    mkdirSync(join(dir, 'pods'), {recursive: true})
    const rootOnly = join(dir, 'images', 'root-only', 'bin')
    mkdirSync(rootOnly, {recursive: true})
    for (const program of ['sh', 'dig', 'getent', 'cat', 'sleep']) {
      const from = SYSTEM_PATH.split(':').map((d) => join(d, program)).find((p) => existsSync(p))
      if (from) (copyFileSync(from, join(rootOnly, program)), chmodSync(join(rootOnly, program), 0o700))
    }
    this.images = {[ROOT_ONLY_IMAGE]: rootOnly}
  }

  start(): this {
    this.loop = (async () => {
      let lastError = ''
      while (!this.stopped) {
        await this.tick().then(
          () => (lastError = ''),
          (e) => {
            // Said once, not every 200 ms: the API server restarting or a test breaking kube-dns on purpose.
            if ((e as Error).message !== lastError) process.stderr.write(`      [pod runner] ${(lastError = (e as Error).message)}\n`)
          },
        )
        await sleep(200)
      }
    })()
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.loop
    for (const t of this.tracked.values()) for (const child of t.started.values()) child?.kill('SIGKILL')
    await Promise.allSettled([...this.tracked.values()].map((t) => t.busy))
  }

  /** Resolves once `kubectl exec` into the pod reaches its container (its exec mapping is live). */
  async execReady(namespace: string, name: string, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const t = [...this.tracked.values()].find((x) => x.pod.metadata.namespace === namespace && x.pod.metadata.name === name)
      if (t?.execMapped) return
      if (Date.now() > deadline) throw new Error(`pod ${namespace}/${name}: no exec mapping after ${timeoutMs} ms (is it labelled ${EXEC_LABEL}=true and running?)`)
      await sleep(100)
    }
  }

  private async tick(): Promise<void> {
    const [debug, exec, slices] = await Promise.all([
      this.api.list<RunnerPod>('Pod', undefined, `labelSelector=${encodeURIComponent(`${MANAGED_BY}=kdisco`)}`),
      this.api.list<RunnerPod>('Pod', undefined, this.options.execAllPods ? '' : `labelSelector=${encodeURIComponent(`${EXEC_LABEL}=true`)}`),
      this.api.list<{endpoints?: {addresses: string[]; conditions?: {ready?: boolean}}[]}>('EndpointSlice', 'kube-system', `labelSelector=${encodeURIComponent('kubernetes.io/service-name=kube-dns')}`),
    ])
    this.syncDnsEndpoints(slices)
    const seen = new Set<string>()
    for (const pod of [...debug, ...exec]) {
      if (seen.has(pod.metadata.uid)) continue
      seen.add(pod.metadata.uid)
      let t = this.tracked.get(pod.metadata.uid)
      if (!t) {
        t = {pod, dir: join(this.dir, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid.slice(0, 8)}`), started: new Map(), logs: new Set(), execMapped: false, ended: false}
        this.tracked.set(pod.metadata.uid, t)
      }
      t.pod = pod
      if (t.busy) continue
      const tracked = t
      t.busy = this.step(tracked)
        .catch((e) => {
          // A pod deleted under our feet is fine; anything else shows in the test's failure through the pod's state.
          if (!(e instanceof ApiError && e.status === 404)) process.stderr.write(`      [pod runner] ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}\n`)
        })
        .finally(() => (tracked.busy = undefined))
    }
    for (const [uid, t] of this.tracked) {
      if (seen.has(uid) || t.busy) continue
      for (const child of t.started.values()) child?.kill('SIGKILL')
      rmSync(t.dir, {recursive: true, force: true})
      this.tracked.delete(uid)
    }
  }

  /**
   * kube-proxy for kube-dns: its ready endpoints, each at the port its CoreDNS process really listens on, reached at
   * this machine's side of the pod network (CoreDNS listens on every address; the pod IPs on the loopback interface
   * are shared by every cluster on the machine, and one that stops removes them).
   */
  private syncDnsEndpoints(slices: {endpoints?: {addresses: string[]; conditions?: {ready?: boolean}}[]}[]): void {
    const ports = this.options.dnsPorts()
    const endpoints: ServiceEndpoint[] = []
    for (const s of slices) for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) for (const a of e.addresses) if (ports.has(a)) endpoints.push({address: this.network.hostAddress, port: ports.get(a)!})
    this.network.setServiceEndpoints(endpoints)
  }

  private async step(t: Tracked): Promise<void> {
    const pod = t.pod
    if (pod.metadata.deletionTimestamp || t.ended) {
      for (const child of t.started.values()) child?.kill('SIGKILL')
      return
    }
    if (pod.metadata.labels?.[MANAGED_BY] === 'kdisco') await this.stepDebugPod(t)
    else await this.stepExecPod(t)
  }

  /** A debug pod, as kubelet: ContainerCreating → running (log served) → terminated; ended at its deadline. */
  private async stepDebugPod(t: Tracked): Promise<void> {
    const pod = t.pod
    const status = pod.status ?? {}
    if (!status.podIP) return // not admitted by KWOK's stage yet
    if (status.phase === 'Succeeded' || status.phase === 'Failed') return
    if (this.deadlineExceeded(pod)) return this.endAtDeadline(t)
    const container = pod.spec.containers[0]
    const state = status.containerStatuses?.find((c) => c.name === container.name)?.state
    if (state?.waiting) {
      if (this.hold === 'pending') return
      await this.prepare(t, [container])
      await this.patchStatus(pod, {phase: 'Running', conditions: podConditions(true), containerStatuses: [containerStatus(container, {running: {startedAt: NOW()}}, true)]})
    } else if (!state?.running) return
    if (!t.started.has(container.name) && this.hold !== 'running') {
      this.run(t, container, (exit) =>
        this.patchStatus(t.pod, {
          phase: exit.exitCode === 0 ? 'Succeeded' : 'Failed',
          conditions: podConditions(false, 'PodCompleted'),
          containerStatuses: [containerStatus(container, {terminated: exit}, false)],
        }),
      )
    }
  }

  /** A test pod: an exec mapping for its containers, and its ephemeral containers run. */
  private async stepExecPod(t: Tracked): Promise<void> {
    const pod = t.pod
    if (pod.status?.phase !== 'Running') return
    if (!t.execMapped) {
      await this.prepare(t, pod.spec.containers)
      t.execMapped = true
    }
    const statuses = pod.status.ephemeralContainerStatuses ?? []
    for (const ec of pod.spec.ephemeralContainers ?? []) {
      if (t.started.has(ec.name) || statuses.some((s) => s.name === ec.name && s.state?.terminated)) continue
      t.started.set(ec.name, undefined)
      await this.prepare(t, [ec])
      const running = containerStatus(ec, {running: {startedAt: NOW()}}, false)
      await this.patchStatus(pod, {ephemeralContainerStatuses: [...statuses.filter((s) => s.name !== ec.name), running]})
      this.run(t, ec, async (exit) => {
        const current = ((await this.api.get<RunnerPod>('Pod', pod.metadata.namespace, pod.metadata.name)).status?.ephemeralContainerStatuses ?? []).filter((s) => s.name !== ec.name)
        await this.patchStatus(pod, {ephemeralContainerStatuses: [...current, containerStatus(ec, {terminated: exit}, false)]})
      })
    }
  }

  /**
   * Everything a container needs before it is reported running: its files (resolv.conf, hosts, user, network), an
   * empty log that KWOK serves (checked through the API server), and the exec mapping.
   */
  private async prepare(t: Tracked, containers: Container[]): Promise<void> {
    const pod = t.pod
    for (const c of containers) {
      const dir = join(t.dir, c.name)
      mkdirSync(dir, {recursive: true})
      writeFileSync(join(dir, 'resolv.conf'), kubeletResolvConf(pod, this.options.clusterDomain, this.options.dnsServiceIp))
      writeFileSync(join(dir, 'hosts'), kubeletHosts(pod, this.options.clusterDomain))
      writeFileSync(join(dir, 'netns'), this.network.netns)
      writeFileSync(join(dir, 'path'), this.images[c.image ?? ''] ?? SYSTEM_PATH)
      const user = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser ?? 0
      const group = c.securityContext?.runAsGroup ?? pod.spec.securityContext?.runAsGroup ?? user
      writeFileSync(join(dir, 'user'), `${user}:${group}`)
      writeFileSync(join(dir, 'log'), '', {flag: 'a'})
      t.logs.add(c.name)
    }
    const {namespace, name} = pod.metadata
    const all = [...t.logs]
    await this.api.apply({apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: {name, namespace}, spec: {logs: all.map((c) => ({containers: [c], logsFile: join(t.dir, c, 'log')}))}})
    await this.api.apply({apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Exec', metadata: {name, namespace}, spec: {execs: all.map((c) => ({containers: [c], local: {envs: [{name: 'KDISCO_POD_DIR', value: join(t.dir, c)}]}}))}})
    // KWOK picks mappings up from its watch: the container is not reported running before its log can be read.
    for (const c of containers) {
      const deadline = Date.now() + 30000
      for (;;) {
        const ok = await this.api.request('GET', `/api/v1/namespaces/${namespace}/pods/${name}/log?container=${c.name}`).then(
          () => true,
          (e) => {
            if (e instanceof ApiError && e.status === 404) throw e
            return false
          },
        )
        if (ok) break
        if (Date.now() > deadline) throw new Error(`KWOK never served the log of ${namespace}/${name}[${c.name}]`)
        await sleep(50)
      }
    }
  }

  /**
   * Starts a container's command; its output becomes CRI log lines; `onExit` gets the terminated state. A command
   * that cannot be executed (not found in the image, not executable by the container's user) is a StartError with
   * the runtime's message, as containerd reports it, and no log.
   */
  private run(t: Tracked, c: Container, onExit: (terminated: {exitCode: number; reason: string; message?: string; startedAt: string; finishedAt: string}) => Promise<unknown>): void {
    const argv = [...(c.command ?? []), ...(c.args ?? [])]
    const dir = join(t.dir, c.name)
    const startedAt = NOW()
    const [cmd, args] = asRoot(withParentDeath(['/bin/sh', CONTAINER_SH, dir, ...argv]))!
    const child = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {PATH: SYSTEM_PATH, HOME: '/'}})
    t.started.set(c.name, child)
    const log = join(dir, 'log')
    const partial = {stdout: '', stderr: ''}
    let startError: string | undefined
    let wrote = false
    const write = (stream: 'stdout' | 'stderr', text: string, final = false) => {
      const lines = (partial[stream] + text).split('\n')
      partial[stream] = final ? '' : lines.pop()!
      let complete = final ? lines.filter((l, i) => i < lines.length - 1 || l !== '') : lines
      // container.sh's last step executes the command ("container: 1: exec: …" when it cannot): the runtime's failure.
      const failed = !wrote && stream === 'stderr' && /^container: \d+: exec: (\S+): (.*)$/.exec(complete[0] ?? '')
      if (failed) {
        startError = `unable to start container process: exec: "${failed[1]}": ${failed[2].toLowerCase()}`
        complete = complete.slice(1)
      }
      if (complete.length) appendFileSync(log, complete.map((l) => `${NOW()} ${stream} F ${l}\n`).join(''))
      wrote ||= complete.length > 0
    }
    child.stdout!.on('data', (d: Buffer) => write('stdout', d.toString('utf8')))
    child.stderr!.on('data', (d: Buffer) => write('stderr', d.toString('utf8')))
    child.on('error', (e) => write('stderr', `${e.message}\n`))
    child.on('close', (code, signal) => {
      write('stdout', '', true)
      write('stderr', '', true)
      if (t.ended || t.pod.metadata.deletionTimestamp) return
      const exitCode = startError ? 128 : (code ?? (signal ? 137 : 1))
      const reason = startError ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error'
      onExit({exitCode, reason, ...(startError ? {message: startError} : {}), startedAt, finishedAt: NOW()}).catch(() => undefined)
    })
  }

  private deadlineExceeded(pod: RunnerPod): boolean {
    const ads = pod.spec.activeDeadlineSeconds
    return ads !== undefined && pod.status?.startTime !== undefined && Date.now() >= Date.parse(pod.status.startTime) + ads * 1000
  }

  /** kubelet's activeDeadlineSeconds: the containers are killed and the pod fails with DeadlineExceeded. */
  private async endAtDeadline(t: Tracked): Promise<void> {
    t.ended = true
    for (const child of t.started.values()) child?.kill('SIGKILL')
    const c = t.pod.spec.containers[0]
    await this.patchStatus(t.pod, {
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
      conditions: podConditions(false, 'PodFailed'),
      containerStatuses: [containerStatus(c, {terminated: {exitCode: 137, reason: 'Error', finishedAt: NOW()}}, false)],
    })
  }

  private async patchStatus(pod: RunnerPod, status: object): Promise<void> {
    await this.api.mergePatch('Pod', pod.metadata.namespace, pod.metadata.name, {status}, 'status')
  }
}

function podConditions(ready: boolean, reason?: string) {
  const now = NOW()
  const value = ready ? 'True' : 'False'
  return [
    {type: 'PodScheduled', status: 'True', lastTransitionTime: now},
    {type: 'Initialized', status: 'True', lastTransitionTime: now},
    {type: 'ContainersReady', status: value, lastTransitionTime: now, ...(reason ? {reason} : {})},
    {type: 'Ready', status: value, lastTransitionTime: now, ...(reason ? {reason} : {})},
  ]
}

function containerStatus(c: Container, state: object, ready: boolean) {
  return {name: c.name, image: c.image ?? '', imageID: '', ready, started: 'running' in state, restartCount: 0, state}
}

/**
 * The /etc/resolv.conf kubelet writes (pkg/kubelet/network/dns): ClusterFirst, None, or the node's own (Default,
 * and ClusterFirst with hostNetwork; the nodes are this machine), plus dnsConfig.
 */
export function kubeletResolvConf(pod: RunnerPod, domain: string, dnsIp: string): string {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst'
  const clusterFirst = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec.hostNetwork)
  if (!clusterFirst && policy !== 'None') return readFileSync('/etc/resolv.conf', 'utf8')
  let nameservers = clusterFirst ? [dnsIp] : []
  let searches = clusterFirst ? [`${pod.metadata.namespace}.svc.${domain}`, `svc.${domain}`, domain] : []
  const options = new Map<string, string>(clusterFirst ? [['ndots', '5']] : [])
  const config = pod.spec.dnsConfig
  if (config) {
    nameservers = [...new Set([...nameservers, ...(config.nameservers ?? [])])]
    searches = [...new Set([...searches, ...(config.searches ?? [])])]
    for (const o of config.options ?? []) options.set(o.name, o.value ?? '')
  }
  const lines = []
  if (searches.length) lines.push(`search ${searches.join(' ')}`)
  for (const ns of nameservers) lines.push(`nameserver ${ns}`)
  if (options.size) lines.push(`options ${[...options].map(([k, v]) => (v ? `${k}:${v}` : k)).join(' ')}`)
  return lines.join('\n') + '\n'
}

/** The /etc/hosts kubelet writes (managedHostsFileContent). */
export function kubeletHosts(pod: RunnerPod, domain: string): string {
  const hostname = pod.spec.hostname ?? pod.metadata.name.slice(0, 63)
  const fqdn = pod.spec.subdomain ? `${hostname}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.${domain}\t` : ''
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    ...(pod.status?.podIP ? [`${pod.status.podIP}\t${fqdn}${hostname}`] : []),
    '',
  ].join('\n')
}
