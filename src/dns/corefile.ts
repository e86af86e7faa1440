// Reads the `kubernetes` stanza of a CoreDNS Corefile into DnsSettings. Pure: text in, settings out.
import {CACHE_DEFAULTS, type CacheSettings, type DnsSettings, type PodsMode, isReverseZone, normalizeZones} from './settings.js'

interface Token {
  text: string
  line: number
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let line = 1
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '\n') {
      tokens.push({text: '\n', line})
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '{' || c === '}') {
      tokens.push({text: c, line})
      i++
    } else if (c === '"') {
      let j = i + 1
      let s = ''
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) j++
        if (text[j] === '\n') line++
        s += text[j++]
      }
      tokens.push({text: s, line})
      i = j + 1
    } else {
      let j = i
      while (j < text.length && !/[\s{}#]/.test(text[j])) j++
      tokens.push({text: text.slice(i, j), line})
      i = j
    }
  }
  return tokens
}

export interface Directive {
  name: string
  args: string[]
  line: number
  block: Directive[]
}

export interface ServerBlock {
  keys: string[]
  directives: Directive[]
}

export class CorefileError extends Error {}

const MAX_BLOCK_DEPTH = 8

/** Server blocks with their directives (one nesting level of sub-blocks, as plugins use). */
export function parseCorefile(text: string): ServerBlock[] {
  const tokens = tokenize(text)
  let pos = 0
  const peek = () => tokens[pos]
  const skipNewlines = () => {
    while (peek()?.text === '\n') pos++
  }
  // Plugins nest one level (a stanza's block); a few more are tolerated, not thousands (the call stack).
  const readDirectives = (depth: number): Directive[] => {
    if (depth > MAX_BLOCK_DEPTH) throw new CorefileError(`line ${peek()?.line ?? '?'}: blocks nested more than ${MAX_BLOCK_DEPTH} deep`)
    const list: Directive[] = []
    for (;;) {
      skipNewlines()
      const t = peek()
      if (!t) throw new CorefileError('unexpected end of Corefile: a "}" is missing')
      if (t.text === '}') {
        pos++
        return list
      }
      const d: Directive = {name: t.text, args: [], line: t.line, block: []}
      pos++
      while (peek() && peek().text !== '\n' && peek().text !== '{' && peek().text !== '}') d.args.push(tokens[pos++].text)
      if (peek()?.text === '{') {
        pos++
        d.block = readDirectives(depth + 1)
      }
      list.push(d)
    }
  }
  const blocks: ServerBlock[] = []
  for (;;) {
    skipNewlines()
    if (!peek()) return blocks
    const keys: string[] = []
    while (peek() && peek().text !== '{') {
      if (peek().text !== '\n') for (const key of peek().text.split(',')) if (key) keys.push(key)
      pos++
    }
    if (!peek()) throw new CorefileError(`server block ${JSON.stringify(keys.join(' ').slice(0, 80))} has no "{"`)
    pos++
    blocks.push({keys, directives: readDirectives(1)})
  }
}

