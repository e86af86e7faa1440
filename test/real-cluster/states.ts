// A seeded generator of cluster states for the differential tests: every Service and pod shape kdisco's model
// handles, written as the objects a user would apply to a real API server (the controllers and KWOK do the rest).
import type {ApiObject} from './api.js'
import {rng} from '../../bench/generate.js'

/** The annotation the harness's KWOK stages read: "false" keeps a pod Running but not Ready. */
export const READY_ANNOTATION = 'kdisco.test/ready'
/** Pods with this annotation are not finished off by KWOK when deleted: they stay Terminating. */
export const HOLD_ANNOTATION = 'kdisco.test/hold-termination'

export interface ClusterState {
  seed: number
  /** Namespaces this state owns (created first, in this order). */
  namespaces: string[]
  /** Every object to apply, in order. */
  objects: ApiObject[]
  /** Pods to delete once running (they stay Terminating: HOLD_ANNOTATION). */
  terminating: {namespace: string; name: string}[]
  /** What the generator chose, one line per shape, for the test's report. */
  description: string[]
}

interface Ctx {
  r: () => number
  nodes: string[]
  objects: ApiObject[]
  terminating: {namespace: string; name: string}[]
  description: string[]
  count: number
}

const pick = <T>(c: Ctx, xs: readonly T[]): T => xs[Math.floor(c.r() * xs.length)]
const chance = (c: Ctx, p: number) => c.r() < p
const between = (c: Ctx, lo: number, hi: number) => lo + Math.floor(c.r() * (hi - lo + 1))

function pod(c: Ctx, ns: string, name: string, labels: Record<string, string>, options: {ready?: boolean; hostname?: string; subdomain?: string; ports?: {name?: string; containerPort: number; protocol?: string}[]; terminating?: boolean} = {}): ApiObject {
  const annotations: Record<string, string> = {}
  if (options.ready === false) annotations[READY_ANNOTATION] = 'false'
  if (options.terminating) {
    annotations[HOLD_ANNOTATION] = 'true'
    c.terminating.push({namespace: ns, name})
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name, namespace: ns, labels, annotations},
    spec: {
      nodeName: pick(c, c.nodes),
      ...(options.hostname ? {hostname: options.hostname} : {}),
      ...(options.subdomain ? {subdomain: options.subdomain} : {}),
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 30,
      containers: [{name: 'app', image: 'registry.k8s.io/pause:3.10', ports: options.ports ?? [{name: 'http', containerPort: 8080}]}],
    },
  }
}

function service(ns: string, name: string, spec: Record<string, unknown>): ApiObject {
  return {apiVersion: 'v1', kind: 'Service', metadata: {name, namespace: ns, labels: {app: name}}, spec}
}

const PORT_SETS: {name?: string; port: number; targetPort?: number | string; protocol?: string}[][] = [
  [{name: 'http', port: 80, targetPort: 8080}],
  [{port: 80, targetPort: 8080}],
  [{name: 'http', port: 80, targetPort: 'http'}, {name: 'metrics', port: 9090, targetPort: 9090}],
  [{name: 'dns', port: 53, protocol: 'UDP'}, {name: 'dns-tcp', port: 53, protocol: 'TCP'}],
  [{name: 'sctp', port: 3868, protocol: 'SCTP'}, {name: 'alt-http', port: 8080}],
]

/** A group of pods a selector Service picks, each ready or not (and sometimes terminating). */
function podGroup(c: Ctx, ns: string, app: string, n: number, options: {notReady?: number; terminating?: boolean; ports?: {name?: string; containerPort: number; protocol?: string}[]} = {}): string[] {
  const names: string[] = []
  for (let i = 0; i < n; i++) {
    const name = `${app}-${(c.count++).toString(36)}`
    const ready = chance(c, options.notReady ?? 0) ? false : true
    const terminating = options.terminating === true && i === 0
    c.objects.push(pod(c, ns, name, {app}, {ready, terminating, ports: options.ports}))
    names.push(`${name}${ready ? '' : ' (not ready)'}${terminating ? ' (terminating)' : ''}`)
  }
  return names
}

