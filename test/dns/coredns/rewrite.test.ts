// The rewrite plugin rule by rule, as plugin/rewrite (CoreDNS 1.14.7) implements it.
import {expect} from 'chai'
import {CorefileError} from '../../../src/dns/corefile.js'
import {clusterIpService, corefileModel, namespace} from '../../support/objects.js'

const corefile = (rules: string) => `.:53 {\n${rules}\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods insecure\n    fallthrough in-addr.arpa ip6.arpa\n  }\n  forward . 10.0.0.53\n}\n`
const objects = [namespace('default'), namespace('prod'), clusterIpService('web', '10.96.0.20', [{name: 'http', port: 80}]), clusterIpService('api', '10.96.0.21', [{name: 'http', port: 80}], {namespace: 'prod'})]
const m = (rules: string) => corefileModel(corefile(rules), objects)

describe('coredns rewrite (plugin/rewrite)', () => {
  it('exact: two arguments are an exact rule, normalized to lower case with a dot, and always map the answer back (name.go newExactNameRule: auto)', () => {
    const a = m('  rewrite name Legacy.Example web.default.svc.cluster.local').answer('legacy.example.', 'A')
    expect(a.rcode).to.equal('NOERROR')
    expect(a.answers).to.deep.equal([{name: 'legacy.example.', type: 'A', ttl: 5, data: '10.96.0.20'}])
    expect(a.route).to.deep.include({server: '.:53', plugins: ['rewrite', 'kubernetes'], rewritten: 'web.default.svc.cluster.local.'})
  })

  it('exact: the answer goes back to the asked name lower-cased (rewrite.go keeps request.Name(), which lower-cases)', () => {
    const a = m('  rewrite name exact legacy.example. web.default.svc.cluster.local.').answer('LEGACY.Example.', 'A')
    expect(a.answers.map((r) => r.name)).to.deep.equal(['legacy.example.'])
  })

  it('prefix: the pattern is normalized like a name, so "legacy" matches only a first label "legacy" (plugin.Name.Normalize adds the dot)', () => {
    const model = m('  rewrite name prefix legacy web')
    const a = model.answer('legacy.default.svc.cluster.local.', 'A')
    // No answer auto: the records keep the rewritten owner, which a client does not expect.
    expect(a.answers).to.deep.equal([{name: 'web.default.svc.cluster.local.', type: 'A', ttl: 5, data: '10.96.0.20'}])
    expect(model.answer('legacyweb.default.svc.cluster.local.', 'A').rcode).to.equal('NXDOMAIN')
  })

  it('prefix with answer auto: owners under the rewritten name map back (remapStringRewriter)', () => {
    const a = m('  rewrite name prefix legacy web answer auto').answer('legacy.default.svc.cluster.local.', 'SRV')
    expect(a.answers).to.deep.equal([{name: 'legacy.default.svc.cluster.local.', type: 'SRV', ttl: 5, data: '0 100 80 legacy.default.svc.cluster.local.'}])
  })

  it('suffix with answer auto: the suffixes swap back in names and values (newSuffixNameRule)', () => {
    const model = m('  rewrite name suffix .corp.example. .svc.cluster.local. answer auto')
    expect(model.answer('api.prod.corp.example.', 'A').answers).to.deep.equal([{name: 'api.prod.corp.example.', type: 'A', ttl: 5, data: '10.96.0.21'}])
    expect(model.answer('api.prod.corp.example.', 'SRV').answers[0].data).to.equal('0 100 80 api.prod.corp.example.')
  })

  it('substring replaces every occurrence (strings.ReplaceAll)', () => {
    const a = m('  rewrite name substring .internal. .svc.cluster.local. answer auto').answer('web.default.internal.', 'A')
    expect(a.answers.map((r) => r.data)).to.deep.equal(['10.96.0.20'])
  })

  it('regex: groups fill {n} in a replacement normalized first; answer auto maps back', () => {
    const a = m('  rewrite name regex ^(.+)\\.(.+)\\.apps\\.example\\.$ {1}.{2}.svc.cluster.local. answer auto').answer('api.prod.apps.example.', 'A')
    expect(a.answers).to.deep.equal([{name: 'api.prod.apps.example.', type: 'A', ttl: 5, data: '10.96.0.21'}])
    expect(a.route?.rewritten).to.equal('api.prod.svc.cluster.local.')
  })

  it('answer name FROM TO rewrites owners by a regex on the way back; answer value rewrites targets', () => {
    const a = m('  rewrite name regex ^x-(.+)\\.example\\.$ {1}.default.svc.cluster.local. answer name ^(.+)\\.default\\.svc\\.cluster\\.local\\.$ x-{1}.example. answer value ^(.+)\\.default\\.svc\\.cluster\\.local\\.$ x-{1}.example.').answer('x-web.example.', 'SRV')
    expect(a.answers).to.deep.equal([{name: 'x-web.example.', type: 'SRV', ttl: 5, data: '0 100 80 x-web.example.'}])
  })

  it('stop (the default) ends the rules at the first that matches; continue lets later rules see the rewritten name', () => {
    const stop = m('  rewrite name exact a.example. b.example.\n  rewrite name exact b.example. web.default.svc.cluster.local.')
    expect(stop.answer('a.example.', 'A').route?.plugins).to.deep.equal(['rewrite', 'forward'])
    const cont = m('  rewrite continue name exact a.example. b.example.\n  rewrite name exact b.example. web.default.svc.cluster.local.')
    const a = cont.answer('a.example.', 'A')
    expect(a.answers).to.deep.equal([{name: 'a.example.', type: 'A', ttl: 5, data: '10.96.0.20'}])
  })

  it('type rules change the question type; the answer is the new type\'s (type.go)', () => {
    const a = m('  rewrite type MX SRV').answer('web.default.svc.cluster.local.', 'MX')
    expect(a.answers.map((r) => r.type)).to.deep.equal(['SRV'])
    expect(a.route?.rewritten).to.equal('web.default.svc.cluster.local. SRV')
  })

  it('a continue rule without response rules leaves the rewritten question in the reply (rewrite.go ServeDNS), which kdisco notes', () => {
    const a = m('  rewrite continue name suffix .alias. .cluster.local.').answer('web.default.svc.alias.', 'A')
    expect(a.answers.map((r) => r.name)).to.deep.equal(['web.default.svc.cluster.local.'])
    expect(a.notes?.join(' ')).to.match(/rewritten question section/)
  })

  it('a rewrite to an invalid name is SERVFAIL (dns.IsDomainName after the rule)', () => {
    const a = m('  rewrite name regex ^(.+)\\.long\\.$ {1}{1}{1}{1}{1}.svc.cluster.local.').answer(`${'a'.repeat(20)}.long.`, 'A')
    expect(a.rcode).to.equal('SERVFAIL')
    expect(a.answers).to.deep.equal([])
  })

  it('rules that do not match leave the question alone and the route without rewrite', () => {
    expect(m('  rewrite name exact a.example. b.example.').answer('web.default.svc.cluster.local.', 'A').route?.plugins).to.deep.equal(['kubernetes'])
  })

  it('the block form flattens its lines into one rule (setup.go rewriteParse)', () => {
    const a = m('  rewrite stop {\n    name regex ^(.+)\\.blk\\.$ {1}.default.svc.cluster.local.\n    answer auto\n  }').answer('web.blk.', 'A')
    expect(a.answers).to.deep.equal([{name: 'web.blk.', type: 'A', ttl: 5, data: '10.96.0.20'}])
  })

  it('refuses what CoreDNS refuses to start with, naming the line', () => {
    expect(() => m('  rewrite answer name a b').coreDns()).to.throw(CorefileError, /Corefile:2: rewrite: response rewrites must begin with a name rule/)
    expect(() => m('  rewrite name regex ^(a)$ {1}{2}.example.').coreDns()).to.throw(CorefileError, /uses more groups/)
    expect(() => m('  rewrite name prefix a b answer auto answer name x y').coreDns()).to.throw(CorefileError, /cannot be combined/)
    expect(() => m('  rewrite name fuzzy a b').coreDns()).to.throw(CorefileError, /exact, prefix, suffix, substring or regex/)
  })

  it('ttl, cname and rcode rules are not modelled: an answer they touch is not predicted', () => {
    const model = m('  rewrite ttl web.default.svc.cluster.local. 15')
    expect(model.answer('web.default.svc.cluster.local.', 'A').rcode).to.equal(null)
    expect(model.answer('api.prod.svc.cluster.local.', 'A').rcode).to.equal('NOERROR')
  })
})
