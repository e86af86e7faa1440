// `npm run bench`: start-up and scale figures, medians of several runs, ratios taken side by side in one run.
// Prints a table; nothing here asserts (targets are read by people, BENCHMARKS.md records them).
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, statSync, writeFileSync} from 'node:fs'
import {cpus, totalmem} from 'node:os'
import {fileURLToPath} from 'node:url'
import {writeCluster} from './generate.js'
import {KubeApiServer} from '../test/support/kube-api-server.js'
import {loadExamples} from '../test/support/cluster-objects.js'
import {startNsd} from '../test/support/nsd.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const OUT = fileURLToPath(new URL('./out/', import.meta.url))
const BIN = `${ROOT}bin/run.cjs`
const RUNS = Number(process.env.BENCH_RUNS ?? 7)
const QUICK = process.env.BENCH_QUICK === '1'

interface Measure {
  ms: number
  rssMb: number
}

/** args run under node, or as a program of their own when `program` is set (dig). */
function once(args: string[], program = false, ok: number[] = [0]): Measure {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...(program ? [] : [process.execPath]), ...args], {cwd: ROOT, encoding: 'utf8', env: {...process.env, NODE_ENV: 'production'}, maxBuffer: 1 << 30})
  if (!ok.includes(r.status ?? -1)) throw new Error(`failed: node ${args.join(' ')}\n${r.stderr.slice(-2000)}`)
  const last = r.stderr.trim().split('\n').at(-1)!.split(' ')
  return {ms: Number(last[0]) * 1000, rssMb: Number(last[1]) / 1024}
}

const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/**
 * Medians of commands that are compared with each other, their runs interleaved (a, b, a, b…): this machine's speed
 * drifts by tens of percent over minutes, and a ratio of two series taken one after the other measures the drift.
 */
function medians(commands: {args: string[]; program?: boolean; ok?: number[]}[], runs = RUNS): Measure[] {
  for (const c of commands) once(c.args, c.program, c.ok) // warm the page cache
  const all = commands.map(() => [] as Measure[])
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => all[j].push(once(c.args, c.program, c.ok)))
  return all.map((ms) => ({ms: middle(ms.map((m) => m.ms)), rssMb: middle(ms.map((m) => m.rssMb))}))
}

function median(args: string[], runs = RUNS, program = false, ok = [0]): Measure {
  return medians([{args, program, ok}], runs)[0]
}

// /usr/bin/time reports wall seconds with 10 ms resolution; time start-up with hrtime for finer figures.
function walls(commands: string[][], runs = RUNS): number[] {
  const one = (args: string[]) => {
    const start = process.hrtime.bigint()
    const r = spawnSync(process.execPath, args, {cwd: ROOT, env: {...process.env, NODE_ENV: 'production'}, maxBuffer: 1 << 30})
    if (r.status !== 0) throw new Error(`failed: ${args.join(' ')}: ${r.stderr}`)
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  for (const args of commands) one(args)
  const t = commands.map(() => [] as number[])
  for (let i = 0; i < runs; i++) commands.forEach((args, j) => t[j].push(one(args)))
  return t.map(middle)
}

const rows: string[][] = []
const row = (figure: string, value: string, target: string) => {
  rows.push([figure, value, target])
  process.stderr.write(`  ${figure}: ${value}\n`)
}

process.stderr.write(`kdisco bench — ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${RUNS} runs each\n`)
const [nodeBase, help, offline] = walls([['-e', '0'], [BIN, '--help'], [BIN, 'svc', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json']], RUNS * 3)
row('node -e 0', `${nodeBase.toFixed(0)} ms`, 'baseline')
row('kdisco --help', `${help.toFixed(0)} ms (${(help / nodeBase).toFixed(2)}× node)`, '≤ 2.0× node')
row('kdisco svc lookup kubia -f examples/ -o json', `${offline.toFixed(0)} ms (${(offline / nodeBase).toFixed(2)}× node)`, '≤ 2.0× node')

// Live commands need the API test server in this process, so they are timed without blocking the event loop.
async function wallsAsync(commands: string[][], runs = RUNS): Promise<number[]> {
  const one = (args: string[]) =>
    new Promise<number>((resolve, reject) => {
      const start = process.hrtime.bigint()
      const child = spawn(process.execPath, args, {cwd: ROOT, env: {...process.env, NODE_ENV: 'production'}, stdio: 'ignore'})
      child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`exit ${code}: ${args.join(' ')}`))))
    })
  for (const args of commands) await one(args)
  const t = commands.map(() => [] as number[])
  for (let i = 0; i < runs; i++) for (let j = 0; j < commands.length; j++) t[j].push(await one(commands[j]))
  return t.map(middle)
}

