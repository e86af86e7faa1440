// Differential truth: kdisco's expected answers against real CoreDNS (v1.14, built from its module) serving the same
// real API server, on generated cluster states, for three Corefiles and three ways of reading the state (live API,
// a `kubectl get -o yaml` dump, the dump without the controllers' slices). The goal is zero disagreements.
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {loadFileSnapshot} from '../../src/cluster/files.js'
import {loadLiveSnapshot} from '../../src/cluster/live/source.js'
import type {ClusterSnapshot} from '../../src/cluster/types.js'
import {corefileSource, resolveDnsSettings} from '../../src/cluster/dns-settings.js'
import {ClusterDns} from '../../src/dns/model.js'
import {requireRealCluster} from '../real-cluster/components.js'
import type {CoreDnsReplica, RealCluster} from '../real-cluster/cluster.js'
import {type Disagreement, askAll, difference, questionsFor, upstreamQuestion} from '../real-cluster/differential.js'
import {appliedStates, sharedCluster, STATE_SEED} from '../real-cluster/shared.js'
import type {ClusterState} from '../real-cluster/states.js'

const run = promisify(execFile)

/** What kdisco reads the state from: the live API, or the objects as `kubectl get -o yaml` dumps them. */
async function snapshots(c: RealCluster, dir: string): Promise<Record<string, ClusterSnapshot>> {
  const live = (await loadLiveSnapshot({kubeconfig: c.kubeconfig, allNamespaces: true, timeoutMs: 30000, query: {mode: 'namespace', kinds: ['pods', 'statefulsets']}})).snapshot
  const {stdout} = await run('kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'namespaces,services,endpointslices,endpoints,pods,configmaps', '-A', '-o', 'json'], {maxBuffer: 1 << 28})
  const dump = JSON.parse(stdout) as {items: {kind: string; metadata: {labels?: Record<string, string>}}[]}
  const withSlices = join(dir, 'dump.json')
  writeFileSync(withSlices, JSON.stringify(dump))
  // Without the slices the controllers wrote: kdisco derives them (hand-written slices stay, as a user's manifests).
  const managedBy = (o: {metadata: {labels?: Record<string, string>}}) => o.metadata.labels?.['endpointslice.kubernetes.io/managed-by']
  const withoutSlices = join(dir, 'dump-without-slices.json')
  writeFileSync(withoutSlices, JSON.stringify({...dump, items: dump.items.filter((o) => o.kind !== 'EndpointSlice' || !managedBy(o))}))
  return {
    live,
    dump: await loadFileSnapshot({filenames: [withSlices]}),
    derived: await loadFileSnapshot({filenames: [withoutSlices]}),
  }
}

describe('DNS model against real CoreDNS (differential)', function () {
  this.timeout(600000)
  let c: RealCluster
  let states: ClusterState[]
  const disagreements: Disagreement[] = []
  let compared = 0

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    states = await appliedStates()
  })

  after(function () {
    if (!states) return
    const lines = [
      `      differential: ${states.length} states (seed ${STATE_SEED}), ${c.coreDns.filter((r) => r.index === 0).length} Corefiles, ${compared} answers compared, ${disagreements.length} disagreements`,
    ]
    const shown = disagreements.slice(0, 40)
    for (const d of shown) lines.push(`        ✗ [${d.server}, ${d.source}] ${d.question.name} ${d.question.type}: ${d.observed}`)
    if (disagreements.length > shown.length) lines.push(`        … ${disagreements.length - shown.length} more`)
    process.stderr.write(lines.join('\n') + '\n')
    // Every disagreement, for analysis (KDISCO_DIFF_REPORT=file.json).
    if (process.env.KDISCO_DIFF_REPORT) writeFileSync(process.env.KDISCO_DIFF_REPORT, JSON.stringify(disagreements, null, 1))
  })

  it('answers every name of every generated state exactly as CoreDNS does, for each Corefile and each way of reading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-differential-'))
    const snaps = await snapshots(c, dir)
    const replicas: CoreDnsReplica[] = c.coreDns.filter((r) => r.index === 0)
    for (const replica of replicas) {
      const models: Record<string, ClusterDns> = {}
      for (const [source, snap] of Object.entries(snaps)) models[source] = new ClusterDns(snap, resolveDnsSettings({}, snap, await corefileSource(replica.corefilePath, snap)))
      for (const state of states) {
        const questions = questionsFor(models.live, snaps.live.pods, state.namespaces, state.seed)
        const observed = await askAll(replica.dns, questions)
        const forwarded = questions.map((q) => ({q, expected: models.live.answer(q.name, q.type)})).filter((x) => x.expected.forwarded)
        const upstream = await askAll({host: '127.0.0.1', port: c.upstream.port}, forwarded.map((x) => upstreamQuestion(x.expected, x.q)))
        for (const q of questions) {
          const got = observed.get(`${q.name} ${q.type}`)!
          for (const [source, model] of Object.entries(models)) {
            const expected = model.answer(q.name, q.type)
            compared++
            const uq = upstreamQuestion(expected, q)
            const diff = difference(expected, got, upstream.get(`${uq.name} ${uq.type}`))
            if (diff) disagreements.push({server: replica.spec.name, question: q, source, expected: '', observed: diff})
          }
        }
      }
    }
    expect(compared).to.be.greaterThan(1000)
    expect(disagreements.map((d) => `[${d.server}, ${d.source}] ${d.question.name} ${d.question.type}: ${d.observed}`)).to.deep.equal([])
  })
})
