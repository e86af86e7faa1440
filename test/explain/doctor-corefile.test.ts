// dns doctor's checks of the whole Corefile and the path from the pod: what each plugin does to answers, the risky
// ones flagged, NodeLocal DNSCache's two hops, the node's search domains. Pure checks over a model.
import {expect} from 'chai'
import {nodeLocalCheck, nodeSearchCheck, pluginsCheck} from '../../src/explain/doctor.js'
import {corefileSource, resolveDnsSettings} from '../../src/cluster/dns-settings.js'
import {ClusterDns} from '../../src/dns/model.js'
import {clusterIpService, corefileModel, ep, namespace, slice, snapshot} from '../support/objects.js'
import {kdisco} from '../support/cli.js'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const KUBE = '  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods insecure\n    fallthrough in-addr.arpa ip6.arpa\n  }\n'
const objects = [namespace('default'), namespace('kube-system'), clusterIpService('web', '10.96.0.20'), clusterIpService('kube-dns', '10.96.0.10', [{name: 'dns', port: 53, protocol: 'UDP'}], {namespace: 'kube-system'}), slice('kube-dns', [ep('10.244.0.2')], [{name: 'dns', port: 53, protocol: 'UDP'}], {namespace: 'kube-system'})]
const check = (corefile: string, files: Record<string, string> = {}) => {
  const m = corefileModel(corefile, objects, files)
  return pluginsCheck(m, snapshot(objects))
}

describe('dns doctor: Corefile plugins and routes', () => {
  it('ok for kubeadm-like Corefiles, with every block and its plugins as evidence', () => {
    const c = check(`.:53 {\n  errors\n${KUBE}  forward . /etc/resolv.conf\n  cache 30\n  loop\n}\n`)
    expect(c.status).to.equal('ok')
    expect(c.evidence).to.include('.:53: cache → kubernetes → forward')
  })

  it('skipped, not ok, when there is no usable Corefile (kubeadm defaults are assumed, not checked)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-empty-corefile-'))
    writeFileSync(join(dir, 'Corefile'), '')
    const r = kdisco(['dns', 'doctor', '-f', 'examples/', '--corefile', join(dir, 'Corefile'), '-o', 'json'])
    const checks = JSON.parse(r.stdout).checks as {id: string; status: string; message: string}[]
    expect(checks.find((c) => c.id === 'corefile')?.status).to.equal('error')
    expect(checks.find((c) => c.id === 'plugins')).to.include({status: 'skipped'})
    expect(checks.find((c) => c.id === 'plugins')?.message).to.match(/^no Corefile to check \(kubeadm defaults: .*Corefile is unusable/)
  })

  it('a Corefile that parses but does not load (cache -5) is the corefile check\'s error, as one that does not parse; exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-bad-cache-'))
    writeFileSync(join(dir, 'Corefile'), `.:53 {\n  errors\n${KUBE}  forward . /etc/resolv.conf\n  cache -5\n  loop\n}\n`)
    const r = kdisco(['dns', 'doctor', '-f', 'examples/', '--corefile', join(dir, 'Corefile'), '-o', 'json'])
    expect(r.status, r.stderr).to.equal(1)
    const checks = JSON.parse(r.stdout).checks as {id: string; status: string; message: string}[]
    expect(checks.find((c) => c.id === 'corefile')).to.deep.include({status: 'error', message: 'the Corefile does not load: line 8: cache TTL must be a whole number of seconds above 0, not "-5"'})
    expect(checks.find((c) => c.id === 'plugins')).to.include({status: 'skipped'})
  })

  it('a rewrite, hosts entry or template that shadows a Service name: warning naming the Service', () => {
    expect(check(`.:53 {\n  rewrite name exact web.default.svc.cluster.local. other.example.\n${KUBE}  forward . 10.0.0.53\n}\n`).message).to.match(/"rewrite name exact web.default.svc.cluster.local. other.example." shadows Service name default\/web/)
    expect(check(`.:53 {\n  hosts {\n    192.0.2.1 web.default.svc.cluster.local\n    fallthrough\n  }\n${KUBE}  forward . 10.0.0.53\n}\n`).message).to.match(/hosts entry shadows Service name default\/web/)
    expect(check(`.:53 {\n  template IN A cluster.local {\n    match ^web\\.\n    answer "{{ .Name }} 5 IN A 192.0.2.2"\n    fallthrough\n  }\n${KUBE}  forward . 10.0.0.53\n}\n`).status).to.equal('warning')
  })

  it('autopath without pods verified: warning (CoreDNS cannot find the asking pod)', () => {
    const c = check(`.:53 {\n  autopath @kubernetes\n${KUBE}  forward . 10.0.0.53\n}\n`)
    expect(c.message).to.match(/autopath @kubernetes without "pods verified" does nothing/)
  })

  it('a stub domain inside the cluster domain: warning (it takes names from the kubernetes plugin)', () => {
    const c = check(`.:53 {\n${KUBE}  forward . 10.0.0.53\n}\nlegacy.svc.cluster.local:53 {\n  forward . 10.1.0.53\n}\n`)
    expect(c.message).to.match(/server block legacy.svc.cluster.local:53 is inside the cluster domain/)
  })

  it('forward to cluster DNS itself (its Service, its pods, the loopback): error, a loop', () => {
    expect(check(`.:53 {\n${KUBE}  forward . 10.96.0.10\n}\n`)).to.deep.include({status: 'error'})
    expect(check(`.:53 {\n${KUBE}  forward . 10.244.0.2:53\n}\n`).message).to.match(/a loop/)
    expect(check(`corp.internal:53 {\n  forward . 127.0.0.1\n}\n.:53 {\n${KUBE}  forward . 8.8.8.8\n}\n`).message).to.match(/forward \. in corp.internal:53 sends to 127.0.0.1/)
  })

  it("forward . /etc/resolv.conf loops when the node's resolv.conf names a loopback resolver (systemd-resolved)", async () => {
    const snap = snapshot(objects)
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-node-'))
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.53\nsearch ec2.internal\n')
    writeFileSync(join(dir, 'Corefile'), `.:53 {\n${KUBE}  forward . /etc/resolv.conf\n  loop\n}\n`)
    const m = new ClusterDns(snap, resolveDnsSettings({nodeResolvConf: join(dir, 'resolv.conf')}, snap, corefileSource(join(dir, 'Corefile'), snap)))
    expect(pluginsCheck(m, snap).message).to.match(/sends to 127.0.0.53 \(the node's resolv.conf\)/)
  })

  it('imports kdisco could not read and plugins CoreDNS does not know: warning', () => {
    const c = check(`.:53 {\n${KUBE}  forward . 10.0.0.53\n  fanout . 1.1.1.1\n  import custom/*.override\n}\n`)
    expect(c.message).to.match(/"fanout" is not a CoreDNS plugin/)
    expect(c.message).to.match(/import custom\/\*\.override/)
  })
})

