// One real control plane for the whole test run (starting one takes ~20 s), and the generated cluster states
// applied to it once; suites that need them share both. Loaded by mocha as a root-hook plugin (.mocharc): the
// cluster is stopped after the last test, its logs kept (and their folder printed) when a test failed.
import {setTimeout as sleep} from 'node:timers/promises'
import type {ApiObject} from './api.js'
import {RealCluster} from './cluster.js'
import {
  AKS_COREFILE,
  AKS_CUSTOM,
  AUTOPATH_COREFILE,
  CUSTOM_DOMAIN_COREFILE,
  EKS_COREFILE,
  K3S_COREFILE,
  K3S_NODE_HOSTS,
  KUBEADM_COREFILE,
  POD_HOSTS_FILE,
  REWRITE_COREFILE,
  STUB_DOMAIN_COREFILE,
  TEMPLATE_HOSTS_COREFILE,
  VERIFIED_COREFILE,
} from './corefiles.js'
import {AS_ROOT} from '../support/privilege.js'
import {waitUntil} from './processes.js'
import {type ClusterState, generateState} from './states.js'

let cluster: Promise<RealCluster> | undefined
let failed = false

/**
 * Where the autopath CoreDNS listens: port 53 (a pod's resolv.conf cannot name a port) on an address of its own, one
 * per test run, so runs in other worktrees at the same time do not meet. Needs root; undefined without.
 */
export const AUTOPATH_ADDRESS = AS_ROOT === undefined ? undefined : `10.253.${(process.pid >> 8) & 255}.${process.pid & 255 || 1}`

/** The shared cluster: kubeadm's CoreDNS (two replicas behind kube-dns) plus one CoreDNS per test Corefile. */
export function sharedCluster(): Promise<RealCluster> {
  cluster ??= RealCluster.start({
    nodes: 2,
    coreDns: [
      {name: 'kubeadm', corefile: KUBEADM_COREFILE, replicas: 2, clusterDns: true},
      {name: 'verified', corefile: VERIFIED_COREFILE, verifiedPods: true},
      {name: 'custom-domain', corefile: CUSTOM_DOMAIN_COREFILE, zone: 'kdisco.test'},
      {name: 'eks', corefile: EKS_COREFILE},
      {name: 'aks', corefile: AKS_COREFILE, files: Object.fromEntries(Object.entries(AKS_CUSTOM).map(([k, v]) => [`custom/${k}`, v]))},
      {name: 'k3s', corefile: K3S_COREFILE, files: {'/etc/coredns/NodeHosts': K3S_NODE_HOSTS}},
      {name: 'rewrite', corefile: REWRITE_COREFILE},
      {name: 'template-hosts', corefile: TEMPLATE_HOSTS_COREFILE, files: {'/etc/hosts': POD_HOSTS_FILE}},
      {name: 'stub-domain', corefile: STUB_DOMAIN_COREFILE},
      ...(AUTOPATH_ADDRESS ? [{name: 'autopath', corefile: AUTOPATH_COREFILE, verifiedPods: true, listen: {address: AUTOPATH_ADDRESS, port: 53}}] : []),
    ],
    log: process.env.KDISCO_HARNESS_QUIET ? undefined : (line) => process.stderr.write(`      [real cluster] ${line}\n`),
  })
  return cluster
}

/**
 * Call in a `before` hook of a suite whose pods must really run (kdisco's probes): skips loudly on a machine without
 * a pod network (nftables, util-linux, root), and fails under CI=true.
 */
export function requirePodRunner(ctx: Mocha.Context, c: RealCluster): void {
  if (!c.podRunnerUnavailable) return
  const msg = `the real cluster has no pod runner: ${c.podRunnerUnavailable}`
  if (process.env.CI === 'true') throw new Error(`${msg} (CI must have it)`)
  process.stderr.write(`\n  !!! SKIPPING "${ctx.test?.parent?.title}": ${msg}\n\n`)
  ctx.skip()
}

/** How many generated states the differential suites apply (KDISCO_DIFF_STATES to change), and their seed. */
export const STATE_COUNT = Number(process.env.KDISCO_DIFF_STATES ?? 4)
export const STATE_SEED = Number(process.env.KDISCO_DIFF_SEED ?? 20261201)

