// A CoreDNS server as a Corefile sets it up: the server block a question goes to (the longest zone among the blocks
// listening where it arrives, core/dnsserver/server.go ServeDNS), that block's plugin chain in CoreDNS's directive
// order, and the route the question took. The kubernetes plugin is one link, answered by ClusterDns. Pure.
import {type Corefile, CorefileError, type Directive, blockZones, cacheSettings, directiveRank, kubernetesSettings, whereWritten} from '../corefile.js'
import type {DnsAnswer, Route} from '../records.js'
import type {CacheSettings, DnsSettings} from '../settings.js'
import {type AutopathConfig, AutopathPlugin, parseAutopath} from './autopath.js'
import {CachePlugin} from './cache.js'
import {type FileConfig, FilePlugin, parseFile} from './file.js'
import {type ForwardConfig, ForwardPlugin, type ResolvConfUpstreams, forwards, parseForward, upstreamsOf} from './forward.js'
import {type HostsConfig, HostsPlugin, parseHosts} from './hosts.js'
import {type RewriteRule, RewritePlugin, parseRewriteRule} from './rewrite.js'
import {type TemplateConfig, TemplatePlugin, parseTemplate} from './template.js'
import {type Asker, type ChainContext, type Next, type Plugin, type Question, type RouteTrace, type Served, absoluteZone, lowerName, matchAbsolute} from './types.js'

/** Plugins that never change an answer: logging, metrics, health, listeners, reloading, loop detection at start. */
const PASSIVE = new Set([
  'root', 'metadata', 'geoip', 'cancel', 'proxyproto', 'quic', 'grpc_server', 'https', 'https3', 'timeouts', 'multisocket', 'reload',
  'nsid', 'bufsize', 'bind', 'debug', 'trace', 'ready', 'health', 'pprof', 'shed', 'prometheus', 'errors', 'log', 'dnstap', 'chaos',
  'tsig', 'header', 'dnssec', 'tls', 'minimal', 'transfer', 'loop', 'on', 'sign', 'view',
])

/** Plugins whose first arguments are the zones they answer for. */
const ZONE_ARGS = new Set(['k8s_external', 'etcd', 'auto', 'secondary', 'route53', 'azure', 'clouddns', 'nomad'])

export type PluginSpec =
  | {kind: 'rewrite'; rules: RewriteRule[]}
  | {kind: 'autopath'; config: AutopathConfig}
  | {kind: 'cache'; settings: CacheSettings}
  | {kind: 'template'; templates: TemplateConfig[]}
  | {kind: 'hosts'; config: HostsConfig}
  | {kind: 'kubernetes'; settings: DnsSettings; line: number; source: string}
  | {kind: 'file'; config: FileConfig}
  | {kind: 'forward'; config: ForwardConfig}
  | {kind: 'loadbalance'}
  | {kind: 'whoami'}
  | {kind: 'unmodelled'; name: string; zones: string[]; line: number; source: string}

export interface BlockConfig {
  /** The block's keys as written, e.g. `.:53`. */
  label: string
  /** Absolute zones this block serves on the DNS port. */
  zones: string[]
  /** The ports it listens on (plain DNS). */
  ports: number[]
  /** `bind` addresses, if any. */
  bind: string[]
  plugins: PluginSpec[]
  line: number
  source: string
}

export interface ServerConfig {
  source: string
  blocks: BlockConfig[]
  /** Unknown plugins, unresolved imports and what kdisco does not model, one line each. */
  notes: string[]
}

/**
 * Every server block with its plugins, in CoreDNS's order. `primary`: the settings of the stanza ClusterDns answers
 * for (the first one, with any flag overrides); other stanzas are read as they are written.
 */
