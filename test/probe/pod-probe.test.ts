// The pod-side probes end to end: the built CLI against the API test server playing kubelet, which runs the debug
// pod's argv (and exec sessions, ephemeral containers) on this machine with the real dig/getent/busybox, each in
// a mount namespace whose /etc/resolv.conf points at a real NSD serving kdisco's zone with deliberate drift.
// Port-forward is proxied to the same NSD (and a second, drifted one, as a disagreeing replica).
import {expect} from 'chai'
import {mkdtempSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {load as parseYaml} from 'js-yaml'
import {requireBinaries, which} from '../support/binaries.js'
import {BIN, kdisco, kdiscoAsync, kdiscoSpawn} from '../support/cli.js'
import {spawn} from 'node:child_process'
import {loadExamples} from '../support/cluster-objects.js'
import {KubeApiServer} from '../support/kube-api-server.js'
import {type KubeletOptions, canUseMountNamespace} from '../support/kubelet.js'
import {type NsdServer, startNsd} from '../support/nsd.js'

type Q = {name: string; type: string; kind: string; status: string; from?: string; notes?: string[]; diff?: {missing: string[]; unexpected: string[]}; observed?: {via: string; searchList?: string; tried?: {name: string; rcode: string}[]; application?: {tool: string; addresses: string[]; found: boolean}}}

const DNS_IP = '127.0.0.153'
const MANAGED = 'app.kubernetes.io/managed-by'

function zoneText(zone: string): string {
  const r = kdisco(['dns', 'zone', '-A', '-f', 'examples/', '--zone', zone])
  expect(r.status, r.stderr).to.equal(0)
  return r.stdout
}

/** The zone with drift: a stale extra A for kubia, an endpoint name of kubia-headless gone. */
function driftedZone(): string {
  let forward = zoneText('cluster.local')
  forward += 'kubia.default.svc.cluster.local.\t30\tIN\tA\t10.107.99.99\n'
  forward = forward.replace(/^10-244-1-38\.kubia-headless\.default\.svc\.cluster\.local\.\t.*\n/m, '')
  return forward
}

const resolvConf = (ns: string) => `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${DNS_IP}\noptions ndots:5 timeout:1 attempts:2\n`

const bad = (qs: Q[]) => qs.filter((q) => q.status !== 'match' && q.status !== 'unprobed').map((q) => `${q.name} ${q.type} ${q.status}`)

describe('probe: pod, exec, ephemeral and port-forward through the API test server playing kubelet', function () {
  this.timeout(120000)
  let dns: NsdServer | undefined
  let replica: NsdServer | undefined
  let nsdPath: string
  let reverse: string

  const startApi = async (kubelet: Partial<KubeletOptions> = {}) => {
    const server = await new KubeApiServer({kubelet: {resolvConf, stepMs: 20, portForwardTarget: () => ({host: DNS_IP, port: 53}), ...kubelet}}).start()
    await loadExamples(server)
    return server
  }

  before(async function () {
    const bins = requireBinaries(this, ['nsd', 'dig', 'getent', 'busybox', 'unshare'], 'apt-get install nsd bind9-dnsutils busybox util-linux')
    if (!canUseMountNamespace()) {
      const msg = 'cannot bind-mount a resolv.conf in a mount namespace (needs root and unshare -m)'
      if (process.env.CI === 'true') throw new Error(`${msg} (CI must allow it)`)
      process.stderr.write(`\n  !!! SKIPPING "${this.test?.parent?.title}": ${msg}\n\n`)
      this.skip()
    }
    nsdPath = bins.nsd
    reverse = zoneText('in-addr.arpa')
    dns = await startNsd(nsdPath, [{name: 'cluster.local', text: driftedZone()}, {name: 'in-addr.arpa', text: reverse}], {address: DNS_IP, port: 53})
  })
  after(async () => {
    await dns?.stop()
    await replica?.stop()
  })

  describe('--probe pod (the default on a live cluster)', () => {
    let server: KubeApiServer
    let digSummary: unknown
    before(async () => (server = await startApi()))
    after(async () => server?.stop())
    beforeEach(() => server.clearLog())

    it('one debug pod runs every lookup; the verdict names exactly the drift; the pod is deleted', async () => {
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
      expect(r.status, r.stderr).to.equal(1)
      const out = JSON.parse(r.stdout)
      digSummary = out.summary
      expect(bad(out.queries)).to.deep.equal(['kubia.default.svc.cluster.local. A unexpected', 'kubia A unexpected', 'kubia.default A unexpected', 'kubia.default.svc A unexpected', 'kubia.default.svc.cluster.local A unexpected'])
      expect(out.queries[0].diff).to.deep.equal({missing: [], unexpected: ['A 10.107.99.99']})
      expect(out.queries[0].observed.via).to.match(/^pod default\/kdisco-probe-[0-9a-f]+ \(dig\)$/)
      expect(out.probe.kind).to.equal('pod')
      expect(out.probe.resolvConf.text).to.include(`nameserver ${DNS_IP}`)
      const creates = server.requests.filter((q) => q.method === 'POST')
      expect(creates.map((q) => q.path)).to.deep.equal(['/api/v1/namespaces/default/pods'])
      expect(server.requests.filter((q) => q.method === 'DELETE')).to.have.length(1)
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })

    it('svc explain probes its DNS section live by default and names the drift', async () => {
      const r = await kdiscoAsync(['svc', 'explain', 'kubia', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
      expect(r.status, r.stderr).to.equal(1)
      const out = JSON.parse(r.stdout)
      expect(bad(out.dns)).to.deep.equal(['kubia.default.svc.cluster.local. A unexpected'])
      expect(out.summary.mismatch).to.equal(1)
      expect(out.findings.map((f: {code: string}) => f.code)).to.include('KD102')
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })

    it('on a terminal, a spinner on stderr tells the phase and is cleared', async function () {
      requireBinaries(this, ['script'], 'apt-get install bsdutils')
      // script(1) runs kdisco on a pseudo-terminal (stdout and stderr both), asynchronously: the API server is in this process.
      const r = await new Promise<{status: number | null; out: string}>((resolve) => {
        const child = spawn('script', ['-qec', `${process.execPath} ${BIN} svc lookup kubia-named --kubeconfig ${server.kubeconfig()}`, '/dev/null'], {env: {...process.env, CI: '', NO_COLOR: '1'}})
        let out = ''
        child.stdout.on('data', (d) => (out += d))
        child.on('close', (status) => resolve({status, out}))
      })
      expect(r.status, r.out).to.equal(0)
      expect(r.out).to.match(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (creating debug pod|debug pod kdisco-probe-)/)
      expect(r.out).to.include('\r\x1b[2K')
      expect(r.out).not.to.match(/^kdisco: creating debug pod/m) // not the one-line-per-phase form of logs
      expect(r.out).to.match(/✓ \d+ of \d+ match/)
    })

    it('short names walk the pod\'s real resolv.conf, and getent shows what applications get', async () => {
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia-named', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      const short = (JSON.parse(r.stdout).queries as Q[]).find((q) => q.kind === 'short-name' && q.name === 'kubia-named' && q.type === 'A')!
      expect(short.observed!.searchList).to.equal('pod resolv.conf')
      expect(short.observed!.tried!.map((t) => t.name)).to.deep.equal(['kubia-named.default.svc.cluster.local.'])
      expect(short.observed!.application).to.deep.include({tool: 'getent ahosts', found: true})
      expect(short.observed!.application!.addresses).to.have.length(1)
    })

    it('a different search list in the pod changes the observed walk (it is read, not assumed)', async () => {
      const odd = await startApi({resolvConf: (ns) => `search cluster.local ${ns}.svc.cluster.local\nnameserver ${DNS_IP}\noptions ndots:5 timeout:1\n`})
      try {
        const r = await kdiscoAsync(['svc', 'lookup', 'kubia-named', '--kubeconfig', odd.kubeconfig(), '-o', 'json'])
        const short = (JSON.parse(r.stdout).queries as Q[]).find((q) => q.kind === 'short-name' && q.name === 'kubia-named' && q.type === 'A')!
        expect(short.observed!.tried!.map((t) => `${t.name} ${t.rcode}`)).to.deep.equal(['kubia-named.cluster.local. NXDOMAIN', 'kubia-named.default.svc.cluster.local. NOERROR'])
      } finally {
        await odd.stop()
      }
    })

    it('the pod passes Pod Security restricted as written (--dry-run prints it; --keep leaves it running for reuse)', async () => {
      const dry = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--dry-run'])
      expect(dry.status, dry.stderr).to.equal(0)
      expect(server.requests.filter((q) => q.method === 'POST')).to.have.length(0)
      const pod = parseYaml(dry.stdout) as any
      expect(pod.kind).to.equal('Pod')
      const spec = pod.spec
      expect(spec).to.deep.include({restartPolicy: 'Never', automountServiceAccountToken: false, activeDeadlineSeconds: 120, nodeSelector: {'kubernetes.io/os': 'linux'}})
      expect(spec.securityContext).to.deep.equal({runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: {type: 'RuntimeDefault'}})
      const c = spec.containers[0]
      expect(c.securityContext).to.deep.include({allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: {drop: ['ALL']}})
      expect(c.resources.limits).to.have.keys('cpu', 'memory')
      expect(c.command.slice(0, 2)).to.deep.equal(['sh', '-c'])
      expect(c.command).to.include('kubia') // names are arguments, not shell text
      expect(c.command[2]).not.to.include('kubia')
      expect(pod.metadata.labels[MANAGED]).to.equal('kdisco')
      // --keep: the created pod is that manifest, left running; the next --keep run execs into it; cleanup removes it.
      const kept = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--keep', '-o', 'json'])
      expect(kept.status, kept.stderr).to.equal(1)
      const left = server.podsLabelled(MANAGED, 'kdisco')
      expect(left).to.have.length(1)
      expect((left[0].spec as typeof spec).securityContext).to.deep.equal(spec.securityContext)
      expect((left[0] as {status?: {phase?: string}}).status?.phase).to.equal('Running')
      server.clearLog()
      const again = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--keep', '-o', 'json'])
      expect(again.status, again.stderr).to.equal(1)
      expect(JSON.parse(again.stdout).probe.vantages).to.deep.equal([`pod default/${left[0].metadata.name} (kept, reused)`])
      expect(bad(JSON.parse(again.stdout).queries)).to.deep.equal(bad(JSON.parse(kept.stdout).queries))
      expect(server.requests.filter((q) => q.method === 'POST')).to.have.length(0)
      expect(server.requests.filter((q) => q.method === 'UPGRADE').map((q) => q.path)).to.deep.equal([`/api/v1/namespaces/default/pods/${left[0].metadata.name}/exec`])
      const clean = await kdiscoAsync(['probe', 'cleanup', '-A', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
      expect(clean.status, clean.stderr).to.equal(0)
      expect(JSON.parse(clean.stdout).deleted).to.deep.equal([{namespace: 'default', name: left[0].metadata.name}])
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })

    it('an image with only busybox nslookup gives the same verdict (busybox output parsed)', async () => {
      const bin = mkdtempSync(join(tmpdir(), 'kdisco-busybox-'))
      for (const applet of ['sh', 'cat', 'nslookup']) symlinkSync(which('busybox')!, join(bin, applet))
      const bb = await startApi({path: bin})
      try {
        const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', bb.kubeconfig(), '-o', 'json'])
        expect(r.status, r.stderr).to.equal(1)
        const out = JSON.parse(r.stdout)
        expect(bad(out.queries)).to.deep.equal(['kubia.default.svc.cluster.local. A unexpected', 'kubia A unexpected', 'kubia.default A unexpected', 'kubia.default.svc A unexpected', 'kubia.default.svc.cluster.local A unexpected'])
        expect(out.queries[0].observed.via).to.match(/\(nslookup\)$/)
        const short = (out.queries as Q[]).find((q) => q.kind === 'short-name' && q.type === 'A')!
        expect(short.observed!.application).to.deep.equal({unavailable: 'this image has no getent'})
        expect(out.summary).to.deep.equal(digSummary)
      } finally {
        await bb.stop()
      }
    })
  })

  describe('failures leave no pod behind', () => {
    let server: KubeApiServer
    const behaviour: {next: 'run' | 'pending' | 'unschedulable' | 'image-pull-error'} = {next: 'run'}
    before(async () => (server = await startApi({behaviour: () => behaviour.next})))
    after(async () => server?.stop())

    it('image pull error: exit 3 with the real reason', async () => {
      behaviour.next = 'image-pull-error'
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--image', 'example.com/nope:1'])
      expect(r.status, r.stderr).to.equal(3)
      expect(r.stderr).to.match(/^Error: Debug pod default\/kdisco-probe-\w+ failed: (ErrImagePull|ImagePullBackOff): .*example\.com\/nope:1.*\. Check --image/m)
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })

    it('unschedulable until the deadline: exit 3 naming the scheduler\'s message', async () => {
      behaviour.next = 'unschedulable'
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--probe-deadline', '10'], {timeoutMs: 60000})
      expect(r.status, r.stderr).to.equal(3)
      expect(r.stderr).to.match(/did not finish within 15s \(last state: unschedulable: 0\/3 nodes are available: 3 Insufficient cpu/)
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${signal} while the pod is Pending: the pod is deleted and kdisco exits ${signal === 'SIGINT' ? 130 : 143}`, async () => {
        behaviour.next = 'pending'
        const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig()])
        const deadline = Date.now() + 20000
        while (server.podsLabelled(MANAGED, 'kdisco').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
        expect(server.podsLabelled(MANAGED, 'kdisco')).to.have.length(1)
        run.child.kill(signal)
        const r = await run.done
        expect(r.status).to.equal(signal === 'SIGINT' ? 130 : 143)
        expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
        expect(r.stdout).to.equal('')
      })
    }

    it('SIGINT while the create request is still in flight: kdisco waits for it to land, then deletes the pod', async () => {
      behaviour.next = 'pending'
      server.fault({method: 'POST', path: /\/pods$/, delayMs: 1500, times: 1})
      const before = server.requests.length
      const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig()])
      const deadline = Date.now() + 20000
      while (!server.requests.slice(before).some((q) => q.method === 'POST') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      run.child.kill('SIGINT')
      const r = await run.done
      expect(r.status).to.equal(130)
      await new Promise((resolve) => setTimeout(resolve, 1800)) // past the moment the delayed create lands
      expect(server.requests.slice(before).map((q) => q.method)).to.include.members(['POST', 'DELETE'])
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })

    it('RBAC without create on pods: exit 3, one line that names the permission and the alternatives', async () => {
      behaviour.next = 'run'
      server.fault({method: 'POST', path: /\/namespaces\/default\/pods$/, status: 403, reason: 'Forbidden', times: 1, message: 'pods is forbidden: User "system:serviceaccount:ci:reader" cannot create resource "pods" in API group "" in the namespace "default"'})
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig()])
      expect(r.status).to.equal(3)
      const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('Error'))
      expect(errors).to.have.length(1)
      expect(errors[0]).to.match(/^Error: RBAC forbids creating the debug pod in namespace default: .*cannot create resource "pods".*--probe none for the expected answers alone$/)
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })

    it('Pod Security admission rejects the pod: exit 3 with the admission message', async () => {
      behaviour.next = 'run'
      server.fault({method: 'POST', path: /\/pods$/, status: 403, reason: 'Forbidden', times: 1, message: 'pods "kdisco-probe-x" is forbidden: violates PodSecurity "restricted:latest": seccompProfile (pod or container "lookup" must set securityContext.seccompProfile.type)'})
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig()])
      expect(r.status).to.equal(3)
      expect(r.stderr).to.match(/^Error: Pod Security admission rejected the debug pod in namespace default: .*violates PodSecurity/m)
      expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('Error'))).to.have.length(1)
    })
  })

  describe('--probe exec, ephemeral and port-forward', () => {
    let server: KubeApiServer
    before(async () => {
      server = await startApi({portForwardTarget: (pod) => (pod === 'coredns-drifted' ? {host: '127.0.0.1', port: replica!.port} : {host: DNS_IP, port: 53})})
    })
    after(async () => server?.stop())
    beforeEach(() => server.clearLog())

    const appPod = () => server.objects('Pod', 'default').find((p) => p.metadata.name.startsWith('kubia-') && (p as {status?: {phase?: string}}).status?.phase === 'Running')!.metadata.name

    it('exec runs the lookups in the app pod over the exec websocket', async () => {
      const pod = appPod()
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--pod', pod, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(1)
      const out = JSON.parse(r.stdout)
      expect(out.probe.kind).to.equal('exec')
      expect(out.queries[0].observed.via).to.equal(`exec default/${pod} (dig)`)
      expect(bad(out.queries)).to.have.length(5)
      expect(server.requests.filter((q) => q.method === 'UPGRADE').map((q) => q.path)).to.deep.equal([`/api/v1/namespaces/default/pods/${pod}/exec`])
      expect(server.requests.filter((q) => q.method === 'POST')).to.have.length(0)
    })

    it('pod lookup --probe exec: asks the pod\'s records from inside it and compares its real resolv.conf', async () => {
      const pod = appPod()
      const r = await kdiscoAsync(['pod', 'lookup', pod, '--kubeconfig', server.kubeconfig(), '--probe', 'exec', '-o', 'json'])
      const out = JSON.parse(r.stdout)
      expect(out.probe.vantages).to.deep.equal([`exec default/${pod}`])
      expect(out.queries.length).to.be.greaterThan(0)
      expect(out.summary.total).to.equal(out.queries.length)
      // The test kubelet writes nameserver 127.0.0.153, not the kube-dns IP kubelet would: found and reported.
      expect(out.resolvConfObserved.matches).to.equal(false)
      expect(out.resolvConfObserved.text).to.include(`nameserver ${DNS_IP}`)
      expect(r.status).to.equal(1)
    })

    it('exec -c picks the container; a container the pod lacks is a one-line error (exit 3)', async () => {
      const pod = appPod()
      const container = (server.objects('Pod', 'default').find((p) => p.metadata.name === pod)!.spec as {containers: {name: string}[]}).containers[0].name
      const ok = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--pod', pod, '-c', container, '-o', 'json'])
      expect(JSON.parse(ok.stdout).probe.vantages).to.deep.equal([`exec default/${pod}[${container}]`])
      expect(server.requests.filter((q) => q.method === 'UPGRADE').at(-1)!.query.container).to.equal(container)
      const bad = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--pod', pod, '-c', 'nope'])
      expect(bad.status).to.equal(3)
      expect(bad.stderr.trim().split('\n').filter((l) => l.startsWith('Error'))).to.deep.equal([`Error: The API server refused exec in default/${pod}: container nope is not valid for pod ${pod}. Check --pod and -c (kubectl get pod ${pod} -o jsonpath='{.spec.containers[*].name}')`])
    })

    it('exec into a pod that does not exist: exit 3, one line', async () => {
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--probe', 'exec', '--pod', 'ghost'])
      expect(r.status).to.equal(3)
      expect(r.stderr).to.match(/^Error: Not found: .*ghost/m)
    })

    it('ephemeral adds a restricted debug container to the pod, warns it stays, and reads its log', async () => {
      const pod = appPod()
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia-headless', '--kubeconfig', server.kubeconfig(), '--probe', 'ephemeral', '--pod', pod, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(1)
      expect(r.stderr).to.match(/ephemeral containers cannot be removed/)
      const out = JSON.parse(r.stdout)
      expect(bad(out.queries)).to.deep.equal(['10-244-1-38.kubia-headless.default.svc.cluster.local. A rcode'])
      const spec = server.objects('Pod', 'default').find((p) => p.metadata.name === pod)!.spec as {ephemeralContainers: {name: string; securityContext: object}[]}
      expect(spec.ephemeralContainers).to.have.length(1)
      expect(spec.ephemeralContainers[0].securityContext).to.deep.include({allowPrivilegeEscalation: false, runAsNonRoot: true})
      expect(out.queries[0].observed.via).to.equal(`ephemeral default/${pod}[${spec.ephemeralContainers[0].name}] (dig)`)
    })

    it('port-forward asks every DNS replica over TCP and names the one that disagrees', async () => {
      replica = await startNsd(nsdPath, [{name: 'cluster.local', text: zoneText('cluster.local')}, {name: 'in-addr.arpa', text: reverse}])
      // A second ready replica behind kube-dns, answering from the drift-free zone.
      const slice = server.objects('EndpointSlice', 'kube-system')[0] as unknown as {endpoints: unknown[]}
      slice.endpoints.push({addresses: ['10.244.0.99'], conditions: {ready: true}, targetRef: {kind: 'Pod', name: 'coredns-drifted', namespace: 'kube-system'}})
      server.add(slice as never, {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'coredns-drifted', namespace: 'kube-system', labels: {'k8s-app': 'kube-dns'}}, spec: {containers: [{name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1'}]}, status: {phase: 'Running', podIP: '10.244.0.99'}} as never)
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--probe', 'port-forward', '-o', 'json'])
      expect(r.status, r.stderr).to.equal(1)
      expect(r.stdout, r.stderr).not.to.equal('')
      const out = JSON.parse(r.stdout)
      expect(out.probe.vantages).to.have.length(2)
      const row = (out.queries as Q[])[0]
      expect(row.status).to.equal('unexpected')
      expect(row.notes!.join(' ')).to.match(/1 of 2 replicas match: the replicas disagree/)
      expect(server.requests.filter((q) => q.method === 'UPGRADE').map((q) => q.path).sort()).to.deep.equal(['/api/v1/namespaces/kube-system/pods/coredns-76f75df574-8xk2p/portforward', '/api/v1/namespaces/kube-system/pods/coredns-drifted/portforward'])
      expect(server.requests.filter((q) => q.method === 'POST')).to.have.length(0)
    })
  })

  describe('--wait: a post-deploy gate', () => {
    let server: KubeApiServer
    before(async () => (server = await startApi()))
    after(async () => server?.stop())

    it('retries until the drift is gone, then exits 0; one debug pod serves every attempt and is deleted', async () => {
      server.clearLog()
      const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--wait', '40s', '-o', 'json'], {timeoutMs: 60000})
      const deadline = Date.now() + 30000
      while (!/attempt 1: 5 of \d+ queries differ/.test(run.stderrSoFar()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      // Fix the DNS server: same address, drift-free zone.
      await dns!.stop()
      dns = await startNsd(nsdPath, [{name: 'cluster.local', text: zoneText('cluster.local')}, {name: 'in-addr.arpa', text: reverse}], {address: DNS_IP, port: 53})
      const r = await run.done
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stderr).to.match(/all \d+ queries match after \d+ attempts/)
      expect(JSON.parse(r.stdout).summary.mismatch).to.equal(0)
      expect(JSON.parse(r.stdout).probe.vantages[0]).to.match(/^pod default\/kdisco-probe-\w+ \(reused\)$/)
      expect(server.requests.filter((q) => q.method === 'POST')).to.have.length(1)
      expect(server.requests.filter((q) => q.method === 'UPGRADE').length).to.be.greaterThan(0)
      expect(server.requests.filter((q) => q.method === 'DELETE')).to.have.length(1)
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })

    it('gives up when time runs out: exit 1 with the last verdict', async () => {
      await dns!.stop()
      dns = await startNsd(nsdPath, [{name: 'cluster.local', text: driftedZone()}, {name: 'in-addr.arpa', text: reverse}], {address: DNS_IP, port: 53})
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--wait', '8s', '-o', 'json'], {timeoutMs: 60000})
      expect(r.status).to.equal(1)
      expect(r.stderr).to.match(/gave up waiting: 5 of \d+ queries still differ after \d+ attempts?/)
    })

    it('SIGINT between attempts deletes the session\'s pod', async () => {
      const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--wait', '60s'], {timeoutMs: 60000})
      const deadline = Date.now() + 30000
      while (!/attempt 1: \d+ of \d+ queries differ/.test(run.stderrSoFar()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.have.length(1)
      run.child.kill('SIGINT')
      const r = await run.done
      expect(r.status).to.equal(130)
      expect(server.podsLabelled(MANAGED, 'kdisco')).to.deep.equal([])
    })
  })
})
