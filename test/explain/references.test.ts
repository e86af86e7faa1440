// svc explain findings about references and exposure (KD114–KD121): each from manifests (positive and negative),
// and the same manifests served by the API test server give the same findings live. Plus `svc explain --all`.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {kdisco, kdiscoAsync} from '../support/cli.js'
import {loadManifests} from '../support/cluster-objects.js'
import {KubeApiServer} from '../support/kube-api-server.js'
import {FINDING_CASES, healthy} from './cases.js'

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n'
const pod = (name: string, labels: string, extra = '') => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: app, labels: {${labels}}}\nspec:\n  containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}], readinessProbe: {tcpSocket: {port: 8080}}}]\n${extra}status: {phase: Running, podIP: 10.1.0.${name.length + name.charCodeAt(0) % 50}, podIPs: [{ip: 10.1.0.${name.length + name.charCodeAt(0) % 50}}], conditions: [{type: Ready, status: "True"}], containerStatuses: [{name: c, ready: true, restartCount: 0}]}\n`
const headless = (name: string, app: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: app}\nspec: {clusterIP: None, selector: {app: ${app}}, ports: [{name: http, port: 80, targetPort: http}]}\n`
const clusterIp = (name: string, app: string, extra = '') => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: app}\nspec: {clusterIP: 10.96.7.${name.length}, selector: {app: ${app}}, ports: [{name: http, port: 80, targetPort: http${extra}}]}\n`
const sts = (name: string, serviceName: string, app: string) => `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: ${name}, namespace: app}\nspec:\n  serviceName: ${serviceName}\n  replicas: 1\n  selector: {matchLabels: {app: ${app}}}\n  template:\n    metadata: {labels: {app: ${app}}}\n    spec: {containers: [{name: c, image: x}]}\n`
const ingress = (api: string, backend: string) => `apiVersion: ${api}\nkind: Ingress\nmetadata: {name: front, namespace: app}\nspec:\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - path: /\n${api === 'networking.k8s.io/v1' ? `        pathType: Prefix\n        backend: {service: ${backend}}` : `        backend: ${backend}`}\n`
const lb = (status: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: edge, namespace: app}\nspec: {type: LoadBalancer, clusterIP: 10.96.7.99, selector: {app: web}, ports: [{name: http, port: 80, targetPort: http, nodePort: 30080}]}\nstatus: ${status}\n`
const webPods = pod('web-a', 'app: web') + '---\n' + pod('web-bb', 'app: web')

// [code, what, positive manifests, negative manifests, also live?]
const CASES: [string, string, string[], string[], boolean][] = [
  ['KD114', 'StatefulSet serviceName names no Service', [sts('db', 'db-hl', 'db')], [sts('db', 'db-hl', 'db'), headless('db-hl', 'db')], true],
  ['KD114', 'StatefulSet serviceName names a Service that is not headless', [sts('db', 'db-hl', 'db'), clusterIp('db-hl', 'db')], [sts('db', 'db-hl', 'db'), headless('db-hl', 'db')], true],
  ['KD115', 'the headless Service does not select the StatefulSet pods', [sts('db', 'db-hl', 'db'), headless('db-hl', 'database')], [sts('db', 'db-hl', 'db'), headless('db-hl', 'db')], true],
  ['KD116', 'pod subdomain without a headless Service', [pod('p1', 'app: grp', '  hostname: p1\n  subdomain: grp\n')], [pod('p1', 'app: grp', '  hostname: p1\n  subdomain: grp\n'), headless('grp', 'grp')], true],
  ['KD117', 'two endpoints share one hostname', [pod('p1', 'app: grp', '  hostname: same\n  subdomain: grp\n'), pod('p22', 'app: grp', '  hostname: same\n  subdomain: grp\n'), headless('grp', 'grp')], [pod('p1', 'app: grp', '  hostname: one\n  subdomain: grp\n'), pod('p22', 'app: grp', '  hostname: two\n  subdomain: grp\n'), headless('grp', 'grp')], true],
  ['KD118', 'Ingress backend names a missing Service', [ingress('networking.k8s.io/v1', '{name: shop, port: {number: 80}}'), clusterIp('web', 'web'), webPods], [ingress('networking.k8s.io/v1', '{name: web, port: {number: 80}}'), clusterIp('web', 'web'), webPods], true],
  ['KD118', 'Ingress backend names a port the Service lacks', [ingress('networking.k8s.io/v1', '{name: web, port: {name: https}}'), clusterIp('web', 'web'), webPods], [ingress('networking.k8s.io/v1', '{name: web, port: {name: http}}'), clusterIp('web', 'web'), webPods], true],
  ['KD119', 'Ingress in extensions/v1beta1 (removed)', [ingress('extensions/v1beta1', '{serviceName: web, servicePort: 80}'), clusterIp('web', 'web'), webPods], [ingress('networking.k8s.io/v1', '{name: web, port: {number: 80}}'), clusterIp('web', 'web'), webPods], false],
  ['KD120', 'NodePort outside the range', [clusterIp('web', 'web', ', nodePort: 8080').replace('{clusterIP', '{type: NodePort, clusterIP'), webPods], [clusterIp('web', 'web', ', nodePort: 30080').replace('{clusterIP', '{type: NodePort, clusterIP'), webPods], false],
  ['KD121', 'LoadBalancer without an address', [lb('{loadBalancer: {}}'), webPods], [lb('{loadBalancer: {ingress: [{ip: 203.0.113.7}]}}'), webPods], true],
]

