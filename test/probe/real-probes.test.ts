// Every probe through the real control plane: the debug pod (created through the real API server, admitted by its
// Pod Security plugin, run by the harness's pod runner against real CoreDNS behind the kube-dns ClusterIP), exec
// and ephemeral containers through the API server's streaming proxy to KWOK's exec mapping, port-forward to each
// real CoreDNS replica, the server probe at each replica's address, and --wait while pods become ready.
import {expect} from 'chai'
import {type CliResult, kdiscoAsync, kdiscoSpawn} from '../support/cli.js'
import {ApiError} from '../real-cluster/api.js'
import type {CoreDnsReplica, RealCluster} from '../real-cluster/cluster.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {ROOT_ONLY_IMAGE} from '../real-cluster/pod-runner.js'
import {waitUntil} from '../real-cluster/processes.js'
import {requirePodRunner, sharedCluster} from '../real-cluster/shared.js'
import {PAUSE_IMAGE, appPod, deployService, kdiscoPods} from '../real-cluster/workloads.js'

type Query = {name: string; type: string; kind: string; status?: string; notes?: string[]; diff?: {missing: string[]; unexpected: string[]}; observed?: {via: string; searchList?: string; rcode?: string; application?: {addresses: string[]}}}
type Probed = {queries: Query[]; summary: {total: number; match: number; mismatch: number; unprobed: number}; probe: {kind: string; vantages: string[]; resolvConf?: {text: string}}}

/** Every probed row that is neither a match nor answered upstream (which kdisco does not predict). */
const differing = (out: Probed) => out.queries.filter((q) => q.status && q.status !== 'match' && q.status !== 'unprobed').map((q) => `${q.name} ${q.type} ${q.status}`)
/**
 * Differences in answers CoreDNS may serve from its cache (kubeadm's Corefile caches the reverse zones for 30 s,
 * and kdisco marks those expectations `cached`) are not staleness of its watch: right after a change, they remain.
 */
const uncachedDiffering = (out: Probed) => out.queries.filter((q) => q.status && q.status !== 'match' && q.status !== 'unprobed' && !(q as {expected?: {cached?: boolean}}).expected?.cached).map((q) => `${q.name} ${q.type} ${q.status}`)
/** The same with what was expected and observed, for assertion messages. */
const explainDiff = (out: Probed) => JSON.stringify(out.queries.filter((q) => q.status && q.status !== 'match' && q.status !== 'unprobed'), null, 1)
const errorLines = (r: CliResult) => r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('kdisco: '))

interface PodInfo {
  metadata: {name: string}
  status?: {podIP?: string}
  spec?: {ephemeralContainers?: {name: string}[]}
}

