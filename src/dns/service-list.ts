// One line per Service: what its name answers, in words. Pure.
import {formatSelector} from '../cluster/labels.js'
import type {ClusterDns, ServiceEntry, ServiceKind} from './model.js'
import type {ServiceSummary} from './service-lookup.js'
import {byCodeUnits} from '../order.js'

export interface ServiceListRow {
  name: string
  namespace: string
  type: string
  kind: ServiceKind
  /** The Service's cluster IPs; empty for headless and ExternalName Services (as in svc lookup). */
  clusterIPs: string[]
  dnsName: string
  endpoints: ServiceSummary['endpoints']
  dnsReturns: string
  rcode: string | null
  creationTimestamp?: string
  selector?: string
  ports: string[]
  /**
   * What kubectl's EXTERNAL-IP column shows: the externalName of an ExternalName Service; a LoadBalancer's ingress
   * addresses; spec.externalIPs of any type. Empty: none (a LoadBalancer: pending).
   */
  external: string[]
  labels?: Record<string, string>
}

/** "cluster IP", "3 pod IPs", "CNAME api.example.com.", "NXDOMAIN: no ready endpoints"… */
export function whatDnsReturns(model: ClusterDns, svc: ServiceEntry): {text: string; rcode: string | null} {
  const fq = model.serviceFqdn(svc)
  const a = model.answer(fq, 'A')
  const aaaa = model.answer(fq, 'AAAA')
  if (svc.kind === 'ExternalName') {
    const c = model.answer(fq, 'CNAME')
    if (c.rcode === 'NXDOMAIN') return {text: 'NXDOMAIN: externalName is an IP address', rcode: 'NXDOMAIN'}
    return {text: `CNAME ${c.answers[0]?.data ?? '?'}`, rcode: c.rcode}
  }
  if (a.rcode === 'NXDOMAIN') return {text: svc.kind === 'Headless' ? 'NXDOMAIN: no ready endpoints' : 'NXDOMAIN', rcode: 'NXDOMAIN'}
  const n = a.answers.length + aaaa.answers.length
  if (svc.ipPending) return {text: 'cluster IP, allocated on creation', rcode: null}
  if (svc.kind === 'ClusterIP') return {text: n > 1 ? `cluster IPs (${n})` : 'cluster IP', rcode: a.rcode}
  const podBacked = model.endpointsOf(svc.namespace, svc.name).some((e) => e.podName)
  return {text: `${n} ${podBacked ? 'pod' : 'endpoint'} IP${n === 1 ? '' : 's'}`, rcode: a.rcode}
}

export function serviceList(model: ClusterDns): ServiceListRow[] {
  return model
    .allServices()
    .sort((x, y) => byCodeUnits(x.namespace, y.namespace) || byCodeUnits(x.name, y.name))
    .map((svc) => {
      const eps = model.endpointsOf(svc.namespace, svc.name)
      const dns = whatDnsReturns(model, svc)
      const spec = svc.object.spec ?? {}
      const row: ServiceListRow = {
        name: svc.name,
        namespace: svc.namespace,
        type: svc.type,
        kind: svc.kind,
        clusterIPs: svc.clusterIPs,
        dnsName: model.serviceFqdn(svc),
        endpoints: {ready: eps.filter((e) => e.ready).length, total: eps.length, origin: model.sliceOrigins(svc.namespace, svc.name)},
        dnsReturns: dns.text,
        rcode: dns.rcode,
        ports: (spec.ports ?? []).map((p) => `${p.name ? `${p.name}:` : ''}${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`),
        external:
          svc.kind === 'ExternalName'
            ? [spec.externalName ?? '']
            : [...(svc.type === 'LoadBalancer' ? (svc.object.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter(Boolean) : []), ...(spec.externalIPs ?? [])],
      }
      if (svc.object.metadata.labels) row.labels = svc.object.metadata.labels
      if (svc.object.metadata.creationTimestamp) row.creationTimestamp = svc.object.metadata.creationTimestamp
      if (spec.selector) row.selector = formatSelector(spec.selector)
      return row
    })
}
