// The user's credentials for each request, as kubectl gets them: a token, a tokenFile (read again whenever it
// changes, so a rotated service-account token is picked up), basic auth, or an exec credential plugin (run with no
// stdin unless its interactiveMode asks for one, bounded by --request-timeout, its output checked, cached until the
// credential expires). Auth-provider plugins are client-node's. Nothing here is ever printed or logged.
import {type SpawnOptions, spawn} from 'node:child_process'
import {statSync} from 'node:fs'
import {isAbsolute, join} from 'node:path'
import {ExitCode, KdiscoError, oneLine, quote} from '../../errors.js'
import {TooLarge, readBounded} from '../../read-bounded.js'
import type {ExecConfig, KubeconfigUser, LoadedKubeconfig} from './kubeconfig.js'

export interface Credentials {
  /** The Authorization header value. */
  authorization?: string
  /** A client certificate and key (PEM) from an exec plugin. */
  cert?: string
  key?: string
}

const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']
/** What a plugin may print: an ExecCredential is a few KB. */
const MAX_PLUGIN_STDOUT = 1 << 20
const MAX_PLUGIN_STDERR = 64 << 10
/** A token is a few KB; a token file larger than this is not one. */
const MAX_TOKEN_FILE = 1 << 20

function credentialError(message: string, hint: string, exitCode: 2 | 3 = ExitCode.CLUSTER): KdiscoError {
  return new KdiscoError(message, {hint, exitCode})
}

/** A tokenFile, read again when its size, modification time or inode changes (a projected token is rotated). */
class TokenFile {
  private stamp = ''
  private token = ''

  constructor(private readonly path: string) {}

  read(): string {
    let stamp: string
    try {
      const st = statSync(this.path)
      stamp = `${st.ino}/${st.size}/${st.mtimeMs}`
      if (stamp === this.stamp) return this.token
      // As client-go: surrounding whitespace (a trailing newline) is not part of the token.
      this.token = readBounded(this.path, MAX_TOKEN_FILE).toString('utf8').trim()
    } catch (error) {
      throw credentialError(`Cannot read the token file ${quote(this.path)}: ${error instanceof TooLarge ? `larger than ${MAX_TOKEN_FILE >> 10} KiB` : ((error as NodeJS.ErrnoException).code ?? 'unreadable')}`, 'Check users[].user.tokenFile in the kubeconfig', ExitCode.USAGE)
    }
    if (this.token === '') throw credentialError(`The token file ${quote(this.path)} is empty`, 'Check users[].user.tokenFile in the kubeconfig', ExitCode.USAGE)
    // A header value cannot hold a line break; a token with one is not a token.
    if (/[\u0000-\u001f\u007f]/.test(this.token)) throw credentialError(`The token file ${quote(this.path)} does not hold a token (it has control characters)`, 'Check users[].user.tokenFile in the kubeconfig', ExitCode.USAGE)
    this.stamp = stamp
    return this.token
  }
}

/** How the plugin's stdin is set up: none unless interactiveMode asks for a terminal and there is one. */
function stdinFor(exec: ExecConfig, command: string): {stdin: 'ignore' | 'inherit'; interactive: boolean} {
  const mode = exec.interactiveMode ?? 'IfAvailable'
  const terminal = Boolean(process.stdin.isTTY)
  if (mode === 'Never') return {stdin: 'ignore', interactive: false}
  if (mode === 'Always' && !terminal)
    throw credentialError(`The credential plugin ${quote(command)} needs a terminal (interactiveMode Always), and stdin is not one`, 'Run kdisco from a terminal, or log in first so that the plugin need not ask')
  return terminal ? {stdin: 'inherit', interactive: true} : {stdin: 'ignore', interactive: false}
}

/** One line of what a failing plugin printed on stderr: its last non-empty line. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '')
  const line = lines[lines.length - 1] ?? ''
  return oneLine(line.length > 200 ? `${line.slice(0, 200)}…` : line)
}

interface ExecResult {
  credentials: Credentials
  /** When the credential stops being valid (ms since the epoch), if the plugin says. */
  expires?: number
}

