// kdisco's reads as the real API server sees them (its audit log, for the one user it records): cluster-wide and
// namespace-wide LISTs page with limit=500 and continue, one paged LIST per kind; a continue token that expired
// (etcd compacted, as the API server's own compactor does) restarts the list; and the request counts README states.
import {expect} from 'chai'
import {kdiscoAsync} from '../support/cli.js'
import {AuditLog, type AuditEvent, shape} from '../real-cluster/audit.js'
import {AUDITED_USER, type RealCluster} from '../real-cluster/cluster.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {waitUntil} from '../real-cluster/processes.js'
import {readmeClusterRoles} from '../real-cluster/rbac.js'
import {requirePodRunner, sharedCluster} from '../real-cluster/shared.js'
import {deployService} from '../real-cluster/workloads.js'

const BULK = 'list-bulk'
const APP = 'list-app'
const COUNT = 620

describe('live: LIST and request patterns as the real API server logs them', function () {
  this.timeout(300000)
  let c: RealCluster
  let audit: AuditLog

  /** Runs kdisco as the audited user; returns its result and the requests the server logged for it. */
  async function audited(args: string[], kubeconfig = c.auditedKubeconfig): Promise<{status: number | null; stdout: string; stderr: string; events: AuditEvent[]}> {
    const mark = audit.mark()
    const r = await kdiscoAsync([...args, '--kubeconfig', kubeconfig], {timeoutMs: 120000})
    return {...r, events: await audit.since(mark)}
  }

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    audit = new AuditLog(c)
    const roles = readmeClusterRoles()
    const bind = (kind: 'ClusterRoleBinding' | 'RoleBinding', role: string, namespace?: string) =>
      c.api.apply({apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: {name: `audited-${role}`, ...(namespace ? {namespace} : {})}, roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role}, subjects: [{apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: AUDITED_USER}]})
    await c.api.apply(roles.get('kdisco-reader')!)
    await c.api.apply(roles.get('kdisco-probe-pod')!)
    await bind('ClusterRoleBinding', 'kdisco-reader')
    await c.createNamespace(APP)
    await bind('RoleBinding', 'kdisco-probe-pod', APP)
    await deployService(c, APP, 'web', {replicas: 3})
    // More Services in one namespace than one page holds (kdisco pages at 500).
    await c.createNamespace(BULK)
    const names = Array.from({length: COUNT}, (_, i) => `s-${String(i).padStart(3, '0')}`)
    for (let i = 0; i < names.length; i += 20)
      await Promise.all(names.slice(i, i + 20).map((name) => c.api.create({apiVersion: 'v1', kind: 'Service', metadata: {name, namespace: BULK}, spec: {clusterIP: 'None', ports: [{name: 'p', port: 80}]}})))
    await c.waitForDns()
    // The reader binding is in force once the audited user may list services.
    await waitUntil('the audited user to read', async () => (await kdiscoAsync(['svc', 'list', '-n', APP, '--kubeconfig', c.auditedKubeconfig])).status === 0, {timeoutMs: 10000})
  })

  after(async () => {
    await c?.api.delete('Namespace', undefined, BULK)
  })

  it('svc list -A pages through every kind it lists with limit=500 and continue: one paged LIST per kind', async () => {
    const r = await audited(['svc', 'list', '-A', '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    const services = JSON.parse(r.stdout).services as {namespace: string}[]
    expect(services.filter((s) => s.namespace === BULK)).to.have.length(COUNT)
    const lists = (path: string) => r.events.filter((e) => e.verb === 'list' && new URL(e.requestURI, 'https://x').pathname === path)
    const pages = (n: number) => Array.from({length: Math.ceil(n / 500)}, (_, i) => (i === 0 ? 'limit=500' : 'limit=500&continue=…'))
    const query = (e: AuditEvent) => shape(e).split('?')[1]
    expect(lists('/api/v1/services').map(query)).to.deep.equal(pages(services.length))
    expect(lists('/api/v1/services').every((e) => e.responseStatus?.code === 200)).to.equal(true)
    const slices = lists('/apis/discovery.k8s.io/v1/endpointslices')
    expect(slices.map(query)).to.deep.equal(pages((await c.api.list('EndpointSlice')).length))
    // Nothing else but the namespaces (one page here) and the Corefile.
    const other = r.events.filter((e) => !lists('/api/v1/services').includes(e) && !slices.includes(e)).map(shape)
    expect(other.sort()).to.deep.equal(['get /api/v1/namespaces/kube-system/configmaps/coredns', 'list /api/v1/namespaces?limit=500'])
  })

  it('big answers come gzipped, as kubectl asks for them: every Service, a fraction of the bytes', async () => {
    const r = await audited(['svc', 'list', '-n', BULK, '-o', 'json', '--verbose'])
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout).services).to.have.length(COUNT)
    // The API server compresses answers over 128 KiB when asked (its APIResponseCompression): the first page of 500.
    const zipped = [...r.stderr.matchAll(/GET \/api\/v1\/namespaces\/list-bulk\/services\?limit=500 200 \d+ms \(gzip: (\d+) bytes for (\d+)\)/g)]
    expect(zipped, r.stderr).to.have.length(1)
    const [, wire, plain] = zipped[0].map(Number)
    expect(wire).to.be.below(plain / 5)
  })

  it('an expired continue token (etcd compacted between two pages) restarts the list, and kdisco lists everything', async () => {
    const {tap, auditedKubeconfig} = await c.startTap()
    const held = tap.holdNext((method, url) => method === 'GET' && url.startsWith(`/api/v1/namespaces/${BULK}/services?`) && url.includes('continue='))
    const mark = audit.mark()
    const run = kdiscoAsync(['svc', 'list', '-n', BULK, '-o', 'json', '--kubeconfig', auditedKubeconfig], {timeoutMs: 120000})
    const second = await held
    // Something is written after the first page, and the history before it compacted away.
    await c.api.create({apiVersion: 'v1', kind: 'Service', metadata: {name: 's-late', namespace: BULK}, spec: {clusterIP: 'None', ports: [{name: 'p', port: 80}]}})
    await c.compactEtcd()
    // The API server serves continuations from its watch cache until its compactor notices (it polls every 15 s).
    await waitUntil('the API server to refuse the continue token', async () => (await c.api.request('GET', second.url).then(() => false, (e: {status?: number}) => e.status === 410)) || undefined, {timeoutMs: 60000, intervalMs: 500})
    second.release()
    const r = await run
    expect(r.status, r.stderr).to.equal(0)
    expect((JSON.parse(r.stdout).services as {name: string}[]).map((s) => s.name)).to.include.members(['s-000', `s-${COUNT - 1}`, 's-late'])
    expect(JSON.parse(r.stdout).services).to.have.length(COUNT + 1)
    const lists = (await audit.since(mark)).filter((e) => e.verb === 'list' && e.requestURI.startsWith(`/api/v1/namespaces/${BULK}/services`))
    expect(lists.map((e) => `${shape(e).split('?')[1]} ${e.responseStatus?.code}`)).to.deep.equal(['limit=500 200', 'limit=500&continue=… 410', 'limit=500 200', 'limit=500&continue=… 200'])
  })

  const lookupRequests = [`get /api/v1/namespaces/${APP}/services/web`, 'get /api/v1/namespaces/kube-system/configmaps/coredns', `list /apis/discovery.k8s.io/v1/namespaces/${APP}/endpointslices?limit=500`].sort()

  it('request counts as README states: svc lookup makes 3 requests, svc endpoints at most 4', async () => {
    const lookup = await audited(['svc', 'lookup', 'web', '-n', APP, '--probe', 'none', '-o', 'json'])
    expect(lookup.status, lookup.stderr).to.equal(0)
    expect(lookup.events.map(shape).sort()).to.deep.equal(lookupRequests)
    const endpoints = await audited(['svc', 'endpoints', 'web', '-n', APP, '-o', 'json'])
    expect(endpoints.status, endpoints.stderr).to.equal(0)
    expect(endpoints.events.length).to.be.at.most(4)
    expect(endpoints.events.map(shape)).to.include(`list /api/v1/namespaces/${APP}/pods?labelSelector=app=web`)
  })

  it('the default pod probe adds a list of finished kdisco pods (swept first), its create, a few status polls, one log read and the delete', async function () {
    requirePodRunner(this, c)
    const probed = await audited(['svc', 'lookup', 'web', '-n', APP, '-o', 'json'])
    expect(probed.status, probed.stderr).to.equal(0)
    const pod = /creating debug pod (kdisco-probe-[0-9a-f]+)/.exec(probed.stderr)![1]
    const probeRequests = probed.events.map(shape).filter((s) => !lookupRequests.includes(s))
    expect(probed.events.length - probeRequests.length).to.equal(3)
    const polls = probeRequests.filter((s) => s === `get /api/v1/namespaces/${APP}/pods/${pod}`)
    expect(probeRequests.filter((s) => !polls.includes(s))).to.deep.equal([
      `list /api/v1/namespaces/${APP}/pods?labelSelector=app.kubernetes.io/managed-by=kdisco&limit=500`,
      `create /api/v1/namespaces/${APP}/pods`, `get /api/v1/namespaces/${APP}/pods/${pod}/log?container=lookup`, `delete /api/v1/namespaces/${APP}/pods/${pod}?gracePeriodSeconds=0`])
    expect(polls.length).to.be.within(1, 15)
  })
})