/** `.:53` → `.`; `cluster.local:53` → `cluster.local`; `dns://x` → `x`. */
function blockZone(key: string): string {
  const k = key.replace(/^[a-z]+:\/\//, '')
  const colon = k.lastIndexOf(':')
  return colon >= 0 && !k.includes('[') && /^\d+$/.test(k.slice(colon + 1)) ? k.slice(0, colon) : k
}

/**
 * DnsSettings from a Corefile's `kubernetes` stanza. Options not set there take the plugin's own defaults
 * (pods disabled, ttl 5), because that is what CoreDNS does with a stanza that omits them.
 */
export function settingsFromCorefile(text: string, source: string): DnsSettings {
  const blocks = parseCorefile(text)
  for (const block of blocks) {
    const k8s = block.directives.find((d) => d.name === 'kubernetes')
    if (!k8s) continue
    const zoneArgs = k8s.args.length > 0 ? k8s.args : block.keys.map(blockZone)
    const zones = normalizeZones(zoneArgs.map((z) => (z === '.' ? '' : z)))
    if (typeof zones === 'string') throw new CorefileError(`line ${k8s.line}: ${zones}`)
    const forward = zones.filter((z) => !isReverseZone(z))
    const settings: DnsSettings = {
      zones: [...forward, ...zones.filter(isReverseZone)],
      clusterDomain: forward[0] ?? 'cluster.local',
      pods: 'disabled',
      ttl: 5,
      endpointPodNames: false,
      fallthrough: [],
      namespaces: [],
      noEndpoints: false,
      ignoreEmptyService: false,
      source,
    }
    for (const opt of k8s.block) {
      switch (opt.name) {
        case 'pods': {
          const mode = opt.args[0]
          if (mode !== 'disabled' && mode !== 'insecure' && mode !== 'verified')
            throw new CorefileError(`line ${opt.line}: pods must be disabled, insecure or verified, not "${mode ?? ''}"`)
          settings.pods = mode as PodsMode
          break
        }
        case 'ttl': {
          const ttl = Number(opt.args[0])
          if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new CorefileError(`line ${opt.line}: ttl must be a whole number from 0 to 3600`)
          settings.ttl = ttl
          break
        }
        case 'endpoint_pod_names':
          settings.endpointPodNames = true
          break
        case 'fallthrough': {
          const ft = opt.args.length > 0 ? normalizeZones(opt.args) : ['']
          if (typeof ft === 'string') throw new CorefileError(`line ${opt.line}: ${ft}`)
          settings.fallthrough = ft
          break
        }
        case 'namespaces':
          settings.namespaces = opt.args.map((a) => a.toLowerCase())
          break
        case 'noendpoints':
          settings.noEndpoints = true
          break
        case 'ignore':
          if (opt.args.includes('empty_service')) settings.ignoreEmptyService = true
          break
        default:
          // endpoint, tls, kubeconfig, labels, namespace_labels, multicluster, …: not DNS-shaping for kdisco.
          break
      }
    }
    const cache = block.directives.find((d) => d.name === 'cache')
    if (cache) settings.cache = cacheSettings(cache, block.keys.map(blockZone))
    if (block.directives.some((d) => d.name === 'bind')) settings.bound = true
    return settings
  }
  throw new CorefileError('the Corefile has no "kubernetes" plugin stanza')
}

/** `cache [TTL] [ZONES...] { success CAP [TTL [MINTTL]]; denial CAP [TTL [MINTTL]]; disable success|denial [ZONES...] }` (plugin/cache setup.go). */
function cacheSettings(d: Directive, blockZones: string[]): CacheSettings {
  const zonesOf = (args: string[], line: number) => {
    const zones = normalizeZones(args.map((z) => (z === '.' ? '' : z)))
    if (typeof zones === 'string') throw new CorefileError(`line ${line}: ${zones}`)
    return zones
  }
  const seconds = (text: string | undefined, line: number, what: string, min: number): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < min) throw new CorefileError(`line ${line}: cache ${what} must be a whole number of seconds${min > 0 ? ' above 0' : ''}, not "${text ?? ''}"`)
    return n
  }
  const out: CacheSettings = {...CACHE_DEFAULTS, zones: [], disableSuccess: [], disableDenial: []}
  let args = d.args
  if (args.length > 0 && /^-?\d+$/.test(args[0])) {
    out.successTtl = out.denialTtl = seconds(args[0], d.line, 'TTL', 1)
    args = args.slice(1)
  }
  out.zones = zonesOf(args.length > 0 ? args : blockZones, d.line)
  for (const opt of d.block) {
    if (opt.name === 'success' || opt.name === 'denial') {
      const [, ttl, min] = opt.args
      if (opt.name === 'success') {
        if (ttl !== undefined) out.successTtl = seconds(ttl, opt.line, 'success TTL', 1)
        if (min !== undefined) out.minSuccessTtl = seconds(min, opt.line, 'success minimum TTL', 0)
      } else {
        if (ttl !== undefined) out.denialTtl = seconds(ttl, opt.line, 'denial TTL', 1)
        if (min !== undefined) out.minDenialTtl = seconds(min, opt.line, 'denial minimum TTL', 0)
      }
    } else if (opt.name === 'disable') {
      const [what, ...zones] = opt.args
      const list = zones.length > 0 ? zonesOf(zones, opt.line) : ['']
      if (what === 'success') out.disableSuccess = list
      else if (what === 'denial') out.disableDenial = list
      else throw new CorefileError(`line ${opt.line}: cache disable takes success or denial, not "${what ?? ''}"`)
    }
  }
  return out
}
