// The rules bound to CoreDNS's ServiceAccount (kube-system/coredns) through ClusterRoleBindings, for dns doctor.
import type {CorednsRbac, RbacRule} from '../../explain/doctor.js'
import {CLUSTER_DNS_NAMESPACE} from '../types.js'
import {ApiError, type KubeClient} from './client.js'

const RBAC = '/apis/rbac.authorization.k8s.io/v1'

interface Binding {
  metadata: {name: string}
  roleRef?: {kind: string; name: string}
  subjects?: {kind: string; name: string; namespace?: string}[]
}

export async function readCorednsRbac(client: KubeClient): Promise<CorednsRbac> {
  try {
    const bindings = await client.list<Binding>(`${RBAC}/clusterrolebindings`, {}, {expect: {kind: 'ClusterRoleBinding'}})
    const roles = bindings.items
      .filter((b) => b.roleRef?.kind === 'ClusterRole' && (b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.name === 'coredns' && s.namespace === CLUSTER_DNS_NAMESPACE))
      .map((b) => b.roleRef!.name)
    const rules: RbacRule[] = []
    for (const name of [...new Set(roles)]) {
      const role = await client.get<{rules?: RbacRule[]}>(`${RBAC}/clusterroles/${encodeURIComponent(name)}`, undefined, {kind: 'ClusterRole'}).catch((error) => {
        if (error instanceof ApiError && error.status === 404) return {rules: []}
        throw error
      })
      for (const rule of role.rules ?? []) rules.push(rule)
    }
    return {rules, roles: [...new Set(roles)]}
  } catch (error) {
    if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return {unavailable: `cannot read ClusterRoleBindings/ClusterRoles (${error.status}): ${error.message.replace(/\s+/g, ' ')}`}
    throw error
  }
}
