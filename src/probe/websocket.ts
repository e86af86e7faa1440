// Websocket streams through the API server (pods/exec, pods/portforward), with the kubeconfig's credentials and
// TLS settings. A refused upgrade becomes the same ApiError a REST call gives (Status body, e.g. RBAC 403).
import type {ClientRequest, IncomingMessage} from 'node:http'
import {ApiError} from '../cluster/live/client.js'
import type {Connection} from '../cluster/live/connect.js'

export type Socket = import('ws').WebSocket

/** `onMessage` is attached before the handshake: frames can arrive in the same packet as the upgrade answer. */
export async function openStream(conn: Connection, pathWithQuery: string, protocols: string[], onMessage: (data: Buffer) => void): Promise<Socket> {
  const {default: WebSocket} = await import('ws')
  const {url, options} = await conn.client.upgradeTarget(pathWithQuery)
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:'
  const {headers, ca, cert, key, rejectUnauthorized} = options as {headers?: Record<string, string>; ca?: unknown; cert?: unknown; key?: unknown; rejectUnauthorized?: boolean}
  const socket = new WebSocket(url, protocols, {headers, ca, cert, key, rejectUnauthorized, handshakeTimeout: 30_000, maxPayload: 16 << 20} as ConstructorParameters<typeof WebSocket>[2])
  socket.on('message', onMessage)
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket))
    socket.once('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      let body = ''
      // A refusal is a Status of a few hundred bytes; more is not read.
      res.on('data', (c) => {
        if (body.length < 65536) body += c
      })
      res.on('end', () => {
        let parsed: unknown
        try {
          parsed = JSON.parse(body)
        } catch {
          parsed = undefined
        }
        const st = (parsed && typeof parsed === 'object' ? parsed : {}) as {message?: unknown; reason?: unknown}
        const status = {message: typeof st.message === 'string' ? st.message : body.slice(0, 200) || `HTTP ${res.statusCode}`, reason: typeof st.reason === 'string' ? st.reason : undefined}
        reject(new ApiError('GET', pathWithQuery, res.statusCode ?? 0, status))
      })
    })
    socket.once('error', reject)
  })
}
