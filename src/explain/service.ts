// `svc explain`: what a Service is, its DNS names, the environment variables pods get, and findings with stable
// codes. Pure. A finding fires only where the evidence in the snapshot supports it.
import {endpointExclusion, isPodReady, missingEndpointSlices, resolveTargetPort} from '../cluster/derive.js'
import {formatSelector, matchesServiceSelector} from '../cluster/labels.js'
import {type ClusterSnapshot, type Pod, namespaceOf} from '../cluster/types.js'
import {ipFamily} from '../dns/ip.js'
import {fqdn, normalizeName} from '../dns/names.js'
import {matchZone} from '../dns/settings.js'
import type {ClusterDns, ServiceEntry} from '../dns/model.js'
import {type ServiceLookupReport, serviceLookup} from '../dns/service-lookup.js'
import {nearMisses} from './endpoints.js'
import {notReadyReason, restarts} from './pods.js'
import {DEFAULT_NODE_PORT_RANGE, type NodePortRange, exposureFindings, referenceFindings, routesTo} from './references.js'
import {byCodeUnits} from '../order.js'
import {plural} from '../words.js'

export type Severity = 'error' | 'warning' | 'info'

export interface Finding {
  code: string
  severity: Severity
  message: string
  hint: string
  objects: string[]
}

export interface ServiceExplanation {
  service: ServiceLookupReport['service']
  kind: string
  description: string[]
  dns: ServiceLookupReport['queries']
  environment: {name: string; value: string}[]
  findings: Finding[]
}

/** Docker-link style variables kubelet injects for a Service with a cluster IP (pkg/kubelet/envvars). */
export function serviceEnvironment(svc: ServiceEntry): {name: string; value: string}[] {
  // A manifest without a cluster IP: the variables exist once it is created, with the address then allocated.
  const ip = svc.ipPending ? '<allocated cluster IP>' : svc.object.spec?.clusterIP
  if (svc.kind !== 'ClusterIP' || !ip || ip === 'None') return []
  const prefix = svc.name.toUpperCase().replace(/-/g, '_')
  const ports = svc.object.spec?.ports ?? []
  const env = [{name: `${prefix}_SERVICE_HOST`, value: ip}]
  if (ports.length === 0) return env
  env.push({name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port)})
  for (const p of ports) if (p.name) env.push({name: `${prefix}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, value: String(p.port)})
  const host = ipFamily(ip) === 6 ? `[${ip}]` : ip
  const proto0 = (ports[0].protocol ?? 'TCP').toLowerCase()
  env.push({name: `${prefix}_PORT`, value: `${proto0}://${host}:${ports[0].port}`})
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP'
    const base = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`
    env.push({name: base, value: `${proto.toLowerCase()}://${host}:${p.port}`}, {name: `${base}_PROTO`, value: proto.toLowerCase()}, {name: `${base}_PORT`, value: String(p.port)}, {name: `${base}_ADDR`, value: ip})
  }
  return env
}

function describe(svc: ServiceEntry): string[] {
  const spec = svc.object.spec ?? {}
  const out: string[] = []
  if (svc.kind === 'ExternalName') {
    out.push(`ExternalName: DNS answers a CNAME to ${spec.externalName}; there is no proxy and no port mapping, and clients send the external name in the HTTP Host header and TLS SNI.`)
  } else if (svc.kind === 'Headless') {
    out.push('Headless (clusterIP: None): DNS returns the ready endpoint IPs and clients balance themselves; pods with hostname/subdomain get per-pod names (StatefulSets).')
  } else {
    const ips = svc.ipPending ? 'allocated by the API server when it is created (the manifest sets none)' : svc.clusterIPs.join(', ')
    out.push(`${svc.type} with cluster IP ${ips}: a virtual IP handled by kube-proxy at L4 (you cannot ping it).`)
    if (spec.sessionAffinity === 'ClientIP') out.push(`sessionAffinity ClientIP: a client keeps reaching the same pod for ${spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800} s after its last connection.`)
    if (svc.type === 'LoadBalancer') {
      const lb = (svc.object.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname)
      out.push(lb.length ? `LoadBalancer: reachable from outside at ${lb.join(', ')}.` : 'LoadBalancer: no external address known (pending, or status not read).')
    }
    if (svc.type === 'NodePort' || svc.type === 'LoadBalancer')
      out.push(`Reachable on every node at ${(spec.ports ?? []).length === 1 ? 'port' : 'ports'} ${(spec.ports ?? []).map((p) => p.nodePort ?? '?').join(', ')} (externalTrafficPolicy ${spec.externalTrafficPolicy ?? 'Cluster'}).`)
  }
  if (svc.kind !== 'ExternalName' && Object.keys(spec.selector ?? {}).length === 0) out.push('No selector: its endpoints are managed by hand (Endpoints/EndpointSlices of the same name).')
  return out
}