/** Runs an exec credential plugin once, as client-go does, and checks what it prints. */
export function runExecPlugin(exec: ExecConfig, options: {dir: string; timeoutMs: number; cluster?: LoadedKubeconfig['cluster']}): Promise<ExecResult> {
  const name = exec.command
  const apiVersion = exec.apiVersion ?? ''
  if (!EXEC_API_VERSIONS.includes(apiVersion))
    return Promise.reject(credentialError(`The credential plugin ${quote(name)} has apiVersion ${quote(apiVersion)}: kdisco runs ${EXEC_API_VERSIONS.join(' and ')}`, 'Fix users[].user.exec.apiVersion in the kubeconfig', ExitCode.USAGE))
  if (apiVersion.endsWith('/v1') && exec.interactiveMode === undefined)
    return Promise.reject(credentialError(`The credential plugin ${quote(name)} (${apiVersion}) does not say its interactiveMode`, 'Set users[].user.exec.interactiveMode to Never, IfAvailable or Always, as kubectl requires', ExitCode.USAGE))
  let mode: {stdin: 'ignore' | 'inherit'; interactive: boolean}
  try {
    mode = stdinFor(exec, name)
  } catch (error) {
    return Promise.reject(error)
  }
  // A relative path with a directory in it is relative to the kubeconfig's directory, as for kubectl.
  const command = name.includes('/') && !isAbsolute(name) ? join(options.dir, name) : name
  const info = {
    apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: mode.interactive,
      ...(exec.provideClusterInfo && options.cluster
        ? {
            cluster: {
              server: options.cluster.server,
              ...(options.cluster.certificateAuthorityData ? {'certificate-authority-data': options.cluster.certificateAuthorityData} : {}),
              ...(options.cluster.insecureSkipTlsVerify ? {'insecure-skip-tls-verify': true} : {}),
              ...(options.cluster.tlsServerName ? {'tls-server-name': options.cluster.tlsServerName} : {}),
            },
          }
        : {}),
    },
  }
  const env: NodeJS.ProcessEnv = {...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(info)}
  for (const e of exec.env ?? []) env[e.name] = e.value
  // An interactive plugin talks to the user on stderr; otherwise what it says there is kept for one line.
  // Not interactive: a process group of its own, so that a timeout ends whatever the plugin started too (a child
  // holding the output pipe would otherwise keep kdisco waiting). Interactive: in kdisco's group, for the terminal.
  const spawnOptions: SpawnOptions = {env, stdio: [mode.stdin, 'pipe', mode.interactive ? 'inherit' : 'pipe'], detached: !mode.interactive}
  const seconds = Math.round(options.timeoutMs / 100) / 10
  return new Promise<ExecResult>((resolve, reject) => {
    let settled = false
    const finish = (error: KdiscoError | undefined, result?: ExecResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      process.removeListener('exit', killAll)
      if (error) reject(error)
      else resolve(result!)
    }
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(command, exec.args ?? [], spawnOptions)
    } catch (error) {
      return reject(credentialError(`Cannot run the credential plugin ${quote(name)}: ${oneLine((error as Error).message)}`, exec.installHint ? oneLine(exec.installHint) : 'Check users[].user.exec.command in the kubeconfig'))
    }
    const killAll = () => {
      try {
        if (spawnOptions.detached && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
        else child.kill('SIGKILL')
      } catch {
        // already gone
      }
      child.stdout?.destroy()
      child.stderr?.destroy()
    }
    // kdisco interrupted or done while the plugin runs: the plugin goes too.
    process.once('exit', killAll)
    const timer = setTimeout(() => {
      killAll()
      finish(credentialError(`The credential plugin ${quote(name)} gave no credential within ${seconds}s`, 'It may be waiting for input or a network; run it by hand, or raise --request-timeout'))
    }, options.timeoutMs)
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk
      if (stdout.length > MAX_PLUGIN_STDOUT) {
        killAll()
        finish(credentialError(`The credential plugin ${quote(name)} printed more than ${MAX_PLUGIN_STDOUT >> 10} KiB`, 'A plugin prints one ExecCredential object'))
      }
    })
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_PLUGIN_STDERR)
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT'
      finish(credentialError(`Cannot run the credential plugin ${quote(name)}: ${missing ? 'not found' : (error.code ?? oneLine(error.message))}`, exec.installHint ? oneLine(exec.installHint) : 'Check users[].user.exec.command in the kubeconfig'))
    })
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const said = lastLine(stderr)
        return finish(credentialError(`The credential plugin ${quote(name)} failed (${signal ? `killed by ${signal}` : `exit code ${code}`})${said ? `: ${said}` : ''}`, 'Run it by hand to see why (log in again?)'))
      }
      try {
        finish(undefined, parseExecCredential(stdout, apiVersion))
      } catch (error) {
        finish(credentialError(`The credential plugin ${quote(name)} printed no valid ExecCredential: ${(error as Error).message}`, 'Run it by hand to see what it prints'))
      }
    })
  })
}

