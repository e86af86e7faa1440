// The `autopath` plugin (plugin/autopath, CoreDNS 1.14.7) with `@kubernetes` (plugin/kubernetes/autopath.go): the
// server walks a pod's search list itself when the question is the pod's first search candidate, and answers the
// first name that is not NXDOMAIN with a CNAME from the asked name. Pure.
import {CorefileError, type Directive} from '../corefile.js'
import {normalizeZones} from '../settings.js'
import {type ChainContext, type Next, type Plugin, type Question, type Served, absoluteZone, lowerName, matchAbsolute, unwritten} from './types.js'

export interface AutopathConfig {
  zones: string[]
  /** `@plugin` (a plugin's search path per asker), or a resolv.conf path. */
  source: {plugin: string} | {resolvConf: string}
  line: number
  sourceFile: string
}

/** `autopath [ZONE...] RESOLV-CONF` (autopath/setup.go autoPathParse). */
export function parseAutopath(d: Directive, blockZones: string[]): AutopathConfig {
  if (d.args.length < 1) throw new CorefileError('autopath needs a resolv.conf or @plugin', d)
  const last = d.args[d.args.length - 1]
  const zoneArgs = d.args.slice(0, -1)
  const zones = zoneArgs.length > 0 ? normalizeZones(zoneArgs) : blockZones
  if (typeof zones === 'string') throw new CorefileError(`autopath: ${zones}`, d)
  return {zones: zones.map(absoluteZone), source: last.startsWith('@') ? {plugin: last.slice(1)} : {resolvConf: last}, line: d.line, sourceFile: d.source}
}

/**
 * The search path for a question, or why there is none: undefined = autopath does nothing for this asker (no pod with
 * its address, not pods verified, outside the plugin's zones).
 */
export type SearchPath = (q: Question, ctx: ChainContext) => string[] | undefined

/** name == search[0] or a name below it (autopath.go firstInSearchPath). */
function firstInSearchPath(name: string, first: string): boolean {
  return name === first || name.endsWith('.' + first)
}

export class AutopathPlugin implements Plugin {
  readonly name = 'autopath'
  constructor(
    readonly config: AutopathConfig,
    private readonly searchPath: SearchPath,
  ) {}

  serve(q: Question, next: Next, ctx: ChainContext): Served {
    const name = lowerName(q.name)
    if (matchAbsolute(name, this.config.zones) === undefined) return next(q, ctx)
    const search = this.searchPath(q, ctx)
    if (!search || search.length === 0 || !firstInSearchPath(name, search[0])) return next(q, ctx)
    ctx.trace.plugins.push(this.name)
    // dnsutil.TrimZone: the asked name minus the first search domain, as spelled; the domain itself has no base.
    if (name === search[0]) return unwritten('SERVFAIL', `autopath: ${q.name} is the first search domain itself, which CoreDNS cannot trim (dnsutil.TrimZone): SERVFAIL`)
    const base = q.name.replace(/\.$/, '').slice(0, q.name.replace(/\.$/, '').length - search[0].length)
    const searched: string[] = []
    let first: Served | undefined
    for (const s of search) {
      const candidate = s === '' ? `${base}.` : `${base}.${s}`
      searched.push(candidate)
      const reply = next({...q, name: candidate}, ctx)
      first ??= reply
      // A plugin error ends the walk with that error (autopath.go: err != nil returns at once); so does a reply
      // kdisco cannot predict, since whether the walk goes on depends on it.
      if (reply.error || (reply.rcode === null && reply.answers.length === 0 && !reply.forwarded)) {
        ctx.trace.autopath = {searched}
        return reply
      }
      if (reply.unwritten) continue
      if (reply.rcode === 'NXDOMAIN') continue
      ctx.trace.autopath = {searched, answeredBy: candidate}
      const rest = search.slice(searched.length).map((r) => (r === '' ? `${base}.` : `${base}.${r}`))
      if (reply.rcode === null && rest.length > 0) ctx.trace.notes.push(`autopath: if upstream answers NXDOMAIN for ${candidate}, CoreDNS goes on with ${rest.join(', ')}`)
      return cnamer(reply, q, candidate)
    }
    ctx.trace.autopath = {searched}
    return {...first!, notes: [...(first!.notes ?? []), `autopath tried ${searched.join(', ')}: every one is NXDOMAIN, so the pod walks its search list itself`]}
  }
}

/**
 * autopath/cname.go cnamer: a CNAME from the asked name to the first record's owner, unless that owner is the asked
 * name (case-insensitively). A forwarded reply gets the CNAME in front of whatever upstream answers.
 */
function cnamer(reply: Served, question: Question, candidate: string): Served {
  const asked = question.name
  const note = `autopath answered ${asked} with ${candidate}`
  const differing = reply.answers.find((a) => a.name.toLowerCase() !== asked.toLowerCase())
  if (reply.forwarded || reply.rcode === null) {
    // Upstream's records follow kdisco's own: when none of those leaves the asked name, upstream's first one decides.
    const forwardedAs = reply.forwardedAs ?? {name: candidate, type: question.type}
    if (!differing) return {...reply, forwardedAs, notes: [...(reply.notes ?? []), `${note}; if upstream returns records, a CNAME ${asked} → the first one's owner comes first`]}
    return {...reply, forwardedAs, answers: [{name: asked, type: 'CNAME', ttl: differing.ttl, data: differing.name}, ...reply.answers], notes: [...(reply.notes ?? []), note]}
  }
  if (!differing) return {...reply, notes: [...(reply.notes ?? []), note]}
  return {...reply, answers: [{name: asked, type: 'CNAME', ttl: differing.ttl, data: differing.name}, ...reply.answers], notes: [...(reply.notes ?? []), note]}
}
