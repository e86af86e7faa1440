// svc explain: each implemented finding fires on evidence (positive) and stays quiet without it (negative);
// environment variables as kubelet writes them.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {explainService, serviceEnvironment} from '../../src/explain/service.js'
import type {KubeObject} from '../../src/cluster/types.js'
import {kdisco} from '../support/cli.js'
import {clusterIpService, ep, headless, model, pod, service, slice, snapshot} from '../support/objects.js'
import {FINDING_CASES, healthy, web} from './cases.js'

function codes(objects: KubeObject[], ns: string, name: string): string[] {
  const m = model(objects)
  return explainService(m, snapshot(objects), m.service(ns, name)!).findings.map((f) => f.code)
}

describe('explain: findings', () => {

  it('a healthy Service has no findings (negative for every rule)', () => {
    expect(codes(healthy, 'default', 'web')).to.deep.equal([])
  })

  const cases = FINDING_CASES
  for (const [code, what, objects, name] of cases) {
    it(`${code}: ${what}`, () => {
      expect(codes(objects, 'default', name ?? 'web')).to.include(code)
    })
  }

  it('KD101 names the near-miss label', () => {
    const m = model([web(), pod('x', {ip: '10.0.0.9', labels: {app: 'webb'}})])
    const f = explainService(m, snapshot([web(), pod('x', {ip: '10.0.0.9', labels: {app: 'webb'}})]), m.service('default', 'web')!).findings[0]
    expect(f.hint).to.equal('Near miss: x has app=webb')
  })

  it('KD125 agrees with svc lookup: the in-zone CNAME target that does not exist is named; one that exists is quiet', () => {
    const alias = service('alias', {type: 'ExternalName', externalName: 'db.other.svc.cluster.local'})
    const m = model([alias])
    const f = explainService(m, snapshot([alias]), m.service('default', 'alias')!).findings.find((x) => x.code === 'KD125')!
    expect(f.message).to.equal('The externalName db.other.svc.cluster.local. is inside the cluster domain but has no address records (namespace other does not exist): CoreDNS drops the CNAME, so alias.default.svc.cluster.local. answers with no address')
    const file = join(mkdtempSync(join(tmpdir(), 'kdisco-alias-')), 'alias.json')
    writeFileSync(file, JSON.stringify(alias))
    const lookup = JSON.parse(kdisco(['svc', 'lookup', 'alias', '-f', file, '-o', 'json']).stdout)
    const a = lookup.queries.find((q: {type: string; kind: string}) => q.kind === 'service' && q.type === 'A')
    expect(a.expected).to.deep.equal({rcode: 'NOERROR', answers: []})
    expect(a.notes.join(' ')).to.match(/drops the CNAME/)
    const target = clusterIpService('db', '10.96.3.3', [{port: 5432}], {namespace: 'other'})
    expect(codes([alias, target], 'default', 'alias')).to.deep.equal([])
    // Outside the cluster domain the target is upstream's: never a finding.
    expect(codes([service('ext', {type: 'ExternalName', externalName: 'db.example.com'})], 'default', 'ext')).to.deep.equal([])
  })

  it('manual endpoints silence KD109', () => {
    expect(codes([service('manual', {clusterIP: '10.96.0.9', ports: [{port: 80}]}), slice('manual', [ep('10.1.1.1')])], 'default', 'manual')).to.deep.equal([])
  })
})

describe('explain: environment variables (kubelet envvars)', () => {
  it('writes the service and link-style variables for a cluster IP Service', () => {
    const m = model([clusterIpService('redis-master', '10.0.0.11', [{name: 'redis', port: 6379}, {port: 6380, protocol: 'UDP'}])])
    expect(serviceEnvironment(m.service('default', 'redis-master')!)).to.deep.equal([
      {name: 'REDIS_MASTER_SERVICE_HOST', value: '10.0.0.11'},
      {name: 'REDIS_MASTER_SERVICE_PORT', value: '6379'},
      {name: 'REDIS_MASTER_SERVICE_PORT_REDIS', value: '6379'},
      {name: 'REDIS_MASTER_PORT', value: 'tcp://10.0.0.11:6379'},
      {name: 'REDIS_MASTER_PORT_6379_TCP', value: 'tcp://10.0.0.11:6379'},
      {name: 'REDIS_MASTER_PORT_6379_TCP_PROTO', value: 'tcp'},
      {name: 'REDIS_MASTER_PORT_6379_TCP_PORT', value: '6379'},
      {name: 'REDIS_MASTER_PORT_6379_TCP_ADDR', value: '10.0.0.11'},
      {name: 'REDIS_MASTER_PORT_6380_UDP', value: 'udp://10.0.0.11:6380'},
      {name: 'REDIS_MASTER_PORT_6380_UDP_PROTO', value: 'udp'},
      {name: 'REDIS_MASTER_PORT_6380_UDP_PORT', value: '6380'},
      {name: 'REDIS_MASTER_PORT_6380_UDP_ADDR', value: '10.0.0.11'},
    ])
  })

  it('headless and ExternalName Services get none', () => {
    const m = model([headless('h'), service('e', {type: 'ExternalName', externalName: 'x.example.com'})])
    expect(serviceEnvironment(m.service('default', 'h')!)).to.deep.equal([])
    expect(serviceEnvironment(m.service('default', 'e')!)).to.deep.equal([])
  })
})

describe('cli: svc explain', () => {
  it('JSON keeps the contract; --fail-on warning exits 1 on the not-ready kubia pod', () => {
    const r = kdisco(['svc', 'explain', 'kubia', '-f', 'examples/', '-o', 'json', '--fail-on', 'warning'])
    expect(r.status).to.equal(1)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out)).to.include.members(['service', 'kind', 'dns', 'environment', 'findings'])
    expect(out.findings.map((f: {code: string}) => f.code)).to.deep.equal(['KD102'])
    expect(Object.keys(out.findings[0])).to.deep.equal(['code', 'severity', 'message', 'hint', 'objects'])
  })

  it('no error-level finding on the bundled correct examples', () => {
    for (const [name, ns] of [['kubia', 'default'], ['kubia-headless', 'default'], ['kubia-named', 'default'], ['external-service', 'default'], ['external-db', 'default'], ['kubernetes', 'default'], ['mysql-svc', 'data'], ['kube-dns', 'kube-system']]) {
      const r = kdisco(['svc', 'explain', name, '-n', ns, '-f', 'examples/', '--fail-on', 'error', '-o', 'json'])
      expect(r.status, `${ns}/${name}: ${r.stdout.slice(0, 300)}`).to.equal(0)
    }
  })
})
