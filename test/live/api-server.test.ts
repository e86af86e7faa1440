// The API test server through @kubernetes/client-node's own generated clients and Watch: lists, watch events,
// pod create/log/delete and Status errors arrive as client-node expects them from a real API server.
import {expect} from 'chai'
import {CoreV1Api, DiscoveryV1Api, KubeConfig, Watch} from '@kubernetes/client-node'
import {KubeApiServer} from '../support/kube-api-server.js'

describe('Kubernetes API test server via client-node', function () {
  this.timeout(20000)
  let server: KubeApiServer
  let kc: KubeConfig
  before(async () => {
    server = await new KubeApiServer({tls: true}).start()
    kc = new KubeConfig()
    kc.loadFromFile(server.kubeconfig())
    server.add({apiVersion: 'v1', kind: 'Service', metadata: {name: 'web', namespace: 'shop', labels: {app: 'web', tier: 'fe'}}, spec: {clusterIP: '10.96.0.7', ports: [{port: 80}]}} as never)
  })
  after(async () => server.stop())

  it('lists with label selectors and paging through CoreV1Api', async () => {
    for (let i = 0; i < 5; i++) server.add({apiVersion: 'v1', kind: 'Pod', metadata: {name: `p${i}`, namespace: 'shop', labels: {app: i < 3 ? 'web' : 'db'}}, spec: {containers: [{name: 'c'}]}, status: {phase: 'Running'}} as never)
    const api = kc.makeApiClient(CoreV1Api)
    const first = await api.listNamespacedPod({namespace: 'shop', labelSelector: 'app in (web)', limit: 2})
    expect(first.items.map((p) => p.metadata?.name)).to.deep.equal(['p0', 'p1'])
    expect(first.metadata?._continue).to.be.a('string')
    const rest = await api.listNamespacedPod({namespace: 'shop', labelSelector: 'app in (web)', limit: 2, _continue: first.metadata?._continue})
    expect(rest.items.map((p) => p.metadata?.name)).to.deep.equal(['p2'])
    expect(rest.metadata?._continue).to.equal(undefined)
  })

  it('answers errors with real Status bodies (client-node ApiException)', async () => {
    const api = kc.makeApiClient(CoreV1Api)
    const err = await api.readNamespacedService({namespace: 'shop', name: 'nope'}).catch((e) => e)
    expect(err.code).to.equal(404)
    expect(JSON.parse(err.body)).to.include({kind: 'Status', reason: 'NotFound', message: 'services "nope" not found', code: 404})
    const bad = await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({namespace: 'shop', fieldSelector: 'spec.x=1'}).catch((e) => e)
    expect(bad.code).to.equal(400)
  })

  it('creates, reads the log of, and deletes a pod', async () => {
    const api = kc.makeApiClient(CoreV1Api)
    const created = await api.createNamespacedPod({namespace: 'shop', body: {metadata: {generateName: 'probe-'}, spec: {containers: [{name: 'c', image: 'x'}]}}})
    const name = created.metadata!.name!
    expect(name).to.match(/^probe-/)
    server.setLog('shop', name, 'hello\n')
    expect(await api.readNamespacedPodLog({namespace: 'shop', name})).to.equal('hello\n')
    await api.deleteNamespacedPod({namespace: 'shop', name})
    expect(server.objects('Pod', 'shop').some((p) => p.metadata.name === name)).to.equal(false)
  })

  it('streams watch events as chunked JSON lines', async () => {
    const events: string[] = []
    const watch = new Watch(kc)
    const req = await watch.watch('/api/v1/namespaces/shop/services', {}, (type, obj) => events.push(`${type}:${obj.metadata.name}`), () => {})
    await new Promise((r) => setTimeout(r, 200))
    server.add({apiVersion: 'v1', kind: 'Service', metadata: {name: 'late', namespace: 'shop'}, spec: {clusterIP: '10.96.0.8'}} as never)
    server.remove('Service', 'shop', 'late')
    await new Promise((r) => setTimeout(r, 300))
    req.abort()
    expect(events).to.deep.equal(['ADDED:web', 'ADDED:late', 'DELETED:late'])
  })

  it('logs every request with whether it carried credentials', () => {
    expect(server.requests.length).to.be.greaterThan(3)
    expect(server.requests.every((r) => r.authorization)).to.equal(true)
  })
})
