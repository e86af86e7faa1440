// RBAC as the README writes it, for tests against the real API server's authorizer: the ClusterRoles in README's
// YAML blocks (so a test fails when README and reality diverge), and ServiceAccounts bound to exactly the roles a
// test names, each with a kubeconfig of its own.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {loadAll} from 'js-yaml'
import type {ApiObject} from './api.js'
import type {RealCluster} from './cluster.js'
import {REPO_ROOT} from './components.js'
import {waitUntil} from './processes.js'

export interface Rule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

export type ClusterRole = ApiObject & {rules: Rule[]}

/** Every ClusterRole in README.md's ```yaml blocks, by name. */
export function readmeClusterRoles(readme = join(REPO_ROOT, 'README.md')): Map<string, ClusterRole> {
  const roles = new Map<string, ClusterRole>()
  for (const m of readFileSync(readme, 'utf8').matchAll(/```yaml\n([^]*?)```/g)) {
    for (const doc of loadAll(m[1]) as ApiObject[]) if (doc?.kind === 'ClusterRole') roles.set(doc.metadata.name, doc as ClusterRole)
  }
  return roles
}

/** A ClusterRole that is `role` with changed rules, under another name (for tests of less access). */
export function variant(role: ClusterRole, name: string, edit: (rules: Rule[]) => Rule[]): ClusterRole {
  return {...structuredClone(role), metadata: {name}, rules: edit(structuredClone(role.rules))}
}

export interface Grant {
  /** A ClusterRole object (applied) or the name of one that exists. */
  role: ClusterRole | string
  /** Bound in this namespace only (RoleBinding); cluster-wide (ClusterRoleBinding) without it. */
  namespace?: string
}

const used = new Set<string>()

/**
 * A ServiceAccount bound to exactly `grants` (nothing else but what every authenticated user has), and a
 * kubeconfig with its token whose context namespace is `namespace`. Each name once per cluster: bindings add up.
 */
export async function serviceAccountKubeconfig(c: RealCluster, name: string, grants: Grant[], namespace = 'default'): Promise<string> {
  if (used.has(name)) throw new Error(`ServiceAccount ${name} is bound already: use a name per set of grants`)
  used.add(name)
  const home = 'kdisco-rbac'
  await c.createNamespace(home)
  const token = await c.serviceAccountToken(home, name)
  const subject = {kind: 'ServiceAccount', name, namespace: home}
  for (const [i, g] of grants.entries()) {
    const role = typeof g.role === 'string' ? ((await c.api.get('ClusterRole', undefined, g.role)) as ClusterRole) : g.role
    if (typeof g.role !== 'string') await c.api.apply(role)
    const roleRef = {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name}
    const metadata = {name: `${name}-${i}`, ...(g.namespace ? {namespace: g.namespace} : {})}
    await c.api.apply({apiVersion: 'rbac.authorization.k8s.io/v1', kind: g.namespace ? 'RoleBinding' : 'ClusterRoleBinding', metadata, roleRef, subjects: [subject]})
    // The authorizer learns of bindings through its informers: wait until the role's first rule is in force.
    const rule = role.rules[0]
    const [group, resource, verb] = [rule.apiGroups[0], rule.resources[0], rule.verbs[0]]
    const [res, sub] = resource.split('/')
    await waitUntil(
      `${name} may ${verb} ${resource}`,
      async () => {
        const review = await c.api.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {user: `system:serviceaccount:${home}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${home}`, 'system:authenticated'], resourceAttributes: {group, resource: res, subresource: sub, verb, namespace: g.namespace ?? namespace}},
        })
        return review.status?.allowed === true
      },
      {timeoutMs: 10000, intervalMs: 50},
    )
  }
  return c.writeKubeconfig(`${name}.kubeconfig`, {token}, namespace)
}
