// Property: any manifest, however broken, is either read (and then every command's computation runs on it without
// a crash) or refused in one line naming the file (and the line), exit 2. The inputs are the bundled examples and
// generated objects, mutated: fields replaced by other JSON types, by hostile strings (line breaks, 100-character
// labels) and numbers (2^31-1, 1e20, fractions), deleted or nulled, nested 10,000 deep, lists of 20,000 items,
// Lists in Lists, a byte order mark. Seeded and bounded; a few also go through the built CLI (3 commands each).
import {expect} from 'chai'
import {readFileSync, readdirSync, writeFileSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {dump, loadAll} from 'js-yaml'
import {loadFileSnapshot} from '../../src/cluster/files.js'
import {KdiscoError} from '../../src/errors.js'
import {exercise} from '../support/exercise.js'
import {deepen, edits, mutate} from '../support/mutate.js'
import {kdisco} from '../support/cli.js'

export const MANIFEST_FUZZ_SEED = 1919
const RUNS = 200

const examples = new URL('../../examples/', import.meta.url).pathname
const base: Record<string, unknown>[] = readdirSync(examples)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => loadAll(readFileSync(join(examples, f), 'utf8')) as Record<string, unknown>[])
  .filter((d) => d && typeof d === 'object')

const generated = fc.record({
  name: fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/),
  ip: fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.1.${a}.${b}`),
  headless: fc.boolean(),
  replicas: fc.constantFrom(0, 1, 3, 2147483647),
}).map((g) => [
  {apiVersion: 'v1', kind: 'Service', metadata: {name: g.name, namespace: 'fuzz'}, spec: {clusterIP: g.headless ? 'None' : g.ip, selector: {app: g.name}, ports: [{name: 'http', port: 80, targetPort: 'http'}]}},
  {apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: {name: g.name, namespace: 'fuzz'}, spec: {serviceName: g.name, replicas: g.replicas, selector: {matchLabels: {app: g.name}}}},
  {apiVersion: 'v1', kind: 'Pod', metadata: {name: `${g.name}-0`, namespace: 'fuzz', labels: {app: g.name}}, spec: {hostname: `${g.name}-0`, subdomain: g.name, containers: [{name: 'c', ports: [{name: 'http', containerPort: 8080}]}]}, status: {phase: 'Running', podIP: g.ip, conditions: [{type: 'Ready', status: 'True'}]}},
])

const manifest = fc.record({
  docs: fc.oneof(fc.subarray(base, {minLength: 1, maxLength: 8}), generated),
  edits: edits(),
  format: fc.constantFrom('yaml', 'json', 'list'),
  bom: fc.boolean(),
  listDepth: fc.oneof({weight: 12, arbitrary: fc.constantFrom(0, 1, 50)}, {weight: 1, arbitrary: fc.constant(50_000)}),
})

/** The text of a mutated manifest set, as a file kdisco reads. */
function render(m: {docs: unknown[]; edits: [number, unknown, boolean][]; format: string; bom: boolean; listDepth: number}): string {
  const docs = m.docs.map((d, i) => (i === 0 ? mutate(d, m.edits) : d))
  let text: string
  if (m.format === 'yaml') text = docs.map((d) => dump(d, {lineWidth: -1, noRefs: true})).join('---\n')
  else {
    let json = JSON.stringify(m.format === 'list' ? {apiVersion: 'v1', kind: 'List', items: docs} : docs)
    for (let i = 0; i < m.listDepth; i++) json = `{"kind":"List","items":[${json}]}`
    text = json
  }
  text = deepen(text)
  return (m.bom ? '\ufeff' : '') + text
}

describe('cluster: manifests, mutated (fuzz)', function () {
  this.timeout(120000)
  const dir = mkdtempSync(join(tmpdir(), 'kdisco-manifest-fuzz-'))
  const stats = {runs: 0, read: 0, refused: 0, cli: 0}
  after(() => process.stderr.write(`      manifest fuzz (seed ${MANIFEST_FUZZ_SEED}): ${stats.runs} manifests, ${stats.read} read and computed on, ${stats.refused} refused in one line; ${stats.cli} CLI runs\n`))

  it(`${RUNS} mutated manifests: read and computed on, or refused in one line with file:line`, async () => {
    await fc.assert(
      fc.asyncProperty(manifest, async (m) => {
        stats.runs++
        const file = join(dir, `m${stats.runs}.${m.format === 'yaml' ? 'yaml' : 'json'}`)
        writeFileSync(file, render(m))
        let snapshot
        try {
          snapshot = await loadFileSnapshot({filenames: [file]})
        } catch (error) {
          if (!(error instanceof KdiscoError)) throw error
          expect(error.exitCode).to.equal(2)
          expect(error.toLine()).to.not.match(/[\n\r]/)
          expect(error.message.startsWith(file)).to.equal(true, error.message)
          stats.refused++
          return
        }
        try {
          await exercise(snapshot)
        } catch (error) {
          // A Corefile in the input that kdisco cannot read is a one-line input error too.
          if (!(error instanceof KdiscoError && error.exitCode === 2 && !error.toLine().includes('\n'))) throw error
        }
        stats.read++
      }),
      {seed: MANIFEST_FUZZ_SEED, numRuns: RUNS},
    )
    expect(stats.read).to.be.greaterThan(20)
    expect(stats.refused).to.be.greaterThan(20)
  })

  it('the built CLI on mutated manifests: exit 0, 1 or 2; an error is one line; never an internal error', () => {
    const samples = fc.sample(manifest.filter((m) => m.listDepth < 1000 && !m.edits.some(([, v]) => v === 'huge')), {seed: MANIFEST_FUZZ_SEED, numRuns: 3})
    samples.forEach((m, i) => {
      const file = join(dir, `cli${i}.${m.format === 'yaml' ? 'yaml' : 'json'}`)
      writeFileSync(file, render(m))
      for (const args of [['svc', 'list', '-A'], ['dns', 'zone', '-A'], ['svc', 'explain', '--all', '-A']]) {
        const r = kdisco([...args, '-f', file])
        stats.cli++
        expect([0, 1, 2], `${args.join(' ')}: ${r.stderr}`).to.include(r.status)
        const errors = r.stderr.split('\n').filter((l) => l.startsWith('Error'))
        if (r.status === 2) expect(errors, r.stderr).to.have.length(1)
        expect(r.stderr).to.not.match(/internal error|\n\s+at /)
      }
    })
  })
})
