// Where completion finds Service, pod and namespace names: the -f files of the command line, else the cluster of
// its --kubeconfig/--context, in its -n namespace. A shell waits for the answer, so the cluster gets a short deadline
// and any failure (no kubeconfig, no server, RBAC) completes nothing rather than printing an error into the prompt.
import type {KubeObject} from '../cluster/types.js'
import type {NameScope, NameSource} from './engine.js'

/** How long completion waits for the API server. */
export const COMPLETION_TIMEOUT_MS = 2000

const sorted = (names: Iterable<string>) => [...new Set(names)].sort()

async function fromFiles(scope: NameScope) {
  const {loadFileSnapshot} = await import('../cluster/files.js')
  return loadFileSnapshot({filenames: scope.filenames, recursive: scope.recursive, defaultNamespace: scope.namespace})
}

const inScope = (scope: NameScope) => (o: KubeObject) => scope.allNamespaces || (o.metadata.namespace ?? 'default') === (scope.namespace ?? 'default')

async function live(scope: NameScope) {
  const {connect} = await import('../cluster/live/connect.js')
  return connect({kubeconfig: scope.kubeconfig, context: scope.context, namespace: scope.namespace, timeoutMs: COMPLETION_TIMEOUT_MS})
}

async function liveNames(scope: NameScope, resource: 'services' | 'pods' | 'namespaces'): Promise<string[]> {
  const {client, namespace} = await live(scope)
  const path = resource === 'namespaces' || scope.allNamespaces ? `/api/v1/${resource}` : `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}`
  const {items} = await client.list<KubeObject>(path)
  return sorted(items.map((o) => o.metadata.name))
}

/** Nothing, whatever went wrong: completion never fails out loud. */
const quietly =
  (read: (scope: NameScope) => Promise<string[]>) =>
  async (scope: NameScope): Promise<string[]> => {
    try {
      return await read(scope)
    } catch {
      return []
    }
  }

export const nameSource: NameSource = {
  services: quietly(async (scope) => (scope.filenames.length ? sorted((await fromFiles(scope)).services.filter(inScope(scope)).map((s) => s.metadata.name)) : liveNames(scope, 'services'))),
  pods: quietly(async (scope) => (scope.filenames.length ? sorted((await fromFiles(scope)).pods.filter(inScope(scope)).map((p) => p.metadata.name)) : liveNames(scope, 'pods'))),
  namespaces: quietly(async (scope) => (scope.filenames.length ? sorted((await fromFiles(scope)).namespaces) : liveNames(scope, 'namespaces'))),
  contexts: quietly(async (scope) => {
    const {loadKubeconfig} = await import('../cluster/live/kubeconfig.js')
    return sorted((await loadKubeconfig({kubeconfig: scope.kubeconfig})).kc.getContexts().map((c) => c.name))
  }),
}
