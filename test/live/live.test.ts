// The live-cluster path end to end: the built CLI (client-node bundle and all) against the Kubernetes API test
// server. Asserts outputs and the exact requests made.
import {expect} from 'chai'
import {execFile, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {requireBinaries} from '../support/binaries.js'
import {BIN, kdiscoAsync} from '../support/cli.js'
import {UNSHARE, canUseMountNamespace} from '../support/kubelet.js'
import {asRoot} from '../support/privilege.js'
import {loadExamples} from '../support/cluster-objects.js'
import {KubeApiServer, type RecordedRequest} from '../support/kube-api-server.js'

const run = promisify(execFile)
const paths = (reqs: RecordedRequest[]) => reqs.map((r) => `${r.method} ${r.path}${r.query.labelSelector ? `?labelSelector=${r.query.labelSelector}` : ''}`).sort()

function service(name: string, namespace = 'default', extra: Record<string, unknown> = {}) {
  return {apiVersion: 'v1', kind: 'Service', metadata: {name, namespace, labels: {app: name}}, spec: {clusterIP: `10.96.${Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250) + 1}`, selector: {app: name}, ports: [{name: 'http', port: 80, targetPort: 8080, protocol: 'TCP'}], ...extra}}
}

describe('live: the Kubernetes API test server is faithful (real kubectl)', function () {
  let server: KubeApiServer
  before(async function () {
    requireBinaries(this, ['kubectl'], 'apt-get install kubectl')
    server = await new KubeApiServer({tls: true}).start()
    await loadExamples(server)
  })
  after(async () => server?.stop())

  it('kubectl get svc,endpointslices,pods -o json returns exactly the objects the server holds', async () => {
    const {stdout} = await run('kubectl', ['--kubeconfig', server.kubeconfig(), 'get', 'svc,endpointslices,pods', '-A', '-o', 'json'])
    const got = (JSON.parse(stdout).items as {kind: string; metadata: {namespace: string; name: string; uid: string}}[]).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name} ${o.metadata.uid}`).sort()
    const held = ['Service', 'EndpointSlice', 'Pod'].flatMap((k) => server.objects(k).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name} ${o.metadata.uid}`)).sort()
    expect(got).to.deep.equal(held)
    expect(got.length).to.be.greaterThan(20)
  })

  it('kubectl label and field selectors are applied by the server', async () => {
    const {stdout} = await run('kubectl', ['--kubeconfig', server.kubeconfig(), 'get', 'pods', '-n', 'data', '-l', 'app in (mysql)', '--field-selector', 'status.phase=Running', '-o', 'name'])
    expect(stdout.trim().split('\n')).to.deep.equal(['pod/mysql-sts-0', 'pod/mysql-sts-1', 'pod/mysql-sts-2'])
    const bad = await run('kubectl', ['--kubeconfig', server.kubeconfig(), 'get', 'pods', '--field-selector', 'spec.bogus=1']).catch((e) => e)
    expect(bad.stderr).to.match(/field label not supported: spec\.bogus/)
  })
})

