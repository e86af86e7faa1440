// --probe server against a real DNS server (NSD) serving kdisco's own zone with deliberate drift: the verdict
// must name exactly the drifted records and nothing else. Plus truncation → TCP, and a dead server.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {requireBinaries} from '../support/binaries.js'
import {kdisco, kdiscoAsync} from '../support/cli.js'
import {type NsdServer, startNsd} from '../support/nsd.js'

type Q = {name: string; type: string; kind: string; status: string; from?: string; diff?: {missing: string[]; unexpected: string[]}}

function zoneText(args: string[], zone: string): string {
  const r = kdisco(['dns', 'zone', '-A', ...args, '--zone', zone])
  expect(r.status, r.stderr).to.equal(0)
  return r.stdout
}

describe('probe: --probe server against NSD with drift', function () {
  this.timeout(60000)
  let server: NsdServer | undefined
  let big: string

  before(async function () {
    const bins = requireBinaries(this, ['nsd'], 'apt-get install nsd')
    let forward = zoneText(['-f', 'examples/'], 'cluster.local')
    // Drift: a stale extra A, a missing SRV record, an endpoint name that is gone.
    forward += 'kubia.default.svc.cluster.local.\t30\tIN\tA\t10.107.99.99\n'
    forward = forward.replace(/^_mysql\._tcp\.mysql-svc\.data\.svc\.cluster\.local\.\t30\tIN\tSRV\t0 33 3306 mysql-sts-2\.mysql-svc\.data\.svc\.cluster\.local\.\n/m, '')
    forward = forward.replace(/^10-244-1-38\.kubia-headless\.default\.svc\.cluster\.local\.\t.*\n/m, '')
    // A headless Service with 150 endpoints: its A answer does not fit in 1232 bytes of UDP.
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-big-'))
    big = join(dir, 'big.yaml')
    const eps = Array.from({length: 150}, (_, i) => `  - addresses: [10.9.${i >> 8}.${(i & 255) + 1}]\n    conditions: {ready: true}`).join('\n')
    writeFileSync(big, `apiVersion: v1\nkind: Service\nmetadata: {name: big, namespace: bulk}\nspec: {clusterIP: None, ports: [{name: http, port: 80}]}\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: big-1, namespace: bulk, labels: {kubernetes.io/service-name: big}}\naddressType: IPv4\nendpoints:\n${eps}\nports: [{name: http, port: 80, protocol: TCP}]\n`)
    const bigZone = zoneText(['-f', 'examples/', '-f', big], 'cluster.local').split('\n').filter((l) => /\.bulk\.svc\./.test(l)).join('\n') + '\n'
    server = await startNsd(bins.nsd, [
      {name: 'cluster.local', text: forward + bigZone},
      {name: 'in-addr.arpa', text: zoneText(['-f', 'examples/'], 'in-addr.arpa')},
    ])
  })
  after(async () => server?.stop())

  const probe = (args: string[]) => kdiscoAsync(['svc', 'lookup', ...args, '-f', 'examples/', '--probe', 'server', '--dns-server', `127.0.0.1:${server!.port}`, '-o', 'json'])

  it('reports exactly the stale A record (unexpected) and nothing else', async () => {
    const r = await probe(['kubia'])
    expect(r.status).to.equal(1)
    const out = JSON.parse(r.stdout)
    const bad = (out.queries as Q[]).filter((q) => q.status !== 'match' && q.status !== 'unprobed')
    expect(bad.map((q) => `${q.name} ${q.type} ${q.status}`)).to.deep.equal([
      'kubia.default.svc.cluster.local. A unexpected',
      'kubia A unexpected',
      'kubia.default A unexpected',
      'kubia.default.svc A unexpected',
      'kubia.default.svc.cluster.local A unexpected',
    ])
    expect(bad[0].diff).to.deep.equal({missing: [], unexpected: ['A 10.107.99.99']})
    expect(out.summary).to.deep.include({mismatch: 5})
    expect(out.queries[0].observed.via).to.equal(`server 127.0.0.1:${server!.port}`)
  })

  it('reports exactly the missing SRV record', async () => {
    const r = await probe(['mysql-svc', '-n', 'data'])
    expect(r.status).to.equal(1)
    const bad = (JSON.parse(r.stdout).queries as Q[]).filter((q) => q.status !== 'match' && q.status !== 'unprobed')
    expect(bad.map((q) => `${q.name} ${q.type} ${q.status}`)).to.deep.equal(['_mysql._tcp.mysql-svc.data.svc.cluster.local. SRV missing'])
    expect(bad[0].diff!.missing).to.deep.equal(['SRV 3306 mysql-sts-2.mysql-svc.data.svc.cluster.local.'])
  })

  it('reports exactly the endpoint name that answers NXDOMAIN', async () => {
    const r = await probe(['kubia-headless'])
    expect(r.status).to.equal(1)
    const bad = (JSON.parse(r.stdout).queries as Q[]).filter((q) => q.status !== 'match' && q.status !== 'unprobed')
    expect(bad.map((q) => `${q.name} ${q.type} ${q.status}`)).to.deep.equal(['10-244-1-38.kubia-headless.default.svc.cluster.local. A rcode'])
  })

  it('a drift-free Service matches: exit 0, summary with no mismatch', async () => {
    const r = await probe(['kubia-named'])
    expect(r.status, r.stderr).to.equal(0)
    const out = JSON.parse(r.stdout)
    expect(out.summary.mismatch).to.equal(0)
    expect(out.summary.match).to.be.greaterThan(5)
  })

  it('a truncated UDP answer is asked again over TCP and matches in full', async () => {
    const r = await kdiscoAsync(['svc', 'lookup', 'big', '-n', 'bulk', '-f', big, '--probe', 'server', '--dns-server', `127.0.0.1:${server!.port}`, '-o', 'json'])
    const a = (JSON.parse(r.stdout).queries as (Q & {observed: {answers: unknown[]}})[]).find((q) => q.kind === 'service' && q.type === 'A')!
    expect(a.status).to.equal('match')
    expect(a.observed.answers).to.have.length(150)
  })

  it('dns lookup walks the search list over the observed answers and compares', async () => {
    const ok = await kdiscoAsync(['dns', 'lookup', 'mysql-sts-0.mysql-svc', '-n', 'data', '-f', 'examples/', '--dns-server', `127.0.0.1:${server!.port}`, '-o', 'json'])
    expect(ok.status, ok.stderr).to.equal(0)
    const out = JSON.parse(ok.stdout)
    expect(out.status).to.equal('match')
    expect(out.observed.tried.map((t: {rcode: string}) => t.rcode)).to.deep.equal(['NOERROR'])
    const gone = await kdiscoAsync(['dns', 'lookup', '10-244-1-38.kubia-headless.default.svc.cluster.local.', '-f', 'examples/', '--dns-server', `127.0.0.1:${server!.port}`])
    expect(gone.status).to.equal(1)
    expect(gone.stdout).to.match(/Observed\s+NXDOMAIN via server 127\.0\.0\.1:\d+\s+✗ rcode/)
  })

  it('the table shows ✓/✗ per query and a summary line', async () => {
    const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '-f', 'examples/', '--probe', 'server', '--dns-server', `127.0.0.1:${server!.port}`])
    // The row's mark ends its first line; the drift is on the next.
    expect(r.stdout).to.match(/^kubia\.default\.svc\.cluster\.local\. +A +NOERROR +NOERROR +✗\n +10\.107\.244\.106 +unexpected A 10\.107\.99\.99$/m)
    expect(r.stdout).to.match(/^kubia\.default\.svc\.cluster\.local\. +SRV .* ✓$/m)
    expect(r.stdout).to.match(/✗ \d+ of \d+ match, 5 mismatch, \d+ not compared \(observed via server 127\.0\.0\.1:\d+\)/)
  })
})

