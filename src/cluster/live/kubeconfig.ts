// Kubeconfig exactly like kubectl: --kubeconfig, else KUBECONFIG (several paths merged, first one wins), else
// ~/.kube/config, else the in-cluster service account; --context; namespace from -n, the context, or default.
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'
import {ExitCode, KdiscoError} from '../../errors.js'
import {KubeConfig} from './kube.js'

export interface KubeconfigOptions {
  kubeconfig?: string
  context?: string
}

export interface LoadedKubeconfig {
  kc: KubeConfig
  context: string
  server: string
  /** The context's namespace, if it names one. */
  namespace?: string
  /** Where the configuration came from (paths, or "in-cluster"). Never holds credentials. */
  source: string
}

type Named = {name: string}

function loadFile(path: string): KubeConfig {
  const kc = new KubeConfig()
  try {
    kc.loadFromFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new KdiscoError(`cannot read kubeconfig ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message.split('\n')[0]}`, {
      hint: 'Check --kubeconfig or KUBECONFIG',
      exitCode: ExitCode.USAGE,
    })
  }
  return kc
}

/** kubectl's merge rules: the first file to define a name wins, and the first current-context set wins. */
function merge(configs: KubeConfig[]): KubeConfig {
  const pick = <T extends Named>(lists: T[][]): T[] => {
    const seen = new Set<string>()
    const out: T[] = []
    for (const list of lists) for (const item of list ?? []) if (!seen.has(item.name)) (seen.add(item.name), out.push(item))
    return out
  }
  const merged = new KubeConfig()
  merged.loadFromOptions({
    clusters: pick(configs.map((c) => c.clusters)),
    users: pick(configs.map((c) => c.users)),
    contexts: pick(configs.map((c) => c.contexts)),
    currentContext: configs.map((c) => c.currentContext).find((c) => c) ?? '',
  })
  return merged
}

export function loadKubeconfig(options: KubeconfigOptions, env: NodeJS.ProcessEnv = process.env): LoadedKubeconfig {
  let kc: KubeConfig
  let source: string
  const paths = options.kubeconfig ? [options.kubeconfig] : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  if (paths.length > 0) {
    const existing = options.kubeconfig ? paths : paths.filter((p) => existsSync(p))
    if (existing.length === 0) throw new KdiscoError(`none of the KUBECONFIG files exist (${paths.join(delimiter)})`, {hint: 'Fix KUBECONFIG or pass --kubeconfig', exitCode: ExitCode.USAGE})
    kc = existing.length === 1 ? loadFile(existing[0]) : merge(existing.map(loadFile))
    source = existing.join(delimiter)
  } else if (existsSync(join(env.HOME ?? homedir(), '.kube', 'config'))) {
    source = join(env.HOME ?? homedir(), '.kube', 'config')
    kc = loadFile(source)
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) {
    kc = new KubeConfig()
    kc.loadFromCluster()
    source = 'in-cluster service account'
  } else {
    throw new KdiscoError('no kubeconfig found (KUBECONFIG is unset, ~/.kube/config does not exist, not running in a pod)', {
      hint: 'Pass --kubeconfig FILE, or read manifests with -f',
      exitCode: ExitCode.CLUSTER,
    })
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const names = kc.getContexts().map((c) => c.name)
      throw new KdiscoError(`context "${options.context}" not found in ${source}`, {hint: names.length ? `Available contexts: ${names.slice(0, 8).join(', ')}` : 'The kubeconfig has no contexts', exitCode: ExitCode.USAGE})
    }
    kc.setCurrentContext(options.context)
  }
  const contextName = kc.getCurrentContext()
  const cluster = kc.getCurrentCluster()
  if (!cluster) {
    throw new KdiscoError(contextName ? `context "${contextName}" names no cluster` : `no current context in ${source}`, {hint: 'Pass --context NAME (kubectl config get-contexts lists them)', exitCode: ExitCode.USAGE})
  }
  const namespace = kc.getContextObject(contextName)?.namespace || undefined
  return {kc, context: contextName || '(in-cluster)', server: cluster.server, namespace, source}
}
