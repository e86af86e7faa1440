// The manifest-file source: files, directories, -R, stdin, multi-document YAML, JSON, List objects, and the
// one-line input errors (file:line).
import {expect} from 'chai'
import fc from 'fast-check'
import {mkdtempSync, mkdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {jsonErrorOffset, loadFileSnapshot} from '../../src/cluster/files.js'
import {KdiscoError} from '../../src/errors.js'

const examples = new URL('../../examples/', import.meta.url).pathname
const bad = new URL('../fixtures/bad/', import.meta.url).pathname

async function loadError(filenames: string[], stdin = ''): Promise<KdiscoError> {
  try {
    await loadFileSnapshot({filenames, readStdin: async () => stdin})
  } catch (error) {
    expect(error).to.be.instanceOf(KdiscoError)
    return error as KdiscoError
  }
  throw new Error('expected an input error')
}

describe('cluster: manifest files', () => {
  it('reads a directory of multi-document YAML (the bundled examples)', async () => {
    const snap = await loadFileSnapshot({filenames: [examples]})
    expect(snap.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).to.include.members(['default/kubia', 'data/mysql-svc', 'kube-system/kube-dns', 'default/external-service'])
    expect(snap.pods).to.have.length(7)
    expect(snap.namespaces).to.include.members(['data', 'default', 'kube-system'])
    expect(snap.configMaps.map((c) => c.metadata.name)).to.deep.equal(['coredns'])
    expect(snap.workloads.map((w) => w.kind)).to.deep.equal(['Deployment'])
  })

  it('reads kubectl List output in JSON and YAML, and typed *List objects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-'))
    const svc = {apiVersion: 'v1', kind: 'Service', metadata: {name: 'a', namespace: 'x'}, spec: {clusterIP: '10.96.0.1', ports: [{port: 80}]}}
    writeFileSync(join(dir, 'list.json'), JSON.stringify({apiVersion: 'v1', kind: 'List', items: [svc]}))
    writeFileSync(join(dir, 'typed.yaml'), 'apiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: b, namespace: y}\n  spec: {clusterIP: None}\n')
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest')
    const snap = await loadFileSnapshot({filenames: [dir]})
    expect(snap.services.map((s) => s.metadata.name).sort()).to.deep.equal(['a', 'b'])
  })

  it('reads nested directories only with -R', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-'))
    mkdirSync(join(dir, 'sub'))
    writeFileSync(join(dir, 'sub', 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: deep}\nspec: {clusterIP: 10.96.0.3}\n')
    writeFileSync(join(dir, 'top.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: top}\nspec: {clusterIP: 10.96.0.4}\n')
    expect((await loadFileSnapshot({filenames: [dir]})).services.map((s) => s.metadata.name)).to.deep.equal(['top'])
    expect((await loadFileSnapshot({filenames: [dir], recursive: true})).services.map((s) => s.metadata.name).sort()).to.deep.equal(['deep', 'top'])
  })

  it('reads - from stdin, and puts namespace-less objects in the default namespace given', async () => {
    const snap = await loadFileSnapshot({filenames: ['-'], defaultNamespace: 'shop', readStdin: async () => 'kind: Service\napiVersion: v1\nmetadata: {name: s}\nspec: {clusterIP: None}\n'})
    expect(snap.services[0].metadata.namespace).to.equal('shop')
    expect(snap.sources).to.deep.equal(['<stdin>'])
  })

  it('lists kinds it does not read as ignored', async () => {
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: x}\n'})
    expect(snap.ignored).to.deep.equal([{kind: 'Secret', namespace: 'default', name: 's', source: '<stdin>:1'}])
  })

  it('later documents replace earlier ones with the same kind/namespace/name, and a different one is a warning naming both', async () => {
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => 'kind: Service\nmetadata: {name: s}\nspec: {clusterIP: 10.96.0.1}\n---\nkind: Service\nmetadata: {name: s}\nspec: {clusterIP: 10.96.0.2}\n'})
    expect(snap.services.map((s) => s.spec?.clusterIP)).to.deep.equal(['10.96.0.2'])
    expect(snap.warnings).to.deep.equal(['Service default/s is defined twice with different content, in <stdin>:1 and in <stdin>:5: the last one is used (as kubectl apply would)'])
    // The same object twice (keys in another order, as two exports write it) is no warning.
    const same = await loadFileSnapshot({filenames: ['-'], readStdin: async () => 'kind: Service\nmetadata: {name: s}\nspec: {clusterIP: 10.96.0.1, ports: [{port: 80}]}\n---\nspec: {ports: [{port: 80}], clusterIP: 10.96.0.1}\nmetadata: {name: s}\nkind: Service\n'})
    expect(same.warnings).to.deep.equal([])
  })

  it('a directory holding more than manifests: Kustomization, Helm chart files and templates, other tools\' objects are skipped and listed; nothing fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-repo-'))
    mkdirSync(join(dir, 'chart', 'templates'), {recursive: true})
    writeFileSync(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.4}\n')
    writeFileSync(join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n')
    writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n')
    writeFileSync(join(dir, 'chart', 'values.yaml'), 'replicas: 3\n')
    writeFileSync(join(dir, 'chart', 'templates', 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n')
    writeFileSync(join(dir, 'cert.yaml'), 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: web-tls}\n')
    const snap = await loadFileSnapshot({filenames: [dir], recursive: true})
    expect(snap.services.map((s) => s.metadata.name)).to.deep.equal(['web'])
    expect(snap.ignored.map((o) => `${o.kind} ${o.source.slice(dir.length + 1)}`)).to.deep.equal([
      'Certificate cert.yaml:1',
      'Helm chart templates chart/templates',
      'a document without kind chart/Chart.yaml:1',
      'a document without kind chart/values.yaml:1',
      'Kustomization kustomization.yaml:1',
    ])
    // Named on purpose, a file without kind is still an error; a kind kdisco reads without its name always is.
    expect((await loadError([join(dir, 'chart', 'values.yaml')])).message).to.match(/values\.yaml:1: expected a Kubernetes object|values\.yaml:1: object has no kind/)
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {labels: {a: b}}\n')
    expect((await loadError([dir])).message).to.match(/broken\.yaml:3: Service has no metadata\.name$/)
  })

  it('reads YAML with the 1.2 core schema', async () => {
    const text = 'kind: Service\nmetadata:\n  name: t\n  annotations: {when: 2024-01-01T00:00:00Z, flag: yes}\nspec: {clusterIP: 10.96.0.1, ports: [{port: 0755}]}\n'
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => text})
    expect(snap.services.map((s) => s.metadata.name)).to.deep.equal(['t'])
    // Timestamps and YAML 1.1 booleans stay text (kubectl keeps them as text in string fields); 0755 is decimal.
    expect(snap.services[0].metadata.annotations).to.deep.equal({when: '2024-01-01T00:00:00Z', flag: 'yes'})
    expect(snap.services[0].spec?.ports?.[0].port).to.equal(755)
  })

  it('refuses a repeated key at its line, as kubectl does: two files joined without --- are not merged into one object', async () => {
    const a = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec: {clusterIP: 10.96.0.1}\n'
    const b = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: b\nspec: {clusterIP: 10.96.0.2}\n'
    const joined = await loadError(['-'], a + b)
    expect(joined.message).to.equal('<stdin>:6: mapping key "apiVersion" already defined')
    expect(joined.hint).to.match(/separate them with a line ---/)
    expect(joined.exitCode).to.equal(2)
    // Nested and flow mappings too; with --- between them the same two objects load.
    expect((await loadError(['-'], 'kind: Service\nmetadata:\n  name: s\n  name: t\n')).message).to.equal('<stdin>:4: mapping key "name" already defined')
    expect((await loadError(['-'], 'kind: Service\nmetadata: {name: s, "name": t}\n')).message).to.equal('<stdin>:2: mapping key "name" already defined')
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => `${a}---\n${b}`})
    expect(snap.services.map((s) => s.metadata.name)).to.deep.equal(['a', 'b'])
  })

  it('an input without any document is an error (exit 2), not an empty cluster; an empty List is an answer', async () => {
    for (const text of ['', '# only a comment\n', '---\n---\n'])
      expect((await loadError(['-'], text)).message).to.equal('<stdin>: No objects in <stdin>: it holds no YAML or JSON document'.replace('<stdin>: ', ''))
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => 'apiVersion: v1\nkind: List\nitems: []\n'})
    expect(snap.services).to.deep.equal([])
  })

  it('refuses aliases that expand to millions of nodes (a "billion laughs" file), in one line', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(', ')}]`)
    const error = await loadError(['-'], `kind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${levels.map((l) => '  ' + l).join('\n')}\n`)
    expect(error.message).to.equal('<stdin>: YAML aliases expand to more than 1000000 nodes')
    expect(error.exitCode).to.equal(2)
    // A few shared anchors are fine.
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => 'kind: Service\nmetadata: {name: s, labels: &l {app: web}}\nspec: {selector: *l, clusterIP: 10.96.0.1}\n'})
    expect(snap.services[0].spec?.selector).to.deep.equal({app: 'web'})
  })

  it('gives each document of a multi-document file its own line, and an error the line of its field', async () => {
    const error = await loadError(['-'], '# leading comment\n---\nkind: Service\nmetadata: {name: ok}\n---\n\n# second\nkind: Service\nmetadata: {name: Not_OK}\n')
    expect(error.message).to.match(/^<stdin>:9: Service "Not_OK" has an invalid name/)
    // Objects in a List (kubectl get -o yaml) each have their own line, in the snapshot's locations too.
    const list = 'apiVersion: v1\nkind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n- kind: Service\n  metadata:\n    name: b\n  spec:\n    ports:\n    - port: 99999\n'
    expect((await loadError(['-'], list)).message).to.match(/^<stdin>:11: Service default\/b: spec\.ports\[0\]\.port 99999 is out of range/)
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => list.replace('99999', '80')})
    expect(['Service default/a', 'Service default/b'].map((ref) => snap.locate?.(ref)?.line)).to.deep.equal([4, 6])
    // JSON too, for the error (a JSON dump is not parsed twice for the lines of objects that are fine).
    const json = '{"kind": "List", "items": [\n  {"kind": "Service", "metadata": {"name": "a"}},\n  {"kind": "Service", "metadata": {"name": "b"},\n   "spec": {"ports": 5}}\n]}\n'
    expect((await loadError(['-'], json)).message).to.equal('<stdin>:4: Service default/b: spec.ports must be a list, got a number')
  })

  it('a JSON syntax error V8 gives no position for (a trailing comma, a broken literal) still has its line', async () => {
    expect((await loadError(['-'], '{"apiVersion":"v1","kind":"Service",\n"metadata":{"name":"web"},\n"spec":{"ports":[{"port":80},]}}\n')).message).to.match(/^<stdin>:3: invalid JSON: /)
    expect((await loadError(['-'], '{"kind":"Service",\n"metadata":{"name":"web"},\n\n"spec":{"clusterIP":tru}}\n')).message).to.match(/^<stdin>:4: invalid JSON: /)
  })

  it('jsonErrorOffset agrees with JSON.parse on what is JSON (seeded, on JSON texts with a character changed)', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom('', ',', ']', '}', '"', ':', 'x', '0', '\\', ' '), (json, at, insert) => {
        const i = json.length === 0 ? 0 : at % json.length
        for (const text of [json, json.slice(0, i) + insert + json.slice(i), json.slice(0, i) + json.slice(i + 1)]) {
          let valid = true
          try {
            JSON.parse(text)
          } catch {
            valid = false
          }
          expect(jsonErrorOffset(text) === undefined, text).to.equal(valid)
        }
      }),
      {seed: 1201, numRuns: 3000},
    )
  })

  const errorCases: [string, string[], RegExp][] = [
    ['a missing file', ['/nonexistent/x.yaml'], /^Cannot read \/nonexistent\/x\.yaml: no such file or directory$/],
    ['YAML syntax, with file:line', [join(bad, 'syntax.yaml')], /syntax\.yaml:9: invalid YAML: deficient indentation$/],
    ['JSON syntax, with file:line', [join(bad, 'syntax.json')], /syntax\.json:5: invalid JSON/],
    ['an object without metadata.name, at its document line', [join(bad, 'noname.yaml')], /noname\.yaml:8: Service has no metadata\.name$/],
    ['an invalid Service name', [join(bad, 'badname.yaml')], /badname\.yaml:4: Service "Web_Frontend" has an invalid name: it must be a lowercase RFC 1035 label/],
  ]
  for (const [what, files, pattern] of errorCases) {
    it(`rejects ${what} with one line and exit code 2`, async () => {
      const error = await loadError(files)
      expect(error.message).to.match(pattern)
      expect(error.exitCode).to.equal(2)
      expect(error.toLine()).to.not.include('\n')
      expect(error.hint).to.be.a('string')
    })
  }

  it('rejects objects without kind, invalid namespaces, pod hostnames and cluster IPs', async () => {
    expect((await loadError(['-'], 'metadata: {name: x}\n')).message).to.match(/<stdin>:1: object has no kind/)
    expect((await loadError(['-'], 'kind: Service\nmetadata: {name: x, namespace: Bad_NS}\n')).message).to.match(/invalid namespace "Bad_NS"/)
    expect((await loadError(['-'], 'kind: Pod\nmetadata: {name: p}\nspec: {hostname: Not_Valid, containers: []}\n')).message).to.match(/Pod default\/p: spec\.hostname "Not_Valid" is not valid: it must be a lowercase RFC 1123 label/)
    expect((await loadError(['-'], 'kind: Service\nmetadata: {name: s}\nspec: {clusterIP: 10.96.0.300}\n')).message).to.match(/spec\.clusterIP "10\.96\.0\.300" is not an IP address/)
  })

  it('accepts a UTF-8 byte order mark before JSON and YAML, as kubectl does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-'))
    writeFileSync(join(dir, 'a.json'), '\ufeff' + JSON.stringify({apiVersion: 'v1', kind: 'Service', metadata: {name: 'a'}, spec: {clusterIP: 'None'}}))
    writeFileSync(join(dir, 'b.yaml'), '\ufeffapiVersion: v1\nkind: Service\nmetadata: {name: b}\n')
    expect((await loadFileSnapshot({filenames: [dir]})).services.map((s) => s.metadata.name)).to.deep.equal(['a', 'b'])
    expect((await loadFileSnapshot({filenames: ['-'], readStdin: async () => '\ufeff{"kind": "Service", "metadata": {"name": "c"}}'})).services).to.have.length(1)
  })

  it('reads Lists nested 50,000 deep, arrays nested 10,000 deep and 200,000 items in one List without a deep stack', async () => {
    let nested = '{"kind":"ConfigMap","metadata":{"name":"deepest"}}'
    for (let i = 0; i < 50_000; i++) nested = `{"kind":"List","items":[${nested}]}`
    expect((await loadFileSnapshot({filenames: ['-'], readStdin: async () => nested})).configMaps.map((c) => c.metadata.name)).to.deep.equal(['deepest'])
    const arrays = '['.repeat(10_000) + '{"kind":"ConfigMap","metadata":{"name":"inside"}}' + ']'.repeat(10_000)
    expect((await loadFileSnapshot({filenames: ['-'], readStdin: async () => arrays})).configMaps).to.have.length(1)
    const items = Array.from({length: 200_000}, (_, i) => ({metadata: {name: `c${i}`}}))
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => JSON.stringify({kind: 'ConfigMapList', items})})
    expect(snap.configMaps).to.have.length(200_000)
    expect(snap.configMaps[199_999].kind).to.equal('ConfigMap')
  })

  it('a wrong-typed field is file:line, the object and the field path, in one line', async () => {
    const error = await loadError(['-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  ports: 5\n')
    expect(error.message).to.equal('<stdin>:11: Service shop/web: spec.ports must be a list, got a number')
    expect(error.exitCode).to.equal(2)
    const inList = await loadError(['-'], JSON.stringify({kind: 'List', items: [{kind: 'Pod', metadata: {name: 'p\nq'}}]}))
    expect(inList.toLine()).to.equal(`Error: <stdin>:1: Pod "p\\nq" has an invalid name: it must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', at most 253 characters). Fix that field of the manifest`)
  })

  it('refuses a List whose items is not a list, at the items line (items: null is an empty List)', async () => {
    const error = await loadError(['-'], 'apiVersion: v1\nkind: List\nitems: 5\n')
    expect(error.message).to.equal('<stdin>:3: List: items must be a list, found a number')
    expect(error.exitCode).to.equal(2)
    expect((await loadError(['-'], 'kind: List\nitems:\n- kind: ServiceList\n  items:\n    kind: Service\n')).message).to.equal('<stdin>:4: ServiceList: items must be a list, found a mapping')
    expect((await loadError(['-'], '{"kind": "List",\n "items": "x"}\n')).message).to.equal('<stdin>:2: List: items must be a list, found a string')
    expect((await loadFileSnapshot({filenames: ['-'], readStdin: async () => 'kind: List\nitems: null\n---\nkind: ServiceList\nitems:\n'})).services).to.deep.equal([])
  })

  it('takes what the API server takes: label selectors with prefixes and empty values, one port on UDP and TCP, clusterIPs led by clusterIP, nodePort 0', async () => {
    const text =
      'kind: Service\nmetadata: {name: dns}\nspec:\n  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.10, fd00::a]\n  selector: {app.kubernetes.io/name: dns, k8s-app: "", A_b.c: X-1}\n  externalIPs: [192.0.2.1, 2001:db8::1]\n' +
      '  type: NodePort\n  ports:\n  - {name: dns, port: 53, protocol: UDP, nodePort: 0}\n  - {name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053}\n' +
      '---\nkind: EndpointSlice\nmetadata: {name: dns-1, labels: {kubernetes.io/service-name: dns}}\naddressType: IPv4\nendpoints: [{addresses: [10.0.0.1]}]\n'
    const snap = await loadFileSnapshot({filenames: ['-'], readStdin: async () => text})
    expect(snap.services.map((s) => s.metadata.name)).to.deep.equal(['dns'])
    expect(snap.endpointSlices).to.have.length(1)
  })

  // Every field an API rule checks, wrong, on the line marked #<: the error must name that field and be at that line
  // (not its object's, its list item's or a sibling's). The field comes from the rule, not from its message's words.
  const ruleFields: [string, string][] = [
    ['spec.clusterIP', 'kind: Service\nmetadata: {name: s}\nspec:\n  type: ClusterIP\n  clusterIP: 10.0.0.300 #<\n'],
    ['spec.clusterIPs[1]', 'kind: Service\nmetadata: {name: s}\nspec:\n  clusterIPs:\n  - 10.0.0.3\n  - fd00::x #<\n'],
    ['spec.clusterIPs[0]', 'kind: Service\nmetadata: {name: s}\nspec:\n  clusterIP: 10.0.0.1\n  clusterIPs:\n  - 10.0.0.2 #<\n'],
    ['spec.selector.app', 'kind: Service\nmetadata: {name: s}\nspec:\n  selector:\n    tier: web\n    app: bad value! #<\n'],
    ['spec.selector.app', `kind: Service\nmetadata: {name: s}\nspec:\n  selector:\n    app: ${'a'.repeat(64)} #<\n`],
    ['spec.selector["bad key!"]', 'kind: Service\nmetadata: {name: s}\nspec:\n  selector:\n    app: web\n    "bad key!": web #<\n'],
    ['spec.selector["Example.com/app"]', 'kind: Service\nmetadata: {name: s}\nspec:\n  selector:\n    example.com/tier: ""\n    Example.com/app: web #<\n'],
    ['spec.ports[1].nodePort', 'kind: Service\nmetadata: {name: s}\nspec:\n  type: NodePort\n  ports:\n  - {name: a, port: 80, nodePort: 30080}\n  - name: b\n    port: 81\n    nodePort: 99999 #<\n'],
    ['spec.ports[0].nodePort', 'kind: Service\nmetadata: {name: s}\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: -1 #<\n'],
    ['spec.ports[1].name', 'kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - name: a\n    port: 80\n  - port: 81\n    name: a #<\n'],
    ['spec.ports[2]', 'kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {name: a, port: 53, protocol: UDP}\n  - {name: b, port: 53}\n  - name: c #<\n    port: 53\n    protocol: TCP\n'],
    ['spec.externalIPs[1]', 'kind: Service\nmetadata: {name: s}\nspec:\n  externalIPs:\n  - 1.2.3.4\n  - 1.2.3 #<\n'],
    ['spec.ports[1].port', 'kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {name: a, port: 80}\n  - name: b\n    port: 0 #<\n'],
    // More than one port: each needs a name (said at the port that lacks it).
    ['spec.ports[1].name', 'kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {name: a, port: 80}\n  - port: 81 #<\n    protocol: TCP\n'],
    ['spec.ports[0].name', 'kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n    name: Web_1 #<\n'],
    ['spec.ports[0].targetPort', 'kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n    targetPort: Http_1 #<\n'],
    ['spec.ports[0].targetPort', 'kind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n    targetPort: 70000 #<\n'],
    ['spec.externalName', 'kind: Service\nmetadata: {name: s}\nspec:\n  type: ExternalName\n  externalName: a..b #<\n'],
    ['status.loadBalancer.ingress[0].ip', 'kind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\nstatus:\n  loadBalancer:\n    ingress:\n    - hostname: lb.example\n      ip: 1.2.3 #<\n'],
    ['status.loadBalancer.ingress[1].hostname', 'kind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\nstatus:\n  loadBalancer:\n    ingress:\n    - ip: 1.2.3.4\n    - ip: 1.2.3.5\n      hostname: LB_1 #<\n'],
    ['endpoints[1].addresses[1]', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n- addresses:\n  - 10.0.0.2\n  - fd00::2 #<\n'],
    ['endpoints[1].addresses', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n- conditions: #<\n    ready: true\n'],
    ['endpoints[0].addresses', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints:\n- conditions: {ready: true}\n  addresses: [] #<\n'],
    ['metadata.labels["kubernetes.io/service-name"]', 'kind: EndpointSlice\nmetadata: {name: e,\n  labels: {kubernetes.io/service-name: We b}} #<\naddressType: IPv4\n'],
    ['endpoints[0].hostname', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n  hostname: A_B #<\n'],
    ['endpoints[0].nodeName', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n  nodeName: Node_1 #<\n'],
    ['endpoints[0].targetRef.name', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n  targetRef:\n    kind: Pod\n    name: Pod_1 #<\n'],
    ['endpoints[0].targetRef.namespace', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n  targetRef:\n    name: p\n    namespace: NS.x #<\n'],
    ['ports[0].port', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nports:\n- name: http\n  port: 65536 #<\n'],
    ['ports[0].name', 'kind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nports:\n- port: 80\n  name: HTTP #<\n'],
    ['subsets[0].addresses[1].ip', 'kind: Endpoints\nmetadata: {name: e}\nsubsets:\n- addresses:\n  - ip: 10.0.0.1\n  - hostname: h\n    ip: 10.0.0 #<\n'],
    ['subsets[0].notReadyAddresses[0].hostname', 'kind: Endpoints\nmetadata: {name: e}\nsubsets:\n- notReadyAddresses:\n  - ip: 10.0.0.1\n    hostname: H_1 #<\n'],
    ['subsets[0].addresses[0].targetRef.name', 'kind: Endpoints\nmetadata: {name: e}\nsubsets:\n- addresses:\n  - ip: 10.0.0.1\n    targetRef:\n      kind: Pod\n      name: P_1 #<\n'],
    ['subsets[1].ports[0].port', 'kind: Endpoints\nmetadata: {name: e}\nsubsets:\n- ports: [{port: 80}]\n- ports:\n  - name: http\n    port: 0 #<\n'],
    ['spec.hostname', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n  hostname: Host_1 #<\n'],
    ['spec.subdomain', 'kind: Pod\nmetadata: {name: p}\nspec:\n  hostname: h\n  subdomain: Sub_1 #<\n'],
    ['spec.hostAliases[0].ip', 'kind: Pod\nmetadata: {name: p}\nspec:\n  hostAliases:\n  - hostnames: [a]\n    ip: 1.2.3.4.5 #<\n'],
    ['spec.hostAliases[0].hostnames[1]', 'kind: Pod\nmetadata: {name: p}\nspec:\n  hostAliases:\n  - ip: 1.2.3.4\n    hostnames:\n    - a\n    - B_2 #<\n'],
    ['spec.dnsConfig.nameservers[1]', 'kind: Pod\nmetadata: {name: p}\nspec:\n  dnsConfig:\n    nameservers:\n    - 1.1.1.1\n    - one.one #<\n'],
    ['spec.dnsConfig.searches[0]', 'kind: Pod\nmetadata: {name: p}\nspec:\n  dnsConfig:\n    nameservers: [1.1.1.1]\n    searches:\n    - a..b #<\n'],
    ['spec.containers[0].ports[1].containerPort', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: 80\n    - name: x\n      containerPort: 0 #<\n'],
    ['status.podIP', 'kind: Pod\nmetadata: {name: p}\nstatus:\n  phase: Running\n  podIP: 10.1.x #<\n'],
    ['status.hostIP', 'kind: Pod\nmetadata: {name: p}\nstatus:\n  podIP: 10.0.0.1\n  hostIP: host #<\n'],
    ['status.podIPs[1].ip', 'kind: Pod\nmetadata: {name: p}\nstatus:\n  podIPs:\n  - ip: 10.0.0.1\n  - note: unknown fields are not read\n    ip: 10.0.0.1.1 #<\n'],
  ]
  for (const [field, yaml] of ruleFields) {
    it(`an API rule on ${field} points at its line`, async () => {
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n---\n${yaml}`
      const line = text.split('\n').findIndex((l) => l.endsWith(' #<')) + 1
      const object = /kind: (\w+)\nmetadata: \{name: (\w+)[,}]/.exec(yaml)!
      expect((await loadError(['-'], text)).message).to.match(new RegExp(`^<stdin>:${line}: ${object[1]} default/${object[2]}: ${field.replace(/[.[\]]/g, '\\$&')} `))
    })
  }
})