const api = await new KubeApiServer().start()
await loadExamples(api)
const kubeconfig = api.kubeconfig()
const [live, offlineAsync] = await wallsAsync([
  [BIN, 'svc', 'list', '--kubeconfig', kubeconfig, '-o', 'json'],
  [BIN, 'svc', 'list', '-f', 'examples/', '-o', 'json'],
])
row('kdisco svc list (live, API test server) vs -f examples/', `${live.toFixed(0)} ms vs ${offlineAsync.toFixed(0)} ms (+${((live - offlineAsync) / 1000).toFixed(2)} s)`, '≤ +0.25 s')
for (const cmd of [['svc', 'lookup', 'kubia'], ['svc', 'endpoints', 'kubia'], ['svc', 'list', '-A'], ['dns', 'zone', '-A']]) {
  api.clearLog()
  // One run. Reading cluster state only: the probe's own requests (pod create, polls, log, delete) are not counted.
  await wallsAsync([[BIN, ...cmd, ...(cmd[1] === 'lookup' ? ['--probe', 'none'] : []), '--kubeconfig', kubeconfig, '-o', 'json']], 0)
  row(`API requests: ${cmd.join(' ')}`, `${api.requests.length}`, cmd[1] === 'lookup' || cmd[1] === 'endpoints' ? '≤ 4' : 'one paged LIST per kind')
}
await api.stop()

