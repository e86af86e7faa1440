// Small builders for Kubernetes objects in their API shape, so tests read like the manifests they stand for.
import {snapshotFromObjects} from '../../src/cluster/files.js'
import type {ClusterSnapshot, EndpointSlice, KubeObject, Pod, Service, ServicePort, SliceEndpoint, StatefulSet} from '../../src/cluster/types.js'
import {ClusterDns} from '../../src/dns/model.js'
import {type DnsSettings, kubeadmDefaults} from '../../src/dns/settings.js'
import {settingsFromCorefile} from '../../src/dns/corefile.js'

export function service(name: string, spec: Service['spec'] & {namespace?: string} = {}, extra: Partial<Service['metadata']> = {}): Service {
  const {namespace, ...rest} = spec
  return {apiVersion: 'v1', kind: 'Service', metadata: {name, namespace: namespace ?? 'default', ...extra}, spec: rest}
}

export function clusterIpService(name: string, ip: string | string[], ports: ServicePort[] = [{port: 80}], more: Service['spec'] & {namespace?: string} = {}): Service {
  const ips = Array.isArray(ip) ? ip : [ip]
  return service(name, {clusterIP: ips[0], clusterIPs: ips, ports, selector: {app: name}, ...more})
}

export function headless(name: string, ports: ServicePort[] = [{port: 80}], more: Service['spec'] & {namespace?: string} = {}): Service {
  return service(name, {clusterIP: 'None', clusterIPs: ['None'], ports, selector: {app: name}, ...more})
}

export interface PodOptions {
  namespace?: string
  ip?: string | string[]
  labels?: Record<string, string>
  ready?: boolean
  phase?: NonNullable<Pod['status']>['phase']
  hostname?: string
  subdomain?: string
  ports?: {name?: string; containerPort: number; protocol?: string}[]
  terminating?: boolean
  node?: string
  spec?: Partial<Pod['spec']>
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const ips = o.ip === undefined ? [] : Array.isArray(o.ip) ? o.ip : [o.ip]
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name, namespace: o.namespace ?? 'default', labels: o.labels ?? {}, uid: `uid-${name}`},
    spec: {containers: [{name: 'c', ports: o.ports ?? [{name: 'http', containerPort: 8080}]}], ...(o.spec ?? {})},
    status: {
      phase: o.phase ?? (ips.length > 0 ? 'Running' : 'Pending'),
      ...(ips.length > 0 ? {podIP: ips[0], podIPs: ips.map((ip) => ({ip}))} : {}),
      conditions: [{type: 'Ready', status: o.ready === false ? 'False' : ips.length > 0 ? 'True' : 'False'}],
    },
  }
  if (o.hostname) p.spec.hostname = o.hostname
  if (o.subdomain) p.spec.subdomain = o.subdomain
  if (o.node) p.spec.nodeName = o.node
  if (o.terminating) p.metadata.deletionTimestamp = '2026-11-23T10:00:00Z'
  return p
}

export function slice(serviceName: string, endpoints: SliceEndpoint[], ports: EndpointSlice['ports'] = [{name: '', port: 8080, protocol: 'TCP'}], o: {namespace?: string; addressType?: EndpointSlice['addressType']; name?: string; label?: boolean} = {}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {name: o.name ?? `${serviceName}-abcde`, namespace: o.namespace ?? 'default', labels: o.label === false ? {} : {'kubernetes.io/service-name': serviceName}},
    addressType: o.addressType ?? 'IPv4',
    endpoints,
    ports,
  }
}

export function ep(address: string, o: Partial<SliceEndpoint> & {ready?: boolean} = {}): SliceEndpoint {
  const {ready, ...rest} = o
  return {addresses: [address], conditions: {ready: ready ?? true}, ...rest}
}

export function statefulSet(name: string, serviceName: string, replicas: number, namespace = 'default'): StatefulSet {
  return {apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {name, namespace}, spec: {serviceName, replicas, selector: {matchLabels: {app: name}}, template: {metadata: {labels: {app: name}}}}}
}

export function namespace(name: string): KubeObject {
  return {apiVersion: 'v1', kind: 'Namespace', metadata: {name}}
}

export function snapshot(objects: KubeObject[]): ClusterSnapshot {
  return snapshotFromObjects(structuredClone(objects).map((object) => ({object, source: 'test'})), ['test'])
}

export function model(objects: KubeObject[], settings: Partial<DnsSettings> = {}): ClusterDns {
  return new ClusterDns(snapshot(objects), {...kubeadmDefaults(), ...settings})
}

/** CoreDNS's own defaults (a bare `kubernetes cluster.local in-addr.arpa ip6.arpa` stanza). */
export const COREDNS_DEFAULTS: Partial<DnsSettings> = {pods: 'disabled', ttl: 5, fallthrough: [], cache: undefined}

/** kdisco's model of a Corefile (every server block and plugin) over these objects; `files` by the names it refers to. */
export function corefileModel(corefile: string, objects: KubeObject[] = [], files: Record<string, string> = {}, extra: Partial<DnsSettings> = {}): ClusterDns {
  const settings = settingsFromCorefile(corefile, 'Corefile', {files: Object.entries(files).map(([name, text]) => ({name, text, source: name}))})
  return new ClusterDns(snapshot(objects), {...settings, ...extra})
}