export function compileServer(corefile: Corefile, primary?: {settings: DnsSettings; directive?: Directive}): ServerConfig {
  const notes: string[] = []
  for (const u of corefile.unknownPlugins) notes.push(`${whereWritten(u)}: "${u.name}" is not a CoreDNS plugin kdisco knows (an external plugin, or a typo CoreDNS refuses to start with): ignored`)
  for (const i of corefile.imports) if (i.unresolved) notes.push(`${whereWritten(i)}: import ${i.pattern}: ${i.unresolved}; what it adds is not modelled`)
  const blocks: BlockConfig[] = []
  for (const block of corefile.blocks) {
    const dnsAddresses = block.addresses.filter((a) => a.transport === 'dns')
    if (dnsAddresses.length === 0) {
      notes.push(`${block.source}:${block.line}: server block ${block.keys.join(' ')} is not plain DNS (${block.addresses[0]?.transport ?? '?'}): pods do not reach it`)
      continue
    }
    const zonesNormalized = blockZones(block)
    const byName = new Map<string, Directive[]>()
    for (const d of block.directives) byName.set(d.name, [...(byName.get(d.name) ?? []), d])
    const ordered = [...byName.keys()].filter((n) => directiveRank(n) !== undefined).sort((a, b) => directiveRank(a)! - directiveRank(b)!)
    const plugins: PluginSpec[] = []
    for (const name of ordered) {
      const ds = byName.get(name)!
      const d = ds[0]
      switch (name) {
        case 'rewrite':
          plugins.push({kind: 'rewrite', rules: ds.map(parseRewriteRule)})
          break
        case 'autopath':
          plugins.push({kind: 'autopath', config: parseAutopath(d, zonesNormalized)})
          break
        case 'cache':
          plugins.push({kind: 'cache', settings: primary?.directive && block.directives.includes(primary.directive) && primary.settings.cache ? primary.settings.cache : cacheSettings(d, zonesNormalized)})
          break
        case 'template':
          plugins.push({kind: 'template', templates: ds.map((t) => parseTemplate(t, zonesNormalized))})
          break
        case 'hosts':
          if (ds.length > 1) throw new CorefileError('hosts may appear once per server block', ds[1])
          plugins.push({kind: 'hosts', config: parseHosts(d, zonesNormalized, corefile.files)})
          break
        case 'kubernetes': {
          const isPrimary = primary !== undefined && (primary.directive === undefined || primary.directive === d)
          const settings = isPrimary ? primary!.settings : kubernetesSettings(block, d, corefile.source)
          plugins.push({kind: 'kubernetes', settings, line: d.line, source: d.source})
          break
        }
        case 'file':
          for (const f of ds) plugins.push({kind: 'file', config: parseFile(f, zonesNormalized, corefile.files)})
          break
        case 'forward':
        case 'grpc':
          for (const f of ds) plugins.push({kind: 'forward', config: parseForward(f)})
          break
        case 'loadbalance':
          plugins.push({kind: 'loadbalance'})
          break
        case 'whoami':
          plugins.push({kind: 'whoami'})
          break
        default:
          if (PASSIVE.has(name)) break
          plugins.push({kind: 'unmodelled', name, zones: unmodelledZones(d, zonesNormalized), line: d.line, source: d.source})
          notes.push(`${whereWritten(d)}: the ${name} plugin is not modelled: answers it gives are not predicted`)
      }
    }
    const lastFile = plugins.at(-1)
    if (lastFile?.kind === 'file') lastFile.config.last = true
    const bind = block.directives.filter((d) => d.name === 'bind').flatMap((d) => d.args)
    blocks.push({label: block.keys.join(' '), zones: [...new Set(dnsAddresses.map((a) => absoluteZone(a.zone)))], ports: [...new Set(dnsAddresses.map((a) => a.port))], bind, plugins, line: block.line, source: block.source})
  }
  return {source: corefile.source, blocks, notes}
}

function unmodelledZones(d: Directive, blockZoneList: string[]): string[] {
  if (ZONE_ARGS.has(d.name)) {
    const zones = d.args.map((a) => a.split(':')[0]).filter((a) => /^[a-z0-9.-]+$/i.test(a) && !/^\d+$/.test(a))
    if (zones.length > 0) return zones.map((z) => (z === '.' ? '.' : lowerName(z)))
  }
  return blockZoneList.map(absoluteZone)
}

/** The plugins kdisco calls into: the kubernetes plugin (ClusterDns), and what it knows about the node. */
export interface ServerEnvironment {
  /** The kubernetes plugin for a stanza's settings: its answer, or undefined to pass the question on. */
  kubernetes(settings: DnsSettings, q: Question, ctx: ChainContext): {answer?: Served; consulted: boolean; note?: string}
  /** autopath @kubernetes: the asker's search path (kubernetes/autopath.go AutoPath), undefined when none. */
  autopathSearch(settings: DnsSettings, q: Question, ctx: ChainContext): string[] | undefined
  /** The nameservers a resolv.conf path stands for (CoreDNS's own /etc/resolv.conf is the node's). */
  resolvConf: ResolvConfUpstreams
  /** The search domains of a resolv.conf path (autopath FILE), when known. */
  resolvConfSearch(path: string): string[] | undefined
  /** A forward to one of these goes to another modelled server (NodeLocal DNSCache → cluster DNS): its answer. */
  hop?: (upstreams: string[], q: Question, ctx: ChainContext) => Served | undefined
}

const MAX_REENTRY = 8

/** One question's context: the asker, the route so far, and upstream.Lookup through the same server. */
class Context implements ChainContext {
  constructor(
    private readonly server: CoreDnsServer,
    readonly asker: Asker | undefined,
    readonly depth: number,
    readonly trace: RouteTrace,
  ) {}

