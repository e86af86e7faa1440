// Kubeconfig exactly like kubectl: --kubeconfig, else KUBECONFIG (several paths merged, first one wins), else
// ~/.kube/config, else the in-cluster service account; --context; namespace from -n, the context, or default.
// Each file is read by kdisco (YAML 1.2, aliases bounded) and checked against the fields kubectl reads before
// client-node sees it; the user's credentials (token, tokenFile, basic auth, exec plugin) are kdisco's to use
// (credentials.ts), and are never sent over plain http.
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'
import {ExitCode, KdiscoError, quote} from '../../errors.js'
import {TooLarge, readBounded} from '../../read-bounded.js'
import {kubeconfigProblem} from '../schema.js'
import {KubeConfig} from './kube.js'

export interface KubeconfigOptions {
  kubeconfig?: string
  context?: string
}

/** An exec credential plugin as the kubeconfig declares it. */
export interface ExecConfig {
  command: string
  args?: string[]
  env?: {name: string; value: string}[]
  apiVersion?: string
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always'
  provideClusterInfo?: boolean
  installHint?: string
}

/** The current context's user, as written in its kubeconfig, and the directory relative paths start from. */
export interface KubeconfigUser {
  name: string
  token?: string
  tokenFile?: string
  username?: string
  password?: string
  exec?: ExecConfig
  authProvider?: {name: string; config?: Record<string, string>}
  /** The directory of the kubeconfig file that defines the user. */
  dir: string
}

export interface LoadedKubeconfig {
  /** client-node's configuration: TLS (CA, client certificate, verification) and auth-provider plugins. */
  kc: KubeConfig
  context: string
  /** The server URL requests go to. Never shown: see `display`. */
  server: string
  /** The server URL as messages show it: userinfo (a password) redacted. */
  display: string
  /** The context's namespace, if it names one. */
  namespace?: string
  /** Where the configuration came from (paths, or "in-cluster"). Never holds credentials. */
  source: string
  /** The --kubeconfig given, if any (a command kdisco prints for the user to run repeats it). */
  kubeconfigFlag?: string
  /** The user's credentials as the kubeconfig gives them (none in-cluster: client-node reads the token there). */
  user?: KubeconfigUser
  /** The cluster fields an exec plugin may be given (provideClusterInfo). */
  cluster: {server: string; certificateAuthorityData?: string; insecureSkipTlsVerify?: boolean; tlsServerName?: string}
}

/** A URL as kdisco shows it: any userinfo (user:password@) replaced by "***". */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')
}

/** Largest kubeconfig file kdisco reads. */
const MAX_KUBECONFIG_BYTES = 16 << 20

type RawUser = {token?: string; tokenFile?: string; 'token-file'?: string; username?: string; password?: string; exec?: ExecConfig; 'auth-provider'?: {name: string; config?: Record<string, string>}} & Record<string, unknown>
interface RawConfig {
  clusters?: {name: string; cluster: Record<string, unknown> & {server: string}}[]
  users?: {name: string; user?: RawUser}[]
  contexts?: {name: string; context: {cluster: string; user?: string; namespace?: string}}[]
  'current-context'?: string
}

function configError(message: string, hint = 'Check --kubeconfig or KUBECONFIG'): KdiscoError {
  return new KdiscoError(message, {hint, exitCode: ExitCode.USAGE})
}

