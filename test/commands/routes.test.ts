// The path from the pod on the command line: dns lookup --pod offline, the Corefile's own files, the node's search
// domains, and routes in dns lookup, svc lookup and dns zone.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {kdisco} from '../support/cli.js'

const AKS = ['--corefile', 'examples/coredns/Corefile', '--corefile-import', 'examples/coredns/custom.override', '--corefile-import', 'examples/coredns/stub.server']

describe('routes and the path from the pod on the command line', () => {
  it("dns lookup --pod walks that pod's own resolv.conf offline, asking from its address", () => {
    const r = kdisco(['dns', 'lookup', 'mysql-svc.data', '-f', 'examples/', '--pod', 'kubia-5d8b7c9f6-2xkqz', '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    const out = JSON.parse(r.stdout)
    expect(out.question).to.include({pod: 'kubia-5d8b7c9f6-2xkqz', namespace: 'default'})
    expect(out.resolver).to.include({address: '10.244.1.38', policy: 'ClusterFirst'})
    expect(out.tried.map((t: {name: string}) => t.name)).to.deep.equal(['mysql-svc.data.default.svc.cluster.local.', 'mysql-svc.data.svc.cluster.local.'])
    expect(out.route).to.deep.equal({server: '.:53', plugins: ['cache', 'kubernetes']})
  })

  it('a --pod that is not in the input is one line with close names, exit 2', () => {
    const r = kdisco(['dns', 'lookup', 'kubia', '-f', 'examples/', '--pod', 'kubia-5d8b7c9f6-2xkqy'])
    expect(r.status).to.equal(2)
    expect(r.stderr).to.match(/^Error: --pod "kubia-5d8b7c9f6-2xkqy" not found in namespace default\. Did you mean kubia-5d8b7c9f6-2xkqz, /)
  })

  it('--node-resolv-conf appends its search domains (kubelet) and names its nameservers as the upstream of forward . /etc/resolv.conf', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-node-'))
    writeFileSync(join(dir, 'resolv.conf'), 'search corp.example ec2.internal\nnameserver 10.0.0.2\n')
    const out = JSON.parse(kdisco(['dns', 'lookup', 'nope', '-f', 'examples/', '--node-resolv-conf', join(dir, 'resolv.conf'), '-o', 'json']).stdout)
    expect(out.resolver.searches).to.deep.equal(['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'ec2.internal'])
    // The first node domain is not the cluster's: the walk reaches upstream there, and kdisco stops predicting.
    expect(out.tried.at(-1)).to.deep.include({name: 'nope.corp.example.', route: {server: '.:53', plugins: ['cache', 'forward'], upstream: ['10.0.0.2'], upstreamQuestion: {name: 'nope.corp.example.', type: 'A'}}})
    const both = kdisco(['dns', 'lookup', 'nope', '-f', 'examples/', '--node-resolv-conf', join(dir, 'resolv.conf'), '--node-search', 'x.internal'])
    expect([both.status, both.stderr]).to.deep.equal([2, 'Error: Give --node-resolv-conf or --node-search, not both. Drop one of them\n'])
  })

  it("a Corefile's imports from --corefile-import: the rewrite answers a Service under its outside name, the stub domain goes to its servers", () => {
    const out = JSON.parse(kdisco(['dns', 'lookup', 'mysql-svc.data.corp.internal.', '-f', 'examples/', ...AKS, '-o', 'json']).stdout)
    expect(out.answers.map((r: {name: string; data: string}) => `${r.name} ${r.data}`)).to.deep.equal(['mysql-svc.data.corp.internal. 10.244.1.8', 'mysql-svc.data.corp.internal. 10.244.2.12', 'mysql-svc.data.corp.internal. 10.244.3.6'])
    expect(out.route).to.deep.equal({server: '.:53', plugins: ['rewrite', 'cache', 'kubernetes'], rewritten: 'mysql-svc.data.svc.cluster.local.'})
    const stub = JSON.parse(kdisco(['dns', 'lookup', 'db.onprem.example.', '-f', 'examples/', ...AKS, '-o', 'json']).stdout)
    expect(stub.route).to.deep.include({server: 'onprem.example:53', upstream: ['10.150.0.53', '10.150.0.54']})
    expect(stub.settings.blocks.map((b: {server: string}) => b.server)).to.deep.equal(['.:53', 'onprem.example:53'])
  })

  it('without its imports the Corefile still answers, and says what it could not read', () => {
    const out = JSON.parse(kdisco(['dns', 'lookup', 'kubia', '-f', 'examples/', '--corefile', 'examples/coredns/Corefile', '-o', 'json']).stdout)
    expect(out.rcode).to.equal('NOERROR')
    expect(out.settings.corefileNotes.join('\n')).to.match(/import custom\/\*\.override: kdisco was not given the files it matches/)
    const missing = kdisco(['dns', 'lookup', 'kubia', '-f', 'examples/', '--corefile', 'examples/coredns/Corefile', '--corefile-import', 'nope.override'])
    expect([missing.status, missing.stderr]).to.deep.equal([2, 'Error: Cannot read Corefile import "nope.override": no such file. Check the path given to --corefile-import\n'])
  })

  it('svc lookup shows the route of its names; dns zone says which plugins answer before the kubernetes plugin', () => {
    const svc = JSON.parse(kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json']).stdout)
    expect(svc.queries[0].route).to.deep.equal({server: '.:53', plugins: ['cache', 'kubernetes']})
    expect(kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/']).stdout).to.match(/^Routes\n/m)
    const zone = kdisco(['dns', 'zone', '-f', 'examples/', ...AKS])
    expect(zone.stdout).to.match(/; rewrite run before the kubernetes plugin in \.:53/)
  })
})
