// Live `dns lookup` reads only what the names of its walk can touch (issue 18). On the real control plane, with the
// generated states applied: for many names (Services, short names from other namespaces, headless endpoint names,
// pod names, SRV names, PTRs of cluster IPs, pod IPs and unknown addresses, names outside the cluster), under
// kubeadm's Corefile and under ones that rewrite names and run autopath, the narrow live read must give the rcode and
// answers (per name tried) that a full dump (`kubectl get … -A -o yaml`, read with -f) gives. Then the requests per
// kind of name, as the API server's audit log records them.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {expect} from 'chai'
import {loadForLookup, questionFrom} from '../../src/commands/dns/lookup.js'
import {type Pod, namespaceOf} from '../../src/cluster/types.js'
import {dnsLookup} from '../../src/dns/lookup.js'
import type {ClusterDns} from '../../src/dns/model.js'
import {reverseName} from '../../src/dns/ip.js'
import {type LoadedCluster, loadCluster} from '../../src/pipeline.js'
import {requireBinaries} from '../support/binaries.js'
import {kdiscoAsync} from '../support/cli.js'
import {AuditLog, type AuditEvent, shape} from '../real-cluster/audit.js'
import {AUDITED_USER, CLUSTER_DOMAIN, type RealCluster, UPSTREAM_ZONE} from '../real-cluster/cluster.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {AUTOPATH_COREFILE, REWRITE_COREFILE, VERIFIED_COREFILE} from '../real-cluster/corefiles.js'
import {waitUntil} from '../real-cluster/processes.js'
import {readmeClusterRoles} from '../real-cluster/rbac.js'
import {appliedStates, sharedCluster} from '../real-cluster/shared.js'
import {deployService} from '../real-cluster/workloads.js'
import type {ClusterState} from '../real-cluster/states.js'

interface Asked {
  namespace: string
  name: string
  type: string
  pod?: string
}

const WIDE = 'read every Service, EndpointSlice and pod'

/** What must be identical: the rcode and answers of every name tried, and of the walk. */
function outcome(r: ReturnType<typeof dnsLookup>) {
  return {rcode: r.rcode, answers: r.answers, tried: r.tried.map((t) => ({name: t.name, rcode: t.rcode, answers: t.answers}))}
}

