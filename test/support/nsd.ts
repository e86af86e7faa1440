// A real authoritative DNS server (NSD, from Debian) on 127.0.0.1 and a free port, serving zones a test writes.
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, writeFileSync, readFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {freePort} from './ports.js'
import {asRoot} from './privilege.js'

export interface NsdServer {
  port: number
  stop(): Promise<void>
}

/** `at` pins the address and port (a pod's resolv.conf cannot name a port, so pod-side tests need :53). */
export async function startNsd(nsdPath: string, zones: {name: string; text: string}[], at?: {address: string; port: number}): Promise<NsdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kdisco-nsd-'))
  const port = at?.port ?? (await freePort())
  let conf = `server:\n  ip-address: ${at?.address ?? '127.0.0.1'}\n  port: ${port}\n  username: ""\n  chroot: ""\n  zonesdir: "${dir}"\n  pidfile: "${dir}/nsd.pid"\n  database: ""\n  zonelistfile: "${dir}/zone.list"\n  xfrdfile: "${dir}/xfrd.state"\n  xfrdir: "${dir}"\n  logfile: "${dir}/nsd.log"\n  server-count: 1\n  verbosity: 1\n  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0\nremote-control:\n  control-enable: no\n`
  for (const z of zones) {
    writeFileSync(join(dir, `${z.name}.zone`), z.text)
    conf += `zone:\n  name: ${z.name}\n  zonefile: ${z.name}.zone\n`
  }
  writeFileSync(join(dir, 'nsd.conf'), conf)
  // Port 53 needs root (asRoot adds sudo when the tests do not run as root).
  const [cmd, args] = (port < 1024 ? asRoot([nsdPath, '-d', '-c', join(dir, 'nsd.conf')]) : undefined) ?? [nsdPath, ['-d', '-c', join(dir, 'nsd.conf')]]
  const child: ChildProcess = spawn(cmd, args, {stdio: 'ignore'})
  const log = () => (existsSync(join(dir, 'nsd.log')) ? readFileSync(join(dir, 'nsd.log'), 'utf8') : '')
  // A big zone on a loaded machine takes NSD long to load: 35k records took nsd-checkzone 40 s on a 2-core machine
  // at load 10 (the message-size suite's zone).
  const deadline = Date.now() + 120_000
  while (!/nsd started/.test(log())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`NSD did not start: ${log()}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 3000).unref()
      }),
  }
}
