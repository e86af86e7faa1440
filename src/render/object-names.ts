// -o name as kubectl prints it: RESOURCE[.GROUP]/NAME, one a line, never the namespace (kubectl get -A -o name
// prints none either), so the lines go straight into kubectl (… -o name | xargs kubectl describe -n NS).

/** kubectl's resource names, with the API group for kinds outside the core group (statefulset.apps). */
const RESOURCES: Record<string, string> = {
  Service: 'service',
  Pod: 'pod',
  ConfigMap: 'configmap',
  ServiceAccount: 'serviceaccount',
  Namespace: 'namespace',
  Endpoints: 'endpoints',
  EndpointSlice: 'endpointslice.discovery.k8s.io',
  StatefulSet: 'statefulset.apps',
  Deployment: 'deployment.apps',
  ReplicaSet: 'replicaset.apps',
  DaemonSet: 'daemonset.apps',
  Job: 'job.batch',
  CronJob: 'cronjob.batch',
  Ingress: 'ingress.networking.k8s.io',
  ClusterRole: 'clusterrole.rbac.authorization.k8s.io',
  ClusterRoleBinding: 'clusterrolebinding.rbac.authorization.k8s.io',
}

/** "StatefulSet data/web" (or "ClusterRole system:coredns") as kubectl names it: statefulset.apps/web; undefined for what is no object (KD123 names a DNS answer: "A web.shop.svc.cluster.local."). */
export function kubectlName(object: string): string | undefined {
  const m = /^([A-Z][a-z][A-Za-z]*) (?:[^/\s]+\/)?([^/\s]+)$/.exec(object)
  if (!m) return undefined
  return `${RESOURCES[m[1]] ?? m[1].toLowerCase()}/${m[2]}`
}

/** Each object once, in the order given, as kubectl -o name lines (with the final newline when there are any). */
export function nameLines(objects: string[]): string {
  const names = [...new Set(objects.map(kubectlName).filter((n): n is string => n !== undefined))]
  return names.map((n) => `${n}\n`).join('')
}
