// kubectl's list habits on every command that lists objects: -o wide (svc endpoints: the EndpointSlice's columns),
// -o name (svc endpoints, pod lookup, svc explain's and dns doctor's findings, as kubectl names objects: checked
// against the real kubectl and API server), --no-headers on every table, --show-labels on lists of pods, and
// headings whose values line up.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {kubectlName} from '../../src/render/object-names.js'
import {requireBinaries} from '../support/binaries.js'
import {kdisco} from '../support/cli.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {sharedCluster} from '../real-cluster/shared.js'

const plain = {env: {NO_COLOR: '1'}}
const lines = (text: string) => text.replace(/\n$/, '').split('\n')
const cells = (line: string) => line.trim().split(/\s{2,}/)

describe('list habits: -o wide, -o name, --no-headers, --show-labels', function () {
  this.timeout(60000)

  describe('svc endpoints', () => {
    it('-o wide adds the EndpointSlice columns (serving, terminating, node, zone, hostname, targetRef, slice) to the default ones', () => {
      const json = JSON.parse(kdisco(['svc', 'endpoints', 'mysql-svc', '-n', 'data', '-f', 'examples/', '-o', 'json']).stdout)
      const narrow = lines(kdisco(['svc', 'endpoints', 'mysql-svc', '-n', 'data', '-f', 'examples/'], plain).stdout)
      const wide = lines(kdisco(['svc', 'endpoints', 'mysql-svc', '-n', 'data', '-f', 'examples/', '-o', 'wide'], plain).stdout)
      expect(cells(narrow[2])).to.deep.equal(['ADDRESS', 'PORTS', 'READY', 'DNS NAME', 'POD', 'IN DNS'])
      expect(cells(wide[2])).to.deep.equal(['ADDRESS', 'PORTS', 'READY', 'SERVING', 'TERMINATING', 'DNS NAME', 'POD', 'NODE', 'ZONE', 'HOSTNAME', 'TARGETREF', 'SLICE', 'IN DNS'])
      expect(json.endpoints).to.have.length(3)
      for (const [i, e] of json.endpoints.entries()) {
        expect(e.hostname).to.equal(e.pod) // StatefulSet pods: the endpoint's hostname is the pod's
        expect(e.targetRef).to.equal(`Pod/${e.pod}`)
        expect(cells(wide[3 + i])).to.deep.equal([e.address, e.ports.join(','), 'yes', 'yes', 'no', e.dnsName, e.pod, e.node, '-', e.hostname, e.targetRef, e.slice, 'yes'])
      }
    })

    it('--no-headers drops the header line of every table; --show-labels adds each pod\'s labels', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'kdisco-habits-')), 'pods.yaml')
      try {
        const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {clusterIP: 10.96.0.7, selector: {app: web}, ports: [{port: 80}]}\n'
        const pod = (name: string, ip: string | undefined, labels: string) =>
          `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default, labels: {${labels}}}\nspec: {containers: [{name: c, image: i}]}\nstatus: {phase: ${ip ? 'Running' : 'Pending'}${ip ? `, podIP: ${ip}, podIPs: [{ip: ${ip}}], conditions: [{type: Ready, status: "True"}]` : ''}}\n`
        writeFileSync(file, [svc, pod('web-1', '10.0.0.1', 'app: web, tier: front'), pod('web-2', undefined, 'app: web')].join('---\n'))
        const out = lines(kdisco(['svc', 'endpoints', 'web', '-f', file, '--show-labels'], plain).stdout)
        expect(cells(out[2]).at(-1)).to.equal('LABELS')
        expect(cells(out.find((l) => l.startsWith('10.0.0.1'))!).at(-1)).to.equal('app=web,tier=front')
        const pending = out.indexOf('Selected pods without an endpoint')
        expect(cells(out[pending + 1])).to.deep.equal(['POD', 'PHASE', 'WHY', 'LABELS'])
        expect(cells(out[pending + 2])[0]).to.equal('web-2')
        expect(cells(out[pending + 2]).at(-1)).to.equal('app=web')
        const bare = lines(kdisco(['svc', 'endpoints', 'web', '-f', file, '--no-headers'], plain).stdout)
        expect(bare.filter((l) => /^(ADDRESS|POD)\s/.test(l))).to.deep.equal([])
        expect(bare[2]).to.match(/^10\.0\.0\.1\s+80\/TCP\s+yes\s/)
        expect(bare[bare.indexOf('Selected pods without an endpoint') + 1]).to.match(/^web-2\s+Pending\s/)
      } finally {
        rmSync(join(file, '..'), {recursive: true, force: true})
      }
    })
  })

  it('pod lookup -o name: pod/NAME, as kubectl get pod NAME -o name', () => {
    const r = kdisco(['pod', 'lookup', 'mysql-sts-0', '-n', 'data', '-f', 'examples/', '-o', 'name'])
    expect([r.status, r.stdout]).to.deep.equal([0, 'pod/mysql-sts-0\n'])
  })

  it('svc explain -o name: the objects the findings concern, once each, errors first (a DNS answer stands for its Service)', () => {
    const json = JSON.parse(kdisco(['svc', 'explain', '--all', '-A', '-f', 'examples/', '-o', 'json']).stdout) as {services: {service: {name: string; namespace: string}; findings: {severity: string; objects: string[]}[]}[]; findings: {severity: string; objects: string[]}[]}
    const r = kdisco(['svc', 'explain', '--all', '-A', '-f', 'examples/', '-o', 'name'])
    expect(r.status, r.stderr).to.equal(0)
    const names = lines(r.stdout)
    const all = [...json.services.flatMap((s) => s.findings.map((f) => ({f, service: `Service ${s.service.namespace}/${s.service.name}`}))), ...json.findings.map((f) => ({f, service: undefined}))]
    const expected = new Set(all.flatMap(({f, service}) => (f.objects.some((o) => kubectlName(o)) ? f.objects.map(kubectlName).filter(Boolean) : [kubectlName(service!)])))
    expect(new Set(names)).to.deep.equal(expected)
    expect(names).to.have.length(expected.size) // once each
    // Errors first: the StatefulSet whose serviceName names no Service (KD114) before the info-only kube-dns.
    expect(names.indexOf('statefulset.apps/web')).to.be.lessThan(names.indexOf('service/kube-dns'))
    // One Service: its findings' objects (here: its not-ready pod).
    const one = kdisco(['svc', 'explain', 'kubia', '-f', 'examples/', '-o', 'name'])
    expect([one.status, one.stdout]).to.deep.equal([0, 'pod/kubia-5d8b7c9f6-q9m2c\n'])
  })

  it('dns doctor -o name: the objects of the failing and warning checks', () => {
    const json = JSON.parse(kdisco(['dns', 'doctor', '-f', 'examples/', '-o', 'json']).stdout) as {checks: {id: string; status: string; objects: string[]}[]}
    expect(json.checks.find((c) => c.id === 'endpoints')).to.include({status: 'warning'})
    expect(json.checks.find((c) => c.id === 'service')!.objects).to.deep.equal(['Service kube-system/kube-dns'])
    expect(json.checks.find((c) => c.id === 'pods')!.objects).to.deep.equal(['Pod kube-system/coredns-76f75df574-8xk2p'])
    const r = kdisco(['dns', 'doctor', '-f', 'examples/', '-o', 'name'])
    // The one warning (1 ready endpoint) concerns kube-dns: its EndpointSlices are derived here, so the Service.
    expect([r.status, r.stdout]).to.deep.equal([0, 'service/kube-dns\n'])
  })

  it('kubectlName: kubectl\'s resource names, with the API group outside the core group', () => {
    expect(['Service a/b', 'StatefulSet a/b', 'Ingress a/b', 'EndpointSlice a/b', 'ClusterRole system:coredns', 'A web.shop.svc.cluster.local.'].map(kubectlName)).to.deep.equal([
      'service/b',
      'statefulset.apps/b',
      'ingress.networking.k8s.io/b',
      'endpointslice.discovery.k8s.io/b',
      'clusterrole.rbac.authorization.k8s.io/system:coredns',
      undefined,
    ])
  })

  it('--no-headers on svc lookup, dns lookup, pod lookup and svc explain; headings line up', () => {
    for (const args of [
      ['svc', 'lookup', 'kubia', '-f', 'examples/'],
      ['dns', 'lookup', 'kubia', '-f', 'examples/'],
      ['pod', 'lookup', 'mysql-sts-0', '-n', 'data', '-f', 'examples/'],
      ['svc', 'explain', 'kubia', '-f', 'examples/'],
      ['svc', 'explain', '--all', '-A', '-f', 'examples/'],
    ]) {
      // Columns are as wide as their widest cell, headers included: compare the cells, not the padding.
      const withHeaders = lines(kdisco(args, plain).stdout).map((l) => l.trim().replace(/\s+/g, ' '))
      const without = lines(kdisco([...args, '--no-headers'], plain).stdout).map((l) => l.trim().replace(/\s+/g, ' '))
      const headers = withHeaders.filter((l) => /^(# NAME TRIED|NAME TYPE|RECORD NAME|FROM NS|SEVERITY CODE|ROUTE NAMES)\b/.test(l))
      expect(headers.length, args.join(' ')).to.be.greaterThan(0)
      expect(without, args.join(' ')).to.deep.equal(withHeaders.filter((l) => !headers.includes(l)))
    }
    const heading = lines(kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/'], plain).stdout).slice(0, 3)
    expect(heading.map((l) => /^\S+\s+/.exec(l)![0].length)).to.deep.equal([11, 11, 11])
  })

  describe('-o name against the real kubectl and API server', () => {
    before(function () {
      requireRealCluster(this)
      requireBinaries(this, ['kubectl'], 'install kubectl')
    })

    it('every line kdisco prints is a name kubectl accepts and prints the same', async () => {
      const c = await sharedCluster()
      const ns = `names-${process.pid}`
      const kubectl = (args: string[], input?: string) => spawnSync('kubectl', ['--kubeconfig', c.kubeconfig, ...args], {input, encoding: 'utf8', timeout: 30000})
      const objects = [
        `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`,
        // KD101: the selector matches no pod.
        `apiVersion: v1\nkind: Service\nmetadata: {name: lonely, namespace: ${ns}}\nspec: {selector: {app: nobody}, ports: [{port: 80}]}`,
        // KD114: serviceName names no Service.
        `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: ${ns}}\nspec: {serviceName: db-hl, replicas: 0, selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: i}]}}}`,
        // KD118: a backend naming a missing Service.
        `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: front, namespace: ${ns}}\nspec: {defaultBackend: {service: {name: missing, port: {number: 80}}}}`,
      ]
      const applied = kubectl(['apply', '-f', '-'], objects.join('\n---\n'))
      expect(applied.status, applied.stderr).to.equal(0)
      try {
        const r = kdisco(['svc', 'explain', '--all', '-n', ns, '-o', 'name', '--kubeconfig', c.kubeconfig])
        expect(r.status, r.stderr).to.equal(0)
        const names = lines(r.stdout)
        expect(new Set(names)).to.deep.equal(new Set(['service/lonely', 'statefulset.apps/db', 'ingress.networking.k8s.io/front']))
        const got = kubectl(['get', '-n', ns, '-o', 'name', ...names])
        expect(got.status, got.stderr).to.equal(0)
        expect(lines(got.stdout)).to.deep.equal(names)
        // Across namespaces kubectl prints no namespace either.
        const everywhere = kubectl(['get', 'services', '-A', '-o', 'name'])
        expect(lines(everywhere.stdout)).to.include('service/lonely')
        // probe cleanup -o name: what it deleted, as kubectl delete -o name prints it.
        const left = kubectl(['run', 'kdisco-probe-left', '-n', ns, '--image', 'busybox', '--labels', 'app.kubernetes.io/managed-by=kdisco', '--restart', 'Never'])
        expect(left.status, left.stderr).to.equal(0)
        const cleaned = kdisco(['probe', 'cleanup', '-n', ns, '-o', 'name', '--kubeconfig', c.kubeconfig])
        expect([cleaned.status, cleaned.stdout], cleaned.stderr).to.deep.equal([0, 'pod/kdisco-probe-left\n'])
      } finally {
        kubectl(['delete', 'namespace', ns, '--wait=false'])
      }
    })
  })
})
