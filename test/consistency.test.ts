// One truth across commands: every command that speaks about a Service — svc list, svc lookup, svc endpoints,
// svc explain, dns lookup, dns zone, pod lookup, dns doctor — says the same about its kind, cluster IPs, endpoints,
// rcode and answers. Run as a user would (the built CLI, JSON output) on the bundled examples, on a generated state
// (seeded), and on that state served by the API test server (live mode, with the EndpointSlices a controller writes).
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {loadFileSnapshot} from '../src/cluster/files.js'
import type {ClusterSnapshot} from '../src/cluster/types.js'
import {kdiscoAsync} from './support/cli.js'
import {loadManifests} from './support/cluster-objects.js'
import {KubeApiServer} from './support/kube-api-server.js'
import {randomCluster} from './support/random-cluster.js'

type Records = {name: string; type: string; data: string}[]
interface Query {
  name: string
  type: string
  kind: string
  expected: {rcode: string | null; answers: Records}
}
interface Summary {
  name: string
  namespace: string
  kind: string
  clusterIPs: string[]
  endpoints: {ready: number; total: number; origin: string[]}
}

/** Runs `count` tasks, at most `width` at a time (two cores: the CLI processes are the work). */
async function pool<T>(tasks: (() => Promise<T>)[], width = 4): Promise<T[]> {
  const out: T[] = new Array(tasks.length)
  let next = 0
  await Promise.all(
    Array.from({length: width}, async () => {
      while (next < tasks.length) {
        const i = next++
        out[i] = await tasks[i]()
      }
    }),
  )
  return out
}

const answerSet = (records: Records) => records.map((r) => `${r.type} ${r.data}`).sort()

/** Runs every command on one input (`source`: -f files, or --kubeconfig) and checks that they agree. */
async function checkAgreement(source: string[], snapshot: ClusterSnapshot): Promise<number> {
  const live = source[0] === '--kubeconfig'
  const json = async (args: string[]) => {
    const r = await kdiscoAsync([...args, ...source, '-o', 'json'], {timeoutMs: 60000})
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.be.oneOf([0, 1])
    return JSON.parse(r.stdout)
  }
  const noProbe = live ? ['--probe', 'none'] : []
  const [list, zone] = await Promise.all([json(['svc', 'list', '-A']), json(['dns', 'zone', '-A'])])
  const zoneRecords: Records = zone.zones.flatMap((z: {records: Records}) => z.records)
  const inZone = (name: string, type: string) => answerSet(zoneRecords.filter((r) => r.name === name && r.type === type))
  const services = list.services as (Summary & {rcode: string | null; dnsName: string})[]
  expect(services.length).to.equal(snapshot.services.length)

  const perService = await pool(
    services.map((row) => async () => {
      const at = ['-n', row.namespace]
      const [lookup, endpoints, explain, dns] = await Promise.all([
        json(['svc', 'lookup', row.name, ...at, ...noProbe]),
        json(['svc', 'endpoints', row.name, ...at]),
        json(['svc', 'explain', row.name, ...at, ...noProbe]),
        json(['dns', 'lookup', row.dnsName, ...noProbe]),
      ])
      return {row, lookup, endpoints, explain, dns}
    }),
  )

  const endpointAnswers = new Map<string, {rcode: string | null; answers: string[]}>()
  for (const {row, lookup, endpoints, explain, dns} of perService) {
    const id = `${row.namespace}/${row.name}`
    // The same Service, the same fields.
    const pickSummary = (s: Summary) => ({name: s.name, namespace: s.namespace, kind: s.kind, clusterIPs: s.clusterIPs, endpoints: s.endpoints})
    const fromList = pickSummary(row)
    expect(pickSummary(lookup.service), `${id}: svc lookup vs svc list`).to.deep.equal(fromList)
    expect(pickSummary(endpoints.service), `${id}: svc endpoints vs svc list`).to.deep.equal(fromList)
    expect(pickSummary(explain.service), `${id}: svc explain vs svc list`).to.deep.equal(fromList)
    // Endpoints: svc endpoints has a row per address, the ready ones in DNS.
    if (row.kind !== 'ExternalName') {
      expect(endpoints.endpoints.length, `${id}: endpoint rows`).to.equal(row.endpoints.total)
      expect(endpoints.endpoints.filter((e: {inDns: boolean}) => e.inDns).length, `${id}: endpoints in DNS`).to.equal(row.endpoints.ready)
    }
    // The Service's name: rcode and answers.
    const type = row.kind === 'ExternalName' ? 'CNAME' : 'A'
    const own = (lookup.queries as Query[]).find((q) => q.kind === 'service' && q.type === type && q.name === row.dnsName)
    if (row.kind !== 'ExternalName' || own) {
      const a = (lookup.queries as Query[]).find((q) => q.kind === 'service' && q.type === 'A' && q.name === row.dnsName)
      if (a) {
        if (row.kind !== 'ExternalName') expect(row.rcode, `${id}: svc list rcode`).to.equal(a.expected.rcode)
        const viaExplain = (explain.dns as Query[]).find((q) => q.name === a.name && q.type === 'A')!
        expect(viaExplain.expected, `${id}: svc explain vs svc lookup`).to.deep.equal(a.expected)
        expect([dns.rcode, answerSet(dns.answers)], `${id}: dns lookup vs svc lookup`).to.deep.equal([a.expected.rcode, answerSet(a.expected.answers)])
        if (row.kind !== 'ExternalName') expect(inZone(row.dnsName, 'A'), `${id}: dns zone vs svc lookup`).to.deep.equal(answerSet(a.expected.answers))
      }
    }
    if (row.kind === 'ExternalName') {
      const cname = (lookup.queries as Query[]).find((q) => q.type === 'CNAME')!
      expect(row.rcode, `${id}: svc list CNAME rcode`).to.equal(cname.expected.rcode)
      expect(inZone(row.dnsName, 'CNAME'), `${id}: dns zone CNAME`).to.deep.equal(answerSet(cname.expected.answers))
      // A finding exactly when the lookup says CoreDNS drops the CNAME.
      const a = (lookup.queries as Query[]).find((q) => q.type === 'A')!
      const dropped = (a as Query & {notes?: string[]}).notes?.some((n) => n.includes('drops the CNAME')) ?? false
      expect(explain.findings.some((f: {code: string}) => f.code === 'KD125'), `${id}: KD125 vs svc lookup's note`).to.equal(dropped)
    }
    // Endpoint names: svc lookup's rows, svc endpoints' IN DNS, the zone.
    for (const q of (lookup.queries as Query[]).filter((x) => x.kind === 'endpoint')) {
      endpointAnswers.set(`${q.name} ${q.type}`, {rcode: q.expected.rcode, answers: answerSet(q.expected.answers)})
      expect(inZone(q.name, q.type), `${id}: dns zone vs svc lookup for ${q.name}`).to.deep.equal(answerSet(q.expected.answers))
      const rows = (endpoints.endpoints as {dnsName: string; inDns: boolean}[]).filter((e) => e.dnsName.toLowerCase() === q.name.toLowerCase())
      expect(rows.length, `${id}: svc endpoints has ${q.name}`).to.be.greaterThan(0)
      expect(rows.some((e) => e.inDns), `${id}: ${q.name} in DNS per svc endpoints vs svc lookup's ${q.expected.rcode}`).to.equal(q.expected.rcode === 'NOERROR')
    }
  }

  // pod lookup: the endpoint names of each pod answer what svc lookup says.
  const pods = snapshot.pods.filter((p) => p.status?.podIP)
  const identities = await pool(pods.map((p) => () => json(['pod', 'lookup', p.metadata.name, '-n', p.metadata.namespace ?? 'default', ...noProbe])))
  let compared = 0
  for (const identity of identities) {
    for (const e of identity.endpointNames as {name: string; type: string; rcode: string | null; answers: Records}[]) {
      const fromLookup = endpointAnswers.get(`${e.name} ${e.type}`)
      expect(fromLookup, `${identity.pod.namespace}/${identity.pod.name}: ${e.name} is one of svc lookup's names`).to.not.equal(undefined)
      expect({rcode: e.rcode, answers: answerSet(e.answers)}, `${identity.pod.name}: pod lookup vs svc lookup for ${e.name}`).to.deep.equal(fromLookup)
      compared++
    }
  }

  // dns doctor: the cluster DNS endpoints it counts are the ones svc endpoints shows.
  const kubeDns = perService.find((s) => s.row.namespace === 'kube-system' && s.row.name === 'kube-dns')
  const doctor = await json(['dns', 'doctor', ...(live ? ['--probe', 'none'] : [])])
  const check = doctor.checks.find((c: {id: string}) => c.id === 'endpoints')
  if (kubeDns) {
    expect(check.evidence.filter((e: string) => e.endsWith(' ready')).length, 'dns doctor vs svc endpoints kube-dns').to.equal(kubeDns.endpoints.endpoints.filter((e: {inDns: boolean}) => e.inDns).length)
  } else {
    expect(check.status, 'dns doctor without kube-dns in the input').to.equal(live ? 'error' : 'skipped')
  }
  return compared
}

