// The `rewrite` plugin (plugin/rewrite, CoreDNS 1.14.7): rules that change the question before the plugins after it
// see it, and response rules that change the reply's names and values on the way back. Pure.
import {CorefileError, type Directive} from '../corefile.js'
import type {ResourceRecord} from '../records.js'
import {TYPE_CODES} from '../records.js'
import {type GoRegExp, goRegExp, substituteGroups} from './go-regexp.js'
import {type ChainContext, type Next, type Plugin, type Question, type Served, lowerName, unwritten} from './types.js'

type Mode = 'stop' | 'continue'

/** A response rule: rewrites owner names (`name`) or the names records point at (`value`). */
export interface ResponseRule {
  target: 'name' | 'value'
  rewrite(text: string): string
}

type NameMatch =
  | {kind: 'exact' | 'prefix' | 'suffix' | 'substring'; from: string; to: string}
  | {kind: 'regex'; pattern: GoRegExp; to: string}

export type RewriteRule =
  | {type: 'name'; mode: Mode; match: NameMatch; auto: boolean; answers: ResponseRule[]; text: string}
  | {type: 'type'; mode: Mode; from: string; to: string; text: string}
  | {type: 'class'; mode: Mode; from: string; to: string; text: string}
  /** edns0, ttl, cname, rcode: parsed far enough to know when they apply, not modelled beyond that. */
  | {type: 'other'; mode: Mode; kind: string; match?: NameMatch; text: string}

/** plugin.Name(x).Normalize(): lower-case and absolute. */
function normalize(name: string): string {
  return lowerName(name)
}

function compile(pattern: string, d: Directive): GoRegExp {
  const re = goRegExp(pattern)
  if (typeof re === 'string') throw new CorefileError(`rewrite: ${re}`, d)
  return re
}

/** How many distinct {n} a replacement uses (rewrite name.go getSubExprUsage). */
function subExprUsage(s: string): number {
  let n = 0
  for (let i = 0; i <= 100; i++) if (s.includes(`{${i}}`)) n++
  return n
}

/** isValidRegexPattern: the pattern compiles and the replacement uses no more groups than it has. */
function validRegex(from: string, to: string, d: Directive): GoRegExp {
  const re = compile(from, d)
  if (subExprUsage(to) > re.numSubexp) throw new CorefileError(`rewrite: the replacement ${to} uses more groups than ${from} has`, d)
  return re
}

/** `answer auto | answer name FROM TO | answer value FROM TO` (name.go parseAnswerRules). */
function parseAnswerRules(args: string[], d: Directive): {auto: boolean; rules: ResponseRule[]} {
  if (args.length < 2) throw new CorefileError('rewrite: invalid answer rule arguments', d)
  let auto = false
  let nameRules = 0
  const rules: ResponseRule[] = []
  let i = 0
  let last = ''
  while (i < args.length) {
    if (last === '' && args[i] !== 'answer') throw new CorefileError('rewrite: too many arguments for a rule without "answer"', d)
    if (args[i] === 'answer') i++
    if (i >= args.length) throw new CorefileError('rewrite: answer rule without a type', d)
    last = args[i++]
    if (last === 'auto') {
      auto = true
      continue
    }
    if (last !== 'name' && last !== 'value') throw new CorefileError(`rewrite: invalid answer rule type "${last}"`, d)
    if (args.length - i < 2) throw new CorefileError(`rewrite: answer ${last} needs FROM and TO`, d)
    const pattern = validRegex(args[i], args[i + 1], d)
    const to = normalize(args[i + 1])
    rules.push({target: last, rewrite: (s) => regexRewrite(pattern, to, s)})
    if (last === 'name') nameRules++
    i += 2
  }
  if (auto && nameRules > 0) throw new CorefileError('rewrite: answer auto cannot be combined with answer name rules', d)
  return {auto, rules}
}

/** regexStringRewriter: a match replaces the whole string with the replacement, groups substituted. */
function regexRewrite(pattern: GoRegExp, to: string, s: string): string {
  const groups = pattern.match(s)
  return groups ? substituteGroups(to, groups) : s
}

/** remapStringRewriter (answer auto): the rewritten name, or a name under it, maps back to what was asked. */
function remap(orig: string, replacement: string): (s: string) => string {
  return (s) => (s === orig ? replacement : s.endsWith('.' + orig) ? s.slice(0, s.length - orig.length) + replacement : s)
}

function parseNameMatch(args: string[], d: Directive): {match: NameMatch; rest: string[]} {
  if (args.length < 2) throw new CorefileError('rewrite: too few arguments for a name rule', d)
  if (args.length === 2) return {match: {kind: 'exact', from: normalize(args[0]), to: normalize(args[1])}, rest: []}
  const kind = args[0].toLowerCase()
  const rest = args.slice(3)
  if (kind === 'regex') {
    const pattern = validRegex(args[1], args[2], d)
    return {match: {kind: 'regex', pattern, to: normalize(args[2])}, rest}
  }
  if (kind !== 'exact' && kind !== 'prefix' && kind !== 'suffix' && kind !== 'substring')
    throw new CorefileError(`rewrite: name rules match exact, prefix, suffix, substring or regex, not "${args[0]}"`, d)
  return {match: {kind, from: normalize(args[1]), to: normalize(args[2])}, rest}
}

