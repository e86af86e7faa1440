// Differential truth: kdisco's expected answers against real CoreDNS (v1.14, built from its module) serving the same
// real API server, on generated cluster states: kubeadm's, EKS's, AKS's and k3s's Corefiles, and Corefiles with
// rewrite, autopath, templates, hosts and a stub domain. Every Corefile is read by kdisco the way a user gives it
// (--corefile, --corefile-import); kubeadm's and two more are also read from three ways of reading the state (live
// API, a `kubectl get -o yaml` dump, the dump without the controllers' slices). The goal is zero disagreements.
import {expect} from 'chai'
import {execFile, spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {loadFileSnapshot} from '../../src/cluster/files.js'
import {loadLiveSnapshot} from '../../src/cluster/live/source.js'
import type {ClusterSnapshot} from '../../src/cluster/types.js'
import {corefileSource, resolveDnsSettings} from '../../src/cluster/dns-settings.js'
import {ClusterDns} from '../../src/dns/model.js'
import {podResolvConf, resolveName, searchCandidates} from '../../src/dns/resolver.js'
import {requireRealCluster} from '../real-cluster/components.js'
import type {CoreDnsReplica, RealCluster} from '../real-cluster/cluster.js'
import {type Disagreement, type Question, askAll, corefileQuestions, difference, questionsFor, upstreamQuestion} from '../real-cluster/differential.js'
import {ask} from '../real-cluster/dns.js'
import {AUTOPATH_ADDRESS, appliedStates, sharedCluster, STATE_SEED} from '../real-cluster/shared.js'
import type {ClusterState} from '../real-cluster/states.js'
import {asRoot} from '../support/privilege.js'
import {UNSHARE, canUseMountNamespace} from '../support/kubelet.js'

const run = promisify(execFile)

/** Corefiles read from every way of reading the state; the others (distributions, plugins) from the live API. */
const EVERY_SOURCE = new Set(['kubeadm', 'verified', 'custom-domain'])

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

/** kdisco's model of a replica's Corefile, given as a user gives it: --corefile and the files it refers to. */
function modelFor(replica: CoreDnsReplica, snap: ClusterSnapshot): ClusterDns {
  return new ClusterDns(snap, resolveDnsSettings({corefileImports: replica.filePaths}, snap, corefileSource(replica.corefilePath, snap)))
}

describe('DNS model against real CoreDNS (differential)', function () {
  this.timeout(1200000)
  let c: RealCluster
  let states: ClusterState[]
  const disagreements: Disagreement[] = []
  const figures = new Map<string, {questions: number; compared: number}>()
  /** Per Corefile, how many answers each plugin took part in (so a Corefile's plugins are known to be exercised). */
  const routes = new Map<string, Map<string, number>>()
  const route = (name: string, plugins: string[]) => {
    const m = routes.get(name) ?? new Map<string, number>()
    for (const p of new Set(plugins)) m.set(p, (m.get(p) ?? 0) + 1)
    routes.set(name, m)
  }
  let compared = 0

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    states = await appliedStates()
  })

  after(function () {
    if (!states) return
    const lines = [`      differential: ${states.length} states (seed ${STATE_SEED}), ${figures.size} Corefiles, ${compared} answers compared, ${disagreements.length} disagreements`]
    for (const [name, f] of figures) {
      const via = [...(routes.get(name) ?? [])].map(([p, n]) => `${p} ${n}`).join(', ')
      lines.push(`        ${name}: ${f.questions} questions, ${f.compared} answers compared, ${disagreements.filter((d) => d.server === name).length} disagreements${via ? ` (routes through ${via})` : ''}`)
    }
    const shown = disagreements.slice(0, 40)
    for (const d of shown) lines.push(`        ✗ [${d.server}, ${d.source}] ${d.question.name} ${d.question.type}: ${d.observed}`)
    if (disagreements.length > shown.length) lines.push(`        … ${disagreements.length - shown.length} more`)
    process.stderr.write(lines.join('\n') + '\n')
    // Every disagreement, for analysis (KDISCO_DIFF_REPORT=file.json).
    if (process.env.KDISCO_DIFF_REPORT) writeFileSync(process.env.KDISCO_DIFF_REPORT, JSON.stringify(disagreements, null, 1))
  })

  const tally = (name: string, questions: number, answers: number) => {
    const f = figures.get(name) ?? {questions: 0, compared: 0}
    f.questions += questions
    f.compared += answers
    figures.set(name, f)
    compared += answers
  }

  it('answers every name of every generated state exactly as CoreDNS does, for each Corefile and each way of reading', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-differential-'))
    const snaps = await snapshots(c, dir)
    const replicas: CoreDnsReplica[] = c.coreDns.filter((r) => r.index === 0)
    for (const replica of replicas) {
      const models: Record<string, ClusterDns> = {}
      for (const [source, snap] of Object.entries(snaps)) if (source === 'live' || EVERY_SOURCE.has(replica.spec.name)) models[source] = modelFor(replica, snap)
      for (const state of states) {
        const services = snaps.live.services.filter((s) => state.namespaces.includes(s.metadata.namespace ?? 'default')).map((s) => ({name: s.metadata.name, namespace: s.metadata.namespace ?? 'default'}))
        const questions = [...questionsFor(models.live, snaps.live.pods, state.namespaces, state.seed), ...corefileQuestions(replica.spec.name, services)]
        const observed = await askAll(replica.dns, questions)
        // Asked directly, not through NodeLocal DNSCache; from the address the harness asks from (no pod's).
        const forwarded = questions.map((q) => ({q, expected: models.live.answer(q.name, q.type, {direct: true})})).filter((x) => x.expected.forwarded)
        const upstream = await askAll({host: '127.0.0.1', port: c.upstream.port}, forwarded.map((x) => upstreamQuestion(x.expected, x.q)))
        let answers = 0
        for (const q of questions) {
          const got = observed.get(`${q.name} ${q.type}`)!
          for (const [source, model] of Object.entries(models)) {
            const expected = model.answer(q.name, q.type, {direct: true})
            if (source === 'live') route(replica.spec.name, expected.route.plugins)
            answers++
            const uq = upstreamQuestion(expected, q)
            const diff = difference(expected, got, upstream.get(`${uq.name} ${uq.type}`), q)
            if (diff) disagreements.push({server: replica.spec.name, question: q, source, expected: '', observed: diff})
          }
        }
        tally(replica.spec.name, questions.length, answers)
      }
    }
    expect(compared).to.be.greaterThan(1000)
    // Each test Corefile's own plugins answered some of its questions.
    const signature: Record<string, string> = {aks: 'rewrite', k3s: 'hosts', rewrite: 'rewrite', 'template-hosts': 'template', 'stub-domain': 'forward'}
    for (const [name, plugin] of Object.entries(signature)) if (routes.has(name)) expect(routes.get(name)!.get(plugin) ?? 0, `${name} through ${plugin}`).to.be.greaterThan(10)
    expect(routes.get('template-hosts')?.get('hosts') ?? 0).to.be.greaterThan(10)
    expect(disagreements.map((d) => `[${d.server}, ${d.source}] ${d.question.name} ${d.question.type}: ${d.observed}`)).to.deep.equal([])
  })

  describe('autopath @kubernetes: questions from a pod', () => {
    let replica: CoreDnsReplica | undefined
    before(function () {
      replica = c?.coreDns.find((r) => r.spec.name === 'autopath')
      if (!replica || !canUseMountNamespace()) {
        const msg = 'the autopath CoreDNS needs root: port 53, addresses on the loopback interface, a mount namespace'
        if (process.env.CI === 'true') throw new Error(msg)
        process.stderr.write(`\n  !!! SKIPPING autopath differential: ${msg}\n\n`)
        this.skip()
      }
    })

    it("answers what CoreDNS answers a pod it knows by its address, and the pod's search walk ends where dig +search and getent end", async () => {
      const snap = (await loadLiveSnapshot({kubeconfig: c.kubeconfig, allNamespaces: true, timeoutMs: 30000, query: {mode: 'namespace', kinds: ['pods', 'statefulsets']}})).snapshot
      // CoreDNS's own resolv.conf search domains are the machine's here (in a cluster, the node's): kdisco is told them.
      const hostSearch = readHostSearch()
      const model = new ClusterDns(snap, resolveDnsSettings({nodeSearch: [hostSearch.join(',')].filter(Boolean)}, snap, corefileSource(replica!.corefilePath, snap)))
      const address = AUTOPATH_ADDRESS!
      // Two states are enough here: each pod's walk is a process per name (dig, getent) in a mount namespace.
      for (const state of states.slice(0, 2)) {
        const pod = snap.pods.find((p) => p.metadata.namespace === state.namespaces[0] && p.status?.phase === 'Running' && p.status.podIP && !p.status.podIP.includes(':') && !p.metadata.deletionTimestamp)
        if (!pod) continue
        const ip = pod.status!.podIP!
        const ns = state.namespaces[0]
        const services = snap.services.filter((s) => state.namespaces.includes(s.metadata.namespace ?? 'default'))
        const shortNames = [...new Set([...services.flatMap((s) => [s.metadata.name, `${s.metadata.name}.${s.metadata.namespace}`, `${s.metadata.name}.${s.metadata.namespace}.svc`]), 'nope', `nope.${ns}`, 'api.example.org', 'kubernetes.default'])]
        const root = asRoot(['ip', 'addr', 'replace', `${ip}/32`, 'dev', 'lo'])!
        spawnSync(root[0], root[1])
        try {
          // Direct questions for the pod's first search candidate, from its address.
          const questions: Question[] = []
          for (const short of shortNames) for (const type of ['A', 'AAAA', 'SRV', 'TXT', 'CNAME']) questions.push({name: `${short}.${ns}.svc.cluster.local.`, type})
          questions.push({name: `${ns}.svc.cluster.local.`, type: 'A'})
          const observed = await askAll(replica!.dns, questions, 8, ip)
          const expectations = questions.map((q) => ({q, expected: model.answer(q.name, q.type, {asker: {ip}, direct: true})}))
          const upstream = await askAll({host: '127.0.0.1', port: c.upstream.port}, expectations.filter((x) => x.expected.forwarded).map((x) => upstreamQuestion(x.expected, x.q)))
          for (const {q, expected} of expectations) {
            route('autopath', expected.route.autopath?.answeredBy ? ['autopath'] : expected.route.plugins)
            const uq = upstreamQuestion(expected, q)
            const diff = difference(expected, observed.get(`${q.name} ${q.type}`)!, upstream.get(`${uq.name} ${uq.type}`), q)
            if (diff) disagreements.push({server: 'autopath', question: q, source: `from pod ${ns}/${pod.metadata.name}`, expected: '', observed: diff})
          }
          // The walk: dig +search and getent in a mount namespace holding the pod's resolv.conf, asking from its address.
          const conf = podResolvConf({namespace: ns}, {clusterDomain: 'cluster.local', clusterDnsIps: [address], node: model.settings.node})
          const walks = await resolverWalks(address, ip, conf.searches, shortNames)
          for (const short of shortNames) {
            const seen = walks.get(short)!
            const predicted = resolveName(model, short, 'A', conf, {ip})
            // Records upstream adds are not predicted: then only the rcode is compared.
            const want = `${predicted.rcode ?? 'forwarded'} ${predicted.forwarded ? '' : predicted.answers.filter((r) => r.type === 'A').map((r) => r.data).sort().join(',')}`
            const got = `${seen.dig.status} ${predicted.forwarded ? '' : seen.dig.addresses.sort().join(',')}`
            if (predicted.rcode !== null && want !== got) disagreements.push({server: 'autopath', question: {name: short, type: 'A'}, source: `dig +search from ${ns}/${pod.metadata.name}`, expected: want, observed: `expected ${want}, got ${got}`})
            const apps = predictedApplications(model, short, conf, ip)
            if (apps !== undefined && apps.join(',') !== seen.getent.sort().join(',')) disagreements.push({server: 'autopath', question: {name: short, type: 'A+AAAA'}, source: `getent ahosts from ${ns}/${pod.metadata.name}`, expected: apps.join(','), observed: `expected [${apps.join(', ')}], got [${seen.getent.join(', ')}]`})
          }
          tally('autopath', questions.length + shortNames.length * 2, questions.length + shortNames.length * 2)
        } finally {
          const del = asRoot(['ip', 'addr', 'del', `${ip}/32`, 'dev', 'lo'])!
          spawnSync(del[0], del[1])
        }
      }
      expect(figures.get('autopath')?.compared ?? 0).to.be.greaterThan(100)
      expect(routes.get('autopath')?.get('autopath') ?? 0, 'answers autopath walked').to.be.greaterThan(10)
      expect(disagreements.filter((d) => d.server === 'autopath').map((d) => `[${d.source}] ${d.question.name} ${d.question.type}: ${d.observed}`)).to.deep.equal([])
    })
  })
})

