// `npm run bench:standalone`: the standalone binary's start-up against `node -e 0`, side by side in one run (runs
// interleaved: this machine's speed drifts over minutes), with the npm build (node bin/run.cjs) for reference.
// "Cold" is a new process each run, as a user's command line is (the binary reads no file of its own: every run is
// like its first). Prints a table; nothing here asserts.
import {spawnSync} from 'node:child_process'
import {statSync} from 'node:fs'
import {cpus} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const RUNS = Number(process.env.BENCH_RUNS ?? 21)
const BINARY = join(ROOT, 'release', `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`, process.platform === 'win32' ? 'kdisco.exe' : 'kdisco')
const env = {...process.env, NODE_ENV: 'production'}
const LOOKUP = ['svc', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json']

/** Wall milliseconds of one run. */
function once(command: string, args: string[]): number {
  const start = process.hrtime.bigint()
  const r = spawnSync(command, args, {cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26})
  if (r.status !== 0) throw new Error(`failed (exit ${r.status}): ${command} ${args.join(' ')}: ${r.stderr}`)
  return Number(process.hrtime.bigint() - start) / 1e6
}
const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const rows: string[][] = []
const row = (figure: string, value: string, target: string) => rows.push([figure, value, target])

process.stderr.write(`kdisco standalone bench — ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, ${RUNS} runs each\n`)
const commands: [string, string[]][] = [
  [process.execPath, ['-e', '0']],
  [BINARY, LOOKUP],
  [process.execPath, [join(ROOT, 'bin', 'run.cjs'), ...LOOKUP]],
  [BINARY, ['--version']],
]
for (const [command, args] of commands) once(command, args) // the page cache
const times = commands.map(() => [] as number[])
for (let i = 0; i < RUNS; i++) commands.forEach(([command, args], j) => times[j].push(once(command, args)))
const [node, binary, npm, version] = times.map(middle)
row('node -e 0', `${node.toFixed(0)} ms`, 'baseline')
row('binary: svc lookup kubia -f examples/ -o json', `${binary.toFixed(0)} ms (${(binary / node).toFixed(2)}× node)`, '≤ 1.2× node')
row('npm build: the same lookup (node bin/run.cjs)', `${npm.toFixed(0)} ms (${(npm / node).toFixed(2)}× node)`, 'reference')
row('binary: --version', `${version.toFixed(0)} ms (${(version / node).toFixed(2)}× node)`, '')
row('binary size', `${(statSync(BINARY).size / 1e6).toFixed(1)} MB (node ${(statSync(process.execPath).size / 1e6).toFixed(1)} MB)`, '')

const widths = [0, 1, 2].map((i) => Math.max(...[['FIGURE', 'MEASURED', 'TARGET'], ...rows].map((r) => r[i].length)))
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
console.log(line(['FIGURE', 'MEASURED', 'TARGET']))
for (const r of rows) console.log(line(r))