/** One rule from a `rewrite` directive (rewrite.go newRule), its block flattened as rewriteParse does. */
export function parseRewriteRule(d: Directive): RewriteRule {
  let args = d.args
  if (args.length < 2) for (const sub of d.block) args = [...args, sub.name, ...sub.args]
  const text = `rewrite ${args.join(' ')}`
  if (args.length === 0) throw new CorefileError('rewrite: no rule type', d)
  let mode: Mode = 'stop'
  let i = 0
  const first = args[0].toLowerCase()
  if (first === 'continue' || first === 'stop') {
    mode = first
    if (args.length < 2) throw new CorefileError(`rewrite: ${first} must be followed by a rule type`, d)
    i = 1
  }
  const ruleType = args[i].toLowerCase()
  const ruleArgs = args.slice(i + 1)
  switch (ruleType) {
    case 'name': {
      const {match, rest} = parseNameMatch(ruleArgs, d)
      const parsed = rest.length > 0 ? parseAnswerRules(rest, d) : {auto: false, rules: []}
      // exact rules always map the answer back (newExactNameRule passes auto = true).
      return {type: 'name', mode, match, auto: match.kind === 'exact' || parsed.auto, answers: parsed.rules, text}
    }
    case 'type':
    case 'class': {
      if (ruleArgs.length !== 2) throw new CorefileError(`rewrite: ${ruleType} rules take exactly two arguments`, d)
      const [from, to] = ruleArgs.map((a) => a.toUpperCase())
      if (ruleType === 'type' && (!(from in TYPE_CODES) || !(to in TYPE_CODES))) throw new CorefileError(`rewrite: invalid type in "${text}"`, d)
      if (ruleType === 'class' && (!CLASSES.has(from) || !CLASSES.has(to))) throw new CorefileError(`rewrite: invalid class in "${text}"`, d)
      return {type: ruleType, mode, from, to, text}
    }
    case 'edns0':
      return {type: 'other', mode, kind: 'edns0', text}
    case 'ttl':
    case 'cname':
    case 'rcode': {
      // [exact|prefix|suffix|substring|regex] STRING …: kdisco only needs to know which names they touch.
      const kinds = ['exact', 'prefix', 'suffix', 'substring', 'regex']
      const explicit = kinds.includes(ruleArgs[0]?.toLowerCase())
      const kind = explicit ? ruleArgs[0].toLowerCase() : 'exact'
      const target = explicit ? ruleArgs[1] : ruleArgs[0]
      if (target === undefined) throw new CorefileError(`rewrite: ${ruleType} rule without a name`, d)
      const match: NameMatch = kind === 'regex' ? {kind: 'regex', pattern: compile(target, d), to: ''} : {kind: kind as 'exact', from: normalize(target), to: ''}
      return {type: 'other', mode, kind: ruleType, match, text}
    }
    case 'answer':
      throw new CorefileError('rewrite: response rewrites must begin with a name rule', d)
    default:
      throw new CorefileError(`rewrite: invalid rule type "${args[i]}"`, d)
  }
}

const CLASSES = new Set(['IN', 'CS', 'CH', 'HS', 'NONE', 'ANY'])

/** The name a rule turns `name` into (lower-case), or undefined when it does not touch it. */
export function ruleRewrites(rule: RewriteRule, name: string): string | undefined {
  if (rule.type === 'name' || (rule.type === 'other' && rule.match)) return rewriteName(rule.type === 'name' ? rule.match : rule.match!, lowerName(name))
  return undefined
}

/** The rewritten (lower-case) name when a name rule matches, else undefined (name.go's Rewrite methods). */
function rewriteName(match: NameMatch, name: string): string | undefined {
  switch (match.kind) {
    case 'exact':
      return name === match.from ? match.to : undefined
    case 'prefix':
      return name.startsWith(match.from) ? match.to + name.slice(match.from.length) : undefined
    case 'suffix':
      return name.endsWith(match.from) ? name.slice(0, name.length - match.from.length) + match.to : undefined
    case 'substring':
      return name.includes(match.from) ? name.split(match.from).join(match.to) : undefined
    case 'regex': {
      const groups = match.pattern.match(name)
      return groups ? substituteGroups(match.to, groups) : undefined
    }
  }
}

/** dns.IsDomainName, as far as names from a rewrite can break it: labels of 1–63 octets, at most 255 in all. */
function isDomainName(name: string): boolean {
  if (name === '.') return true
  if (name.length > 255 || name.startsWith('.') || name.includes('..')) return false
  return name.replace(/\.$/, '').split('.').every((l) => l.length >= 1 && l.length <= 63)
}

