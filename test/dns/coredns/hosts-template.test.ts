// The hosts and template plugins rule by rule, as plugin/hosts and plugin/template (CoreDNS 1.14.7) implement them.
import {expect} from 'chai'
import {CorefileError} from '../../../src/dns/corefile.js'
import {clusterIpService, corefileModel, namespace} from '../../support/objects.js'

const objects = [namespace('default'), clusterIpService('web', '10.96.0.20')]
const block = (plugins: string, kube = true) => `.:53 {\n${plugins}\n${kube ? '  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    fallthrough in-addr.arpa ip6.arpa\n  }\n' : ''}  forward . 10.0.0.53\n}\n`

describe('coredns hosts (plugin/hosts)', () => {
  const m = corefileModel(
    block('  hosts /etc/coredns/NodeHosts {\n    192.0.2.9 inline.internal\n    ttl 60\n    fallthrough\n  }'),
    objects,
    {NodeHosts: '192.0.2.10 node-a node-a.internal # a comment\n2001:db8::10 node-a\n192.0.2.11 *.wild.internal\n10.96.0.99 web.default.svc.cluster.local\n'},
  )

  it('answers A and AAAA from the file and inline entries, owner lower-cased, with its ttl (hostsfile.go, hosts.go a/aaaa)', () => {
    expect(m.answer('NODE-A.', 'A')).to.deep.include({rcode: 'NOERROR', answers: [{name: 'node-a.', type: 'A', ttl: 60, data: '192.0.2.10'}]})
    expect(m.answer('node-a.', 'AAAA').answers).to.deep.equal([{name: 'node-a.', type: 'AAAA', ttl: 60, data: '2001:db8::10'}])
    expect(m.answer('inline.internal.', 'A').answers.map((r) => r.data)).to.deep.equal(['192.0.2.9'])
    expect(m.answer('node-a.', 'A').route).to.deep.equal({server: '.:53', plugins: ['hosts']})
  })

  it('a name with entries of the other kind only, or asked another type, is NODATA (otherRecordsExist)', () => {
    expect(m.answer('inline.internal.', 'AAAA')).to.deep.include({rcode: 'NOERROR', answers: []})
    expect(m.answer('node-a.', 'MX')).to.deep.include({rcode: 'NOERROR', answers: []})
  })

  it('a name it does not have falls through to the next plugin with fallthrough; a hosts entry shadows a Service name', () => {
    const a = m.answer('nothing.internal.', 'A')
    expect([a.rcode, a.route?.plugins]).to.deep.equal([null, ['forward']])
    expect(m.answer('web.default.svc.cluster.local.', 'A').answers.map((r) => r.data)).to.deep.equal(['10.96.0.99'])
  })

  it('wildcard entries answer one label below them (wildcard.go replaceWithAsteriskLabel)', () => {
    expect(m.answer('x.wild.internal.', 'A').answers.map((r) => `${r.name} ${r.data}`)).to.deep.equal(['x.wild.internal. 192.0.2.11'])
    expect(m.answer('a.b.wild.internal.', 'A').rcode).to.equal(null)
  })

  it('PTR from the addresses (auto reverse), whatever the origins; an unknown address goes on regardless of fallthrough', () => {
    expect(m.answer('10.2.0.192.in-addr.arpa.', 'PTR').answers.map((r) => r.data)).to.deep.equal(['node-a.', 'node-a.internal.'])
    expect(m.answer('77.2.0.192.in-addr.arpa.', 'PTR').route?.plugins).to.deep.equal(['kubernetes', 'forward'])
  })

  it('without fallthrough a name it does not have is SERVFAIL (no SOA for an NXDOMAIN)', () => {
    const strict = corefileModel(block('  hosts {\n    192.0.2.9 only.internal\n  }'), objects)
    expect(strict.answer('other.internal.', 'A').rcode).to.equal('SERVFAIL')
    expect(strict.answer('web.default.svc.cluster.local.', 'A').rcode).to.equal('SERVFAIL')
  })

  it("without a path it reads the container's /etc/hosts, which kubelet writes (localhost lines), TTL 3600 by default", () => {
    const plain = corefileModel(block('  hosts {\n    fallthrough\n  }'), objects)
    expect(plain.answer('localhost.', 'A').answers).to.deep.equal([{name: 'localhost.', type: 'A', ttl: 3600, data: '127.0.0.1'}])
    expect(plain.answer('ip6-localhost.', 'AAAA').answers.map((r) => r.data)).to.deep.equal(['::1'])
  })

  it('origins limit the names it serves; names outside pass on', () => {
    const zoned = corefileModel(block('  hosts /etc/hosts internal {\n    192.0.2.9 a.internal b.example\n  }'), objects, {hosts: ''})
    expect(zoned.answer('a.internal.', 'A').rcode).to.equal('NOERROR')
    expect(zoned.answer('b.example.', 'A').route?.plugins).to.deep.equal(['forward'])
  })

  it('a file kdisco was not given makes its answers not predicted', () => {
    const unknown = corefileModel(block('  hosts /etc/coredns/Missing {\n    fallthrough\n  }'), objects)
    const a = unknown.answer('node-a.', 'A')
    expect([a.rcode, a.route?.plugins]).to.deep.equal([null, ['hosts']])
  })

  it('the cache in front clamps its TTL (cache.go: the answer\'s lowest TTL, capped)', () => {
    const cached = corefileModel(block('  hosts {\n    192.0.2.9 c.internal\n    fallthrough\n  }\n  cache 30'), objects)
    expect(cached.answer('c.internal.', 'A')).to.deep.include({answers: [{name: 'c.internal.', type: 'A', ttl: 30, data: '192.0.2.9'}], cached: true})
  })

  it('refuses a second hosts in a block and fallthrough_unsupported without fallthrough', () => {
    expect(() => corefileModel(block('  hosts {\n    fallthrough_unsupported\n  }'), objects).coreDns()).to.throw(CorefileError, /requires fallthrough/)
  })
})

