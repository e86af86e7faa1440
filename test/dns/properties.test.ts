// Invariants of the model over generated clusters (fast-check).
import {expect} from 'chai'
import fc from 'fast-check'
import type {KubeObject} from '../../src/cluster/types.js'
import {canonicalIp, dashedIp, formatIPv6, addressTextFromDashedLabel, ipFromReverseName, reverseName} from '../../src/dns/ip.js'
import {type ResourceRecord, compareNames} from '../../src/dns/records.js'
import {zoneRecords} from '../../src/dns/zone.js'
import {COREDNS_DEFAULTS, clusterIpService, ep, headless, model, namespace, pod, service, slice, snapshot} from '../support/objects.js'

const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/)
const ipv4 = fc.tuple(fc.integer({min: 11, max: 223}), fc.nat(255), fc.nat(255), fc.integer({min: 1, max: 254})).map((p) => p.join('.'))
const ipv6 = fc.array(fc.nat(255), {minLength: 16, maxLength: 16}).map(formatIPv6)

const cluster = fc
  .record({
    ns: label,
    services: fc.uniqueArray(
      fc.record({
        name: label,
        headless: fc.boolean(),
        endpoints: fc.uniqueArray(fc.record({ip: fc.oneof(ipv4, ipv6), hostname: fc.option(label, {nil: undefined}), ready: fc.boolean()}), {selector: (e) => e.ip, maxLength: 6}),
      }),
      {selector: (s) => s.name, minLength: 1, maxLength: 5},
    ),
  })
  .map(({ns, services}) => {
    const objects: KubeObject[] = [namespace(ns)]
    services.forEach((s, i) => {
      objects.push(s.headless ? headless(s.name, [{name: 'p', port: 80}], {namespace: ns}) : clusterIpService(s.name, `10.96.${i}.1`, [{name: 'p', port: 80}], {namespace: ns}))
      objects.push(slice(s.name, s.endpoints.map((e) => ep(e.ip, {ready: e.ready, ...(e.hostname ? {hostname: e.hostname} : {})})), [{name: 'p', port: 8080, protocol: 'TCP'}], {namespace: ns, addressType: 'IPv4'}))
    })
    return {ns, services, objects}
  })

/** Zone order by definition: canonical name, then type (SOA and NS first, as zone files list them), then data. */
const TYPE_RANK: Record<string, number> = {SOA: 0, NS: 1, A: 2, AAAA: 3, CNAME: 4, SRV: 5, PTR: 6, TXT: 7}
function sortRecords(records: ResourceRecord[]): ResourceRecord[] {
  return records.sort((x, y) => compareNames(x.name, y.name) || TYPE_RANK[x.type] - TYPE_RANK[y.type] || (x.data < y.data ? -1 : x.data > y.data ? 1 : 0))
}

