// The `file` plugin (plugin/file, CoreDNS 1.14.7): an authoritative zone from an RFC 1035 zone file given on the
// command line (the subset rr-text.ts reads). Answers, CNAME chains, wildcards, empty non-terminals and referrals as
// file/lookup.go builds them; DNSSEC and DNAME are not modelled. Pure.
import {CorefileError, type CorefileFile, type Directive, whereWritten} from '../corefile.js'
import type {ResourceRecord} from '../records.js'
import {normalizeZones} from '../settings.js'
import {parseZoneFile} from './rr-text.js'
import {type ChainContext, type Next, type Plugin, type Question, type Served, absoluteZone, lowerName, matchAbsolute, unwritten} from './types.js'

interface Zone {
  origin: string
  soa?: ResourceRecord
  ns: ResourceRecord[]
  /** Lower-case owner → type → records (apex SOA and NS kept apart, as zone.go Insert does). */
  tree: Map<string, Map<string, ResourceRecord[]>>
}

export interface FileConfig {
  path: string
  origins: string[]
  /** Parsed zones by origin; undefined when kdisco was not given the file. */
  zones?: Map<string, Zone>
  fallthrough?: string[]
  /** Nothing runs after it (file.go answers REFUSED instead of passing on). */
  last: boolean
  line: number
  source: string
}

/** `file DBFILE [ZONES...] { reload DURATION; fallthrough [ZONES...] }` (file/setup.go). */
export function parseFile(d: Directive, blockZones: string[], files: CorefileFile[]): FileConfig {
  const [path, ...zoneArgs] = d.args
  if (path === undefined) throw new CorefileError('file needs a zone file', d)
  const zones = zoneArgs.length > 0 ? normalizeZones(zoneArgs) : blockZones
  if (typeof zones === 'string') throw new CorefileError(`file: ${zones}`, d)
  const config: FileConfig = {path, origins: zones.map(absoluteZone), last: false, line: d.line, source: d.source}
  for (const opt of d.block) {
    if (opt.name === 'fallthrough') {
      const ft = opt.args.length > 0 ? normalizeZones(opt.args) : ['']
      if (typeof ft === 'string') throw new CorefileError(`file: ${ft}`, opt)
      config.fallthrough = ft.map(absoluteZone)
    }
  }
  const base = path.slice(path.lastIndexOf('/') + 1)
  const given = files.find((f) => f.name === base)
  if (given) {
    config.zones = new Map()
    for (const origin of config.origins) {
      const parsed = parseZoneFile(given.text, origin, given.source)
      if (typeof parsed === 'string') throw new CorefileError(`file: ${parsed}`, d)
      config.zones.set(origin, buildZone(origin, parsed.records, given.source))
    }
  }
  return config
}

function buildZone(origin: string, records: ResourceRecord[], source: string): Zone {
  const zone: Zone = {origin, ns: [], tree: new Map()}
  for (const r0 of records) {
    // zone.go Insert: owners lower-cased except SRV; NS and SOA names lower-cased.
    let r = r0.type === 'SRV' ? r0 : {...r0, name: r0.name.toLowerCase()}
    if (r.type === 'NS') r = {...r, data: r.data.toLowerCase()}
    if (r.type === 'SOA') {
      const [mname, rname, ...rest] = r.data.split(' ')
      zone.soa ??= {...r, data: [mname.toLowerCase(), rname.toLowerCase(), ...rest].join(' ')}
      continue
    }
    if (r.type === 'NS' && r.name === origin) {
      zone.ns.push(r)
      continue
    }
    const key = r.name.toLowerCase()
    let types = zone.tree.get(key)
    if (!types) zone.tree.set(key, (types = new Map()))
    types.set(r.type, [...(types.get(r.type) ?? []), r])
  }
  if (!zone.soa) throw new CorefileError(`${source} has no SOA record for origin ${origin}`)
  return zone
}

type Result = 'success' | 'nxdomain' | 'delegation' | 'nodata' | 'servfail'

interface Lookup {
  answers: ResourceRecord[]
  result: Result
  forwarded?: boolean
  forwardedAs?: Question
}

