// Chooses the snapshot source: manifest files when -f is given, otherwise the live cluster (loaded lazily, so
// offline commands never import the Kubernetes client).
import type {LiveKind} from './live/source.js'
import type {ClusterSnapshot} from './types.js'

/** What a command needs from a live cluster; file input always reads everything. */
export interface SnapshotNeed {
  /** One Service by name (fewest requests); otherwise the namespace, or all namespaces with -A. */
  service?: string
  /** One pod by name (live: its GET, its namespace's Services and slices, the cluster DNS); not with -A. */
  pod?: string
  /** With `service`: also the pods its selector matches. */
  pods?: boolean
  /** With `service`: when the selector matches nothing, also read the namespace's pods (near misses). */
  nearMisses?: boolean
  /** With `service`: read every EndpointSlice of the namespace (complete PTR answers) instead of the Service's. */
  namespaceSlices?: boolean
  kinds?: LiveKind[]
  /** Label selector applied to Services (-l). */
  serviceSelector?: string
  /** The cluster DNS Service is needed (resolv.conf nameserver). */
  clusterDns?: boolean
  /** Also default/kubernetes, the API server's Service (dns doctor's control name). */
  apiService?: boolean
  /** Every namespace, whatever -n says (-n then only names the asking pod's namespace: dns lookup). */
  everyNamespace?: boolean
}

export interface SnapshotScope {
  filenames: string[]
  recursive: boolean
  namespace?: string
  allNamespaces: boolean
  kubeconfig?: string
  context?: string
  timeoutMs: number
  log?: (line: string) => void
  need: SnapshotNeed
}

export async function loadSnapshot(scope: SnapshotScope): Promise<ClusterSnapshot> {
  if (scope.filenames.length > 0) {
    const {loadFileSnapshot} = await import('./files.js')
    return loadFileSnapshot({filenames: scope.filenames, recursive: scope.recursive, defaultNamespace: scope.namespace})
  }
  const {loadLiveSnapshot} = await import('./live/source.js')
  const {need} = scope
  const {snapshot} = await loadLiveSnapshot({
    kubeconfig: scope.kubeconfig,
    context: scope.context,
    namespace: scope.namespace,
    allNamespaces: scope.allNamespaces,
    timeoutMs: scope.timeoutMs,
    log: scope.log,
    query: need.service
      ? {mode: 'service', name: need.service, pods: need.pods ?? false, nearMisses: need.nearMisses, namespaceSlices: need.namespaceSlices}
      : need.pod && !scope.allNamespaces
        ? {mode: 'pod', name: need.pod}
        : {mode: 'namespace', kinds: need.kinds ?? [], serviceSelector: need.serviceSelector, clusterDns: need.clusterDns, apiService: need.apiService},
  })
  return snapshot
}
