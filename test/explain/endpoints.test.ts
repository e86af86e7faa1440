// svc endpoints and the pod findings it shares with svc explain and pod lookup: each pod listed once, near misses
// that look like slips, Terminating pods, restarting containers. From manifests and from the API test server.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {KubeObject, Pod} from '../../src/cluster/types.js'
import {nearMisses} from '../../src/explain/endpoints.js'
import {kdisco, kdiscoAsync} from '../support/cli.js'
import {loadManifests} from '../support/cluster-objects.js'
import {KubeApiServer} from '../support/kube-api-server.js'
import {clusterIpService, pod} from '../support/objects.js'

function asFile(objects: KubeObject[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kdisco-eps-')), 'objects.json')
  writeFileSync(file, JSON.stringify({apiVersion: 'v1', kind: 'List', items: objects}))
  return file
}
const json = (args: string[]) => {
  const r = kdisco([...args, '-o', 'json'])
  expect(r.status, r.stderr).to.be.oneOf([0, 1])
  return JSON.parse(r.stdout)
}
const labelled = (name: string, labels: Record<string, string>) => pod(name, {ip: `10.0.1.${name.length}`, labels})

/** The objects served by the API test server (with the EndpointSlices a controller would write), and a command's JSON. */
async function fromApiServer(objects: KubeObject[], args: string[]) {
  const server = await new KubeApiServer().start()
  try {
    await loadManifests(server, [asFile(objects)])
    const r = await kdiscoAsync([...args, '--kubeconfig', server.kubeconfig(), '-o', 'json'])
    expect(r.status, r.stderr).to.be.oneOf([0, 1])
    return JSON.parse(r.stdout)
  } finally {
    await server.stop()
  }
}

describe('svc endpoints: a pod is listed once', () => {
  it('a pod lacking a named targetPort is its endpoint row, with the port it lacks; not also "selected without an endpoint"; live too', async () => {
    const svc = clusterIpService('web', '10.96.0.5', [{name: 'http', port: 80, targetPort: 'http'}, {name: 'metrics', port: 9090, targetPort: 'metrics'}], {selector: {app: 'web'}})
    const full = pod('full', {ip: '10.0.1.1', labels: {app: 'web'}, ports: [{name: 'http', containerPort: 8080}, {name: 'metrics', containerPort: 9090}]})
    const partial = pod('partial', {ip: '10.0.1.2', labels: {app: 'web'}, ports: [{name: 'http', containerPort: 8080}]})
    const out = json(['svc', 'endpoints', 'web', '-f', asFile([svc, full, partial])])
    expect(out.endpoints.map((e: {pod: string}) => e.pod).sort()).to.deep.equal(['full', 'partial'])
    expect(out.podsWithoutEndpoint).to.deep.equal([])
    const row = out.endpoints.find((e: {pod: string}) => e.pod === 'partial')
    expect(row.ports).to.deep.equal(['http:8080/TCP'])
    expect(row.missingPorts).to.deep.equal(['metrics (targetPort metrics: no container port with that name)'])
    expect(out.endpoints.find((e: {pod: string}) => e.pod === 'full')).to.not.have.property('missingPorts')
    const table = kdisco(['svc', 'endpoints', 'web', '-f', asFile([svc, full, partial])]).stdout
    expect(table).to.include('lacks metrics (targetPort metrics').and.not.include('Selected pods without an endpoint')
    const live = await fromApiServer([svc, full, partial], ['svc', 'endpoints', 'web'])
    expect([live.endpoints.map((e: {pod: string; missingPorts?: string[]}) => `${e.pod} ${e.missingPorts ?? '-'}`).sort(), live.podsWithoutEndpoint]).to.deep.equal([['full -', 'partial metrics (targetPort metrics: no container port with that name)'], []])
  })
})

describe('near misses: pods that miss the selector by a slip, not every pod with the key', () => {
  const pods = [labelled('api', {app: 'api'}), labelled('db', {app: 'db'}), labelled('webb', {app: 'webb'}), labelled('upper', {app: 'Web'}), labelled('named', {name: 'web'}), labelled('bare', {})]

  it('a one-label selector: close values and the wanted value under another label only', () => {
    expect(nearMisses({app: 'web'}, pods as Pod[])).to.deep.equal([
      {pod: 'named', label: 'app', want: 'web', have: null, instead: 'name=web'},
      {pod: 'upper', label: 'app', want: 'web', have: 'Web'},
      {pod: 'webb', label: 'app', want: 'web', have: 'webb'},
    ])
  })

  it('several labels: every other label matching is the evidence, whatever the value', () => {
    const tiered = [labelled('back', {app: 'web', tier: 'back'}), labelled('other', {app: 'db', tier: 'back'}), labelled('untiered', {app: 'web'})]
    expect(nearMisses({app: 'web', tier: 'front'}, tiered as Pod[]).map((m) => `${m.pod} ${m.have}`)).to.deep.equal(['back back', 'untiered null'])
  })

  it('svc endpoints and svc explain (KD101) name the same near misses, from manifests and live', async function () {
    this.timeout(30000)
    const objects = [clusterIpService('web', '10.96.0.5', [{port: 80}], {namespace: 'default', selector: {app: 'web'}}), ...pods]
    const file = asFile(objects)
    const eps = json(['svc', 'endpoints', 'web', '-f', file])
    expect(eps.nearMisses.map((m: {pod: string}) => m.pod)).to.deep.equal(['named', 'upper', 'webb'])
    const kd101 = json(['svc', 'explain', 'web', '-f', file]).findings.find((f: {code: string}) => f.code === 'KD101')
    expect(kd101.hint).to.equal('Near miss: named has no app but name=web; upper has app=Web; webb has app=webb')
    expect((await fromApiServer(objects, ['svc', 'endpoints', 'web'])).nearMisses).to.deep.equal(eps.nearMisses)
  })
})

describe('pods being deleted and containers restarting', () => {
  const svc = clusterIpService('web', '10.96.0.5', [{name: 'http', port: 80, targetPort: 'http'}], {selector: {app: 'web'}})
  const ok = pod('ok', {ip: '10.0.1.1', labels: {app: 'web'}})
  const leaving = pod('leaving', {ip: '10.0.1.2', labels: {app: 'web'}, terminating: true})
  const crashing = pod('crashing', {ip: '10.0.1.3', labels: {app: 'web'}, ready: false})
  crashing.spec.containers[0].readinessProbe = {httpGet: {path: '/healthz', port: 'http'}}
  crashing.status!.containerStatuses = [{name: 'c', ready: false, restartCount: 4, state: {waiting: {reason: 'CrashLoopBackOff'}}, lastState: {terminated: {reason: 'OOMKilled', exitCode: 137}}}]
  const file = asFile([svc, ok, leaving, crashing])

  it('pod lookup shows a pod being deleted as Terminating, from manifests and live', async () => {
    const out = json(['pod', 'lookup', 'leaving', '-f', file])
    expect(out.pod).to.include({status: 'Terminating', phase: 'Running'})
    expect((await fromApiServer([svc, ok, leaving, crashing], ['pod', 'lookup', 'leaving', '--probe', 'none'])).pod).to.include({status: 'Terminating', phase: 'Running'})
    expect(json(['pod', 'lookup', 'ok', '-f', file]).pod.status).to.equal('Running')
    expect(kdisco(['pod', 'lookup', 'leaving', '-f', file]).stdout).to.match(/^Pod\s+default\/leaving\s+Terminating, ready, IP 10\.0\.1\.2/)
  })

  it('KD102 names the Terminating pod, and the restarting container with its last termination reason and restart count; live the same', async () => {
    const kd102 = json(['svc', 'explain', 'web', '-f', file]).findings.find((f: {code: string}) => f.code === 'KD102')
    const live = (await fromApiServer([svc, ok, leaving, crashing], ['svc', 'explain', 'web', '--probe', 'none'])).findings.find((f: {code: string}) => f.code === 'KD102')
    expect(live).to.deep.equal(kd102)
    expect(kd102.message).to.equal('2 of 3 selected pods are not ready: crashing (container c not ready (CrashLoopBackOff, OOMKilled ×4)); leaving (pod is Terminating)')
    expect(kd102.hint).to.equal('kubectl logs crashing -c c -n default --previous shows why it stopped; kubectl describe pod shows the probe failures')
  })

  it('svc endpoints gives the same reasons in its IN DNS column', () => {
    const rows = json(['svc', 'endpoints', 'web', '-f', file]).endpoints
    const why = Object.fromEntries(rows.map((e: {pod: string; why?: string}) => [e.pod, e.why ?? 'in DNS']))
    expect(why).to.deep.equal({ok: 'in DNS', leaving: 'terminating (publishNotReadyAddresses is off)', crashing: 'container c not ready (CrashLoopBackOff, OOMKilled ×4); publishNotReadyAddresses is off'})
  })
})

describe('svc endpoints -o name: the pods behind the endpoints, as kubectl names them', () => {
  it('one pod/NAME per pod in the table order, ready or not; none for a Service without pods', () => {
    const table = kdisco(['svc', 'endpoints', 'kubia', '-f', 'examples/'], {env: {NO_COLOR: '1'}}).stdout
    const pods = [...table.matchAll(/\s(kubia-[0-9a-z]+-[0-9a-z]+)\s/g)].map((m) => `pod/${m[1]}`)
    expect(pods.length, table).to.equal(3)
    const named = kdisco(['svc', 'endpoints', 'kubia', '-f', 'examples/', '-o', 'name'])
    expect([named.status, named.stdout]).to.deep.equal([0, `${pods.join('\n')}\n`])
    const none = kdisco(['svc', 'endpoints', 'external-service', '-f', 'examples/', '-o', 'name'])
    expect([none.status, none.stdout]).to.deep.equal([0, ''])
  })
})