if (!existsSync(OUT)) mkdirSync(OUT, {recursive: true})
const sizes = QUICK ? [1000] : [1000, 10000, 50000]
const zoneTimes: Record<number, number> = {}
const files = Object.fromEntries(
  sizes.map((services) => {
    const file = `${OUT}cluster-${services}.json`
    if (!existsSync(file)) writeCluster(file, {namespaces: 100, services, pods: services * 10, seed: 7})
    return [services, file]
  }),
)
const zoneArgs = (services: number) => [BIN, 'dns', 'zone', '-A', '-f', files[services], '-o', 'json']
const zoneRuns: Record<number, Measure> = {1000: median(zoneArgs(1000), 5)}
if (!QUICK) {
  // 10k and 50k are timed interleaved: their ratio is the growth figure.
  const [tenK, fiftyK] = medians([{args: zoneArgs(10000)}, {args: zoneArgs(50000)}], 3)
  zoneRuns[10000] = tenK
  zoneRuns[50000] = fiftyK
}
for (const services of sizes) {
  const file = files[services]
  const mb = (statSync(file).size / 2 ** 20).toFixed(0)
  const zone = zoneRuns[services]
  zoneTimes[services] = zone.ms
  row(`dns zone -A -o json, ${services} Services / ${services * 10} pods (${mb} MB)`, `${(zone.ms / 1000).toFixed(2)} s, ${zone.rssMb.toFixed(0)} MB RSS`, services === 10000 ? '< 1.5 s, < 400 MB' : '')
  if (services === 10000 || (QUICK && services === 1000)) {
    // The zone, one lookup and the bare parse interleaved: the parse is the floor any reader of this file has on this
    // machine, measured in the same run, and the reference for the other two.
    const [zoneBeside, lookup, parse] = medians([{args: zoneArgs(services)}, {args: [BIN, 'dns', 'lookup', 'svc-5.ns-5', '-f', file, '-o', 'json']}, {args: ['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`]}], 7)
    row(`node -e: bare JSON.parse of the ${mb} MB file`, `${(parse.ms / 1000).toFixed(2)} s, ${parse.rssMb.toFixed(0)} MB RSS`, 'reference')
    row(`dns zone -A -o json beside the bare parse`, `${(zoneBeside.ms / 1000).toFixed(2)} s, ${zoneBeside.rssMb.toFixed(0)} MB (${(zoneBeside.ms / parse.ms).toFixed(2)}× time, ${(zoneBeside.rssMb / parse.rssMb).toFixed(2)}× RSS)`, '≤ 2.0× time, ≤ 1.5× RSS')
    row(`dns lookup one name, ${services} Services`, `${(lookup.ms / 1000).toFixed(2)} s (${(lookup.ms / parse.ms).toFixed(2)}× a bare JSON.parse of the file)`, '< 2× parse')
  }
}
if (zoneTimes[50000] && zoneTimes[10000]) row('growth 50k / 10k', `${(zoneTimes[50000] / zoneTimes[10000]).toFixed(2)}×`, '≤ 5.5×')

// Probe throughput: one headless Service whose endpoints give N names (A per endpoint name plus PTRs), asked by
// `svc lookup --probe server` and by `dig -f` (one batch, same names, same NSD) in the same run.
const nsd = ['/usr/sbin/nsd', '/usr/bin/nsd'].find((p) => existsSync(p))
const dig = ['/usr/bin/dig'].find((p) => existsSync(p))
if (!nsd || !dig) row('probe throughput', 'skipped: needs nsd and dig (apt-get install nsd bind9-dnsutils)', 'kdisco ≥ dig')
else
  for (const names of QUICK ? [1000] : [1000, 5000]) {
    const endpoints = Math.floor(names / 2)
    const file = `${OUT}probe-${names}.yaml`
    const eps = Array.from({length: endpoints}, (_, i) => `  - addresses: [10.200.${Math.floor(i / 250)}.${(i % 250) + 1}]\n    conditions: {ready: true}`).join('\n')
    writeFileSync(file, `apiVersion: v1\nkind: Service\nmetadata: {name: wide, namespace: bench}\nspec: {clusterIP: None, ports: [{name: http, port: 80}]}\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: wide-1, namespace: bench, labels: {kubernetes.io/service-name: wide}}\naddressType: IPv4\nendpoints:\n${eps}\nports: [{name: http, port: 80, protocol: TCP}]\n`)
    const zone = (z: string) => execFileSync(process.execPath, [BIN, 'dns', 'zone', '-A', '-f', file, '--zone', z], {cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28})
    const server = await startNsd(nsd, [{name: 'cluster.local', text: zone('cluster.local')}, {name: 'in-addr.arpa', text: zone('in-addr.arpa')}])
    const report = JSON.parse(execFileSync(process.execPath, [BIN, 'svc', 'lookup', 'wide', '-n', 'bench', '-f', file, '-o', 'json'], {cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28}))
    const questions = new Set<string>()
    for (const q of report.queries as {name: string; type: string; kind: string; tried?: {name: string}[]}[]) for (const n of q.kind === 'short-name' ? (q.tried ?? []).map((t) => t.name) : [q.name]) questions.add(`${n} ${q.type}`)
    const batch = `${OUT}probe-${names}.batch`
    writeFileSync(batch, [...questions].join('\n') + '\n')
    const server53 = `127.0.0.1:${server.port}`
    const probeArgs = [BIN, 'svc', 'lookup', 'wide', '-n', 'bench', '-f', file, '--probe', 'server', '--dns-server', server53, '-o', 'json']
    // Exit 1 is a verdict, not a failure: at 5k names the SRV answer (2500 targets) exceeds a DNS message's 64 KiB,
    // and NSD then sends none of it (CoreDNS sends the records that fit, which is what kdisco expects).
    const [kd, digRun, plain] = medians([{args: probeArgs, ok: [0, 1]}, {args: [dig, '@127.0.0.1', '-p', String(server.port), '+norec', '+tries=1', '-f', batch], program: true}, {args: [BIN, 'svc', 'lookup', 'wide', '-n', 'bench', '-f', file, '-o', 'json']}], 5)
    await server.stop()
    row(`probe ${questions.size} names: svc lookup --probe server vs dig -f`, `${(kd.ms / 1000).toFixed(2)} s (${((kd.ms - plain.ms) / 1000).toFixed(2)} s probing) vs ${(digRun.ms / 1000).toFixed(2)} s`, 'kdisco ≥ dig')
  }

const widths = [0, 1, 2].map((i) => Math.max(...[['FIGURE', 'MEASURED', 'TARGET'], ...rows].map((r) => r[i].length)))
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
console.log(line(['FIGURE', 'MEASURED', 'TARGET']))
for (const r of rows) console.log(line(r))