describe('coredns template (plugin/template)', () => {
  const m = corefileModel(
    block(
      [
        '  template IN AAAA example.org {',
        '    rcode NXDOMAIN',
        '  }',
        '  template IN A svc.internal {',
        '    match "^(?P<svc>[a-z0-9-]+)\\.(?P<ns>[a-z0-9-]+)\\.svc\\.internal\\.$"',
        '    answer "{{ .Name }} 60 IN CNAME {{ .Group.svc }}.{{ .Group.ns }}.svc.cluster.local."',
        '    fallthrough',
        '  }',
        '  template ANY TXT tx.internal {',
        '    match ^(\\w+)\\.tx\\.internal\\.$',
        '    answer "{{ .Name }} 45 IN TXT \\"{{ index .Match 1 }} in {{ .Zone }} for {{ .Type }}\\""',
        '  }',
      ].join('\n'),
    ),
    objects,
  )

  it('a template for a type answers its rcode for every name of its zones (template.go ServeDNS)', () => {
    const a = m.answer('api.example.org.', 'AAAA')
    expect([a.rcode, a.answers, a.route?.plugins]).to.deep.equal(['NXDOMAIN', [], ['template']])
    expect(m.answer('api.example.org.', 'A').route?.plugins).to.deep.equal(['forward'])
  })

  it('answers are rendered from the match: .Name, .Group, index .Match, .Zone, .Type', () => {
    expect(m.answer('a1.tx.internal.', 'TXT').answers).to.deep.equal([{name: 'a1.tx.internal.', type: 'TXT', ttl: 45, data: 'a1 in tx.internal. for TXT'}])
  })

  it('a CNAME answer to an A question is followed through the whole server (upstream.Lookup)', () => {
    const a = m.answer('web.default.svc.internal.', 'A')
    expect(a.answers).to.deep.equal([
      {name: 'web.default.svc.internal.', type: 'CNAME', ttl: 60, data: 'web.default.svc.cluster.local.'},
      {name: 'web.default.svc.cluster.local.', type: 'A', ttl: 5, data: '10.96.0.20'},
    ])
  })

  it('no match with fallthrough goes on; no match without it is SERVFAIL (match: fthrough false)', () => {
    expect(m.answer('a.b.c.svc.internal.', 'A').route?.plugins).to.deep.equal(['forward'])
    expect(m.answer('not-a-word!.tx.internal.', 'TXT').rcode).to.equal('SERVFAIL')
  })

  it('a template action kdisco does not evaluate makes the answer not predicted', () => {
    const odd = corefileModel(block('  template IN A odd.internal {\n    answer "{{ .Name }} 60 IN A {{ .Meta \\"x\\" }}"\n  }'), objects)
    expect(odd.answer('a.odd.internal.', 'A').rcode).to.equal(null)
  })

  it('rcode SERVFAIL is returned without a reply, which the server writes', () => {
    const sf = corefileModel(block('  template IN A sf.internal {\n    rcode SERVFAIL\n  }'), objects)
    expect(sf.answer('a.sf.internal.', 'A')).to.deep.include({rcode: 'SERVFAIL', answers: []})
  })

  it('refuses an unknown class, type or rcode, naming the line', () => {
    expect(() => corefileModel(block('  template XX A z {\n  }'), objects).coreDns()).to.throw(CorefileError, /Corefile:2: template: invalid query class/)
    expect(() => corefileModel(block('  template IN A z {\n    rcode MAYBE\n  }'), objects).coreDns()).to.throw(CorefileError, /unknown rcode/)
  })
})