describe('probe: errors', () => {
  it('a server that does not answer: exit 3, one line', async () => {
    const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '-f', 'examples/', '--dns-server', '127.0.0.1:9', '--probe-timeout', '1'])
    expect(r.status).to.equal(3)
    expect(r.stderr).to.match(/^Error: The probe got no answer at all: (no answer from 127\.0\.0\.1:9 within 1000 ms \(3 tries\)|ECONNREFUSED from 127\.0\.0\.1:9)\. Check --dns-server/)
    expect(r.stderr.trimEnd().split('\n')).to.have.length(1)
  })

  it('a server name that does not resolve: exit 3, one line naming the lookup failure', async () => {
    const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '-f', 'examples/', '--dns-server', 'no-such-dns.invalid:53'])
    expect(r.status).to.equal(3)
    expect(r.stderr).to.match(/^Error: The probe got no answer at all: (ENOTFOUND|EAI_AGAIN|EAI_NONAME) from no-such-dns\.invalid:53\. Check --dns-server/)
    expect(r.stderr.trimEnd().split('\n')).to.have.length(1)
  })

  it('--probe server without --dns-server, or a bad server, is a usage error', () => {
    expect(kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/', '--probe', 'server']).stderr).to.match(/--probe server needs --dns-server/)
    const r = kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/', '--dns-server', '1.2.3.4:99999'])
    expect([r.status, r.stderr]).to.deep.equal([2, 'Error: --dns-server "1.2.3.4:99999" is not HOST[:PORT]. For example --dns-server 10.96.0.10 or --dns-server 127.0.0.1:5353\n'])
  })
})
