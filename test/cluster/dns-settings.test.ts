// Where kdisco finds the files a Corefile refers to: the ConfigMaps distributions mount (k3s's NodeHosts key of the
// coredns ConfigMap at /etc/coredns, coredns-custom at /etc/coredns/custom on AKS and k3s), and kube-dns's ConfigMap.
import {expect} from 'chai'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {corefileSource, resolveDnsSettings} from '../../src/cluster/dns-settings.js'
import {KdiscoError} from '../../src/errors.js'
import {ClusterDns} from '../../src/dns/model.js'
import {clusterIpService, namespace, snapshot} from '../support/objects.js'
import {kdisco} from '../support/cli.js'

const K3S = `.:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods insecure\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    hosts /etc/coredns/NodeHosts {\n      ttl 60\n      reload 15s\n      fallthrough\n    }\n    forward . /etc/resolv.conf\n    cache 30\n    import /etc/coredns/custom/*.override\n}\nimport /etc/coredns/custom/*.server\n`
const cm = (name: string, data: Record<string, string>) => ({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name, namespace: 'kube-system'}, data}) as never

describe('cluster: the files of a Corefile from the ConfigMaps distributions mount', () => {
  it("k3s: hosts /etc/coredns/NodeHosts reads the coredns ConfigMap's NodeHosts key; coredns-custom's keys are imported", async () => {
    const snap = snapshot([namespace('default'), clusterIpService('web', '10.96.0.20'), cm('coredns', {Corefile: K3S, NodeHosts: '192.168.1.10 server-0\n'}), cm('coredns-custom', {'corp.override': 'rewrite name suffix .corp. .svc.cluster.local. answer auto\n', 'stub.server': 'stub.example:53 {\n  forward . 10.9.9.9\n}\n'})])
    const m = new ClusterDns(snap, resolveDnsSettings({}, snap))
    expect(m.answer('server-0.', 'A').answers).to.deep.equal([{name: 'server-0.', type: 'A', ttl: 30, data: '192.168.1.10'}])
    expect(m.answer('web.default.corp.', 'A').answers.map((r) => `${r.name} ${r.data}`)).to.deep.equal(['web.default.corp. 10.96.0.20'])
    expect(m.answer('x.stub.example.', 'A').route?.upstream).to.deep.equal(['10.9.9.9'])
    expect(m.settings.corefile?.imports.map((i) => i.resolved)).to.deep.equal([['ConfigMap kube-system/coredns-custom key corp.override'], ['ConfigMap kube-system/coredns-custom key stub.server']])
  })

  it('from files without coredns-custom kdisco cannot tell what it imports, and says so', async () => {
    const snap = snapshot([namespace('default'), cm('coredns', {Corefile: K3S, NodeHosts: ''})])
    const m = new ClusterDns(snap, resolveDnsSettings({}, snap))
    expect(m.coreDns().config.notes.filter((n) => /import/.test(n))).to.have.length(2)
  })

  it('a Corefile CoreDNS would refuse is an input error naming where', async () => {
    const snap = snapshot([cm('coredns', {Corefile: '.:53 {\n  kubernetes\n  hosts {\n    fallthrough_unsupported\n  }\n}\n'})])
    expect(() => resolveDnsSettings({}, snap)).to.throw(Error)
    const error = (() => {
      try {
        resolveDnsSettings({}, snap)
      } catch (e) {
        return e
      }
    })()
    expect((error as Error).message).to.equal('ConfigMap kube-system/coredns:3: hosts: fallthrough_unsupported requires fallthrough')
  })

  it('a Corefile that does not parse: the hint offers --corefile FILE, which replaces it (--cluster-domain does not)', () => {
    const snap = snapshot([namespace('default'), cm('coredns', {Corefile: '.:53 {\n  kubernetes cluster.local\n}\n}\n'})])
    const failure = (run: () => unknown) => {
      try {
        run()
      } catch (error) {
        return error as KdiscoError
      }
      throw new Error('no error')
    }
    expect(failure(() => resolveDnsSettings({}, snap)).toLine()).to.equal('Error: ConfigMap kube-system/coredns:4: unexpected "}". Fix the Corefile, or give one kdisco can read with --corefile FILE')
    expect(failure(() => resolveDnsSettings({clusterDomain: 'cluster.local', pods: 'insecure', ttl: 5}, snap)).message).to.match(/unexpected "}"/)
    const file = join(mkdtempSync(join(tmpdir(), 'kdisco-corefile-')), 'Corefile')
    writeFileSync(file, '.:53 {\n  kubernetes example.internal\n}\n')
    expect(resolveDnsSettings({}, snap, corefileSource(file, snap)).clusterDomain).to.equal('example.internal')
  })

  it('a ConfigMap manifest\'s Corefile error is said at the line of the manifest (literal block), in svc lookup and dns doctor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-corefile-line-'))
    const file = join(dir, 'coredns.yaml')
    // Corefile line 5 is file line 12 ("Corefile: |" is line 7).
    writeFileSync(file, '# CoreDNS\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: coredns, namespace: kube-system}\ndata:\n  Corefile: |\n    .:53 {\n        kubernetes cluster.local in-addr.arpa ip6.arpa\n        forward . /etc/resolv.conf\n        loop\n        cache -5\n    }\n')
    const lookup = kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/', '-f', file])
    expect([lookup.status, lookup.stderr.split('\n').filter((l) => l.startsWith('Error'))]).to.deep.equal([2, [`Error: ${file}:12: ConfigMap kube-system/coredns: cache TTL must be a whole number of seconds above 0, not "-5". Fix the Corefile, or give one kdisco can read with --corefile FILE`]])
    const doctor = kdisco(['dns', 'doctor', '-f', 'examples/', '-f', file, '-o', 'json'])
    expect(JSON.parse(doctor.stdout).checks.find((c: {id: string}) => c.id === 'corefile').message).to.equal(`the Corefile does not load: ${file}:12: cache TTL must be a whole number of seconds above 0, not "-5"`)
    // Given on stdin, there is no file to point into: the Corefile's own line.
    const piped = kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/', '-f', '-'], {input: readFileSync(file, 'utf8')})
    expect(piped.stderr).to.include('Error: ConfigMap kube-system/coredns:5: cache TTL')
  })

  it('a plugin CoreDNS does not have (a typo) is a warning on stderr at the manifest\'s line, once, whatever the command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-corefile-typo-'))
    const file = join(dir, 'coredns.yaml')
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: coredns, namespace: kube-system}\ndata:\n  Corefile: |\n    .:53 {\n        kubernetes cluster.local in-addr.arpa ip6.arpa\n        forward . /etc/resolv.conf\n        cahce 30\n    }\n')
    for (const args of [['svc', 'lookup', 'kubia'], ['svc', 'list', '-A']]) {
      const r = kdisco([...args, '-f', 'examples/', '-f', file])
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stderr.split('\n').filter((l) => l.includes('not a CoreDNS plugin'))).to.deep.equal([`kdisco: warning: ${file}:9: "cahce" is not a CoreDNS plugin (a typo CoreDNS refuses to start with, or one built in by hand): kdisco ignores it`])
    }
  })

  it("a Corefile error names the Corefile once: at its own line, or before the line of the file it imports", () => {
    const message = (data: Record<string, string>) => {
      try {
        resolveDnsSettings({}, snapshot([cm('coredns', data)]))
      } catch (error) {
        return (error as Error).message
      }
      return 'no error'
    }
    expect(message({Corefile: '.:53 {\n  kubernetes cluster.local {\n    pods maybe\n  }\n}\n'})).to.equal('ConfigMap kube-system/coredns:3: pods must be disabled, insecure or verified, not "maybe"')
    expect(message({Corefile: '.:53 {\n  forward . 8.8.8.8\n}\n'})).to.equal('ConfigMap kube-system/coredns: the Corefile has no "kubernetes" plugin stanza')
    expect(message({Corefile: '.:53 {\n  kubernetes cluster.local\n  import x.override\n}\n', 'x.override': 'errors\n"open\n'})).to.equal('ConfigMap kube-system/coredns: ConfigMap kube-system/coredns key x.override:2: a quoted string is not closed')
  })
})
