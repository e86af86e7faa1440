// Resource records in RFC 1035 presentation format (a zone file's lines, a template's answers), read into kdisco's
// record form. A documented subset: A, AAAA, CNAME, DNAME, NS, PTR, MX, SRV, TXT, SOA; $ORIGIN and $TTL; `@`;
// relative names; an empty owner repeats the last; parentheses across lines; `;` comments. Pure.
import {addressData} from '../ip.js'
import type {ResourceRecord} from '../records.js'

export const RR_TYPES = ['A', 'AAAA', 'CNAME', 'DNAME', 'NS', 'PTR', 'MX', 'SRV', 'TXT', 'SOA'] as const
const CLASSES = new Set(['IN', 'CH', 'HS', 'CS', 'NONE', 'ANY'])

interface Field {
  text: string
  quoted: boolean
}

/** Fields of one logical line (parentheses joined), or the reason it cannot be read. */
function fields(line: string): Field[] | string {
  const out: Field[] = []
  let i = 0
  while (i < line.length) {
    const c = line[i]
    if (c === ';') break
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '(' || c === ')') {
      i++
      continue
    }
    if (c === '"') {
      let j = i + 1
      let s = ''
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++
        s += line[j++]
      }
      if (j >= line.length) return 'a quoted string is not closed'
      out.push({text: s, quoted: true})
      i = j + 1
      continue
    }
    let j = i
    while (j < line.length && !/[\s;()"]/.test(line[j])) j++
    out.push({text: line.slice(i, j), quoted: false})
    i = j
  }
  return out
}

/** A name made absolute against `origin` (absolute, with the dot); `@` is the origin. Spelling kept. */
export function absolute(name: string, origin: string): string {
  if (name === '@') return origin
  if (name.endsWith('.')) return name
  return origin === '.' ? `${name}.` : `${name}.${origin}`
}

function isTtl(text: string): boolean {
  return /^\d+$/.test(text)
}

type Data = {data: string} | {error: string}

/** The record data in kdisco's form for a type and its presentation fields, or why it cannot be read. */
function recordData(type: string, rdata: Field[], origin: string): Data {
  const num = (f: Field | undefined, max: number) => (f && /^\d+$/.test(f.text) && Number(f.text) <= max ? f.text : undefined)
  const fieldsNeeded: Record<string, number> = {A: 1, AAAA: 1, CNAME: 1, DNAME: 1, NS: 1, PTR: 1, MX: 2, SRV: 4, TXT: 1, SOA: 7}
  if (!(type in fieldsNeeded)) return {error: `type ${type} is not one kdisco reads (${RR_TYPES.join(', ')})`}
  if (rdata.length < fieldsNeeded[type]) return {error: `${type} needs ${fieldsNeeded[type]} field${fieldsNeeded[type] > 1 ? 's' : ''}`}
  switch (type) {
    case 'A':
    case 'AAAA': {
      const a = rdata.length === 1 ? addressData(rdata[0].text) : undefined
      if (!a || a.family !== (type === 'A' ? 4 : 6)) return {error: `"${rdata.map((f) => f.text).join(' ')}" is not an IPv${type === 'A' ? 4 : 6} address`}
      return {data: a.data}
    }
    case 'CNAME':
    case 'DNAME':
    case 'NS':
    case 'PTR':
      return {data: absolute(rdata[0].text, origin)}
    case 'MX': {
      const pref = num(rdata[0], 65535)
      return pref === undefined ? {error: 'MX preference must be a number'} : {data: `${pref} ${absolute(rdata[1].text, origin)}`}
    }
    case 'SRV': {
      const [p, w, port] = [num(rdata[0], 65535), num(rdata[1], 65535), num(rdata[2], 65535)]
      return p === undefined || w === undefined || port === undefined ? {error: 'SRV priority, weight and port must be numbers'} : {data: `${p} ${w} ${port} ${absolute(rdata[3].text, origin)}`}
    }
    case 'TXT':
      return {data: rdata.map((f) => f.text).join(' ')}
    default: {
      const nums = rdata.slice(2, 7).map((f) => num(f, 4294967295))
      if (nums.some((n) => n === undefined)) return {error: 'SOA serial and timers must be numbers'}
      return {data: `${absolute(rdata[0].text, origin)} ${absolute(rdata[1].text, origin)} ${nums.join(' ')}`}
    }
  }
}

/**
 * One record line: `OWNER [TTL] [CLASS] TYPE RDATA` (TTL and class in either order). `previousOwner`: the owner an
 * empty first field repeats (a zone file's continuation lines), signalled by `leadingBlank`.
 */
export function parseRecord(line: string, ctx: {origin: string; defaultTtl: number; previousOwner?: string; leadingBlank?: boolean}): ResourceRecord | string {
  const f = fields(line)
  if (typeof f === 'string') return f
  if (f.length === 0) return 'empty record'
  let i = 0
  let owner: string
  if (ctx.leadingBlank) {
    if (!ctx.previousOwner) return 'a record without an owner name comes first'
    owner = ctx.previousOwner
  } else owner = absolute(f[i++].text, ctx.origin)
  let ttl = ctx.defaultTtl
  for (let k = 0; k < 2 && i < f.length; k++) {
    const upper = f[i].text.toUpperCase()
    if (!f[i].quoted && isTtl(f[i].text)) {
      ttl = Number(f[i].text)
      i++
    } else if (!f[i].quoted && CLASSES.has(upper) && upper !== 'IN') {
      return `class ${upper}: kdisco reads class IN records only`
    } else if (!f[i].quoted && upper === 'IN') i++
  }
  if (i >= f.length) return 'no record type'
  const type = f[i++].text.toUpperCase()
  const data = recordData(type, f.slice(i), ctx.origin)
  if ('error' in data) return data.error
  return {name: owner, type, ttl, data: data.data}
}

export interface ZoneText {
  origin: string
  records: ResourceRecord[]
}

/** A zone file (the subset above) for `origin` (absolute). Errors name the line. */
export function parseZoneFile(text: string, origin: string, source: string): ZoneText | string {
  let currentOrigin = origin
  let defaultTtl = 3600
  let previousOwner: string | undefined
  const records: ResourceRecord[] = []
  const lines = text.split('\n')
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]
    const start = n + 1
    // Parentheses continue a record over lines.
    let depth = (line.replace(/;.*/, '').match(/\(/g)?.length ?? 0) - (line.replace(/;.*/, '').match(/\)/g)?.length ?? 0)
    while (depth > 0 && n + 1 < lines.length) {
      n++
      line += ' ' + lines[n]
      depth += (lines[n].replace(/;.*/, '').match(/\(/g)?.length ?? 0) - (lines[n].replace(/;.*/, '').match(/\)/g)?.length ?? 0)
    }
    const trimmed = line.replace(/;.*/, '').trim()
    if (trimmed === '') continue
    if (trimmed.startsWith('$')) {
      const [directive, value] = trimmed.split(/\s+/)
      if (directive.toUpperCase() === '$ORIGIN' && value) currentOrigin = absolute(value, currentOrigin)
      else if (directive.toUpperCase() === '$TTL' && value && isTtl(value)) defaultTtl = Number(value)
      else return `${source}:${start}: ${directive} is not supported (kdisco reads $ORIGIN and $TTL)`
      continue
    }
    const leadingBlank = /^[ \t]/.test(line)
    const r = parseRecord(line, {origin: currentOrigin, defaultTtl, previousOwner, leadingBlank})
    if (typeof r === 'string') return `${source}:${start}: ${r}`
    previousOwner = r.name
    records.push(r)
  }
  return {origin, records}
}
