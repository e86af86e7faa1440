// EndpointSlice derivation as the EndpointSlice controller does it, mirroring of v1 Endpoints, and predicted
// StatefulSet pods.
import {expect} from 'chai'
import {deriveSlicesFromPods, mirrorEndpoints, resolveTargetPort} from '../../src/cluster/derive.js'
import {DERIVED_ANNOTATION, type Endpoints, sliceOrigin} from '../../src/cluster/types.js'
import {clusterIpService, headless, model, pod, service, slice, ep, snapshot, statefulSet} from '../support/objects.js'

describe('cluster: EndpointSlices derived from pods', () => {
  const web = headless('web', [{name: 'http', port: 80, targetPort: 'http'}])

  it('selects pods by label in the Service namespace only', () => {
    const slices = deriveSlicesFromPods(web, [
      pod('a', {ip: '10.0.0.1', labels: {app: 'web'}}),
      pod('b', {ip: '10.0.0.2', labels: {app: 'other'}}),
      pod('c', {ip: '10.0.0.3', labels: {app: 'web'}, namespace: 'elsewhere'}),
    ])
    expect(slices.flatMap((s) => s.endpoints!.map((e) => e.addresses[0]))).to.deep.equal(['10.0.0.1'])
  })

  it('skips pods without an IP and pods that Succeeded or Failed', () => {
    const slices = deriveSlicesFromPods(web, [
      pod('pending', {labels: {app: 'web'}}),
      pod('ok', {ip: '10.0.0.1', labels: {app: 'web'}}),
      pod('done', {ip: '10.0.0.2', labels: {app: 'web'}, phase: 'Succeeded'}),
      pod('failed', {ip: '10.0.0.3', labels: {app: 'web'}, phase: 'Failed'}),
    ])
    expect(slices.flatMap((s) => s.endpoints!.map((e) => e.targetRef?.name))).to.deep.equal(['ok'])
  })

  it('ready = publishNotReadyAddresses || (Ready && !terminating); serving and terminating recorded', () => {
    const pods = [
      pod('ready', {ip: '10.0.0.1', labels: {app: 'web'}}),
      pod('unready', {ip: '10.0.0.2', labels: {app: 'web'}, ready: false}),
      pod('leaving', {ip: '10.0.0.3', labels: {app: 'web'}, terminating: true}),
    ]
    const conds = (svc: typeof web) => Object.fromEntries(deriveSlicesFromPods(svc, pods).flatMap((s) => s.endpoints!.map((e) => [e.targetRef!.name, e.conditions])))
    expect(conds(web)).to.deep.equal({
      ready: {ready: true, serving: true, terminating: false},
      unready: {ready: false, serving: false, terminating: false},
      leaving: {ready: false, serving: true, terminating: true},
    })
    const publish = headless('web', [{name: 'http', port: 80, targetPort: 'http'}], {publishNotReadyAddresses: true})
    expect(Object.values(conds(publish)).map((c) => (c as {ready?: boolean} | undefined)?.ready)).to.deep.equal([true, true, true])
  })

  it('hostname is copied only when the pod subdomain equals the Service name', () => {
    const slices = deriveSlicesFromPods(web, [
      pod('a', {ip: '10.0.0.1', labels: {app: 'web'}, hostname: 'a', subdomain: 'web'}),
      pod('b', {ip: '10.0.0.2', labels: {app: 'web'}, hostname: 'b', subdomain: 'other'}),
      pod('c', {ip: '10.0.0.3', labels: {app: 'web'}, subdomain: 'web'}),
    ])
    expect(slices.flatMap((s) => s.endpoints!.map((e) => e.hostname ?? null))).to.deep.equal(['a', null, null])
  })

  it('resolves named targetPorts per pod; a pod lacking the name does not back that port', () => {
    const svc = clusterIpService('multi', '10.96.0.9', [
      {name: 'http', port: 80, targetPort: 'http'},
      {name: 'admin', port: 9000, targetPort: 9001},
    ])
    svc.spec!.selector = {app: 'web'}
    const slices = deriveSlicesFromPods(svc, [
      pod('has', {ip: '10.0.0.1', labels: {app: 'web'}, ports: [{name: 'http', containerPort: 8080}]}),
      pod('lacks', {ip: '10.0.0.2', labels: {app: 'web'}, ports: [{name: 'web', containerPort: 8080}]}),
    ])
    const byPod = Object.fromEntries(slices.flatMap((s) => s.endpoints!.map((e) => [e.targetRef!.name, s.ports!.map((p) => `${p.name}:${p.port}`)])))
    expect(byPod).to.deep.equal({has: ['http:8080', 'admin:9001'], lacks: ['admin:9001']})
  })

  it('a named targetPort must also match the protocol; numbers and strings of digits are used as is', () => {
    const p = pod('x', {ip: '10.0.0.1', ports: [{name: 'dns', containerPort: 53, protocol: 'UDP'}]})
    expect(resolveTargetPort(p, {port: 53, targetPort: 'dns'})).to.equal(undefined)
    expect(resolveTargetPort(p, {port: 53, targetPort: 'dns', protocol: 'UDP'})).to.equal(53)
    expect(resolveTargetPort(p, {port: 80, targetPort: '8080'})).to.equal(8080)
    expect(resolveTargetPort(p, {port: 80})).to.equal(80)
  })

  it('records targetRef and nodeName, and marks slices as derived', () => {
    const [s] = deriveSlicesFromPods(web, [pod('a', {ip: '10.0.0.1', labels: {app: 'web'}, node: 'node-7', ports: [{name: 'http', containerPort: 8080}]})])
    expect(s.endpoints![0]).to.deep.include({nodeName: 'node-7', targetRef: {kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a'}})
    expect(s.metadata.annotations?.[DERIVED_ANNOTATION]).to.equal('derived-from-pods')
    expect(sliceOrigin(s)).to.equal('derived-from-pods')
    expect(s.metadata.labels?.['kubernetes.io/service-name']).to.equal('web')
  })

  it('dual-stack pods get one slice per family the Service has', () => {
    const dual = clusterIpService('dual', ['10.96.0.1', 'fd00::1'], [{port: 80, targetPort: 8080}])
    dual.spec!.selector = {app: 'web'}
    const slices = deriveSlicesFromPods(dual, [pod('a', {ip: ['10.0.0.1', 'fd00:1::1'], labels: {app: 'web'}})])
    expect(slices.map((s) => [s.addressType, s.endpoints![0].addresses[0]])).to.deep.equal([
      ['IPv4', '10.0.0.1'],
      ['IPv6', 'fd00:1::1'],
    ])
    const single = clusterIpService('single', '10.96.0.2', [{port: 80}])
    single.spec!.selector = {app: 'web'}
    expect(deriveSlicesFromPods(single, [pod('a', {ip: ['10.0.0.1', 'fd00:1::1'], labels: {app: 'web'}})]).map((s) => s.addressType)).to.deep.equal(['IPv4'])
  })
})

describe('cluster: v1 Endpoints mirrored to slices', () => {
  const manual: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {name: 'db', namespace: 'default'},
    subsets: [{addresses: [{ip: '11.11.11.11'}, {ip: '22.22.22.22', hostname: 'two'}], notReadyAddresses: [{ip: '33.33.33.33'}], ports: [{name: 'pg', port: 5432}]}],
  }

  it('keeps addresses, marks notReadyAddresses not ready, copies ports and hostname', () => {
    const [s] = mirrorEndpoints(service('db', {clusterIP: '10.96.0.5', ports: [{name: 'pg', port: 5432}]}), manual)
    expect(s.endpoints!.map((e) => [e.addresses[0], e.conditions?.ready, e.hostname ?? null])).to.deep.equal([
      ['11.11.11.11', true, null],
      ['22.22.22.22', true, 'two'],
      ['33.33.33.33', false, null],
    ])
    expect(s.ports).to.deep.equal([{name: 'pg', port: 5432, protocol: 'TCP'}])
    expect(sliceOrigin(s)).to.equal('mirrored-from-endpoints')
  })

  it('a selector-less Service answers through its manual Endpoints', () => {
    const m = model([service('db', {clusterIP: 'None', ports: [{name: 'pg', port: 5432}]}), manual])
    expect(m.answer('db.default.svc.cluster.local', 'A').answers.map((a) => a.data)).to.deep.equal(['11.11.11.11', '22.22.22.22'])
    expect(m.answer('two.db.default.svc.cluster.local', 'A').answers.map((a) => a.data)).to.deep.equal(['22.22.22.22'])
  })

  it('slices present in the input are used as they are, never re-derived', () => {
    const snap = snapshot([headless('web'), slice('web', [ep('10.9.9.9')]), pod('a', {ip: '10.0.0.1', labels: {app: 'web'}})])
    expect(snap.endpointSlices).to.have.length(1)
    expect(sliceOrigin(snap.endpointSlices[0])).to.equal('observed')
  })
})

describe('cluster: predicted StatefulSet pods', () => {
  it('predicts the ordinals that do not exist yet', () => {
    const snap = snapshot([statefulSet('pg', 'pg-hl', 3, 'data'), headless('pg-hl', [{port: 5432}], {namespace: 'data'}), pod('pg-0', {namespace: 'data', ip: '10.0.0.1', labels: {app: 'pg-hl'}})])
    expect(snap.predictedPods.map((p) => `${p.name} ${p.hostname}.${p.serviceName}`)).to.deep.equal(['pg-1 pg-1.pg-hl', 'pg-2 pg-2.pg-hl'])
  })

  it('honours spec.ordinals.start', () => {
    const sts = statefulSet('pg', 'pg-hl', 2)
    sts.spec.ordinals = {start: 5}
    expect(snapshot([sts]).predictedPods.map((p) => p.name)).to.deep.equal(['pg-5', 'pg-6'])
  })

  it('predicts at most 1000 pods per StatefulSet and 100,000 in all, and says so in a gap', () => {
    const started = Date.now()
    const huge = statefulSet('big', 'big-hl', 2147483647, 'data')
    const snap = snapshot([huge, statefulSet('small', 'small-hl', 3, 'data')])
    expect(snap.predictedPods.filter((p) => p.statefulSet === 'big')).to.have.length(1000)
    expect(snap.predictedPods.at(-1)!.name).to.equal('small-2')
    expect(snap.gaps).to.deep.equal([{resource: 'statefulsets', namespace: 'data', reason: 'PredictionLimit', message: 'StatefulSet data/big has 2147483647 replicas: kdisco predicts the names of its first 1000 pods only (at most 1000 per StatefulSet)'}])
    const many = snapshot(Array.from({length: 120}, (_, i) => statefulSet(`s${i}`, 'hl', 2147483647)))
    expect(many.predictedPods).to.have.length(100_000)
    expect(many.gaps.at(-1)!.message).to.equal('StatefulSet default/s119 has 2147483647 replicas: kdisco predicts the names of its first 0 pods only (at most 100000 in all)')
    expect(Date.now() - started).to.be.below(5000)
  })
})
