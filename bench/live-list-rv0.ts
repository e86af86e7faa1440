// `npm run bench:live-rv0`: does a LIST from the API server's watch cache (resourceVersion=0) pay, against the
// default (no resourceVersion: a consistent read, which Kubernetes ≥ 1.34 also serves from the watch cache after
// checking etcd's current revision)? On the real control plane (test/real-cluster), with BENCH_RV0_SERVICES Services
// (default 3000) in one namespace, the same paged LIST kdisco makes (limit=500 + continue) and an unpaged one, each
// way, runs interleaved; prints medians of wall time and of the CPU the API server and etcd spent (their
// /proc/<pid>/stat), the pages each way returned and the bytes. Nothing asserts: the figures are read by people.
import {readFileSync} from 'node:fs'
import {cpus, totalmem} from 'node:os'
import {RealCluster} from '../test/real-cluster/cluster.js'
import {missingBinaries} from '../test/real-cluster/components.js'

const SERVICES = Number(process.env.BENCH_RV0_SERVICES ?? 3000)
const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const NAMESPACE = 'bench-rv0'
const TICK_MS = 10 // USER_HZ is 100 on Linux

/** User + system CPU of a process so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

interface Way {
  label: string
  query: string
  paged: boolean
}

const WAYS: Way[] = [
  {label: 'paged, consistent (kdisco today)', query: 'limit=500', paged: true},
  {label: 'paged, resourceVersion=0', query: 'limit=500&resourceVersion=0', paged: true},
  {label: 'unpaged, consistent', query: '', paged: false},
  {label: 'unpaged, resourceVersion=0', query: 'resourceVersion=0', paged: false},
]

interface Sample {
  ms: number
  apiCpuMs: number
  etcdCpuMs: number
  pages: number
  items: number
  bytes: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main(): Promise<void> {
  const missing = missingBinaries()
  if (missing.length > 0) throw new Error(`the real control plane is not built (missing ${missing.join(', ')}): npm run components`)
  process.stderr.write(`starting the real control plane, then creating ${SERVICES} Services…\n`)
  const cluster = await RealCluster.start({coreDns: []})
  try {
    const pid = (name: string) => cluster.processes.processes.find((p) => p.name === name)!.child.pid!
    const apiPid = pid('kube-apiserver')
    const etcdPid = pid('etcd')
    await cluster.createNamespace(NAMESPACE)
    const names = Array.from({length: SERVICES}, (_, i) => `svc-${String(i).padStart(5, '0')}`)
    for (let i = 0; i < names.length; i += 25)
      await Promise.all(
        names.slice(i, i + 25).map((name) =>
          cluster.api.create({apiVersion: 'v1', kind: 'Service', metadata: {name, namespace: NAMESPACE, labels: {app: name, tier: 'bench'}}, spec: {selector: {app: name}, ports: [{name: 'http', port: 80, targetPort: 8080}, {name: 'metrics', port: 9090}]}}),
        ),
      )
    const path = `/api/v1/namespaces/${NAMESPACE}/services`
    const listOnce = async (way: Way): Promise<Sample> => {
      const api0 = cpuMs(apiPid)
      const etcd0 = cpuMs(etcdPid)
      const t0 = performance.now()
      let token: string | undefined
      let pages = 0
      let items = 0
      let bytes = 0
      do {
        const q = [way.query, token ? `continue=${encodeURIComponent(token)}` : ''].filter(Boolean).join('&')
        const page = (await cluster.api.request('GET', q ? `${path}?${q}` : path)) as {items: unknown[]; metadata: {continue?: string}}
        pages++
        items += page.items.length
        bytes += JSON.stringify(page).length
        token = page.metadata.continue || undefined
      } while (token)
      const ms = performance.now() - t0
      return {ms, apiCpuMs: cpuMs(apiPid) - api0, etcdCpuMs: cpuMs(etcdPid) - etcd0, pages, items, bytes}
    }
    for (const way of WAYS) await listOnce(way) // warm: the watch cache, connections
    const samples = WAYS.map(() => [] as Sample[])
    for (let r = 0; r < RUNS; r++) for (const [i, way] of WAYS.entries()) samples[i].push(await listOnce(way))
    const version = ((await cluster.api.request('GET', '/version')) as {gitVersion: string}).gitVersion
    const out = [
      `LIST of ${SERVICES} Services in one namespace, kube-apiserver ${version}, medians of ${RUNS} interleaved runs (${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GB; CPU from /proc, 10 ms ticks)`,
      '',
      '| Way | Pages | Items | MB | Wall ms | API server CPU ms | etcd CPU ms |',
      '|---|---|---|---|---|---|---|',
      ...WAYS.map((way, i) => {
        const s = samples[i]
        return `| ${way.label} (\`${way.query || 'no query'}\`) | ${median(s.map((x) => x.pages))} | ${median(s.map((x) => x.items))} | ${(median(s.map((x) => x.bytes)) / 1e6).toFixed(1)} | ${median(s.map((x) => x.ms)).toFixed(0)} | ${median(s.map((x) => x.apiCpuMs))} | ${median(s.map((x) => x.etcdCpuMs))} |`
      }),
    ]
    const base = median(samples[0].map((x) => x.ms))
    out.push('', `resourceVersion=0 / consistent, paged: ${(median(samples[1].map((x) => x.ms)) / base).toFixed(2)}× wall time`)
    process.stdout.write(`${out.join('\n')}\n`)
  } finally {
    await cluster.stop()
  }
}

main().catch((e) => {
  process.stderr.write(`bench:live-rv0: ${(e as Error).message}\n`)
  process.exit(1)
})