describe('consistency: every command tells the same truth about each Service', function () {
  this.timeout(240000)
  const generated = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-consistency-'))
    writeFileSync(join(dir, 'generated.json'), JSON.stringify({apiVersion: 'v1', kind: 'List', items: randomCluster(20251201)}))
    return join(dir, 'generated.json')
  }

  it('on the bundled examples (-f)', async () => {
    const snapshot = await loadFileSnapshot({filenames: ['examples/']})
    expect(await checkAgreement(['-f', 'examples/'], snapshot)).to.be.greaterThan(5)
  })

  it('on a generated state (seeded) with the cluster basics (-f)', async () => {
    const files = [generated(), 'examples/cluster-basics.yaml']
    const snapshot = await loadFileSnapshot({filenames: files})
    // The generator makes every kind of Service and pod state this test is about.
    const kinds = new Set(snapshot.services.map((s) => s.spec?.type ?? (s.spec?.clusterIP === 'None' ? 'Headless' : 'ClusterIP')))
    expect([...kinds].sort()).to.include.members(['ClusterIP', 'ExternalName', 'Headless', 'NodePort'])
    expect(snapshot.pods.some((p) => p.metadata.deletionTimestamp)).to.equal(true)
    await checkAgreement(files.flatMap((f) => ['-f', f]), snapshot)
  })

  // (The examples live are compared with the files in test/live: here the generated state, which has more variety.)
  it('live: the generated state with the cluster basics, served by the API test server', async () => {
    const files = ['examples/cluster-basics.yaml', generated()]
    const snapshot = await loadFileSnapshot({filenames: files})
    const server = await new KubeApiServer().start()
    try {
      await loadManifests(server, files)
      expect(await checkAgreement(['--kubeconfig', server.kubeconfig()], snapshot)).to.be.greaterThan(5)
    } finally {
      await server.stop()
    }
  })
})
