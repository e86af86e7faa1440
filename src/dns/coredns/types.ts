// What travels down a CoreDNS plugin chain in kdisco's model: the question, the asker, what each plugin did, and the
// reply. Plain data and function types only.
import type {DnsAnswer, Route} from '../records.js'

export interface Question {
  /** Absolute, with the trailing dot, spelled as the client (or a rewrite) wrote it. */
  name: string
  /** Upper-case mnemonic (or TYPEnnn). */
  type: string
}

/** Who asks: the client's address (autopath finds the pod by it; a template's .Remote). */
export interface Asker {
  ip: string
}

/**
 * A plugin's reply. `unwritten`: the plugin returned an error rcode without writing a reply (SERVFAIL, REFUSED):
 * the server writes a bare reply with that rcode, autopath skips it, the cache never sees it (plugin.ClientWrite).
 */
export interface Served extends DnsAnswer {
  unwritten?: boolean
  /** The plugin also returned an error (no next plugin, a backend failure): autopath stops at it. */
  error?: boolean
  /** The question whose reply came from upstream (forwarded answers), for comparing with what upstream says. */
  forwardedAs?: Question
}

/** What the route collects on the way down (one object per question). */
export interface RouteTrace {
  plugins: string[]
  rewritten?: string
  upstream?: string[]
  autopath?: {searched: string[]; answeredBy?: string}
  notes: string[]
  /** The route inside the next server when a forward hops there (NodeLocal DNSCache → CoreDNS). */
  inner?: Route
}

export interface ChainContext {
  asker?: Asker
  /** Re-entries through the whole server (CNAME targets a plugin looks up itself); bounded. */
  depth: number
  trace: RouteTrace
  /** upstream.Lookup: the question sent through the whole server again (a new route, its own trace). */
  lookup(name: string, type: string): Served
}

export type Next = (q: Question, ctx: ChainContext) => Served

export interface Plugin {
  /** The directive name, as routes show it. */
  name: string
  serve(q: Question, next: Next, ctx: ChainContext): Served
}

export function nodata(note: string): Served {
  return {rcode: 'NOERROR', answers: [], notes: [note]}
}

export function unwritten(rcode: 'SERVFAIL' | 'REFUSED', note: string): Served {
  return {rcode, answers: [], unwritten: true, notes: [note]}
}

/** Lower-case and absolute: how plugins compare names (request.Name()). */
export function lowerName(name: string): string {
  if (name === '' || name === '.') return '.'
  const lower = name.toLowerCase()
  if (lower.charCodeAt(lower.length - 1) !== 46) return `${lower}.`
  return lower.charCodeAt(lower.length - 2) === 46 ? `${lower.replace(/\.+$/, '')}.` : lower
}

/** plugin.Zones.Matches over absolute zones ('.' = every name): the longest zone that holds `name`. */
export function matchAbsolute(name: string, zones: string[]): string | undefined {
  const n = lowerName(name)
  let best: string | undefined
  for (const z of zones) {
    if ((z === '.' || n === z || n.endsWith('.' + z)) && (best === undefined || z.length > best.length)) best = z
  }
  return best
}

/** A normalized zone ('' = root) as an absolute zone ('.'). */
export function absoluteZone(zone: string): string {
  return zone === '' ? '.' : `${zone}.`
}