let states: Promise<ClusterState[]> | undefined

/** The generated states, applied once, each settled (controllers done, every CoreDNS caught up). */
export function appliedStates(): Promise<ClusterState[]> {
  states ??= (async () => {
    const c = await sharedCluster()
    const out: ClusterState[] = []
    for (let i = 0; i < STATE_COUNT; i++) {
      const state = generateState(STATE_SEED + i, i, c.nodes)
      await applyState(c, state)
      out.push(state)
    }
    return out
  })()
  return states
}

/** Applies a state and waits until the controllers have written its slices and CoreDNS has seen all of it. */
export async function applyState(c: RealCluster, state: ClusterState): Promise<void> {
  for (const ns of state.namespaces) await c.createNamespace(ns)
  await c.applyAll(state.objects)
  const pods = state.objects.filter((o) => o.kind === 'Pod')
  await waitUntil(
    'every pod of the state running with an IP',
    async () => {
      for (const ns of state.namespaces) {
        const listed = await c.api.list<{metadata: {name: string}; status?: {phase?: string; podIP?: string}}>('Pod', ns)
        const want = pods.filter((p) => p.metadata.namespace === ns).length
        if (listed.length !== want || listed.some((p) => p.status?.phase !== 'Running' || !p.status.podIP)) return false
      }
      return true
    },
    {timeoutMs: 60000},
  )
  for (const t of state.terminating) await c.api.delete('Pod', t.namespace, t.name)
  await controllersSettled(c, state.namespaces, state.objects)
  await c.waitForDns()
}

/**
 * The controllers are done when every Service of the namespaces has its slices (selector Services from the
 * EndpointSlice controller, selector-less ones with v1 Endpoints from the mirroring controller) and no slice has
 * changed for two seconds.
 */
async function controllersSettled(c: RealCluster, namespaces: string[], objects: ApiObject[]): Promise<void> {
  const services = objects.filter((o) => o.kind === 'Service' && (o as {spec?: {type?: string}}).spec?.type !== 'ExternalName')
  const mirrored = new Set(objects.filter((o) => o.kind === 'Endpoints').map((o) => `${o.metadata.namespace}/${o.metadata.name}`))
  let last = ''
  let quietSince = Date.now()
  await waitUntil(
    'EndpointSlices written and quiet for 2 s',
    async () => {
      const slices = (await Promise.all(namespaces.map((ns) => c.api.list<{metadata: {name: string; namespace: string; resourceVersion: string; labels?: Record<string, string>}}>('EndpointSlice', ns)))).flat()
      const managed = new Set(slices.filter((s) => s.metadata.labels?.['endpointslice.kubernetes.io/managed-by']).map((s) => `${s.metadata.namespace}/${s.metadata.labels!['kubernetes.io/service-name']}`))
      const complete = services.every((s) => {
        const key = `${s.metadata.namespace}/${s.metadata.name}`
        const hasSelector = Boolean((s as {spec?: {selector?: object}}).spec?.selector)
        return !(hasSelector || mirrored.has(key)) || managed.has(key)
      })
      const now = slices.map((s) => `${s.metadata.namespace}/${s.metadata.name}@${s.metadata.resourceVersion}`).sort().join(',')
      if (now !== last || !complete) {
        last = now
        quietSince = Date.now()
        return false
      }
      return Date.now() - quietSince >= 2000
    },
    {timeoutMs: 60000, intervalMs: 250},
  )
}

export const mochaHooks = {
  afterEach(this: Mocha.Context) {
    if (this.currentTest?.state === 'failed') failed = true
  },
  async afterAll(this: Mocha.Context) {
    // A dozen CoreDNS processes and the control plane take a while to stop on a loaded machine.
    this.timeout(120000)
    if (!cluster) return
    const c = await cluster.catch(() => undefined)
    const kept = await c?.stop({keepLogs: failed})
    if (kept) process.stderr.write(`\n  real cluster logs kept in ${kept}\n`)
    await sleep(0)
  },
}
