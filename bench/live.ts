// `npm run bench:live`: kdisco's live commands against a real control plane (test/real-cluster) loaded by a seeded
// generator — 100 namespaces, 10k Services (a quarter headless), 50k pods made Running/Ready by KWOK, the slices the
// real EndpointSlice controller writes — side by side with the kubectl reads that fetch the same objects, in one run.
// KDISCO_BENCH_SCALE=0.1 loads a tenth (Services and pods; always 100 namespaces). BENCH_RUNS sets the runs per
// figure (medians, runs interleaved). Prints a table; nothing here asserts (BENCHMARKS.md records the figures).
import {spawn} from 'node:child_process'
import {cpus, totalmem} from 'node:os'
import {fileURLToPath} from 'node:url'
import {AUDITED_USER, RealCluster} from '../test/real-cluster/cluster.js'
import {AuditLog, shape} from '../test/real-cluster/audit.js'
import type {ApiObject} from '../test/real-cluster/api.js'
import {waitUntil} from '../test/real-cluster/processes.js'
import {readmeClusterRoles} from '../test/real-cluster/rbac.js'
import {rng} from './generate.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const BIN = `${ROOT}bin/run.cjs`
const SCALE = Number(process.env.KDISCO_BENCH_SCALE ?? 1)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const NAMESPACES = 100
const SERVICES = Math.max(NAMESPACES, Math.round(10000 * SCALE))
const PODS_PER_SERVICE = 5
/** Requests in flight while loading: enough to keep the API server and etcd busy on 2 cores, not to starve them. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 48)
if (!(SCALE > 0 && SCALE <= 1)) throw new Error('KDISCO_BENCH_SCALE must be in (0, 1]')

const log = (line: string) => process.stderr.write(`${line}\n`)
const started = Date.now()
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`

/** Runs `work(i)` for i < n with at most `limit` in flight; returns the seconds it took. */
async function pool(n: number, limit: number, work: (i: number) => Promise<unknown>, what: string): Promise<number> {
  const t0 = Date.now()
  let next = 0
  let done = 0
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      await work(i)
      if (++done % 5000 === 0) log(`  ${what}: ${done}/${n} (${elapsed()})`)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, n)}, worker))
  return (Date.now() - t0) / 1000
}

/** Retries a write the server refuses for a moment (a namespace's ServiceAccount not there yet, 429, 5xx). */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (e) {
      const status = (e as {status?: number}).status ?? 0
      if (attempt > 20 || !(status === 0 || status === 429 || status >= 500 || /serviceaccount .* not found/i.test(String(e)))) throw e
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)))
    }
  }
}

interface Service {
  ns: string
  name: string
  headless: boolean
}

function plan(): Service[] {
  return Array.from({length: SERVICES}, (_, s) => ({ns: `ns-${s % NAMESPACES}`, name: `svc-${s}`, headless: s % 4 === 0}))
}

