// `dns zone -o json` as it is listed: the same text as JSON.stringify(result, null, 2), with each zone's records
// written as the model yields them (400k records at 10k Services are never all in the heap, nor one 70 MB string).
import type {DnsZoneResult} from '../results.js'
import {type ZoneStream, fitsOnTheWire} from '../dns/zone.js'

/** Stands for the zones in the stringified rest of the result: a string no result field can hold. */
const ZONES_MARK = '\u0000kdisco-zones\u0000'
/** Records per piece handed to the writer. */
const RECORDS_PER_PIECE = 2000

/** The result's JSON text in pieces; `streams` give the zones (iterated once), in the place `result.zones` holds. */
export function* zoneJsonPieces(result: DnsZoneResult, streams: ZoneStream[]): Generator<string> {
  const text = JSON.stringify({...result, zones: ZONES_MARK}, null, 2) + '\n'
  const mark = text.indexOf(JSON.stringify(ZONES_MARK))
  yield text.slice(0, mark)
  if (streams.length === 0) yield '[]'
  else {
    yield '['
    for (const [i, {zone, records}] of streams.entries()) {
      // Joined once per piece: concatenating record by record leaves a deep rope that the write then flattens.
      let piece: string[] = [`${i > 0 ? ',' : ''}\n    {\n      "zone": ${JSON.stringify(zone)},\n      "records": [`]
      let written = 0
      let omitted = 0
      for (const r of records) {
        if (!fitsOnTheWire(r)) {
          omitted++
          continue
        }
        // A record's fields in ResourceRecord's order, as JSON.stringify writes them (ttl is an integer).
        piece.push(`${written > 0 ? ',' : ''}\n        {\n          "name": ${JSON.stringify(r.name)},\n          "type": ${JSON.stringify(r.type)},\n          "ttl": ${r.ttl},\n          "data": ${JSON.stringify(r.data)}\n        }`)
        if (++written % RECORDS_PER_PIECE === 0) {
          yield piece.join('')
          piece = []
        }
      }
      piece.push(written > 0 ? '\n      ]' : ']')
      if (omitted > 0) piece.push(`,\n      "omitted": ${omitted}`)
      yield piece.join('') + '\n    }'
    }
    yield '\n  ]'
  }
  yield text.slice(mark + JSON.stringify(ZONES_MARK).length)
}