function clusterIpShapes(c: Ctx, ns: string): void {
  const families = pick(c, [undefined, ['IPv4', 'IPv6'], ['IPv6', 'IPv4'], ['IPv6']] as const)
  const ports = pick(c, PORT_SETS)
  const type = pick(c, ['ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer'] as const)
  const spec: Record<string, unknown> = {type, selector: {app: 'web'}, ports}
  if (families) Object.assign(spec, {ipFamilyPolicy: families.length === 2 ? 'RequireDualStack' : 'SingleStack', ipFamilies: families})
  c.objects.push(service(ns, 'web', spec))
  const pods = podGroup(c, ns, 'web', between(c, 0, 3), {notReady: 0.3, ports: [{name: 'http', containerPort: 8080}, {name: 'dns', containerPort: 53, protocol: 'UDP'}]})
  c.description.push(`${ns}/web: ${type} ${families?.join('+') ?? 'default family'}, ports ${ports.map((p) => `${p.name ?? '-'}:${p.port}/${p.protocol ?? 'TCP'}`).join(',')}, pods ${pods.join(', ') || 'none'}`)
  // A ClusterIP Service without any pod, and one whose selector matches nothing.
  c.objects.push(service(ns, 'lonely', {selector: {app: 'nobody'}, ports: [{name: 'http', port: 8080}]}))
}

