// The dig parser on output the real dig printed (several queries in one run) against a real DNS server.
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {parseDig} from '../../src/probe/parse-dig.js'
import {requireBinaries} from '../support/binaries.js'
import {kdisco} from '../support/cli.js'
import {type NsdServer, startNsd} from '../support/nsd.js'

const run = promisify(execFile)

describe('probe: parsing real dig output', function () {
  this.timeout(30000)
  let server: NsdServer | undefined
  let dig: string
  before(async function () {
    const bins = requireBinaries(this, ['nsd', 'dig'], 'apt-get install nsd bind9-dnsutils')
    dig = bins.dig
    server = await startNsd(bins.nsd, [{name: 'cluster.local', text: kdisco(['dns', 'zone', '-A', '-f', 'examples/', '--zone', 'cluster.local']).stdout}])
  })
  after(async () => server?.stop())

  it('splits a batch into one result per query with status, flags, question and answers', async () => {
    const questions: [string, string][] = [
      ['kubia-headless.default.svc.cluster.local.', 'A'],
      ['_mysql._tcp.mysql-svc.data.svc.cluster.local.', 'SRV'],
      ['nope.default.svc.cluster.local.', 'A'],
      ['dns-version.cluster.local.', 'TXT'],
      ['external-service.default.svc.cluster.local.', 'CNAME'],
    ]
    const batch = join(mkdtempSync(join(tmpdir(), 'kdisco-dig-')), 'batch')
    writeFileSync(batch, questions.map(([n, t]) => `${n} ${t}`).join('\n') + '\n')
    const {stdout} = await run(dig, ['@127.0.0.1', '-p', String(server!.port), '+norec', '-f', batch])
    const results = parseDig(stdout)
    expect(results.map((r) => [r.question?.name, r.question?.type, r.status])).to.deep.equal(questions.map(([n, t]) => [n, t, n.startsWith('nope') ? 'NXDOMAIN' : 'NOERROR']))
    expect(results[0].flags).to.include.members(['qr', 'aa'])
    for (const [i, [name, type]] of questions.entries()) {
      const mine = JSON.parse(kdisco(['dns', 'lookup', name, '--type', type, '-f', 'examples/', '-o', 'json']).stdout)
      expect(results[i].answers.map((a) => `${a.type} ${a.data}`).sort(), name).to.deep.equal(mine.answers.map((a: {type: string; data: string}) => `${a.type} ${a.data}`).sort())
    }
    expect(results[3].answers[0].data).to.equal('1.1.0')
  })

  it('recognises a server that does not answer', async () => {
    const out = await run(dig, ['@127.0.0.1', '-p', '9', '+tries=1', '+time=1', 'kubia.default.svc.cluster.local']).catch((e) => e)
    const [r] = parseDig(out.stdout)
    expect(r.status).to.equal(null)
    expect(r.error).to.match(/timed out|communications error|refused/)
  })
})
