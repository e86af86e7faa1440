// The `template` plugin (plugin/template, CoreDNS 1.14.7): answers (or an rcode) built from a Go text/template for
// questions of a class and type whose name matches a regular expression. kdisco renders the template fields answers
// use in practice ({{ .Name }}, .Zone, .Class, .Type, .Remote, index .Match N, .Group.NAME / index .Group "NAME");
// anything else makes the answer "not predicted" rather than guessed. Pure.
import {CorefileError, type Directive, whereWritten} from '../corefile.js'
import type {Rcode, ResourceRecord} from '../records.js'
import {TYPE_CODES} from '../records.js'
import {normalizeZones} from '../settings.js'
import {type GoRegExp, goRegExp} from './go-regexp.js'
import {parseRecord} from './rr-text.js'
import {type ChainContext, type Next, type Plugin, type Question, type Served, absoluteZone, lowerName, matchAbsolute, unwritten} from './types.js'

const RCODES: Record<string, Rcode> = {NOERROR: 'NOERROR', NXDOMAIN: 'NXDOMAIN', SERVFAIL: 'SERVFAIL', REFUSED: 'REFUSED', FORMERR: 'FORMERR', NOTIMP: 'NOTIMP'}
const CLASSES = new Set(['IN', 'CS', 'CH', 'HS', 'NONE', 'ANY'])

export interface TemplateConfig {
  klass: string
  type: string
  zones: string[]
  regex: GoRegExp[]
  answers: string[]
  rcode: Rcode
  /** Absolute zones; undefined: no fallthrough. */
  fallthrough?: string[]
  /** additional/authority/ederror: kdisco does not show those sections. */
  extraSections: boolean
  line: number
  source: string
}

/** One `template CLASS TYPE [ZONE...] { … }` (template/setup.go templateParse). */
export function parseTemplate(d: Directive, blockZones: string[]): TemplateConfig {
  const [klass, type, ...zoneArgs] = d.args
  if (klass === undefined || !CLASSES.has(klass)) throw new CorefileError(`template: invalid query class "${klass ?? ''}"`, d)
  if (type === undefined || !(type in TYPE_CODES)) throw new CorefileError(`template: invalid type "${type ?? ''}"`, d)
  const zones = zoneArgs.length > 0 ? normalizeZones(zoneArgs) : blockZones
  if (typeof zones === 'string') throw new CorefileError(`template: ${zones}`, d)
  const t: TemplateConfig = {klass, type, zones: zones.map(absoluteZone), regex: [], answers: [], rcode: 'NOERROR', extraSections: false, line: d.line, source: d.source}
  for (const opt of d.block) {
    switch (opt.name) {
      case 'match':
        if (opt.args.length === 0) throw new CorefileError('template: match needs a regular expression', opt)
        for (const r of opt.args) {
          const re = goRegExp(r)
          if (typeof re === 'string') throw new CorefileError(`template: ${re}`, opt)
          t.regex.push(re)
        }
        break
      case 'answer':
        if (opt.args.length === 0) throw new CorefileError('template: answer needs a record', opt)
        t.answers.push(...opt.args)
        break
      case 'additional':
      case 'authority':
      case 'ederror':
        t.extraSections = true
        break
      case 'rcode': {
        const rcode = RCODES[opt.args[0] ?? '']
        if (!rcode) throw new CorefileError(`template: unknown rcode "${opt.args[0] ?? ''}"`, opt)
        t.rcode = rcode
        break
      }
      case 'fallthrough': {
        const ft = opt.args.length > 0 ? normalizeZones(opt.args) : ['']
        if (typeof ft === 'string') throw new CorefileError(`template: ${ft}`, opt)
        t.fallthrough = ft.map(absoluteZone)
        break
      }
      case 'upstream':
        break
      default:
        throw new CorefileError(`template: unknown property "${opt.name}"`, opt)
    }
  }
  if (t.regex.length === 0) t.regex.push(goRegExp('.*') as GoRegExp)
  return t
}

interface TemplateData {
  Name: string
  Zone: string
  Class: string
  Type: string
  Regex: string
  Remote?: string
  Match: string[]
  Group: Record<string, string>
}

/** The text/template actions kdisco evaluates; a reason for anything else. */
export function renderTemplate(text: string, data: TemplateData): {text: string} | {unmodelled: string} {
  let out = ''
  let i = 0
  while (i < text.length) {
    const open = text.indexOf('{{', i)
    if (open < 0) {
      out += text.slice(i)
      break
    }
    const close = text.indexOf('}}', open + 2)
    if (close < 0) return {unmodelled: `"${text}" has an unclosed {{`}
    let before = text.slice(i, open)
    let action = text.slice(open + 2, close)
    let after = close + 2
    if (action.startsWith('-')) {
      before = before.replace(/\s+$/, '')
      action = action.slice(1)
    }
    if (action.endsWith('-')) {
      action = action.slice(0, -1)
      while (after < text.length && /\s/.test(text[after])) after++
    }
    out += before
    const value = evaluate(action.trim(), data)
    if (value === undefined) return {unmodelled: `the template action {{${text.slice(open + 2, close)}}} is not one kdisco evaluates`}
    out += value
    i = after
  }
  return {text: out}
}