function write(docs: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kdisco-ref-')), 'objects.yaml')
  writeFileSync(file, [NS, ...docs].join('---\n'))
  return file
}

const codesOf = (out: {services: {findings: {code: string}[]}[]; findings: {code: string}[]}) => [...new Set([...out.services.flatMap((s) => s.findings), ...out.findings].map((f) => f.code))].sort()

describe('explain: reference and exposure findings (KD114–KD121), from files and live', function () {
  this.timeout(60000)
  let server: KubeApiServer
  before(async () => (server = await new KubeApiServer().start()))
  after(async () => server?.stop())

  for (const [code, what, positive, negative, live] of CASES) {
    it(`${code}: ${what} — fires on the evidence, quiet when fixed${live ? ', same live' : ''}`, async () => {
      const run = (file: string) => {
        const r = kdisco(['svc', 'explain', '--all', '-n', 'app', '-f', file, '-o', 'json'])
        expect(r.status, r.stderr).to.equal(0)
        return codesOf(JSON.parse(r.stdout))
      }
      const pos = write(positive)
      expect(run(pos)).to.include(code)
      expect(run(write(negative))).not.to.include(code)
      if (!live) return
      for (const o of [...server.objects('Pod'), ...server.objects('Service'), ...server.objects('StatefulSet'), ...server.objects('Ingress'), ...server.objects('EndpointSlice')]) server.remove(o.kind, o.metadata.namespace, o.metadata.name)
      await loadManifests(server, [pos])
      const r = await kdiscoAsync(['svc', 'explain', '--all', '-n', 'app', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
      expect(r.status, r.stderr).to.equal(0)
      expect(codesOf(JSON.parse(r.stdout))).to.deep.equal(run(pos))
    })
  }

  it('KD116 names the FQDN the pod asks for, from spec.hostname, as pod lookup does; live the same', async () => {
    const file = write([pod('worker', 'app: w', '  hostname: w1\n  subdomain: workers\n')])
    const out = JSON.parse(kdisco(['svc', 'explain', '--all', '-n', 'app', '-f', file, '-o', 'json']).stdout)
    const kd116 = out.findings.find((f: {code: string}) => f.code === 'KD116')
    expect(kd116.message).to.include('names like w1.workers.app.svc.cluster.local do not resolve')
    expect(kd116.objects).to.deep.equal(['Pod app/worker'])
    const identity = JSON.parse(kdisco(['pod', 'lookup', 'worker', '-n', 'app', '-f', file, '-o', 'json']).stdout)
    expect(identity.hostnameRecord.name).to.equal('w1.workers.app.svc.cluster.local.')
    for (const o of [...server.objects('Pod'), ...server.objects('Service'), ...server.objects('StatefulSet'), ...server.objects('EndpointSlice')]) server.remove(o.kind, o.metadata.namespace, o.metadata.name)
    await loadManifests(server, [file])
    const live = JSON.parse((await kdiscoAsync(['svc', 'explain', '--all', '-n', 'app', '--kubeconfig', server.kubeconfig(), '-o', 'json'])).stdout)
    expect(live.findings.find((f: {code: string}) => f.code === 'KD116').message).to.equal(kd116.message)
  })

  it('svc explain NAME shows the Ingress routes and the references to it; --fail-on error exits 1', () => {
    const file = write([ingress('networking.k8s.io/v1', '{name: web, port: {name: https}}'), clusterIp('web', 'web'), webPods])
    const r = kdisco(['svc', 'explain', 'web', '-n', 'app', '-f', file, '-o', 'json', '--fail-on', 'error'])
    expect(r.status).to.equal(1)
    const out = JSON.parse(r.stdout)
    expect(out.description).to.include('Ingress front routes shop.example.com/ → port https')
    expect(out.findings.map((f: {code: string}) => f.code)).to.deep.equal(['KD118'])
  })

  it('--all on the bundled examples: the deliberate StatefulSet mistake is the only error; usage errors are one line', () => {
    const r = kdisco(['svc', 'explain', '--all', '-A', '-f', 'examples/', '-o', 'json', '--fail-on', 'error'])
    expect(r.status).to.equal(1)
    const out = JSON.parse(r.stdout)
    const errors = [...out.services.flatMap((s: {findings: {severity: string; code: string}[]}) => s.findings), ...out.findings].filter((f: {severity: string}) => f.severity === 'error')
    expect(errors.map((f: {code: string; objects: string[]}) => `${f.code} ${f.objects[0]}`)).to.deep.equal(['KD114 StatefulSet data/web'])
    expect(out.summary.services).to.equal(out.services.length)
    for (const args of [['svc', 'explain'], ['svc', 'explain', 'kubia', '--all'], ['svc', 'explain', 'kubia', '-A'], ['svc', 'explain', '--all', '--node-port-range', '5-x']]) {
      const bad = kdisco([...args, '-f', 'examples/'])
      expect(bad.status, args.join(' ')).to.equal(2)
      expect(bad.stderr.trim().split('\n')).to.have.length(1)
    }
  })
})

describe('explain: KD101–KD113, KD122 and KD123 from a manifest file and from the API test server give the same findings', function () {
  this.timeout(120000)
  let server: KubeApiServer
  before(async () => (server = await new KubeApiServer().start()))
  after(async () => server?.stop())

  const asFile = (objects: object[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'kdisco-case-')), 'objects.json')
    writeFileSync(file, JSON.stringify({apiVersion: 'v1', kind: 'List', items: objects}))
    return file
  }
  const codesOfOne = (stdout: string) => (JSON.parse(stdout).findings as {code: string}[]).map((f) => f.code).sort()

  for (const [code, what, objects, name] of [['none', 'a healthy Service', healthy, undefined] as const, ...FINDING_CASES]) {
    it(`${code}: ${what}`, async () => {
      const file = asFile(objects)
      const offline = kdisco(['svc', 'explain', name ?? 'web', '-f', file, '-o', 'json'])
      expect(offline.status, offline.stderr).to.equal(0)
      if (code === 'none') expect(codesOfOne(offline.stdout)).to.deep.equal([])
      else expect(codesOfOne(offline.stdout)).to.include(code)
      for (const o of [...server.objects('Pod'), ...server.objects('Service'), ...server.objects('EndpointSlice')]) server.remove(o.kind, o.metadata.namespace, o.metadata.name)
      await loadManifests(server, [file])
      const live = await kdiscoAsync(['svc', 'explain', name ?? 'web', '--probe', 'none', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
      expect(live.status, live.stderr).to.equal(0)
      expect(codesOfOne(live.stdout)).to.deep.equal(codesOfOne(offline.stdout))
    })
  }
})
