// Parses what `nslookup` prints for one name: bind's (bind9-dnsutils), busybox's since 1.29 (its own resolver),
// and busybox 1.28's (libc lookups, "Address 1:" lines). Busybox since 1.29 does not apply the search list to a
// name that contains a dot (`nslookup kubernetes.default` → NXDOMAIN on the bare name): that is recognised and
// explained, not reported as a DNS fault.
import type {ResourceRecord} from '../dns/records.js'
import {canonicalIp} from '../dns/ip.js'

export type NslookupFlavor = 'bind' | 'busybox' | 'busybox-1.28' | 'unknown'

export interface NslookupResult {
  flavor: NslookupFlavor
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED…; null when no server answered (see error). */
  status: string | null
  answers: ResourceRecord[]
  error?: string
  /** Set when busybox ≥ 1.29 asked the bare dotted name without its search list. */
  searchSkipped?: string
}

const dot = (n: string) => n.replace(/\.?$/, '.')

export function nslookupFlavor(output: string): NslookupFlavor {
  if (/^Address 1: /m.test(output) || /^nslookup: can't resolve /m.test(output)) return 'busybox-1.28'
  if (/^Address:\s+\S+#\d+$/m.test(output) || /^;; /m.test(output)) return 'bind'
  if (/^Address:\s+\S+:\d+$/m.test(output) || /^nslookup: /m.test(output)) return 'busybox'
  return 'unknown'
}

/** One nslookup run for `name` (as typed) and query type `type`. */
export function parseNslookup(output: string, name: string, type: string): NslookupResult {
  const flavor = nslookupFlavor(output)
  const lines = output.split('\n').map((l) => l.replace(/\s+$/, ''))
  const answers: ResourceRecord[] = []
  let status: string | null = null
  let error: string | undefined
  // The server block comes first; records follow the first blank line after it.
  const body = lines.slice(Math.max(0, lines.findIndex((l, i) => i > 0 && l === '' && /^(Address|Server)/.test(lines[i - 1] ?? ''))))
  let owner: string | undefined
  for (const line of flavor === 'busybox-1.28' ? [] : body) {
    let m: RegExpExecArray | null
    if ((m = /^\*\* server can't find (\S+?): (\w+)$/.exec(line))) {
      status ??= m[2]
      continue
    }
    if (/^\*\*\* Can't find \S+: No answer$/.test(line)) continue // NODATA: NOERROR without records
    if ((m = /^;; (connection timed out|communications error|no servers could be reached)/.exec(line)) || (m = /^nslookup: (.*)$/.exec(line))) {
      error ??= line.replace(/^;; |^nslookup: /, '')
      continue
    }
    if ((m = /^Name:\s+(\S+)$/.exec(line))) {
      owner = m[1]
      continue
    }
    if ((m = /^Address(?: \d+)?:\s+(\S+)$/.exec(line)) && owner) {
      const ip = canonicalIp(m[1])
      if (ip) answers.push({name: dot(owner), type: ip.includes(':') ? 'AAAA' : 'A', ttl: 0, data: ip})
      continue
    }
    if ((m = /^(\S+)\s+service = (\d+) (\d+) (\d+) (\S+)$/.exec(line))) {
      answers.push({name: dot(m[1]), type: 'SRV', ttl: 0, data: `${m[2]} ${m[3]} ${m[4]} ${dot(m[5])}`})
      continue
    }
    if ((m = /^(\S+)\s+canonical name = (\S+)$/.exec(line))) {
      answers.push({name: dot(m[1]), type: 'CNAME', ttl: 0, data: dot(m[2])})
      continue
    }
    if ((m = /^(\S+)\s+name = (\S+)$/.exec(line))) {
      answers.push({name: dot(m[1]), type: 'PTR', ttl: 0, data: dot(m[2])})
      continue
    }
    if ((m = /^(\S+)\s+text = (.*)$/.exec(line))) {
      const parts = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((p) => p[1].replace(/\\(.)/g, '$1'))
      answers.push({name: dot(m[1]), type: 'TXT', ttl: 0, data: parts.join('')})
    }
  }
  if (flavor === 'busybox-1.28') return parseBusybox128(lines, name)
  // Only records of the asked type (plus the CNAME chain) count; busybox prints A and AAAA sections together.
  const kept = answers.filter((r) => r.type === type.toUpperCase() || r.type === 'CNAME')
  if (status === null && error === undefined) status = 'NOERROR'
  if (status !== null && status !== 'NOERROR') error = undefined
  const result: NslookupResult = {flavor, status: error && status === null ? null : status, answers: status === 'NOERROR' ? kept : [], ...(error && status === null ? {error} : {})}
  if (flavor === 'busybox' && !name.endsWith('.') && name.includes('.') && (status === 'NXDOMAIN' || status === 'REFUSED')) {
    result.searchSkipped = `busybox nslookup (≥ 1.29) does not apply the search list to "${name}" because it contains a dot; this ${status} is the tool's, not cluster DNS's — use the FQDN, getent hosts, or busybox:1.28`
  }
  return result
}

/** busybox 1.28 resolves through libc (search list applied) and prints "Address N: IP [reverse name]". */
function parseBusybox128(lines: string[], name: string): NslookupResult {
  const answers: ResourceRecord[] = []
  const nameIdx = lines.findIndex((l) => /^Name:\s+/.test(l))
  if (lines.some((l) => /^nslookup: can't resolve '/.test(l)) && nameIdx < 0) return {flavor: 'busybox-1.28', status: 'NXDOMAIN', answers}
  for (const line of nameIdx >= 0 ? lines.slice(nameIdx + 1) : []) {
    const m = /^Address \d+: (\S+)/.exec(line)
    const ip = m && canonicalIp(m[1])
    if (ip) answers.push({name: dot(name), type: ip.includes(':') ? 'AAAA' : 'A', ttl: 0, data: ip})
  }
  return {flavor: 'busybox-1.28', status: 'NOERROR', answers}
}
