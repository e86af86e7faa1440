// Property: whatever manifests kdisco accepts, `dns zone` prints zones that NSD's own checker loads; whatever it
// refuses is one line naming file:line. Generated clusters push every name to its limits (63-character labels,
// 253-character domains, IPv6, endpoint pod names with dots) and mix in what the API server would refuse (long or
// invalid hostnames, addresses of the wrong family, ExternalNames with long labels). Seeded and bounded.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {dump} from 'js-yaml'
import {loadFileSnapshot} from '../../src/cluster/files.js'
import {ClusterDns} from '../../src/dns/model.js'
import {formatIPv6} from '../../src/dns/ip.js'
import {kubeadmDefaults} from '../../src/dns/settings.js'
import {zoneRecords, zoneStreams} from '../../src/dns/zone.js'
import {zoneJsonPieces} from '../../src/render/zone-json.js'
import type {DnsZoneResult} from '../../src/results.js'
import {renderZoneFile} from '../../src/render/zonefile.js'
import {KdiscoError} from '../../src/errors.js'
import {requireBinaries} from '../support/binaries.js'
import {kdisco} from '../support/cli.js'

export const FUZZ_SEED = 19

const alnum = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** An RFC 1123 label of 1 to `max` characters, often at the limit. */
const label = (max = 63, letterFirst = false) =>
  fc.oneof(fc.integer({min: 1, max: 8}), fc.constant(max), fc.integer({min: 1, max}))
    .chain((n) => fc.array(fc.constantFrom(...alnum, '-'), {minLength: n, maxLength: n}))
    .map((cs) => {
      if (letterFirst || cs[0] === '-') cs[0] = letterFirst ? 'k' : '0'
      if (cs[cs.length - 1] === '-') cs[cs.length - 1] = 'z'
      return cs.join('')
    })
/** A DNS name of labels up to 63 characters, at most `max` characters in all. */
const domain = (max: number) => fc.array(label(), {minLength: 1, maxLength: 5}).map((ls) => {
  let name = ls.join('.')
  while (name.length > max) name = name.slice(0, name.lastIndexOf('.') > 0 ? name.lastIndexOf('.') : max).replace(/-+$/, '')
  return name || 'x'
})
const ipv4 = fc.tuple(fc.integer({min: 1, max: 254}), fc.nat(255), fc.nat(255), fc.integer({min: 1, max: 254})).map((o) => o.join('.'))
const ipv6 = fc.array(fc.nat(255), {minLength: 16, maxLength: 16}).map((b) => formatIPv6([0xfd, ...b.slice(1)]))
const port = fc.record({name: fc.oneof(label(), fc.constant('')), port: fc.integer({min: 1, max: 65535}), protocol: fc.constantFrom('TCP', 'UDP', 'SCTP')})

