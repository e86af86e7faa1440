// --probe ephemeral: a debug container added to an existing pod shares its network namespace and resolv.conf, so
// the lookups see what the app sees even when the app's image has no shell. Ephemeral containers cannot be removed
// from a pod (they stay in its spec, terminated, until the pod goes away): kdisco says so on stderr.
import type {Connection} from '../cluster/live/connect.js'
import type {Progress} from '../render/progress.js'
import {createError, lookupContainer, newRunId, podPath, waitForLog} from './pod.js'

export function ephemeralPatch(image: string, argv: string[], runId: string) {
  // Ephemeral containers may not set resources, ports or probes.
  const {resources: _r, ...container} = lookupContainer(`kdisco-${runId}`, image, argv)
  return {spec: {ephemeralContainers: [container]}}
}

export async function runEphemeral(conn: Connection, options: {namespace: string; pod: string; image: string; argv: string[]; deadlineSeconds: number}, progress: Progress): Promise<{log: string; container: string}> {
  const runId = newRunId()
  const patch = ephemeralPatch(options.image, options.argv, runId)
  const name = patch.spec.ephemeralContainers[0].name
  progress.phase(`adding ephemeral container ${name} to ${options.namespace}/${options.pod}`)
  await conn.client.patch(`${podPath(options.namespace, options.pod)}/ephemeralcontainers`, patch).catch((error) => {
    throw createError(error, `ephemeral container ${name}`, options.namespace)
  })
  progress.done()
  process.stderr.write(`kdisco: added ephemeral container ${name} to ${options.namespace}/${options.pod}; ephemeral containers cannot be removed, it stays (terminated) until the pod is deleted\n`)
  const log = await waitForLog(conn, options.namespace, options.pod, name, {timeoutMs: options.deadlineSeconds * 1000, progress, ephemeral: true, label: 'ephemeral container in'})
  return {log, container: name}
}
