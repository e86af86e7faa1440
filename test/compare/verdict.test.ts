// The comparison's rules, one by one: answers compare as sets, names and data case-insensitively, TTLs never;
// SRV priority/weight only with --strict; SOA by its two names; forwarded CNAMEs by the records the name owns.
import {expect} from 'chai'
import {type Expected, type Observed, compareAnswer} from '../../src/compare/verdict.js'

const rr = (type: string, data: string, name = 'web.default.svc.cluster.local.', ttl = 30) => ({name, type, ttl, data})
const seen = (answers: ReturnType<typeof rr>[], rcode = 'NOERROR'): Observed => ({rcode, answers, via: 'test'})
const want = (answers: ReturnType<typeof rr>[], rcode: Expected['rcode'] = 'NOERROR'): Expected => ({rcode, answers})
const Q = 'web.default.svc.cluster.local.'

describe('compare: one answer against its expectation', () => {
  it('answers are sets: order, duplicates, TTL and letter case do not matter', () => {
    const v = compareAnswer(Q, want([rr('A', '10.0.0.1'), rr('A', '10.0.0.2'), rr('PTR', 'Web.Default.svc.cluster.local.')]), seen([rr('PTR', 'web.default.svc.cluster.local.', Q, 5), rr('A', '10.0.0.2'), rr('A', '10.0.0.1'), rr('A', '10.0.0.1')]))
    expect(v).to.deep.equal({status: 'match', missing: [], unexpected: [], notes: []})
  })

  it('names what is missing and what is unexpected, sorted; missing wins the status', () => {
    const v = compareAnswer(Q, want([rr('A', '10.0.0.3'), rr('A', '10.0.0.1')]), seen([rr('A', '10.0.0.9'), rr('A', '10.0.0.1'), rr('A', '10.0.0.10')]))
    expect(v).to.deep.equal({status: 'missing', missing: ['A 10.0.0.3'], unexpected: ['A 10.0.0.10', 'A 10.0.0.9'], notes: []})
    expect(compareAnswer(Q, want([rr('A', '10.0.0.1')]), seen([rr('A', '10.0.0.1'), rr('AAAA', 'fd00::1')])).status).to.equal('unexpected')
  })

  it('SRV priority and weight differences are a note without --strict and a mismatch with it', () => {
    const e = want([rr('SRV', '0 50 80 a.web.default.svc.cluster.local.'), rr('SRV', '0 50 80 b.web.default.svc.cluster.local.')])
    const o = seen([rr('SRV', '10 100 80 A.web.default.svc.cluster.local.'), rr('SRV', '10 100 80 b.web.default.svc.cluster.local.')])
    const lax = compareAnswer(Q, e, o)
    expect(lax.status).to.equal('match')
    expect(lax.notes).to.deep.equal(['SRV priority/weight differ (expected 0 50, observed 10 100); not a failure without --strict'])
    const strict = compareAnswer(Q, e, o, {strict: true})
    expect(strict.status).to.equal('missing')
    expect(strict.missing).to.deep.equal(['SRV 0 50 80 a.web.default.svc.cluster.local.', 'SRV 0 50 80 b.web.default.svc.cluster.local.'])
    // A port or target difference is a mismatch either way.
    expect(compareAnswer(Q, e, seen([rr('SRV', '0 50 81 a.web.default.svc.cluster.local.'), rr('SRV', '0 50 80 b.web.default.svc.cluster.local.')])).missing).to.deep.equal(['SRV 80 a.web.default.svc.cluster.local.'])
  })

  it('SOA compares by its primary server and mailbox, not the serial or timers', () => {
    const e = want([rr('SOA', 'ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30', 'cluster.local.')], 'NXDOMAIN')
    const o = seen([rr('SOA', 'ns.dns.cluster.local.  Hostmaster.cluster.local. 1700000000 7200 1800 86400 5', 'cluster.local.')], 'NXDOMAIN')
    expect(compareAnswer('x.cluster.local.', e, o).status).to.equal('match')
    expect(compareAnswer('x.cluster.local.', e, seen([rr('SOA', 'other. hostmaster.cluster.local. 1 2 3 4 5', 'cluster.local.')], 'NXDOMAIN')).status).to.equal('missing')
  })

  it('rcode, errors, upstream answers and unprobed questions', () => {
    expect(compareAnswer(Q, want([rr('A', '10.0.0.1')]), seen([], 'NXDOMAIN'))).to.deep.include({status: 'rcode', notes: ['expected NOERROR, got NXDOMAIN']})
    expect(compareAnswer(Q, want([]), seen([], 'SERVFAIL')).status).to.equal('error')
    expect(compareAnswer(Q, want([]), {rcode: null, answers: [], via: 't', error: 'timeout'}).notes).to.deep.equal(['timeout'])
    expect(compareAnswer(Q, want([], null), seen([])).status).to.equal('unprobed')
    expect(compareAnswer(Q, want([]), undefined).status).to.equal('unprobed')
  })

  it('a forwarded CNAME is judged by the records the question owns, not by what upstream added', () => {
    const e: Expected = {rcode: 'NOERROR', answers: [rr('CNAME', 'example.com.', 'ext.default.svc.cluster.local.')], forwarded: true}
    const o = seen([rr('CNAME', 'example.com.', 'EXT.default.svc.cluster.local.'), rr('A', '93.184.216.34', 'example.com.')])
    expect(compareAnswer('ext.default.svc.cluster.local', e, o).status).to.equal('match')
  })
})
