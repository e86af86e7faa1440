// Why a pod is or is not serving: readiness, failing probes, phases. Pure helpers over Pod objects.
import type {ContainerStatus, Pod, Probe} from '../cluster/types.js'

export function describeProbe(probe: Probe | undefined): string | undefined {
  if (!probe) return undefined
  if (probe.httpGet) return `readiness probe HTTP GET ${probe.httpGet.path ?? '/'} on port ${probe.httpGet.port}`
  if (probe.tcpSocket) return `readiness probe TCP connect to port ${probe.tcpSocket.port}`
  if (probe.grpc) return `readiness probe gRPC on port ${probe.grpc.port}`
  if (probe.exec) return `readiness probe exec ${(probe.exec.command ?? []).join(' ')}`
  return 'readiness probe'
}

/** How a container has been restarting: "OOMKilled ×4" (last termination reason, restart count), or undefined. */
export function restarts(cs: ContainerStatus): string | undefined {
  const count = cs.restartCount ?? 0
  if (count === 0) return undefined
  const last = cs.lastState?.terminated?.reason
  return last ? `${last} ×${count}` : `restarted ×${count}`
}

/**
 * Why a pod does not serve: "pod is Terminating", "container web not ready (CrashLoopBackOff, OOMKilled ×4)",
 * "container web not ready (readiness probe HTTP GET /healthz on port http failing)"…; undefined when it serves.
 */
export function notReadyReason(pod: Pod): string | undefined {
  const terminating = pod.metadata.deletionTimestamp ? 'pod is Terminating' : undefined
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
  if (ready?.status === 'True') return terminating
  const statuses = pod.status?.containerStatuses ?? []
  const parts: string[] = terminating ? [terminating] : []
  for (const cs of statuses.filter((c) => !c.ready)) {
    const container = pod.spec?.containers?.find((c) => c.name === cs.name)
    const waiting = cs.state?.waiting?.reason
    const probe = describeProbe(container?.readinessProbe)
    // What was observed (waiting, restarts) before what is only likely (the probe failing).
    const seen = [waiting, restarts(cs)].filter(Boolean).join(', ')
    const detail = seen && !waiting && probe ? `${seen}; ${probe} failing` : seen || (probe ? `${probe} failing` : '')
    parts.push(`container ${cs.name} not ready${detail ? ` (${detail})` : ''}`)
  }
  if (parts.length > (terminating ? 1 : 0)) return parts.join('; ')
  if (terminating) return terminating
  if (ready?.message) return ready.message
  if (pod.status?.phase && pod.status.phase !== 'Running') return `pod is ${pod.status.phase}`
  return 'pod is not Ready'
}
