// The kubelet half of the API test server: runs what pods and exec sessions ask for on THIS machine with real
// programs (dig, nslookup, getent, busybox), each in a private mount namespace where the pod's resolv.conf is
// bind-mounted over /etc/resolv.conf — so the programs resolve exactly as they would in the pod, against the
// test's real DNS server. Port-forward proxies a pod's port to a real TCP server.
import {type ChildProcess, spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {asRoot} from './privilege.js'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const UNSHARE = ['/usr/bin/unshare', '/bin/unshare'].find((p) => existsSync(p)) ?? 'unshare'

export type PodBehaviour = 'run' | 'pending' | 'unschedulable' | 'image-pull-error'

export interface KubeletOptions {
  /** The resolv.conf a pod in `namespace` gets (kubelet writes it from dnsPolicy; the test decides). */
  resolvConf: (namespace: string) => string
  /** PATH inside the "container", e.g. a directory holding only busybox applets. */
  path?: string
  /** What happens to a created pod (default: run). */
  behaviour?: (pod: {metadata: {name: string}; spec?: {containers?: {image?: string}[]}}) => PodBehaviour
  /** Where pods/portforward to port 53 of a given pod goes. */
  portForwardTarget?: (pod: string, port: number) => {host: string; port: number} | undefined
  /** Delay between lifecycle steps (ms). */
  stepMs?: number
}

/** Whether this machine can give a process private mounts (root and unshare -m): its own /etc/resolv.conf, /run. */
export function canUseMountNamespace(): boolean {
  const cmd = asRoot([UNSHARE, '-m', 'sh', '-c', 'mount --bind /dev/null /etc/resolv.conf'])
  return cmd !== undefined && spawnSync(cmd[0], cmd[1], {encoding: 'utf8'}).status === 0
}

export class Kubelet {
  private readonly dir = mkdtempSync(join(tmpdir(), 'kdisco-kubelet-'))
  private readonly running = new Set<ChildProcess>()

  constructor(readonly options: KubeletOptions) {}

  /** Starts argv as a container of a pod in `namespace` would; output streams to onOutput. */
  start(argv: string[], namespace: string, onOutput: (chunk: Buffer, stream: 'stdout' | 'stderr') => void, onExit: (code: number) => void): ChildProcess {
    const resolvConf = join(this.dir, `resolv.conf.${namespace}`)
    writeFileSync(resolvConf, this.options.resolvConf(namespace))
    // The container's PATH applies to its command only; unshare and mount come from the host.
    const [cmd, args] = asRoot([UNSHARE, '-m', '/bin/sh', '-c', 'mount --bind "$0" /etc/resolv.conf && PATH="$1" && shift && exec "$@"', resolvConf, this.options.path ?? process.env.PATH ?? '/usr/bin:/bin', ...argv])!
    const child = spawn(cmd, args, {
      env: {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/tmp'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.on('error', (e) => onOutput(Buffer.from(`kubelet: ${e.message}\n`), 'stderr'))
    this.running.add(child)
    child.stdout!.on('data', (c: Buffer) => onOutput(c, 'stdout'))
    child.stderr!.on('data', (c: Buffer) => onOutput(c, 'stderr'))
    child.on('close', (code) => {
      this.running.delete(child)
      onExit(code ?? 137)
    })
    return child
  }

  stopAll(): void {
    for (const c of this.running) c.kill('SIGKILL')
  }
}
