// Why a pod is or is not serving: readiness, failing probes, phases. Pure helpers over Pod objects.
import type {Pod, Probe} from '../cluster/types.js'

export function describeProbe(probe: Probe | undefined): string | undefined {
  if (!probe) return undefined
  if (probe.httpGet) return `readiness probe HTTP GET ${probe.httpGet.path ?? '/'} on port ${probe.httpGet.port}`
  if (probe.tcpSocket) return `readiness probe TCP connect to port ${probe.tcpSocket.port}`
  if (probe.grpc) return `readiness probe gRPC on port ${probe.grpc.port}`
  if (probe.exec) return `readiness probe exec ${(probe.exec.command ?? []).join(' ')}`
  return 'readiness probe'
}

/** "container web not ready (readiness probe HTTP GET /healthz on port http)" etc., or undefined when ready. */
export function notReadyReason(pod: Pod): string | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')
  if (ready?.status === 'True') return undefined
  const statuses = pod.status?.containerStatuses ?? []
  const parts: string[] = []
  for (const cs of statuses.filter((c) => !c.ready)) {
    const container = pod.spec?.containers?.find((c) => c.name === cs.name)
    const waiting = cs.state?.waiting?.reason
    const probe = describeProbe(container?.readinessProbe)
    parts.push(`container ${cs.name} not ready${waiting ? ` (${waiting})` : probe ? ` (${probe} failing)` : ''}`)
  }
  if (parts.length > 0) return parts.join('; ')
  if (ready?.message) return ready.message
  if (pod.status?.phase && pod.status.phase !== 'Running') return `pod is ${pod.status.phase}`
  return 'pod is not Ready'
}
