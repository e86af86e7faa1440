// --probe server against hostile DNS responders: a reply counts only with the ID of a query in flight and the same
// question (name case-insensitively, type, class), as dig decides; everything else is ignored and counted in the
// probe's notes. Over TCP every read has a deadline, and a connection closed early or mid-frame is an error at once.
import {expect} from 'chai'
import {probeServer} from '../../src/probe/server.js'
import {frame, readQuery, reply, type Responder, startResponder} from '../support/dns-responder.js'

const NAME = 'web.shop.svc.cluster.local.'
const RIGHT = '10.9.9.9'
const WRONG = '6.6.6.6'
const ask = (responder: Responder, questions = [{name: NAME, type: 'A'}], timeoutMs = 300) => probeServer(questions, {host: '127.0.0.1', port: responder.port, timeoutMs, retries: 1})
const data = (o: {answers: {data: string}[]}) => o.answers.map((a) => a.data)

describe('probe: --probe server matches replies as dig does', function () {
  this.timeout(20000)
  const responders: Responder[] = []
  const respond = async (script: Parameters<typeof startResponder>[0]) => {
    const r = await startResponder(script)
    responders.push(r)
    return r
  }
  after(async () => Promise.all(responders.map((r) => r.close())))

  it('a reply with an ID no query has is ignored and counted; the right one is taken', async () => {
    const r = await respond({udp: (m, send) => (send(reply(readQuery(m), {id: (readQuery(m).id + 1) & 0xffff, answers: [{data: WRONG}]})), send(reply(readQuery(m), {answers: [{data: RIGHT}]})))})
    const result = await ask(r)
    expect(data(result.observed[0])).to.deep.equal([RIGHT])
    expect(result.ignored).to.deep.include({unknownId: 1})
    expect(result.notes).to.deep.equal([`server 127.0.0.1:${r.port}: ignored 1 message that answered no question asked (1 with an ID no query had), as dig does`])
  })

  const others: [string, (q: ReturnType<typeof readQuery>) => Parameters<typeof reply>[1]][] = [
    ['another name', () => ({name: 'evil.example.com', answers: [{data: WRONG}]})],
    ['another type', () => ({type: 'AAAA', answers: [{data: WRONG}]})],
    ['another class', () => ({class: 'CH', answers: [{data: WRONG}]})],
  ]
  for (const [what, spoil] of others) {
    it(`a reply with the query's ID but ${what} is not the answer`, async () => {
      const r = await respond({udp: (m, send) => (send(reply(readQuery(m), spoil(readQuery(m)))), send(reply(readQuery(m), {answers: [{data: RIGHT}]})))})
      const result = await ask(r)
      expect(data(result.observed[0])).to.deep.equal([RIGHT])
      expect(result.ignored.otherQuestion).to.equal(1)
    })
  }

  it('the question in another case is the same question (0x20 servers), and a reply without a question is taken on its ID', async () => {
    const cased = await respond({udp: (m, send) => send(reply(readQuery(m), {name: readQuery(m).name.toUpperCase(), answers: [{data: RIGHT}]}))})
    expect(data((await ask(cased)).observed[0])).to.deep.equal([RIGHT])
    const bare = await respond({udp: (m, send) => send(reply(readQuery(m), {questions: [], rcode: 'FORMERR'}))})
    expect((await ask(bare)).observed[0]).to.deep.include({rcode: 'FORMERR'})
  })

  it('a reply under another in-flight query\'s ID is not credited to it', async () => {
    // Every query is first answered with the ID of the other one (the other's question), then correctly.
    const seen: ReturnType<typeof readQuery>[] = []
    const r = await respond({
      udp: (m, send) => {
        const q = readQuery(m)
        seen.push(q)
        if (seen.length === 2) {
          const [a, b] = seen
          send(reply(b, {id: a.id, answers: [{data: WRONG}]})) // b's question under a's ID
          send(reply(a, {id: b.id, answers: [{data: WRONG}]})) // a's question under b's ID
          send(reply(a, {answers: [{data: '10.0.0.1'}]}))
          send(reply(b, {answers: [{data: '10.0.0.2'}]}))
        }
      },
    })
    const result = await ask(r, [{name: 'a.shop.svc.cluster.local.', type: 'A'}, {name: 'b.shop.svc.cluster.local.', type: 'A'}])
    expect(result.observed.map(data)).to.deep.equal([['10.0.0.1'], ['10.0.0.2']])
    expect(result.ignored.otherQuestion).to.equal(2)
  })

  it('a message that is not a reply (QR clear), or not DNS, is ignored', async () => {
    const r = await respond({udp: (m, send) => (send(reply(readQuery(m), {response: false, answers: [{data: WRONG}]})), send(Buffer.from('garbage')), send(reply(readQuery(m), {answers: [{data: RIGHT}]})))})
    const result = await ask(r)
    expect(data(result.observed[0])).to.deep.equal([RIGHT])
    expect(result.ignored).to.deep.include({notReplies: 1, malformed: 1})
  })
})

describe('probe: --probe server over TCP after a truncated reply, every read bounded', function () {
  this.timeout(20000)
  const responders: Responder[] = []
  const truncating = async (tcp: Parameters<typeof startResponder>[0]['tcp']) => {
    const r = await startResponder({udp: (m, send) => send(reply(readQuery(m), {truncated: true})), tcp})
    responders.push(r)
    return r
  }
  after(async () => Promise.all(responders.map((r) => r.close())))

  it('a server that closes the connection after reading the query: an error at once, not a wait', async () => {
    const r = await truncating((_q, socket) => socket.end())
    const started = Date.now()
    const result = await ask(r, undefined, 2000)
    expect(result.observed[0].error).to.equal(`the server closed the TCP connection without answering from 127.0.0.1:${r.port}`)
    expect(Date.now() - started).to.be.below(1500)
  })

  it('half a frame, then the connection closed: an error naming the octets', async () => {
    const r = await truncating((q, socket) => {
      const whole = frame(reply(readQuery(q), {answers: [{data: RIGHT}]}))
      socket.end(whole.subarray(0, 10))
    })
    const result = await ask(r, undefined, 2000)
    expect(result.observed[0].error).to.match(/^the server closed the TCP connection in the middle of a message \(8 of \d+ octets\) from /)
  })

  it('half a frame, then silence: the deadline ends it', async () => {
    const r = await truncating((q, socket) => socket.write(frame(reply(readQuery(q), {answers: [{data: RIGHT}]})).subarray(0, 10)))
    const started = Date.now()
    const result = await ask(r, undefined, 300)
    expect(result.observed[0].error).to.match(/^no answer from 127\.0\.0\.1:\d+ within 300 ms \(2 tries\)$/)
    expect(Date.now() - started).to.be.below(3000)
  })

  it('replies with another ID or question over TCP are skipped until the right one; garbage is an error', async () => {
    const r = await truncating((q, socket) => {
      const query = readQuery(q)
      socket.write(Buffer.concat([frame(reply(query, {id: (query.id + 7) & 0xffff, answers: [{data: WRONG}]})), frame(reply(query, {name: 'other.example.', answers: [{data: WRONG}]})), frame(reply(query, {answers: [{data: RIGHT}]}))]))
    })
    const result = await ask(r)
    expect(data(result.observed[0])).to.deep.equal([RIGHT])
    expect(result.ignored).to.deep.include({unknownId: 1, otherQuestion: 1})
    const junk = await truncating((_q, socket) => socket.write(frame(Buffer.from('this is not a DNS message at all'))))
    expect((await ask(junk)).observed[0].error).to.match(/^malformed reply over TCP: /)
  })
})
