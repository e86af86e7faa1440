// The pod network of the real cluster: one network namespace where the harness runs what pods run (kdisco's debug
// pods, exec sessions, ephemeral containers), joined to this machine by a veth pair. Inside it, the kube-dns
// ClusterIP answers on port 53 because a DNAT rule sends it to the ready CoreDNS endpoints — what kube-proxy does
// on a node. A resolv.conf cannot name a port, so this is how a pod's `nameserver 10.96.0.10` reaches CoreDNS
// replicas that listen on free ports of this machine. The namespace is private to one cluster (parallel clusters
// on one machine do not see each other's rules) and dies with the process holding it.
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {which} from '../support/binaries.js'
import {AS_ROOT, asRoot} from '../support/privilege.js'
import type {ManagedProcess, ProcessGroup} from './processes.js'
import {waitUntil} from './processes.js'

export interface ServiceEndpoint {
  address: string
  port: number
}

export class PodNetwork {
  /** Where a process joins the pod network: `nsenter --net=<netns>`. */
  netns = ''
  /** This machine's side of the veth pair, as pods see it (their default gateway). */
  readonly hostAddress: string
  readonly podAddress: string
  private readonly hostLink: string
  private readonly podLink: string
  private holder?: ManagedProcess
  private endpoints?: string

  private constructor(
    private readonly processes: ProcessGroup,
    readonly serviceIp: string,
  ) {
    const id = randomBytes(3).toString('hex')
    this.hostLink = `kd${id}h`
    this.podLink = `kd${id}p`
    // A /30 in 10.199.0.0/16 per cluster: parallel clusters on one machine pick different ones.
    const n = randomBytes(2).readUInt16BE(0) & 0x3ffc
    this.hostAddress = `10.199.${n >> 8}.${(n & 255) + 1}`
    this.podAddress = `10.199.${n >> 8}.${(n & 255) + 2}`
  }

  /** Why this machine cannot have a pod network (a missing program, no root), or undefined when it can. */
  static unavailable(): string | undefined {
    const missing = ['nft', 'nsenter', 'unshare', 'setpriv', 'ip'].filter((tool) => !which(tool))
    if (missing.length) return `${missing.join(', ')} not installed (apt-get install nftables util-linux iproute2)`
    if (AS_ROOT === undefined) return 'a network namespace needs root (or passwordless sudo)'
    return undefined
  }

  /** Creates the namespace (held by a process that dies with the test run), the veth pair and its routes. */
  static async start(processes: ProcessGroup, serviceIp: string): Promise<PodNetwork> {
    const net = new PodNetwork(processes, serviceIp)
    const hold = asRoot(['unshare', '--net', 'sleep', 'infinity'])!
    net.holder = processes.start('pod-network', [hold[0], ...hold[1]])
    const pid = await waitUntil('pod network namespace', async () => net.sleepPid(), {timeoutMs: 10000, process: net.holder})
    net.netns = `/proc/${pid}/ns/net`
    net.root(['ip', 'link', 'add', net.hostLink, 'type', 'veth', 'peer', 'name', net.podLink])
    net.root(['ip', 'link', 'set', net.podLink, 'netns', net.netns])
    net.root(['ip', 'addr', 'add', `${net.hostAddress}/30`, 'dev', net.hostLink])
    net.root(['ip', 'link', 'set', net.hostLink, 'up'])
    net.inside(['ip', 'link', 'set', 'lo', 'up'])
    net.inside(['ip', 'addr', 'add', `${net.podAddress}/30`, 'dev', net.podLink])
    net.inside(['ip', 'link', 'set', net.podLink, 'up'])
    net.inside(['ip', 'route', 'add', 'default', 'via', net.hostAddress])
    net.setServiceEndpoints([])
    return net
  }

  /**
   * kube-proxy for the DNS Service: connections to serviceIp:53 (UDP and TCP) go to one of the endpoints, chosen at
   * random per connection; with none, they are rejected (ICMP port unreachable), as kube-proxy does.
   */
  setServiceEndpoints(endpoints: ServiceEndpoint[]): void {
    const key = endpoints.map((e) => `${e.address}:${e.port}`).sort().join(',')
    if (key === this.endpoints) return
    const match = `ip daddr ${this.serviceIp} meta l4proto { udp, tcp } th dport 53`
    const map = endpoints.map((e, i) => `${i} : ${e.address} . ${e.port}`).join(', ')
    const rules = [
      'table ip kdisco',
      'delete table ip kdisco',
      'table ip kdisco {',
      '  chain service_dnat { type nat hook output priority -100; policy accept;',
      ...(endpoints.length ? [`    ${match} dnat ip to numgen random mod ${endpoints.length} map { ${map} }`] : []),
      '  }',
      '  chain service_reject { type filter hook output priority 0; policy accept;',
      ...(endpoints.length ? [] : [`    ${match} reject`]),
      '  }',
      '}',
      '',
    ].join('\n')
    this.inside(['nft', '-f', '-'], rules)
    this.endpoints = key
  }

  /** argv that runs `argv` in the pod network. */
  enter(argv: string[]): string[] {
    return ['nsenter', `--net=${this.netns}`, '--', ...argv]
  }

  /** Removes the veth pair (the namespace goes with its holder). */
  async stop(): Promise<void> {
    if (this.holder) await this.holder.stop()
    const cmd = asRoot(['ip', 'link', 'del', this.hostLink])
    if (cmd) spawnSync(cmd[0], cmd[1])
  }

  /**
   * The `sleep` holding the namespace, once it runs: the holder itself when setpriv and unshare have exec'd into it,
   * else (sudo forks) a descendant.
   */
  private sleepPid(): number | undefined {
    const cmdline = (pid: number) => (existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '')
    let pid = this.holder!.child.pid!
    for (let depth = 0; depth < 3; depth++) {
      if (cmdline(pid).startsWith('sleep\0')) return pid
      const child = spawnSync('pgrep', ['-P', String(pid)], {encoding: 'utf8'}).stdout.trim().split('\n')[0]
      if (!child) return undefined
      pid = Number(child)
    }
    return undefined
  }

  private root(argv: string[], input?: string): void {
    const [cmd, args] = asRoot(argv)!
    const r = spawnSync(cmd, args, {encoding: 'utf8', input})
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`)
  }

  private inside(argv: string[], input?: string): void {
    this.root(this.enter(argv), input)
  }
}
