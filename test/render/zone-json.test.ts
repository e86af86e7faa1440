// `dns zone -o json` written in UTF-8 chunks as it is listed: the same bytes as JSON.stringify of the collected result,
// across chunk boundaries, for text JSON escapes and text longer than a chunk.
import {expect} from 'chai'
import {zoneJsonPieces} from '../../src/render/zone-json.js'
import {collectZones} from '../../src/dns/zone.js'
import type {ResourceRecord} from '../../src/dns/records.js'
import type {DnsZoneResult} from '../../src/results.js'

describe('render: streamed zone JSON', () => {
  const odd = ['é.example.', 'quote"d.', 'back\\slash.', 'tab\there.', '\u2028line.', '😀.emoji.', 'lone\ud800.', 'ctl\u0001.']
  const records = (n: number): ResourceRecord[] =>
    Array.from({length: n}, (_, i) => ({name: `${i % 97 === 0 ? odd[(i / 97) % odd.length] : ''}r-${i}.ns.svc.cluster.local.`, type: i % 3 ? 'A' : 'SRV', ttl: i % 7, data: i % 3 ? `10.0.${i >> 8}.${i & 255}` : `0 100 80 ${odd[i % odd.length]}t-${i}.`}))
  const streams = (zones: [string, ResourceRecord[]][]) => zones.map(([zone, rs]) => ({zone, records: rs}))
  const text = (result: DnsZoneResult, zones: [string, ResourceRecord[]][]) => {
    const chunks = Array.from(zoneJsonPieces(result, streams(zones)), (c) => Buffer.from(c)) // each valid until the next
    for (const c of chunks) expect(c.length).to.be.at.most(Math.max(1 << 20, Buffer.byteLength(JSON.stringify(result))))
    return {chunks: chunks.length, text: Buffer.concat(chunks).toString()}
  }
  const result = (notes: string[] = []): DnsZoneResult => ({namespaces: 'all', zones: [], predicted: [], source: 'files', notes} as unknown as DnsZoneResult)

  it('writes the bytes JSON.stringify does, over many chunks', () => {
    const zones: [string, ResourceRecord[]][] = [['cluster.local', records(30_000)], ['in-addr.arpa', records(50)], ['ip6.arpa', []]]
    const r = result(['a "quoted" note'])
    const out = text(r, zones)
    expect(out.chunks).to.be.greaterThan(3)
    expect(out.text).to.equal(JSON.stringify({...r, zones: collectZones(streams(zones))}, null, 2) + '\n')
  })

  it('leaves out records too long for DNS and counts them', () => {
    const long = {name: `${'a'.repeat(250)}.cluster.local.`, type: 'A', ttl: 5, data: '10.0.0.1'}
    const zones: [string, ResourceRecord[]][] = [['cluster.local', [long, ...records(3), long]]]
    const out = text(result(), zones)
    expect(JSON.parse(out.text).zones[0].omitted).to.equal(2)
    expect(out.text).to.equal(JSON.stringify({...result(), zones: collectZones(streams(zones))}, null, 2) + '\n')
  })

  it('writes text longer than a chunk, and no zones', () => {
    const r = result(['x'.repeat(1 << 20), 'ü'.repeat(400_000)])
    expect(text(r, []).text).to.equal(JSON.stringify(r, null, 2) + '\n')
    expect(text(r, [['cluster.local', records(10)]]).text).to.equal(JSON.stringify({...r, zones: collectZones(streams([['cluster.local', records(10)]]))}, null, 2) + '\n')
  })
})
