// The Kubernetes objects kdisco reads (the fields it uses, in their API JSON shape) and the ClusterSnapshot
// that every source (manifest files, live API) produces. Plain data only.

export interface ObjectMeta {
  name: string
  namespace?: string
  uid?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  creationTimestamp?: string
  deletionTimestamp?: string
  resourceVersion?: string
  ownerReferences?: {apiVersion?: string; kind: string; name: string; uid?: string; controller?: boolean}[]
}

export interface KubeObject {
  apiVersion?: string
  kind: string
  metadata: ObjectMeta
}

export interface LabelSelectorRequirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  values?: string[]
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

export interface ServicePort {
  name?: string
  protocol?: string
  port: number
  targetPort?: number | string
  nodePort?: number
  appProtocol?: string
}

export interface Service extends KubeObject {
  kind: 'Service'
  spec?: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName'
    clusterIP?: string
    clusterIPs?: string[]
    ipFamilies?: string[]
    ipFamilyPolicy?: string
    selector?: Record<string, string>
    ports?: ServicePort[]
    externalName?: string
    externalIPs?: string[]
    publishNotReadyAddresses?: boolean
    sessionAffinity?: string
    sessionAffinityConfig?: {clientIP?: {timeoutSeconds?: number}}
    externalTrafficPolicy?: string
    internalTrafficPolicy?: string
  }
  status?: {loadBalancer?: {ingress?: {ip?: string; hostname?: string}[]}}
}

export interface ObjectReference {
  kind?: string
  namespace?: string
  name?: string
  uid?: string
}

export interface EndpointConditions {
  ready?: boolean | null
  serving?: boolean | null
  terminating?: boolean | null
}

export interface SliceEndpoint {
  addresses: string[]
  conditions?: EndpointConditions
  hostname?: string
  targetRef?: ObjectReference
  nodeName?: string
  zone?: string
}

export interface EndpointPort {
  name?: string
  protocol?: string
  port?: number | null
  appProtocol?: string
}

export interface EndpointSlice extends KubeObject {
  kind: 'EndpointSlice'
  addressType: 'IPv4' | 'IPv6' | 'FQDN'
  endpoints?: SliceEndpoint[] | null
  ports?: EndpointPort[] | null
}

export interface EndpointAddress {
  ip: string
  hostname?: string
  nodeName?: string
  targetRef?: ObjectReference
}

export interface Endpoints extends KubeObject {
  kind: 'Endpoints'
  subsets?: {
    addresses?: EndpointAddress[]
    notReadyAddresses?: EndpointAddress[]
    ports?: {name?: string; port: number; protocol?: string; appProtocol?: string}[]
  }[]
}

export interface ContainerPort {
  name?: string
  containerPort: number
  protocol?: string
}

export interface Probe {
  httpGet?: {path?: string; port: number | string}
  tcpSocket?: {port: number | string}
  exec?: {command?: string[]}
  grpc?: {port: number}
  initialDelaySeconds?: number
  periodSeconds?: number
}

export interface Container {
  name: string
  image?: string
  ports?: ContainerPort[]
  readinessProbe?: Probe
}

export interface PodDnsConfig {
  nameservers?: string[]
  searches?: string[]
  options?: {name: string; value?: string}[]
}

export interface PodSpec {
  hostname?: string
  subdomain?: string
  setHostnameAsFQDN?: boolean
  hostNetwork?: boolean
  dnsPolicy?: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None'
  dnsConfig?: PodDnsConfig
  hostAliases?: {ip: string; hostnames?: string[]}[]
  nodeName?: string
  containers: Container[]
  enableServiceLinks?: boolean
}

export interface PodCondition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason?: string
  message?: string
}

export interface ContainerStatus {
  name: string
  ready: boolean
  restartCount?: number
  started?: boolean
  state?: Record<string, {reason?: string; message?: string} | undefined>
  lastState?: {terminated?: {reason?: string; exitCode?: number; finishedAt?: string}}
}

export interface Pod extends KubeObject {
  kind: 'Pod'
  spec: PodSpec
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown'
    podIP?: string
    podIPs?: {ip: string}[]
    hostIP?: string
    conditions?: PodCondition[]
    containerStatuses?: ContainerStatus[]
  }
}

export interface PodTemplate {
  metadata?: {labels?: Record<string, string>}
  spec?: PodSpec
}

export interface StatefulSet extends KubeObject {
  kind: 'StatefulSet'
  spec: {
    serviceName?: string
    replicas?: number
    selector?: LabelSelector
    template?: PodTemplate
    ordinals?: {start?: number}
  }
}

