// RFC 1035 master-file text for the expected zone(s).
import type {ZoneListing} from '../dns/zone.js'
import {recordLine} from './records.js'

export function renderZoneFile(zones: ZoneListing[], header: string[]): string {
  let out = header.map((h) => `; ${h}`).join('\n') + '\n'
  for (const z of zones) {
    const origin = z.zone === '' ? '.' : `${z.zone}.`
    out += `\n$ORIGIN ${origin}\n`
    const soa = z.records.find((r) => r.type === 'SOA')
    if (soa) out += `$TTL ${soa.ttl}\n`
    for (const r of z.records) out += recordLine(r) + '\n'
  }
  return out
}
