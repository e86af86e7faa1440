// Property: against a DNS server that answers anything — other IDs, other questions, not-replies, garbage, bytes
// of a real reply mutated, truncation and then a TCP connection closed, cut mid-frame, silent or full of other
// replies — `--probe server` finishes within its bound, and what it reports for a question is only ever a reply
// to that question (same ID and question, as dig decides), or an error. Seeded and bounded.
import {expect} from 'chai'
import fc from 'fast-check'
import dnsPacket from 'dns-packet'
import {probeServer} from '../../src/probe/server.js'
import {frame, readQuery, reply, type Responder, startResponder} from '../support/dns-responder.js'

export const DNS_FUZZ_SEED = 53
const RUNS = 60

type Udp = 'wrongId' | 'wrongName' | 'wrongType' | 'caseFlip' | 'notReply' | 'garbage' | 'mutated' | 'correct' | 'truncated' | 'silence'
type Tcp = 'close' | 'half' | 'halfSilence' | 'othersThenRight' | 'garbage' | 'silence' | 'correct' | 'mutated'

const udpActions = fc.array(fc.constantFrom<Udp>('wrongId', 'wrongName', 'wrongType', 'caseFlip', 'notReply', 'garbage', 'mutated', 'mutated', 'correct', 'correct', 'truncated', 'truncated', 'silence'), {minLength: 1, maxLength: 4})
const scenario = fc.record({
  questions: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), {minLength: 1, maxLength: 4}),
  udp: udpActions,
  tcp: fc.constantFrom<Tcp>('close', 'half', 'halfSilence', 'othersThenRight', 'garbage', 'silence', 'correct', 'mutated'),
  edits: fc.array(fc.tuple(fc.nat(), fc.nat(255)), {minLength: 1, maxLength: 6}),
})

/** The data a reply to `q` carries: what an honest answer says, so a wrong one can be told apart. */
const honest = (q: {name: string}) => `10.0.${q.name.length}.${q.name.charCodeAt(0) % 250}`

describe('probe: --probe server against a hostile responder (fuzz)', function () {
  this.timeout(120000)
  const stats = {runs: 0, questions: 0, answered: 0, errors: 0, ignored: 0}
  after(() => process.stderr.write(`      DNS fuzz (seed ${DNS_FUZZ_SEED}): ${stats.runs} responders, ${stats.questions} questions, ${stats.answered} answered by their own reply, ${stats.errors} errors, ${stats.ignored} replies ignored\n`))

  it(`${RUNS} hostile responders: bounded time, only replies to the question asked`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        stats.runs++
        // Per query ID: the answer data a reply matching that query carried (a mutated reply may still match).
        const acceptable = new Map<string, Set<string>>()
        const accept = (buf: Buffer, q: ReturnType<typeof readQuery>) => {
          try {
            const p = dnsPacket.decode(buf)
            const question = p.questions?.[0]
            if (p.type !== 'response' || p.id !== q.id || (question && (question.name.toLowerCase() !== q.name.toLowerCase() || question.type !== q.type || (question.class ?? 'IN') !== 'IN'))) return
            const set = acceptable.get(q.name) ?? new Set<string>()
            set.add(JSON.stringify((p.answers ?? []).filter((a) => a.type === 'A').map((a) => (a as {data?: unknown}).data)))
            acceptable.set(q.name, set)
          } catch {
            // not decodable: cannot match
          }
        }
        const mutateBytes = (buf: Buffer) => {
          const b = Buffer.from(buf)
          for (const [i, v] of s.edits) b[i % b.length] = v
          return b
        }
        const answerTo = (q: ReturnType<typeof readQuery>, action: Udp | Tcp): Buffer | undefined => {
          const right = reply(q, {answers: [{data: honest(q)}]})
          switch (action) {
            case 'wrongId':
              return reply(q, {id: (q.id + 1) & 0xffff, answers: [{data: '6.6.6.6'}]})
            case 'wrongName':
              return reply(q, {name: `x${q.name}`, answers: [{data: '6.6.6.6'}]})
            case 'wrongType':
              return reply(q, {type: 'AAAA', answers: [{data: '6.6.6.6'}]})
            case 'caseFlip':
              return reply(q, {name: q.name.toUpperCase(), answers: [{data: honest(q)}]})
            case 'notReply':
              return reply(q, {response: false, answers: [{data: '6.6.6.6'}]})
            case 'garbage':
              return Buffer.from(s.edits.map(([, v]) => v))
            case 'mutated':
              return mutateBytes(right)
            case 'truncated':
              return reply(q, {truncated: true})
            case 'correct':
              return right
            default:
              return undefined
          }
        }
        let udpIndex = 0
        const responder: Responder = await startResponder({
          udp: (m, send) => {
            const q = readQuery(m)
            for (const action of s.udp.slice(udpIndex++ % s.udp.length)) {
              const out = answerTo(q, action)
              if (!out) continue
              // A truncated reply's answer comes over TCP: only its own TCP reply can count.
              if (action !== 'truncated') accept(out, q)
              send(out)
            }
          },
          tcp: (m, socket) => {
            const q = readQuery(m)
            const right = reply(q, {answers: [{data: honest(q)}]})
            switch (s.tcp) {
              case 'close':
                return void socket.end()
              case 'half':
                return void socket.end(frame(right).subarray(0, 5))
              case 'halfSilence':
                return void socket.write(frame(right).subarray(0, 5))
              case 'othersThenRight':
                accept(right, q)
                return void socket.write(Buffer.concat([frame(reply(q, {id: (q.id + 3) & 0xffff, answers: [{data: '6.6.6.6'}]})), frame(reply(q, {name: 'evil.', answers: [{data: '6.6.6.6'}]})), frame(right)]))
              case 'garbage':
                return void socket.write(frame(Buffer.from('nonsense, not DNS')))
              case 'mutated': {
                const bad = mutateBytes(right)
                accept(bad, q)
                return void socket.write(frame(bad))
              }
              case 'correct':
                accept(right, q)
                return void socket.write(frame(right))
              default:
                return undefined
            }
          },
        })
        try {
          const questions = s.questions.map((n) => ({name: `${n}.fuzz.svc.cluster.local.`, type: 'A'}))
          const started = Date.now()
          const result = await probeServer(questions, {host: '127.0.0.1', port: responder.port, timeoutMs: 150, retries: 1})
          // Two tries, each UDP then at most TCP, each within 150 ms, plus scheduling on a loaded machine.
          expect(Date.now() - started).to.be.below(4000)
          stats.ignored += Object.values(result.ignored).reduce((a, b) => a + b, 0)
          questions.forEach((q, i) => {
            stats.questions++
            const o = result.observed[i]
            if (o.rcode === null) {
              expect(o.error, JSON.stringify(o)).to.be.a('string')
              stats.errors++
              return
            }
            const got = JSON.stringify(o.answers.filter((a) => a.type === 'A').map((a) => a.data))
            const allowed = acceptable.get(q.name.replace(/\.$/, '')) ?? new Set()
            expect([...allowed], `${q.name}: got ${got}`).to.include(got)
            stats.answered++
          })
        } finally {
          await responder.close()
        }
      }),
      {seed: DNS_FUZZ_SEED, numRuns: RUNS},
    )
    expect(stats.answered).to.be.greaterThan(20)
    expect(stats.errors).to.be.greaterThan(5)
  })
})