/** One kubeconfig file: read, parsed, checked; the users' credentials kept for kdisco, the rest for client-node. */
async function loadFile(path: string): Promise<{kc: KubeConfig; users: Map<string, KubeconfigUser>; raw: RawConfig}> {
  let bytes: Buffer
  try {
    bytes = readBounded(path, MAX_KUBECONFIG_BYTES)
  } catch (error) {
    if (error instanceof TooLarge) throw configError(`Kubeconfig ${path} is larger than ${MAX_KUBECONFIG_BYTES >> 20} MiB`)
    const code = (error as NodeJS.ErrnoException).code
    throw configError(`Cannot read kubeconfig ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message.split('\n')[0]}`)
  }
  let text = bytes.toString('utf8')
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  let raw: unknown
  // YAML 1.2 as for manifests (the parser is loaded only when a file is there to parse); aliases bounded; a repeated
  // key refused, as kubectl does.
  const {YAMLException, constructFromEvents, parseEvents} = await import('js-yaml')
  try {
    raw = constructFromEvents(parseEvents(text, {filename: path}), {source: text, maxAliases: 100})[0]
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error
    throw configError(`Kubeconfig ${path}${error.mark ? `:${error.mark.line + 1}` : ''}: invalid YAML: ${error.reason}`)
  }
  // An empty file is an empty configuration, as for kubectl.
  if (raw === undefined || raw === null) raw = {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw configError(`Kubeconfig ${path} is not a kubeconfig: expected a mapping, found ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}`)
  const problem = kubeconfigProblem(raw as Record<string, unknown>)
  if (problem) throw configError(`Kubeconfig ${path}: ${problem}`)
  const config = raw as RawConfig
  const users = new Map<string, KubeconfigUser>()
  for (const u of config.users ?? []) {
    if (users.has(u.name)) continue
    const user = u.user ?? {}
    users.set(u.name, {
      name: u.name,
      token: user.token || undefined,
      tokenFile: user.tokenFile || user['token-file'] || undefined,
      username: user.username || undefined,
      password: user.password || undefined,
      exec: user.exec,
      authProvider: user['auth-provider'],
      dir: dirname(path),
    })
  }
  // client-node gets the TLS fields and auth-provider plugins only: kdisco runs the other credentials itself.
  const forClientNode = {
    ...config,
    users: (config.users ?? []).map((u) => {
      const {token: _t, tokenFile: _f, 'token-file': _g, username: _u, password: _p, exec: _e, ...tls} = u.user ?? {}
      return {...u, user: tls}
    }),
  }
  const kc = new KubeConfig()
  try {
    kc.loadFromString(JSON.stringify(forClientNode))
    kc.makePathsAbsolute(dirname(path))
  } catch (error) {
    throw configError(`Kubeconfig ${path}: ${(error as Error).message.split('\n')[0]}`)
  }
  return {kc, users, raw: config}
}

type Named = {name: string}

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

/** The kinds of credentials a user has, in kubectl's words. */
function credentialKinds(user: KubeconfigUser | undefined, authProvider: boolean): string[] {
  const kinds: string[] = []
  if (user?.token) kinds.push('token')
  if (user?.tokenFile) kinds.push('tokenFile')
  if (user?.username || user?.password) kinds.push('basic auth')
  if (user?.exec) kinds.push('exec plugin')
  if (authProvider) kinds.push('auth-provider')
  return kinds
}

export async function loadKubeconfig(options: KubeconfigOptions, env: NodeJS.ProcessEnv = process.env): Promise<LoadedKubeconfig> {
  let kc: KubeConfig
  let source: string
  const users = new Map<string, KubeconfigUser>()
  const addUsers = (more: Map<string, KubeconfigUser>) => {
    for (const [name, user] of more) if (!users.has(name)) users.set(name, user)
  }
  const paths = options.kubeconfig ? [options.kubeconfig] : (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  if (paths.length > 0) {
    const existing = options.kubeconfig ? paths : paths.filter((p) => existsSync(p))
    if (existing.length === 0) throw configError(`None of the KUBECONFIG files exist (${paths.join(delimiter)})`, 'Fix KUBECONFIG or pass --kubeconfig')
    const loaded: Awaited<ReturnType<typeof loadFile>>[] = []
    for (const path of existing) loaded.push(await loadFile(path))
    for (const l of loaded) addUsers(l.users)
    kc = loaded.length === 1 ? loaded[0].kc : merge(loaded.map((l) => l.kc))
    source = existing.join(delimiter)
  } else if (existsSync(join(env.HOME ?? homedir(), '.kube', 'config'))) {
    source = join(env.HOME ?? homedir(), '.kube', 'config')
    const loaded = await loadFile(source)
    addUsers(loaded.users)
    kc = loaded.kc
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) {
    kc = new KubeConfig()
    kc.loadFromCluster()
    source = 'in-cluster service account'
  } else {
    throw new KdiscoError('No kubeconfig found (KUBECONFIG is unset, ~/.kube/config does not exist, not running in a pod)', {
      hint: 'Pass --kubeconfig FILE, or read manifests with -f',
      exitCode: ExitCode.CLUSTER,
    })
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const names = kc.getContexts().map((c) => quote(c.name).slice(1, -1))
      throw new KdiscoError(`Context ${quote(options.context)} not found in ${source}`, {hint: names.length ? `Available contexts: ${names.slice(0, 8).join(', ')}` : 'The kubeconfig has no contexts', exitCode: ExitCode.USAGE})
    }
    kc.setCurrentContext(options.context)
  }
  const contextName = kc.getCurrentContext()
  const cluster = kc.getCurrentCluster()
  if (!cluster) {
    throw new KdiscoError(contextName ? `Context ${quote(contextName)} names no cluster` : `No current context in ${source}`, {hint: 'Pass --context NAME (kubectl config get-contexts lists them)', exitCode: ExitCode.USAGE})
  }
  const display = redactUrl(cluster.server)
  let url: URL | undefined
  try {
    url = new URL(cluster.server)
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname)
    throw configError(`The server of cluster ${quote(cluster.name)} in ${source} is not an http(s) URL: ${quote(display)}`, 'Fix clusters[].cluster.server in the kubeconfig')
  const contextObject = kc.getContextObject(contextName)
  const user = contextObject?.user !== undefined ? users.get(contextObject.user) : undefined
  // Nothing secret goes over plain http: no token, password, plugin output or URL userinfo.
  if (url.protocol === 'http:') {
    const kinds = credentialKinds(user, Boolean(kc.getCurrentUser()?.authProvider))
    if (url.username || url.password) kinds.push('userinfo in the server URL')
    if (kinds.length > 0)
      throw configError(`Refusing to send credentials (${kinds.join(', ')}) of context ${quote(contextName)} over plain http to ${display}`, 'Use the https:// URL of the API server, or a user without credentials')
  }
  const raw = cluster as {caData?: string; skipTLSVerify?: boolean; tlsServerName?: string}
  return {
    kc,
    context: contextName || '(in-cluster)',
    server: cluster.server,
    display,
    namespace: contextObject?.namespace || undefined,
    source,
    kubeconfigFlag: options.kubeconfig,
    user,
    cluster: {server: cluster.server, certificateAuthorityData: raw.caData, insecureSkipTlsVerify: raw.skipTLSVerify, tlsServerName: raw.tlsServerName},
  }
}
