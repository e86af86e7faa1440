// kdisco's live commands under the real API server's RBAC authorizer, with exactly the roles README.md writes (parsed
// from it, so README and reality cannot drift apart): every read-only command with the reader role alone, what
// less access does to each, and each probe with exactly its own role.
import {expect} from 'chai'
import {type CliResult, kdiscoAsync} from '../support/cli.js'
import type {RealCluster} from '../real-cluster/cluster.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {type ClusterRole, readmeClusterRoles, serviceAccountKubeconfig, variant} from '../real-cluster/rbac.js'
import {requirePodRunner, sharedCluster} from '../real-cluster/shared.js'
import {appPod, deployService, kdiscoPods} from '../real-cluster/workloads.js'

const NS = 'rbac-app'
const OTHER = 'rbac-other'

/** The error is one line (progress lines, "kdisco: …", may come before it when stderr is not a terminal). */
const oneLine = (r: CliResult) => expect(r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('kdisco: ')), r.stderr).to.have.length(1)
/** What did not match, for assertion messages. */
const verdict = (r: CliResult) => {
  try {
    const out = JSON.parse(r.stdout) as {queries: {name: string; type: string; status?: string; diff?: unknown; observed?: unknown}[]}
    return JSON.stringify(out.queries.filter((q) => q.status && q.status !== 'match' && q.status !== 'unprobed'))
  } catch {
    return r.stdout.slice(0, 2000)
  }
}

