// IP address parsing, canonical text (RFC 5952) and reverse-zone names. Pure, no I/O.

export type IpFamily = 4 | 6

export interface ParsedIp {
  family: IpFamily
  /** 4 octets for IPv4, 16 bytes for IPv6 */
  bytes: number[]
}

export function parseIPv4(text: string): number[] | undefined {
  // Hand-rolled: this runs for every address in a snapshot.
  const out: number[] = []
  let value = 0
  let digits = 0
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46
    if (c === 46) {
      if (digits === 0 || value > 255 || out.length === 4) return undefined
      out.push(value)
      value = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return undefined // no leading zeros
      value = value * 10 + (c - 48)
      if (++digits > 3) return undefined
    } else {
      return undefined
    }
  }
  return out.length === 4 ? out : undefined
}

/** Whether text is an IPv4 address as parseIPv4 reads it, without building the octets. */
export function isIPv4(text: string): boolean {
  let octets = 0
  let value = 0
  let digits = 0
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46
    if (c === 46) {
      if (digits === 0 || value > 255 || ++octets > 4) return false
      value = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false
      value = value * 10 + (c - 48)
      if (++digits > 3) return false
    } else {
      return false
    }
  }
  return octets === 4
}

export function parseIPv6(text: string): number[] | undefined {
  if (text.length === 0 || text.length > 45 || text.includes('%')) return undefined
  let head = text
  let tail4: number[] | undefined
  // An embedded IPv4 tail (::ffff:1.2.3.4) takes the last 32 bits.
  const lastColon = text.lastIndexOf(':')
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = parseIPv4(text.slice(lastColon + 1))
    if (!tail4) return undefined
    head = text.slice(0, lastColon + 1) + '0:0'
  }
  const halves = head.split('::')
  if (halves.length > 2) return undefined
  const toGroups = (s: string): number[] | undefined => {
    if (s === '') return []
    const groups: number[] = []
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      groups.push(parseInt(g, 16))
    }
    return groups
  }
  const left = toGroups(halves[0])
  const right = halves.length === 2 ? toGroups(halves[1]) : []
  if (!left || !right) return undefined
  let groups: number[]
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length
    if (missing < 1) return undefined
    groups = [...left, ...new Array(missing).fill(0), ...right]
  } else {
    groups = left
  }
  if (groups.length !== 8) return undefined
  const bytes: number[] = []
  for (const g of groups) bytes.push(g >> 8, g & 0xff)
  if (tail4) bytes.splice(12, 4, ...tail4)
  return bytes
}

export function parseIp(text: string): ParsedIp | undefined {
  const v4 = parseIPv4(text)
  if (v4) return {family: 4, bytes: v4}
  const v6 = parseIPv6(text)
  if (v6) return {family: 6, bytes: v6}
  return undefined
}

export function ipFamily(text: string): IpFamily | undefined {
  return parseIp(text)?.family
}

/** RFC 5952 text: lower case, no leading zeros, longest run (>1) of zero groups as `::`, leftmost on ties. */
export function formatIPv6(bytes: number[]): string {
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1])
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestLen < 2) return hex.join(':')
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':')
}

/** An address as DNS answers with it: its family and canonical text, parsed once. */
export interface AddressData {
  family: IpFamily
  data: string
}

/** Family and canonical text of an IP, or undefined when the text is not one. */
export function addressData(text: string): AddressData | undefined {
  // IPv4 text that parses is canonical already (four decimal octets, no leading zeros): no octets, no new string.
  if (isIPv4(text)) return {family: 4, data: text}
  const v6 = parseIPv6(text)
  return v6 && {family: 6, data: formatIPv6(v6)}
}

/** The canonical text of an IP (IPv4 dotted quad, IPv6 RFC 5952), or undefined when it is not an IP. */
export function canonicalIp(text: string): string | undefined {
  return addressData(text)?.data
}

