// The catalogue of finding codes: what each KDnnn means, what to do about it, and its usual severity. SARIF's rules
// are built from it, README's table of finding codes is checked against it, and a test checks that every code
// src/explain emits is in it (and nothing else is). Types and data only.
import type {Severity} from './service.js'

export interface FindingRule {
  code: string
  /** The usual severity (SARIF's defaultConfiguration.level); a finding may say another when the evidence is weaker. */
  level: Severity
  /** One line, as README's table says it. */
  short: string
  /** What kdisco checked and why it matters. */
  full: string
  /** What to do about it. */
  help: string
}

/** README's section listing the codes (its GitHub anchor). */
export const FINDING_CODES_URL = 'https://github.com/kdisco/kdisco#finding-codes'

export const FINDING_RULES: readonly FindingRule[] = [
  {
    code: 'KD101',
    level: 'error',
    short: 'selector matches no pod, with the near-miss label',
    full: 'The Service selector matches no pod in its namespace, so it has no endpoints: its name answers NXDOMAIN (headless) or a cluster IP that leads nowhere. A warning while the pods of a StatefulSet or Deployment whose template matches are still to come.',
    help: 'Compare the selector with the pod template labels; kdisco names the pods that miss it by one label.',
  },
  {
    code: 'KD102',
    level: 'warning',
    short: 'selected pods not ready (which container, which probe)',
    full: 'Some pods the Service selects are not ready: they are left out of DNS and of the Service\'s endpoints. The finding names the containers not ready, their waiting reason, restarts and the readiness probe that fails.',
    help: 'kubectl describe pod shows the probe failures; kubectl logs --previous shows why a restarting container stopped.',
  },
  {code: 'KD103', level: 'info', short: 'only one ready endpoint', full: 'The Service has exactly one ready endpoint: no redundancy, and a restart of that pod empties DNS.', help: 'Scale the workload to 2 or more replicas.'},
  {
    code: 'KD104',
    level: 'error',
    short: 'named targetPort missing on selected pods, or a protocol mismatch with the container port',
    full: 'A named targetPort must be the name of a container port of every selected pod, with the same protocol; pods lacking it are endpoints without that port, and a protocol mismatch sends traffic nowhere.',
    help: 'Name the container port the same, use a number, or make the protocols agree.',
  },
  {code: 'KD105', level: 'warning', short: 'numeric targetPort written as a string', full: 'A targetPort such as "8080" in quotes is read as a port name, not a number, and no container port is named "8080".', help: 'Write the targetPort without quotes.'},
  {code: 'KD106', level: 'info', short: 'headless Service without ports (no SRV)', full: 'A headless Service without ports gets A/AAAA records but no SRV records.', help: 'Add named ports if clients discover ports through SRV.'},
  {code: 'KD107', level: 'error', short: 'ExternalName holding an IP', full: 'An ExternalName Service answers a CNAME to spec.externalName; an IP address there is no DNS name and CoreDNS answers NXDOMAIN.', help: 'Use a selector-less Service with an EndpointSlice for an IP, or put a DNS name in externalName.'},
  {code: 'KD108', level: 'info', short: 'ExternalName with ports', full: 'Ports on an ExternalName Service have no effect: there is no proxy and no SRV record.', help: 'Remove spec.ports, or clients must use the external port themselves.'},
  {code: 'KD109', level: 'error', short: 'no selector and no Endpoints/EndpointSlices', full: 'A Service without a selector gets its endpoints from EndpointSlices (or Endpoints) managed by hand; there are none, so nothing backs it.', help: 'Create an EndpointSlice labelled kubernetes.io/service-name=NAME, or Endpoints of the same name.'},
  {code: 'KD110', level: 'warning', short: 'deprecated `tolerate-unready-endpoints` annotation', full: 'The annotation service.alpha.kubernetes.io/tolerate-unready-endpoints is deprecated and ignored by EndpointSlices.', help: 'Set spec.publishNotReadyAddresses: true instead.'},
  {code: 'KD111', level: 'info', short: '`publishNotReadyAddresses` on a Service with a cluster IP', full: 'publishNotReadyAddresses on a Service with a cluster IP also sends proxied traffic to pods that are not ready.', help: 'It is usually meant for headless Services (peer discovery); check it is intended.'},
  {code: 'KD112', level: 'info', short: 'sessionAffinity on a headless Service', full: 'sessionAffinity is done by kube-proxy; a headless Service has no proxy, so it has no effect.', help: 'Remove sessionAffinity, or give the Service a cluster IP.'},
  {code: 'KD113', level: 'info', short: 'selected pods without a readiness probe', full: 'Pods without a readiness probe are ready, and in DNS, as soon as their containers start, before the application may listen.', help: 'Add a readinessProbe to the containers.'},
  {code: 'KD114', level: 'error', short: 'StatefulSet `serviceName` naming no Service, or one that is not headless', full: 'A StatefulSet\'s pods get per-pod DNS names only through the headless Service its serviceName names; a missing or non-headless Service means the names do not resolve.', help: 'Create a headless Service (clusterIP: None) of that name selecting the StatefulSet\'s pods, or fix serviceName.'},
  {code: 'KD115', level: 'error', short: 'headless Service that does not select its StatefulSet\'s pods', full: 'The headless Service a StatefulSet names does not select the StatefulSet\'s pods, so they get no per-pod DNS names.', help: 'Make the Service selector match spec.template.metadata.labels of the StatefulSet.'},
  {code: 'KD116', level: 'warning', short: 'pods whose `subdomain` matches no headless Service selecting them', full: 'A pod with hostname and subdomain gets hostname.subdomain.<namespace>.svc records only from a headless Service named like the subdomain that selects it.', help: 'Create a headless Service named like the subdomain whose selector matches the pods.'},
  {code: 'KD117', level: 'warning', short: 'several endpoints sharing one hostname', full: 'Several endpoints of one Service have the same hostname: the per-pod name answers all their addresses.', help: 'Give each pod its own spec.hostname (or use a StatefulSet).'},
  {code: 'KD118', level: 'error', short: 'Ingress backend naming a missing Service or a port it lacks', full: 'An Ingress routes to a Service that does not exist in its namespace, or to a port the Service does not define.', help: 'Create the Service, or fix the backend\'s service name or port.'},
  {code: 'KD119', level: 'warning', short: 'Ingress in `extensions/v1beta1` / `networking.k8s.io/v1beta1` (removed in 1.22)', full: 'The API server no longer accepts Ingress in extensions/v1beta1 or networking.k8s.io/v1beta1 (removed in Kubernetes 1.22).', help: 'Rewrite it as networking.k8s.io/v1 (backend.service.name / backend.service.port).'},
  {code: 'KD120', level: 'error', short: 'nodePort outside the node port range (`--node-port-range`, default 30000-32767)', full: 'The API server rejects a nodePort outside its --service-node-port-range.', help: 'Pick a port in the range, or leave nodePort out (--node-port-range if your cluster uses another range).'},
  {code: 'KD121', level: 'warning', short: 'LoadBalancer without an address (only where status was read)', full: 'A LoadBalancer Service whose status has no ingress address: no load-balancer controller has served it yet.', help: 'kubectl describe svc shows the events; meanwhile it is reachable on its nodePorts.'},
  {code: 'KD122', level: 'info', short: 'numeric targetPort not among the pods\' declared container ports', full: 'A numeric targetPort need not be declared, but none of the selected pods declares it: the application may not listen there.', help: 'Check the application really listens on it (kubectl port-forward pod/NAME PORT).'},
  {code: 'KD123', level: 'warning', short: 'an answer too big for one DNS message (65,535 octets): clients get only the records that fit', full: 'An answer with more records than fit in one DNS message (65,535 octets, even over TCP): clients get only those that fit.', help: 'Clients that need every endpoint should read the EndpointSlices from the API; or split the Service.'},
  {code: 'KD124', level: 'error', short: 'live: ready pods match the selector but no EndpointSlice exists (the EndpointSlice controller, RBAC, a fresh Service): DNS has no endpoints', full: 'Ready pods match the selector but the cluster has no EndpointSlice for the Service, so CoreDNS has no endpoints to answer with.', help: 'Check the EndpointSlice controller (kube-controller-manager) and its RBAC; a Service created seconds ago may just be new.'},
  {code: 'KD125', level: 'error', short: 'ExternalName pointing inside the cluster domain at a name without records: CoreDNS drops the CNAME', full: 'CoreDNS chases an ExternalName target inside the cluster domain itself; when that name has no records it drops the CNAME and the Service answers with no address.', help: 'Point externalName at a name that exists, or create that Service.'},
]

/** The rule of a code (undefined for a code that is not in the catalogue: a test keeps that from happening). */
export function findingRule(code: string): FindingRule | undefined {
  return FINDING_RULES.find((r) => r.code === code)
}
