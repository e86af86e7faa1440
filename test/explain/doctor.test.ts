// dns doctor against the API test server, healthy and broken: each check fires on its evidence (and stays ok
// without it). The control lookup goes through the pod probe (kubelet played by the test server, real dig, NSD) and
// through port-forward to every replica, one of which serves a zone without kubernetes.default.
import {expect} from 'chai'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {requireBinaries} from '../support/binaries.js'
import {kdisco, kdiscoAsync} from '../support/cli.js'
import {loadExamples} from '../support/cluster-objects.js'
import {KubeApiServer} from '../support/kube-api-server.js'
import {canUseMountNamespace} from '../support/kubelet.js'
import {type NsdServer, startNsd} from '../support/nsd.js'

const DNS_IP = '127.0.0.154'
type Check = {id: string; status: string; message: string; evidence: string[]}
type Obj = Parameters<KubeApiServer['add']>[0]

const corednsRole = (resources: [string, string][]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: {name: 'system:coredns'},
  rules: resources.map(([group, resource]) => ({apiGroups: [group], resources: [resource], verbs: ['list', 'watch']})),
})
const binding = {apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: {name: 'system:coredns'}, roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns'}, subjects: [{kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system'}]}
const FULL: [string, string][] = [['', 'endpoints'], ['', 'services'], ['', 'pods'], ['', 'namespaces'], ['discovery.k8s.io', 'endpointslices']]