/** The search domains of this machine's resolv.conf: CoreDNS's own, which autopath appends. */
function readHostSearch(): string[] {
  const text = spawnSync('cat', ['/etc/resolv.conf'], {encoding: 'utf8'}).stdout ?? ''
  let search: string[] = []
  for (const line of text.split('\n')) {
    const [k, ...rest] = line.trim().split(/\s+/)
    if (k === 'search' || k === 'domain') search = rest
  }
  return search
}

/** What getent ahosts prints for a name: the first search candidate with an A or AAAA record wins, both families. */
function predictedApplications(model: ClusterDns, name: string, conf: {searches: string[]; ndots: number}, ip: string): string[] | undefined {
  for (const candidate of searchCandidates(name, conf)) {
    const a = model.answer(candidate, 'A', {asker: {ip}, direct: true})
    const aaaa = model.answer(candidate, 'AAAA', {asker: {ip}, direct: true})
    if (a.rcode === null || aaaa.rcode === null || a.forwarded || aaaa.forwarded) return undefined
    const addresses = [...a.answers, ...aaaa.answers].filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => r.data)
    if (addresses.length > 0) return [...new Set(addresses)].sort()
    if (a.rcode !== 'NXDOMAIN' && a.rcode !== 'NOERROR') return []
  }
  return []
}

