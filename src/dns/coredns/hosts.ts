// The `hosts` plugin (plugin/hosts, CoreDNS 1.14.7): /etc/hosts-style entries, inline and from a file. Pure: the
// file's text is given (kdisco cannot read CoreDNS's file system).
import {CorefileError, type CorefileFile, type Directive, whereWritten} from '../corefile.js'
import {addressData, ipFromReverseName} from '../ip.js'
import type {ResourceRecord} from '../records.js'
import {normalizeZones} from '../settings.js'
import {type ChainContext, type Next, type Plugin, type Question, type Served, absoluteZone, lowerName, matchAbsolute, unwritten} from './types.js'

/** The /etc/hosts kubelet writes into a pod that is not on the host network (what CoreDNS reads without a path). */
export const POD_ETC_HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n'

interface HostsMap {
  name4: Map<string, string[]>
  name6: Map<string, string[]>
  wild4: Map<string, string[]>
  wild6: Map<string, string[]>
  /** Address (canonical text) → names, for PTR. */
  addr: Map<string, string[]>
}

export interface HostsConfig {
  path: string
  /** The file's text, when kdisco has it; undefined: unknown. */
  file?: {text: string; source: string}
  /** The file CoreDNS reads without a path is the container's /etc/hosts: kdisco assumes kubelet's. */
  fileAssumed?: boolean
  /** Absolute zones ('.' = all). */
  origins: string[]
  inline: string[]
  ttl: number
  fallthrough?: string[]
  fallthroughUnsupported: boolean
  autoReverse: boolean
  line: number
  source: string
}

/** `hosts [FILE [ZONES...]] { [INLINE] ttl SECONDS; no_reverse; reload DURATION; fallthrough [ZONES...] }` (hosts/setup.go). */
export function parseHosts(d: Directive, blockZones: string[], files: CorefileFile[]): HostsConfig {
  let path = '/etc/hosts'
  let args = d.args
  if (args.length >= 1) {
    path = args[0]
    args = args.slice(1)
  }
  const zones = args.length > 0 ? normalizeZones(args) : blockZones
  if (typeof zones === 'string') throw new CorefileError(`hosts: ${zones}`, d)
  const config: HostsConfig = {path, origins: zones.map(absoluteZone), inline: [], ttl: 3600, fallthroughUnsupported: false, autoReverse: true, line: d.line, source: d.source}
  for (const opt of d.block) {
    switch (opt.name) {
      case 'fallthrough': {
        const ft = opt.args.length > 0 ? normalizeZones(opt.args) : ['']
        if (typeof ft === 'string') throw new CorefileError(`hosts: ${ft}`, opt)
        config.fallthrough = ft.map(absoluteZone)
        break
      }
      case 'fallthrough_unsupported':
        config.fallthroughUnsupported = true
        break
      case 'no_reverse':
        config.autoReverse = false
        break
      case 'ttl': {
        const ttl = Number(opt.args[0])
        if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 65535) throw new CorefileError('hosts: ttl must be a whole number of seconds from 1 to 65535', opt)
        config.ttl = ttl
        break
      }
      case 'reload':
        break
      default:
        // An unknown word before any fallthrough is an inline entry (setup.go hostsParse).
        if (config.fallthrough === undefined) config.inline.push([opt.name, ...opt.args].join(' '))
        else throw new CorefileError(`hosts: unknown property "${opt.name}"`, opt)
    }
  }
  if (config.fallthroughUnsupported && config.fallthrough === undefined) throw new CorefileError('hosts: fallthrough_unsupported requires fallthrough', d)
  const base = path.slice(path.lastIndexOf('/') + 1)
  const given = files.find((f) => f.name === base)
  if (given) config.file = {text: given.text, source: given.source}
  else if (path === '/etc/hosts') {
    config.file = {text: POD_ETC_HOSTS, source: "the CoreDNS container's /etc/hosts (kubelet's localhost lines)"}
    config.fileAssumed = true
  }
  return config
}

/** hostsfile.go parse: `ADDRESS NAME...` lines, names outside the origins dropped, `*.` names wildcards. */
function parseHostsText(text: string, origins: string[], autoReverse: boolean): HostsMap {
  const map: HostsMap = {name4: new Map(), name6: new Map(), wild4: new Map(), wild6: new Map(), addr: new Map()}
  const push = (m: Map<string, string[]>, k: string, v: string) => {
    const list = m.get(k)
    if (list) list.push(v)
    else m.set(k, [v])
  }
  for (const raw of text.split('\n')) {
    const fields = raw.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean)
    if (fields.length < 2) continue
    const parsed = addressData(fields[0].replace(/%.*/, ''))
    if (!parsed) continue
    for (const f of fields.slice(1)) {
      const name = lowerName(f)
      if (matchAbsolute(name, origins) === undefined) continue
      const v4 = parsed.family === 4
      if (name.startsWith('*.')) {
        push(v4 ? map.wild4 : map.wild6, name, parsed.data)
        continue
      }
      push(v4 ? map.name4 : map.name6, name, parsed.data)
      if (autoReverse) push(map.addr, parsed.data, name)
    }
  }
  return map
}