function labels(name: string): string[] {
  return name === '.' ? [] : name.slice(0, -1).split('.')
}

/** Whether any name in the tree lies strictly below `name` (lookup.go hasDescendant). */
function hasDescendant(zone: Zone, name: string): boolean {
  for (const k of zone.tree.keys()) if (k !== name && k.endsWith('.' + name)) return true
  return false
}

/** A copy of a wildcard's records owned by the question's name (tree.Elem TypeForWildcard). */
function forWildcard(rrs: ResourceRecord[], qname: string): ResourceRecord[] {
  return rrs.map((r) => ({...r, name: qname}))
}

export class FilePlugin implements Plugin {
  readonly name = 'file'
  constructor(readonly config: FileConfig) {}

  serve(q: Question, next: Next, ctx: ChainContext): Served {
    const qname = lowerName(q.name)
    const origin = matchAbsolute(qname, this.config.origins)
    if (origin === undefined) {
      if (this.config.last) return unwritten('REFUSED', 'no plugin after file serves this name: REFUSED')
      return next(q, ctx)
    }
    ctx.trace.plugins.push(this.name)
    const zone = this.config.zones?.get(origin)
    if (!zone) return {rcode: null, answers: [], notes: [`file ${this.config.path} (${whereWritten(this.config)}) was not given to kdisco (--corefile-import): the answer is not predicted`]}
    if (q.type === 'AXFR' || q.type === 'IXFR') return unwritten('REFUSED', 'zone transfers are refused without the transfer plugin')
    const found = this.lookup(zone, qname, q.type, ctx, 0)
    const through = this.config.fallthrough !== undefined && matchAbsolute(qname, this.config.fallthrough) !== undefined
    if (found.answers.length === 0 && (found.result === 'nxdomain' || found.result === 'success') && through) {
      ctx.trace.plugins.pop()
      return next(q, ctx)
    }
    const at = `zone ${origin} from ${this.config.path}`
    const extra = found.forwarded ? {forwarded: true, forwardedAs: found.forwardedAs} : {}
    switch (found.result) {
      case 'nxdomain':
        return {rcode: 'NXDOMAIN', answers: found.answers, notes: [`${at}: no such name`], ...extra}
      case 'delegation':
        return {rcode: 'NOERROR', answers: found.answers, notes: [`${at}: delegated to other name servers (a referral; its NS records are in the authority section)`], ...extra}
      case 'servfail':
        if (found.answers.length === 0) return unwritten('SERVFAIL', `${at}: the CNAME target could not be resolved`)
        return {rcode: 'SERVFAIL', answers: found.answers, notes: [`${at}: the CNAME target could not be resolved`], ...extra}
      case 'nodata':
        return {rcode: 'NOERROR', answers: [], notes: [`${at}: the name has no ${q.type} records`], ...extra}
      default:
        return {rcode: 'NOERROR', answers: found.answers, notes: [`from ${at}`], ...extra}
    }
  }

