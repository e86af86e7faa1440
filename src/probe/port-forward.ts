// --probe port-forward: DNS over TCP (2-byte length framing) through the API server's pods/portforward to EACH
// ready cluster DNS pod, so replicas that disagree are found. No image, no pod created. Websocket subprotocol
// v4.channel.k8s.io (kubelet's websocket port-forward refuses portforward.k8s.io, the SPDY name, with a bare 403):
// channel 0 carries data and channel 1 errors; each channel's first frame is the port.
import type {Observed} from '../compare/verdict.js'
import {ExitCode, KdiscoError} from '../errors.js'
import {ApiError} from '../cluster/live/client.js'
import {commandName} from '../invocation.js'
import type {Connection} from '../cluster/live/connect.js'
import {CLUSTER_DNS_NAMESPACE as DNS_NAMESPACE, CLUSTER_DNS_SERVICE, type EndpointSlice, type Pod, SERVICE_NAME_LABEL} from '../cluster/types.js'
import type {Progress} from '../render/progress.js'
import {type ProbeQuestion, type Vantage, observedKey} from './index.js'
import {answersQuestion, decodeReply, encodeQuery, observedReply, takeTcpMessages, tcpFrame} from './wire.js'
import {podPath} from './pod.js'
import {openStream} from './websocket.js'
import {byCodeUnits} from '../order.js'

