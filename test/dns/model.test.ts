// The DNS model against the Kubernetes DNS spec 1.1.0 and CoreDNS 1.14's kubernetes plugin, rule by rule.
import {expect} from 'chai'
import type {DnsAnswer} from '../../src/dns/records.js'
import {COREDNS_DEFAULTS, clusterIpService, ep, headless, model, namespace, pod, service, slice} from '../support/objects.js'

const data = (a: DnsAnswer) => a.answers.map((r) => r.data).sort()
const names = (a: DnsAnswer) => a.answers.map((r) => r.name)

describe('dns model: a ClusterIP Service whose manifest sets no cluster IP (allocated when it is created)', () => {
  const m = model(
    [
      service('web', {selector: {app: 'web'}, ports: [{name: 'http', port: 80}, {name: 'grpc', port: 9090}]}),
      service('blank', {clusterIP: '', ports: [{name: 'http', port: 80}]}),
      service('both', {ipFamilyPolicy: 'RequireDualStack', ports: [{name: 'http', port: 80}]}),
      service('six', {ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{name: 'http', port: 80}]}),
      slice('web', [ep('10.244.1.5', {hostname: 'web-0'})]),
    ],
    COREDNS_DEFAULTS,
  )

  it('its own address is not predicted (not NXDOMAIN, not NODATA), for A and AAAA, with the reason', () => {
    for (const name of ['web', 'blank'])
      for (const type of ['A', 'AAAA']) {
        const a = m.answer(`${name}.default.svc.cluster.local.`, type)
        expect([a.rcode, a.answers], `${name} ${type}`).to.deep.equal([null, []])
        expect(a.notes?.[0]).to.match(/^the manifest sets no cluster IP: the API server allocates one/)
      }
  })

  it('spec.ipFamilies decides which of A and AAAA will answer: the other is NODATA, as for a Service with its IPs', () => {
    expect(m.answer('six.default.svc.cluster.local.', 'AAAA').rcode).to.equal(null)
    const a = m.answer('six.default.svc.cluster.local.', 'A')
    expect([a.rcode, a.answers]).to.deep.equal(['NOERROR', []])
    for (const type of ['A', 'AAAA']) expect(m.answer('both.default.svc.cluster.local.', type).rcode, type).to.equal(null)
  })

  it('SRV does not depend on the address: the Service FQDN per port, weights as for one cluster IP (two with RequireDualStack)', () => {
    expect(data(m.answer('web.default.svc.cluster.local.', 'SRV'))).to.deep.equal(['0 50 80 web.default.svc.cluster.local.', '0 50 9090 web.default.svc.cluster.local.'])
    expect(data(m.answer('_http._tcp.web.default.svc.cluster.local.', 'SRV'))).to.deep.equal(['0 100 80 web.default.svc.cluster.local.'])
    expect(data(m.answer('_http._tcp.both.default.svc.cluster.local.', 'SRV'))).to.deep.equal(['0 50 80 both.default.svc.cluster.local.'])
    // A port it does not have is still NXDOMAIN, and says so.
    const none = m.answer('_nope._tcp.web.default.svc.cluster.local.', 'SRV')
    expect(none.rcode).to.equal('NXDOMAIN')
    expect(none.notes?.[0]).to.match(/no port named nope/)
  })

  it('endpoint names answer as for any ClusterIP Service; no PTR is predicted for the unknown address', () => {
    expect(data(m.answer('web-0.web.default.svc.cluster.local.', 'A'))).to.deep.equal(['10.244.1.5'])
    expect(m.service('default', 'web')?.ipPending).to.equal(true)
    expect(model([clusterIpService('set', '10.96.0.9')], COREDNS_DEFAULTS).service('default', 'set')?.ipPending).to.equal(false)
  })
})

