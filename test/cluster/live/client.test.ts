// A broken or hostile API server through the built CLI: every answer that is not what was asked for (truncated
// JSON, HTML, the wrong kind, items that are not a list, a malformed object, an endless or dripping body, a
// connection cut mid-answer) is exit 3 in one line naming the request — never an empty list, never a crash; a 500
// on the Corefile falls back to kubeadm's defaults with a note, as README says.
import {gzipSync} from 'node:zlib'
import {expect} from 'chai'
import {kdiscoAsync} from '../../support/cli.js'
import {loadExamples} from '../../support/cluster-objects.js'
import {KubeApiServer} from '../../support/kube-api-server.js'

describe('live: answers that are not what was asked for', function () {
  this.timeout(60000)
  let server: KubeApiServer
  let kubeconfig: string
  before(async () => {
    server = await new KubeApiServer().start()
    await loadExamples(server)
    kubeconfig = server.kubeconfig()
  })
  after(async () => server?.stop())
  beforeEach(() => server.clearFaults())

  const oneError = (r: {status: number | null; stdout: string; stderr: string}, status = 3) => {
    expect(r.status, r.stderr).to.equal(status)
    expect(r.stdout).to.equal('')
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines, r.stderr).to.have.length(1)
    expect(lines[0]).to.match(/^Error: /)
    return lines[0]
  }

  it('a 200 with truncated JSON: exit 3, not "No Services found."', async () => {
    server.fault({path: /^\/api\/v1\/namespaces\/default\/services$/, raw: {contentType: 'application/json', body: '{"kind":"ServiceList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"web"'}})
    const line = oneError(await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig]))
    expect(line).to.match(/^Error: The API server https:\/\/127\.0\.0\.1:\d+ \(context test\) answered list services in namespace default with JSON that does not parse \(.*; \d+ bytes: cut short\?\)\. Check that the server URL/)
  })

  it('a 200 HTML page (a proxy, a login page): exit 3 naming the content type', async () => {
    server.fault({path: /\/services$/, raw: {contentType: 'text/html; charset=utf-8', body: '<html><body>Please log in</body></html>'}})
    const line = oneError(await kdiscoAsync(['svc', 'list', '-A', '--kubeconfig', kubeconfig]))
    expect(line).to.include('answered list services cluster-wide with "text/html; charset=utf-8", not JSON')
  })

  it('a connection cut in the middle of the answer: exit 3', async () => {
    server.fault({path: /\/endpointslices$/, cut: 40})
    const line = oneError(await kdiscoAsync(['svc', 'lookup', 'kubia-headless', '--probe', 'none', '--kubeconfig', kubeconfig]))
    expect(line).to.match(/cut its answer to list endpointslices in namespace default short/)
  })

  it('truncated EndpointSlices are an error, not "NXDOMAIN: no ready endpoints"', async () => {
    server.fault({path: /\/endpointslices$/, raw: {contentType: 'application/json', body: '{"kind":"EndpointSliceList","items":[{"metadata":{"name":"kubia-headless-x"'}})
    const line = oneError(await kdiscoAsync(['svc', 'list', '-n', 'default', '--kubeconfig', kubeconfig]))
    expect(line).to.match(/answered list endpointslices in namespace default with JSON that does not parse/)
  })

  const kinds: [string, (b: unknown) => unknown, RegExp][] = [
    ['the wrong kind', (b) => ({...(b as object), kind: 'PodList'}), /with a PodList where a ServiceList was asked for/],
    ['items that are not a list', (b) => ({...(b as object), items: 'x'}), /with a ServiceList whose items is not a list/],
    ['a malformed object', (b) => ((b as {items: {spec: unknown}[]}).items[0].spec = {ports: 5}, b), /with an invalid object: Service default\/[\w-]+: spec\.ports must be a list, got a number/],
    ['an object with a line break in its name', (b) => ((b as {items: {metadata: {name: string}}[]}).items[0].metadata.name = 'web\nx', b), /with an invalid object: Service "web\\nx" has an invalid name/],
    ['an item of another kind', (b) => ((b as {items: {kind?: string}[]}).items[0].kind = 'Secret', b), /with a Secret where a Service was asked for/],
  ]
  for (const [what, transform, pattern] of kinds) {
    it(`a LIST answered with ${what}: exit 3, one line`, async () => {
      server.fault({path: /^\/api\/v1\/namespaces\/default\/services$/, transform})
      expect(oneError(await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig]))).to.match(pattern)
    })
  }

  it('a GET answered with another kind: exit 3', async () => {
    server.fault({path: /\/services\/kubia$/, transform: (b) => ({...(b as object), kind: 'ConfigMap'})})
    expect(oneError(await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kubeconfig]))).to.match(/answered get services kubia in namespace default with a ConfigMap where a Service was asked for/)
  })

  it('a body of 300 MB is refused as it arrives: exit 3, no ERR_STRING_TOO_LONG, bounded memory', async () => {
    server.fault({path: /\/services$/, bodyBytes: 300 << 20})
    const started = Date.now()
    const line = oneError(await kdiscoAsync(['svc', 'list', '-A', '--kubeconfig', kubeconfig], {timeoutMs: 60000}))
    expect(line).to.include('answered list services cluster-wide with more than 256 MiB')
    expect(Date.now() - started).to.be.below(40000)
  })

  it('a gzipped answer (kdisco asks for gzip, as kubectl does) is read; a gzip bomb, a corrupt gzip and an encoding not asked for are exit 3', async () => {
    const list = {kind: 'ServiceList', apiVersion: 'v1', metadata: {resourceVersion: '1'}, items: [{metadata: {name: 'zipped', namespace: 'default'}, spec: {clusterIP: '10.96.9.9', ports: [{port: 80}]}}]}
    server.fault({path: /^\/api\/v1\/namespaces\/default\/services$/, times: 1, raw: {contentType: 'application/json', contentEncoding: 'gzip', body: gzipSync(JSON.stringify(list))}})
    const zipped = await kdiscoAsync(['svc', 'list', '-o', 'name', '--kubeconfig', kubeconfig])
    expect(zipped.stdout, zipped.stderr).to.equal('service/zipped\n')
    // 300 MiB of spaces in ~300 KB: refused once 256 MiB are decompressed, not after.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"kind":"ServiceList","items":['), Buffer.alloc(300 << 20, ' '), Buffer.from(']}')]))
    expect(bomb.length).to.be.below(1 << 20)
    server.fault({path: /^\/api\/v1\/services$/, times: 1, raw: {contentType: 'application/json', contentEncoding: 'gzip', body: bomb}})
    expect(oneError(await kdiscoAsync(['svc', 'list', '-A', '--kubeconfig', kubeconfig], {timeoutMs: 60000}))).to.include('answered list services cluster-wide with more than 256 MiB')
    server.fault({path: /^\/api\/v1\/services$/, times: 1, raw: {contentType: 'application/json', contentEncoding: 'gzip', body: gzipSync(JSON.stringify(list)).subarray(0, 30)}})
    expect(oneError(await kdiscoAsync(['svc', 'list', '-A', '--kubeconfig', kubeconfig]))).to.match(/answered list services cluster-wide with a gzip body that does not decompress \(Z_BUF_ERROR\)\. /)
    server.fault({path: /^\/api\/v1\/services$/, times: 1, raw: {contentType: 'application/json', contentEncoding: 'br', body: 'x'}})
    expect(oneError(await kdiscoAsync(['svc', 'list', '-A', '--kubeconfig', kubeconfig]))).to.match(/answered list services cluster-wide with a body encoded as "br", which kdisco did not ask for\. /)
  })

  it('a body that drips one byte at a time ends at --request-timeout', async () => {
    server.fault({path: /\/services\/kubia$/, dripMs: 200})
    const started = Date.now()
    const line = oneError(await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kubeconfig, '--request-timeout', '2s']))
    expect(line).to.match(/did not answer get services kubia in namespace default: no answer within 2s/)
    expect(Date.now() - started).to.be.below(10000)
  })

  it('a 500 on the Corefile ConfigMap: kubeadm defaults and one dim line, as README says', async () => {
    server.fault({path: /\/configmaps\/coredns$/, status: 500})
    const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '--probe', 'none', '--kubeconfig', kubeconfig, '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stderr).to.equal('kdisco: DNS settings: kubeadm defaults: the kube-system/coredns ConfigMap could not be read (500 InternalError)\n')
    const out = JSON.parse(r.stdout)
    expect(out.settings.source).to.equal('kubeadm defaults: the kube-system/coredns ConfigMap could not be read (500 InternalError)')
    expect(out.input.gaps[0]).to.include({resource: 'configmaps', namespace: 'kube-system', reason: '500 InternalError'})
  })

  it('a LIST of 140,000 Services is read without a deep stack', async () => {
    server.fault({
      path: /^\/api\/v1\/namespaces\/default\/services$/,
      transform: (b) => ({...(b as object), items: Array.from({length: 140_000}, (_, i) => ({metadata: {name: `s${i}`, namespace: 'default'}, spec: {clusterIP: 'None'}}))}),
    })
    const r = await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig, '-o', 'name'], {timeoutMs: 60000})
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stdout.split('\n').filter(Boolean)).to.have.length(140_000)
  })
})