/** The ready pods behind the kube-dns Service (its EndpointSlices), else pods labelled k8s-app=kube-dns. */
export async function dnsPods(conn: Connection): Promise<{name: string; port: number}[]> {
  const slices = await conn.client
    .list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${DNS_NAMESPACE}/endpointslices`, {labelSelector: `${SERVICE_NAME_LABEL}=${CLUSTER_DNS_SERVICE}`}, {expect: {kind: 'EndpointSlice', namespace: DNS_NAMESPACE}})
    .catch((error) => {
      // Not readable (RBAC, an old cluster): the pods' labels say the same. A malformed answer is an error.
      if (error instanceof ApiError) return {items: [] as EndpointSlice[]}
      throw error
    })
  const pods = new Map<string, number>()
  for (const s of slices.items) {
    const port = s.ports?.find((p) => (p.protocol ?? 'TCP') === 'TCP' && p.port)?.port ?? 53
    for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false && e.targetRef?.kind === 'Pod' && e.targetRef.name) pods.set(e.targetRef.name, port)
  }
  if (pods.size === 0) {
    const list = await conn.client.list<Pod>(podPath(DNS_NAMESPACE), {labelSelector: 'k8s-app=kube-dns'}, {expect: {kind: 'Pod', namespace: DNS_NAMESPACE}})
    for (const p of list.items) if (p.status?.phase === 'Running') pods.set(p.metadata.name, 53)
  }
  return [...pods].map(([name, port]) => ({name, port})).sort((a, b) => byCodeUnits(a.name, b.name))
}

/** Pipelines every question over one TCP stream to one DNS pod. */
async function askReplica(conn: Connection, pod: string, port: number, questions: ProbeQuestion[], timeoutMs: number): Promise<{observed: Map<string, Observed>; notes: string[]}> {
  const via = `port-forward ${DNS_NAMESPACE}/${pod}`
  const observed = new Map<string, Observed>()
  const pending = new Map<number, ProbeQuestion>()
  let buffer: Buffer = Buffer.alloc(0)
  const seenPort = [false, false]
  let ignored = 0
  let failure: string | undefined
  let finish = () => {}
  const onMessage = (data: Buffer) => {
    const channel = data[0]
    let payload = data.subarray(1)
    if (channel === 0 || channel === 1) {
      if (!seenPort[channel]) {
        seenPort[channel] = true
        payload = payload.subarray(2)
      }
    }
    if (channel === 1 && payload.length > 0) {
      failure = payload.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 300)
      return finish()
    }
    if (channel !== 0) return
    const {messages, rest} = takeTcpMessages(Buffer.concat([buffer, payload]))
    buffer = rest
    for (const msg of messages) {
      if (msg.length < 12) {
        ignored++ // not a DNS message
        continue
      }
      const id = msg.readUInt16BE(0)
      const q = pending.get(id)
      if (!q) {
        ignored++
        continue
      }
      let reply
      try {
        reply = decodeReply(msg)
      } catch (error) {
        pending.delete(id)
        observed.set(observedKey(q.name, q.type), {rcode: null, answers: [], via, error: `malformed reply: ${(error as Error).message}`})
        if (pending.size === 0) finish()
        continue
      }
      // The ID of a question in flight but another question: not its answer (dig matches both).
      if (!answersQuestion(reply, q.name, q.type)) {
        ignored++
        continue
      }
      pending.delete(id)
      observed.set(observedKey(q.name, q.type), observedReply(reply, via))
      if (pending.size === 0) finish()
    }
  }
  const socket = await openStream(conn, `${podPath(DNS_NAMESPACE, pod)}/portforward?ports=${port}`, ['v4.channel.k8s.io'], onMessage).catch((error) => {
    if (!(error instanceof ApiError && error.status === 403)) throw error
    // The API server's message for the create check of a websocket upgrade names no verb: "… is forbidden: ".
    const msg = error.message.replace(/\s+/g, ' ').trim().replace(/:$/, '')
    throw new KdiscoError(`RBAC forbids create pods/portforward in ${DNS_NAMESPACE}/${pod}: ${msg}`, {hint: `The port-forward probe needs get and create on pods/portforward in ${DNS_NAMESPACE} (see README, "RBAC per probe"); or use --probe pod`, exitCode: ExitCode.CLUSTER})
  })
  await new Promise<void>((resolve) => {
    finish = () => (clearTimeout(timer), socket.close(), resolve())
    const timer = setTimeout(finish, timeoutMs + 1000 * Math.ceil(questions.length / 100))
    socket.on('close', () => {
      // The DNS pod (or the API server) hung up before every question had its answer.
      if (pending.size > 0) failure ??= buffer.length > 0 ? 'the connection closed in the middle of a DNS message' : 'the connection closed before every question had its answer'
      clearTimeout(timer)
      resolve()
    })
    socket.on('error', (e) => ((failure = e.message), finish()))
    if (failure) return finish()
    const frames: Buffer[] = []
    questions.forEach((q, i) => {
      const id = (i % 65535) + 1
      try {
        frames.push(tcpFrame(encodeQuery(q.name, q.type, id)))
        pending.set(id, q)
      } catch (error) {
        observed.set(observedKey(q.name, q.type), {rcode: null, answers: [], via, error: (error as Error).message})
      }
    })
    if (pending.size === 0) return finish()
    socket.send(Buffer.concat([Buffer.from([0]), ...frames]))
  })
  for (const q of pending.values()) observed.set(observedKey(q.name, q.type), {rcode: null, answers: [], via, error: failure ?? `no answer within ${timeoutMs / 1000}s`})
  const notes = ignored > 0 ? [`${via}: ignored ${ignored} ${ignored === 1 ? 'message' : 'messages'} that answered no question asked (another ID or question), as dig does`] : []
  return {observed, notes}
}

export async function probePortForward(conn: Connection, questions: ProbeQuestion[], options: {timeoutMs: number; progress: Progress}): Promise<Vantage[]> {
  if (questions.length > 65535) throw new KdiscoError(`--probe port-forward asks at most 65535 names per run (${questions.length} given)`, {hint: 'Narrow the query', exitCode: ExitCode.USAGE})
  options.progress.phase('finding the cluster DNS pods')
  const pods = await dnsPods(conn)
  if (pods.length === 0) throw new KdiscoError(`No ready cluster DNS pod found in ${DNS_NAMESPACE} (Service ${CLUSTER_DNS_SERVICE})`, {hint: `Run ${commandName()} dns doctor to see why`, exitCode: ExitCode.CLUSTER})
  options.progress.phase(`asking ${pods.length} DNS ${pods.length === 1 ? 'pod' : 'pods'} over port-forward`)
  return Promise.all(pods.map(async (p) => ({via: `port-forward ${DNS_NAMESPACE}/${p.name}`, ...(await askReplica(conn, p.name, p.port, questions, options.timeoutMs))})))
}
