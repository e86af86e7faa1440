// A seeded, varied cluster state for tests that check commands against each other: every Service kind (ClusterIP,
// NodePort, headless, ExternalName in and out of the cluster domain, selector-less with v1 Endpoints), pods ready,
// not ready, terminating, pending, with and without hostname/subdomain and the named port, EndpointSlices present for
// some Services and left for kdisco to derive for others, and StatefulSets with and without their Service.
import {deriveSlicesFromPods} from '../../src/cluster/derive.js'
import {rng} from '../../bench/generate.js'
import {DERIVED_ANNOTATION, type KubeObject, type Pod, type Service} from '../../src/cluster/types.js'
import {clusterIpService, headless, namespace, pod, service, statefulSet} from './objects.js'

/** Every kind of Service the generator makes: `services` cycles through them, so 8 give one of each. */
const KINDS = ['clusterip', 'headless', 'external', 'manual', 'nodeport', 'headless', 'external-in-zone', 'clusterip'] as const

export function randomCluster(seed: number, size = {namespaces: 2, services: 8}): KubeObject[] {
  const rand = rng(seed)
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]
  const objects: KubeObject[] = []
  const namespaces = Array.from({length: size.namespaces}, (_, i) => `gen-${i}`)
  for (const ns of namespaces) objects.push(namespace(ns))
  let ip = 0
  const nextIp = () => `10.200.${(ip >> 8) & 255}.${ip++ & 255}`
  for (let s = 0; s < size.services; s++) {
    const ns = pick(namespaces)
    const name = `svc-${s}`
    const kind = KINDS[s % KINDS.length]
    const named = rand() < 0.4
    const ports = [{name: 'http', port: 80, targetPort: named ? ('http' as const) : 8080, protocol: 'TCP'}, ...(rand() < 0.3 ? [{name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP'}] : [])]
    if (kind === 'external') {
      objects.push(service(name, {namespace: ns, type: 'ExternalName', externalName: `${name}.example.com`}))
      continue
    }
    if (kind === 'external-in-zone') {
      // Half of them point at a Service that exists, half at one that does not.
      const target = rand() < 0.5 ? `svc-${Math.floor(rand() * size.services)}.${pick(namespaces)}` : `missing-${s}.${ns}`
      objects.push(service(name, {namespace: ns, type: 'ExternalName', externalName: `${target}.svc.cluster.local`}))
      continue
    }
    if (kind === 'manual') {
      objects.push(service(name, {namespace: ns, clusterIP: `10.96.50.${s + 1}`, clusterIPs: [`10.96.50.${s + 1}`], ports: [{name: 'db', port: 5432}]}))
      objects.push({apiVersion: 'v1', kind: 'Endpoints', metadata: {name, namespace: ns}, subsets: [{addresses: [{ip: nextIp()}, {ip: nextIp()}], notReadyAddresses: rand() < 0.5 ? [{ip: nextIp()}] : [], ports: [{name: 'db', port: 5432}]}]} as KubeObject)
      continue
    }
    const svc: Service =
      kind === 'headless'
        ? headless(name, ports, {namespace: ns, publishNotReadyAddresses: rand() < 0.2})
        : clusterIpService(name, `10.96.40.${s + 1}`, ports, {namespace: ns, ...(kind === 'nodeport' ? {type: 'NodePort'} : {})})
    objects.push(svc)
    const pods: Pod[] = []
    const count = Math.floor(rand() * 4)
    for (let i = 0; i < count; i++) {
      const state = pick(['ready', 'ready', 'ready', 'unready', 'terminating', 'pending'])
      const hostnamed = kind === 'headless' && rand() < 0.5
      const p = pod(`${name}-${i}`, {
        namespace: ns,
        labels: {app: name},
        ...(state === 'pending' ? {} : {ip: nextIp()}),
        ready: state !== 'unready',
        terminating: state === 'terminating',
        ports: [{name: 'http', containerPort: 8080}, ...(rand() < 0.5 ? [{name: 'metrics', containerPort: 9090}] : [])],
        node: `node-${i % 3}`,
        ...(hostnamed ? {hostname: `${name}-h${i}`, subdomain: name} : {}),
      })
      pods.push(p)
    }
    objects.push(...pods)
    // Some Services come with the EndpointSlices a cluster holds (an export); the others' kdisco derives.
    if (rand() < 0.5) {
      for (const slice of deriveSlicesFromPods(svc, pods)) {
        delete slice.metadata.annotations?.[DERIVED_ANNOTATION]
        slice.metadata.name = slice.metadata.name.replace('-kdisco-', '-gen')
        objects.push(slice)
      }
    }
    if (kind === 'headless' && rand() < 0.5) {
      const sts = statefulSet(`${name}-db`, rand() < 0.5 ? name : `${name}-gone`, 2, ns)
      sts.spec.template = {metadata: {labels: {app: name}}, spec: {containers: [{name: 'db'}]}}
      objects.push(sts)
    }
  }
  return objects
}