describe('dns model: ClusterIP Services (spec §2.3)', () => {
  const m = model(
    [
      clusterIpService('web', '10.96.0.20', [
        {name: 'http', port: 80, targetPort: 8080},
        {name: 'metrics', port: 9090, protocol: 'TCP'},
        {port: 7000},
      ]),
      clusterIpService('dual', ['10.96.0.30', 'fd00::30'], [{name: 'http', port: 80}]),
      clusterIpService('v6only', 'fd00:10::1:0:0:5', [{name: 'dns', port: 53, protocol: 'UDP'}]),
      clusterIpService('portless', '10.96.0.40', []),
      clusterIpService('empty', '10.96.0.50', [{name: 'http', port: 80}]),
      slice('web', [ep('10.244.1.5'), ep('10.244.1.6', {ready: false})]),
    ],
    COREDNS_DEFAULTS,
  )

  it('answers A with the cluster IP, owner spelled as asked, TTL from settings', () => {
    const a = m.answer('web.default.svc.cluster.local', 'A')
    expect(a.rcode).to.equal('NOERROR')
    expect(a.answers).to.deep.equal([{name: 'web.default.svc.cluster.local.', type: 'A', ttl: 5, data: '10.96.0.20'}])
  })

  it('answers AAAA for an IPv4-only Service with NODATA', () => {
    const a = m.answer('web.default.svc.cluster.local.', 'AAAA')
    expect(a.rcode).to.equal('NOERROR')
    expect(a.answers).to.have.length(0)
  })

  it('dual-stack: one A and one AAAA from clusterIPs', () => {
    expect(data(m.answer('dual.default.svc.cluster.local', 'A'))).to.deep.equal(['10.96.0.30'])
    expect(data(m.answer('dual.default.svc.cluster.local', 'AAAA'))).to.deep.equal(['fd00::30'])
  })

  it('writes IPv6 answers in RFC 5952 form', () => {
    expect(data(m.answer('v6only.default.svc.cluster.local', 'AAAA'))).to.deep.equal(['fd00:10::1:0:0:5'])
  })

  it('SRV per named port with priority 0, weight floor(100/n) and the service as target', () => {
    const a = m.answer('_http._tcp.web.default.svc.cluster.local', 'SRV')
    expect(a.answers).to.deep.equal([{name: '_http._tcp.web.default.svc.cluster.local.', type: 'SRV', ttl: 5, data: '0 100 80 web.default.svc.cluster.local.'}])
    expect(data(m.answer('_dns._udp.v6only.default.svc.cluster.local', 'SRV'))).to.deep.equal(['0 100 53 v6only.default.svc.cluster.local.'])
  })

  it('bare-name SRV lists every port, unnamed ones included (CoreDNS extension)', () => {
    expect(data(m.answer('web.default.svc.cluster.local', 'SRV'))).to.deep.equal([
      '0 33 7000 web.default.svc.cluster.local.',
      '0 33 80 web.default.svc.cluster.local.',
      '0 33 9090 web.default.svc.cluster.local.',
    ])
  })

  it('dual-stack SRV: two backends before de-duplication give weight 50 and one record', () => {
    expect(data(m.answer('_http._tcp.dual.default.svc.cluster.local', 'SRV'))).to.deep.equal(['0 50 80 dual.default.svc.cluster.local.'])
  })

  it('an unknown port or protocol is NXDOMAIN', () => {
    expect(m.answer('_grpc._tcp.web.default.svc.cluster.local', 'SRV').rcode).to.equal('NXDOMAIN')
    expect(m.answer('_http._udp.web.default.svc.cluster.local', 'SRV').rcode).to.equal('NXDOMAIN')
  })

  it('port/proto names without underscores parse the same (stripUnderscore)', () => {
    expect(data(m.answer('http.tcp.web.default.svc.cluster.local', 'SRV'))).to.deep.equal(['0 100 80 web.default.svc.cluster.local.'])
  })

  it('A on a port name answers the cluster IP', () => {
    expect(data(m.answer('_http._tcp.web.default.svc.cluster.local', 'A'))).to.deep.equal(['10.96.0.20'])
  })

  it('a portless Service answers A but SRV is NODATA', () => {
    expect(data(m.answer('portless.default.svc.cluster.local', 'A'))).to.deep.equal(['10.96.0.40'])
    const srv = m.answer('portless.default.svc.cluster.local', 'SRV')
    expect(srv.rcode).to.equal('NOERROR')
    expect(srv.answers).to.have.length(0)
  })

  it('a ClusterIP Service with no endpoints still answers (endpoints are not consulted)', () => {
    expect(data(m.answer('empty.default.svc.cluster.local', 'A'))).to.deep.equal(['10.96.0.50'])
  })

  it('but with "ignore empty_service" it is NXDOMAIN', () => {
    const strict = model([clusterIpService('empty', '10.96.0.50')], {...COREDNS_DEFAULTS, ignoreEmptyService: true})
    expect(strict.answer('empty.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('endpoint names exist for ClusterIP Services too, ready endpoints only', () => {
    expect(data(m.answer('10-244-1-5.web.default.svc.cluster.local', 'A'))).to.deep.equal(['10.244.1.5'])
    expect(m.answer('10-244-1-6.web.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('PTR for a cluster IP names the Service in the primary zone', () => {
    const a = m.answer('20.0.96.10.in-addr.arpa.', 'PTR')
    expect(a.answers).to.deep.equal([{name: '20.0.96.10.in-addr.arpa.', type: 'PTR', ttl: 5, data: 'web.default.svc.cluster.local.'}])
  })

  it('PTR for an IPv6 cluster IP uses the nibble form', () => {
    const rev = '0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.'
    expect(data(m.answer(rev, 'PTR'))).to.deep.equal(['dual.default.svc.cluster.local.'])
  })

  it('types the name lacks are NODATA; names that do not exist are NXDOMAIN', () => {
    for (const t of ['TXT', 'MX', 'CNAME', 'PTR', 'NS', 'HINFO']) {
      const a = m.answer('web.default.svc.cluster.local', t)
      expect(a.rcode, t).to.equal('NOERROR')
      expect(a.answers, t).to.have.length(0)
    }
    expect(m.answer('nope.default.svc.cluster.local', 'TXT').rcode).to.equal('NXDOMAIN')
  })

  it('NodePort and LoadBalancer Services behave like ClusterIP', () => {
    const lb = model([service('lb', {type: 'LoadBalancer', clusterIP: '10.96.9.9', ports: [{name: 'http', port: 80, nodePort: 30080}]}), service('np', {type: 'NodePort', clusterIP: '10.96.9.8', ports: [{port: 80}]})], COREDNS_DEFAULTS)
    expect(data(lb.answer('lb.default.svc.cluster.local', 'A'))).to.deep.equal(['10.96.9.9'])
    expect(data(lb.answer('_http._tcp.lb.default.svc.cluster.local', 'SRV'))).to.deep.equal(['0 100 80 lb.default.svc.cluster.local.'])
    expect(data(lb.answer('np.default.svc.cluster.local', 'A'))).to.deep.equal(['10.96.9.8'])
  })
})

describe('dns model: headless Services (spec §2.4)', () => {
  const objects = [
    headless('db', [{name: 'pg', port: 5432}]),
    slice(
      'db',
      [ep('10.244.1.10', {hostname: 'db-0'}), ep('10.244.2.11', {hostname: 'db-1'}), ep('10.244.3.12'), ep('10.244.3.13', {ready: false, hostname: 'db-3'})],
      [{name: 'pg', port: 5432, protocol: 'TCP'}],
    ),
    headless('none-ready'),
    slice('none-ready', [ep('10.244.5.5', {ready: false})], [{name: '', port: 80, protocol: 'TCP'}]),
    headless('noports', []),
    slice('noports', [ep('10.244.6.6')], []),
  ]
  const m = model(objects, COREDNS_DEFAULTS)

  it('answers the ready endpoint IPs, not a cluster IP', () => {
    expect(data(m.answer('db.default.svc.cluster.local', 'A'))).to.deep.equal(['10.244.1.10', '10.244.2.11', '10.244.3.12'])
  })

  it('is NXDOMAIN when no endpoint is ready (spec: "should be NXDOMAIN")', () => {
    expect(m.answer('none-ready.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('per-endpoint names: hostname when set, else the dashed IP', () => {
    expect(data(m.answer('db-0.db.default.svc.cluster.local', 'A'))).to.deep.equal(['10.244.1.10'])
    expect(data(m.answer('10-244-3-12.db.default.svc.cluster.local', 'A'))).to.deep.equal(['10.244.3.12'])
    expect(m.answer('db-3.db.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('SRV: one per ready endpoint × named port, targets are endpoint names, weight floor(100/3)', () => {
    expect(data(m.answer('_pg._tcp.db.default.svc.cluster.local', 'SRV'))).to.deep.equal([
      '0 33 5432 10-244-3-12.db.default.svc.cluster.local.',
      '0 33 5432 db-0.db.default.svc.cluster.local.',
      '0 33 5432 db-1.db.default.svc.cluster.local.',
    ])
  })

  it('PTR for an endpoint IP names the endpoint', () => {
    expect(data(m.answer('10.1.244.10.in-addr.arpa', 'PTR'))).to.deep.equal(['db-0.db.default.svc.cluster.local.'])
  })

  it('PTR for a not-ready endpoint is NXDOMAIN without fallthrough', () => {
    expect(m.answer('13.3.244.10.in-addr.arpa', 'PTR').rcode).to.equal('NXDOMAIN')
  })

  it('a headless Service without ports answers A, and SRV with NODATA', () => {
    expect(data(m.answer('noports.default.svc.cluster.local', 'A'))).to.deep.equal(['10.244.6.6'])
    const srv = m.answer('noports.default.svc.cluster.local', 'SRV')
    expect([srv.rcode, srv.answers.length]).to.deep.equal(['NOERROR', 0])
  })

  it('SRV weight counts backends before de-duplication: 6 addresses × 1 port ⇒ 16', () => {
    const six = model([headless('six'), slice('six', [1, 2, 3, 4, 5, 6].map((i) => ep(`10.0.0.${i}`)))], COREDNS_DEFAULTS)
    const answers = data(six.answer('six.default.svc.cluster.local', 'SRV'))
    expect(answers).to.have.length(6)
    expect(answers.every((d) => d.startsWith('0 16 8080 '))).to.equal(true)
  })

  it('two endpoints sharing a hostname: one SRV, two addresses', () => {
    const dup = model([headless('dup'), slice('dup', [ep('10.0.0.1', {hostname: 'same'}), ep('10.0.0.2', {hostname: 'same'})])], COREDNS_DEFAULTS)
    expect(data(dup.answer('dup.default.svc.cluster.local', 'SRV'))).to.deep.equal(['0 50 8080 same.dup.default.svc.cluster.local.'])
    expect(data(dup.answer('same.dup.default.svc.cluster.local', 'A'))).to.deep.equal(['10.0.0.1', '10.0.0.2'])
  })

  it('A answers are de-duplicated by IP across slices and ports', () => {
    const two = model(
      [
        headless('two', [{name: 'a', port: 1}, {name: 'b', port: 2}]),
        slice('two', [ep('10.0.0.1')], [{name: 'a', port: 1, protocol: 'TCP'}, {name: 'b', port: 2, protocol: 'TCP'}], {name: 'two-1'}),
        slice('two', [ep('10.0.0.1')], [{name: 'a', port: 1, protocol: 'TCP'}], {name: 'two-2'}),
      ],
      COREDNS_DEFAULTS,
    )
    expect(data(two.answer('two.default.svc.cluster.local', 'A'))).to.deep.equal(['10.0.0.1'])
  })

  it('slices without the kubernetes.io/service-name label are never matched', () => {
    const unl = model([headless('unl'), slice('unl', [ep('10.0.0.1')], undefined, {label: false})], COREDNS_DEFAULTS)
    expect(unl.answer('unl.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('a missing ready condition counts as ready; terminating/serving are ignored', () => {
    const m2 = model([headless('h'), slice('h', [{addresses: ['10.0.0.9']}, {addresses: ['10.0.0.8'], conditions: {ready: true, terminating: true, serving: false}}])], COREDNS_DEFAULTS)
    expect(data(m2.answer('h.default.svc.cluster.local', 'A'))).to.deep.equal(['10.0.0.8', '10.0.0.9'])
  })

  it('IPv6 endpoints: AAAA answers and dashed names with a trailing 0', () => {
    const v6 = model([headless('six6'), slice('six6', [ep('2001:db8::1'), ep('2001:db8::')], undefined, {addressType: 'IPv6'})], COREDNS_DEFAULTS)
    expect(data(v6.answer('six6.default.svc.cluster.local', 'AAAA'))).to.deep.equal(['2001:db8::', '2001:db8::1'])
    expect(data(v6.answer('2001-db8--1.six6.default.svc.cluster.local', 'AAAA'))).to.deep.equal(['2001:db8::1'])
    expect(data(v6.answer('2001-db8--0.six6.default.svc.cluster.local', 'AAAA'))).to.deep.equal(['2001:db8::'])
    expect(v6.answer('six6.default.svc.cluster.local', 'A').answers).to.have.length(0)
  })

  it('endpoint_pod_names: the pod name (< 64 chars) replaces the dashed IP', () => {
    const objs = [headless('p'), slice('p', [ep('10.0.0.1', {targetRef: {kind: 'Pod', name: 'p-abc'}}), ep('10.0.0.2', {targetRef: {kind: 'Pod', name: 'x'.repeat(64)}})])]
    const named = model(objs, {...COREDNS_DEFAULTS, endpointPodNames: true})
    expect(data(named.answer('p-abc.p.default.svc.cluster.local', 'A'))).to.deep.equal(['10.0.0.1'])
    expect(data(named.answer('10-0-0-2.p.default.svc.cluster.local', 'A'))).to.deep.equal(['10.0.0.2'])
    const plain = model(objs, COREDNS_DEFAULTS)
    expect(plain.answer('p-abc.p.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('noendpoints: headless and endpoint names are NXDOMAIN', () => {
    const m3 = model(objects, {...COREDNS_DEFAULTS, noEndpoints: true})
    expect(m3.answer('db.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })
})

describe('dns model: PTR rules (CoreDNS reverse.go)', () => {
  it('a cluster IP wins over endpoints, and only one Service is returned when several share it', () => {
    const m = model(
      [clusterIpService('b', '10.96.0.7'), clusterIpService('a', '10.96.0.7'), headless('h'), slice('h', [ep('10.96.0.7')])],
      COREDNS_DEFAULTS,
    )
    expect(data(m.answer('7.0.96.10.in-addr.arpa', 'PTR'))).to.deep.equal(['a.default.svc.cluster.local.'])
  })

  it('one IP in two Services gives two PTRs; the same IP twice in one Service gives one', () => {
    const m = model(
      [headless('x'), headless('y'), slice('x', [ep('10.0.0.1')], undefined, {name: 'x-1'}), slice('x', [ep('10.0.0.1')], undefined, {name: 'x-2'}), slice('y', [ep('10.0.0.1')])],
      COREDNS_DEFAULTS,
    )
    expect(data(m.answer('1.0.0.10.in-addr.arpa', 'PTR'))).to.deep.equal(['10-0-0-1.x.default.svc.cluster.local.', '10-0-0-1.y.default.svc.cluster.local.'])
  })

  it('endpoints PTR without the Service object existing', () => {
    const m = model([slice('ghost', [ep('10.0.0.3')])], COREDNS_DEFAULTS)
    expect(data(m.answer('3.0.0.10.in-addr.arpa', 'PTR'))).to.deep.equal(['10-0-0-3.ghost.default.svc.cluster.local.'])
    expect(m.answer('ghost.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('unknown IPs are NXDOMAIN, or forwarded where the reverse zone falls through (kubeadm)', () => {
    expect(model([], COREDNS_DEFAULTS).answer('9.9.9.9.in-addr.arpa', 'PTR').rcode).to.equal('NXDOMAIN')
    const kubeadm = model([]).answer('9.9.9.9.in-addr.arpa', 'PTR')
    expect(kubeadm.rcode).to.equal(null)
    expect(kubeadm.forwarded).to.equal(true)
  })

  it('non-PTR questions in a reverse zone are NXDOMAIN; incomplete reverse names too', () => {
    const m = model([clusterIpService('w', '10.96.0.7')], COREDNS_DEFAULTS)
    expect(m.answer('7.0.96.10.in-addr.arpa', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('0.96.10.in-addr.arpa', 'PTR').rcode).to.equal('NXDOMAIN')
  })

  it('reverse names are matched case-insensitively; owners echo the question', () => {
    const m = model([clusterIpService('w', 'fd00::7')], COREDNS_DEFAULTS)
    const rev = '7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.D.F.IP6.ARPA.'
    expect(names(m.answer(rev, 'PTR'))).to.deep.equal([rev])
  })

  it('PTR targets use the primary (first) zone', () => {
    const m = model([clusterIpService('w', '10.96.0.7')], {...COREDNS_DEFAULTS, zones: ['k8s.example', 'cluster.local', 'in-addr.arpa'], clusterDomain: 'k8s.example'})
    expect(data(m.answer('7.0.96.10.in-addr.arpa', 'PTR'))).to.deep.equal(['w.default.svc.k8s.example.'])
    expect(data(m.answer('w.default.svc.cluster.local', 'A'))).to.deep.equal(['10.96.0.7'])
  })

  it('without reverse zones PTR questions leave the cluster (forwarded)', () => {
    const m = model([clusterIpService('w', '10.96.0.7')], {...COREDNS_DEFAULTS, zones: ['cluster.local']})
    expect(m.answer('7.0.96.10.in-addr.arpa', 'PTR').forwarded).to.equal(true)
  })
})

describe('dns model: ExternalName (spec §2.5 and CoreDNS)', () => {
  const m = model(
    [
      service('ext', {type: 'ExternalName', externalName: 'api.example.com'}),
      service('ipext', {type: 'ExternalName', externalName: '192.0.2.10'}),
      service('inner', {type: 'ExternalName', externalName: 'web.default.svc.cluster.local'}),
      service('dangling', {type: 'ExternalName', externalName: 'nothing.default.svc.cluster.local'}),
      service('self', {type: 'ExternalName', externalName: 'self.default.svc.cluster.local'}),
      clusterIpService('web', '10.96.0.20'),
    ],
    COREDNS_DEFAULTS,
  )

  it('CNAME question: the externalName with a trailing dot', () => {
    expect(m.answer('ext.default.svc.cluster.local', 'CNAME').answers).to.deep.equal([{name: 'ext.default.svc.cluster.local.', type: 'CNAME', ttl: 5, data: 'api.example.com.'}])
  })

  it('A question: the CNAME, with the target resolved upstream (forwarded)', () => {
    const a = m.answer('ext.default.svc.cluster.local', 'A')
    expect(a.rcode).to.equal('NOERROR')
    expect(a.answers.map((r) => r.type)).to.deep.equal(['CNAME'])
    expect(a.forwarded).to.equal(true)
  })

  it('an IP-literal externalName is NXDOMAIN', () => {
    expect(m.answer('ipext.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('ipext.default.svc.cluster.local', 'CNAME').rcode).to.equal('NXDOMAIN')
  })

  it('an in-zone target is chased inside the plugin', () => {
    const a = m.answer('inner.default.svc.cluster.local', 'A')
    expect(a.answers.map((r) => `${r.type} ${r.data}`)).to.deep.equal(['CNAME web.default.svc.cluster.local.', 'A 10.96.0.20'])
  })

  it('an in-zone target without records drops the CNAME (NODATA)', () => {
    const a = m.answer('dangling.default.svc.cluster.local', 'A')
    expect([a.rcode, a.answers.length]).to.deep.equal(['NOERROR', 0])
  })

  it('a CNAME to itself is suppressed', () => {
    expect(m.answer('self.default.svc.cluster.local', 'A').answers).to.have.length(0)
  })

  it('TXT is NODATA without the CNAME (kubernetes.go Services hands TXT nothing for a name that exists)', () => {
    const a = m.answer('ext.default.svc.cluster.local', 'TXT')
    expect([a.rcode, a.answers.length, a.forwarded]).to.deep.equal(['NOERROR', 0, undefined])
  })

  it('SRV is NODATA; endpoint and port sub-names are NXDOMAIN', () => {
    const srv = m.answer('ext.default.svc.cluster.local', 'SRV')
    expect([srv.rcode, srv.answers.length]).to.deep.equal(['NOERROR', 0])
    expect(m.answer('x.ext.default.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('_http._tcp.ext.default.svc.cluster.local', 'SRV').rcode).to.equal('NXDOMAIN')
  })
})

describe('dns model: name grammar, namespaces and NXDOMAIN vs NODATA (CoreDNS parse.go)', () => {
  const m = model([namespace('shop'), clusterIpService('web', '10.96.0.20', [{port: 80}], {namespace: 'shop'})], COREDNS_DEFAULTS)

  const cases: [string, string, string, number][] = [
    ['cluster.local', 'A', 'NOERROR', 0],
    ['svc.cluster.local', 'A', 'NOERROR', 0],
    ['pod.cluster.local', 'A', 'NOERROR', 0],
    ['shop.svc.cluster.local', 'A', 'NOERROR', 0],
    ['nosuchns.svc.cluster.local', 'A', 'NXDOMAIN', 0],
    ['web.nosuchns.svc.cluster.local', 'A', 'NXDOMAIN', 0],
    ['foo.cluster.local', 'A', 'NXDOMAIN', 0],
    ['web.shop.cluster.local', 'A', 'NXDOMAIN', 0],
    ['a.b.c.web.shop.svc.cluster.local', 'A', 'NXDOMAIN', 0],
    ['*.shop.svc.cluster.local', 'A', 'NXDOMAIN', 0],
    ['dns-version.cluster.local', 'A', 'NXDOMAIN', 0],
    ['dns-version.cluster.local', 'TXT', 'NOERROR', 1],
    ['web.shop.svc.cluster.local', 'SOA', 'NOERROR', 0],
    ['nothing.shop.svc.cluster.local', 'SOA', 'NOERROR', 0],
    ['cluster.local', 'SOA', 'NOERROR', 1],
    ['cluster.local', 'NS', 'NOERROR', 1],
  ]
  for (const [name, type, rcode, count] of cases) {
    it(`${name} ${type} ⇒ ${rcode}${rcode === 'NOERROR' ? (count ? ' with data' : ' (NODATA)') : ''}`, () => {
      const a = m.answer(name, type)
      expect(a.rcode).to.equal(rcode)
      expect(a.answers).to.have.length(count)
    })
  }

  it('dns-version TXT is "1.1.0" with TTL 28800', () => {
    expect(m.answer('dns-version.cluster.local', 'TXT').answers).to.deep.equal([{name: 'dns-version.cluster.local.', type: 'TXT', ttl: 28800, data: '1.1.0'}])
  })

  it('TXT elsewhere: NODATA for names with records of another type, NXDOMAIN for names without any (kubernetes.go Services)', () => {
    for (const [name, rcode] of [
      ['web.shop.svc.cluster.local', 'NOERROR'],
      ['cluster.local', 'NXDOMAIN'],
      ['svc.cluster.local', 'NXDOMAIN'],
      ['shop.svc.cluster.local', 'NXDOMAIN'],
      ['ns.dns.cluster.local', 'NXDOMAIN'],
      ['in-addr.arpa', 'NXDOMAIN'],
    ]) {
      const a = m.answer(name, 'TXT')
      expect([name, a.rcode, a.answers.length]).to.deep.equal([name, rcode, 0])
    }
  })

  it('SOA below the apex is NODATA in every zone, forward and reverse, without a lookup (handler.go)', () => {
    for (const name of ['nothing.svc.cluster.local', 'web.shop.svc.cluster.local', '1.2.3.4.in-addr.arpa', '10.in-addr.arpa']) {
      const a = m.answer(name, 'SOA')
      expect([name, a.rcode, a.answers.length, a.forwarded]).to.deep.equal([name, 'NOERROR', 0, undefined])
    }
  })

  it('SOA at the apex keeps the zone as asked (handler.go keeps the question\'s case)', () => {
    expect(m.answer('Cluster.LOCAL', 'SOA').answers[0]).to.include({name: 'Cluster.LOCAL.'})
    expect(m.answer('Cluster.LOCAL', 'SOA').answers[0].data).to.match(/^ns\.dns\.Cluster\.LOCAL\. hostmaster\.Cluster\.LOCAL\. /)
  })

  it('SOA at the apex names ns.dns.<zone> and hostmaster, TTL min(ttl, 300)', () => {
    const soa = m.answer('cluster.local', 'SOA').answers[0]
    expect(soa.data).to.match(/^ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/)
    expect(soa.ttl).to.equal(5)
  })

  it('matching is case-insensitive and answers echo the question spelling', () => {
    const a = m.answer('WeB.ShOp.SVC.Cluster.Local.', 'A')
    expect(a.answers).to.deep.equal([{name: 'WeB.ShOp.SVC.Cluster.Local.', type: 'A', ttl: 5, data: '10.96.0.20'}])
  })

  it('SRV targets keep the zone as asked and the API names of service and namespace', () => {
    const a = m.answer('WEB.SHOP.svc.CLUSTER.LOCAL', 'SRV')
    expect(data(a)).to.deep.equal(['0 100 80 web.shop.svc.CLUSTER.LOCAL.'])
  })

  it('names outside the cluster zones are forwarded, not predicted', () => {
    const a = m.answer('example.com.', 'A')
    expect(a).to.include({rcode: null, forwarded: true})
  })

  it('AXFR is REFUSED', () => {
    expect(m.answer('cluster.local', 'AXFR').rcode).to.equal('REFUSED')
  })

  it('objects in a namespace without a Namespace object are visible for file input', () => {
    const m2 = model([clusterIpService('web', '10.96.0.21', [{port: 80}], {namespace: 'implicit'})], COREDNS_DEFAULTS)
    expect(data(m2.answer('web.implicit.svc.cluster.local', 'A'))).to.deep.equal(['10.96.0.21'])
  })

  it('the namespaces option hides other namespaces (NXDOMAIN, PTR too)', () => {
    const m3 = model([namespace('shop'), clusterIpService('web', '10.96.0.20', [{port: 80}], {namespace: 'shop'})], {...COREDNS_DEFAULTS, namespaces: ['other']})
    expect(m3.answer('web.shop.svc.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m3.answer('20.0.96.10.in-addr.arpa', 'PTR').rcode).to.equal('NXDOMAIN')
  })

  it('fallthrough in forward zones turns NXDOMAIN into "forwarded"', () => {
    const m4 = model([], {...COREDNS_DEFAULTS, fallthrough: ['']})
    expect(m4.answer('nope.default.svc.cluster.local', 'A')).to.include({rcode: null, forwarded: true})
  })

  it('a custom cluster domain moves every name', () => {
    const m5 = model([clusterIpService('web', '10.96.0.20')], {...COREDNS_DEFAULTS, zones: ['corp.internal', 'in-addr.arpa'], clusterDomain: 'corp.internal'})
    expect(data(m5.answer('web.default.svc.corp.internal', 'A'))).to.deep.equal(['10.96.0.20'])
    expect(m5.answer('web.default.svc.cluster.local', 'A').forwarded).to.equal(true)
  })
})

describe('dns model: pod records (pods disabled|insecure|verified)', () => {
  const objects = [namespace('shop'), pod('p1', {namespace: 'shop', ip: '10.244.1.7', labels: {}}), pod('done', {namespace: 'shop', ip: '10.244.1.8', phase: 'Succeeded'})]

  it('disabled: every pod name is NXDOMAIN, pod.<zone> is NODATA', () => {
    const m = model(objects, {pods: 'disabled'})
    expect(m.answer('10-244-1-7.shop.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('shop.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('pod.cluster.local', 'A').rcode).to.equal('NOERROR')
  })

  it('insecure: any dashed IP in an existing namespace answers, pod or not', () => {
    const m = model(objects, {pods: 'insecure'})
    expect(data(m.answer('10-244-1-7.shop.pod.cluster.local', 'A'))).to.deep.equal(['10.244.1.7'])
    expect(data(m.answer('1-2-3-4.shop.pod.cluster.local', 'A'))).to.deep.equal(['1.2.3.4'])
    expect(m.answer('1-2-3-4.nope.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('not-an-ip.shop.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('shop.pod.cluster.local', 'A').rcode).to.equal('NOERROR')
  })

  it('insecure: IPv6 labels, and only the label left of the namespace counts', () => {
    const m = model(objects, {pods: 'insecure'})
    expect(data(m.answer('fd00--7.shop.pod.cluster.local', 'AAAA'))).to.deep.equal(['fd00::7'])
    expect(m.answer('fd00--7.shop.pod.cluster.local', 'A').answers).to.have.length(0)
    expect(data(m.answer('extra.10-244-1-7.shop.pod.cluster.local', 'A'))).to.deep.equal(['10.244.1.7'])
  })

  it('verified: only IPs of live pods in that namespace', () => {
    const m = model(objects, {pods: 'verified'})
    expect(data(m.answer('10-244-1-7.shop.pod.cluster.local', 'A'))).to.deep.equal(['10.244.1.7'])
    expect(m.answer('1-2-3-4.shop.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('10-244-1-8.shop.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
    expect(m.answer('10-244-1-7.default.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('verified: only status.podIP, compared as written (object/pod.go ToPod, kubernetes.go findPods)', () => {
    const m = model([namespace('shop'), pod('dual', {namespace: 'shop', ip: ['10.244.1.9', 'fd00:10:244:1::9']}), pod('v6', {namespace: 'shop', ip: 'fd00:10:244::a'})], {pods: 'verified'})
    expect(data(m.answer('10-244-1-9.shop.pod.cluster.local', 'A'))).to.deep.equal(['10.244.1.9'])
    // The second address of a dual-stack pod is not in CoreDNS's pod index.
    expect(m.answer('fd00-10-244-1--9.shop.pod.cluster.local', 'AAAA').rcode).to.equal('NXDOMAIN')
    expect(data(m.answer('fd00-10-244--a.shop.pod.cluster.local', 'AAAA'))).to.deep.equal(['fd00:10:244::a'])
    // The same address spelled another way is another text: no match.
    expect(m.answer('fd00-10-244-0--a.shop.pod.cluster.local', 'AAAA').rcode).to.equal('NXDOMAIN')
  })

  it('verified: a pod that started terminating is still known (object/informer.go skips the update)', () => {
    const m = model([namespace('shop'), pod('leaving', {namespace: 'shop', ip: '10.244.1.10', terminating: true})], {pods: 'verified'})
    expect(data(m.answer('10-244-1-10.shop.pod.cluster.local', 'A'))).to.deep.equal(['10.244.1.10'])
  })

  it('SRV on a pod name: one record, port 0, target <label>.<ns>.pod.<zone as asked> (backend_lookup.go SRV)', () => {
    const m = model(objects, {pods: 'insecure'})
    expect(m.answer('1-2-3-4.SHOP.pod.Cluster.Local', 'SRV').answers).to.deep.equal([{name: '1-2-3-4.SHOP.pod.Cluster.Local.', type: 'SRV', ttl: 30, data: '0 100 0 1-2-3-4.shop.pod.Cluster.Local.'}])
    expect(m.answer('x.1-2-3-4.shop.pod.cluster.local', 'SRV').answers.map((r) => r.data)).to.deep.equal(['0 100 0 1-2-3-4.shop.pod.cluster.local.'])
    expect(m.answer('a.b.c.1-2-3-4.shop.pod.cluster.local', 'A').rcode).to.equal('NXDOMAIN')
  })
})

describe('dns model: NS and ns.dns.<zone> (CoreDNS ns.go nsAddrs)', () => {
  const dns = [
    namespace('kube-system'),
    clusterIpService('kube-dns', '10.96.0.10', [{name: 'dns', port: 53, protocol: 'UDP'}], {namespace: 'kube-system', selector: {'k8s-app': 'kube-dns'}}),
    slice('kube-dns', [ep('10.244.0.3')], [{name: 'dns', port: 53, protocol: 'UDP'}], {namespace: 'kube-system'}),
  ]

  it('with CoreDNS behind kube-dns: NS names kube-dns in the zone as asked, ns.dns.<zone> has its cluster IP', () => {
    const m = model(dns)
    expect(m.answer('cluster.local', 'NS').answers.map((r) => r.data)).to.deep.equal(['kube-dns.kube-system.svc.cluster.local.'])
    expect(m.answer('in-addr.arpa', 'NS').answers.map((r) => r.data)).to.deep.equal(['kube-dns.kube-system.svc.in-addr.arpa.'])
    // handler.go compares the lower-cased name with the zone as asked: an apex spelled with capitals is NODATA.
    expect([m.answer('Cluster.Local', 'NS').rcode, m.answer('Cluster.Local', 'NS').answers.length]).to.deep.equal(['NOERROR', 0])
    expect(data(m.answer('ns.dns.cluster.local', 'A'))).to.deep.equal(['10.96.0.10'])
    expect([m.answer('ns.dns.cluster.local', 'SRV').rcode, m.answer('ns.dns.cluster.local', 'SRV').answers.length]).to.deep.equal(['NOERROR', 0])
    // isDefaultNS compares the lower-cased name with the zone as asked.
    expect(m.answer('ns.dns.Cluster.Local', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('with bind: no records at all, CoreDNS does not know its own address (kubernetes/local.go boundIPs)', () => {
    const m = model(dns, {bound: true})
    expect([m.answer('cluster.local', 'NS').rcode, m.answer('cluster.local', 'NS').answers.length]).to.deep.equal(['NOERROR', 0])
    expect([m.answer('ns.dns.cluster.local', 'A').rcode, m.answer('ns.dns.cluster.local', 'A').answers.length]).to.deep.equal(['NOERROR', 0])
  })

  it('without: NS is ns.dns.<zone>, whose addresses are the machine\'s own and not predicted', () => {
    const m = model([])
    expect(m.answer('cluster.local', 'NS').answers.map((r) => r.data)).to.deep.equal(['ns.dns.cluster.local.'])
    expect(m.answer('ns.dns.cluster.local', 'A').rcode).to.equal(null)
  })
})

describe('dns model: the cache plugin in front (CoreDNS cache.go WriteMsg)', () => {
  const objects = [namespace('shop'), clusterIpService('web', '10.96.0.20', [{port: 80}], {namespace: 'shop'})]

  it('kubeadm: every record of an answer gets its lowest TTL clamped to 30, also where storing is disabled', () => {
    const m = model(objects)
    expect(m.answer('dns-version.cluster.local', 'TXT').answers[0].ttl).to.equal(30)
    expect(m.answer('web.shop.svc.cluster.local', 'A').cached).to.equal(undefined)
    const ptr = m.answer('20.0.96.10.in-addr.arpa', 'PTR')
    expect([ptr.answers[0].ttl, ptr.cached]).to.deep.equal([30, true])
  })

  it('a TTL below the cache minimum is raised to it (5 s by default)', () => {
    const m = model(objects, {ttl: 0, cache: {zones: [''], successTtl: 30, minSuccessTtl: 5, denialTtl: 30, minDenialTtl: 5, disableSuccess: [], disableDenial: []}})
    expect(m.answer('web.shop.svc.cluster.local', 'A').answers[0].ttl).to.equal(5)
  })
})