describe('probe: every probe through the real API server, KWOK and real CoreDNS', function () {
  this.timeout(300000)
  const NS = 'probe-app'
  let c: RealCluster
  let clusterDns: CoreDnsReplica[]
  const kdisco = (args: string[]) => kdiscoAsync([...args, '--kubeconfig', c.kubeconfig], {timeoutMs: 120000})
  const podIps = async (ns: string, app: string) => (await c.api.list<PodInfo>('Pod', ns, `labelSelector=app%3D${app}`)).map((p) => p.status!.podIP!).sort()

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    requirePodRunner(this, c)
    clusterDns = c.coreDns.filter((r) => r.spec.clusterDns)
    expect(clusterDns.map((r) => r.pod)).to.deep.equal(['coredns-0', 'coredns-1'])
    await c.createNamespace(NS)
    await deployService(c, NS, 'web')
    await deployService(c, NS, 'web-hl', {headless: true})
    await appPod(c, NS, 'app')
    await appPod(c, NS, 'app-ndots', {dnsConfig: {options: [{name: 'ndots', value: '2'}]}})
  })

  afterEach(async () => {
    for (const r of clusterDns) r.link.resume()
  })

  describe('--probe pod (the default)', () => {
    it('one debug pod asks real CoreDNS through 10.96.0.10 with the resolv.conf kubelet writes: every name matches, and the pod is gone', async () => {
      const r = await kdisco(['svc', 'lookup', 'web-hl', '-n', NS, '-o', 'json'])
      const out = JSON.parse(r.stdout) as Probed
      expect(r.status, `${r.stderr}${differing(out)}`).to.equal(0)
      expect(differing(out)).to.deep.equal([])
      expect(out.summary.match).to.be.greaterThan(10)
      expect(out.probe.vantages).to.have.length(1)
      expect(out.probe.vantages[0]).to.match(/^pod probe-app\/kdisco-probe-[0-9a-f]+$/)
      expect(out.probe.resolvConf!.text.trimEnd()).to.equal(`search ${NS}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5`)
      const short = out.queries.find((q) => q.kind === 'short-name' && q.name === 'web-hl' && q.type === 'A')!
      expect(short.observed!.searchList).to.equal('pod resolv.conf')
      expect(short.observed!.application!.addresses.sort()).to.deep.equal(await podIps(NS, 'web-hl'))
      expect(r.stderr).to.match(/kdisco: debug pod kdisco-probe-[0-9a-f]+: running lookups/)
      expect(await kdiscoPods(c)).to.deep.equal([])
    })

    it('a pod CoreDNS has not seen yet (its watch paused) is named: missing from the answers the API says it gives', async () => {
      const old = await podIps(NS, 'web-hl')
      for (const r of clusterDns) r.link.pause()
      await c.api.mergePatch('Deployment', NS, 'web-hl', {spec: {replicas: 3}})
      const ips = await waitUntil(
        'a third ready endpoint of web-hl',
        async () => {
          const slices = await c.api.list<{endpoints?: {addresses: string[]; conditions?: {ready?: boolean}}[]}>('EndpointSlice', NS, 'labelSelector=kubernetes.io%2Fservice-name%3Dweb-hl')
          const ready = slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses))
          return ready.length === 3 && ready
        },
        {timeoutMs: 30000},
      )
      const r = await kdisco(['svc', 'lookup', 'web-hl', '-n', NS, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(1)
      const out = JSON.parse(r.stdout) as Probed
      const a = out.queries.find((q) => q.name === `web-hl.${NS}.svc.cluster.local.` && q.type === 'A')!
      expect(a.status).to.equal('missing')
      const newIp = ips.find((ip) => !old.includes(ip))!
      expect(a.diff).to.deep.equal({missing: [`A ${newIp}`], unexpected: []})
      expect(differing(out)).to.include(`${newIp.replace(/\./g, '-')}.web-hl.${NS}.svc.cluster.local. A rcode`)
      for (const rep of clusterDns) rep.link.resume()
      await c.waitForDns()
      const after = await kdisco(['svc', 'lookup', 'web-hl', '-n', NS, '-o', 'json'])
      expect(uncachedDiffering(JSON.parse(after.stdout)), after.stderr).to.deep.equal([])
    })
  })

  describe('--probe exec and ephemeral (the API server\'s streaming proxy → KWOK\'s exec mapping)', () => {
    it('exec: the lookups run in the app pod, with its own resolv.conf', async () => {
      const r = await kdisco(['svc', 'lookup', 'web', '-n', NS, '--probe', 'exec', '--pod', 'app', '-o', 'json'])
      const out = JSON.parse(r.stdout) as Probed
      expect(r.status, `${r.stderr}${differing(out)}`).to.equal(0)
      expect(out.probe.vantages).to.deep.equal([`exec ${NS}/app`])
      expect(out.probe.resolvConf!.text).to.include(`search ${NS}.svc.cluster.local`)
    })

    it('pod lookup --probe exec compares the pod\'s real resolv.conf (dnsConfig ndots:2) with the one kubelet writes', async () => {
      const r = await kdisco(['pod', 'lookup', 'app-ndots', '-n', NS, '--probe', 'exec', '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      const out = JSON.parse(r.stdout) as {resolvConfObserved: {text: string; matches: boolean}}
      expect(out.resolvConfObserved.matches).to.equal(true)
      expect(out.resolvConfObserved.text).to.match(/^options ndots:2$/m)
    })

    it('ephemeral: a debug container added to the app pod runs the lookups; it stays in the pod\'s spec, as kdisco says', async () => {
      const r = await kdisco(['dns', 'lookup', 'web', '-n', NS, '--probe', 'ephemeral', '--pod', 'app', '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      const container = /^ephemeral probe-app\/app\[(kdisco-[0-9a-f]+)\]$/.exec((JSON.parse(r.stdout) as Probed).probe.vantages[0])![1]
      expect(r.stderr).to.include(`added ephemeral container ${container} to ${NS}/app; ephemeral containers cannot be removed`)
      expect((await c.api.get<PodInfo>('Pod', NS, 'app')).spec!.ephemeralContainers!.map((e) => e.name)).to.include(container)
    })
  })

  describe('--probe port-forward and --probe server (each CoreDNS replica)', () => {
    it('server: each replica\'s own address answers what the API says', async () => {
      for (const replica of clusterDns) {
        const r = await kdisco(['svc', 'lookup', 'web', '-n', NS, '--probe', 'server', '--dns-server', `${replica.dns.host}:${replica.dns.port}`, '-o', 'json'])
        const out = JSON.parse(r.stdout) as Probed
        expect(differing(out), `${replica.pod}: ${explainDiff(out)}`).to.deep.equal([])
        expect(r.status).to.equal(0)
        expect(out.probe.vantages).to.deep.equal([`server ${replica.dns.host}:${replica.dns.port}`])
      }
    })

    it('port-forward asks both replicas; one that missed a change is named, the other is not', async () => {
      clusterDns[1].link.pause()
      await c.applyAll([{apiVersion: 'v1', kind: 'Service', metadata: {name: 'late', namespace: NS}, spec: {selector: {app: 'web'}, ports: [{name: 'http', port: 80}]}}])
      await c.waitForDns([clusterDns[0]])
      const r = await kdisco(['svc', 'lookup', 'late', '-n', NS, '--probe', 'port-forward', '-o', 'json'])
      expect(r.status, r.stderr).to.equal(1)
      const out = JSON.parse(r.stdout) as Probed
      expect(out.probe.vantages).to.deep.equal(['port-forward kube-system/coredns-0', 'port-forward kube-system/coredns-1'])
      const a = out.queries.find((q) => q.name === `late.${NS}.svc.cluster.local.` && q.type === 'A')!
      expect(a.status).to.equal('rcode')
      expect(a.observed!.via).to.equal('port-forward kube-system/coredns-1')
      expect(a.observed!.rcode).to.equal('NXDOMAIN')
      expect(a.notes!.join(' ')).to.include('port-forward kube-system/coredns-1: rcode (1 of 2 replicas match: the replicas disagree)')
      expect(a.notes!.join(' ')).not.to.include('coredns-0')
      clusterDns[1].link.resume()
      await c.waitForDns()
      const after = await kdisco(['svc', 'lookup', 'late', '-n', NS, '--probe', 'port-forward', '-o', 'json'])
      expect(uncachedDiffering(JSON.parse(after.stdout)), explainDiff(JSON.parse(after.stdout))).to.deep.equal([])
    })
  })

  describe('Pod Security: a namespace enforcing restricted (latest)', () => {
    const RESTRICTED = 'probe-restricted'
    const restrictedContext = {allowPrivilegeEscalation: false, capabilities: {drop: ['ALL']}, runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: 'RuntimeDefault'}}

    before(async () => {
      await c.createNamespace(RESTRICTED, {'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest'})
      await deployService(c, RESTRICTED, 'web', {replicas: 1, securityContext: restrictedContext})
      await appPod(c, RESTRICTED, 'app', {containers: [{name: 'app', image: PAUSE_IMAGE, securityContext: restrictedContext}]})
    })

    it('the real admission plugin enforces it: a pod that is not restricted is rejected', async () => {
      const error = await c.api.create({apiVersion: 'v1', kind: 'Pod', metadata: {name: 'loose', namespace: RESTRICTED}, spec: {containers: [{name: 'c', image: PAUSE_IMAGE}]}}).catch((e) => e)
      expect(error).to.be.instanceOf(ApiError)
      expect((error as ApiError).status).to.equal(403)
      expect((error as ApiError).message).to.match(/pods "loose" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/)
    })

    it('the debug pod is admitted as written and runs', async () => {
      const r = await kdisco(['dns', 'lookup', 'web', '-n', RESTRICTED, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect((JSON.parse(r.stdout) as Probed).probe.vantages[0]).to.match(/^pod probe-restricted\/kdisco-probe-/)
    })

    it('the ephemeral container is admitted as written and runs', async () => {
      const r = await kdisco(['dns', 'lookup', 'web', '-n', RESTRICTED, '--probe', 'ephemeral', '--pod', 'app', '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect((JSON.parse(r.stdout) as Probed).probe.vantages[0]).to.match(/^ephemeral probe-restricted\/app\[kdisco-/)
    })

    it('--image with programs only root may run: admitted, then the runtime\'s reason in one line, exit 3, no pod left', async () => {
      const r = await kdisco(['dns', 'lookup', 'web', '-n', RESTRICTED, '--image', ROOT_ONLY_IMAGE])
      expect(r.status, r.stderr).to.equal(3)
      expect(errorLines(r)).to.deep.equal([
        `Error: Debug pod ${RESTRICTED}/${/kdisco-probe-[0-9a-f]+/.exec(r.stderr)![0]} failed: StartError: unable to start container process: exec: "sh": permission denied. The image must let a non-root user (65534) run sh and dig or nslookup: check --image`,
      ])
      expect(await kdiscoPods(c)).to.deep.equal([])
    })
  })

  describe('--wait: a post-deploy gate on the real cluster', () => {
    const WAIT = 'probe-wait'

    it('pods become ready one by one while CoreDNS lags; each attempt is shown; exit 0 once CoreDNS answers as the API says', async () => {
      await c.createNamespace(WAIT)
      const pods = await deployService(c, WAIT, 'gate', {replicas: 3, ready: false, headless: true})
      // CoreDNS stops seeing the API: what it serves lags what kdisco expects until the watch resumes.
      for (const r of clusterDns) r.link.pause()
      await c.setPodReady(WAIT, pods[0], true)
      await readyEndpoints(c, WAIT, 'gate', 1)
      const run = kdiscoSpawn(['svc', 'lookup', 'gate', '-n', WAIT, '--wait', '60s', '-o', 'json', '--kubeconfig', c.kubeconfig], {timeoutMs: 120000})
      const attempt = (n: number) => waitUntil(`attempt ${n}`, async () => new RegExp(`^kdisco: attempt ${n}: \\d+ of \\d+ queries differ`, 'm').test(run.stderrSoFar()), {timeoutMs: 60000, intervalMs: 50})
      await attempt(1)
      await c.setPodReady(WAIT, pods[1], true)
      await readyEndpoints(c, WAIT, 'gate', 2)
      await attempt(2)
      await c.setPodReady(WAIT, pods[2], true)
      await readyEndpoints(c, WAIT, 'gate', 3)
      await attempt(3)
      for (const r of clusterDns) r.link.resume()
      const r = await run.done
      expect(r.status, r.stderr).to.equal(0)
      const lines = r.stderr.split('\n').filter((l) => /^kdisco: (attempt \d+|all \d+ queries match)/.test(l))
      const differ = lines.filter((l) => l.includes('differ')).map((l) => Number(/attempt (\d+)/.exec(l)![1]))
      expect(differ.slice(0, 3)).to.deep.equal([1, 2, 3])
      expect(lines.at(-1)).to.match(new RegExp(`^kdisco: all \\d+ queries match after ${differ.length + 1} attempts$`))
      const out = JSON.parse(r.stdout) as Probed
      const a = out.queries.find((q) => q.name === `gate.${WAIT}.svc.cluster.local.` && q.type === 'A')! as Query & {observed: {answers: {data: string}[]}}
      expect(a.observed.answers.map((x) => x.data).sort()).to.deep.equal(await podIps(WAIT, 'gate'))
      // One debug pod served every attempt (exec after the first), deleted at the end.
      expect(out.probe.vantages[0]).to.match(/^pod probe-wait\/kdisco-probe-[0-9a-f]+ \(reused\)$/)
      expect(await kdiscoPods(c)).to.deep.equal([])
    })
  })
})

/** Waits until the EndpointSlice controller has marked `count` endpoints of the Service ready. */
async function readyEndpoints(c: RealCluster, namespace: string, service: string, count: number): Promise<void> {
  await waitUntil(
    `${count} ready endpoints of ${namespace}/${service}`,
    async () => {
      const slices = await c.api.list<{endpoints?: {conditions?: {ready?: boolean}}[]}>('EndpointSlice', namespace, `labelSelector=kubernetes.io%2Fservice-name%3D${service}`)
      return slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length === count
    },
    {timeoutMs: 30000},
  )
}
