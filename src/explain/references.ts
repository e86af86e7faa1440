// Findings about the objects that point at Services by name — StatefulSets (serviceName), pods (subdomain), Ingress
// backends — and about a Service's own exposure (duplicate hostnames, NodePort range, LoadBalancer address). Pure.
// `only` limits them to references to one Service (svc explain NAME); without it, a namespace's dangling references
// are found too (svc explain --all).
import {plural} from '../words.js'
import {formatSelector, matchesServiceSelector} from '../cluster/labels.js'
import {type ClusterSnapshot, type Ingress, type IngressBackend, namespaceOf} from '../cluster/types.js'
import {podHostname} from '../dns/hosts.js'
import type {ClusterDns, ServiceEntry} from '../dns/model.js'
import type {Finding} from './service.js'

export interface NodePortRange {
  min: number
  max: number
}

export const DEFAULT_NODE_PORT_RANGE: NodePortRange = {min: 30000, max: 32767}

/** `30000-32767` (the API server's --service-node-port-range). */
export function parseNodePortRange(text: string): NodePortRange | undefined {
  const m = /^(\d+)-(\d+)$/.exec(text.trim())
  if (!m) return undefined
  const [min, max] = [Number(m[1]), Number(m[2])]
  return min >= 1 && max <= 65535 && min <= max ? {min, max} : undefined
}

const REMOVED_INGRESS_APIS = new Set(['extensions/v1beta1', 'networking.k8s.io/v1beta1'])

interface Route {
  ingress: Ingress
  where: string
  service: string
  port?: string | number
}

/** Every backend of an Ingress, in v1 or the removed v1beta1 shape, with where it routes from. */
export function ingressRoutes(ingress: Ingress): Route[] {
  const routes: Route[] = []
  const add = (b: IngressBackend | undefined, where: string) => {
    const service = b?.service?.name ?? b?.serviceName
    if (!service) return
    routes.push({ingress, where, service, port: b?.service?.port?.name ?? b?.service?.port?.number ?? b?.servicePort})
  }
  add(ingress.spec?.defaultBackend ?? ingress.spec?.backend, 'default backend')
  for (const rule of ingress.spec?.rules ?? []) for (const p of rule.http?.paths ?? []) add(p.backend, `${rule.host ?? '*'}${p.path ?? '/'}`)
  return routes
}

/** The Ingress routes that reach a Service, for its description. */
export function routesTo(snapshot: ClusterSnapshot, svc: ServiceEntry): string[] {
  return snapshot.ingresses
    .filter((i) => namespaceOf(i) === svc.namespace)
    .flatMap(ingressRoutes)
    .filter((r) => r.service === svc.name)
    .map((r) => `Ingress ${r.ingress.metadata.name} routes ${r.where} → port ${r.port ?? '?'}`)
}

