// The reply path never crashes and never hangs on random or mutated packets (seeded, bounded: 100k inputs).
import {expect} from 'chai'
import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import {compareAnswer} from '../../src/compare/verdict.js'
import {decodeReply, observedReply} from '../../src/probe/wire.js'

const valid = dnsPacket.encode({
  type: 'response',
  id: 7,
  flags: dnsPacket.AUTHORITATIVE_ANSWER,
  questions: [{type: 'SRV', name: 'web.default.svc.cluster.local'}],
  answers: [
    {type: 'SRV', name: 'web.default.svc.cluster.local', ttl: 30, data: {priority: 0, weight: 50, port: 80, target: 'a.web.default.svc.cluster.local'}},
    {type: 'A', name: 'a.web.default.svc.cluster.local', ttl: 30, data: '10.0.0.1'},
    {type: 'TXT', name: 'x', ttl: 30, data: ['hi']},
  ],
})

describe('probe: fuzzing the DNS reply path', function () {
  this.timeout(120000)
  it('decodes the real packet', () => {
    const o = observedReply(decodeReply(valid), 'fuzz')
    expect(o.answers.map((a) => `${a.type} ${a.data}`)).to.deep.equal(['SRV 0 50 80 a.web.default.svc.cluster.local.', 'A 10.0.0.1', 'TXT hi'])
  })

  it('100k random and mutated replies: decode throws an Error or yields an observation the comparison accepts', () => {
    const expected = {rcode: 'NOERROR' as const, answers: [{name: 'web.default.svc.cluster.local.', type: 'SRV', ttl: 30, data: '0 50 80 a.web.default.svc.cluster.local.'}]}
    const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), {maxLength: 8}), fc.oneof(fc.constant(valid.length), fc.nat(valid.length))).map(([edits, cut]) => {
      const b = Buffer.from(valid)
      for (const [i, v] of edits) b[i] = v
      return b.subarray(0, Math.max(cut, 12))
    })
    const random = fc.uint8Array({maxLength: 600}).map((a) => Buffer.from(a))
    let decoded = 0
    const started = Date.now()
    fc.assert(
      fc.property(fc.oneof(mutated, random), (buf) => {
        let o
        try {
          o = observedReply(decodeReply(buf), 'fuzz')
        } catch (error) {
          expect(error).to.be.instanceOf(Error)
          return
        }
        decoded++
        const v = compareAnswer('web.default.svc.cluster.local.', expected, o)
        expect(['match', 'missing', 'unexpected', 'rcode', 'error']).to.include(v.status)
      }),
      {seed: 1035, numRuns: 100000},
    )
    expect(decoded).to.be.greaterThan(1000)
    expect(Date.now() - started).to.be.below(100000)
  })
})
