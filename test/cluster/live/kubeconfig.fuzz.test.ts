// Property: any kubeconfig, however broken, is either loaded (its credentials then prepared without a crash, its
// server shown without the password in it) or refused in one line, exit 2 or 3. Valid kubeconfigs of every
// credential kind, mutated (other JSON types, hostile strings and numbers, nulls, deletions, 10,000-deep nesting,
// 20,000-item lists), written as YAML or JSON, some with a byte order mark. Seeded and bounded; a few through the CLI.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {dump} from 'js-yaml'
import {credentialSource} from '../../../src/cluster/live/credentials.js'
import {KubeClient} from '../../../src/cluster/live/client.js'
import {loadKubeconfig} from '../../../src/cluster/live/kubeconfig.js'
import {KdiscoError} from '../../../src/errors.js'
import {kdiscoAsync} from '../../support/cli.js'
import {type Edit, deepen, edits, mutate} from '../../support/mutate.js'

export const KUBECONFIG_FUZZ_SEED = 1990
const RUNS = 300

const dir = mkdtempSync(join(tmpdir(), 'kdisco-kubeconfig-fuzz-'))
writeFileSync(join(dir, 'token'), 'a-token\n')

const users = [
  {token: 'a-token'},
  {tokenFile: 'token'},
  {'token-file': join(dir, 'token')},
  {username: 'admin', password: 'SECRET'},
  {exec: {apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/false', args: ['--x'], env: [{name: 'A', value: 'b'}], interactiveMode: 'Never', provideClusterInfo: true}},
  {'client-certificate-data': 'bm90LWEtY2VydA==', 'client-key-data': 'bm90LWEta2V5'},
  {},
]
const base = fc.record({
  user: fc.constantFrom(...users),
  server: fc.constantFrom('https://127.0.0.1:1', 'https://admin:SECRET@127.0.0.1:1', 'http://127.0.0.1:1', 'https://[::1]:1/prefix/'),
  namespace: fc.constantFrom(undefined, 'shop'),
  extraContext: fc.boolean(),
}).map((b) => ({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{name: 'c', cluster: {server: b.server, 'insecure-skip-tls-verify': true}}],
  users: [{name: 'u', user: b.user}],
  contexts: [{name: 'x', context: {cluster: 'c', user: 'u', ...(b.namespace ? {namespace: b.namespace} : {})}}, ...(b.extraContext ? [{name: 'y', context: {cluster: 'c'}}] : [])],
  'current-context': 'x',
}))
const kubeconfig = fc.record({config: base, edits: fc.oneof(fc.constant([] as Edit[]), edits(3)), format: fc.constantFrom('yaml', 'json'), bom: fc.boolean()})

function render(k: {config: unknown; edits: Edit[]; format: string; bom: boolean}): string {
  const value = mutate(k.config, k.edits)
  return (k.bom ? '\ufeff' : '') + deepen(k.format === 'json' ? JSON.stringify(value) : dump(value, {lineWidth: -1, noRefs: true}))
}

describe('live: kubeconfigs, mutated (fuzz)', function () {
  this.timeout(120000)
  const stats = {runs: 0, loaded: 0, refused: 0, cli: 0}
  after(() => process.stderr.write(`      kubeconfig fuzz (seed ${KUBECONFIG_FUZZ_SEED}): ${stats.runs} kubeconfigs, ${stats.loaded} loaded, ${stats.refused} refused in one line; ${stats.cli} CLI runs\n`))

  it(`${RUNS} mutated kubeconfigs: loaded, or refused in one line; no password shown`, async () => {
    await fc.assert(
      fc.asyncProperty(kubeconfig, async (k) => {
        stats.runs++
        const file = join(dir, `config-${stats.runs}`)
        writeFileSync(file, render(k))
        try {
          const config = await loadKubeconfig({kubeconfig: file}, {})
          expect(config.display).to.not.include('SECRET')
          // Preparing the credentials checks them (basic auth with a token, control characters); it runs nothing.
          credentialSource(config.user, {timeoutMs: 500})
          new KubeClient(config, {timeoutMs: 500})
          stats.loaded++
        } catch (error) {
          if (!(error instanceof KdiscoError)) throw error
          expect([2, 3]).to.include(error.exitCode)
          expect(error.toLine()).to.not.match(/[\n\r]/)
          expect(error.toLine()).to.not.include('SECRET')
          stats.refused++
        }
      }),
      {seed: KUBECONFIG_FUZZ_SEED, numRuns: RUNS},
    )
    expect(stats.loaded).to.be.greaterThan(30)
    expect(stats.refused).to.be.greaterThan(30)
  })

  it('the built CLI with mutated kubeconfigs: exit 2 or 3 in one line, no password, no internal error', async () => {
    const samples = fc.sample(kubeconfig, {seed: KUBECONFIG_FUZZ_SEED, numRuns: 6})
    for (const [i, k] of samples.entries()) {
      const file = join(dir, `cli-${i}`)
      writeFileSync(file, render(k))
      const r = await kdiscoAsync(['svc', 'list', '--kubeconfig', file, '--request-timeout', '2s'])
      stats.cli++
      expect([2, 3], r.stderr).to.include(r.status)
      expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1)
      expect(r.stderr).to.not.match(/SECRET|internal error/)
    }
  })
})