/** One Service with its slices and pods; `broken` says which rule the API server would refuse, if any. */
const service = (ns: string, i: number) =>
  fc
    .record({
      name: label(63, true),
      kind: fc.constantFrom('v4', 'v6', 'dual', 'headless', 'external'),
      // The API server wants port names unique, (port, protocol) pairs unique, and names when there are two ports.
      ports: fc
        .uniqueArray(port, {maxLength: 3, selector: (p) => p.name || `${p.port}/${p.protocol}`})
        .filter((ps) => new Set(ps.map((p) => `${p.port}/${p.protocol}`)).size === ps.length && (ps.length < 2 || ps.every((p) => p.name !== ''))),
      externalName: domain(253),
      family: fc.constantFrom('IPv4' as const, 'IPv6' as const),
      endpoints: fc.array(
        fc.record({
          hostname: fc.option(label(), {nil: undefined}),
          ready: fc.constantFrom(true, false, null),
          pod: fc.oneof(label(), fc.tuple(label(30), label(30)).map(([a, b]) => `${a}.${b}`)),
          v4: ipv4,
          v6: ipv6,
        }),
        {maxLength: 4},
      ),
      clusterV4: ipv4,
      clusterV6: ipv6,
      broken: fc.oneof({weight: 5, arbitrary: fc.constant(undefined)}, fc.constantFrom('long-hostname', 'upper-hostname', 'newline-hostname', 'wrong-family', 'long-external-label')),
    })
    .map((s) => {
      const name = `${s.name.slice(0, 55)}-${i}`
      const objects: Record<string, unknown>[] = []
      const headless = s.kind === 'headless'
      const ips = s.kind === 'v4' ? [s.clusterV4] : s.kind === 'v6' ? [s.clusterV6] : s.kind === 'dual' ? [s.clusterV4, s.clusterV6] : headless ? ['None'] : []
      let externalName = s.externalName
      if (s.broken === 'long-external-label' && s.kind === 'external') externalName = `${'e'.repeat(64)}.example.com`
      objects.push({apiVersion: 'v1', kind: 'Service', metadata: {name, namespace: ns}, spec: s.kind === 'external' ? {type: 'ExternalName', externalName} : {clusterIP: ips[0], clusterIPs: ips, ports: s.ports}})
      if (s.kind !== 'external') {
        const endpoints = s.endpoints.map((e) => {
          let hostname = e.hostname
          if (s.broken === 'long-hostname') hostname = 'h'.repeat(100)
          if (s.broken === 'upper-hostname') hostname = 'Web_0'
          if (s.broken === 'newline-hostname') hostname = 'web\n0'
          const address = (s.broken === 'wrong-family') === (s.family === 'IPv4') ? e.v6 : e.v4
          return {addresses: [address], conditions: e.ready === null ? {} : {ready: e.ready}, ...(hostname === undefined ? {} : {hostname}), targetRef: {kind: 'Pod', name: e.pod, namespace: ns}}
        })
        objects.push({apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: {name: `${name}-x`, namespace: ns, labels: {'kubernetes.io/service-name': name}}, addressType: s.family, endpoints, ports: s.ports})
        s.endpoints.forEach((e, j) => objects.push({apiVersion: 'v1', kind: 'Pod', metadata: {name: `${name}-p${j}`, namespace: ns}, spec: {containers: [{name: 'c'}]}, status: {phase: 'Running', podIP: s.family === 'IPv4' ? e.v4 : e.v6}}))
      }
      const external = s.kind === 'external'
      // The broken value replaces every endpoint's hostname or address; with no endpoint nothing is broken.
      const broken = s.broken === 'long-external-label' ? (external ? s.broken : undefined) : !external && s.endpoints.length > 0 ? s.broken : undefined
      return {objects, broken}
    })

const cluster = fc
  .record({
    namespaces: fc.uniqueArray(label(), {minLength: 1, maxLength: 3}),
    domain: fc.oneof(fc.constant('cluster.local'), domain(60), domain(228)),
    endpointPodNames: fc.boolean(),
    pods: fc.constantFrom('disabled' as const, 'insecure' as const, 'verified' as const),
  })
  .chain((c) =>
    fc.tuple(fc.constant(c), fc.tuple(...c.namespaces.map((ns, n) => fc.array(fc.nat(), {minLength: 1, maxLength: 4}).chain((xs) => fc.tuple(...xs.map((_, i) => service(ns, n * 10 + i))))))),
  )