function evaluate(expr: string, data: TemplateData): string | undefined {
  const field = /^\.(Name|Zone|Class|Type|Regex|Remote)$/.exec(expr)
  if (field) return data[field[1] as 'Name' | 'Zone' | 'Class' | 'Type' | 'Regex' | 'Remote']
  const match = /^index\s+\.Match\s+(\d+)$/.exec(expr)
  if (match) return data.Match[Number(match[1])]
  const group = /^\.Group\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr) ?? /^index\s+\.Group\s+"([^"]*)"$/.exec(expr)
  if (group) return data.Group[group[1]] ?? ''
  return undefined
}

export class TemplatePlugin implements Plugin {
  readonly name = 'template'
  private readonly zones: string[]

  constructor(readonly templates: TemplateConfig[]) {
    this.zones = templates.flatMap((t) => t.zones)
  }

  serve(q: Question, next: Next, ctx: ChainContext): Served {
    const name = lowerName(q.name)
    if (matchAbsolute(name, this.zones) === undefined) return next(q, ctx)
    for (const t of this.templates) {
      const zone = matchAbsolute(name, t.zones)
      if (zone === undefined) continue
      if (t.klass !== 'ANY' && t.klass !== 'IN') continue
      if (t.type !== 'ANY' && q.type !== 'ANY' && q.type !== t.type) continue
      let groups: string[] | undefined
      let regex: GoRegExp | undefined
      for (const re of t.regex) {
        groups = re.match(name)
        if (groups) {
          regex = re
          break
        }
      }
      const at = whereWritten(t)
      if (!groups || !regex) {
        if (t.fallthrough !== undefined && matchAbsolute(name, t.fallthrough) !== undefined) continue
        ctx.trace.plugins.push(this.name)
        return unwritten('SERVFAIL', `template ${t.klass} ${t.type} (${at}) covers this name but no match expression matches it and it has no fallthrough: CoreDNS answers SERVFAIL`)
      }
      ctx.trace.plugins.push(this.name)
      if (t.rcode === 'SERVFAIL') return unwritten('SERVFAIL', `template ${t.klass} ${t.type} (${at}) answers SERVFAIL`)
      const named: Record<string, string> = {}
      groups.forEach((g, i) => (named[String(i)] = g))
      const names = groupNames(regex)
      names.forEach((n, i) => n && (named[n] = groups![i]))
      const data: TemplateData = {Name: name, Zone: zone, Class: 'IN', Type: q.type !== 'ANY' ? q.type : t.type, Regex: regex.source, Remote: ctx.asker?.ip, Match: groups, Group: named}
      const answers: ResourceRecord[] = []
      let forwarded = false
      let forwardedAs: Question | undefined
      const notes = [`template ${t.klass} ${t.type} (${at}) answers ${t.rcode}`]
      for (const text of t.answers) {
        if (/\.Remote\b/.test(text) && !ctx.asker) return {rcode: null, answers: [], notes: [`template (${at}) writes the asker's address ({{ .Remote }}), which kdisco does not know here: the answer is not predicted`]}
        const rendered = renderTemplate(text, data)
        if ('unmodelled' in rendered) return {rcode: null, answers: [], notes: [`template (${at}): ${rendered.unmodelled}: the answer is not predicted`]}
        const rr = parseRecord(rendered.text, {origin: '.', defaultTtl: 3600})
        if (typeof rr === 'string') return unwritten('SERVFAIL', `template (${at}) renders "${rendered.text}", which is not a record (${rr}): CoreDNS answers SERVFAIL`)
        answers.push(rr)
        if ((q.type === 'A' || q.type === 'AAAA') && rr.type === 'CNAME') {
          // The CNAME's target through the whole server again (template.go: upstream.Lookup).
          const target = ctx.lookup(rr.data, q.type)
          if (target.rcode === null && target.answers.length === 0) {
            forwarded = true
            forwardedAs = target.forwardedAs ?? {name: rr.data, type: q.type}
          } else answers.push(...target.answers)
          if (target.forwarded) forwarded = true
        }
      }
      if (t.extraSections) notes.push('its additional/authority sections and extended errors are not shown')
      return {rcode: t.rcode, answers, notes, ...(forwarded ? {forwarded: true, forwardedAs} : {})}
    }
    return next(q, ctx)
  }
}

/** Group names of a compiled pattern by index (regexp.SubexpNames), '' for unnamed ones. */
function groupNames(re: GoRegExp): string[] {
  const names: string[] = ['']
  const src = re.re.source
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '\\') {
      i++
      continue
    }
    if (src[i] !== '(') continue
    if (src[i + 1] !== '?') names.push('')
    else if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') names.push(/^\(\?<([^>]+)>/.exec(src.slice(i))?.[1] ?? '')
  }
  return names
}