function lookupIn(m: Map<string, string[]>, wild: Map<string, string[]>, host: string): string[] {
  const exact = m.get(host)
  if (exact) return exact
  const dot = host.indexOf('.')
  // replaceWithAsteriskLabel: the first label swapped for `*` (nothing for a one-label name).
  if (dot < 0 || dot === host.length - 1) return []
  return wild.get(`*${host.slice(dot)}`) ?? []
}

export class HostsPlugin implements Plugin {
  readonly name = 'hosts'
  private readonly file: HostsMap
  private readonly inline: HostsMap

  constructor(readonly config: HostsConfig) {
    this.file = parseHostsText(config.file?.text ?? '', config.origins, config.autoReverse)
    this.inline = parseHostsText(config.inline.join('\n'), config.origins, config.autoReverse)
  }

  /** Every name it has an address for (wildcards as written). */
  names(): string[] {
    return [...new Set([this.file, this.inline].flatMap((m) => [...m.name4.keys(), ...m.name6.keys(), ...m.wild4.keys(), ...m.wild6.keys()]))]
  }

  /** File entries first, then inline ones (hostsfile.go lookupStaticHostFamily). */
  addresses(name: string, family: 4 | 6): string[] {
    const host = lowerName(name)
    return family === 4
      ? [...lookupIn(this.file.name4, this.file.wild4, host), ...lookupIn(this.inline.name4, this.inline.wild4, host)]
      : [...lookupIn(this.file.name6, this.file.wild6, host), ...lookupIn(this.inline.name6, this.inline.wild6, host)]
  }

  private through(name: string): boolean {
    return this.config.fallthrough !== undefined && matchAbsolute(name, this.config.fallthrough) !== undefined
  }

  serve(q: Question, next: Next, ctx: ChainContext): Served {
    const qname = lowerName(q.name)
    const inZone = matchAbsolute(qname, this.config.origins) !== undefined
    // PTR questions need no origin (hosts.go ServeDNS).
    if (!inZone && q.type !== 'PTR') return next(q, ctx)
    const unknownFile = this.config.file === undefined
    let answers: ResourceRecord[] = []
    if (q.type === 'PTR') {
      const ip = ipFromReverseName(qname.slice(0, -1))
      const parsed = ip === undefined ? undefined : addressData(ip)
      const names = parsed ? [...(this.file.addr.get(parsed.data) ?? []), ...(this.inline.addr.get(parsed.data) ?? [])] : []
      if (names.length === 0) {
        if (unknownFile) return this.unknown(ctx)
        return next(q, ctx)
      }
      answers = names.map((n) => ({name: qname, type: 'PTR', ttl: this.config.ttl, data: n}))
    } else if (q.type === 'A' || q.type === 'AAAA') {
      answers = this.addresses(qname, q.type === 'A' ? 4 : 6).map((data) => ({name: qname, type: q.type, ttl: this.config.ttl, data}))
    } else if (this.config.fallthroughUnsupported && this.through(qname)) {
      return next(q, ctx)
    }
    if (answers.length === 0 && this.addresses(qname, 4).length === 0 && this.addresses(qname, 6).length === 0) {
      if (unknownFile) return this.unknown(ctx)
      if (this.through(qname)) return next(q, ctx)
      ctx.trace.plugins.push(this.name)
      // hosts.go: no SOA to send an NXDOMAIN with, so SERVFAIL.
      return unwritten('SERVFAIL', `hosts (${whereWritten(this.config)}) has no entry for this name and no fallthrough: CoreDNS answers SERVFAIL`)
    }
    ctx.trace.plugins.push(this.name)
    if (answers.length === 0) return {rcode: 'NOERROR', answers: [], notes: [`hosts has ${q.type === 'A' ? 'only IPv6' : q.type === 'AAAA' ? 'only IPv4' : `no ${q.type}`} entries for this name`]}
    return {rcode: 'NOERROR', answers, notes: [`from the hosts plugin (${whereWritten(this.config)}${this.config.file ? `, ${this.config.file.source}` : ''})`]}
  }

  private unknown(ctx: ChainContext): Served {
    ctx.trace.plugins.push(this.name)
    return {rcode: null, answers: [], notes: [`hosts reads ${this.config.path}, which kdisco was not given (--corefile-import): the answer is not predicted`]}
  }
}