  lookup(name: string, type: string): Served {
    if (this.depth + 1 > MAX_REENTRY) return {rcode: 'SERVFAIL', answers: [], unwritten: true, notes: ['lookups through the server nest too deep']}
    const inner = this.server.answer(name, type, this.asker, this.depth + 1)
    return inner.route.upstreamQuestion ? {...inner, forwardedAs: inner.route.upstreamQuestion} : inner
  }
}

export class CoreDnsServer {
  private readonly chains = new Map<BlockConfig, Next>()
  private readonly port: number

  constructor(
    readonly config: ServerConfig,
    private readonly env: ServerEnvironment,
  ) {
    this.port = config.blocks.some((b) => b.ports.includes(53)) ? 53 : (config.blocks[0]?.ports[0] ?? 53)
  }

  /**
   * The block that gets a question arriving on `port` (longest zone; the root block last; none: REFUSED). Pods ask on
   * port 53; a Corefile that serves no block there (a test's, on a port of its own) is asked on its first block's.
   */
  blockFor(name: string, port = this.port): BlockConfig | undefined {
    let best: BlockConfig | undefined
    let bestLen = -1
    for (const b of this.config.blocks) {
      if (!b.ports.includes(port)) continue
      const z = matchAbsolute(name, b.zones)
      if (z !== undefined && z.length > bestLen) {
        best = b
        bestLen = z.length
      }
    }
    return best
  }

  /** What the server answers, with the route the question took. */
  answer(name: string, type: string, asker?: Asker, depth = 0): DnsAnswer & {route: Route} {
    const trace: RouteTrace = {plugins: [], notes: []}
    const q: Question = {name: name.endsWith('.') ? name : `${name}.`, type: type.toUpperCase()}
    const block = this.blockFor(q.name)
    if (!block) return {rcode: 'REFUSED', answers: [], notes: ['no server block of the Corefile serves this name: REFUSED'], route: {server: '(none)', plugins: []}}
    const served = this.serveIn(block, q, asker, depth, trace)
    return finish(served, block, trace)
  }

  /** One question through a block's chain (the server's own re-entries included). */
  serveIn(block: BlockConfig, q: Question, asker: Asker | undefined, depth: number, trace: RouteTrace): Served {
    return this.chain(block)(q, new Context(this, asker, depth, trace))
  }

  /** A block's chain as one function: each plugin's `next` is the rest of the chain (built once per block). */
  private chain(block: BlockConfig): Next {
    let first = this.chains.get(block)
    if (!first) {
      const plugins = block.plugins.map((p) => this.instantiate(p, block))
      const last = block.plugins.at(-1)
      const end: Next = () => ({rcode: 'SERVFAIL', answers: [], unwritten: true, error: true, notes: [`no plugin of server block ${block.label} answers this name${last ? ` (the last one, ${pluginName(last)}, passed it on)` : ''}: SERVFAIL`]})
      first = plugins.reduceRight<Next>((next, plugin) => (q, ctx) => plugin.serve(q, next, ctx), end)
      this.chains.set(block, first)
    }
    return first
  }

  private instantiate(spec: PluginSpec, block: BlockConfig): Plugin {
    const env = this.env
    switch (spec.kind) {
      case 'rewrite':
        return new RewritePlugin(spec.rules)
      case 'autopath': {
        const source = spec.config.source
        const kube = 'plugin' in source ? block.plugins.find((p) => p.kind === source.plugin) : undefined
        return new AutopathPlugin(spec.config, (q, ctx) => {
          if ('resolvConf' in source) {
            const search = env.resolvConfSearch(source.resolvConf)
            return search ? [...search.map((s) => lowerName(s)), ''] : undefined
          }
          // Handler(mw): the named plugin in the same block; only kubernetes implements AutoPather.
          return kube?.kind === 'kubernetes' ? env.autopathSearch(kube.settings, q, ctx) : undefined
        })
      }
      case 'cache':
        return new CachePlugin(spec.settings)
      case 'template':
        return new TemplatePlugin(spec.templates)
      case 'hosts':
        return new HostsPlugin(spec.config)
      case 'kubernetes':
        return {
          name: 'kubernetes',
          serve(q, next, ctx) {
            const r = env.kubernetes(spec.settings, q, ctx)
            if (r.consulted) ctx.trace.plugins.push('kubernetes')
            if (r.answer) return r.answer
            if (r.note) ctx.trace.notes.push(r.note)
            return next(q, ctx)
          },
        }
      case 'file':
        return new FilePlugin(spec.config)
      case 'forward': {
        const forward = new ForwardPlugin(spec.config, env.resolvConf)
        if (!env.hop) return forward
        const hop = env.hop
        return {
          name: forward.name,
          serve(q, next, ctx) {
            if (!forwards(spec.config, q.name)) return next(q, ctx)
            const hopped = hop(upstreamsOf(spec.config, env.resolvConf), q, ctx)
            if (!hopped) return forward.serve(q, next, ctx)
            ctx.trace.plugins.push(forward.name)
            return hopped
          },
        }
      }
      case 'loadbalance':
        // It only shuffles A, AAAA and MX records (round_robin): the answer is the same set, and the route leaves it out.
        return {name: 'loadbalance', serve: (q, next, ctx) => next(q, ctx)}
      case 'whoami':
        return {
          name: 'whoami',
          serve(_q, _next, ctx) {
            ctx.trace.plugins.push('whoami')
            return {rcode: 'NOERROR', answers: [], notes: ["whoami answers with the asker's address and port in the additional section"]}
          },
        }
      case 'unmodelled':
        return {
          name: spec.name,
          serve(q, next, ctx) {
            if (matchAbsolute(q.name, spec.zones) === undefined) return next(q, ctx)
            ctx.trace.plugins.push(spec.name)
            return {rcode: null, answers: [], notes: [`the ${spec.name} plugin (${whereWritten(spec)}) may answer this name and is not modelled by kdisco: not predicted`]}
          },
        }
    }
  }
}

