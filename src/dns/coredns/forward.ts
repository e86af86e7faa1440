// The `forward` plugin (plugin/forward, CoreDNS 1.14.7) and `grpc`: which names leave for which upstream. kdisco
// names the upstream and does not predict its answer. Pure.
import {CorefileError, type Directive} from '../corefile.js'
import {normalizeZones} from '../settings.js'
import {type ChainContext, type Next, type Plugin, type Question, type Served, absoluteZone, lowerName, matchAbsolute} from './types.js'

export interface ForwardConfig {
  plugin: 'forward' | 'grpc'
  /** Absolute zone ('.' = every name). */
  from: string
  /** `except` names (absolute). */
  except: string[]
  /** As written: addresses, tls://…, or a resolv.conf path. */
  to: string[]
  line: number
  source: string
}

/** Upstreams a resolv.conf path stands for, when kdisco knows them (the node's resolv.conf for CoreDNS's own). */
export type ResolvConfUpstreams = (path: string) => string[] | undefined

/** `forward FROM TO... { except NAMES...; … }` (forward/setup.go parseStanza). */
export function parseForward(d: Directive): ForwardConfig {
  const [from, ...to] = d.args
  if (from === undefined || to.length === 0) throw new CorefileError(`${d.name} needs a zone and at least one upstream`, d)
  const zones = normalizeZones([from === '.' ? '' : from])
  if (typeof zones === 'string') throw new CorefileError(`${d.name}: ${zones}`, d)
  const except: string[] = []
  for (const opt of d.block) {
    if (opt.name === 'except') {
      const ex = normalizeZones(opt.args)
      if (typeof ex === 'string') throw new CorefileError(ex, opt)
      except.push(...ex.map(absoluteZone))
    }
  }
  return {plugin: d.name === 'grpc' ? 'grpc' : 'forward', from: absoluteZone(zones[0]), except, to, line: d.line, source: d.source}
}

/** Whether the question is this forward's (forward.go match and isAllowedDomain). */
export function forwards(f: ForwardConfig, name: string): boolean {
  const n = lowerName(name)
  if (matchAbsolute(n, [f.from]) === undefined) return false
  if (n === f.from) return true
  return matchAbsolute(n, f.except) === undefined
}

/** The upstreams as a user reads them: resolv.conf paths expanded where the nameservers are known. */
export function upstreamsOf(f: ForwardConfig, resolvConf: ResolvConfUpstreams): string[] {
  return f.to.flatMap((t) => (t.startsWith('/') ? (resolvConf(t) ?? [`${t} (the node's nameservers)`]) : [t]))
}

export class ForwardPlugin implements Plugin {
  readonly name: string
  constructor(
    readonly config: ForwardConfig,
    private readonly resolvConf: ResolvConfUpstreams,
  ) {
    this.name = config.plugin
  }

  serve(q: Question, next: Next, ctx: ChainContext): Served {
    if (!forwards(this.config, q.name)) return next(q, ctx)
    ctx.trace.plugins.push(this.name)
    const upstream = upstreamsOf(this.config, this.resolvConf)
    ctx.trace.upstream = upstream
    return {rcode: null, answers: [], forwarded: true, forwardedAs: q, notes: [`forwarded to ${upstream.join(', ')}: the answer is upstream's, which kdisco does not predict`]}
  }
}