describe('dns doctor against the API test server: healthy and broken cluster DNS', function () {
  this.timeout(120000)
  let dns: NsdServer | undefined
  let broken: NsdServer | undefined
  let nsd: string
  const servers: KubeApiServer[] = []

  before(async function () {
    nsd = requireBinaries(this, ['nsd', 'dig', 'unshare'], 'apt-get install nsd bind9-dnsutils util-linux').nsd
    if (!canUseMountNamespace()) {
      if (process.env.CI === 'true') throw new Error('cannot bind-mount a resolv.conf (needs root and unshare -m)')
      process.stderr.write(`\n  !!! SKIPPING "${this.test?.parent?.title}": needs root and unshare -m\n\n`)
      this.skip()
    }
    const zone = kdisco(['dns', 'zone', '-A', '-f', 'examples/', '--zone', 'cluster.local']).stdout
    dns = await startNsd(nsd, [{name: 'cluster.local', text: zone}], {address: DNS_IP, port: 53})
    broken = await startNsd(nsd, [{name: 'cluster.local', text: zone.replace(/^kubernetes\.default\.svc\.cluster\.local\..*\n/m, '')}])
  })
  after(async () => {
    for (const s of servers) await s.stop()
    await dns?.stop()
    await broken?.stop()
  })

  /** A cluster like the examples, with CoreDNS's RBAC, changed by `mutate`, and doctor's JSON. */
  async function doctor(mutate: (s: KubeApiServer) => void = () => {}, args: string[] = []) {
    const server = await new KubeApiServer({
      kubelet: {resolvConf: (ns) => `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${DNS_IP}\noptions ndots:5 timeout:1\n`, stepMs: 20, portForwardTarget: (pod) => (pod === 'coredns-bad' ? {host: '127.0.0.1', port: broken!.port} : {host: DNS_IP, port: 53})},
    }).start()
    servers.push(server)
    await loadExamples(server)
    server.add(corednsRole(FULL) as unknown as Obj, binding as unknown as Obj)
    mutate(server)
    const r = await kdiscoAsync(['dns', 'doctor', '--kubeconfig', server.kubeconfig(), '-o', 'json', ...args], {timeoutMs: 60000})
    const out = JSON.parse(r.stdout || '{"checks": []}') as {checks: Check[]; summary: Record<string, number>}
    const byId = Object.fromEntries(out.checks.map((c) => [c.id, c])) as Record<string, Check>
    return {r, out, byId, server}
  }

  const kubeDns = (s: KubeApiServer) => s.objects('Service', 'kube-system').find((o) => o.metadata.name === 'kube-dns') as unknown as {spec: {ports: {name: string; port: number; protocol: string}[]}}
  const corednsPod = (s: KubeApiServer) => s.objects('Pod', 'kube-system')[0] as unknown as {metadata: {name: string}; status: {conditions: {type: string; status: string}[]; containerStatuses: Record<string, unknown>[]}}

  it('healthy: no errors, the control lookup matches through a debug pod, RBAC read; exit 0', async () => {
    const {r, byId, server} = await doctor()
    expect(r.status, JSON.stringify(Object.values(byId).filter((c) => c.status === 'error'))).to.equal(0)
    expect(Object.values(byId).filter((c) => c.status === 'error')).to.deep.equal([])
    expect(byId.lookup.status).to.equal('ok')
    expect(byId.lookup.evidence[0]).to.match(/^via pod default\/kdisco-probe-/)
    expect(byId.rbac.status).to.equal('ok')
    expect(byId.service.status).to.equal('ok')
    expect(byId.corefile.message).to.match(/cluster domain cluster\.local, pods insecure/)
    expect(server.podsLabelled('app.kubernetes.io/managed-by', 'kdisco')).to.deep.equal([])
  })

  it('RBAC without watch on endpointslices, or without any binding: error naming what is missing', async () => {
    const noWatch = await doctor((s) => s.add(corednsRole(FULL.filter(([g]) => g !== 'discovery.k8s.io')) as unknown as Obj), ['--probe', 'none'])
    expect(noWatch.byId.rbac.status).to.equal('error')
    expect(noWatch.byId.rbac.message).to.match(/may not list endpointslices\.discovery\.k8s\.io, watch endpointslices\.discovery\.k8s\.io/)
    expect(noWatch.r.status).to.equal(1)
    const unbound = await doctor((s) => s.remove('ClusterRoleBinding', undefined, 'system:coredns'), ['--probe', 'none'])
    expect(unbound.byId.rbac.message).to.match(/no ClusterRoleBinding gives ServiceAccount kube-system\/coredns/)
    const forbidden = await doctor((s) => s.fault({path: /clusterrolebindings$/, status: 403, reason: 'Forbidden', message: 'clusterrolebindings.rbac.authorization.k8s.io is forbidden'}), ['--probe', 'none'])
    expect(forbidden.byId.rbac.status).to.equal('skipped')
  })

  it('kube-dns without 53/TCP: error', async () => {
    const {byId} = await doctor((s) => {
      const svc = kubeDns(s)
      svc.spec.ports = svc.spec.ports.filter((p) => p.protocol !== 'TCP' || p.port !== 53)
      s.add(svc as unknown as Obj)
    }, ['--probe', 'none'])
    expect(byId.service.status).to.equal('error')
    expect(byId.service.message).to.match(/lacks port 53\/TCP/)
  })

  it('a crash-looping DNS pod with no ready endpoint: pods and endpoints errors with the last restart reason', async () => {
    const {byId} = await doctor((s) => {
      const pod = corednsPod(s)
      pod.status.conditions = [{type: 'Ready', status: 'False'}]
      pod.status.containerStatuses = [{name: 'coredns', ready: false, restartCount: 7, state: {waiting: {reason: 'CrashLoopBackOff'}}, lastState: {terminated: {reason: 'OOMKilled', exitCode: 137}}}]
      s.add(pod as unknown as Obj)
      const slice = s.objects('EndpointSlice', 'kube-system')[0] as unknown as {endpoints: {conditions: {ready: boolean}}[]}
      for (const e of slice.endpoints) e.conditions = {ready: false}
      s.add(slice as unknown as Obj)
    }, ['--probe', 'none'])
    expect(byId.pods.status).to.equal('error')
    expect(byId.pods.evidence[0]).to.match(/7 restarts \(last: OOMKilled\), waiting: CrashLoopBackOff/)
    expect(byId.endpoints.status).to.equal('error')
  })

  it('a Corefile without forward and loop: warning; NodeLocal DNSCache not ready: warning', async () => {
    const {byId} = await doctor((s) => {
      const cm = s.objects('ConfigMap', 'kube-system').find((o) => o.metadata.name === 'coredns') as unknown as {data: {Corefile: string}}
      cm.data.Corefile = cm.data.Corefile.replace(/^\s*forward .*\{[^}]*\}\n/m, '').replace(/^\s*forward .*\n/m, '').replace(/^\s*loop\n/m, '')
      s.add(cm as unknown as Obj)
      s.add({apiVersion: 'v1', kind: 'Pod', metadata: {name: 'node-local-dns-x', namespace: 'kube-system', labels: {'k8s-app': 'node-local-dns'}}, spec: {nodeName: 'node-1', containers: [{name: 'c', image: 'x'}]}, status: {phase: 'Running', conditions: [{type: 'Ready', status: 'False'}]}} as unknown as Obj)
    }, ['--probe', 'none'])
    expect(byId.corefile.status).to.equal('warning')
    expect(byId.corefile.message).to.match(/no forward plugin.*no loop plugin/)
    expect(byId.nodelocaldns.status).to.equal('warning')
  })

  it('a Corefile without the kubernetes plugin (or one that does not parse): the corefile check says so; doctor still runs every check', async () => {
    for (const [what, corefile, message] of [
      ['no kubernetes plugin', (t: string) => t.replace(/\n\s*kubernetes [^{]*\{[^}]*\}/, ''), /^no server block has the kubernetes plugin/],
      ['a syntax error', (t: string) => `${t}\n}\n`, /^the Corefile does not parse: /],
    ] as const) {
      const {r, byId} = await doctor((s) => {
        const cm = s.objects('ConfigMap', 'kube-system').find((o) => o.metadata.name === 'coredns') as unknown as {data: {Corefile: string}}
        cm.data.Corefile = corefile(cm.data.Corefile)
        s.add(cm as unknown as Obj)
      }, ['--probe', 'none'])
      expect(r.status, `${what}: ${r.stderr}`).to.equal(1)
      expect(byId.corefile.status, what).to.equal('error')
      expect(byId.corefile.message, what).to.match(message)
      expect(r.stderr, what).to.match(/^kdisco: DNS settings: kubeadm defaults: ConfigMap kube-system\/coredns is unusable \(/)
      // Where the Corefile went wrong, said as a line of it (the ConfigMap is named just before).
      if (what === 'a syntax error') expect(r.stderr, what).to.match(/is unusable \(line \d+: /)
      expect(Object.keys(byId)).to.have.length(10)
    }
  })

  it('--probe port-forward: a replica that does not serve kubernetes.default fails the control lookup and is named', async () => {
    const {byId, r} = await doctor((s) => {
      const slice = s.objects('EndpointSlice', 'kube-system')[0] as unknown as {endpoints: unknown[]}
      slice.endpoints.push({addresses: ['10.244.0.77'], conditions: {ready: true}, targetRef: {kind: 'Pod', name: 'coredns-bad', namespace: 'kube-system'}})
      s.add(slice as unknown as Obj, {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'coredns-bad', namespace: 'kube-system', labels: {'k8s-app': 'kube-dns'}}, spec: {containers: [{name: 'coredns', image: 'x'}]}, status: {phase: 'Running', podIP: '10.244.0.77', conditions: [{type: 'Ready', status: 'True'}]}} as unknown as Obj)
    }, ['--probe', 'port-forward'])
    expect(byId.lookup.status).to.equal('error')
    expect(byId.lookup.evidence.join(' '), JSON.stringify(byId.lookup)).to.match(/port-forward kube-system\/coredns-bad: (rcode|missing).*1 of 2 replicas match/)
    expect(r.status).to.equal(1)
  })

  it('the table says ok/warning/error per check with evidence', async () => {
    const server = servers[0]
    const r = await kdiscoAsync(['dns', 'doctor', '--kubeconfig', server.kubeconfig(), '--probe', 'none'])
    expect(r.stdout).to.match(/✓ ok\s+cluster DNS Service: kube-system\/kube-dns serves 53\/UDP and 53\/TCP/)
    expect(r.stdout).to.match(/· skipped\s+control lookup/)
    expect(r.stdout).to.match(/cost of ndots:5: a pod resolving "example.com" sends 8 queries/)
  })
})