/**
 * The plugins that can answer a name of `zone` before the kubernetes plugin does (rewrite, autopath, template, hosts,
 * file, unmodelled ones), in the block that gets the zone: where these are, the kubernetes plugin's zone listing is
 * not the whole truth for every name.
 */
export function aheadOfKubernetes(config: ServerConfig, zone: string): {server: string; plugins: string[]} | undefined {
  const name = absoluteZone(zone)
  let block: BlockConfig | undefined
  let best = -1
  for (const b of config.blocks) {
    const z = matchAbsolute(name, b.zones)
    if (z !== undefined && z.length > best) (block = b), (best = z.length)
  }
  if (!block) return undefined
  const ahead: string[] = []
  for (const p of block.plugins) {
    if (p.kind === 'kubernetes') break
    const zones = p.kind === 'hosts' ? p.config.origins : p.kind === 'template' ? p.templates.flatMap((t) => t.zones) : p.kind === 'file' ? p.config.origins : p.kind === 'unmodelled' ? p.zones : p.kind === 'autopath' ? p.config.zones : p.kind === 'rewrite' ? ['.'] : []
    // A plugin whose zones hold the cluster domain, or lie inside it.
    if (zones.some((z) => matchAbsolute(name, [z]) !== undefined || matchAbsolute(z, [name]) !== undefined)) ahead.push(pluginName(p))
  }
  return ahead.length > 0 ? {server: block.label, plugins: ahead} : undefined
}

/** A plugin's directive name. */
export function pluginName(p: PluginSpec): string {
  return p.kind === 'unmodelled' ? p.name : p.kind === 'forward' ? p.config.plugin : p.kind
}

/** The server's reply as the client gets it, and the route. */
function finish(served: Served, block: BlockConfig, trace: RouteTrace): DnsAnswer & {route: Route} {
  let route: Route = {server: block.label, plugins: trace.plugins}
  if (trace.rewritten) route.rewritten = trace.rewritten
  if (trace.upstream) route.upstream = trace.upstream
  if (served.forwardedAs && (served.forwarded || served.rcode === null)) route.upstreamQuestion = served.forwardedAs
  if (trace.autopath) route.autopath = trace.autopath
  // A hop into cluster DNS: CoreDNS's route, with this server (NodeLocal DNSCache) in front.
  if (trace.inner) route = {...trace.inner, nodeLocal: {server: block.label, plugins: trace.plugins}}
  // A reply nobody wrote is written by the server: that rcode, no records (server.go errorFunc).
  const out: DnsAnswer & {route: Route} = {rcode: served.rcode, answers: served.unwritten ? [] : served.answers, route}
  if (served.forwarded) out.forwarded = true
  if (served.truncated && !served.unwritten) out.truncated = served.truncated
  if (served.cached) out.cached = true
  if (served.partial) out.partial = served.partial
  const notes = trace.notes.length > 0 ? [...(served.notes ?? []), ...trace.notes] : served.notes
  if (notes && notes.length > 0) out.notes = notes
  return out
}

/** The implied Corefile of settings that came without one (kubeadm's defaults, hand-built settings). */
export function impliedServer(settings: DnsSettings): ServerConfig {
  const plugins: PluginSpec[] = []
  if (settings.cache) plugins.push({kind: 'cache', settings: settings.cache})
  plugins.push({kind: 'kubernetes', settings, line: 0, source: settings.source})
  plugins.push({kind: 'forward', config: {plugin: 'forward', from: '.', except: [], to: ['/etc/resolv.conf'], line: 0, source: settings.source}})
  return {source: settings.source, blocks: [{label: '.:53', zones: ['.'], ports: [53], bind: settings.bound ? ['(bound)'] : [], plugins, line: 0, source: settings.source}], notes: []}
}

