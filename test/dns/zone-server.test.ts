// `dns zone` output is a real RFC 1035 zone: NSD (Debian's authoritative server) loads it, and dig asking NSD
// for every name gets exactly the records kdisco's model answers for that name.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {requireBinaries} from '../support/binaries.js'
import {kdisco} from '../support/cli.js'
import {type NsdServer, startNsd} from '../support/nsd.js'

const norm = (line: string) => line.trim().split(/\s+/).map((f, i) => (i === 0 ? f.toLowerCase() : f)).join(' ')

function digAll(dig: string, port: number, questions: string[]): string {
  const batch = join(mkdtempSync(join(tmpdir(), 'kdisco-dig-')), 'batch')
  writeFileSync(batch, questions.join('\n') + '\n')
  const r = spawnSync(dig, ['@127.0.0.1', '-p', String(port), '+norec', '+time=2', '+tries=2', '-f', batch], {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`dig failed: ${r.stderr}`)
  return r.stdout
}

describe('dns zone served by a real DNS server (NSD + dig)', function () {
  this.timeout(60000)
  let bins: Record<string, string>
  let server: NsdServer | undefined
  const zones: Record<string, {records: {name: string; type: string; ttl: number; data: string}[]}> = {}

  before(async function () {
    bins = requireBinaries(this, ['nsd', 'dig'], 'apt-get install nsd bind9-dnsutils')
    const texts = ['cluster.local', 'in-addr.arpa'].map((name) => {
      const r = kdisco(['dns', 'zone', '-A', '-f', 'examples/', '--zone', name])
      expect(r.status, r.stderr).to.equal(0)
      const json = JSON.parse(kdisco(['dns', 'zone', '-A', '-f', 'examples/', '--zone', name, '-o', 'json']).stdout)
      zones[name] = json.zones[0]
      return {name, text: r.stdout}
    })
    server = await startNsd(bins.nsd, texts)
  })

  after(async () => server?.stop())

  for (const zone of ['cluster.local', 'in-addr.arpa']) {
    it(`NSD serves every ${zone} record kdisco wrote, and nothing else for those names`, () => {
      const records = zones[zone].records
      expect(records.length).to.be.greaterThan(5)
      const questions = [...new Set(records.map((r) => `${r.name} ${r.type}`))]
      const out = digAll(bins.dig, server!.port, questions.map((q) => `${q} +noall +answer`))
      const served = out.split('\n').filter((l) => l.trim() && !l.startsWith(';')).map(norm).sort()
      const expected = records.map((r) => norm(`${r.name} ${r.ttl} IN ${r.type} ${r.type === 'TXT' ? `"${r.data}"` : r.data}`)).sort()
      expect(served).to.deep.equal(expected)
    })
  }

  it('the real server and kdisco agree on answers and rcodes asked through the model', () => {
    const cases: [string, string][] = [
      ['kubia-headless.default.svc.cluster.local.', 'A'],
      ['_mysql._tcp.mysql-svc.data.svc.cluster.local.', 'SRV'],
      ['10-244-2-58.kubia-headless.default.svc.cluster.local.', 'A'],
      ['nope.default.svc.cluster.local.', 'A'],
      ['12.2.244.10.in-addr.arpa.', 'PTR'],
    ]
    for (const [name, type] of cases) {
      const mine = JSON.parse(kdisco(['dns', 'lookup', name, '--type', type, '-f', 'examples/', '-o', 'json']).stdout)
      const dig = digAll(bins.dig, server!.port, [`${name} ${type} +noall +comments +answer`])
      const status = /status: (\w+)/.exec(dig)?.[1]
      expect(status, name).to.equal(mine.rcode)
      const answers = dig.split('\n').filter((l) => l.trim() && !l.startsWith(';')).map((l) => l.trim().split(/\s+/).slice(4).join(' ')).sort()
      expect(answers, name).to.deep.equal(mine.answers.map((a: {data: string}) => a.data).sort())
    }
  })
})
