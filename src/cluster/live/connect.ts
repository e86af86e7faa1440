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

export function connect(options: ConnectOptions): Connection {
  const config = loadKubeconfig(options)
  const client = new KubeClient(config, {timeoutMs: options.timeoutMs, log: options.log})
  options.log?.(`context ${config.context}, server ${config.server}, kubeconfig ${config.source}`)
  return {client, config, namespace: options.namespace ?? config.namespace ?? 'default'}
}
