// One live connection per run: kubeconfig → client. Shared by the snapshot source and the pod-side probes.
import {KubeClient} from './client.js'
import {type KubeconfigOptions, type LoadedKubeconfig, loadKubeconfig} from './kubeconfig.js'

export interface Connection {
  client: KubeClient
  config: LoadedKubeconfig
  /** -n, else the context's namespace, else default. */
  namespace: string
}

export interface ConnectOptions extends KubeconfigOptions {
  namespace?: string
  timeoutMs: number
  log?: (line: string) => void
}

// Reading state and probing share one client: the kubeconfig is read and credentials (exec plugins, tokens) are
// resolved once per run, however many stages or --wait attempts connect.
const clients = new Map<string, Promise<Omit<Connection, 'namespace'>>>()

export async function connect(options: ConnectOptions): Promise<Connection> {
  const key = JSON.stringify([options.kubeconfig, options.context, options.timeoutMs])
  let shared = clients.get(key)
  if (!shared) {
    shared = loadKubeconfig(options).then((config) => {
      options.log?.(`context ${config.context}, server ${config.display}, kubeconfig ${config.source}`)
      return {config, client: new KubeClient(config, {timeoutMs: options.timeoutMs, log: options.log})}
    })
    clients.set(key, shared)
    // A kubeconfig that failed is read again by the next caller (a test, a --wait attempt), not cached.
    shared.catch(() => clients.delete(key))
  }
  const {config, client} = await shared
  return {config, client, namespace: options.namespace ?? config.namespace ?? 'default'}
}