describe('live: commands against the API test server', function () {
  this.timeout(60000)
  let server: KubeApiServer
  let kubeconfig: string

  before(async () => {
    server = await new KubeApiServer().start()
    await loadExamples(server)
    kubeconfig = server.kubeconfig()
  })
  after(async () => server.stop())
  beforeEach(() => server.clearLog())

  it('svc lookup makes 3 requests (Service, the namespace slices, the Corefile) with the bearer token, and matches the file answers', async () => {
    const live = await kdiscoAsync(['svc', 'lookup', 'kubia-headless', '--probe', 'none', '--kubeconfig', kubeconfig, '-o', 'json'])
    expect(live.status, live.stderr).to.equal(0)
    expect(paths(server.requests)).to.deep.equal([
      'GET /api/v1/namespaces/default/services/kubia-headless',
      'GET /api/v1/namespaces/kube-system/configmaps/coredns',
      'GET /apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
    ])
    expect(server.requests.every((r) => r.authorization)).to.equal(true)
    const files = await kdiscoAsync(['svc', 'lookup', 'kubia-headless', '-f', 'examples/', '-o', 'json'])
    // A read of one namespace cannot rule out PTR records from endpoints elsewhere: live says so, files need not.
    const strip = (o: {queries: {expected: {partial?: unknown}}[]}) => o.queries.map((q) => ({...q, expected: {...q.expected, partial: undefined}}))
    expect(JSON.parse(live.stdout).queries.filter((q: {kind: string; expected: {partial?: {readNamespaces: string[]}}}) => q.kind === 'reverse').map((q: {expected: {partial?: {readNamespaces: string[]}}}) => q.expected.partial)).to.deep.include({readNamespaces: ['default']})
    expect(strip(JSON.parse(live.stdout))).to.deep.equal(strip(JSON.parse(files.stdout)))
    expect(JSON.parse(live.stdout).settings.source).to.equal('ConfigMap kube-system/coredns')
  })

  for (const count of [1, 10, 1000]) {
    it(`svc endpoints needs at most 4 requests with ${count} pods behind the Service`, async () => {
      const name = `scale-${count}`
      const pods = Array.from({length: count}, (_, i) => ({apiVersion: 'v1', kind: 'Pod', metadata: {name: `${name}-${i}`, namespace: 'scale', labels: {app: name}}, spec: {containers: [{name: 'c'}]}, status: {phase: 'Running', podIP: `10.1.${i >> 8}.${i & 255}`, conditions: [{type: 'Ready', status: 'True'}]}}))
      const slice = {apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: {name: `${name}-abc`, namespace: 'scale', labels: {'kubernetes.io/service-name': name}}, addressType: 'IPv4', endpoints: pods.map((p) => ({addresses: [p.status.podIP], conditions: {ready: true}, targetRef: {kind: 'Pod', name: p.metadata.name, namespace: 'scale'}})), ports: [{name: 'http', port: 8080, protocol: 'TCP'}]}
      server.add({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'scale'}} as never, service(name, 'scale') as never, slice as never, ...(pods as never[]))
      server.clearLog()
      const r = await kdiscoAsync(['svc', 'endpoints', name, '-n', 'scale', '--kubeconfig', kubeconfig, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect(JSON.parse(r.stdout).endpoints).to.have.length(count)
      expect(server.requests.length).to.be.at.most(4)
      expect(paths(server.requests)).to.include(`GET /api/v1/namespaces/scale/pods?labelSelector=app=${name}`)
    })
  }

  it('-A lists page by page (limit 500 + continue), one paged LIST per kind', async () => {
    const many = Array.from({length: 1100}, (_, i) => service(`bulk-${i}`, 'bulk'))
    server.add({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'bulk'}} as never, ...(many as never[]))
    server.clearLog()
    const r = await kdiscoAsync(['svc', 'list', '-A', '--kubeconfig', kubeconfig, '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout).services.filter((s: {namespace: string}) => s.namespace === 'bulk')).to.have.length(1100)
    const svcReqs = server.requests.filter((q) => q.path === '/api/v1/services')
    expect(svcReqs.map((q) => [q.query.limit, Boolean(q.query.continue)])).to.deep.equal([
      ['500', false],
      ['500', true],
      ['500', true],
    ])
    expect(server.requests.filter((q) => q.path === '/apis/discovery.k8s.io/v1/endpointslices')).to.have.length(1)
    for (const m of many) server.remove('Service', 'bulk', m.metadata.name)
  })

  it('a 410 Expired continue token restarts the list', async () => {
    const many = Array.from({length: 700}, (_, i) => service(`exp-${i}`, 'expire'))
    server.add({apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'expire'}} as never, ...(many as never[]))
    server.clearLog()
    // Expire the first token as soon as it has been handed out.
    let expired = false
    const origin = server.requests.push.bind(server.requests)
    server.requests.push = (...items: RecordedRequest[]) => {
      const n = origin(...items)
      if (!expired && items[0].path === '/api/v1/namespaces/expire/services' && !items[0].query.continue) setImmediate(() => server.expireContinueTokens())
      if (items[0].query.continue) expired = true
      return n
    }
    const r = await kdiscoAsync(['svc', 'list', '-n', 'expire', '--kubeconfig', kubeconfig, '-o', 'json'])
    server.requests.push = origin
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout).services).to.have.length(700)
    const statuses = server.requests.filter((q) => q.path === '/api/v1/namespaces/expire/services').map((q) => q.status)
    expect(statuses).to.deep.equal([200, 410, 200, 200])
  })

  it('svc list shows what DNS returns; -l filters; -o name', async () => {
    const r = await kdiscoAsync(['svc', 'list', '-n', 'data', '--kubeconfig', kubeconfig])
    expect(r.stdout).to.match(/mysql-svc\s+ClusterIP\s+None\s+<none>\s+mysql-svc\.data\.svc\.cluster\.local\.\s+3\/3\s+3 pod IPs\s+\d+d/)
    expect(r.stdout).to.match(/nginx-svc .*NXDOMAIN: no ready endpoints/)
    const named = await kdiscoAsync(['svc', 'list', '-n', 'data', '-l', 'app=mysql-svc', '--kubeconfig', kubeconfig, '-o', 'name'])
    expect(named.stdout).to.equal('service/mysql-svc\n')
    expect(server.requests.some((q) => q.query.labelSelector === 'app=mysql-svc')).to.equal(true)
  })

  it('the namespace comes from -n, else the kubeconfig context, else default', async () => {
    const ctxNs = server.kubeconfig({namespace: 'data'})
    const r = await kdiscoAsync(['svc', 'list', '--kubeconfig', ctxNs, '-o', 'name'])
    expect(r.stdout).to.equal('service/mysql-svc\nservice/nginx-svc\n')
    const r2 = await kdiscoAsync(['svc', 'list', '-n', 'kube-system', '--kubeconfig', ctxNs, '-o', 'name'])
    expect(r2.stdout).to.equal('service/kube-dns\n')
  })

  it('KUBECONFIG with several files merges them as kubectl does; --context picks one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-kc-'))
    const broken = join(dir, 'first')
    writeFileSync(broken, `apiVersion: v1\nkind: Config\nclusters:\n- name: dead\n  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: x}\ncontexts:\n- name: dead\n  context: {cluster: dead, user: u}\ncurrent-context: dead\n`)
    const good = server.kubeconfig({context: 'good'})
    const dead = await kdiscoAsync(['svc', 'list'], {env: {KUBECONFIG: `${broken}:${good}`}})
    expect(dead.status).to.equal(3)
    expect(dead.stderr).to.match(/^Error: Cannot reach the API server https:\/\/127\.0\.0\.1:1 \(context dead\): connection refused\./)
    const ok = await kdiscoAsync(['svc', 'list', '--context', 'good', '-o', 'name'], {env: {KUBECONFIG: `${broken}:${good}`}})
    expect(ok.status, ok.stderr).to.equal(0)
    expect(ok.stdout).to.include('service/kubia\n')
    const unknown = await kdiscoAsync(['svc', 'list', '--context', 'nope'], {env: {KUBECONFIG: `${broken}:${good}`}})
    expect([unknown.status, unknown.stderr.trim().split('\n').length]).to.deep.equal([2, 1])
    expect(unknown.stderr).to.match(/Context "nope" not found.*Available contexts: dead, good/)
  })

  it('pod lookup and dns zone work live, with the cluster DNS IP from kube-dns', async () => {
    const pod = await kdiscoAsync(['pod', 'lookup', 'mysql-sts-0', '-n', 'data', '--probe', 'none', '--kubeconfig', kubeconfig, '-o', 'json'])
    expect(pod.status, pod.stderr).to.equal(0)
    expect(JSON.parse(pod.stdout).resolvConf.nameservers).to.deep.equal(['10.96.0.10'])
    const zone = await kdiscoAsync(['dns', 'zone', '-n', 'data', '--kubeconfig', kubeconfig])
    const files = await kdiscoAsync(['dns', 'zone', '-n', 'data', '-f', 'examples/'])
    const body = (t: string) => t.split('\n').filter((l) => !l.startsWith(';')).join('\n')
    expect(body(zone.stdout)).to.equal(body(files.stdout))
    // Predicted names live say what they say from files: web's governing Service does not exist.
    const predicted = async (source: string[]) => JSON.parse((await kdiscoAsync(['dns', 'zone', '-n', 'data', ...source, '-o', 'json'])).stdout).predicted
    const live = await predicted(['--kubeconfig', kubeconfig])
    expect(live).to.deep.equal(await predicted(['-f', 'examples/']))
    expect(live.map((p: {status: string; reason: string}) => `${p.status}: ${p.reason}`)).to.deep.equal(['will-not-resolve: no Service nginx', 'will-not-resolve: no Service nginx'])
  })

  it('dns lookup works live across namespaces', async () => {
    const r = await kdiscoAsync(['dns', 'lookup', 'mysql-sts-1.mysql-svc.data', '--probe', 'none', '--kubeconfig', kubeconfig, '-o', 'json'])
    expect(JSON.parse(r.stdout).answers.map((a: {data: string}) => a.data)).to.deep.equal(['10.244.2.12'])
  })

  it('--verbose logs each request (method, path, status, ms) and never the token', async () => {
    const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kubeconfig, '--verbose', '-o', 'json'])
    expect(r.stderr).to.match(/kdisco: GET \/api\/v1\/namespaces\/default\/services\/kubia 200 \d+ms/)
    expect(r.stderr + r.stdout).to.not.include(server.token!)
  })
})