  /** file/lookup.go Zone.Lookup, without DNSSEC and DNAME. */
  private lookup(zone: Zone, qname: string, qtype: string, ctx: ChainContext, loop: number): Lookup {
    if (loop > 8) return {answers: [], result: 'servfail'}
    if (qname === zone.origin && qtype === 'SOA') return {answers: [zone.soa!], result: 'success'}
    if (qname === zone.origin && qtype === 'NS') return {answers: zone.ns, result: 'success'}
    const qLabels = labels(qname)
    const depth = labels(zone.origin).length
    let found = false
    let elem: Map<string, ResourceRecord[]> | undefined
    let wildName: string | undefined
    let wildElem: Map<string, ResourceRecord[]> | undefined
    for (let i = 0; depth + i <= qLabels.length; i++) {
      const parts = i === 0 ? zone.origin : `${qLabels.slice(qLabels.length - depth - i).join('.')}.`
      elem = zone.tree.get(parts)
      found = elem !== undefined
      if (!found) {
        const wildcard = parts === '.' ? '*.' : `*.${parts.slice(parts.indexOf('.') + 1)}`
        const wild = zone.tree.get(wildcard)
        if (wild) {
          wildElem = wild
          wildName = wildcard
        } else if (hasDescendant(zone, wildcard)) {
          wildElem = undefined
          wildName = wildcard
        }
        continue
      }
      if (elem!.has('DNAME')) return {answers: [], result: 'servfail', forwarded: false}
      // A delegation below the apex (delegationFromElem); a DS question at the cut itself is the parent's.
      if (parts !== zone.origin && elem!.has('NS') && !(qtype === 'DS' && parts === qname)) return {answers: [], result: 'delegation'}
    }
    if (found && elem) {
      const cname = elem.get('CNAME')
      if (cname && qtype !== 'CNAME') return this.chase(zone, cname, qtype, ctx, loop)
      const rrs = elem.get(qtype) ?? []
      return rrs.length === 0 ? {answers: [], result: 'nodata'} : {answers: rrs, result: 'success'}
    }
    if (wildName !== undefined && !this.closerEntExists(zone, qname, wildName)) {
      if (!wildElem) return {answers: [], result: 'nodata'}
      const cname = wildElem.get('CNAME')
      if (cname && qtype !== 'CNAME') return this.chase(zone, forWildcard(cname, qname), qtype, ctx, loop)
      const rrs = wildElem.get(qtype) ?? []
      return rrs.length === 0 ? {answers: [], result: 'nodata'} : {answers: forWildcard(rrs, qname), result: 'success'}
    }
    return {answers: [], result: hasDescendant(zone, qname) || qname === zone.origin ? 'success' : 'nxdomain'}
  }

  /** lookup.go closerENTExists: an empty non-terminal between the wildcard's parent and the name blocks the wildcard. */
  private closerEntExists(zone: Zone, qname: string, wildName: string): boolean {
    const parent = wildName.slice(2)
    let name = qname
    for (;;) {
      const dot = name.indexOf('.')
      if (dot < 0 || dot === name.length - 1) return false
      name = name.slice(dot + 1)
      if (name === parent || !(name === parent || name.endsWith('.' + parent))) return false
      if (hasDescendant(zone, name)) return true
    }
  }

  /** lookup.go externalLookup: follow CNAMEs inside the zone; a target outside it goes through the server again. */
  private chase(zone: Zone, cnames: ResourceRecord[], qtype: string, ctx: ChainContext, loop: number): Lookup {
    const answers = [...cnames]
    let target = lowerName(cnames[0].data)
    for (let i = 0; ; i++) {
      const elem = zone.tree.get(target)
      if (this.delegated(zone, target)) return {answers, result: 'delegation'}
      if (!elem || qtype === 'NS' || (qtype === 'SOA' && target === zone.origin)) {
        const up = ctx.lookup(target, qtype)
        if (up.rcode === null && up.answers.length === 0) return {answers, result: 'success', forwarded: true, forwardedAs: up.forwardedAs ?? {name: target, type: qtype}}
        answers.push(...up.answers)
        const result: Result = up.unwritten && up.rcode === 'SERVFAIL' ? 'servfail' : up.rcode === 'NXDOMAIN' ? 'nxdomain' : up.rcode === 'SERVFAIL' ? 'servfail' : up.answers.length === 0 ? 'nodata' : 'success'
        return {answers, result, ...(up.forwarded ? {forwarded: true, forwardedAs: up.forwardedAs} : {})}
      }
      const next = elem.get('CNAME')
      if (!next) {
        answers.push(...(elem.get(qtype) ?? []))
        return {answers, result: 'success'}
      }
      answers.push(...next)
      target = lowerName(next[0].data)
      if (i + 1 > 8) return {answers, result: 'success'}
    }
  }

  /** findDelegation: an NS set at or above `name`, below the apex. */
  private delegated(zone: Zone, name: string): boolean {
    const l = labels(name)
    const depth = labels(zone.origin).length
    for (let i = 1; depth + i <= l.length; i++) {
      const n = `${l.slice(l.length - depth - i).join('.')}.`
      if (zone.tree.get(n)?.has('NS')) return true
    }
    return false
  }
}
