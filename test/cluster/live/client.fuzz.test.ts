// Property: whatever the API server answers, the live source either builds a snapshot that every command's code
// computes on without a crash, or fails in one line (exit 3; 2 for a Corefile kdisco cannot read). The answers of
// the API test server (holding the examples) are spoiled per run: one request's JSON mutated (other types, hostile
// strings and numbers, nulls, deletions, 10,000-deep nesting, 20,000-item lists), or replaced by raw bytes (cut
// JSON, HTML, nothing) under some content type. In process (the server runs here too); seeded and bounded.
import {expect} from 'chai'
import fc from 'fast-check'
import {loadLiveSnapshot} from '../../../src/cluster/live/source.js'
import {KdiscoError} from '../../../src/errors.js'
import {loadExamples} from '../../support/cluster-objects.js'
import {exercise} from '../../support/exercise.js'
import {KubeApiServer} from '../../support/kube-api-server.js'
import {type Edit, deepen, edits, mutate} from '../../support/mutate.js'

export const API_FUZZ_SEED = 2020
const RUNS = 150

/** The requests a command makes, by what they read. */
const TARGETS = [
  /^\/api\/v1\/namespaces\/default\/services$/,
  /^\/api\/v1\/services$/,
  /\/endpointslices$/,
  /^\/api\/v1\/(namespaces\/default\/)?pods$/,
  /\/statefulsets$/,
  /\/ingresses$/,
  /\/configmaps\/coredns$/,
  /\/services\/kubia$/,
  /^\/api\/v1\/namespaces(\/default)?$/,
]
const QUERIES = [
  {allNamespaces: false, query: {mode: 'namespace' as const, kinds: ['pods' as const, 'statefulsets' as const, 'ingresses' as const], clusterDns: true, apiService: true}},
  {allNamespaces: true, query: {mode: 'namespace' as const, kinds: ['pods' as const, 'statefulsets' as const]}},
  {allNamespaces: false, query: {mode: 'service' as const, name: 'kubia', pods: true, nearMisses: true}},
]

const spoil = fc.record({
  target: fc.nat(TARGETS.length - 1),
  query: fc.nat(QUERIES.length - 1),
  how: fc.oneof(
    {weight: 5, arbitrary: edits(3).map((e) => ({mutate: e as Edit[]}))},
    {
      weight: 2,
      arbitrary: fc.record({
        cut: fc.double({min: 0, max: 1, noNaN: true}),
        contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', undefined, 'application/vnd.kubernetes.protobuf'),
        prefix: fc.constantFrom('', '<html>', '\ufeff', ' '),
      }),
    },
    {weight: 1, arbitrary: fc.uint8Array({maxLength: 200}).map((bytes) => ({bytes}))},
  ),
})

describe('live: API answers, spoiled (fuzz)', function () {
  this.timeout(120000)
  let server: KubeApiServer
  let kubeconfig: string
  const stats = {runs: 0, read: 0, failed: 0}
  before(async () => {
    server = await new KubeApiServer().start()
    await loadExamples(server)
    kubeconfig = server.kubeconfig()
  })
  after(async () => {
    await server?.stop()
    process.stderr.write(`      API fuzz (seed ${API_FUZZ_SEED}): ${stats.runs} spoiled answers, ${stats.read} read and computed on, ${stats.failed} failed in one line\n`)
  })

  it(`${RUNS} spoiled answers: a snapshot every command computes on, or one line`, async () => {
    await fc.assert(
      fc.asyncProperty(spoil, async (s) => {
        stats.runs++
        server.clearFaults()
        const path = TARGETS[s.target]
        if ('mutate' in s.how) {
          const changes = s.how.mutate
          // A DEEP marker becomes 10,000 nested lists in the text the server sends.
          server.fault({path, transform: (body) => mutate(body, changes), rewrite: deepen})
        } else if ('bytes' in s.how) {
          server.fault({path, raw: {contentType: 'application/json', body: Buffer.from(s.how.bytes)}})
        } else {
          const {cut, contentType, prefix} = s.how
          const real = JSON.stringify({kind: 'ServiceList', apiVersion: 'v1', metadata: {}, items: [{metadata: {name: 'web', namespace: 'default'}, spec: {clusterIP: 'None'}}]})
          server.fault({path, raw: {contentType, body: prefix + real.slice(0, Math.floor(real.length * cut))}})
        }
        const {allNamespaces, query} = QUERIES[s.query]
        let snapshot
        try {
          snapshot = (await loadLiveSnapshot({kubeconfig, allNamespaces, query, timeoutMs: 5000})).snapshot
        } catch (error) {
          const e = error instanceof KdiscoError ? error : undefined
          expect(e, String((error as Error)?.stack ?? error)).to.not.equal(undefined)
          expect(e!.exitCode).to.equal(3)
          expect(e!.toLine()).to.not.match(/[\n\r]/)
          stats.failed++
          return
        }
        try {
          await exercise(snapshot)
        } catch (error) {
          if (!(error instanceof KdiscoError && error.exitCode === 2 && !error.toLine().includes('\n'))) throw error
        }
        stats.read++
      }),
      {seed: API_FUZZ_SEED, numRuns: RUNS},
    )
    expect(stats.read).to.be.greaterThan(10)
    expect(stats.failed).to.be.greaterThan(10)
  })

})