async function load(c: RealCluster, services: Service[]): Promise<Record<string, number>> {
  const rand = rng(7)
  const timings: Record<string, number> = {}
  // Two nodes of their own with /16 pod CIDRs (the harness's have /24s): KWOK gives pods addresses from them.
  const nodes = ['bench-node-0', 'bench-node-1']
  for (const [i, name] of nodes.entries())
    await c.api.apply({apiVersion: 'v1', kind: 'Node', metadata: {name, labels: {type: 'kwok', 'kubernetes.io/hostname': name}, annotations: {'kwok.x-k8s.io/node': 'fake'}}, spec: {podCIDR: `10.${180 + i}.0.0/16`, podCIDRs: [`10.${180 + i}.0.0/16`]}})
  await waitUntil('bench nodes Ready', async () => {
    const ready = await Promise.all(nodes.map(async (n) => ((await c.api.get('Node', undefined, n)).status?.conditions ?? []).some((x: {type: string; status: string}) => x.type === 'Ready' && x.status === 'True')))
    return ready.every(Boolean)
  }, {timeoutMs: 60000})
  timings.namespaces = await pool(NAMESPACES, 16, (n) => c.createNamespace(`ns-${n}`), 'namespaces')
  log(`namespaces: ${timings.namespaces.toFixed(1)} s`)
  // Pods first, bound to a node (the scheduler's 50 QPS would take minutes), then Services: the EndpointSlice
  // controller then writes each slice once, with its pods already ready, instead of rewriting it as they turn ready.
  const pods: ApiObject[] = []
  for (const [s, svc] of services.entries())
    for (let i = 0; i < PODS_PER_SERVICE; i++) {
      const name = `${svc.name}-${i}`
      pods.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {name, namespace: svc.ns, labels: {app: svc.name}},
        spec: {
          nodeName: nodes[(s * PODS_PER_SERVICE + i) % nodes.length],
          automountServiceAccountToken: false,
          containers: [{name: 'app', image: 'registry.example/app:1', ports: [{name: 'http', containerPort: 8080}]}],
          ...(svc.headless ? {hostname: name, subdomain: svc.name} : {}),
        },
      })
    }
  timings.pods = await pool(pods.length, CONCURRENCY, (i) => retrying(() => c.api.create(pods[i])), 'pods created')
  log(`pods created: ${pods.length} in ${timings.pods.toFixed(1)} s (${(pods.length / timings.pods).toFixed(0)}/s)`)
  const t0 = Date.now()
  await waitUntil('every bench pod Running (KWOK)', async () => {
    // From the watch cache (resourceVersion=0, no limit): a selective LIST from etcd reads every pod each poll.
    const pending = await c.api.request('GET', '/api/v1/pods?resourceVersion=0&fieldSelector=status.phase!%3DRunning,spec.nodeName!%3Dkwok-node-0,spec.nodeName!%3Dkwok-node-1')
    return pending.items.length === 0
  }, {timeoutMs: 3600000, intervalMs: 2000})
  timings.ready = (Date.now() - t0) / 1000
  log(`pods Running/Ready (KWOK): ${timings.ready.toFixed(1)} s after the last create`)
  const objects: ApiObject[] = services.map((svc) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {name: svc.name, namespace: svc.ns},
    spec: {
      ...(svc.headless ? {clusterIP: 'None'} : {}),
      selector: {app: svc.name},
      ports: [{name: 'http', port: 80, targetPort: 8080, protocol: 'TCP'}, ...(rand() < 0.3 ? [{name: 'grpc', port: 9090, protocol: 'TCP'}] : [])],
    },
  }))
  timings.services = await pool(objects.length, CONCURRENCY, (i) => retrying(() => c.api.create(objects[i])), 'Services created')
  log(`Services created: ${objects.length} in ${timings.services.toFixed(1)} s`)
  const t1 = Date.now()
  // Every bench Service has its slice with all its pods' endpoints: counted from one LIST per poll.
  await waitUntil('EndpointSlices written by the controller', async () => {
    const slices = await c.api.list<{metadata: {namespace: string; labels?: Record<string, string>}; endpoints?: {conditions?: {ready?: boolean}}[]}>('EndpointSlice', undefined, 'resourceVersion=0')
    let complete = 0
    for (const sl of slices) if (sl.metadata.namespace.startsWith('ns-') && (sl.endpoints ?? []).filter((e) => e.conditions?.ready).length === PODS_PER_SERVICE) complete++
    log(`  slices complete: ${complete}/${services.length} (${elapsed()})`)
    return complete >= services.length
  }, {timeoutMs: 3600000, intervalMs: 3000})
  timings.slices = (Date.now() - t1) / 1000
  log(`EndpointSlices complete: ${timings.slices.toFixed(1)} s after the last Service`)
  return timings
}

interface Run {
  ms: number
  stdoutBytes: number
}

/** One command (argv, or a shell line), its wall time; exit codes other than `ok` are failures. */
function run(cmd: string[] | string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const [file, args] = typeof cmd === 'string' ? ['/bin/sh', ['-c', cmd]] : [cmd[0], cmd.slice(1)]
    const child = spawn(file, args, {cwd: ROOT, env: {...process.env, NODE_ENV: 'production', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdoutBytes = 0
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdoutBytes += d.length))
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)))
    child.on('close', (code) => (code === 0 ? resolve({ms: Number(process.hrtime.bigint() - t0) / 1e6, stdoutBytes}) : reject(new Error(`exit ${code}: ${typeof cmd === 'string' ? cmd : cmd.join(' ')}\n${stderr}`))))
  })
}

