// The debug pod is never left behind silently: every signal that ends kdisco deletes it first (or, when the
// create or the delete hangs, names it in one line with the exact `kdisco probe cleanup` command); a kdisco killed
// with SIGKILL leaves a pod its next run sweeps once finished, and `probe cleanup` removes.
import {expect} from 'chai'
import {kdiscoAsync, kdiscoSpawn} from '../support/cli.js'
import {loadExamples} from '../support/cluster-objects.js'
import {KubeApiServer} from '../support/kube-api-server.js'

const MANAGED = 'app.kubernetes.io/managed-by'
const SIGNALS = {SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR2: 12, SIGALRM: 14, SIGTERM: 15} as const

describe('probe: interrupted runs leave no debug pod behind silently', function () {
  this.timeout(60000)
  let server: KubeApiServer
  const behaviour: {next: 'pending' | 'image-pull-error'} = {next: 'pending'}
  before(async () => {
    server = await new KubeApiServer({kubelet: {resolvConf: () => '', stepMs: 20, behaviour: () => behaviour.next}}).start()
    await loadExamples(server)
  })
  after(async () => server?.stop())
  beforeEach(() => {
    server.clearFaults()
    behaviour.next = 'pending'
    for (const p of server.podsLabelled(MANAGED, 'kdisco')) server.remove('Pod', p.metadata.namespace, p.metadata.name)
  })

  const kdiscoPods = () => server.podsLabelled(MANAGED, 'kdisco').map((p) => p.metadata.name)
  const until = async (ok: () => boolean, ms = 20000) => {
    const deadline = Date.now() + ms
    while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
    expect(ok()).to.equal(true)
  }
  /** Runs the cleanup command kdisco printed, exactly as printed (its words have no quoting here). */
  const runPrinted = async (stderr: string) => {
    const command = /delete it with: (kdisco probe cleanup .*)$/m.exec(stderr)?.[1]
    expect(command, stderr).to.be.a('string')
    expect(command).to.not.match(/['"\\]/)
    const r = await kdiscoAsync([...command!.split(' ').slice(1), '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    return JSON.parse(r.stdout).deleted as {name: string}[]
  }

  for (const signal of ['SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM'] as const) {
    it(`${signal} is handled like SIGINT: the pod is deleted, exit ${128 + SIGNALS[signal]}`, async () => {
      const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig()])
      await until(() => kdiscoPods().length === 1)
      run.child.kill(signal)
      const r = await run.done
      expect(r.status).to.equal(128 + SIGNALS[signal])
      expect(r.stdout).to.equal('')
      expect(kdiscoPods()).to.deep.equal([])
    })
  }

  it('SIGINT during a slow create: kdisco waits for it to land, then deletes the pod', async () => {
    server.fault({method: 'POST', path: /\/pods$/, delayMs: 3000, times: 1})
    const before = server.requests.length
    const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig()])
    await until(() => server.requests.slice(before).some((q) => q.method === 'POST'))
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.status).to.equal(130)
    expect(r.stderr).to.not.match(/left behind/)
    expect(server.requests.slice(before).map((q) => q.method)).to.include.members(['POST', 'DELETE'])
    expect(kdiscoPods()).to.deep.equal([])
  })

  it('a create still in flight when kdisco stops waiting (a second SIGINT): one line with the exact cleanup command, which works', async () => {
    server.fault({method: 'POST', path: /\/pods$/, delayMs: 2500, times: 1})
    const before = server.requests.length
    const kubeconfig = server.kubeconfig()
    const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', kubeconfig])
    await until(() => server.requests.slice(before).some((q) => q.method === 'POST'))
    run.child.kill('SIGINT')
    await until(() => /SIGINT: cleaning up/.test(run.stderrSoFar()))
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.status).to.equal(130)
    const lines = r.stderr.split('\n').filter((l) => /left behind/.test(l))
    expect(lines).to.have.length(1)
    expect(lines[0]).to.match(new RegExp(`^kdisco: debug pod default/(kdisco-probe-\\w+) may be left behind \\(its activeDeadlineSeconds stops it\\); delete it with: kdisco probe cleanup -n default \\1 --context test --kubeconfig ${kubeconfig.replace(/[/.]/g, '\\$&')}$`))
    await until(() => kdiscoPods().length === 1) // the create lands after kdisco has gone
    expect(await runPrinted(r.stderr)).to.have.length(1)
    expect(kdiscoPods()).to.deep.equal([])
  })

  it('a DELETE that hangs: kdisco gives up after --request-timeout and names the pod in one line', async () => {
    server.fault({method: 'DELETE', path: /\/pods\//, hang: true})
    const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--request-timeout', '2s'])
    await until(() => kdiscoPods().length === 1)
    const started = Date.now()
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.status).to.equal(130)
    expect(Date.now() - started).to.be.below(8000)
    expect(r.stderr.split('\n').filter((l) => /left behind/.test(l))).to.have.length(1)
    server.clearFaults()
    expect(await runPrinted(r.stderr)).to.have.length(1)
    expect(kdiscoPods()).to.deep.equal([])
  })

  it('a failed run whose DELETE fails: the error in one line, and one line naming the pod', async () => {
    behaviour.next = 'image-pull-error'
    server.fault({method: 'DELETE', path: /\/pods\//, status: 500, times: 1})
    const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--image', 'example.com/nope:1'])
    expect(r.status).to.equal(3)
    expect(r.stderr.split('\n').filter((l) => l.startsWith('Error:'))).to.have.length(1)
    expect(r.stderr.split('\n').filter((l) => /left behind.*delete it with: kdisco probe cleanup -n default kdisco-probe-\w+ --context test/.test(l))).to.have.length(1)
    expect(await runPrinted(r.stderr)).to.have.length(1)
  })

  it('after SIGKILL the pod stays; probe cleanup removes it', async () => {
    const run = kdiscoSpawn(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig()])
    await until(() => kdiscoPods().length === 1)
    run.child.kill('SIGKILL')
    await run.done
    expect(kdiscoPods()).to.have.length(1)
    const r = await kdiscoAsync(['probe', 'cleanup', '-n', 'default', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout).deleted).to.have.length(1)
    expect(kdiscoPods()).to.deep.equal([])
  })

  it('every probe run first removes finished kdisco pods older than their deadline, and only those', async () => {
    const now = Date.now()
    const pod = (name: string, ageSeconds: number, phase: string, labels: Record<string, string> = {[MANAGED]: 'kdisco'}) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {name, namespace: 'default', labels, creationTimestamp: new Date(now - ageSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z')},
      spec: {activeDeadlineSeconds: 120, containers: [{name: 'lookup'}]},
      status: {phase, ...(phase === 'Failed' ? {reason: 'DeadlineExceeded'} : {})},
    })
    server.add(
      pod('kdisco-probe-old1', 3600, 'Failed') as never,
      pod('kdisco-probe-old2', 600, 'Succeeded') as never,
      pod('kdisco-probe-fresh', 30, 'Succeeded') as never,
      pod('kdisco-probe-kept', 3600, 'Running') as never,
      pod('someone-elses', 3600, 'Failed', {app: 'x'}) as never,
    )
    behaviour.next = 'image-pull-error'
    const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--kubeconfig', server.kubeconfig(), '--image', 'example.com/nope:1'])
    expect(r.status).to.equal(3)
    expect(kdiscoPods().sort()).to.deep.equal(['kdisco-probe-fresh', 'kdisco-probe-kept'])
    expect(server.objects('Pod', 'default').some((p) => p.metadata.name === 'someone-elses')).to.equal(true)
    // probe cleanup POD removes one kdisco pod, and refuses a pod that is not kdisco's.
    const one = await kdiscoAsync(['probe', 'cleanup', '-n', 'default', 'kdisco-probe-fresh', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
    expect(JSON.parse(one.stdout).deleted).to.deep.equal([{namespace: 'default', name: 'kdisco-probe-fresh'}])
    const other = await kdiscoAsync(['probe', 'cleanup', '-n', 'default', 'someone-elses', '--kubeconfig', server.kubeconfig()])
    expect([other.status, other.stderr.trimEnd().split('\n').length]).to.deep.equal([2, 1])
    expect(other.stderr).to.match(/^Error: Pod default\/someone-elses was not created by kdisco/)
    const all = await kdiscoAsync(['probe', 'cleanup', '-n', 'default', '--kubeconfig', server.kubeconfig(), '-o', 'json'])
    expect(JSON.parse(all.stdout).deleted.map((p: {name: string}) => p.name)).to.deep.equal(['kdisco-probe-kept'])
    server.remove('Pod', 'default', 'someone-elses')
  })
})