export interface Workload extends KubeObject {
  kind: 'Deployment' | 'ReplicaSet'
  spec: {replicas?: number; selector?: LabelSelector; template?: PodTemplate}
}

export interface ConfigMap extends KubeObject {
  kind: 'ConfigMap'
  data?: Record<string, string>
}

export interface Namespace extends KubeObject {
  kind: 'Namespace'
}

export interface IngressBackend {
  service?: {name: string; port?: {name?: string; number?: number}}
  serviceName?: string
  servicePort?: number | string
}

export interface Ingress extends KubeObject {
  kind: 'Ingress'
  spec?: {
    defaultBackend?: IngressBackend
    backend?: IngressBackend
    rules?: {host?: string; http?: {paths?: {path?: string; pathType?: string; backend: IngressBackend}[]}}[]
  }
}

/** Where a slice came from: the API/files as they are, or derived by kdisco the way a controller would. */
export type SliceOrigin = 'observed' | 'derived-from-pods' | 'mirrored-from-endpoints'

/** Annotation kdisco puts on slices it derived, so the mark travels with the object into every output. */
export const DERIVED_ANNOTATION = 'kdisco.io/derived'

/** The origin in words: "derived from pods", "mirrored from v1 Endpoints". */
export function describeOrigin(origin: SliceOrigin): string {
  return {'derived-from-pods': 'derived from pods', 'mirrored-from-endpoints': 'mirrored from v1 Endpoints', observed: 'observed'}[origin]
}

export function sliceOrigin(slice: EndpointSlice): SliceOrigin {
  const mark = slice.metadata.annotations?.[DERIVED_ANNOTATION]
  return mark === 'derived-from-pods' || mark === 'mirrored-from-endpoints' ? mark : 'observed'
}

/** A pod a StatefulSet will create that does not exist yet: its name is known, its IP is not. */
export interface PredictedPod {
  namespace: string
  name: string
  statefulSet: string
  serviceName: string
  hostname: string
  ordinal: number
}

/** Something in the input kdisco does not read: an object of another kind, or a file or document that is no object. */
export interface IgnoredObject {
  kind: string
  namespace?: string
  name?: string
  source: string
  /** Why, when it is not simply a kind kdisco does not read. */
  reason?: string
}

/** Something kdisco could not read (RBAC, a missing API): the snapshot is partial there, and says so. */
export interface SnapshotGap {
  resource: string
  namespace?: string
  reason: string
  message: string
}

export interface ClusterSnapshot {
  origin: 'files' | 'live'
  /** Files read, or the API server and context. */
  sources: string[]
  /** The namespace commands use when -n is not given: the flag, else the context's, else default. */
  defaultNamespace: string
  gaps: SnapshotGap[]
  /**
   * The namespaces whose Services and EndpointSlices were all read; undefined when every namespace was (files, -A).
   * A live read of one namespace cannot know what other namespaces add to cluster-wide answers (PTR).
   */
  readNamespaces?: string[]
  /** What looked wrong in the input without stopping kdisco (an absent namespace, an object defined twice): on stderr and in the JSON. */
  warnings: string[]
  namespaces: string[]
  services: Service[]
  endpointSlices: EndpointSlice[]
  endpoints: Endpoints[]
  pods: Pod[]
  statefulSets: StatefulSet[]
  workloads: Workload[]
  configMaps: ConfigMap[]
  ingresses: Ingress[]
  predictedPods: PredictedPod[]
  ignored: IgnoredObject[]
  /** Read from files: where an object was defined (the document's first line), by "Kind namespace/name" as findings name objects. */
  locate?: (ref: string) => ObjectLocation | undefined
}

/** How findings and locations name an object: "Service default/web". */
export interface ObjectLocation {
  file: string
  line?: number
}

export function objectRef(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`
}

export function emptySnapshot(origin: ClusterSnapshot['origin']): ClusterSnapshot {
  return {
    origin,
    sources: [],
    defaultNamespace: 'default',
    gaps: [],
    warnings: [],
    namespaces: [],
    services: [],
    endpointSlices: [],
    endpoints: [],
    pods: [],
    statefulSets: [],
    workloads: [],
    configMaps: [],
    ingresses: [],
    predictedPods: [],
    ignored: [],
  }
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'

/** Where cluster DNS lives: the Service pods' nameserver points at (kubeadm and most distributions). */
export const CLUSTER_DNS_NAMESPACE = 'kube-system'
export const CLUSTER_DNS_SERVICE = 'kube-dns'

export function namespaceOf(obj: KubeObject): string {
  return obj.metadata.namespace ?? 'default'
}