describe('live: errors and degraded access', function () {
  this.timeout(60000)

  async function withServer<T>(setup: (s: KubeApiServer) => void, body: (s: KubeApiServer, kubeconfig: string) => Promise<T>, options = {}): Promise<T> {
    const s = await new KubeApiServer(options).start()
    await loadExamples(s)
    setup(s)
    try {
      return await body(s, s.kubeconfig())
    } finally {
      await s.stop()
    }
  }

  const oneLine = (r: {stderr: string}) => expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1)

  it('401: credentials rejected', async () => {
    await withServer(() => {}, async (s) => {
      const r = await kdiscoAsync(['svc', 'list', '--kubeconfig', s.kubeconfig({token: 'stale'})])
      expect(r.status).to.equal(3)
      expect(r.stderr).to.match(/rejected the credentials \(401 Unauthorized\)\. The token or certificate may have expired/)
      oneLine(r)
      expect(r.stderr).to.not.include('stale')
    })
  })

  it('403 on the Service: names the verb and resource, exit 3', async () => {
    await withServer((s) => s.forbid('get', 'services', 'default'), async (_s, kc) => {
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kc])
      expect(r.status).to.equal(3)
      expect(r.stderr).to.match(/^Error: RBAC forbids get services kubia in namespace default: services "kubia" is forbidden: User "system:serviceaccount:default:kdisco" cannot get resource "services"/)
      oneLine(r)
    })
  })

  it('403 on pods: endpoints still shown, readiness reasons marked unknown', async () => {
    await withServer((s) => s.forbid('list', 'pods', 'default'), async (_s, kc) => {
      const r = await kdiscoAsync(['svc', 'endpoints', 'kubia', '--kubeconfig', kc, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stderr).to.match(/Cannot read pods in default \(Forbidden\)/)
      const out = JSON.parse(r.stdout)
      expect(out.endpoints).to.have.length(3)
      expect(out.endpoints.find((e: {inDns: boolean}) => !e.inDns).why).to.match(/reason unknown/)
      expect(out.input.gaps[0]).to.include({resource: 'pods', namespace: 'default', reason: 'Forbidden'})
    })
  })

  it('403 on the CoreDNS ConfigMap: kubeadm defaults, one dim line, and the JSON says so', async () => {
    await withServer((s) => s.forbid('get', 'configmaps', 'kube-system'), async (_s, kc) => {
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kc, '-o', 'json'])
      expect(r.status).to.equal(0)
      expect(r.stderr).to.equal('kdisco: DNS settings: kubeadm defaults: the kube-system/coredns ConfigMap could not be read (Forbidden)\n')
      expect(JSON.parse(r.stdout).settings.source).to.match(/could not be read \(Forbidden\)/)
    })
  })

  it('Service not found: exit 2 as offline, the same line, suggesting close names and other namespaces', async () => {
    await withServer((s) => s.add(service('kubia', 'data') as never), async (_s, kc) => {
      for (const command of ['lookup', 'endpoints', 'explain']) {
        const noProbe = command === 'endpoints' ? [] : ['--probe', 'none']
        const live = await kdiscoAsync(['svc', command, 'kubia-headles', ...noProbe, '--kubeconfig', kc])
        const files = await kdiscoAsync(['svc', command, 'kubia-headles', ...noProbe, '-f', 'examples/'])
        expect([live.status, live.stderr], command).to.deep.equal([2, 'Error: Service "kubia-headles" not found in namespace default. Did you mean kubia-headless?\n'])
        expect([files.status, files.stderr], command).to.deep.equal([live.status, live.stderr])
      }
      const r2 = await kdiscoAsync(['svc', 'lookup', 'mysql-svc', '--probe', 'none', '--kubeconfig', kc])
      expect(r2.stderr).to.equal('Error: Service "mysql-svc" not found in namespace default. It exists in another namespace: -n data\n')
      // A namespace that does not exist: still where the name is.
      const nowhere = await kdiscoAsync(['svc', 'lookup', 'mysql-svc', '-n', 'nosuchns', '--probe', 'none', '--kubeconfig', kc])
      expect([nowhere.status, nowhere.stderr]).to.deep.equal([2, 'Error: Service "mysql-svc" not found: namespace "nosuchns" does not exist. It exists in another namespace: -n data\n'])
      const none = await kdiscoAsync(['svc', 'lookup', 'zzzzzzzzzzzz', '--probe', 'none', '--kubeconfig', kc])
      expect(none.stderr).to.equal('Error: Service "zzzzzzzzzzzz" not found in namespace default. List Services with kdisco svc list -A, or check -n\n')
    })
  })

  it('-n naming a namespace the cluster lacks: namespace-scoped commands warn on stderr and in the JSON, exit 0', async () => {
    await withServer(() => {}, async (_s, kc) => {
      for (const args of [['svc', 'list'], ['dns', 'zone'], ['svc', 'explain', '--all']]) {
        const r = await kdiscoAsync([...args, '-n', 'nowhere', '--kubeconfig', kc, '-o', 'json'])
        expect([r.status, r.stderr], args.join(' ')).to.deep.equal([0, 'kdisco: warning: Namespace "nowhere" does not exist in the cluster\n'])
        expect(JSON.parse(r.stdout).input.warnings).to.deep.equal(['Namespace "nowhere" does not exist in the cluster'])
      }
      const there = await kdiscoAsync(['svc', 'list', '-n', 'data', '--kubeconfig', kc, '-o', 'json'])
      expect([there.stderr, JSON.parse(there.stdout).input.warnings]).to.deep.equal(['', []])
    })
  })

  it('a Service in a namespace that does not exist: exit 2, saying so', async () => {
    await withServer(() => {}, async (_s, kc) => {
      const r = await kdiscoAsync(['svc', 'lookup', 'web', '-n', 'nowhere', '--probe', 'none', '--kubeconfig', kc])
      expect([r.status, r.stderr]).to.deep.equal([2, 'Error: Service "web" not found: namespace "nowhere" does not exist. Check -n (kubectl get namespaces lists them)\n'])
    })
  })

  it('429 with Retry-After is retried; 500 is reported', async () => {
    await withServer((s) => s.fault({path: /\/services\/kubia$/, status: 429, reason: 'TooManyRequests', message: 'slow down', retryAfter: 1, times: 1}), async (s, kc) => {
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kc, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect(s.requests.filter((q) => q.path.endsWith('/services/kubia')).map((q) => q.status)).to.deep.equal([429, 200])
    })
    await withServer((s) => s.fault({path: /\/services\/kubia$/, status: 500}), async (_s, kc) => {
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kc])
      expect(r.status).to.equal(3)
      expect(r.stderr).to.match(/failed to get services kubia in namespace default: 500/)
      oneLine(r)
    })
  })

  it('a hanging API server times out after --request-timeout', async () => {
    await withServer((s) => s.fault({path: /\/services\/kubia$/, hang: true}), async (_s, kc) => {
      const started = Date.now()
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kc, '--request-timeout', '1s'])
      expect(r.status).to.equal(3)
      expect(r.stderr).to.match(/did not answer get services kubia in namespace default: no answer within 1s\. .*--request-timeout/)
      expect(Date.now() - started).to.be.below(8000)
    })
  })

  it('bad --request-timeout is a usage error', async () => {
    const r = await kdiscoAsync(['svc', 'list', '--request-timeout', 'soon'])
    expect([r.status, r.stderr]).to.deep.equal([2, 'Error: --request-timeout "soon" is not a duration. Use a value like 30s, 2m or 1m30s\n'])
  })

  it('TLS: the kubeconfig CA verifies the server; a wrong CA fails with a TLS error', async () => {
    await withServer(() => {}, async (s, kc) => {
      const ok = await kdiscoAsync(['svc', 'list', '--kubeconfig', kc, '-o', 'name'])
      expect(ok.status, ok.stderr).to.equal(0)
      const wrongCa = join(mkdtempSync(join(tmpdir(), 'kdisco-ca-')), 'config')
      writeFileSync(wrongCa, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "${s.url}"}\nusers:\n- name: u\n  user: {token: test-token}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`)
      const bad = await kdiscoAsync(['svc', 'list', '--kubeconfig', wrongCa], {env: {NODE_EXTRA_CA_CERTS: undefined}})
      expect(bad.status).to.equal(3)
      expect(bad.stderr).to.match(/^Error: TLS verification of https:\/\/127\.0\.0\.1:\d+ \(context x\) failed: [A-Z_]+\./)
    }, {tls: true})
  })

  it('falls back to v1 Endpoints when discovery.k8s.io/v1 is not served', async () => {
    await withServer(
      (s) =>
        s.add({apiVersion: 'v1', kind: 'Endpoints', metadata: {name: 'kubia-headless', namespace: 'default'}, subsets: [{addresses: [{ip: '10.244.1.38'}], notReadyAddresses: [{ip: '10.244.2.58'}], ports: [{port: 8080}]}]} as never),
      async (s, kc) => {
        const r = await kdiscoAsync(['svc', 'lookup', 'kubia-headless', '--probe', 'none', '--kubeconfig', kc, '-o', 'json'])
        expect(r.status, r.stderr).to.equal(0)
        const a = JSON.parse(r.stdout).queries.find((q: {type: string; kind: string}) => q.kind === 'service' && q.type === 'A')
        expect(a.expected.answers.map((x: {data: string}) => x.data)).to.deep.equal(['10.244.1.38'])
        expect(s.requests.map((q) => q.path)).to.include('/api/v1/namespaces/default/endpoints')
      },
      {unservedGroups: ['discovery.k8s.io']},
    )
  })
})

describe('live: in a pod (in-cluster service account)', function () {
  this.timeout(60000)
  it('uses KUBERNETES_SERVICE_HOST/PORT and the token, CA and namespace under /var/run/secrets', async function () {
    requireBinaries(this, ['unshare'], 'apt-get install util-linux')
    if (!canUseMountNamespace()) {
      if (process.env.CI === 'true') throw new Error('cannot make a private mount namespace (needs root and unshare -m)')
      process.stderr.write('\n  !!! SKIPPING in-cluster test: needs root and unshare -m\n\n')
      return this.skip()
    }
    const server = await new KubeApiServer({tls: true, token: 'sa-token-123'}).start()
    try {
      await loadExamples(server)
      const sa = mkdtempSync(join(tmpdir(), 'kdisco-sa-'))
      writeFileSync(join(sa, 'token'), 'sa-token-123')
      writeFileSync(join(sa, 'ca.crt'), readFileSync(KubeApiServer.caPath()))
      writeFileSync(join(sa, 'namespace'), 'data')
      const port = new URL(server.url).port
      // A private /run (so /var/run/secrets exists only for this process), holding the service-account files.
      const script = 'mount -t tmpfs none /run && mkdir -p /run/secrets/kubernetes.io/serviceaccount && cp "$0"/* /run/secrets/kubernetes.io/serviceaccount/ && exec "$@"'
      const r = await new Promise<{status: number | null; stdout: string; stderr: string}>((resolve) => {
        const [cmd, args] = asRoot([UNSHARE, '-m', 'sh', '-c', script, sa, process.execPath, BIN, 'svc', 'list', '-o', 'json'])!
        const child = spawn(cmd, args, {env: {PATH: process.env.PATH, HOME: '/nonexistent', KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port, NODE_ENV: 'production'}})
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d) => (stdout += d))
        child.stderr.on('data', (d) => (stderr += d))
        child.on('close', (status) => resolve({status, stdout, stderr}))
      })
      expect(r.status, r.stderr).to.equal(0)
      expect((JSON.parse(r.stdout).services as {name: string; namespace: string}[]).map((s) => `${s.namespace}/${s.name}`)).to.deep.equal(['data/mysql-svc', 'data/nginx-svc'])
      expect(server.requests.length).to.be.greaterThan(0)
      expect(server.requests.every((q) => q.authorization && q.status !== 401)).to.equal(true)
    } finally {
      await server.stop()
    }
  })
})

describe('live: kdisco says what CoreDNS reads (EndpointSlices), never endpoints derived from pods', function () {
  this.timeout(60000)
  let server: KubeApiServer
  let kubeconfig: string
  // Three ready pods behind a ClusterIP and a headless Service, and no EndpointSlice for either: what a cluster
  // looks like when the EndpointSlice controller is down (or a moment after the Services were created).
  const shop = [
    {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'shop'}},
    {apiVersion: 'v1', kind: 'Service', metadata: {name: 'web', namespace: 'shop'}, spec: {clusterIP: '10.96.77.7', clusterIPs: ['10.96.77.7'], selector: {app: 'web'}, ports: [{name: 'http', port: 80, targetPort: 8080, protocol: 'TCP'}]}},
    {apiVersion: 'v1', kind: 'Service', metadata: {name: 'web-hl', namespace: 'shop'}, spec: {clusterIP: 'None', clusterIPs: ['None'], selector: {app: 'web'}, ports: [{name: 'http', port: 80, targetPort: 8080, protocol: 'TCP'}]}},
    ...[0, 1, 2].map((i) => ({apiVersion: 'v1', kind: 'Pod', metadata: {name: `web-${i}`, namespace: 'shop', labels: {app: 'web'}}, spec: {nodeName: 'node-1', containers: [{name: 'web', ports: [{name: 'http', containerPort: 8080}]}]}, status: {phase: 'Running', podIP: `10.244.7.${i + 1}`, podIPs: [{ip: `10.244.7.${i + 1}`}], conditions: [{type: 'Ready', status: 'True'}]}})),
  ]
  const live = async (args: string[]) => {
    const r = await kdiscoAsync([...args, '--kubeconfig', kubeconfig, '-o', 'json'])
    expect(r.status, r.stderr).to.be.oneOf([0, 1])
    return JSON.parse(r.stdout)
  }
  const FINDING = /^3 ready pods match the selector app=web, but no EndpointSlice exists for Service shop\/web-hl: CoreDNS and kube-proxy read EndpointSlices only, so its name answers NXDOMAIN/
  const CHECK = 'kubectl get endpointslices -n shop -l kubernetes.io/service-name=web-hl'

  before(async () => {
    server = await new KubeApiServer().start()
    await loadExamples(server)
    server.add(...(shop as never[]))
    kubeconfig = server.kubeconfig()
  })
  after(async () => server.stop())

  it('every command answers from the EndpointSlices that exist: no endpoints, NXDOMAIN for the headless name', async () => {
    const fqdn = 'web-hl.shop.svc.cluster.local.'
    const list = await live(['svc', 'list', '-n', 'shop'])
    expect(list.services.map((s: {name: string; endpoints: unknown; rcode: string}) => [s.name, s.endpoints, s.rcode])).to.deep.equal([
      ['web', {ready: 0, total: 0, origin: []}, 'NOERROR'],
      ['web-hl', {ready: 0, total: 0, origin: []}, 'NXDOMAIN'],
    ])
    const lookup = await live(['svc', 'lookup', 'web-hl', '-n', 'shop', '--probe', 'none'])
    expect(lookup.service.endpoints).to.deep.equal({ready: 0, total: 0, origin: []})
    expect(lookup.queries.find((q: {name: string; type: string}) => q.name === fqdn && q.type === 'A').expected).to.deep.equal({rcode: 'NXDOMAIN', answers: [], cached: true}) // examples' Corefile: cache 30
    expect(lookup.notes.find((n: string) => FINDING.test(n))).to.include(CHECK)
    const endpoints = await live(['svc', 'endpoints', 'web-hl', '-n', 'shop'])
    expect(endpoints.endpoints).to.deep.equal([])
    expect(endpoints.notes[0]).to.match(FINDING).and.to.include(CHECK)
    const explain = await live(['svc', 'explain', 'web-hl', '-n', 'shop', '--probe', 'none'])
    expect(explain.dns.find((q: {name: string; type: string}) => q.name === fqdn && q.type === 'A').expected.rcode).to.equal('NXDOMAIN')
    const kd124 = explain.findings.find((f: {code: string}) => f.code === 'KD124')
    expect(kd124).to.include({severity: 'error'})
    expect(kd124.message).to.match(FINDING)
    expect(kd124.hint).to.match(/EndpointSlice controller .* RBAC .* created a moment ago/).and.to.include(CHECK)
    const zone = await live(['dns', 'zone', '-n', 'shop'])
    const names = zone.zones.flatMap((z: {records: {name: string; type: string; data: string}[]}) => z.records.map((r) => `${r.name} ${r.type} ${r.data}`))
    expect(names.filter((n: string) => n.includes('web-hl.'))).to.deep.equal([])
    expect(names).to.include('web.shop.svc.cluster.local. A 10.96.77.7')
    expect(names.filter((n: string) => /^10-244-7-\d\.web/.test(n))).to.deep.equal([])
    const dns = await live(['dns', 'lookup', fqdn, '--probe', 'none'])
    expect([dns.rcode, dns.answers]).to.deep.equal(['NXDOMAIN', []])
    const pod = await live(['pod', 'lookup', 'web-0', '-n', 'shop', '--probe', 'none'])
    expect(pod.endpointNames).to.deep.equal([])
    expect(pod.notes.some((n: string) => FINDING.test(n))).to.equal(true)
  })

  it('svc lookup reads the pods only when the Service has no EndpointSlice (one request more)', async () => {
    server.clearLog()
    await live(['svc', 'lookup', 'web-hl', '-n', 'shop', '--probe', 'none'])
    expect(paths(server.requests)).to.deep.equal([
      'GET /api/v1/namespaces/kube-system/configmaps/coredns',
      'GET /api/v1/namespaces/shop/pods?labelSelector=app=web',
      'GET /api/v1/namespaces/shop/services/web-hl',
      'GET /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices',
    ])
  })

  it('pod lookup reads the pods of each selector of a Service that selects the pod and has no EndpointSlice, as svc lookup does; an ExternalName (the controller writes it no slices) has none read', async () => {
    const lookup = async (args: string[]) => {
      server.clearLog()
      await live([...args, '-n', 'shop', '--probe', 'none'])
      return paths(server.requests)
    }
    const selected = 'GET /api/v1/namespaces/shop/pods?labelSelector=app=web'
    expect(await lookup(['pod', 'lookup', 'web-0'])).to.deep.equal([
      'GET /api/v1/namespaces/kube-system/configmaps/coredns',
      'GET /api/v1/namespaces/kube-system/configmaps/node-local-dns',
      'GET /api/v1/namespaces/kube-system/services/kube-dns',
      'GET /api/v1/namespaces/shop/pods/web-0',
      // web and web-hl select the same pods: one read for both.
      selected,
      'GET /api/v1/namespaces/shop/services',
      'GET /apis/discovery.k8s.io/v1/namespaces/shop/endpointslices',
    ])
    server.add({apiVersion: 'v1', kind: 'Service', metadata: {name: 'alias', namespace: 'shop'}, spec: {type: 'ExternalName', externalName: 'db.example.com', selector: {app: 'web'}}} as never)
    try {
      expect(await lookup(['svc', 'lookup', 'alias'])).to.not.include(selected)
      expect((await lookup(['pod', 'lookup', 'web-0'])).filter((p) => p === selected)).to.have.length(1)
    } finally {
      server.remove('Service', 'shop', 'alias')
    }
  })

  it('dns doctor: a kube-dns Service without EndpointSlices is an error naming the cause', async () => {
    const slice = server.objects('EndpointSlice', 'kube-system').find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'kube-dns')!
    server.remove('EndpointSlice', 'kube-system', slice.metadata.name)
    try {
      const r = await kdiscoAsync(['dns', 'doctor', '--probe', 'none', '--kubeconfig', kubeconfig, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(1)
      const check = JSON.parse(r.stdout).checks.find((c: {id: string}) => c.id === 'endpoints')
      expect(check.status).to.equal('error')
      expect(check.message).to.match(/^1 ready pod matches the selector k8s-app=kube-dns, but no EndpointSlice exists for Service kube-system\/kube-dns/)
      expect(check.hint).to.include('kubectl get endpointslices -n kube-system -l kubernetes.io/service-name=kube-dns')
    } finally {
      server.add(slice)
    }
  })

  it('an ExternalName pointing at a Service in another namespace: its target is read, so lookups and KD125 agree with -f', async () => {
    server.add({apiVersion: 'v1', kind: 'Service', metadata: {name: 'shop-db', namespace: 'shop'}, spec: {type: 'ExternalName', externalName: 'mysql-svc.data.svc.cluster.local'}} as never)
    server.add({apiVersion: 'v1', kind: 'Service', metadata: {name: 'shop-gone', namespace: 'shop'}, spec: {type: 'ExternalName', externalName: 'nothing.data.svc.cluster.local'}} as never)
    const a = (out: {queries: {kind: string; type: string; expected: unknown}[]}) => out.queries.find((q) => q.kind === 'service' && q.type === 'A')!.expected
    const lookup = await live(['svc', 'lookup', 'shop-db', '-n', 'shop', '--probe', 'none'])
    expect(a(lookup)).to.deep.equal({
      rcode: 'NOERROR',
      answers: [
        {name: 'shop-db.shop.svc.cluster.local.', type: 'CNAME', ttl: 30, data: 'mysql-svc.data.svc.cluster.local.'},
        ...['10.244.1.8', '10.244.2.12', '10.244.3.6'].map((ip) => ({name: 'mysql-svc.data.svc.cluster.local.', type: 'A', ttl: 30, data: ip})),
      ],
      cached: true,
    })
    const codes = async (name: string) => (await live(['svc', 'explain', name, '-n', 'shop', '--probe', 'none'])).findings.map((f: {code: string}) => f.code)
    expect(await codes('shop-db')).to.not.include('KD125')
    expect(await codes('shop-gone')).to.include('KD125')
    const gone = await kdiscoAsync(['svc', 'lookup', 'shop-gone', '-n', 'shop', '--probe', 'none', '--kubeconfig', kubeconfig, '-o', 'json'])
    expect(gone.stderr, 'a target that does not exist is no gap in what could be read').to.equal('')
    expect(a(JSON.parse(gone.stdout))).to.deep.equal({rcode: 'NOERROR', answers: [], cached: true})
  })

  it('the same manifests read with -f derive the endpoints from the pods, and say so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-shop-'))
    writeFileSync(join(dir, 'shop.json'), JSON.stringify({apiVersion: 'v1', kind: 'List', items: shop}))
    const r = await kdiscoAsync(['svc', 'lookup', 'web-hl', '-n', 'shop', '-f', dir, '-o', 'json'])
    const out = JSON.parse(r.stdout)
    expect(out.service.endpoints).to.deep.equal({ready: 3, total: 3, origin: ['derived-from-pods']})
    expect(out.notes.some((n: string) => FINDING.test(n))).to.equal(false)
    const table = await kdiscoAsync(['svc', 'list', '-n', 'shop', '-f', dir])
    expect(table.stdout).to.match(/web-hl .* 3\/3\*/).and.to.include('* endpoints derived from pods by kdisco')
  })
})