describe('dns model: properties', () => {
  it('IP text round-trips: canonical form, reverse name, dashed label', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4, ipv6), (ip) => {
        const c = canonicalIp(ip)!
        expect(canonicalIp(c)).to.equal(c)
        expect(ipFromReverseName(reverseName(ip)!)).to.equal(c)
        expect(canonicalIp(addressTextFromDashedLabel(dashedIp(c))!)).to.equal(c)
      }),
      {numRuns: 500},
    )
  })

  it('every A/AAAA answer of an endpoint name has a PTR back to a name that answers that IP', () => {
    fc.assert(
      fc.property(cluster, ({ns, services, objects}) => {
        const m = model(objects, COREDNS_DEFAULTS)
        for (const s of services) {
          for (const e of m.endpointsOf(ns, s.name)) {
            const name = `${e.endpointName}.${s.name}.${ns}.svc.cluster.local.`
            const answers = m.answer(name, e.address.includes(':') ? 'AAAA' : 'A').answers
            if (!e.ready) continue
            expect(answers.map((a) => a.data)).to.include(canonicalIp(e.address))
            const ptr = m.answer(reverseName(e.address)!, 'PTR').answers.map((a) => a.data.toLowerCase())
            expect(ptr).to.include(name.toLowerCase())
          }
        }
      }),
      {numRuns: 200},
    )
  })

  it('the zone and single lookups agree, and every owner name respects DNS length limits', () => {
    fc.assert(
      fc.property(cluster, ({objects}) => {
        const snap = snapshot(objects)
        const m = model(objects, COREDNS_DEFAULTS)
        for (const zone of zoneRecords(m, snap.pods, {})) {
          const keys = zone.records.map((r) => `${r.name.toLowerCase()} ${r.type} ${r.data.toLowerCase()}`)
          expect(new Set(keys).size, 'no record twice').to.equal(keys.length)
          for (const r of zone.records) {
            const owner = r.name.replace(/\.$/, '')
            expect(owner.length).to.be.at.most(253)
            for (const l of owner.split('.')) expect(l.length).to.be.within(1, 63)
            const a = m.answer(r.name, r.type)
            expect(a.answers.map((x) => x.data), `${r.name} ${r.type}`).to.include(r.data)
          }
        }
      }),
      {numRuns: 150},
    )
  })

  it('headless A answers are exactly the ready endpoint IPs; NXDOMAIN when there are none', () => {
    fc.assert(
      fc.property(cluster, ({ns, services, objects}) => {
        const m = model(objects, COREDNS_DEFAULTS)
        for (const s of services.filter((x) => x.headless)) {
          const ready = [...new Set(s.endpoints.filter((e) => e.ready).map((e) => canonicalIp(e.ip)!))]
          const fq = `${s.name}.${ns}.svc.cluster.local`
          const a = [...m.answer(fq, 'A').answers, ...m.answer(fq, 'AAAA').answers].map((r) => r.data)
          if (ready.length === 0) expect(m.answer(fq, 'A').rcode).to.equal('NXDOMAIN')
          else expect(a.sort()).to.deep.equal(ready.sort())
        }
      }),
      {numRuns: 200},
    )
  })

  it('matching is case-insensitive: any spelling gets the same data, owner echoed', () => {
    fc.assert(
      fc.property(cluster, fc.array(fc.boolean(), {minLength: 80, maxLength: 80}), ({ns, services, objects}, flips) => {
        const m = model(objects, COREDNS_DEFAULTS)
        const fq = `${services[0].name}.${ns}.svc.cluster.local.`
        const mixed = [...fq].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch)).join('')
        for (const t of ['A', 'AAAA', 'SRV']) {
          const a = m.answer(fq, t)
          const b = m.answer(mixed, t)
          expect(b.rcode).to.equal(a.rcode)
          expect(b.answers.map((r) => r.data.toLowerCase())).to.deep.equal(a.answers.map((r) => r.data.toLowerCase()))
          for (const r of b.answers) expect(r.name).to.equal(mixed)
        }
      }),
      {numRuns: 100},
    )
  })
  it('compareNames is RFC 4034 canonical order: labels right to left, lowercased, a parent before its children', () => {
    // The definition, spelled out slowly: reversed label lists compared label by label as lowercase text.
    const reference = (a: string, b: string) => {
      const la = a.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean).reverse()
      const lb = b.toLowerCase().replace(/\.$/, '').split('.').filter(Boolean).reverse()
      for (let i = 0; i < Math.min(la.length, lb.length); i++) if (la[i] !== lb[i]) return la[i] < lb[i] ? -1 : 1
      return la.length - lb.length
    }
    const shortLabel = fc.stringMatching(/^[a-zA-Z0-9_-]{1,5}$/)
    const name = fc.array(fc.constantFrom('a', 'A', 'a-b', 'ab', 'b', '_tcp', '0', '10', '9', 'svc', 'x'), {minLength: 1, maxLength: 4}).chain((common) =>
      fc.array(shortLabel, {maxLength: 3}).map((head) => [...head, ...common].join('.') + (head.length % 2 ? '.' : '')),
    )
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(compareNames(a, b)), `${a} vs ${b}`).to.equal(Math.sign(reference(a, b)))
      }),
      {numRuns: 2000},
    )
  })

  it('the zone is listed in canonical order (as sortRecords would put it), across namespaces, pods and both families', () => {
    const dnsLabel = fc.constantFrom('a', 'b', 'a-b', 'ab', 'web', 'web-0', 'web-1', 'db', '0', '10', '9x')
    const v4 = fc.tuple(fc.constantFrom(10, 9, 100), fc.constantFrom(0, 1, 10, 2), fc.nat(3), fc.constantFrom(1, 2, 10, 100, 20)).map((p) => p.join('.'))
    const v6 = fc.constantFrom('fd00::1', 'fd00::a', 'fd00::10', '2001:db8::1', 'fd00:1::1')
    const clusterOf = fc.array(
      fc.record({
        ns: fc.constantFrom('default', 'data', 'a', 'a-b'),
        name: dnsLabel,
        kind: fc.constantFrom('clusterip', 'headless', 'external'),
        ip: fc.oneof(v4, v6),
        ports: fc.uniqueArray(fc.constantFrom('http', 'grpc', 'a', 'metrics'), {maxLength: 3}),
        endpoints: fc.uniqueArray(fc.record({ip: fc.oneof(v4, v6), hostname: fc.option(dnsLabel, {nil: undefined}), ready: fc.boolean()}), {selector: (e) => e.ip, maxLength: 5}),
      }),
      {maxLength: 8},
    )
    fc.assert(
      fc.property(clusterOf, fc.array(fc.record({ns: fc.constantFrom('default', 'data', 'a'), ip: fc.oneof(v4, v6)}), {maxLength: 8}), (services, pods) => {
        const objects: KubeObject[] = [namespace('data'), namespace('a'), namespace('a-b')]
        const seen = new Set<string>()
        services.forEach((s, i) => {
          if (seen.has(`${s.ns}/${s.name}`)) return
          seen.add(`${s.ns}/${s.name}`)
          const ports = s.ports.map((name, j) => ({name, port: 80 + j, protocol: j % 2 ? 'UDP' : 'TCP'}))
          if (s.kind === 'external') objects.push(service(s.name, {namespace: s.ns, type: 'ExternalName', externalName: 'db.example.com'}))
          else if (s.kind === 'headless') objects.push(headless(s.name, ports.length ? ports : undefined, {namespace: s.ns}))
          else objects.push(clusterIpService(s.name, s.ip, ports.length ? ports : undefined, {namespace: s.ns}))
          const family = s.endpoints[0]?.ip.includes(':') ? 'IPv6' : 'IPv4'
          const eps = s.endpoints.filter((e) => e.ip.includes(':') === (family === 'IPv6'))
          objects.push(slice(s.name, eps.map((e) => ep(e.ip, {ready: e.ready, ...(e.hostname ? {hostname: e.hostname} : {})})), ports.map((p) => ({...p, port: p.port + 8000})), {namespace: s.ns, addressType: family, name: `${s.name}-${i}`}))
        })
        pods.forEach((p, i) => objects.push(pod(`p${i}`, {namespace: p.ns, ip: p.ip})))
        const snap = snapshot(objects)
        const m = model(objects, {...COREDNS_DEFAULTS, pods: 'insecure', zones: ['cluster.local', 'in-addr.arpa', 'ip6.arpa']})
        for (const zone of zoneRecords(m, snap.pods, {})) {
          const listed = zone.records.map((r) => `${r.name} ${r.type} ${r.data}`)
          const sorted = sortRecords([...zone.records]).map((r) => `${r.name} ${r.type} ${r.data}`)
          expect(listed, zone.zone).to.deep.equal(sorted)
        }
      }),
      {numRuns: 300},
    )
  })
})