const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** Medians of commands compared with each other, runs interleaved (the machine's speed drifts over minutes). */
async function medians(commands: (string[] | string)[], runs = RUNS): Promise<number[]> {
  for (const c of commands) await run(c) // warm: page cache, the API server's watch cache
  const all = commands.map(() => [] as number[])
  for (let i = 0; i < runs; i++) for (const [j, c] of commands.entries()) all[j].push((await run(c)).ms)
  return all.map(middle)
}

/** Bytes the API server sent for GET and LIST of Services, EndpointSlices and Pods: its apiserver_response_sizes. */
async function responseBytes(c: RealCluster): Promise<number> {
  const text: string = await c.api.request('GET', '/metrics')
  let sum = 0
  for (const line of text.split('\n'))
    if (line.startsWith('apiserver_response_sizes_sum{') && /resource="(services|endpointslices|pods)"/.test(line) && /verb="(GET|LIST)"/.test(line)) sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  return sum
}

/** Bytes one command makes the server send (nothing else reads these kinds here but watches, which are not counted). */
async function bytesOf(c: RealCluster, cmd: string[] | string): Promise<number> {
  const before = await responseBytes(c)
  await run(cmd)
  return (await responseBytes(c)) - before
}

const rows: string[][] = []
const row = (figure: string, value: string, target: string) => {
  rows.push([figure, value, target])
  log(`  ${figure}: ${value}${target ? `   [${target}]` : ''}`)
}
const kb = (b: number) => (b >= 1 << 20 ? `${(b / 2 ** 20).toFixed(1)} MB` : `${(b / 1024).toFixed(1)} KB`)

log(`kdisco live bench — ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; scale ${SCALE}: ${NAMESPACES} namespaces, ${SERVICES} Services, ${SERVICES * PODS_PER_SERVICE} pods; ${RUNS} runs each`)
const c = await RealCluster.start({log: (l) => log(`cluster: ${l}`), controllerQps: 1000})
let failed = false
try {
  const services = plan()
  const timings = await load(c, services)
  row(`load: ${NAMESPACES} namespaces, ${SERVICES} Services, ${SERVICES * PODS_PER_SERVICE} pods`, `${(timings.namespaces + timings.pods + timings.ready + timings.services + timings.slices).toFixed(0)} s (pods ${timings.pods.toFixed(0)} s, Ready ${timings.ready.toFixed(0)} s, Services ${timings.services.toFixed(0)} s, slices ${timings.slices.toFixed(0)} s)`, '')

  // The audited user reads with README's kdisco-reader role; the admin kubeconfig times the commands (no audit cost).
  await c.api.apply(readmeClusterRoles().get('kdisco-reader')!)
  await c.api.apply({apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: {name: 'bench-audited-reader'}, roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kdisco-reader'}, subjects: [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: AUDITED_USER}]})
  const X = services[5] // a ClusterIP Service (every fourth is headless)
  const H = services[4] // a headless one
  const k = c.kubeconfig
  const kd = (...args: string[]) => [process.execPath, BIN, ...args, '--kubeconfig', k]
  const kubectl = (svc: Service, kubeconfig = k) => `kubectl --kubeconfig ${kubeconfig} -n ${svc.ns} get svc ${svc.name} -o json >/dev/null && kubectl --kubeconfig ${kubeconfig} -n ${svc.ns} get endpointslices -l kubernetes.io/service-name=${svc.name} -o json >/dev/null && kubectl --kubeconfig ${kubeconfig} -n ${svc.ns} get pods -l app=${svc.name} -o json >/dev/null`
  const kubectlAll = (kubeconfig = k) => `kubectl --kubeconfig ${kubeconfig} get svc,endpointslices,pods -A -o json >/dev/null`
  await waitUntil('kdisco reads the cluster', async () => (await run(kd('svc', 'lookup', X.name, '-n', X.ns, '--probe', 'none', '-o', 'json')).then(() => true, () => false)) || undefined, {timeoutMs: 30000})

  const [svcLookup, threeReads, dnsLookup, dnsLookupHeadless, threeReadsHeadless] = await medians([
    kd('svc', 'lookup', X.name, '-n', X.ns, '--probe', 'none', '-o', 'json'),
    kubectl(X),
    kd('dns', 'lookup', `${X.name}.${X.ns}`, '--probe', 'none', '-o', 'json'),
    kd('dns', 'lookup', `${H.name}.${H.ns}`, '--probe', 'none', '-o', 'json'),
    kubectl(H),
  ])
  row(`live svc lookup ${X.name} -n ${X.ns} --probe none vs kubectl's 3 reads`, `${svcLookup.toFixed(0)} ms vs ${threeReads.toFixed(0)} ms (${(svcLookup / threeReads).toFixed(2)}×)`, '≤ 1.0×')
  row(`live dns lookup ${X.name}.${X.ns} --probe none vs kubectl's 3 reads`, `${dnsLookup.toFixed(0)} ms vs ${threeReads.toFixed(0)} ms (${(dnsLookup / threeReads).toFixed(2)}×)`, '≤ 1.2×')
  row(`live dns lookup ${H.name}.${H.ns} (headless) vs kubectl's 3 reads`, `${dnsLookupHeadless.toFixed(0)} ms vs ${threeReadsHeadless.toFixed(0)} ms (${(dnsLookupHeadless / threeReadsHeadless).toFixed(2)}×)`, '≤ 1.2×')

  const objectBytes = await bytesOf(c, kubectl(X))
  const dnsBytes = await bytesOf(c, kd('dns', 'lookup', `${X.name}.${X.ns}`, '--probe', 'none', '-o', 'json'))
  const svcBytes = await bytesOf(c, kd('svc', 'lookup', X.name, '-n', X.ns, '--probe', 'none', '-o', 'json'))
  row(`bytes read (API server's response sizes): dns lookup ${X.name}.${X.ns}`, `${kb(dnsBytes)} vs ${kb(objectBytes)} for the objects (${(dnsBytes / objectBytes).toFixed(2)}×)`, '≤ 2×')
  row(`bytes read: svc lookup ${X.name}`, `${kb(svcBytes)} (${(svcBytes / objectBytes).toFixed(2)}× the objects)`, '')

  const [zone, getAll] = await medians([kd('dns', 'zone', '-A', '-o', 'json'), kubectlAll()], Math.max(3, Math.min(RUNS, 3)))
  row('live dns zone -A -o json vs kubectl get svc,endpointslices,pods -A -o json', `${(zone / 1000).toFixed(2)} s vs ${(getAll / 1000).toFixed(2)} s (${(zone / getAll).toFixed(2)}×)`, '≤ 1.5×')
  const zoneBytes = await bytesOf(c, kd('dns', 'zone', '-A', '-o', 'json'))
  const getAllBytes = await bytesOf(c, kubectlAll())
  row('bytes read: dns zone -A vs kubectl get -A', `${kb(zoneBytes)} vs ${kb(getAllBytes)}`, '')

  // API requests per command as the real server recorded them (its audit log, the audited user only).
  const audit = new AuditLog(c)
  const a = c.auditedKubeconfig
  const counted: [string, string[] | string][] = [
    [`svc lookup ${X.name} --probe none`, [process.execPath, BIN, 'svc', 'lookup', X.name, '-n', X.ns, '--probe', 'none', '-o', 'json', '--kubeconfig', a]],
    [`svc endpoints ${X.name}`, [process.execPath, BIN, 'svc', 'endpoints', X.name, '-n', X.ns, '-o', 'json', '--kubeconfig', a]],
    [`pod lookup ${X.name}-0 --probe none`, [process.execPath, BIN, 'pod', 'lookup', `${X.name}-0`, '-n', X.ns, '--probe', 'none', '-o', 'json', '--kubeconfig', a]],
    [`dns lookup ${X.name}.${X.ns} --probe none`, [process.execPath, BIN, 'dns', 'lookup', `${X.name}.${X.ns}`, '--probe', 'none', '-o', 'json', '--kubeconfig', a]],
    ['dns zone -A', [process.execPath, BIN, 'dns', 'zone', '-A', '-o', 'json', '--kubeconfig', a]],
    ["kubectl's 3 reads", kubectl(X, a)],
    ['kubectl get svc,endpointslices,pods -A', kubectlAll(a)],
  ]
  await waitUntil('the audited user to read', async () => (await run(counted[0][1]).then(() => true, () => false)) || undefined, {timeoutMs: 30000})
  for (const [name, cmd] of counted) {
    const mark = audit.mark()
    await run(cmd)
    const events = await audit.since(mark)
    const shapes = new Map<string, number>()
    for (const e of events) {
      const s = shape(e).replace(/\?.*/, (q) => (q.includes('limit=') ? ' (paged)' : q))
      shapes.set(s, (shapes.get(s) ?? 0) + 1)
    }
    const detail = [...shapes].map(([s, n]) => (n > 1 ? `${n}× ${s}` : s)).join('; ')
    row(`API requests (audit log): ${name}`, `${events.length}`, name.startsWith('kubectl') ? 'reference' : name.startsWith('dns zone') ? 'one paged LIST per kind' : '≤ 4')
    log(`    ${name}: ${detail}`)
  }
} catch (e) {
  failed = true
  log(`bench failed: ${(e as Error).stack ?? e}`)
} finally {
  const kept = await c.stop({keepLogs: failed})
  if (kept) log(`cluster logs kept in ${kept}`)
}

const widths = [0, 1, 2].map((i) => Math.max(...[['FIGURE', 'MEASURED', 'TARGET'], ...rows].map((r) => r[i].length)))
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
console.log(`scale ${SCALE}: ${NAMESPACES} namespaces, ${SERVICES} Services (a quarter headless), ${SERVICES * PODS_PER_SERVICE} pods; ${cpus().length} cores, node ${process.version}; medians of ${RUNS}`)
console.log(line(['FIGURE', 'MEASURED', 'TARGET']))
for (const r of rows) console.log(line(r))
if (failed) process.exitCode = 1