export function explainService(model: ClusterDns, snapshot: ClusterSnapshot, svc: ServiceEntry, options: {nodePortRange?: NodePortRange} = {}): ServiceExplanation {
  const spec = svc.object.spec ?? {}
  const ref = `Service ${svc.namespace}/${svc.name}`
  const findings: Finding[] = []
  const add = (code: string, severity: Severity, message: string, hint: string, objects: string[] = [ref]) => findings.push({code, severity, message, hint, objects})
  // By name, whatever order they were read in (files keep theirs, the API sorts): findings name pods in one order.
  const pods = snapshot.pods.filter((p) => namespaceOf(p) === svc.namespace).sort((a, b) => byCodeUnits(a.metadata.name, b.metadata.name))
  const selector = spec.selector ?? {}
  const hasSelector = Object.keys(selector).length > 0
  const selected: Pod[] = hasSelector ? pods.filter((p) => matchesServiceSelector(selector, p.metadata.labels)) : []
  const endpoints = model.endpointsOf(svc.namespace, svc.name)
  const podsRead = !snapshot.gaps.some((g) => g.resource === 'pods')

  if (svc.kind === 'ExternalName') {
    const ext = spec.externalName ?? ''
    if (ipFamily(ext) !== undefined) add('KD107', 'error', `The externalName "${ext}" is an IP address: CoreDNS answers NXDOMAIN`, 'Use a selector-less Service with an EndpointSlice for an IP, or put a DNS name in externalName')
    // A target inside the cluster zones is chased by CoreDNS itself; without records there the CNAME is dropped.
    const inZone = ext !== '' && matchZone(normalizeName(ext), model.settings.zones) !== undefined
    if (inZone && ipFamily(ext) === undefined) {
      const target = fqdn(ext)
      const answers = ['A', 'AAAA'].map((t) => model.answer(target, t))
      if (answers.every((a) => !a.forwarded && a.answers.length === 0)) {
        const why = answers[0].notes?.[0]
        add('KD125', 'error', `The externalName ${target} is inside the cluster domain but has no address records${why ? ` (${why})` : ''}: CoreDNS drops the CNAME, so ${svc.fqdn} answers with no address`, `Point externalName at a name that exists (a Service is <name>.<namespace>.svc.${model.settings.clusterDomain}), or create that Service`)
      }
    }
    if ((spec.ports ?? []).length > 0) add('KD108', 'info', 'Ports on an ExternalName Service have no effect (no proxy, no SRV records)', 'Remove spec.ports, or clients must use the external port themselves')
  } else if (hasSelector && podsRead) {
    const owners = [...snapshot.statefulSets, ...snapshot.workloads].filter((w) => namespaceOf(w) === svc.namespace && matchesServiceSelector(selector, w.spec.template?.metadata?.labels))
    if (selected.length === 0 && owners.length > 0) {
      add('KD101', 'warning', `The selector ${formatSelector(selector)} matches no pod yet; the pods of ${owners.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')} will match once they exist`, `kubectl get ${owners[0].kind.toLowerCase()} ${owners[0].metadata.name} -n ${svc.namespace} shows why none are running yet`, [ref, ...owners.map((o) => `${o.kind} ${svc.namespace}/${o.metadata.name}`)])
    } else if (selected.length === 0) {
      const misses = nearMisses(selector, pods)
      add('KD101', 'error', `The selector ${formatSelector(selector)} matches no pod in ${svc.namespace}`, misses.length ? `Near miss: ${misses.slice(0, 3).map((m) => `${m.pod} has ${m.have === null ? `no ${m.label}${m.instead ? ` but ${m.instead}` : ''}` : `${m.label}=${m.have}`}`).join('; ')}` : 'Check the pod template labels', [ref, ...misses.slice(0, 3).map((m) => `Pod ${svc.namespace}/${m.pod}`)])
    } else {
      // A terminating pod is out of DNS however ready it is.
      const unready = selected.filter((p) => !endpointExclusion(p) && (!isPodReady(p) || p.metadata.deletionTimestamp))
      if (unready.length > 0) {
        const restarting = unready.flatMap((p) => (p.status?.containerStatuses ?? []).filter((cs) => !cs.ready && restarts(cs)).map((cs) => ({pod: p.metadata.name, container: cs.name})))[0]
        const hint = restarting
          ? `kubectl logs ${restarting.pod} -c ${restarting.container} -n ${svc.namespace} --previous shows why it stopped; kubectl describe pod shows the probe failures`
          : `kubectl describe pod ${unready[0].metadata.name} -n ${svc.namespace} shows the probe failures`
        add('KD102', 'warning', `${unready.length} of ${plural(selected.length, 'selected pod')} ${unready.length === 1 ? 'is' : 'are'} not ready: ${unready.slice(0, 3).map((p) => `${p.metadata.name} (${notReadyReason(p)})`).join('; ')}`, hint, unready.map((p) => `Pod ${svc.namespace}/${p.metadata.name}`))
      }
      const ready = endpoints.filter((e) => e.ready).length
      if (ready === 1 && selected.length >= 1) add('KD103', 'info', 'Only one ready endpoint: no redundancy', 'Scale the workload to 2 or more replicas')
      for (const p of spec.ports ?? []) {
        const protocol = p.protocol ?? 'TCP'
        const declared = (pod: Pod) => (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? [])
        const lacking = selected.filter((pod) => resolveTargetPort(pod, p) === undefined)
        if (lacking.length > 0) {
          const other = declared(lacking[0]).find((cp) => cp.name === p.targetPort)
          if (other) add('KD104', 'error', `Protocol mismatch: port ${p.name ?? p.port} is ${protocol} but container port "${p.targetPort}" is ${other.protocol ?? 'TCP'} on ${plural(lacking.length, 'selected pod')}`, `Make the Service port ${other.protocol ?? 'TCP'}, or declare a ${protocol} container port named ${p.targetPort}`, [ref, ...lacking.slice(0, 3).map((x) => `Pod ${svc.namespace}/${x.metadata.name}`)])
          else add('KD104', 'error', `The targetPort "${p.targetPort}" (${protocol}) of port ${p.name ?? p.port} is not a container port name on ${plural(lacking.length, 'selected pod')}`, 'Name the container port the same, or use a number', [ref, ...lacking.slice(0, 3).map((x) => `Pod ${svc.namespace}/${x.metadata.name}`)])
          continue
        }
        // A numeric targetPort need not be declared, so this is only a hint — unless it is declared with another protocol.
        const number = resolveTargetPort(selected[0], p)!
        const ports = selected.flatMap(declared)
        if (ports.length === 0 || ports.some((cp) => cp.containerPort === number && (cp.protocol ?? 'TCP') === protocol)) continue
        const wrong = ports.find((cp) => cp.containerPort === number)
        if (wrong) add('KD104', 'error', `Protocol mismatch: port ${p.name ?? p.port} sends ${protocol} to ${number}, which the pods declare as ${wrong.protocol ?? 'TCP'}`, `Set protocol: ${wrong.protocol ?? 'TCP'} on the Service port, or fix the container port`)
        else add('KD122', 'info', `The targetPort ${number} of port ${p.name ?? p.port} is not among the selected pods' declared container ports (${[...new Set(ports.map((cp) => `${cp.containerPort}/${cp.protocol ?? 'TCP'}`))].join(', ')})`, 'Declaring ports is optional; check the app really listens on it (kubectl port-forward pod/NAME PORT)')
      }
      const noProbe = selected.filter((p) => (p.spec?.containers ?? []).every((c) => !c.readinessProbe))
      if (noProbe.length > 0) add('KD113', 'info', `${plural(noProbe.length, 'selected pod')} ${noProbe.length === 1 ? 'has' : 'have'} no readiness probe: they receive traffic as soon as they start`, 'Add a readinessProbe to the containers', noProbe.slice(0, 3).map((p) => `Pod ${svc.namespace}/${p.metadata.name}`))
    }
  }
  for (const p of spec.ports ?? []) {
    if (typeof p.targetPort === 'string' && /^\d+$/.test(p.targetPort))
      add('KD105', 'warning', `The targetPort "${p.targetPort}" is a number written as a string: it is read as a port name`, `Write targetPort: ${p.targetPort} without quotes`)
  }
  if (svc.kind === 'Headless' && (spec.ports ?? []).length === 0) add('KD106', 'info', 'Headless Service without ports: DNS has A records but no SRV records', 'Add named ports if clients discover ports through SRV')
  const sliceless = missingEndpointSlices(snapshot, svc.object)
  if (sliceless) add('KD124', 'error', sliceless.message, sliceless.hint)
  if (svc.kind !== 'ExternalName' && !hasSelector && endpoints.length === 0)
    add('KD109', 'error', 'No selector and no Endpoints/EndpointSlices: nothing backs this Service', `Create an EndpointSlice labelled kubernetes.io/service-name=${svc.name} (or Endpoints named ${svc.name})`)
  if (svc.object.metadata.annotations?.['service.alpha.kubernetes.io/tolerate-unready-endpoints'])
    add('KD110', 'warning', 'The annotation service.alpha.kubernetes.io/tolerate-unready-endpoints is deprecated and ignored by EndpointSlices', 'Set spec.publishNotReadyAddresses: true instead')
  if (spec.publishNotReadyAddresses && svc.kind === 'ClusterIP')
    add('KD111', 'info', 'The publishNotReadyAddresses setting on a Service with a cluster IP: not-ready pods also receive proxied traffic', 'Usually meant for headless Services (peer discovery); check it is intended')
  if (svc.kind === 'Headless' && spec.sessionAffinity === 'ClientIP') add('KD112', 'info', 'Session affinity has no effect on a headless Service (no proxy)', 'Remove sessionAffinity, or give the Service a cluster IP')

  const lookup = serviceLookup(model, snapshot, svc, {shortNames: false})
  const tooBig = lookup.queries.filter((q) => q.expected.truncated)
  if (tooBig.length > 0) {
    const {records, fit} = tooBig[0].expected.truncated!
    const which = tooBig.map((q) => `${q.type} ${q.name}`)
    add('KD123', 'warning', `${which.length === 1 ? 'An answer' : `${which.length} answers`} too big for one DNS message: ${which[0]}${which.length > 1 ? ' …' : ''} has ${records} records and clients get at most ${fit} of them`, 'Clients that need every endpoint should read the EndpointSlices from the API; or split the Service', which)
  }
  findings.push(...exposureFindings(model, svc, options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE), ...referenceFindings(model, snapshot, svc.namespace, svc.name))
  return {service: lookup.service, kind: svc.kind, description: [...describe(svc), ...routesTo(snapshot, svc)], dns: lookup.queries, environment: serviceEnvironment(svc), findings}
}

