// Answers too big for one DNS message (65,535 octets, over TCP too). kdisco's size of a reply is checked against the
// length of the real replies NSD sends over TCP for the same answers, and the model marks what cannot fit.
import {expect} from 'chai'
import {Socket} from 'node:net'
import {compareAnswer} from '../../src/compare/verdict.js'
import {renderZoneFile} from '../../src/render/zonefile.js'
import {zoneRecords} from '../../src/dns/zone.js'
import {replySize, truncation} from '../../src/dns/message-size.js'
import {type Reply, decodeReply, encodeQuery, takeTcpMessages, tcpFrame} from '../../src/probe/wire.js'
import {requireBinaries} from '../support/binaries.js'
import {type NsdServer, startNsd} from '../support/nsd.js'
import {COREDNS_DEFAULTS, ep, headless, model, slice} from '../support/objects.js'

/** A headless Service `name` with `n` ready endpoints, each with a hostname (so SRV targets are long names). */
function wide(name: string, n: number, family: 4 | 6 = 4) {
  const address = (i: number) => (family === 4 ? `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}` : `fd00::${i.toString(16)}`)
  const eps = Array.from({length: n}, (_, i) => ep(address(i), {hostname: `${name}-${i}`}))
  return [headless(name, [{name: 'http', port: 80}]), slice(name, eps, [{name: 'http', port: 80, protocol: 'TCP'}], {addressType: family === 4 ? 'IPv4' : 'IPv6'})]
}

/** Where a message's answer section ends (servers add authority and additional records after it). */
function answerSectionEnd(message: Buffer): number {
  const skipName = (at: number) => {
    for (;;) {
      const len = message[at]
      if (len === 0) return at + 1
      if ((len & 0xc0) === 0xc0) return at + 2
      at += len + 1
    }
  }
  let at = 12
  for (let i = 0; i < message.readUInt16BE(4); i++) at = skipName(at) + 4
  for (let i = 0; i < message.readUInt16BE(6); i++) {
    at = skipName(at)
    at += 10 + message.readUInt16BE(at + 8)
  }
  return at
}

/** One question over TCP: the octets up to the end of the reply's answer section, and what it says. */
function askTcp(port: number, name: string, type: string): Promise<{octets: number; reply: Reply}> {
  return new Promise((resolve, reject) => {
    const sock = new Socket()
    let buffer: Buffer = Buffer.alloc(0)
    sock.on('data', (chunk) => {
      const {messages, rest} = takeTcpMessages(Buffer.concat([buffer, chunk]))
      buffer = rest
      if (messages.length === 0) return
      sock.end()
      resolve({octets: answerSectionEnd(messages[0]), reply: decodeReply(messages[0])})
    })
    sock.on('error', reject)
    sock.connect(port, '127.0.0.1', () => sock.write(tcpFrame(encodeQuery(name, type, 7))))
  })
}

