// `dns zone -o json` as it is listed: the same text as JSON.stringify(result, null, 2), with each zone's records
// written as the model yields them (400k records at 10k Services are never all in the heap, nor one 70 MB string).
import type {DnsZoneResult} from '../results.js'
import {type ZoneStream, fitsOnTheWire} from '../dns/zone.js'

/** Stands for the zones in the stringified rest of the result: a string no result field can hold. */
const ZONES_MARK = '\u0000kdisco-zones\u0000'
/** Bytes per chunk handed to the writer. */
const CHUNK_BYTES = 1 << 20
/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const MAX_BYTES_PER_UNIT = 3

/** Characters JSON.stringify writes escaped: text without them is written as it is, between quotes. */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/
const quoted = (s: string) => (ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`)

/**
 * The result's JSON text as UTF-8 chunks of up to a MiB; `streams` give the zones (iterated once), in the place
 * `result.zones` holds. Each record's text is encoded into the chunk as it is made: joining 400k records' text into
 * strings first cost more than listing them (flattening each piece's concatenations), and the write encoded it again.
 * One buffer is reused: a chunk is valid until the next one is asked for (write it, or copy it, before).
 */
export function* zoneJsonPieces(result: DnsZoneResult, streams: ZoneStream[]): Generator<Buffer> {
  // Reused, not one per chunk: freed buffers are external memory, which V8 collects late (70 MiB of them at 10k).
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  let used = 0
  /** The full chunk to hand out before `text` can be added, if any; text longer than a chunk goes out on its own. */
  function* add(text: string): Generator<Buffer> {
    if (used + text.length * MAX_BYTES_PER_UNIT > CHUNK_BYTES) {
      if (used > 0) yield chunk.subarray(0, used)
      used = 0
      if (text.length * MAX_BYTES_PER_UNIT > CHUNK_BYTES) {
        yield Buffer.from(text)
        return
      }
    }
    used += chunk.write(text, used)
  }
  const text = JSON.stringify({...result, zones: ZONES_MARK}, null, 2) + '\n'
  const mark = text.indexOf(JSON.stringify(ZONES_MARK))
  yield* add(text.slice(0, mark))
  if (streams.length === 0) yield* add('[]')
  else {
    yield* add('[')
    for (const [i, {zone, records}] of streams.entries()) {
      yield* add(`${i > 0 ? ',' : ''}\n    {\n      "zone": ${JSON.stringify(zone)},\n      "records": [`)
      let written = 0
      let omitted = 0
      for (const r of records) {
        if (!fitsOnTheWire(r)) {
          omitted++
          continue
        }
        // A record's fields in ResourceRecord's order, as JSON.stringify writes them (ttl is an integer).
        const record = `${written++ > 0 ? ',' : ''}\n        {\n          "name": ${quoted(r.name)},\n          "type": ${quoted(r.type)},\n          "ttl": ${r.ttl},\n          "data": ${quoted(r.data)}\n        }`
        // Inline for the common case (a generator call per record costs more than its text).
        if (used + record.length * MAX_BYTES_PER_UNIT <= CHUNK_BYTES) used += chunk.write(record, used)
        else yield* add(record)
      }
      yield* add(`${written > 0 ? '\n      ]' : ']'}${omitted > 0 ? `,\n      "omitted": ${omitted}` : ''}\n    }`)
    }
    yield* add('\n  ]')
  }
  yield* add(text.slice(mark + JSON.stringify(ZONES_MARK).length))
  if (used > 0) yield chunk.subarray(0, used)
}