/** Where a record names another name (reverter.go getRecordValueForRewrite), as kdisco writes the data. */
function rewriteValue(r: ResourceRecord, f: (s: string) => string): ResourceRecord {
  const fields = r.data.split(' ')
  switch (r.type) {
    case 'CNAME':
    case 'NS':
    case 'PTR':
    case 'DNAME': {
      const v = f(r.data)
      return v === r.data ? r : {...r, data: v}
    }
    case 'SRV':
    case 'MX':
    case 'SOA': {
      const at = r.type === 'SRV' ? 3 : r.type === 'MX' ? 1 : 0
      const v = f(fields[at])
      if (v === fields[at]) return r
      fields[at] = v
      return {...r, data: fields.join(' ')}
    }
    default:
      return r
  }
}

/** ResponseReverter.WriteMsg: every record through the response rules, last rule first. */
function revert(answer: Served, rules: ResponseRule[]): Served {
  if (rules.length === 0 || answer.answers.length === 0) return answer
  const answers = answer.answers.map((record) => {
    let r = record
    for (let i = rules.length - 1; i >= 0; i--) {
      const rule = rules[i]
      r = rule.target === 'name' ? {...r, name: rule.rewrite(r.name)} : rewriteValue(r, rule.rewrite)
    }
    return r
  })
  return {...answer, answers}
}

export class RewritePlugin implements Plugin {
  readonly name = 'rewrite'
  constructor(readonly rules: RewriteRule[]) {}

  serve(asked: Question, next: Next, ctx: ChainContext): Served {
    let q = asked
    const responseRules: ResponseRule[] = []
    let done = false
    let stopped = false
    const applied: string[] = []
    for (const rule of this.rules) {
      const name = lowerName(q.name)
      let changed: Question | undefined
      let rules: ResponseRule[] = []
      if (rule.type === 'name') {
        const to = rewriteName(rule.match, name)
        if (to === undefined) continue
        changed = {...q, name: to}
        if (rule.match.kind === 'suffix') {
          // A suffix rule maps answers back with the suffixes swapped (newSuffixNameRule), then its own answer rules.
          const m = rule.match
          const back = (s: string) => (s.endsWith(m.to) ? s.slice(0, s.length - m.to.length) + m.from : s)
          rules = [...(rule.auto ? [{target: 'name' as const, rewrite: back}, {target: 'value' as const, rewrite: back}] : []), ...rule.answers]
        } else if (rule.auto) {
          const back = remap(to, name)
          rules = [{target: 'name', rewrite: back}, {target: 'value', rewrite: back}, ...rule.answers]
        } else rules = rule.answers
      } else if (rule.type === 'type') {
        if (q.type !== rule.from) continue
        changed = {...q, type: rule.to}
      } else if (rule.type === 'class') {
        // kdisco asks class IN: a rule from IN sends the question on in another class, which only templates notice.
        if (rule.from !== 'IN') continue
        ctx.trace.notes.push(`${rule.text}: the plugins after it see class ${rule.to}; kdisco models class IN only`)
        changed = q
      } else {
        if (rule.kind === 'edns0') continue
        if (rule.match && rewriteName(rule.match, name) !== undefined) {
          ctx.trace.plugins.push(this.name)
          return {rcode: null, answers: [], notes: [`${rule.text} applies to this name and is not modelled by kdisco: the answer is not predicted`]}
        }
        continue
      }
      if (!isDomainName(changed.name)) {
        ctx.trace.plugins.push(this.name)
        return unwritten('SERVFAIL', `${rule.text} makes "${changed.name}", which is not a valid DNS name: CoreDNS answers SERVFAIL`)
      }
      q = changed
      done = true
      applied.push(rule.text)
      responseRules.push(...rules)
      if (rule.mode === 'stop') {
        stopped = true
        break
      }
    }
    if (!done) return next(asked, ctx)
    ctx.trace.plugins.push(this.name)
    if (q.name !== asked.name || q.type !== asked.type) ctx.trace.rewritten = `${q.name}${q.type !== asked.type ? ` ${q.type}` : ''}`
    const served = next(q, ctx)
    if (!stopped && responseRules.length === 0 && (q.name !== lowerName(asked.name) || q.type !== asked.type)) {
      // rewrite.go ServeDNS: continue rules without response rules write the reply through unchanged, question too.
      ctx.trace.notes.push(`${applied.join('; ')}: the reply carries the rewritten question section; resolvers that check it (glibc) drop such replies`)
    }
    // With a reverter, a reply the next plugins did not write is written by it, with that rcode (serveWithResponseReverter).
    const written = served.unwritten && (stopped || responseRules.length > 0) ? {...served, unwritten: false} : served
    return revert(written, responseRules)
  }
}