describe('dns: answers too big for one DNS message', function () {
  this.timeout(180000)
  const m = model([...wide('fits', 1000), ...wide('big', 1200), ...wide('huge', 4200), ...wide('six', 2400, 6)], COREDNS_DEFAULTS)

  it('the model marks exactly the answers that exceed 65,535 octets, with how many records fit', () => {
    expect(m.answer('fits.default.svc.cluster.local', 'SRV').truncated).to.equal(undefined)
    expect(m.answer('big.default.svc.cluster.local', 'A').truncated).to.equal(undefined) // 1200 × 16 octets
    const srv = m.answer('big.default.svc.cluster.local', 'SRV')
    expect(srv.answers).to.have.length(1200)
    expect(srv.truncated).to.include({records: 1200})
    expect(srv.truncated!.octets).to.be.greaterThan(65535)
    expect(srv.truncated!.fit).to.be.within(1000, 1199)
    expect(srv.notes!.at(-1)).to.match(/^1200 records need \d+ octets, more than one DNS message holds \(65,535, over TCP too\): CoreDNS sends the \d+ that fit/)
    expect(m.answer('huge.default.svc.cluster.local', 'A').truncated).to.include({records: 4200}) // 4200 × 16 > 65,535
    expect(m.answer('six.default.svc.cluster.local', 'AAAA').truncated).to.include({records: 2400}) // 2400 × 28
    // Every fitting prefix really fits, and one more record would not.
    const all = srv.answers
    const fit = srv.truncated!.fit
    expect(replySize('big.default.svc.cluster.local.', all.slice(0, fit)).octets).to.be.at.most(65535)
    expect(replySize('big.default.svc.cluster.local.', all.slice(0, fit + 1)).octets).to.be.greaterThan(65535)
    expect(truncation('big.default.svc.cluster.local.', all.slice(0, fit))).to.equal(undefined)
  })

  it('a partial answer to a question too big to answer whole is a match with a note; none at all is not', () => {
    const srv = m.answer('big.default.svc.cluster.local', 'SRV')
    const expected = {rcode: 'NOERROR' as const, answers: srv.answers, truncated: srv.truncated}
    const partial = compareAnswer('big.default.svc.cluster.local.', expected, {rcode: 'NOERROR', answers: srv.answers.slice(0, 900), via: 't'})
    expect(partial.status).to.equal('match')
    expect(partial.notes).to.deep.equal(['900 of 1200 records came back: the whole answer does not fit in one DNS message'])
    const none = compareAnswer('big.default.svc.cluster.local.', expected, {rcode: 'NOERROR', answers: [], via: 't'})
    expect(none.status).to.equal('missing')
    expect(none.notes[0]).to.match(/^no record came back/)
    const stranger = {name: 'big.default.svc.cluster.local.', type: 'SRV', ttl: 5, data: '0 100 80 other.default.svc.cluster.local.'}
    expect(compareAnswer('big.default.svc.cluster.local.', expected, {rcode: 'NOERROR', answers: [...srv.answers.slice(0, 5), stranger], via: 't'}).status).to.equal('unexpected')
    // Without the mark the same partial answer is a mismatch.
    expect(compareAnswer('big.default.svc.cluster.local.', {rcode: 'NOERROR', answers: srv.answers}, {rcode: 'NOERROR', answers: srv.answers.slice(0, 900), via: 't'}).status).to.equal('missing')
  })

  describe('against NSD', () => {
    let server: NsdServer | undefined
    before(async function () {
      const bins = requireBinaries(this, ['nsd'], 'apt-get install nsd')
      server = await startNsd(bins.nsd, [{name: 'cluster.local', text: renderZoneFile(zoneRecords(m, [], {zones: ['cluster.local']}), [])}])
    })
    after(async () => server?.stop())

    it('the answer section of a reply that fits is exactly as long as kdisco computes (name compression included)', async () => {
      for (const [name, type] of [
        ['fits.default.svc.cluster.local.', 'SRV'],
        ['_http._tcp.fits.default.svc.cluster.local.', 'SRV'],
        ['big.default.svc.cluster.local.', 'A'],
        ['fits-7.fits.default.svc.cluster.local.', 'A'],
        ['cluster.local.', 'SOA'],
      ]) {
        const {octets, reply} = await askTcp(server!.port, name, type)
        expect(reply.truncated, `${name} ${type}`).to.equal(false)
        expect(reply.answers.length, `${name} ${type}`).to.be.greaterThan(0)
        // replySize counts the EDNS0 OPT record too (11 octets), which NSD puts after its additional records.
        expect(replySize(name, reply.answers).octets - 11, `${name} ${type}`).to.equal(octets)
      }
    })

    it('a reply kdisco marks as too big is one NSD cannot send whole either', async () => {
      for (const [name, type] of [
        ['big.default.svc.cluster.local.', 'SRV'],
        ['huge.default.svc.cluster.local.', 'A'],
        ['six.default.svc.cluster.local.', 'AAAA'],
      ]) {
        expect(m.answer(name, type).truncated, `${name} ${type}`).to.not.equal(undefined)
        const {reply} = await askTcp(server!.port, name, type)
        expect(reply.truncated, `${name} ${type}`).to.equal(true)
        expect(reply.answers.length, `${name} ${type}`).to.be.below(m.answer(name, type).answers.length)
      }
    })
  })
})
