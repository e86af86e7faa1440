// Free loopback ports for the real servers the tests start (NSD, the real control plane's components).
import {createSocket} from 'node:dgram'
import {createServer} from 'node:net'

/** A port free on 127.0.0.1 for TCP and (with `udp`) UDP at the time of asking. */
export async function freePort(options: {udp?: boolean} = {udp: true}): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer()
      srv.once('error', reject)
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as {port: number}).port
        srv.close(() => resolve(p))
      })
    })
    if (!options.udp) return port
    const udpFree = await new Promise<boolean>((resolve) => {
      const sock = createSocket('udp4')
      sock.once('error', () => resolve(false))
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)))
    })
    if (udpFree) return port
  }
  throw new Error('no free loopback port')
}