/** Names of every kind for the namespaces of a state, from the full read's model (a sample of each kind). */
function namesFor(model: ClusterDns, pods: Pod[], state: ClusterState, others: string[]): Asked[] {
  const out: Asked[] = []
  const zone = CLUSTER_DOMAIN
  for (const ns of state.namespaces) {
    const other = others.find((o) => o !== ns) ?? 'default'
    const services = model.allServices().filter((s) => s.namespace === ns).slice(0, 3)
    for (const s of services) {
      out.push({namespace: ns, name: s.name, type: 'A'}, {namespace: other, name: `${s.name}.${ns}`, type: 'A'}, {namespace: other, name: `${s.name}.${ns}.svc`, type: 'AAAA'}, {namespace: other, name: `${s.fqdn}`, type: 'A'})
      // A short name asked from another namespace: NXDOMAIN, with hints.
      out.push({namespace: other, name: s.name, type: 'A'})
      const port = s.ports.find((p) => p.name !== '' && p.port !== -1)
      if (port) out.push({namespace: ns, name: `_${port.name}._${port.protocol}.${s.name}`, type: 'SRV'}, {namespace: other, name: `_${port.name}._${port.protocol}.${s.fqdn}`, type: 'SRV'})
      out.push({namespace: ns, name: s.name, type: 'SRV'}, {namespace: ns, name: s.name, type: 'CNAME'})
      for (const ep of model.endpointsOf(ns, s.name).slice(0, 2)) out.push({namespace: ns, name: `${ep.endpointName}.${s.name}`, type: 'A'}, {namespace: other, name: `${ep.endpointName}.${s.fqdn}`, type: 'AAAA'})
      for (const ip of s.clusterIPs) out.push({namespace: other, name: ip, type: 'PTR'})
    }
    for (const p of pods.filter((p) => namespaceOf(p) === ns && p.status?.podIP).slice(0, 2)) {
      const dashed = p.status!.podIP!.replace(/[.:]/g, '-')
      out.push({namespace: ns, name: `${dashed}.${ns}.pod`, type: 'A'}, {namespace: other, name: `${dashed}.${ns}.pod.${zone}.`, type: 'SRV'}, {namespace: ns, name: p.status!.podIP!, type: 'PTR'})
      out.push({namespace: ns, name: 'web', type: 'A', pod: p.metadata.name})
    }
    out.push(
      {namespace: ns, name: 'nonexistent', type: 'A'},
      {namespace: ns, name: `web.nonexistent.svc.${zone}.`, type: 'A'},
      {namespace: ns, name: `${ns}.svc.${zone}.`, type: 'A'},
      {namespace: ns, name: `1-2-3-4.${ns}.pod.${zone}.`, type: 'A'},
      {namespace: ns, name: `a.b.c.web.${ns}.svc.${zone}.`, type: 'A'},
      {namespace: ns, name: `dns-version.${zone}.`, type: 'TXT'},
      {namespace: ns, name: `${zone}.`, type: 'NS'},
      {namespace: ns, name: `ns.dns.${zone}.`, type: 'A'},
      {namespace: ns, name: `${zone}.`, type: 'SOA'},
      {namespace: ns, name: '10.9.9.9', type: 'PTR'},
      {namespace: ns, name: 'fd00:10:96::ffff', type: 'PTR'},
      {namespace: ns, name: `api.${UPSTREAM_ZONE}`, type: 'A'},
      {namespace: ns, name: `www.${UPSTREAM_ZONE}.`, type: 'A'},
      {namespace: ns, name: 'kubernetes.default', type: 'A'},
    )
  }
  return out
}

