// Small workloads the live-command and probe tests run on the shared cluster: a Deployment behind a Service (pods
// ready or not), an app pod that can be exec'd into, and the debug pods kdisco left (by its label).
import type {ApiObject} from './api.js'
import type {RealCluster} from './cluster.js'
import {EXEC_LABEL, MANAGED_BY} from './pod-runner.js'
import {waitUntil} from './processes.js'
import {READY_ANNOTATION} from './states.js'

export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10'

interface PodLike {
  metadata: {name: string; namespace: string; deletionTimestamp?: string; labels?: Record<string, string>}
  status?: {phase?: string; podIP?: string}
}

/**
 * A Deployment of `replicas` pods behind a Service `name` (headless with `headless`), its pods running (not ready
 * with `ready: false`), its EndpointSlices written and every CoreDNS replica caught up.
 */
export async function deployService(c: RealCluster, namespace: string, name: string, options: {replicas?: number; ready?: boolean; headless?: boolean; port?: number; securityContext?: object} = {}): Promise<string[]> {
  const replicas = options.replicas ?? 2
  const labels = {app: name}
  const port = options.port ?? 8080
  const objects: ApiObject[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {name, namespace},
      spec: {
        replicas,
        selector: {matchLabels: labels},
        template: {
          metadata: {labels, annotations: options.ready === false ? {[READY_ANNOTATION]: 'false'} : {}},
          spec: {automountServiceAccountToken: false, terminationGracePeriodSeconds: 0, containers: [{name: 'app', image: PAUSE_IMAGE, ports: [{name: 'http', containerPort: port}], ...(options.securityContext ? {securityContext: options.securityContext} : {})}]},
        },
      },
    },
    {apiVersion: 'v1', kind: 'Service', metadata: {name, namespace}, spec: {...(options.headless ? {clusterIP: 'None'} : {}), selector: labels, ports: [{name: 'http', port: 80, targetPort: 'http'}]}},
  ]
  await c.applyAll(objects)
  const pods = await waitUntil(
    `${replicas} pods of ${namespace}/${name} running`,
    async () => {
      const list = (await c.api.list<PodLike>('Pod', namespace, `labelSelector=app%3D${name}`)).filter((p) => !p.metadata.deletionTimestamp)
      return list.length === replicas && list.every((p) => p.status?.phase === 'Running' && p.status.podIP) && list
    },
    {timeoutMs: 60000},
  )
  await waitUntil(
    `EndpointSlices of ${namespace}/${name} list its pods`,
    async () => {
      const slices = await c.api.list<{endpoints?: {addresses: string[]}[]}>('EndpointSlice', namespace, `labelSelector=kubernetes.io%2Fservice-name%3D${name}`)
      const addresses = new Set(slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses)))
      return pods.every((p) => addresses.has(p.status!.podIP!))
    },
    {timeoutMs: 30000},
  )
  await c.waitForDns()
  return pods.map((p) => p.metadata.name)
}

/** A running pod that `kubectl exec`, kdisco's exec probe and ephemeral containers can use (the pod runner's). */
export async function appPod(c: RealCluster, namespace: string, name: string, spec: object = {}): Promise<void> {
  await c.createPod({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name, namespace, labels: {app: name, [EXEC_LABEL]: 'true'}},
    spec: {automountServiceAccountToken: false, terminationGracePeriodSeconds: 0, containers: [{name: 'app', image: PAUSE_IMAGE}], ...spec},
  })
  await c.runner.execReady(namespace, name)
}

/** The debug pods kdisco created, as namespace/name (every namespace, or one). */
export async function kdiscoPods(c: RealCluster, namespace?: string): Promise<string[]> {
  const pods = await c.api.list<PodLike>('Pod', namespace, `labelSelector=${encodeURIComponent(`${MANAGED_BY}=kdisco`)}`)
  return pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort()
}