describe('dns doctor: NodeLocal DNSCache and the node', () => {
  it('shows the two hops, and warns where NodeLocal bypasses a stub domain of CoreDNS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-nl-'))
    writeFileSync(join(dir, 'Corefile'), `.:53 {\n${KUBE}  forward . 8.8.8.8\n}\ncorp.internal:53 {\n  forward . 10.1.0.53\n}\n`)
    const snap = snapshot([...objects, {apiVersion: 'v1', kind: 'Pod', metadata: {name: 'node-local-dns-abc', namespace: 'kube-system', labels: {'k8s-app': 'node-local-dns'}}, spec: {nodeName: 'n1', containers: [{name: 'c'}]}, status: {phase: 'Running', conditions: [{type: 'Ready', status: 'True'}]}} as never])
    const m = new ClusterDns(snap, resolveDnsSettings({}, snap, corefileSource(join(dir, 'Corefile'), snap)))
    const nl = nodeLocalCheck(snap, m)
    expect(nl.evidence.join('\n')).to.match(/kubernetes.default: node-local cluster.local:53 cache → forward ⇒ cluster DNS \.:53 kubernetes/)
    expect(pluginsCheck(m, snap).message).to.match(/NodeLocal DNSCache forwards corp.internal. straight to the node's upstream/)
  })

  it("node search domains: skipped and said when unknown; kubelet's limits warned when they bite", async () => {
    const snap = snapshot(objects)
    const unknown = new ClusterDns(snap, resolveDnsSettings({}, snap))
    expect(nodeSearchCheck(unknown)).to.deep.include({status: 'skipped'})
    const many = Array.from({length: 40}, (_, i) => `d${i}.example.internal`)
    const m = new ClusterDns(snap, resolveDnsSettings({nodeSearch: [many.join(',')]}, snap))
    const c = nodeSearchCheck(m)
    expect(c.status).to.equal('warning')
    expect(c.message).to.match(/kubelet keeps only the first 32 search domains \(43 configured\)/)
    const long = Array.from({length: 12}, (_, i) => `${'x'.repeat(180)}${i}.internal`)
    expect(nodeSearchCheck(new ClusterDns(snap, resolveDnsSettings({nodeSearch: [long.join(',')]}, snap))).message).to.match(/exceed kubelet's 2048 characters/)
  })

  it('dns lookup shows the route per name and says the node may add search domains', () => {
    const r = kdisco(['dns', 'lookup', 'nope', '-f', 'examples/', '-o', 'json'])
    const out = JSON.parse(r.stdout)
    expect(out.tried[0].route).to.deep.equal({server: '.:53', plugins: ['cache', 'kubernetes']})
    expect(out.notes.join(' ')).to.match(/kubelet appends the node's search domains/)
    expect(out.settings.blocks).to.deep.equal([{server: '.:53', plugins: ['loadbalance', 'cache', 'kubernetes', 'forward']}])
    const withNode = JSON.parse(kdisco(['dns', 'lookup', 'nope', '-f', 'examples/', '--node-search', 'ec2.internal', '-o', 'json']).stdout)
    expect(withNode.tried.map((t: {name: string}) => t.name)).to.include('nope.ec2.internal.')
    expect(withNode.settings.nodeSearch).to.deep.equal(['ec2.internal'])
  })
})
