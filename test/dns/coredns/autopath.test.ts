// autopath @kubernetes rule by rule, as plugin/autopath and plugin/kubernetes/autopath.go (CoreDNS 1.14.7) do it.
import {expect} from 'chai'
import {dnsLookup} from '../../../src/dns/lookup.js'
import {clusterIpService, corefileModel, namespace, pod} from '../../support/objects.js'

const COREFILE = (pods: string, extra = '') => `.:53 {\n  autopath @kubernetes\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods ${pods}\n    fallthrough in-addr.arpa ip6.arpa\n  }\n${extra}  forward . 10.0.0.53\n}\n`
const objects = [
  namespace('default'),
  namespace('prod'),
  clusterIpService('web', '10.96.0.20'),
  clusterIpService('api', '10.96.0.21', [{port: 80}], {namespace: 'prod'}),
  pod('client', {ip: '10.244.0.7', namespace: 'default'}),
]
const asker = {ip: '10.244.0.7'}

describe('coredns autopath (plugin/autopath, kubernetes/autopath.go)', () => {
  const m = corefileModel(COREFILE('verified'), objects, {}, {node: {nameservers: ['10.0.0.53'], searches: ['ec2.internal'], options: [], known: true}})

  it('a name in the first search domain is answered with the first candidate that is not NXDOMAIN, behind a CNAME (cname.go)', () => {
    const a = m.answer('api.prod.default.svc.cluster.local.', 'A', {asker})
    expect(a.rcode).to.equal('NOERROR')
    expect(a.answers).to.deep.equal([
      {name: 'api.prod.default.svc.cluster.local.', type: 'CNAME', ttl: 5, data: 'api.prod.svc.cluster.local.'},
      {name: 'api.prod.svc.cluster.local.', type: 'A', ttl: 5, data: '10.96.0.21'},
    ])
    expect(a.route?.autopath).to.deep.equal({searched: ['api.prod.default.svc.cluster.local.', 'api.prod.svc.cluster.local.'], answeredBy: 'api.prod.svc.cluster.local.'})
  })

  it('the search path is [ns.svc.zone, svc.zone, zone, CoreDNS\'s own resolv.conf search…, ""] (AutoPath); upstream decides past a forwarded candidate', () => {
    const a = m.answer('nope.default.svc.cluster.local.', 'A', {asker})
    expect(a.route?.autopath?.searched).to.deep.equal(['nope.default.svc.cluster.local.', 'nope.svc.cluster.local.', 'nope.cluster.local.', 'nope.ec2.internal.'])
    expect(a.notes).to.include('autopath: if upstream answers NXDOMAIN for nope.ec2.internal., CoreDNS goes on with nope.')
  })

  it('the first candidate itself needs no CNAME (its owner is the asked name)', () => {
    const a = m.answer('web.default.svc.cluster.local.', 'A', {asker})
    expect(a.answers).to.deep.equal([{name: 'web.default.svc.cluster.local.', type: 'A', ttl: 5, data: '10.96.0.20'}])
  })

  it('NODATA ends the walk like an answer: only NXDOMAIN moves on (autopath.go)', () => {
    const a = m.answer('api.prod.default.svc.cluster.local.', 'AAAA', {asker})
    expect([a.rcode, a.answers.length, a.route?.autopath?.answeredBy]).to.deep.equal(['NOERROR', 0, 'api.prod.svc.cluster.local.'])
  })

  it('the first search domain itself cannot be trimmed: SERVFAIL (dnsutil.TrimZone)', () => {
    expect(m.answer('default.svc.cluster.local.', 'A', {asker}).rcode).to.equal('SERVFAIL')
  })

  it('a name outside the first search domain is not autopathed', () => {
    expect(m.answer('api.prod.svc.cluster.local.', 'A', {asker}).route?.plugins).to.deep.equal(['kubernetes'])
  })

  it('an asker CoreDNS does not know by its address gets no autopath (podWithIP)', () => {
    expect(m.answer('api.prod.default.svc.cluster.local.', 'A', {asker: {ip: '10.9.9.9'}}).rcode).to.equal('NXDOMAIN')
    expect(m.answer('api.prod.default.svc.cluster.local.', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('without pods verified, @kubernetes gives no search path (AutoPath: initPodCache)', () => {
    const insecure = corefileModel(COREFILE('insecure'), objects)
    expect(insecure.answer('api.prod.default.svc.cluster.local.', 'A', {asker}).rcode).to.equal('NXDOMAIN')
  })

  it('every candidate NXDOMAIN up to upstream: the answer is upstream\'s (or the first NXDOMAIN), not predicted', () => {
    const bare = corefileModel(COREFILE('verified'), objects, {}, {node: {nameservers: [], searches: [], options: [], known: true}})
    const a = bare.answer('nope.default.svc.cluster.local.', 'A', {asker})
    expect([a.rcode, a.forwarded]).to.deep.equal([null, true])
    expect(a.route?.upstreamQuestion).to.deep.equal({name: 'nope.', type: 'A'})
  })

  it("a pod's short-name walk sends one query where CoreDNS autopaths it", () => {
    const client = objects.find((o) => o.metadata.name === 'client') as Parameters<typeof dnsLookup>[2]
    const r = dnsLookup(m, {name: 'api.prod', type: 'A', namespace: 'default'}, client)
    expect(r.tried.map((t) => t.name)).to.deep.equal(['api.prod.default.svc.cluster.local.'])
    expect(r.answers.map((x) => x.data)).to.deep.equal(['api.prod.svc.cluster.local.', '10.96.0.21'])
    expect(r.resolver.searches).to.deep.equal(['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'ec2.internal'])
  })
})