describe('dns zone: every accepted input gives zones nsd-checkzone loads (fuzz)', function () {
  this.timeout(120000)
  let checkzone: string
  const dir = mkdtempSync(join(tmpdir(), 'kdisco-zone-fuzz-'))
  const stats = {runs: 0, accepted: 0, refused: 0, zonesChecked: 0, omitted: 0}

  before(function () {
    checkzone = requireBinaries(this, ['nsd-checkzone'], 'apt-get install nsd')['nsd-checkzone']
  })
  after(() => process.stderr.write(`      zone fuzz (seed ${FUZZ_SEED}): ${stats.runs} clusters, ${stats.accepted} accepted (${stats.zonesChecked} zones loaded by nsd-checkzone, ${stats.omitted} records too long for DNS left out), ${stats.refused} refused in one line\n`))

  const check = (zone: string, text: string) => {
    const file = join(dir, `${zone || 'root'}.zone`)
    writeFileSync(file, text)
    const r = spawnSync(checkzone, [zone || '.', file], {encoding: 'utf8'})
    expect(r.status, `${r.stdout}${r.stderr}\n--- zone file ---\n${text.slice(0, 4000)}`).to.equal(0)
    stats.zonesChecked++
  }

  it('generated clusters: zones load, refusals are file:line in one line', async () => {
    await fc.assert(
      fc.asyncProperty(cluster, async ([c, perNamespace]) => {
        stats.runs++
        const services = perNamespace.flat()
        const docs = [...c.namespaces.map((ns) => ({apiVersion: 'v1', kind: 'Namespace', metadata: {name: ns}})), ...services.flatMap((s) => s.objects)]
        const file = join(dir, `cluster-${stats.runs}.yaml`)
        writeFileSync(file, docs.map((d) => dump(d, {lineWidth: -1})).join('---\n'))
        const broken = services.find((s) => s.broken)?.broken
        let snapshot
        try {
          snapshot = await loadFileSnapshot({filenames: [file]})
        } catch (error) {
          expect(error, String(error)).to.be.instanceOf(KdiscoError)
          const e = error as KdiscoError
          expect(broken, e.message).to.not.equal(undefined)
          expect(e.exitCode).to.equal(2)
          expect(e.toLine()).to.match(new RegExp(`^Error: ${file.replace(/[/.]/g, '\\$&')}:\\d+: (EndpointSlice|Service) `))
          expect(e.toLine()).to.not.include('\n')
          stats.refused++
          return
        }
        expect(broken, 'a refusal was expected').to.equal(undefined)
        stats.accepted++
        const settings = {...kubeadmDefaults(c.domain), endpointPodNames: c.endpointPodNames, pods: c.pods}
        const model = new ClusterDns(snapshot, settings)
        const zones = zoneRecords(model, snapshot.pods)
        for (const z of zones) {
          stats.omitted += z.omitted ?? 0
          check(z.zone, renderZoneFile([z], [`fuzz run ${stats.runs}`]))
        }
        // The streamed JSON (dns zone -o json) is the same text as the collected result's JSON.
        const result = {namespaces: 'all' as const, zones: [], predicted: [], source: 'files', notes: ['a "quoted" note']} as unknown as DnsZoneResult
        expect(Buffer.concat(Array.from(zoneJsonPieces(result, zoneStreams(model, snapshot.pods)), (c) => Buffer.from(c))).toString()).to.equal(JSON.stringify({...result, zones}, null, 2) + '\n')
      }),
      {seed: FUZZ_SEED, numRuns: 30},
    )
    expect(stats.accepted).to.be.greaterThan(10)
    expect(stats.refused).to.be.greaterThan(3)
  })

  it('the built command: dns zone -A of generated clusters loads in nsd-checkzone, zone by zone', () => {
    const samples = fc.sample(cluster, {seed: FUZZ_SEED, numRuns: 12}).filter(([, ns]) => ns.flat().every((s) => !s.broken)).slice(0, 2)
    expect(samples.length).to.be.greaterThan(0)
    samples.forEach(([c, perNamespace], i) => {
      const docs = [...c.namespaces.map((ns) => ({apiVersion: 'v1', kind: 'Namespace', metadata: {name: ns}})), ...perNamespace.flat().flatMap((s) => s.objects)]
      const file = join(dir, `cli-${i}.yaml`)
      writeFileSync(file, docs.map((d) => dump(d, {lineWidth: -1})).join('---\n'))
      for (const zone of [c.domain, 'in-addr.arpa', 'ip6.arpa']) {
        const r = kdisco(['dns', 'zone', '-A', '-f', file, '--cluster-domain', c.domain, '--pods', c.pods, ...(c.endpointPodNames ? ['--endpoint-pod-names'] : []), '--zone', zone])
        expect(r.status, r.stderr).to.equal(0)
        check(zone, r.stdout)
      }
    })
  })

  it('an EndpointSlice hostname of 100 characters is refused at the boundary, with file:line', () => {
    const file = join(dir, 'long-hostname.yaml')
    writeFileSync(file, `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: None}\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0.1]\n  hostname: ${'a'.repeat(100)}\n`)
    const r = kdisco(['dns', 'zone', '-f', file])
    expect(r.status).to.equal(2)
    expect(r.stdout).to.equal('')
    expect(r.stderr).to.match(new RegExp(`^Error: ${file.replace(/[/.]/g, '\\$&')}:12: EndpointSlice default/web-1: endpoints\\[0\\]\\.hostname "a{80}…" is not valid: it must be a lowercase RFC 1123 label .*\\n$`))
  })
})