/** The credential in a plugin's output; throws an Error naming what is wrong. */
function parseExecCredential(stdout: string, apiVersion: string): ExecResult {
  let body: unknown
  try {
    body = JSON.parse(stdout)
  } catch {
    throw new Error(stdout.trim() === '' ? 'it printed nothing' : 'its output is not JSON')
  }
  const o = body as {kind?: unknown; apiVersion?: unknown; status?: {token?: unknown; clientCertificateData?: unknown; clientKeyData?: unknown; expirationTimestamp?: unknown}}
  if (!o || typeof o !== 'object' || Array.isArray(o) || o.kind !== 'ExecCredential') throw new Error('the JSON is not an ExecCredential object')
  if (o.apiVersion !== apiVersion) throw new Error(`its apiVersion is ${quote(String(o.apiVersion))}, the kubeconfig asks for ${apiVersion}`)
  const status = o.status
  if (!status || typeof status !== 'object') throw new Error('it has no status')
  const credentials: Credentials = {}
  if (status.token !== undefined) {
    if (typeof status.token !== 'string' || status.token === '' || /[\u0000-\u001f\u007f]/.test(status.token)) throw new Error('status.token is not a token')
    credentials.authorization = `Bearer ${status.token}`
  }
  if (status.clientCertificateData !== undefined || status.clientKeyData !== undefined) {
    if (typeof status.clientCertificateData !== 'string' || typeof status.clientKeyData !== 'string') throw new Error('status.clientCertificateData and status.clientKeyData must both be PEM text')
    credentials.cert = status.clientCertificateData
    credentials.key = status.clientKeyData
  }
  if (!credentials.authorization && !credentials.cert) throw new Error('status has neither a token nor a client certificate')
  let expires: number | undefined
  if (status.expirationTimestamp !== undefined) {
    expires = typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : NaN
    if (Number.isNaN(expires)) throw new Error('status.expirationTimestamp is not a time')
  }
  return {credentials, expires}
}

/**
 * The credentials of a kubeconfig user, for each request. As client-go: a token wins over a tokenFile, which wins
 * over an exec plugin; basic auth and a bearer credential together are refused.
 */
export function credentialSource(user: KubeconfigUser | undefined, options: {timeoutMs: number; cluster?: LoadedKubeconfig['cluster']}): () => Promise<Credentials> {
  if (!user) return async () => ({})
  const basic = user.username !== undefined || user.password !== undefined
  if (basic && (user.token || user.tokenFile || user.exec))
    throw credentialError(`User ${quote(user.name)} has both basic auth and a token or exec plugin`, 'Keep one authentication method per user, as kubectl requires', ExitCode.USAGE)
  if (user.token) {
    const token = user.token
    if (/[\u0000-\u001f\u007f]/.test(token)) throw credentialError(`The token of user ${quote(user.name)} has control characters`, 'Check users[].user.token in the kubeconfig', ExitCode.USAGE)
    return async () => ({authorization: `Bearer ${token}`})
  }
  if (user.tokenFile) {
    const file = new TokenFile(isAbsolute(user.tokenFile) ? user.tokenFile : join(user.dir, user.tokenFile))
    return async () => ({authorization: `Bearer ${file.read()}`})
  }
  if (basic) {
    const value = `Basic ${Buffer.from(`${user.username ?? ''}:${user.password ?? ''}`).toString('base64')}`
    return async () => ({authorization: value})
  }
  if (user.exec) {
    const exec = user.exec
    let cached: Promise<ExecResult> | undefined
    return async () => {
      const current = await (cached ??= runExecPlugin(exec, {dir: user.dir, timeoutMs: options.timeoutMs, cluster: options.cluster}).catch((error) => {
        cached = undefined
        throw error
      }))
      // Expired (a long --wait): ask the plugin again.
      if (current.expires !== undefined && current.expires <= Date.now()) {
        cached = undefined
        return (await (cached = runExecPlugin(exec, {dir: user.dir, timeoutMs: options.timeoutMs, cluster: options.cluster}))).credentials
      }
      return current.credentials
    }
  }
  return async () => ({})
}