/** `10.0.0.1` → `1.0.0.10.in-addr.arpa.`; IPv6 → 32 nibbles + `ip6.arpa.` */
export function reverseName(text: string): string | undefined {
  const ip = parseIp(text)
  if (!ip) return undefined
  if (ip.family === 4) return [...ip.bytes].reverse().join('.') + '.in-addr.arpa.'
  const nibbles: string[] = []
  for (const b of ip.bytes) nibbles.push((b >> 4).toString(16), (b & 0xf).toString(16))
  return nibbles.reverse().join('.') + '.ip6.arpa.'
}

/** The IP a complete reverse name stands for (case-insensitive, trailing dot optional), else undefined. */
export function ipFromReverseName(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '')
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.')
    if (parts.length !== 4) return undefined
    return canonicalIp(parts.reverse().join('.'))
  }
  if (n.endsWith('.ip6.arpa')) {
    const parts = n.slice(0, -'.ip6.arpa'.length).split('.')
    if (parts.length !== 32 || !parts.every((p) => /^[0-9a-f]$/.test(p))) return undefined
    const hex = parts.reverse().join('')
    const bytes: number[] = []
    for (let i = 0; i < 32; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16))
    return formatIPv6(bytes)
  }
  return undefined
}

/**
 * CoreDNS's generated endpoint name: the address text as stored with `.`/`:` turned into `-`, and a `0`
 * appended when that ends in `-` (`2001:db8::` → `2001-db8--0`).
 */
export function dashedIp(address: string): string {
  const dashed = address.replace(/[.:]/g, '-')
  return dashed.endsWith('-') ? dashed + '0' : dashed
}

/**
 * The address text a pod-record label stands for, as CoreDNS reads it (kubernetes.go findPods): exactly three `-`
 * and no `--` is IPv4 (`-` → `.`), anything else IPv6 (`-` → `:`). The text is kept as spelled (`pods verified`
 * compares it with the pod's IP as text); undefined when it is not an IP.
 */
export function addressTextFromDashedLabel(label: string): string | undefined {
  const dashes = label.split('-').length - 1
  const text = dashes === 3 && !label.includes('--') ? label.replace(/-/g, '.') : label.replace(/-/g, ':')
  return parseIp(text) ? text : undefined
}

/** Reverse zones for a CIDR as CoreDNS splits it: octet (v4) or nibble (v6) aligned, else undefined. */
export function cidrReverseZones(cidr: string): string[] | undefined {
  const [addr, bitsText] = cidr.split('/')
  const ip = parseIp(addr)
  const bits = Number(bitsText)
  if (!ip || !Number.isInteger(bits)) return undefined
  const step = ip.family === 4 ? 8 : 4
  const max = ip.family === 4 ? 32 : 128
  if (bits < 0 || bits > max) return undefined
  // Widen to the next boundary and enumerate the covered reverse zones.
  const floor = Math.floor(bits / step) * step
  const extra = bits === floor ? 0 : step - (bits - floor)
  const labels: string[] = []
  if (ip.family === 4) {
    for (let i = 0; i < floor / 8; i++) labels.push(String(ip.bytes[i]))
  } else {
    for (let i = 0; i < floor / 4; i++) {
      const b = ip.bytes[i >> 1]
      labels.push((i % 2 === 0 ? b >> 4 : b & 0xf).toString(16))
    }
  }
  const suffix = ip.family === 4 ? 'in-addr.arpa' : 'ip6.arpa'
  const base = labels.reverse().join('.')
  if (extra === 0) return [base ? `${base}.${suffix}` : suffix]
  // Not aligned: one zone per value of the partial octet/nibble.
  const position = floor / step
  const current = ip.family === 4 ? ip.bytes[position] : (position % 2 === 0 ? ip.bytes[position >> 1] >> 4 : ip.bytes[position >> 1] & 0xf)
  const width = 1 << extra
  const start = current & ~(width - 1)
  const zones: string[] = []
  for (let v = start; v < start + width; v++) {
    const label = ip.family === 4 ? String(v) : v.toString(16)
    zones.push(base ? `${label}.${base}.${suffix}` : `${label}.${suffix}`)
  }
  return zones
}
