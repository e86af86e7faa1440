// kdisco never leaves a debug pod behind on the real API server: interrupted (SIGINT, SIGTERM) while its pod is
// Pending, Running, or while the create is still in flight; killed (SIGKILL), when the pod's activeDeadlineSeconds
// ends it and `probe cleanup` removes it; --keep, which leaves exactly the kept pod and reuses it; `probe cleanup -A`.
// After each, the real API server lists no kdisco pod (or exactly the kept one).
import {expect} from 'chai'
import {kdiscoAsync, kdiscoSpawn} from '../support/cli.js'
import type {RealCluster} from '../real-cluster/cluster.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {waitUntil} from '../real-cluster/processes.js'
import {requirePodRunner, sharedCluster} from '../real-cluster/shared.js'
import {deployService, kdiscoPods} from '../real-cluster/workloads.js'

interface DebugPod {
  metadata: {name: string; labels?: Record<string, string>}
  spec: {activeDeadlineSeconds?: number}
  status?: {phase?: string; reason?: string; message?: string}
}

describe('probe: no debug pod left behind on the real API server', function () {
  this.timeout(300000)
  const NS = 'leak-app'
  const OTHER = 'leak-other'
  let c: RealCluster
  // Two lookups: the probe's machinery, not a Service's dozens of names.
  const lookup = (ns = NS) => ['dns', 'lookup', 'web', '-n', ns]

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    requirePodRunner(this, c)
    await c.createNamespace(NS)
    await c.createNamespace(OTHER)
    await deployService(c, NS, 'web', {replicas: 1})
    await deployService(c, OTHER, 'web', {replicas: 1})
  })

  afterEach(async () => {
    c.runner.hold = undefined
    await kdiscoAsync(['probe', 'cleanup', '-A', '--kubeconfig', c.kubeconfig])
  })

  /** Starts kdisco and waits until its progress says `phase`. */
  async function startUntil(phase: RegExp, args = lookup(), kubeconfig = c.kubeconfig) {
    const run = kdiscoSpawn([...args, '--kubeconfig', kubeconfig], {timeoutMs: 120000})
    await waitUntil(`kdisco to report ${phase}`, async () => phase.test(run.stderrSoFar()), {timeoutMs: 60000, intervalMs: 20})
    return run
  }

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} while the pod is Pending (its container being created): exit ${code}, the pod deleted`, async () => {
      c.runner.hold = 'pending'
      const run = await startUntil(/debug pod kdisco-probe-[0-9a-f]+: pulling image and starting the container/)
      const [pod] = await kdiscoPods(c, NS)
      expect((await c.api.get<DebugPod>('Pod', NS, pod.split('/')[1])).status?.phase).to.equal('Pending')
      run.child.kill(signal)
      const r = await run.done
      expect(r.status, r.stderr).to.equal(code)
      expect(r.stderr).to.include(`kdisco: ${signal}: cleaning up`)
      expect(await kdiscoPods(c)).to.deep.equal([])
    })

    it(`${signal} while the pod is Running its lookups: exit ${code}, the pod deleted`, async () => {
      c.runner.hold = 'running'
      const run = await startUntil(/debug pod kdisco-probe-[0-9a-f]+: running lookups/)
      const [pod] = await kdiscoPods(c, NS)
      expect((await c.api.get<DebugPod>('Pod', NS, pod.split('/')[1])).status?.phase).to.equal('Running')
      run.child.kill(signal)
      const r = await run.done
      expect(r.status, r.stderr).to.equal(code)
      expect(await kdiscoPods(c)).to.deep.equal([])
    })

    it(`${signal} while the create is in flight: the create lands, then the pod is deleted; exit ${code}`, async () => {
      const {tap, kubeconfig} = await c.startTap()
      const held = tap.holdNext((method, url) => method === 'POST' && url.startsWith(`/api/v1/namespaces/${NS}/pods`))
      const run = kdiscoSpawn([...lookup(), '--kubeconfig', kubeconfig], {timeoutMs: 120000})
      const create = await held
      expect(run.stderrSoFar()).to.match(/kdisco: creating debug pod kdisco-probe-[0-9a-f]+/)
      run.child.kill(signal)
      await waitUntil('kdisco to start cleaning up', async () => run.stderrSoFar().includes(`${signal}: cleaning up`), {timeoutMs: 10000, intervalMs: 20})
      expect(await kdiscoPods(c)).to.deep.equal([])
      create.release()
      const r = await run.done
      expect(r.status, r.stderr).to.equal(code)
      const name = /creating debug pod (kdisco-probe-[0-9a-f]+)/.exec(r.stderr)![1]
      const writes = tap.answered.filter((a) => a.method !== 'GET').map((a) => `${a.method} ${a.url.split('?')[0]} ${a.status}`)
      expect(writes).to.deep.equal([`POST /api/v1/namespaces/${NS}/pods 201`, `DELETE /api/v1/namespaces/${NS}/pods/${name} 200`])
      expect(await kdiscoPods(c)).to.deep.equal([])
    })
  }

  it('SIGKILL: the pod carries activeDeadlineSeconds and is ended at it (DeadlineExceeded); probe cleanup removes it', async () => {
    c.runner.hold = 'running'
    const run = await startUntil(/debug pod kdisco-probe-[0-9a-f]+: running lookups/, [...lookup(), '--probe-deadline', '10'])
    run.child.kill('SIGKILL')
    await run.done
    const [left] = await kdiscoPods(c, NS)
    const name = left.split('/')[1]
    expect((await c.api.get<DebugPod>('Pod', NS, name)).spec.activeDeadlineSeconds).to.equal(10)
    const ended = await waitUntil(
      'the pod to reach its deadline',
      async () => {
        const pod = await c.api.get<DebugPod>('Pod', NS, name)
        return pod.status?.phase === 'Failed' && pod.status
      },
      {timeoutMs: 30000},
    )
    expect(ended).to.include({phase: 'Failed', reason: 'DeadlineExceeded'})
    // Ended is not deleted: a Failed pod stays listed until something removes it.
    expect(await kdiscoPods(c)).to.deep.equal([left])
    const cleanup = await kdiscoAsync(['probe', 'cleanup', '-n', NS, '--kubeconfig', c.kubeconfig])
    expect([cleanup.status, cleanup.stdout]).to.deep.equal([0, `pod ${left} deleted\n`])
    expect(await kdiscoPods(c)).to.deep.equal([])
  })

  it('--keep leaves exactly the kept pod, and the next --keep run reuses it', async () => {
    const first = await kdiscoAsync([...lookup(), '--keep', '-o', 'json', '--kubeconfig', c.kubeconfig])
    expect(first.status, first.stderr).to.equal(0)
    const kept = await kdiscoPods(c)
    expect(kept).to.have.length(1)
    expect(JSON.parse(first.stdout).probe.vantages[0]).to.equal(`pod ${kept[0]} (kept)`)
    const pod = await c.api.get<DebugPod>('Pod', NS, kept[0].split('/')[1])
    expect(pod.metadata.labels).to.include({'kdisco.dev/keep': 'true'})
    expect(pod.status?.phase).to.equal('Running')
    const second = await kdiscoAsync([...lookup(), '--keep', '-o', 'json', '--kubeconfig', c.kubeconfig])
    expect(second.status, second.stderr).to.equal(0)
    expect(JSON.parse(second.stdout).probe.vantages[0]).to.equal(`pod ${kept[0]} (kept, reused)`)
    expect(await kdiscoPods(c)).to.deep.equal(kept)
  })

  it('probe cleanup -A removes every kdisco pod in every namespace, and only those', async () => {
    for (const ns of [NS, OTHER]) {
      const r = await kdiscoAsync([...lookup(ns), '--keep', '--kubeconfig', c.kubeconfig])
      expect(r.status, r.stderr).to.equal(0)
    }
    const left = await kdiscoPods(c)
    expect(left.map((p) => p.split('/')[0])).to.deep.equal([NS, OTHER])
    const others = (await c.api.list<DebugPod>('Pod', undefined)).length - left.length
    const r = await kdiscoAsync(['probe', 'cleanup', '-A', '--kubeconfig', c.kubeconfig])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout.trimEnd().split('\n').sort()).to.deep.equal(left.map((p) => `pod ${p} deleted`))
    expect(await kdiscoPods(c)).to.deep.equal([])
    expect((await c.api.list<DebugPod>('Pod', undefined)).length).to.equal(others)
  })
})