describe('live: RBAC as README writes it, against the real authorizer', function () {
  this.timeout(300000)
  let c: RealCluster
  let roles: Map<string, ClusterRole>
  let reader: ClusterRole
  let admin: string
  let readerOnly: string
  const kdisco = (kubeconfig: string, args: string[]) => kdiscoAsync([...args, '--kubeconfig', kubeconfig], {timeoutMs: 120000})

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    roles = readmeClusterRoles()
    reader = roles.get('kdisco-reader')!
    expect(reader, 'README has no ClusterRole kdisco-reader').to.be.an('object')
    await c.createNamespace(NS)
    await c.createNamespace(OTHER)
    await deployService(c, NS, 'web')
    await deployService(c, NS, 'web-hl', {headless: true})
    await c.applyAll([
      {apiVersion: 'v1', kind: 'Service', metadata: {name: 'db', namespace: NS}, spec: {clusterIP: 'None', selector: {app: 'db'}, ports: [{name: 'pg', port: 5432}]}},
      {apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {name: 'db', namespace: NS}, spec: {serviceName: 'db', replicas: 1, selector: {matchLabels: {app: 'db'}}, template: {metadata: {labels: {app: 'db'}}, spec: {automountServiceAccountToken: false, containers: [{name: 'pg', image: 'registry.k8s.io/pause:3.10', ports: [{name: 'pg', containerPort: 5432}]}]}}}},
    ])
    await deployService(c, OTHER, 'other')
    await c.waitForDns()
    admin = c.kubeconfig
    readerOnly = await serviceAccountKubeconfig(c, 'reader', [{role: reader}], NS)
  })

  describe('the kdisco-reader role alone', () => {
    // Every read-only command, in one namespace and across all of them, --probe none.
    const commands: [string, string[]][] = [
      ['svc lookup', ['svc', 'lookup', 'web', '-n', NS, '--probe', 'none', '-o', 'json']],
      ['svc lookup (headless)', ['svc', 'lookup', 'web-hl', '-n', NS, '--probe', 'none', '-o', 'json']],
      ['svc endpoints', ['svc', 'endpoints', 'web', '-n', NS, '-o', 'json']],
      ['svc explain', ['svc', 'explain', 'web', '-n', NS, '--probe', 'none', '-o', 'json']],
      ['svc explain --all', ['svc', 'explain', '--all', '-n', NS, '-o', 'json']],
      ['svc explain --all -A', ['svc', 'explain', '--all', '-A', '-o', 'json']],
      ['svc list', ['svc', 'list', '-n', NS, '-o', 'json']],
      ['svc list -A', ['svc', 'list', '-A', '-o', 'json']],
      ['dns lookup', ['dns', 'lookup', 'web', '-n', NS, '--probe', 'none', '-o', 'json']],
      ['dns zone', ['dns', 'zone', '-n', NS, '-o', 'json']],
      ['dns zone -A', ['dns', 'zone', '-A', '-o', 'json']],
      ['pod lookup', ['pod', 'lookup', 'db-0', '-n', NS, '--probe', 'none', '-o', 'json']],
    ]
    for (const [what, args] of commands) {
      it(`${what}: exit 0, nothing unread, the same output as with cluster-admin`, async () => {
        const [asReader, asAdmin] = await Promise.all([kdisco(readerOnly, args), kdisco(admin, args)])
        expect(asReader.status, asReader.stderr).to.equal(0)
        expect(asReader.stderr, 'a permission README does not list').to.equal('')
        const out = JSON.parse(asReader.stdout)
        expect(out.input?.gaps ?? [], 'input gaps').to.deep.equal([])
        // Sources name the context and server, the same for both kubeconfigs; ages can tick between the runs.
        const strip = (text: string) => text.replace(/"age":\s*"[^"]*"/g, '')
        expect(strip(asReader.stdout)).to.equal(strip(asAdmin.stdout))
      })
    }

    it('dns doctor: every check reads what it needs except CoreDNS\'s RBAC, which it skips and says why', async () => {
      const r = await kdisco(readerOnly, ['dns', 'doctor', '--probe', 'none', '-o', 'json'])
      expect(r.stderr).to.equal('')
      const checks = JSON.parse(r.stdout).checks as {id: string; status: string; message: string}[]
      const rbac = checks.find((x) => x.id === 'rbac')!
      expect(rbac.status).to.equal('skipped')
      expect(rbac.message).to.match(/^cannot read ClusterRoleBindings\/ClusterRoles \(403\): clusterrolebindings\.rbac\.authorization\.k8s\.io is forbidden: User "system:serviceaccount:kdisco-rbac:reader" cannot list resource "clusterrolebindings"/)
      expect(checks.filter((x) => x.status === 'skipped').map((x) => x.id)).to.deep.equal(['rbac', 'nodesearch', 'lookup'])
      const withDoctor = await serviceAccountKubeconfig(c, 'reader-doctor', [{role: reader}, {role: roles.get('kdisco-dns-doctor')!}], NS)
      const full = await kdisco(withDoctor, ['dns', 'doctor', '--probe', 'none', '-o', 'json'])
      expect(full.stderr).to.equal('')
      expect((JSON.parse(full.stdout).checks as {id: string; status: string}[]).find((x) => x.id === 'rbac')!.status).to.equal('ok')
    })
  })

  describe('less than the reader role', () => {
    it('without list on pods: endpoints are still shown, readiness unknown, and the gap is said', async () => {
      const kc = await serviceAccountKubeconfig(c, 'no-pod-list', [{role: variant(reader, 'kdisco-reader-no-pod-list', (rules) => [...rules.map((r) => ({...r, resources: r.resources.filter((x) => x !== 'pods')})), {apiGroups: [''], resources: ['pods'], verbs: ['get']}])}], NS)
      const r = await kdisco(kc, ['svc', 'endpoints', 'web', '-n', NS, '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stderr).to.equal(`kdisco: Cannot read pods in ${NS} (Forbidden): readiness reasons and pod records are unavailable\n`)
      const out = JSON.parse(r.stdout)
      expect(out.endpoints).to.have.length(2)
      expect(out.input.gaps).to.have.length(1)
      expect(out.input.gaps[0]).to.include({resource: 'pods', namespace: NS, reason: 'Forbidden'})
      expect(out.input.gaps[0].message).to.match(/pods is forbidden: User "system:serviceaccount:kdisco-rbac:no-pod-list" cannot list resource "pods" in API group "" in the namespace "rbac-app"/)
    })

    it('without configmaps: kubeadm defaults, one dim line, and the JSON says so', async () => {
      const kc = await serviceAccountKubeconfig(c, 'no-configmaps', [{role: variant(reader, 'kdisco-reader-no-configmaps', (rules) => rules.map((r) => ({...r, resources: r.resources.filter((x) => x !== 'configmaps')})))}], NS)
      const r = await kdisco(kc, ['svc', 'lookup', 'web', '-n', NS, '--probe', 'none', '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stderr).to.equal('kdisco: DNS settings: kubeadm defaults: the kube-system/coredns ConfigMap could not be read (Forbidden)\n')
      expect(JSON.parse(r.stdout).settings.source).to.equal('kubeadm defaults: the kube-system/coredns ConfigMap could not be read (Forbidden)')
    })

    it('without EndpointSlices: the endpoints are derived from the pods, and the gap is said', async () => {
      const kc = await serviceAccountKubeconfig(c, 'no-slices', [{role: variant(reader, 'kdisco-reader-no-slices', (rules) => rules.filter((r) => !r.apiGroups.includes('discovery.k8s.io')))}], NS)
      const r = await kdisco(kc, ['svc', 'lookup', 'web-hl', '-n', NS, '--probe', 'none', '-o', 'json'])
      const full = await kdisco(admin, ['svc', 'lookup', 'web-hl', '-n', NS, '--probe', 'none', '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stderr).to.equal(`kdisco: Cannot read endpointslices in ${NS} (Forbidden): answers that depend on them are incomplete\n`)
      const out = JSON.parse(r.stdout)
      expect(out.service.endpoints.origin).to.deep.equal(['derived-from-pods'])
      const a = (o: {queries: {kind: string; type: string; expected: {answers: {data: string}[]}}[]}) => o.queries.find((q) => q.kind === 'service' && q.type === 'A')!.expected.answers.map((x) => x.data).sort()
      expect(a(out)).to.deep.equal(a(JSON.parse(full.stdout)))
    })

    it('nothing in one namespace: one line naming the verb and resource the server denied, exit 3', async () => {
      const kc = await serviceAccountKubeconfig(c, 'one-namespace', [{role: reader, namespace: NS}, {role: reader, namespace: 'kube-system'}], NS)
      const here = await kdisco(kc, ['svc', 'lookup', 'web', '-n', NS, '--probe', 'none', '-o', 'json'])
      expect(here.status, here.stderr).to.equal(0)
      const there = await kdisco(kc, ['svc', 'lookup', 'other', '-n', OTHER, '--probe', 'none'])
      expect(there.status).to.equal(3)
      oneLine(there)
      expect(there.stderr).to.match(/^Error: RBAC forbids get services other in namespace rbac-other: services "other" is forbidden: User "system:serviceaccount:kdisco-rbac:one-namespace" cannot get resource "services" in API group "" in the namespace "rbac-other"\./)
      const all = await kdisco(kc, ['svc', 'list', '-A'])
      expect(all.status).to.equal(3)
      oneLine(all)
      expect(all.stderr).to.match(/^Error: RBAC forbids list (services|endpointslices|namespaces) cluster-wide: .* cannot list resource "(services|endpointslices|namespaces)" in API group "(|discovery\.k8s\.io)" at the cluster scope\./)
    })
  })

  describe('each probe with exactly its README role (and the reader role)', () => {
    before(async function () {
      requirePodRunner(this, c)
      await appPod(c, NS, 'app')
    })

    // dns lookup: the probe's machinery with two lookups, not a Service's dozens.
    const lookup = ['dns', 'lookup', 'web', '-n', NS, '-o', 'json']

    it('kdisco-probe-pod: the debug pod runs, --keep keeps and reuses it, probe cleanup removes it', async () => {
      const kc = await serviceAccountKubeconfig(c, 'probe-pod', [{role: reader}, {role: roles.get('kdisco-probe-pod')!, namespace: NS}], NS)
      const r = await kdisco(kc, lookup)
      expect(r.status, r.stderr).to.equal(0)
      expect(JSON.parse(r.stdout).probe.vantages[0]).to.match(/^pod rbac-app\/kdisco-probe-[0-9a-f]+$/)
      const kept = await kdisco(kc, [...lookup, '--keep'])
      expect(kept.status, kept.stderr).to.equal(0)
      const reused = await kdisco(kc, [...lookup, '--keep'])
      expect(reused.status, reused.stderr).to.equal(0)
      expect(JSON.parse(reused.stdout).probe.vantages[0]).to.match(/\(kept, reused\)$/)
      expect(await kdiscoPods(c, NS)).to.have.length(1)
      const cleanup = await kdisco(kc, ['probe', 'cleanup', '-n', NS])
      expect(cleanup.status, cleanup.stderr).to.equal(0)
      expect(await kdiscoPods(c, NS)).to.deep.equal([])
    })

    it('kdisco-probe-exec: the lookups run in the pod; without create on pods/exec, one line names it', async () => {
      const role = roles.get('kdisco-probe-exec')!
      const kc = await serviceAccountKubeconfig(c, 'probe-exec', [{role: reader}, {role, namespace: NS}], NS)
      const r = await kdisco(kc, [...lookup, '--probe', 'exec', '--pod', 'app'])
      expect(r.status, `${r.stderr}${verdict(r)}`).to.equal(0)
      expect(JSON.parse(r.stdout).probe.vantages).to.deep.equal([`exec ${NS}/app`])
      // Since 1.35 a websocket upgrade (a GET) is also authorized as create.
      const getOnly = await serviceAccountKubeconfig(c, 'probe-exec-get', [{role: reader}, {role: variant(role, 'kdisco-probe-exec-get-only', (rules) => rules.map((x) => ({...x, verbs: x.verbs.filter((v) => v !== 'create')}))), namespace: NS}], NS)
      const denied = await kdisco(getOnly, [...lookup, '--probe', 'exec', '--pod', 'app'])
      expect(denied.status).to.equal(3)
      oneLine(denied)
      // The server's message for the create check names nobody and no verb: kdisco names both.
      expect(denied.stderr).to.match(/^Error: RBAC forbids create pods\/exec in rbac-app\/app: pods "app" is forbidden\. Exec needs get and create on pods\/exec/m)
    })

    it('kdisco-probe-ephemeral: the ephemeral container runs and its log is read', async () => {
      const kc = await serviceAccountKubeconfig(c, 'probe-ephemeral', [{role: reader}, {role: roles.get('kdisco-probe-ephemeral')!, namespace: NS}], NS)
      const r = await kdisco(kc, [...lookup, '--probe', 'ephemeral', '--pod', 'app'])
      expect(r.status, r.stderr).to.equal(0)
      expect(JSON.parse(r.stdout).probe.vantages[0]).to.match(/^ephemeral rbac-app\/app\[kdisco-[0-9a-f]+\]$/)
    })

    it('kdisco-probe-port-forward (in kube-system): every replica answers; without create on pods/portforward, one line names it', async () => {
      const role = roles.get('kdisco-probe-port-forward')!
      const kc = await serviceAccountKubeconfig(c, 'probe-port-forward', [{role: reader}, {role, namespace: 'kube-system'}], NS)
      const r = await kdisco(kc, [...lookup, '--probe', 'port-forward'])
      expect(r.status, r.stderr).to.equal(0)
      expect(JSON.parse(r.stdout).probe.vantages).to.deep.equal(['port-forward kube-system/coredns-0', 'port-forward kube-system/coredns-1'])
      const getOnly = await serviceAccountKubeconfig(c, 'probe-port-forward-get', [{role: reader}, {role: variant(role, 'kdisco-probe-port-forward-get-only', (rules) => rules.map((x) => ({...x, verbs: x.verbs.filter((v) => v !== 'create')}))), namespace: 'kube-system'}], NS)
      const denied = await kdisco(getOnly, [...lookup, '--probe', 'port-forward'])
      expect(denied.status).to.equal(3)
      oneLine(denied)
      expect(denied.stderr).to.match(/^Error: RBAC forbids create pods\/portforward in kube-system\/coredns-[01]: pods "coredns-[01]" is forbidden\. The port-forward probe needs get and create on pods\/portforward in kube-system/m)
    })
  })
})
