// --probe exec: the lookup script runs inside an existing pod (its own resolv.conf and image: what that app sees),
// over the pods/exec websocket (v4.channel.k8s.io: byte 0 of each frame is the channel: 1 stdout, 2 stderr,
// 3 the final Status).
import {ExitCode, KdiscoError} from '../errors.js'
import {ApiError} from '../cluster/live/client.js'
import type {Connection} from '../cluster/live/connect.js'
import type {Progress} from '../render/progress.js'
import {podPath} from './pod.js'
import {MARK} from './script.js'
import {openStream} from './websocket.js'

/** Most output an exec session may send (the lookups of 65,535 names print a few MB). */
const MAX_EXEC_OUTPUT = 64 << 20

export interface ExecOptions {
  namespace: string
  pod: string
  container?: string
  argv: string[]
  timeoutMs: number
}

/** A refused exec upgrade, in the user's terms: a wrong container or a pod not running (400), RBAC (403). */
function execRefused(error: unknown, where: string, pod: string): unknown {
  if (!(error instanceof ApiError)) return error
  // The API server's message for the create check of a websocket upgrade names no verb: "… is forbidden: ".
  const msg = error.message.replace(/\s+/g, ' ').trim().replace(/:$/, '')
  if (error.status === 400) return new KdiscoError(`The API server refused exec in ${where}: ${msg}`, {hint: `Check --pod and -c (kubectl get pod ${pod} -o jsonpath='{.spec.containers[*].name}')`, exitCode: ExitCode.CLUSTER})
  if (error.status === 403) return new KdiscoError(`RBAC forbids create pods/exec in ${where}: ${msg}`, {hint: 'Exec needs get and create on pods/exec (see README, "RBAC per probe"); or use --probe pod', exitCode: ExitCode.CLUSTER})
  return error
}

export async function execInPod(conn: Connection, options: ExecOptions, progress: Progress): Promise<{log: string; container?: string}> {
  const q = new URLSearchParams()
  for (const a of options.argv) q.append('command', a)
  if (options.container) q.set('container', options.container)
  q.set('stdout', 'true')
  q.set('stderr', 'true')
  const where = `${options.namespace}/${options.pod}`
  progress.phase(`running the lookups in ${where}`)
  const out: Buffer[] = []
  let bytes = 0
  let status: {status?: string; message?: string; reason?: string} | undefined
  let broken: string | undefined
  const onFrame = (data: Buffer) => {
    const channel = data[0]
    if (channel === 1 || channel === 2) {
      // The script prints a few lines per name: output beyond the bound is not the script's.
      bytes += data.length - 1
      if (bytes > MAX_EXEC_OUTPUT) broken ??= `more than ${MAX_EXEC_OUTPUT >> 20} MiB of output`
      else out.push(data.subarray(1))
    } else if (channel === 3 && data.length > 1) {
      try {
        const parsed: unknown = JSON.parse(data.subarray(1).toString('utf8'))
        status = parsed && typeof parsed === 'object' ? (parsed as typeof status) : {}
      } catch {
        broken ??= 'a final status that is not JSON'
      }
    }
  }
  const socket = await openStream(conn, `${podPath(options.namespace, options.pod)}/exec?${q}`, ['v4.channel.k8s.io'], onFrame).catch((error) => {
    throw execRefused(error, where, options.pod)
  })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate()
      reject(new KdiscoError(`The lookups in ${where} did not finish within ${options.timeoutMs / 1000}s`, {hint: 'Check the pod is running, or raise --probe-deadline', exitCode: ExitCode.CLUSTER}))
    }, options.timeoutMs)
    if (socket.readyState === socket.CLOSED) return (clearTimeout(timer), resolve())
    socket.on('close', () => (clearTimeout(timer), resolve()))
    socket.on('error', (e) => (clearTimeout(timer), reject(e)))
  })
  if (broken) throw new KdiscoError(`Exec in ${where} sent ${broken}`, {hint: 'Retry; if it persists check the API server and kubelet', exitCode: ExitCode.CLUSTER})
  const log = Buffer.concat(out).toString('utf8')
  // "sh: not found" and the like: the image cannot run the script.
  if (status?.status === 'Failure' && !log.includes(`${MARK} done`)) {
    throw new KdiscoError(`Exec in ${where} failed: ${String(status.message ?? status.reason ?? 'unknown').replace(/\s+/g, ' ').slice(0, 300)}`, {hint: 'The container needs sh and dig or nslookup; try --probe ephemeral --pod ' + options.pod, exitCode: ExitCode.CLUSTER})
  }
  return {log, container: options.container}
}
