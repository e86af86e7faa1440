// A pod's DNS identity: its hostname.subdomain name, the endpoint names it has in every Service it backs, its
// pod record, and the resolv.conf and /etc/hosts kubelet writes for it. Pure.
import {isPodReady, missingEndpointSlices, podIps, podStatus} from '../cluster/derive.js'
import {matchesServiceSelector} from '../cluster/labels.js'
import {type ClusterSnapshot, type Pod, namespaceOf} from '../cluster/types.js'
import {dashedIp} from './ip.js'
import type {ClusterDns} from './model.js'
import {podHostname, podHostsFile} from './hosts.js'
import type {Rcode, ResourceRecord} from './records.js'
import {type DnsOption, type DnsPolicy, clusterDnsContext, podResolvConf, renderResolvConf, resolverContext} from './resolver.js'

export interface NamedAnswer {
  name: string
  type: string
  rcode: Rcode | null
  answers: ResourceRecord[]
  notes?: string[]
}

export interface PodIdentity {
  /** `status` is what kubectl shows (Terminating while the pod is being deleted), `phase` the API's. */
  pod: {name: string; namespace: string; ips: string[]; phase: string; status: string; ready: boolean; node?: string; hostname: string; subdomain?: string}
  /** `<hostname>.<subdomain>.<ns>.svc.<zone>` and whether DNS serves it. */
  hostnameRecord?: NamedAnswer & {service: string; headlessServiceExists: boolean}
  endpointNames: (NamedAnswer & {service: string; ready: boolean})[]
  podRecords: NamedAnswer[]
  resolvConf: {policy: DnsPolicy; effectivePolicy: DnsPolicy; nameservers: string[]; searches: string[]; options: DnsOption[]; ndots: number; text: string}
  /** null for hostNetwork pods, which see the node's /etc/hosts. */
  hosts: string | null
  notes: string[]
}

export function podIdentity(model: ClusterDns, snapshot: ClusterSnapshot, pod: Pod): PodIdentity {
  const ns = namespaceOf(pod)
  const zone = model.settings.clusterDomain
  const spec = pod.spec ?? {containers: []}
  const ips = podIps(pod)
  const hostname = podHostname(pod.metadata.name, spec.hostname)
  const notes: string[] = []
  const ask = (name: string, type: string): NamedAnswer => {
    const a = model.answer(name, type)
    const out: NamedAnswer = {name, type, rcode: a.rcode, answers: a.answers}
    if (a.notes?.length && (a.rcode !== 'NOERROR' || a.answers.length === 0)) out.notes = a.notes
    return out
  }
  const dns = clusterDnsContext(model)
  if (dns.assumed) notes.push(`cluster DNS Service kube-system/kube-dns is not in the input; nameserver ${dns.ips.join(', ')} is kubeadm's default`)
  // With the nodes' resolver when kdisco was given it (--node-resolv-conf): kubelet appends its search domains.
  const conf = podResolvConf({namespace: ns, dnsPolicy: spec.dnsPolicy, hostNetwork: spec.hostNetwork, dnsConfig: spec.dnsConfig}, resolverContext(model))
  notes.push(...conf.notes)
  const resolvConf: PodIdentity['resolvConf'] = {
    policy: conf.policy,
    effectivePolicy: conf.effectivePolicy,
    nameservers: conf.nameservers,
    searches: conf.searches,
    options: conf.options,
    ndots: conf.ndots,
    text: renderResolvConf(conf),
  }
  const identity: PodIdentity = {
    pod: {name: pod.metadata.name, namespace: ns, ips, phase: pod.status?.phase ?? 'Unknown', status: podStatus(pod), ready: isPodReady(pod), hostname, ...(spec.nodeName ? {node: spec.nodeName} : {})},
    endpointNames: [],
    podRecords: [],
    resolvConf,
    hosts: null,
    notes,
  }
  if (spec.subdomain) {
    identity.pod.subdomain = spec.subdomain
    const svc = model.service(ns, spec.subdomain)
    const headless = svc?.kind === 'Headless'
    const name = `${hostname}.${spec.subdomain}.${ns}.svc.${zone}.`
    const family = ips.some((ip) => ip.includes(':')) && !ips.some((ip) => !ip.includes(':')) ? 'AAAA' : 'A'
    identity.hostnameRecord = {...ask(name, family), service: spec.subdomain, headlessServiceExists: headless}
    if (!svc) notes.push(`no Service named ${spec.subdomain} in ${ns}: create a headless Service with that name (clusterIP: None) selecting this pod to get ${name}`)
    else if (!headless) notes.push(`Service ${ns}/${spec.subdomain} is not headless: the hostname.subdomain name is served only through a headless Service`)
  }
  // Endpoint names in every Service this pod backs (any Service type: CoreDNS serves them for all).
  const seen = new Set<string>()
  for (const svc of model.allServices()) {
    if (svc.namespace !== ns) continue
    for (const ep of model.endpointsOf(svc.namespace, svc.name)) {
      const mine = ep.podName === pod.metadata.name || (!ep.podName && ips.includes(ep.address))
      if (!mine) continue
      const name = `${ep.endpointName}.${model.serviceFqdn(svc)}`
      const type = ep.address.includes(':') ? 'AAAA' : 'A'
      if (seen.has(name + type)) continue
      seen.add(name + type)
      identity.endpointNames.push({...ask(name, type), service: svc.name, ready: ep.ready})
    }
  }
  const derived = [...new Set(identity.endpointNames.map((e) => e.service))].filter((s) => model.sliceOrigins(ns, s).some((o) => o !== 'observed'))
  if (derived.length > 0) notes.push(`its endpoints in ${derived.join(', ')} are derived from the pods by kdisco: the input has no EndpointSlices for them`)
  // On a live cluster, Services that select this pod but have no EndpointSlice give it no endpoint names.
  for (const svc of model.allServices()) {
    if (svc.namespace !== ns || !matchesServiceSelector(svc.object.spec?.selector, pod.metadata.labels)) continue
    const sliceless = missingEndpointSlices(snapshot, svc.object)
    if (sliceless) notes.push(`${sliceless.message}. ${sliceless.hint}`)
  }
  for (const ip of ips) {
    identity.podRecords.push(ask(`${dashedIp(ip)}.${ns}.pod.${zone}.`, ip.includes(':') ? 'AAAA' : 'A'))
  }
  if (model.settings.pods === 'disabled') notes.push('pod records (a-b-c-d.<ns>.pod.<zone>) are disabled in this Corefile ("pods disabled")')
  const domain = spec.subdomain ? `${spec.subdomain}.${ns}.svc.${zone}` : undefined
  identity.hosts = podHostsFile({hostname, domain, podIps: ips, hostAliases: spec.hostAliases, hostNetwork: spec.hostNetwork}) ?? null
  return identity
}