describe('dns doctor on partial input (-f)', () => {
  const doctorJson = (args: string[]) => {
    const r = kdisco(['dns', 'doctor', ...args, '-o', 'json'])
    const out = JSON.parse(r.stdout) as {checks: Check[]; summary: Record<string, number>}
    return {r, out, byId: Object.fromEntries(out.checks.map((c) => [c.id, c])) as Record<string, Check>}
  }

  it('manifests without kube-system objects: what they lack is skipped with the reason, nothing fails, exit 0', () => {
    const {r, out, byId} = doctorJson(['-f', 'examples/kubia.yaml'])
    expect(r.status, r.stderr).to.equal(0)
    expect(out.summary.error).to.equal(0)
    expect(byId.service).to.include({status: 'skipped', message: 'kube-dns is not in the input (Service kube-system/kube-dns)'})
    expect(byId.endpoints).to.include({status: 'skipped', message: 'kube-dns is not in the input'})
    expect(byId.pods).to.include({status: 'skipped'})
    expect(byId.pods.message).to.match(/no kube-dns pod .* is in the input/)
    expect(byId.corefile.status).to.equal('skipped')
    expect(byId.plugins.status).to.equal('skipped')
    expect(byId.nodelocaldns.status).to.equal('skipped')
    // No NXDOMAIN "expectation" made up from the absence of the API server's Service.
    expect(byId.lookup).to.include({status: 'skipped'})
    expect(byId.lookup.message).to.match(/Service default\/kubernetes is not in the input/).and.not.match(/NXDOMAIN/)
    expect(kdisco(['dns', 'doctor', '-f', 'examples/kubia.yaml']).stdout).to.match(/no errors, 0 warnings, 1 ok, 9 skipped/)
  })

  it('the kube-dns Service without its EndpointSlices or pods: the endpoints check is skipped, not an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-doctor-'))
    const text = readFileSync('examples/cluster-basics.yaml', 'utf8').split('\n---\n').filter((d) => !/^kind: Pod$/m.test(d)).join('\n---\n')
    writeFileSync(join(dir, 'basics.yaml'), text)
    const {r, byId} = doctorJson(['-f', dir])
    expect(r.status, r.stderr).to.equal(0)
    expect(byId.service.status).to.equal('ok')
    expect(byId.endpoints).to.include({status: 'skipped', message: 'neither EndpointSlices of kube-dns nor its pods are in the input'})
  })

  it('--corefile is what every check uses: the Corefile check reads the file, the control lookup its cluster domain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-doctor-'))
    const corefile = join(dir, 'Corefile')
    writeFileSync(corefile, '.:53 {\n  errors\n  kubernetes corp.internal in-addr.arpa {\n    pods verified\n  }\n  forward . /etc/resolv.conf\n  cache 30\n  loop\n}\n')
    const {byId, out} = doctorJson(['-f', 'examples/', '--corefile', corefile])
    expect(out).to.have.nested.property('settings.source', corefile)
    expect(byId.corefile.message).to.equal('parses; cluster domain corp.internal, pods verified')
    expect(byId.corefile.evidence[0]).to.equal(`${corefile}, server block .:53`)
    expect(byId.lookup.message).to.include('kubernetes.default.svc.corp.internal.')
  })

  it('a live cluster lacking the same objects is an error (the absence is real there)', async () => {
    const server = await new KubeApiServer().start()
    server.add(...(['default', 'kube-system'].map((name) => ({apiVersion: 'v1', kind: 'Namespace', metadata: {name}})) as unknown as Obj[]))
    try {
      const r = await kdiscoAsync(['dns', 'doctor', '--probe', 'none', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
      expect(r.status).to.equal(1)
      const byId = Object.fromEntries((JSON.parse(r.stdout).checks as Check[]).map((c) => [c.id, c]))
      expect(byId.service.status).to.equal('error')
      expect(byId.pods.status).to.equal('error')
    } finally {
      await server.stop()
    }
  })
})