function headlessShapes(c: Ctx, ns: string): void {
  const publish = chance(c, 0.5)
  const dual = chance(c, 0.3)
  const ports = pick(c, PORT_SETS)
  const spec: Record<string, unknown> = {clusterIP: 'None', selector: {app: 'db'}, ports, publishNotReadyAddresses: publish}
  if (dual) Object.assign(spec, {ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6']})
  c.objects.push(service(ns, 'db', spec))
  const pods = podGroup(c, ns, 'db', between(c, 1, 4), {notReady: 0.4, terminating: chance(c, 0.5), ports: [{name: 'http', containerPort: 8080}, {name: 'dns', containerPort: 53, protocol: 'UDP'}, {name: 'sctp', containerPort: 3868, protocol: 'SCTP'}]})
  c.description.push(`${ns}/db: headless${dual ? ' dual-stack' : ''}${publish ? ' publishNotReadyAddresses' : ''}, pods ${pods.join(', ')}`)
  // Headless with a selector and no ready pod at all: NXDOMAIN.
  c.objects.push(service(ns, 'cold', {clusterIP: 'None', selector: {app: 'cold'}, ports: [{name: 'http', port: 80}]}))
  podGroup(c, ns, 'cold', between(c, 0, 2), {notReady: 1})
  // Headless without ports: A records, no SRV.
  c.objects.push(service(ns, 'portless', {clusterIP: 'None', selector: {app: 'portless'}}))
  podGroup(c, ns, 'portless', between(c, 1, 2))
}

function statefulShapes(c: Ctx, ns: string): void {
  // StatefulSet-shaped pods: hostname + subdomain naming the headless Service (served), and one that names another
  // (not served), plus two pods sharing one hostname.
  const svc = pick(c, ['nginx', 'stateful'])
  c.objects.push(service(ns, svc, {clusterIP: 'None', selector: {app: 'sts'}, ports: [{name: 'web', port: 80}]}))
  const n = between(c, 1, 3)
  for (let i = 0; i < n; i++) c.objects.push(pod(c, ns, `sts-${i}`, {app: 'sts'}, {hostname: `sts-${i}`, subdomain: svc, ready: chance(c, 0.8)}))
  c.objects.push(pod(c, ns, 'stray', {app: 'sts'}, {hostname: 'stray', subdomain: 'other-svc'}))
  const dup = chance(c, 0.5)
  if (dup) {
    c.objects.push(pod(c, ns, 'twin-a', {app: 'sts'}, {hostname: 'twin', subdomain: svc}))
    c.objects.push(pod(c, ns, 'twin-b', {app: 'sts'}, {hostname: 'twin', subdomain: svc}))
  }
  c.description.push(`${ns}/${svc}: headless, ${n} StatefulSet-shaped pods sts-0..${n - 1}, a pod with subdomain other-svc${dup ? ', two pods with hostname twin' : ''}`)
}

function selectorlessShapes(c: Ctx, ns: string): void {
  const n = between(c, 1, 3)
  const headless = chance(c, 0.7)
  // Hand-written EndpointSlices (one IPv4, maybe one IPv6), some endpoints not ready, some with hostnames.
  c.objects.push(service(ns, 'external-db', {...(headless ? {clusterIP: 'None'} : {}), ports: [{name: 'pg', port: 5432}]}))
  const endpoints = Array.from({length: n}, (_, i) => ({
    addresses: [`192.168.${between(c, 0, 3)}.${10 + i}`],
    conditions: {ready: chance(c, 0.75)},
    ...(chance(c, 0.5) ? {hostname: `db-${i}`} : {}),
  }))
  c.objects.push({apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: {name: 'external-db-1', namespace: ns, labels: {'kubernetes.io/service-name': 'external-db'}}, addressType: 'IPv4', endpoints, ports: [{name: 'pg', port: 5432, protocol: 'TCP'}]})
  if (chance(c, 0.5)) {
    c.objects.push({apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: {name: 'external-db-2', namespace: ns, labels: {'kubernetes.io/service-name': 'external-db'}}, addressType: 'IPv6', endpoints: [{addresses: ['fd00:99::1'], hostname: 'db-v6'}], ports: [{name: 'pg', port: 5432, protocol: 'TCP'}]})
  }
  // A slice without the service-name label: never served.
  c.objects.push({apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: {name: 'unlabelled', namespace: ns}, addressType: 'IPv4', endpoints: [{addresses: ['192.168.9.9']}], ports: [{name: 'pg', port: 5432, protocol: 'TCP'}]})
  // v1 Endpoints for a selector-less Service: the mirroring controller writes the slices.
  const ready = between(c, 0, 2)
  c.objects.push(service(ns, 'legacy', {...(chance(c, 0.5) ? {clusterIP: 'None'} : {}), ports: [{name: 'app', port: 7000}]}))
  c.objects.push({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {name: 'legacy', namespace: ns},
    subsets: [{addresses: Array.from({length: ready}, (_, i) => ({ip: `172.16.0.${i + 1}`, ...(i === 0 ? {hostname: 'legacy-0'} : {})})), notReadyAddresses: [{ip: '172.16.0.99'}], ports: [{name: 'app', port: 7000, protocol: 'TCP'}]}],
  })
  c.description.push(`${ns}/external-db: ${headless ? 'headless' : 'ClusterIP'} without selector, ${n} hand-written endpoints; ${ns}/legacy: v1 Endpoints with ${ready} ready addresses`)
}

function externalNameShapes(c: Ctx, ns: string, others: string[]): void {
  c.objects.push(service(ns, 'ext', {type: 'ExternalName', externalName: pick(c, ['api.example.org', 'www.example.org', 'missing.example.org'])}))
  c.objects.push(service(ns, 'ext-ip', {type: 'ExternalName', externalName: '10.1.2.3'}))
  const target = pick(c, [`web.${ns}.svc.cluster.local`, `db.${pick(c, others)}.svc.cluster.local`, `nothing.${ns}.svc.cluster.local`, `external-db.${ns}.svc.cluster.local`])
  c.objects.push(service(ns, 'alias', {type: 'ExternalName', externalName: target}))
  c.description.push(`${ns}: ExternalName ext (hostname), ext-ip (IP literal), alias → ${target}`)
}

/** One state: three namespaces, each with every shape, parameters drawn from the seed. */
export function generateState(seed: number, index: number, nodes: string[]): ClusterState {
  const c: Ctx = {r: rng(seed), nodes, objects: [], terminating: [], description: [], count: 0}
  const namespaces = [`s${index}-alpha`, `s${index}-beta`, `s${index}-gamma`]
  for (const ns of namespaces) {
    clusterIpShapes(c, ns)
    headlessShapes(c, ns)
    statefulShapes(c, ns)
    selectorlessShapes(c, ns)
    externalNameShapes(c, ns, namespaces)
  }
  return {seed, namespaces, objects: c.objects, terminating: c.terminating, description: c.description}
}
