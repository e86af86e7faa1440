// Deterministic (seeded) generator of a large cluster snapshot as one kubectl-style List: N namespaces,
// S Services (a quarter headless), P Pods with EndpointSlices. Used by `npm run bench`.
import {writeFileSync} from 'node:fs'

/** mulberry32: small, fast, and the same sequence on every machine for a seed (benches and tests share it). */
export function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface ScaleSpec {
  namespaces: number
  services: number
  pods: number
  seed?: number
}

export function generateCluster(spec: ScaleSpec): unknown {
  const rand = rng(spec.seed ?? 42)
  const items: unknown[] = []
  for (let n = 0; n < spec.namespaces; n++) items.push({apiVersion: 'v1', kind: 'Namespace', metadata: {name: `ns-${n}`}})
  const podsPerService = Math.max(1, Math.floor(spec.pods / spec.services))
  let podIndex = 0
  for (let s = 0; s < spec.services; s++) {
    const ns = `ns-${s % spec.namespaces}`
    const name = `svc-${s}`
    const headless = s % 4 === 0
    const ports = [{name: 'http', port: 80, targetPort: 8080, protocol: 'TCP'}, ...(rand() < 0.3 ? [{name: 'grpc', port: 9090, protocol: 'TCP'}] : [])]
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {name, namespace: ns},
      spec: {clusterIP: headless ? 'None' : `10.${96 + (s >> 16)}.${(s >> 8) & 255}.${s & 255}`, selector: {app: name}, ports},
    })
    const endpoints: unknown[] = []
    for (let i = 0; i < podsPerService; i++, podIndex++) {
      const ip = `10.${128 + (podIndex >> 16)}.${(podIndex >> 8) & 255}.${podIndex & 255}`
      const ready = rand() > 0.05
      const podName = `${name}-${i}`
      items.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {name: podName, namespace: ns, labels: {app: name}},
        spec: {containers: [{name: 'app', ports: [{name: 'http', containerPort: 8080}]}], ...(headless ? {hostname: podName, subdomain: name} : {})},
        status: {phase: 'Running', podIP: ip, podIPs: [{ip}], conditions: [{type: 'Ready', status: ready ? 'True' : 'False'}]},
      })
      endpoints.push({addresses: [ip], conditions: {ready, serving: ready, terminating: false}, ...(headless ? {hostname: podName} : {}), targetRef: {kind: 'Pod', namespace: ns, name: podName}})
    }
    items.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {name: `${name}-abcde`, namespace: ns, labels: {'kubernetes.io/service-name': name}},
      addressType: 'IPv4',
      endpoints,
      ports: ports.map((p) => ({name: p.name, port: p.targetPort ?? p.port, protocol: 'TCP'})),
    })
  }
  return {apiVersion: 'v1', kind: 'List', items}
}

export function writeCluster(path: string, spec: ScaleSpec): void {
  writeFileSync(path, JSON.stringify(generateCluster(spec)))
}
