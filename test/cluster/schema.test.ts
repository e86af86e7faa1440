// The boundary check of every object kdisco reads: the shape of types.ts with JSON types, the API server's rules
// for fields that become DNS names and addresses, field paths in one line.
import {expect} from 'chai'
import {ObjectError, checkObject, readsKind} from '../../src/cluster/schema.js'

function problem(o: unknown): string {
  try {
    checkObject(o as Record<string, unknown>)
  } catch (error) {
    expect(error).to.be.instanceOf(ObjectError)
    return (error as ObjectError).detail
  }
  return 'ok'
}

const svc = (spec: unknown, extra: Record<string, unknown> = {}) => ({apiVersion: 'v1', kind: 'Service', metadata: {name: 'web', namespace: 'shop'}, spec, ...extra})

describe('cluster: the shape of objects at the boundary', () => {
  const cases: [string, unknown, string][] = [
    ['spec.ports: 5', svc({ports: 5}), 'Service shop/web: spec.ports must be a list, got a number'],
    ['externalName: 5', svc({type: 'ExternalName', externalName: 5}), 'Service shop/web: spec.externalName must be a string, got a number'],
    ['metadata.namespace: [x]', {kind: 'Service', metadata: {name: 'web', namespace: ['x']}}, 'Service default/web: metadata.namespace must be a string, got a list'],
    ['clusterIP: 5', svc({clusterIP: 5}), 'Service shop/web: spec.clusterIP must be a string, got a number'],
    ['ipFamilies: IPv4', svc({ipFamilies: 'IPv4'}), 'Service shop/web: spec.ipFamilies must be a list, got a string'],
    ['ipFamilies: [IPv5]', svc({ipFamilies: ['IPv5']}), 'Service shop/web: spec.ipFamilies[0] must be one of IPv4, IPv6, got "IPv5"'],
    ['status.loadBalancer.ingress: "x"', svc({}, {status: {loadBalancer: {ingress: 'x'}}}), 'Service shop/web: status.loadBalancer.ingress must be a list, got a string'],
    ['status.conditions: "x"', {kind: 'Pod', metadata: {name: 'p'}, status: {conditions: 'x'}}, 'Pod default/p: status.conditions must be a list, got a string'],
    ['Endpoints addresses: ["10.1.2.3"]', {kind: 'Endpoints', metadata: {name: 'e'}, subsets: [{addresses: ['10.1.2.3']}]}, 'Endpoints default/e: subsets[0].addresses[0] must be a mapping, got a string'],
    ['a port that is not a whole number', svc({ports: [{port: 80.5}]}), 'Service shop/web: spec.ports[0].port must be a whole number (32 bits), got 80.5'],
    ['a protocol that is not one', svc({ports: [{port: 80, protocol: 'tcp'}]}), 'Service shop/web: spec.ports[0].protocol must be one of TCP, UDP, SCTP, got "tcp"'],
    ['replicas beyond 32 bits', {kind: 'StatefulSet', metadata: {name: 's'}, spec: {replicas: 1e20}}, 'StatefulSet default/s: spec.replicas must be a whole number (32 bits), got 100000000000000000000'],
    ['a StatefulSet without spec', {kind: 'StatefulSet', metadata: {name: 's'}}, 'StatefulSet default/s: spec is missing'],
    ['a label value that is a number', svc({}, {metadata: {name: 'web', labels: {'app.kubernetes.io/version': 1}}}), 'Service default/web: metadata.labels["app.kubernetes.io/version"] must be a string, got a number'],
    ['a key with a line break', svc({selector: {'a\nb': true}}), 'Service shop/web: spec.selector["a\\nb"] must be a string, got a boolean'],
    ['ready: "yes"', {kind: 'EndpointSlice', metadata: {name: 'e'}, addressType: 'IPv4', endpoints: [{addresses: ['10.0.0.1'], conditions: {ready: 'yes'}}]}, 'EndpointSlice default/e: endpoints[0].conditions.ready must be true or false, got a string'],
    ['an EndpointSlice without addressType', {kind: 'EndpointSlice', metadata: {name: 'e'}}, 'EndpointSlice default/e: addressType is missing'],
    ['null in a list', svc({ports: [null]}), 'Service shop/web: spec.ports[0] must be a mapping, got null'],
    ['a required field set to null', {kind: 'StatefulSet', metadata: {name: 's'}, spec: null}, 'StatefulSet default/s: spec must not be null'],
    ['ConfigMap data that is not text', {kind: 'ConfigMap', metadata: {name: 'c'}, data: {port: 53}}, 'ConfigMap default/c: data.port must be a string, got a number'],
    ['metadata that is a list', {kind: 'Secret', metadata: []}, 'Secret: metadata must be a mapping, got a list'],
  ]
  for (const [what, o, detail] of cases) it(`${what}: ${detail}`, () => expect(problem(o)).to.equal(detail))

  const rules: [string, unknown, string][] = [
    ['an EndpointSlice hostname of 100 characters', {kind: 'EndpointSlice', metadata: {name: 'e'}, addressType: 'IPv4', endpoints: [{addresses: ['10.0.0.1'], hostname: 'a'.repeat(100)}]}, `EndpointSlice default/e: endpoints[0].hostname "${'a'.repeat(80)}…" is not valid: it must be a lowercase RFC 1123 label (a-z, 0-9 and '-', at most 63 characters)`],
    ['an address of the wrong family', {kind: 'EndpointSlice', metadata: {name: 'e'}, addressType: 'IPv6', endpoints: [{addresses: ['10.0.0.1']}]}, 'EndpointSlice default/e: endpoints[0].addresses[0] "10.0.0.1" is not an IPv6 address (addressType IPv6)'],
    ['a cluster IP with a line break', svc({clusterIP: '10.0.0.1\n'}), 'Service shop/web: spec.clusterIP "10.0.0.1\\n" is not an IP address: use an IP address, or None for a headless Service'],
    ['an ExternalName with a label over 63 characters', svc({type: 'ExternalName', externalName: `${'x'.repeat(64)}.example.com`}), `Service shop/web: spec.externalName "${'x'.repeat(64)}.example.com" is not a valid DNS name: it must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', at most 253 characters), each label at most 63 characters`],
    ['a pod IP that is not one', {kind: 'Pod', metadata: {name: 'p'}, status: {podIPs: [{ip: '10.0.0.1 '}]}}, 'Pod default/p: status.podIPs[0].ip "10.0.0.1 " is not an IP address'],
    ['an Endpoints address hostname', {kind: 'Endpoints', metadata: {name: 'e'}, subsets: [{notReadyAddresses: [{ip: '10.0.0.1', hostname: 'A_B'}]}]}, `Endpoints default/e: subsets[0].notReadyAddresses[0].hostname "A_B" is not valid: it must be a lowercase RFC 1123 label (a-z, 0-9 and '-', at most 63 characters)`],
    ['a port out of range', svc({ports: [{port: 70000}]}), 'Service shop/web: spec.ports[0].port 70000 is out of range: ports are whole numbers from 1 to 65535'],
    ['a name with a line break', {kind: 'Service', metadata: {name: 'web\n'}}, `Service "web\\n" has an invalid name: it must be a lowercase RFC 1035 label (a-z, 0-9 and '-', starting with a letter, at most 63 characters)`],
    ['a kind that is not one', {kind: 'Ser vice', metadata: {name: 'x'}}, 'kind "Ser vice" is not a Kubernetes kind (letters and digits, starting with a letter)'],
  ]
  for (const [what, o, detail] of rules) it(`${what}: ${detail.slice(0, 60)}…`, () => expect(problem(o)).to.equal(detail))

  it('null means absent, as in the API JSON (kubectl create --dry-run prints creationTimestamp: null)', () => {
    const o = svc({clusterIP: null, ports: [{port: 80, name: null}]}, {metadata: {name: 'web', creationTimestamp: null}, status: null})
    expect(problem(o)).to.equal('ok')
    expect(o).to.deep.equal({apiVersion: 'v1', kind: 'Service', metadata: {name: 'web', creationTimestamp: undefined}, spec: {clusterIP: undefined, ports: [{port: 80, name: undefined}]}, status: undefined})
  })

  it('unknown fields and kinds are not looked at, however deep', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(problem(svc({}, {managedFields: deep}))).to.equal('ok')
    expect(problem({kind: 'Widget', metadata: {name: 'w'}, spec: deep})).to.equal('ok')
    expect(readsKind('Widget')).to.equal(false)
    // Deep nesting where kdisco reads a field fails at its first level.
    expect(problem(svc({ports: deep}))).to.equal('Service shop/web: spec.ports[0] must be a mapping, got a list')
  })

  it('a Service with a million ports is checked without a deep stack, and in linear time', () => {
    const ports = Array.from({length: 1_000_000}, (_, i) => ({name: `p${i}`, port: (i % 65535) + 1, protocol: 'TCP'}))
    // (port, protocol) pairs repeat after 65535 ports: the API server refuses the 65536th.
    expect(problem(svc({ports}))).to.equal('Service shop/web: spec.ports[65535] port 1/TCP is a duplicate value: spec.ports[0] has the same port and protocol')
    const unique = Array.from({length: 3 * 65535}, (_, i) => ({name: `p${i}`, port: (i % 65535) + 1, protocol: ['TCP', 'UDP', 'SCTP'][Math.floor(i / 65535)]}))
    expect(problem(svc({ports: unique}))).to.equal('ok')
    ;(ports[999_999] as {port: unknown}).port = '80'
    expect(problem(svc({ports}))).to.equal('Service shop/web: spec.ports[999999].port must be an integer, got a string')
  })
})