export interface ServiceLint {
  service: {name: string; namespace: string}
  kind: string
  findings: Finding[]
}

export interface LintReport {
  services: ServiceLint[]
  /** References to Services that do not exist (StatefulSet serviceName, pod subdomain, Ingress backends). */
  findings: Finding[]
  summary: {services: number; error: number; warning: number; info: number}
}

/** svc explain --all: every Service in the namespaces, plus the dangling references of those namespaces. */
export function lintServices(model: ClusterDns, snapshot: ClusterSnapshot, namespaces: string[], options: {nodePortRange?: NodePortRange} = {}): LintReport {
  const services: ServiceLint[] = []
  const attached = new Set<string>()
  const inScope = new Set(namespaces)
  for (const svc of model.allServices().filter((s) => inScope.has(s.namespace)).sort((a, b) => byCodeUnits(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`)))
    {
      const {findings} = explainService(model, snapshot, svc, options)
      for (const f of findings) attached.add(`${f.code} ${f.message}`)
      services.push({service: {name: svc.name, namespace: svc.namespace}, kind: svc.kind, findings})
    }
  const dangling = namespaces.flatMap((ns) => referenceFindings(model, snapshot, ns)).filter((f) => !attached.has(`${f.code} ${f.message}`))
  const all = [...services.flatMap((s) => s.findings), ...dangling]
  const count = (sev: Severity) => all.filter((f) => f.severity === sev).length
  return {services, findings: dangling, summary: {services: services.length, error: count('error'), warning: count('warning'), info: count('info')}}
}
