// kdisco's DNS wire codec against an independent implementation (dns-packet): queries it encodes decode as meant,
// and any reply dns-packet encodes decodes to the same records. Compressed names are checked by hand here and
// against NSD's real replies in server-probe.test.ts.
import {expect} from 'chai'
import dnsPacket from 'dns-packet'
import fc from 'fast-check'
import {canonicalIp} from '../../src/dns/ip.js'
import {decodeReply, EDNS_PAYLOAD, encodeQuery, takeTcpMessages, tcpFrame} from '../../src/probe/wire.js'

type Answer = dnsPacket.Answer & {data?: unknown; ttl?: number}

// The reference: dns-packet's decoding, spelled as kdisco presents records.
function referenceData(a: Answer): string {
  const d = a.data as never as Record<string, unknown> & string & unknown[]
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return canonicalIp(String(d))!
    case 'SRV':
      return `${d.priority} ${d.weight} ${d.port} ${d.target}.`
    case 'MX':
      return `${d.preference} ${d.exchange}.`
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return `${d}.`
    case 'TXT':
      return d.map((x) => Buffer.from(x as Buffer).toString('utf8')).join('')
    case 'SOA':
      return `${d.mname}. ${d.rname}. ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`
    default:
      throw new Error(`no reference for ${a.type}`)
  }
}

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/)
const name = fc.array(label, {minLength: 1, maxLength: 5}).map((ls) => ls.join('.'))
const octet = fc.integer({min: 0, max: 255})
const u16 = fc.integer({min: 0, max: 0xffff})
const u32 = fc.integer({min: 0, max: 0xffffffff})
const record = fc.oneof(
  fc.record({type: fc.constant('A'), data: fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'))}),
  fc.record({type: fc.constant('AAAA'), data: fc.array(u16, {minLength: 8, maxLength: 8}).map((g) => g.map((x) => x.toString(16)).join(':'))}),
  fc.record({type: fc.constant('SRV'), data: fc.record({priority: u16, weight: u16, port: u16, target: name})}),
  fc.record({type: fc.constant('MX'), data: fc.record({preference: u16, exchange: name})}),
  fc.record({type: fc.constantFrom('CNAME', 'PTR', 'NS'), data: name}),
  fc.record({type: fc.constant('TXT'), data: fc.array(fc.stringMatching(/^[ -~]{0,40}$/), {minLength: 1, maxLength: 3})}),
  fc.record({type: fc.constant('SOA'), data: fc.record({mname: name, rname: name, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32})}),
)

describe('probe: DNS wire codec', () => {
  it('encodes the query dns-packet reads back: id, RD, one IN question, EDNS0 with a 1232-byte payload', () => {
    fc.assert(
      fc.property(name, fc.constantFrom('A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'TXT', 'SOA', 'NS', 'MX', 'ANY'), u16, fc.boolean(), (n, type, id, dot) => {
        const decoded = dnsPacket.decode(encodeQuery(dot ? `${n}.` : n, type, id)) as dnsPacket.Packet & {flag_rd?: boolean}
        expect(decoded.id).to.equal(id)
        expect(decoded.type).to.equal('query')
        expect(decoded.flag_rd).to.equal(true)
        expect(decoded.questions).to.deep.equal([{name: n, type, class: 'IN'}])
        expect(decoded.answers).to.deep.equal([])
        expect(decoded.additionals).to.have.length(1)
        expect(decoded.additionals![0]).to.deep.include({type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD})
      }),
      {numRuns: 2000},
    )
  })

  it('refuses names that cannot go on the wire, in one sentence', () => {
    expect(() => encodeQuery(`${'a'.repeat(64)}.example.`, 'A', 1)).to.throw(/not a valid DNS name/)
    expect(() => encodeQuery('a..b', 'A', 1)).to.throw(/not a valid DNS name/)
    expect(() => encodeQuery(Array.from({length: 130}, () => 'ab').join('.'), 'A', 1)).to.throw(/255 in all/)
    expect(() => encodeQuery('x.', 'BOGUS', 1)).to.throw(/cannot ask for record type BOGUS/)
    expect(() => encodeQuery('x.', 'TYPE65536', 1)).to.throw(/cannot ask for record type/)
    expect(dnsPacket.decode(encodeQuery('x.', 'hinfo', 1)).questions![0].type).to.equal('HINFO')
    expect(dnsPacket.decode(encodeQuery('x.', 'TYPE65', 1)).questions![0].type).to.equal('UNKNOWN_65')
    expect(dnsPacket.decode(encodeQuery('x.', 'CAA', 1)).questions![0].type).to.equal('CAA')
    expect(dnsPacket.decode(encodeQuery('.', 'NS', 1)).questions![0].name).to.equal('.')
  })

  it('decodes every reply dns-packet encodes to the same records, rcode and flags', () => {
    const rcodes = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const
    fc.assert(
      fc.property(fc.array(fc.tuple(name, record, u32), {maxLength: 12}), u16, fc.nat(5), fc.boolean(), (rrs, id, rcode, tc) => {
        const packet = {
          type: 'response' as const,
          id,
          flags: dnsPacket.AUTHORITATIVE_ANSWER | (tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | rcode,
          questions: [{type: 'A' as const, name: 'q.example'}],
          answers: rrs.map(([owner, r, ttl]) => ({name: owner, ttl, ...r}) as Answer),
          additionals: [{type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0} as unknown as Answer],
        }
        const buf = dnsPacket.encode(packet)
        const reply = decodeReply(buf)
        expect(reply).to.deep.include({id, response: true, truncated: tc, rcode: rcodes[rcode]})
        const reference = (dnsPacket.decode(buf).answers as Answer[]).map((a) => ({name: `${a.name}.`, type: a.type, ttl: a.ttl, data: referenceData(a)}))
        expect(reply.answers).to.deep.equal(reference)
      }),
      {numRuns: 3000},
    )
  })

  it('follows compression pointers and refuses pointers that do not point backwards', () => {
    // A reply to "web.ns.svc. A": the answer's owner is a pointer to the question's name (offset 12), and a CNAME
    // target reuses its tail ("ns.svc." at offset 16).
    const head = Buffer.from([0, 9, 0x84, 0, 0, 1, 0, 2, 0, 0, 0, 0])
    const question = Buffer.from([3, ...Buffer.from('web'), 2, ...Buffer.from('ns'), 3, ...Buffer.from('svc'), 0, 0, 1, 0, 1])
    const cname = Buffer.from([0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 30, 0, 6, 3, ...Buffer.from('api'), 0xc0, 16])
    const a = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 0, 0, 7])
    const reply = decodeReply(Buffer.concat([head, question, cname, a]))
    expect(reply.answers).to.deep.equal([
      {name: 'web.ns.svc.', type: 'CNAME', ttl: 30, data: 'api.ns.svc.'},
      {name: 'web.ns.svc.', type: 'A', ttl: 30, data: '10.0.0.7'},
    ])
    // A pointer to itself, and one pointing forwards: errors, never a loop.
    const loop = Buffer.concat([head, question, Buffer.from([0xc0, 28]), cname.subarray(2), a])
    expect(() => decodeReply(loop)).to.throw(/does not point backwards/)
    const forward = Buffer.concat([head, question, Buffer.from([0xc0, 60]), cname.subarray(2), a])
    expect(() => decodeReply(forward)).to.throw(/does not point backwards/)
    expect(() => decodeReply(head.subarray(0, 11))).to.throw(/shorter than its header/)
    expect(() => decodeReply(Buffer.concat([head, question, cname]))).to.throw(/past the end/)
  })

  it('frames TCP messages and splits a stream at message boundaries', () => {
    const one = encodeQuery('a.example.', 'A', 1)
    const two = encodeQuery('b.example.', 'SRV', 2)
    const stream = Buffer.concat([tcpFrame(one), tcpFrame(two)])
    expect(takeTcpMessages(stream.subarray(0, stream.length - 1))).to.deep.equal({messages: [one], rest: stream.subarray(2 + one.length, stream.length - 1)})
    expect(takeTcpMessages(stream).messages).to.deep.equal([one, two])
  })
})