/**
 * dig +search and getent ahosts for each name, in a mount namespace whose /etc/resolv.conf is the pod's, with the
 * nameserver's local route sending from the pod's address (so CoreDNS knows the asker), restored afterwards.
 */
async function resolverWalks(nameserver: string, podIp: string, searches: string[], names: string[]): Promise<Map<string, {dig: {status: string; addresses: string[]}; getent: string[]}>> {
  const dir = mkdtempSync(join(tmpdir(), 'kdisco-autopath-'))
  const resolvConf = join(dir, 'resolv.conf')
  writeFileSync(resolvConf, `search ${searches.join(' ')}\nnameserver ${nameserver}\noptions ndots:5\n`)
  const script = 'mount --bind "$0" /etc/resolv.conf || exit 9; for n in "$@"; do echo "@@name $n"; dig +search +noall +comments +answer +time=2 +tries=1 "$n" A; echo "@@getent"; getent ahosts "$n"; done'
  const setRoute = asRoot(['ip', 'route', 'replace', 'local', nameserver, 'dev', 'lo', 'table', 'local', 'proto', 'kernel', 'scope', 'host', 'src', podIp])!
  const restore = asRoot(['ip', 'route', 'replace', 'local', nameserver, 'dev', 'lo', 'table', 'local', 'proto', 'kernel', 'scope', 'host', 'src', nameserver])!
  spawnSync(setRoute[0], setRoute[1])
  let out = ''
  try {
    const cmd = asRoot([UNSHARE, '-m', '/bin/sh', '-c', script, resolvConf, ...names])!
    out = spawnSync(cmd[0], cmd[1], {encoding: 'utf8', timeout: 600000, maxBuffer: 1 << 26}).stdout ?? ''
  } finally {
    spawnSync(restore[0], restore[1])
  }
  const result = new Map<string, {dig: {status: string; addresses: string[]}; getent: string[]}>()
  for (const chunk of out.split('@@name ').slice(1)) {
    const [head, ...lines] = chunk.split('\n')
    const at = lines.indexOf('@@getent')
    const digLines = lines.slice(0, at)
    const status = /status: ([A-Z]+)/.exec(digLines.filter((l) => l.includes('status:')).at(-1) ?? '')?.[1] ?? 'no answer'
    const addresses = digLines.filter((l) => !l.startsWith(';') && /\sIN\sA\s/.test(l)).map((l) => l.trim().split(/\s+/).at(-1)!)
    const getent = [...new Set(lines.slice(at + 1).filter((l) => /STREAM/.test(l)).map((l) => l.split(/\s+/)[0]))]
    result.set(head.trim(), {dig: {status, addresses}, getent})
  }
  return result
}