describe('live dns lookup: reads sized to the question, answers as a full read gives them', function () {
  this.timeout(900000)
  let c: RealCluster
  let states: ClusterState[]
  let dir: string
  let dump: string
  const corefiles: Record<string, string> = {}

  before(async function () {
    requireRealCluster(this)
    requireBinaries(this, ['kubectl'], 'apt-get install kubectl')
    c = await sharedCluster()
    states = await appliedStates()
    dir = mkdtempSync(join(tmpdir(), 'kdisco-question-reads-'))
    dump = join(dir, 'cluster.yaml')
    // Everything the wide read reads, as kubectl exports it: the -f side of every comparison.
    const yaml = execFileSync('kubectl', ['get', 'namespaces,services,endpointslices,pods,configmaps', '-A', '-o', 'yaml', '--kubeconfig', c.kubeconfig], {maxBuffer: 512 * 1024 * 1024, encoding: 'utf8'})
    writeFileSync(dump, yaml)
    for (const [name, text] of Object.entries({rewrite: REWRITE_COREFILE, autopath: AUTOPATH_COREFILE, verified: VERIFIED_COREFILE})) {
      corefiles[name] = join(dir, `${name}.Corefile`)
      writeFileSync(corefiles[name], text)
    }
  })

  after(() => dir && rmSync(dir, {recursive: true, force: true}))

  /**
   * Asks every question live (narrow) and from the dump (one full read per namespace and Corefile); returns the
   * disagreements and the cluster-wide reads the narrow side made, by question.
   */
  async function compare(questions: Asked[], corefile?: string): Promise<{disagreements: string[]; wide: Map<string, string[]>}> {
    const full = new Map<string, LoadedCluster>()
    const disagreements: string[] = []
    const wide = new Map<string, string[]>()
    for (const q of questions) {
      const flags = {namespace: q.namespace, ...(corefile ? {corefile} : {}), ...(q.pod ? {pod: q.pod} : {})}
      const draft = questionFrom(q.type === 'PTR' ? q.name : q.name, q.type, undefined, q.namespace)
      const live = await loadForLookup({...flags, kubeconfig: c.kubeconfig}, draft)
      const k = `${q.namespace} ${corefile ?? ''}`
      if (!full.has(k)) full.set(k, await loadCluster({...flags, filename: [dump]}, {kinds: ['pods'], clusterDns: true, everyNamespace: true}))
      const {model, snapshot} = full.get(k)!
      const pod = q.pod ? snapshot.pods.find((p) => p.metadata.name === q.pod && namespaceOf(p) === q.namespace) : undefined
      const offline = dnsLookup(model, {...draft, ...(pod ? {pod: pod.metadata.name} : {})}, pod)
      const label = `${q.type} ${q.name} from ${q.namespace}${q.pod ? ` (pod ${q.pod})` : ''}`
      try {
        expect(outcome(live.report)).to.deep.equal(outcome(offline))
      } catch {
        disagreements.push(`${label}: live ${JSON.stringify(outcome(live.report))} vs full ${JSON.stringify(outcome(offline))}`)
      }
      const notes = live.report.notes.filter((n) => n.startsWith('read every'))
      if (notes.length > 0) wide.set(label, notes)
    }
    return {disagreements, wide}
  }

  it("kubeadm's Corefile: every kind of name, identical to the full read; only PTR and nameserver questions read cluster-wide", async () => {
    const {snapshot, model} = await loadCluster({filename: [dump]}, {kinds: ['pods'], clusterDns: true, everyNamespace: true})
    // Two states (six namespaces) hold every shape the generator makes; more only adds time.
    const namespaces = states.flatMap((s) => s.namespaces)
    const questions = states.slice(0, 2).flatMap((s) => namesFor(model, snapshot.pods, s, namespaces))
    expect(questions.length).to.be.above(300)
    process.stderr.write(`      ${questions.length} questions\n`)
    const {disagreements, wide} = await compare(questions)
    expect(disagreements, disagreements.slice(0, 5).join('\n')).to.deep.equal([])
    for (const [label, notes] of wide) {
      expect(label, notes.join('; ')).to.match(/^(PTR |NS |A ns\.dns\.)/)
      expect(notes.some((n) => n.startsWith(WIDE)), `${label}: fell back to the wide read`).to.equal(false)
    }
    // A cluster IP's PTR needs every Service and no slice; an address that is no cluster IP needs the slices too.
    const ptrs = [...wide.entries()].filter(([l]) => l.startsWith('PTR 10.9.9.9'))
    expect(ptrs.length).to.be.above(0)
    expect(ptrs[0][1]).to.have.length(2)
  })

  it('Corefiles that rewrite names, verify pod records and run autopath: identical to the full read', async () => {
    const {snapshot, model} = await loadCluster({filename: [dump]}, {kinds: ['pods'], clusterDns: true, everyNamespace: true})
    const state = states[0]
    const ns = state.namespaces[0]
    const services = model.allServices().filter((s) => state.namespaces.includes(s.namespace)).slice(0, 10)
    const rewritten: Asked[] = services.flatMap((s) => [
      {namespace: ns, name: `${s.name}.${s.namespace}.svc.corp.example.`, type: 'A'},
      {namespace: ns, name: `${s.name}.${s.namespace}.apps.example.`, type: 'A'},
      {namespace: ns, name: `${s.name}.${s.namespace}.svc.alias.internal.`, type: 'SRV'},
      {namespace: s.namespace, name: `legacy.${s.namespace}.svc.${CLUSTER_DOMAIN}.`, type: 'A'},
    ])
    rewritten.push({namespace: ns, name: `upstream-api.${CLUSTER_DOMAIN}.`, type: 'A'})
    const rewrite = await compare(rewritten, corefiles.rewrite)
    expect(rewrite.disagreements, rewrite.disagreements.slice(0, 5).join('\n')).to.deep.equal([])
    const pods = snapshot.pods.filter((p) => state.namespaces.includes(namespaceOf(p)) && p.status?.podIP).slice(0, 6)
    const verifiedNames: Asked[] = pods.flatMap((p) => [
      {namespace: namespaceOf(p), name: `${p.status!.podIP!.replace(/[.:]/g, '-')}.${namespaceOf(p)}.pod`, type: 'A'},
      {namespace: ns, name: `${p.status!.podIP!.replace(/[.:]/g, '-')}.${ns}.pod.${CLUSTER_DOMAIN}.`, type: 'A'},
    ])
    const verified = await compare(verifiedNames, corefiles.verified)
    expect(verified.disagreements, verified.disagreements.slice(0, 5).join('\n')).to.deep.equal([])
    // autopath answers by the asking pod: --pod gives the asker's address.
    const autopathNames: Asked[] = pods.flatMap((p) => services.slice(0, 4).map((s) => ({namespace: namespaceOf(p), name: `${s.name}.${s.namespace}`, type: 'A', pod: p.metadata.name})))
    const autopath = await compare(autopathNames, corefiles.autopath)
    expect(autopath.disagreements, autopath.disagreements.slice(0, 5).join('\n')).to.deep.equal([])
    for (const [label, notes] of [...rewrite.wide, ...verified.wide, ...autopath.wide]) expect.fail(`${label}: ${notes.join('; ')}`)
  })

  describe('requests per kind of name, from the audit log', () => {
    const APP = 'question-reads'
    let audit: AuditLog
    let podIp: string
    let clusterIp: string

    before(async function () {
      if (!c) this.skip()
      audit = new AuditLog(c)
      const roles = readmeClusterRoles()
      await c.api.apply(roles.get('kdisco-reader')!)
      await c.api.apply({apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: {name: 'audited-kdisco-reader'}, roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kdisco-reader'}, subjects: [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: AUDITED_USER}]})
      await c.createNamespace(APP)
      await deployService(c, APP, 'web', {replicas: 2})
      await c.waitForDns()
      await waitUntil('the audited user to read', async () => (await kdiscoAsync(['svc', 'list', '-n', APP, '--kubeconfig', c.auditedKubeconfig])).status === 0, {timeoutMs: 10000})
      const pods = await c.api.list<Pod>('Pod', APP)
      podIp = pods.find((p) => p.status?.podIP)!.status!.podIP!
      clusterIp = (await c.api.get<{spec: {clusterIP: string}}>('Service', APP, 'web')).spec.clusterIP
    })

    after(async () => {
      await c?.api.delete('Namespace', undefined, APP)
    })

    async function requests(args: string[]): Promise<{json: {notes?: string[]; rcode: string | null; answers: unknown[]}; events: AuditEvent[]}> {
      const mark = audit.mark()
      const r = await kdiscoAsync([...args, '-n', APP, '--probe', 'none', '-o', 'json', '--kubeconfig', c.auditedKubeconfig], {timeoutMs: 60000})
      expect(r.status, r.stderr).to.equal(0)
      return {json: JSON.parse(r.stdout), events: await audit.since(mark)}
    }

    // Every lookup starts with the Corefile (and NodeLocal DNSCache's, absent here), the cluster DNS Service (the
    // resolv.conf nameserver) and the asking namespace.
    const first = ['get /api/v1/namespaces/kube-system/configmaps/coredns', 'get /api/v1/namespaces/kube-system/configmaps/node-local-dns', 'get /api/v1/namespaces/kube-system/services/kube-dns', `get /api/v1/namespaces/${APP}`]
    const sorted = (xs: string[]) => [...xs].sort()

    it('a Service name: its GET and its slices by kubernetes.io/service-name, nothing else', async () => {
      const r = await requests(['dns', 'lookup', 'web'])
      expect(r.json.answers).to.have.length(1)
      expect(sorted(r.events.map(shape))).to.deep.equal(sorted([...first, `get /api/v1/namespaces/${APP}/services/web`, `list /apis/discovery.k8s.io/v1/namespaces/${APP}/endpointslices?labelSelector=kubernetes.io/service-name=web&limit=500`]))
      expect(r.events.every((e) => e.verb !== 'list' || e.requestURI.includes('labelSelector='))).to.equal(true)
    })

    it('a Service in another namespace by its short name: that Service, and the namespace its second label names', async () => {
      const r = await requests(['dns', 'lookup', 'kube-dns.kube-system'])
      expect(r.json.rcode).to.equal('NOERROR')
      const shapes = r.events.map(shape)
      expect(shapes).to.include('get /api/v1/namespaces/kube-system/services/kube-dns')
      expect(shapes.filter((s) => s.startsWith('list ')).every((s) => s.includes('labelSelector=kubernetes.io/service-name='))).to.equal(true)
      expect(shapes.length).to.be.at.most(12)
    })

    it('a pod name (pods insecure) and a name outside the cluster zones: only the first reads', async () => {
      const pod = await requests(['dns', 'lookup', `${podIp.replace(/\./g, '-')}.${APP}.pod.${CLUSTER_DOMAIN}.`])
      expect(pod.json.rcode).to.equal('NOERROR')
      expect(sorted(pod.events.map(shape))).to.deep.equal(sorted(first))
      const outside = await requests(['dns', 'lookup', `www.${UPSTREAM_ZONE}.`])
      expect(sorted(outside.events.map(shape))).to.deep.equal(sorted(first))
    })

    it('PTR of a cluster IP reads every Service (no selector by cluster IP); of a pod IP also every EndpointSlice; the notes say why', async () => {
      const svc = await requests(['dns', 'lookup', '-x', clusterIp])
      expect(svc.json.answers).to.have.length(1)
      expect(sorted(svc.events.map(shape))).to.deep.equal(sorted([...first, 'list /api/v1/services?limit=500']))
      expect(svc.json.notes?.some((n) => n.startsWith('read every Service:'))).to.equal(true)
      const pod = await requests(['dns', 'lookup', '-x', podIp])
      expect(pod.json.answers.length).to.be.above(0)
      expect(sorted(pod.events.map(shape))).to.deep.equal(sorted([...first, 'list /api/v1/services?limit=500', 'list /apis/discovery.k8s.io/v1/endpointslices?limit=500']))
      expect(pod.json.notes?.some((n) => n.startsWith('read every EndpointSlice:'))).to.equal(true)
      // No pod list anywhere: the owner of an address is found without listing pods.
      expect(pod.events.some((e) => e.requestURI.includes('/pods'))).to.equal(false)
      expect(reverseName(podIp)).to.be.a('string')
    })

    it('pod lookup: the pod by GET, its namespace\'s Services and slices, the Corefile and cluster DNS; a missing pod also its namespace, pods and StatefulSets', async () => {
      const pods = await c.api.list<Pod>('Pod', APP)
      const r = await requests(['pod', 'lookup', pods[0].metadata.name])
      const list = (path: string) => `list ${path}?limit=500`
      const dns = first.filter((f) => !f.endsWith(`namespaces/${APP}`))
      const namespaceWide = [list(`/api/v1/namespaces/${APP}/services`), list(`/apis/discovery.k8s.io/v1/namespaces/${APP}/endpointslices`)]
      expect(sorted(r.events.map(shape))).to.deep.equal(sorted([...dns, `get /api/v1/namespaces/${APP}/pods/${pods[0].metadata.name}`, ...namespaceWide]))
      expect((r.json as unknown as {endpointNames: {service: string}[]}).endpointNames.map((e) => e.service)).to.include('web')
      const mark = audit.mark()
      const missing = await kdiscoAsync(['pod', 'lookup', 'web-nope', '-n', APP, '--probe', 'none', '--kubeconfig', c.auditedKubeconfig], {timeoutMs: 60000})
      expect(missing.status).to.equal(2)
      expect(missing.stderr).to.match(/Pod "web-nope" not found in namespace question-reads/)
      expect(sorted((await audit.since(mark)).map(shape))).to.deep.equal(
        sorted([...first, `get /api/v1/namespaces/${APP}/pods/web-nope`, ...namespaceWide, list(`/api/v1/namespaces/${APP}/pods`), list(`/apis/apps/v1/namespaces/${APP}/statefulsets`)]),
      )
    })
  })
})