export function referenceFindings(model: ClusterDns, snapshot: ClusterSnapshot, namespace: string, only?: string): Finding[] {
  const findings: Finding[] = []
  const add = (code: string, severity: Finding['severity'], message: string, hint: string, objects: string[]) => findings.push({code, severity, message, hint, objects})
  const zone = model.settings.clusterDomain
  const wanted = (name: string) => only === undefined || name === only

  for (const sts of snapshot.statefulSets.filter((s) => namespaceOf(s) === namespace)) {
    const name = sts.spec.serviceName
    if (!name || !wanted(name)) continue
    const ref = `StatefulSet ${namespace}/${sts.metadata.name}`
    const example = `${sts.metadata.name}-0.${name}.${namespace}.svc.${zone}`
    const svc = model.service(namespace, name)
    if (!svc) {
      add('KD114', 'error', `StatefulSet ${sts.metadata.name} has serviceName "${name}", but no Service ${name} exists in ${namespace}: per-pod names like ${example} do not resolve`, `Create a headless Service (clusterIP: None) named ${name} selecting the StatefulSet's pods`, [ref])
      continue
    }
    if (svc.kind !== 'Headless') {
      add('KD114', 'error', `StatefulSet ${sts.metadata.name} has serviceName "${name}", but Service ${name} is not headless: per-pod names like ${example} do not resolve`, `Set clusterIP: None on ${name}, or point serviceName at a headless Service`, [ref, `Service ${namespace}/${name}`])
      continue
    }
    const labels = sts.spec.template?.metadata?.labels
    const selector = svc.object.spec?.selector
    if (selector && Object.keys(selector).length > 0 && !matchesServiceSelector(selector, labels)) {
      add('KD115', 'error', `Headless Service ${name} does not select StatefulSet ${sts.metadata.name}'s pods (selector ${formatSelector(selector)}, pod labels ${formatSelector(labels) || 'none'}): they get no DNS names`, `Make the Service selector match spec.template.metadata.labels of ${sts.metadata.name}`, [ref, `Service ${namespace}/${name}`])
    }
  }

  // Pods that ask for hostname.subdomain names. StatefulSet pods are covered above (the controller sets subdomain).
  const bySubdomain = new Map<string, {pod: string; hostname: string}[]>()
  for (const pod of snapshot.pods.filter((p) => namespaceOf(p) === namespace && p.spec?.subdomain)) {
    if (pod.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet')) continue
    const sub = pod.spec!.subdomain!
    if (!wanted(sub)) continue
    const svc = model.service(namespace, sub)
    const named = svc?.kind === 'Headless' && model.endpointsOf(namespace, sub).some((e) => e.podName === pod.metadata.name)
    // The name the pod asks for is its hostname (spec.hostname, else the pod name), as pod lookup shows it.
    if (!named) bySubdomain.set(sub, [...(bySubdomain.get(sub) ?? []), {pod: pod.metadata.name, hostname: podHostname(pod.metadata.name, pod.spec?.hostname)}])
  }
  for (const [sub, pods] of bySubdomain) {
    const svc = model.service(namespace, sub)
    const why = !svc ? `no Service ${sub} exists` : svc.kind !== 'Headless' ? `Service ${sub} is not headless` : `headless Service ${sub} does not select ${pods.length === 1 ? 'it' : 'them'}`
    add('KD116', 'warning', `${plural(pods.length, 'pod')} set${pods.length === 1 ? 's' : ''} subdomain "${sub}" but ${why}: names like ${pods[0].hostname}.${sub}.${namespace}.svc.${zone} do not resolve`, `Create a headless Service named ${sub} whose selector matches the pods`, pods.slice(0, 5).map((p) => `Pod ${namespace}/${p.pod}`))
  }

  for (const ingress of snapshot.ingresses.filter((i) => namespaceOf(i) === namespace)) {
    const ref = `Ingress ${namespace}/${ingress.metadata.name}`
    const routes = ingressRoutes(ingress).filter((r) => wanted(r.service))
    if (routes.length === 0) continue
    if (ingress.apiVersion && REMOVED_INGRESS_APIS.has(ingress.apiVersion))
      add('KD119', 'warning', `Ingress ${ingress.metadata.name} uses ${ingress.apiVersion}, removed in Kubernetes 1.22: the API server no longer accepts it`, 'Rewrite it as networking.k8s.io/v1 (backend.service.name / backend.service.port)', [ref])
    for (const r of routes) {
      const svc = model.service(namespace, r.service)
      if (!svc) {
        add('KD118', 'error', `Ingress ${ingress.metadata.name} routes ${r.where} to Service ${r.service}, which does not exist in ${namespace}`, `Create Service ${r.service} or fix the backend name`, [ref])
        continue
      }
      if (svc.kind === 'ExternalName' || r.port === undefined) continue
      const ports = svc.object.spec?.ports ?? []
      const ok = ports.some((p) => (typeof r.port === 'number' || /^\d+$/.test(String(r.port)) ? p.port === Number(r.port) : p.name === r.port))
      if (!ok)
        add('KD118', 'error', `Ingress ${ingress.metadata.name} routes ${r.where} to port ${r.port} of Service ${r.service}, which has ${ports.length ? `only ${ports.map((p) => p.name ?? p.port).join(', ')}` : 'no ports'}`, 'Use a port number or port name the Service defines', [ref, `Service ${namespace}/${r.service}`])
    }
  }
  return findings
}

/** Exposure findings of one Service: shared endpoint hostnames, NodePorts outside the range, a LoadBalancer without address. */
export function exposureFindings(model: ClusterDns, svc: ServiceEntry, range: NodePortRange): Finding[] {
  const findings: Finding[] = []
  const ref = `Service ${svc.namespace}/${svc.name}`
  const byName = new Map<string, Set<string>>()
  for (const e of model.endpointsOf(svc.namespace, svc.name)) byName.set(e.endpointName, (byName.get(e.endpointName) ?? new Set()).add(e.address))
  for (const [name, addresses] of byName)
    if (addresses.size > 1)
      findings.push({code: 'KD117', severity: 'warning', message: `${addresses.size} endpoints share the hostname "${name}": ${name}.${svc.name}.${svc.namespace}.svc.${model.settings.clusterDomain} answers all of ${[...addresses].join(', ')}`, hint: 'Give each pod its own spec.hostname (or use a StatefulSet)', objects: [ref]})
  const spec = svc.object.spec ?? {}
  if (svc.type === 'NodePort' || svc.type === 'LoadBalancer')
    for (const p of spec.ports ?? [])
      if (p.nodePort !== undefined && (p.nodePort < range.min || p.nodePort > range.max))
        findings.push({code: 'KD120', severity: 'error', message: `The nodePort ${p.nodePort} of port ${p.name ?? p.port} is outside the node port range ${range.min}-${range.max}: the API server rejects it`, hint: `Pick a port in ${range.min}-${range.max} or leave nodePort out (--node-port-range if your cluster uses another range)`, objects: [ref]})
  // Only where status was read (live, or a manifest that carries status): applied manifests have none.
  const status = svc.object.status
  if (svc.type === 'LoadBalancer' && status !== undefined && (status.loadBalancer?.ingress ?? []).length === 0)
    findings.push({code: 'KD121', severity: 'warning', message: 'LoadBalancer without an external address (status.loadBalancer.ingress is empty): still pending', hint: `No load-balancer controller has served it: kubectl describe svc ${svc.name} -n ${svc.namespace} shows the events; meanwhile it is reachable on its nodePorts`, objects: [ref]})
  return findings
}
