// Reads a whole CoreDNS Corefile: server blocks with their addresses, snippets and `import` (of snippets, of files
// given on the command line, of ConfigMap keys a distribution mounts), each plugin's directive with where it was
// written. settingsFromCorefile() then reads the `kubernetes` stanza into DnsSettings. Pure: text in, data out.
import {CACHE_DEFAULTS, type CacheSettings, type DnsSettings, type PodsMode, isReverseZone, normalizeZones} from './settings.js'

interface Token {
  text: string
  line: number
  /** The file (or ConfigMap key) the token was written in. */
  source: string
  /** Written in quotes: never a brace, never a directive keyword. */
  quoted?: boolean
}

const NEWLINE = '\n'

/** Caddyfile tokens: words, quoted strings, braces and line ends (comments dropped). */
function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = []
  let line = 1
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '\n') {
      tokens.push({text: NEWLINE, line, source})
      line++
      i++
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '"' || c === '`') {
      // "…" (only \" is an escape) or `…` (raw, caddy's backtick quotes).
      const start = line
      let j = i + 1
      let s = ''
      while (j < text.length && text[j] !== c) {
        // caddy's lexer unescapes \" only; every other backslash stays as written.
        if (c === '"' && text[j] === '\\' && text[j + 1] === '"') j++
        if (text[j] === '\n') line++
        s += text[j++]
      }
      if (j >= text.length) throw new CorefileError('a quoted string is not closed', {source, line: start})
      tokens.push({text: s, line: start, source, quoted: true})
      i = j + 1
    } else {
      let j = i
      while (j < text.length && !/[\s#"`]/.test(text[j])) j++
      const word = text.slice(i, j)
      // Braces are tokens of their own only when they stand alone or end a word ("example {" and "example{").
      if (word.length > 1 && word.endsWith('{')) {
        tokens.push({text: word.slice(0, -1), line, source}, {text: '{', line, source})
      } else {
        tokens.push({text: word, line, source})
      }
      i = j
    }
  }
  return tokens
}

export interface Directive {
  name: string
  args: string[]
  line: number
  /** Where it was written: the Corefile's source, or the imported file or ConfigMap key. */
  source: string
  block: Directive[]
}

export type Transport = 'dns' | 'tls' | 'quic' | 'grpc' | 'https' | 'https3'

/** One key of a server block: where it listens and for which zone. */
export interface ServerAddress {
  key: string
  transport: Transport
  /** Normalized ('' = the root zone). A CIDR key gives one address per reverse zone. */
  zone: string
  port: number
}

export interface ServerBlock {
  keys: string[]
  addresses: ServerAddress[]
  directives: Directive[]
  line: number
  source: string
}

export interface CorefileFile {
  /** Base name the Corefile can refer to it by (an import, hosts or file path ends with it). */
  name: string
  text: string
  /** Where kdisco read it: a path, or ConfigMap ns/name key. */
  source: string
}

export interface ImportNote {
  pattern: string
  line: number
  source: string
  /** Snippet name or the files it read. */
  resolved: string[]
  /** Why nothing was read, when kdisco could not see what CoreDNS reads. */
  unresolved?: string
}

export interface Corefile {
  source: string
  blocks: ServerBlock[]
  imports: ImportNote[]
  /** Directives CoreDNS does not know (an external plugin, or a typo CoreDNS would refuse to start with). */
  unknownPlugins: {name: string; line: number; source: string}[]
  /** Files the Corefile may refer to (imports, hosts files, zone files), by base name. */
  files: CorefileFile[]
  /** Directories whose files kdisco was given in full (a glob there that matches nothing imports nothing). */
  completeDirs: string[]
}

/**
 * A Corefile CoreDNS would refuse, or kdisco cannot read: what is wrong (`detail`) and where it was written (`file`, the
 * Corefile or an imported file or ConfigMap key, and `line`). The message reads `FILE:LINE: detail`.
 */
export class CorefileError extends Error {
  readonly file?: string
  readonly line?: number

  /** `at`: the token, directive or file the problem is at; left out when the detail names its file itself. */
  constructor(
    readonly detail: string,
    at?: {source: string; line?: number},
  ) {
    super(corefileErrorText(detail, at?.source, at?.line))
    this.file = at?.source
    this.line = at?.line
  }
}

/**
 * How a Corefile error reads, in one place: `FILE:LINE: detail`, `FILE: detail`, or `LINE: detail` where the file is
 * named just before.
 */
export function corefileErrorText(detail: string, file?: string, line?: number): string {
  const at = file === undefined ? line : line === undefined ? file : whereWritten({source: file, line})
  return at === undefined ? detail : `${at}: ${detail}`
}

/**
 * CoreDNS's plugins in the order they handle a question (core/dnsserver/zdirectives.go, v1.14.7): a directive's place
 * in a server block does not matter, this order does.
 */
export const DIRECTIVE_ORDER = [
  'root', 'metadata', 'geoip', 'cancel', 'proxyproto', 'quic', 'grpc_server', 'https', 'https3', 'timeouts', 'multisocket', 'reload', 'nsid',
  'bufsize', 'bind', 'debug', 'trace', 'ready', 'health', 'pprof', 'shed', 'prometheus', 'errors', 'log', 'dnstap', 'local', 'dns64', 'any',
  'chaos', 'loadbalance', 'tsig', 'rewrite', 'autopath', 'acl', 'cache', 'header', 'dnssec', 'tls', 'minimal', 'template', 'transfer',
  'hosts', 'route53', 'azure', 'clouddns', 'k8s_external', 'kubernetes', 'file', 'auto', 'secondary', 'etcd', 'loop', 'forward', 'grpc',
  'erratic', 'whoami', 'on', 'sign', 'view', 'nomad',
] as const

const DIRECTIVE_RANK = new Map<string, number>(DIRECTIVE_ORDER.map((d, i) => [d, i]))

export function directiveRank(name: string): number | undefined {
  return DIRECTIVE_RANK.get(name)
}

const DEFAULT_PORTS: Record<Transport, number> = {dns: 53, tls: 853, quic: 853, grpc: 443, https: 443, https3: 443}

const MAX_BLOCK_DEPTH = 8

/** caddy's import depth bound: deeper is a cycle or a mistake. */
const MAX_IMPORT_DEPTH = 10

/** `*`, `?` and `[…]` of a file glob, over one path segment. */
function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

function dirName(path: string): string {
  const i = path.lastIndexOf('/')
  return i < 0 ? '' : path.slice(0, i)
}

export interface CorefileOptions {
  source?: string
  files?: CorefileFile[]
  /**
   * Directories (as the Corefile names them, e.g. `custom`, `/etc/coredns/custom`) whose every file is among
   * `files`: a glob there that matches nothing truly imports nothing.
   */
  completeDirs?: string[]
}

/** The whole Corefile: server blocks, imports resolved where kdisco has the files, unknown plugins listed. */
export function parseCorefile(text: string, options: CorefileOptions = {}): Corefile {
  const source = options.source ?? 'Corefile'
  const files = options.files ?? []
  const completeDirs = options.completeDirs ?? []
  const imports: ImportNote[] = []
  const snippets = new Map<string, Token[]>()

  /** Files an import pattern names, by base name (kdisco cannot see CoreDNS's file system: only what it was given). */
  const filesFor = (pattern: string): {matched: CorefileFile[]; complete: boolean} => {
    const base = baseName(pattern)
    const re = globToRegExp(base)
    const matched = files.filter((f) => re.test(f.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const dir = dirName(pattern)
    const complete = completeDirs.some((d) => d === dir || d.endsWith(`/${dir}`) || dir.endsWith(`/${d}`))
    return {matched, complete}
  }

  /** Replaces `import` lines with what they import; `depth` bounds nesting (a snippet importing itself). */
  const expand = (tokens: Token[], depth: number, topLevel: boolean): Token[] => {
    const out: Token[] = []
    let lineStart = true
    let level = 0
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]
      if (t.text === NEWLINE && !t.quoted) {
        out.push(t)
        lineStart = true
        continue
      }
      if (lineStart && !t.quoted && t.text === 'import' && (topLevel ? level === 0 || level === 1 : true)) {
        const args: Token[] = []
        let j = i + 1
        while (j < tokens.length && !(tokens[j].text === NEWLINE && !tokens[j].quoted)) args.push(tokens[j++])
        if (args.length === 0) throw new CorefileError('import needs a snippet name or a file', t)
        const pattern = args[0].text
        const replacements = args.slice(1).map((a) => a.text)
        const substitute = (list: Token[]) => list.map((x) => ({...x, text: x.text.replace(/\{args\[(\d+)\]\}/g, (_, n) => replacements[Number(n)] ?? '')}))
        if (depth >= MAX_IMPORT_DEPTH) throw new CorefileError(`imports nest deeper than ${MAX_IMPORT_DEPTH} (an import cycle?)`, t)
        const note: ImportNote = {pattern, line: t.line, source: t.source, resolved: []}
        imports.push(note)
        const snippet = snippets.get(pattern)
        if (snippet) {
          note.resolved.push(`(${pattern})`)
          out.push(...expand(substitute(snippet), depth + 1, false))
        } else {
          const {matched, complete} = filesFor(pattern)
          for (const f of matched) {
            note.resolved.push(f.source)
            out.push(...expand(substitute(tokenize(f.text, f.source)), depth + 1, level === 0 && topLevel), {text: NEWLINE, line: t.line, source: t.source})
          }
          if (matched.length === 0 && !complete) {
            note.unresolved = /[*?[]/.test(baseName(pattern))
              ? `kdisco was not given the files it matches (--corefile-import, or the ConfigMap mounted there)`
              : `kdisco was not given ${pattern} (--corefile-import)`
          }
        }
        i = j - 1
        continue
      }
      lineStart = false
      if (!t.quoted && t.text === '{') level++
      if (!t.quoted && t.text === '}') level--
      out.push(t)
    }
    return out
  }

  // Snippets first: `(name) { … }` at the top level, anywhere in the file.
  const raw = tokenize(text, source)
  const rest: Token[] = []
  for (let i = 0; i < raw.length; i++) {
    const t = raw[i]
    const m = !t.quoted ? /^\(([^()]+)\)$/.exec(t.text) : null
    if (m && (i === 0 || raw[i - 1].text === NEWLINE) && raw[i + 1]?.text === '{') {
      let depth = 0
      let j = i + 1
      const body: Token[] = []
      for (; j < raw.length; j++) {
        if (!raw[j].quoted && raw[j].text === '{') depth++
        if (!raw[j].quoted && raw[j].text === '}') depth--
        if (depth === 0) break
        if (j > i + 1) body.push(raw[j])
      }
      if (j >= raw.length) throw new CorefileError(`snippet ${t.text} has no closing "}"`, t)
      snippets.set(m[1], body)
      i = j
      continue
    }
    rest.push(t)
  }
  const tokens = expand(rest, 0, true)
  const blocks = readBlocks(tokens)
  const unknownPlugins: Corefile['unknownPlugins'] = []
  for (const b of blocks) for (const d of b.directives) if (!DIRECTIVE_RANK.has(d.name)) unknownPlugins.push({name: d.name, line: d.line, source: d.source})
  return {source, blocks, imports, unknownPlugins, files, completeDirs}
}

function readBlocks(tokens: Token[]): ServerBlock[] {
  let pos = 0
  const peek = () => tokens[pos]
  const isNl = (t: Token | undefined) => t !== undefined && !t.quoted && t.text === NEWLINE
  const isOpen = (t: Token | undefined) => t !== undefined && !t.quoted && t.text === '{'
  const isClose = (t: Token | undefined) => t !== undefined && !t.quoted && t.text === '}'
  const skipNewlines = () => {
    while (isNl(peek())) pos++
  }
  // Plugins nest one level (a stanza's block); a few more are tolerated, not thousands (the call stack).
  const readDirectives = (opener: Token, depth: number): Directive[] => {
    if (depth > MAX_BLOCK_DEPTH) throw new CorefileError(`blocks nested more than ${MAX_BLOCK_DEPTH} deep`, opener)
    const list: Directive[] = []
    for (;;) {
      skipNewlines()
      const t = peek()
      if (!t) throw new CorefileError('unexpected end of Corefile: a "}" is missing', opener)
      if (isClose(t)) {
        pos++
        return list
      }
      const d: Directive = {name: t.text, args: [], line: t.line, source: t.source, block: []}
      pos++
      while (peek() && !isNl(peek()) && !isOpen(peek()) && !isClose(peek())) d.args.push(tokens[pos++].text)
      if (isOpen(peek())) {
        const open = tokens[pos++]
        d.block = readDirectives(open, depth + 1)
      }
      list.push(d)
    }
  }
  const blocks: ServerBlock[] = []
  for (;;) {
    skipNewlines()
    const first = peek()
    if (!first) return blocks
    const keys: string[] = []
    while (peek() && !isOpen(peek())) {
      if (isClose(peek())) throw new CorefileError('unexpected "}"', peek())
      if (!isNl(peek())) keys.push(...peek().text.split(',').filter(Boolean))
      pos++
    }
    if (!peek()) throw new CorefileError(`server block "${keys.join(' ')}" has no "{"`, first)
    const open = tokens[pos++]
    const addresses = keys.flatMap((k) => serverAddresses(k, first))
    blocks.push({keys, addresses, directives: readDirectives(open, 1), line: first.line, source: first.source})
  }
}

/** `[transport://]zone[:port]` (core/dnsserver/address.go): `.:53`, `cluster.local`, `dns://.:1053`, `10.0.0.0/24`. */
export function serverAddresses(key: string, at: {line: number; source: string} = {line: 0, source: 'Corefile'}): ServerAddress[] {
  let rest = key
  let transport: Transport = 'dns'
  const scheme = /^([a-z0-9]+):\/\//.exec(rest)
  if (scheme) {
    if (!(scheme[1] in DEFAULT_PORTS)) throw new CorefileError(`unknown transport "${scheme[1]}://" in server block key "${key}"`, at)
    transport = scheme[1] as Transport
    rest = rest.slice(scheme[0].length)
  }
  let port = DEFAULT_PORTS[transport]
  const colon = rest.lastIndexOf(':')
  if (colon >= 0 && !rest.includes('::') && /^\d+$/.test(rest.slice(colon + 1))) {
    port = Number(rest.slice(colon + 1))
    rest = rest.slice(0, colon)
  }
  if (port < 1 || port > 65535) throw new CorefileError(`port ${port} in "${key}" is out of range`, at)
  const zones = normalizeZones([rest === '' || rest === '.' ? '.' : rest].map((z) => (z === '.' ? '' : z)))
  if (typeof zones === 'string') throw new CorefileError(zones, at)
  return zones.map((zone) => ({key, transport, zone, port}))
}

/** The zones a block serves (its keys' zones, normalized). */
export function blockZones(block: ServerBlock): string[] {
  return [...new Set(block.addresses.map((a) => a.zone))]
}

/** Where a directive was written, for notes and errors: `Corefile:12`, `custom/test.override:3`. */
export function whereWritten(d: {source: string; line: number}): string {
  return `${d.source}:${d.line}`
}

/** The server block whose chain runs the kubernetes plugin (the first, as CoreDNS runs one per block). */
export function kubernetesBlock(corefile: Corefile): {block: ServerBlock; directive: Directive} | undefined {
  for (const block of corefile.blocks) {
    const directive = block.directives.find((d) => d.name === 'kubernetes')
    if (directive) return {block, directive}
  }
  return undefined
}

/**
 * DnsSettings from a Corefile's `kubernetes` stanza. Options not set there take the plugin's own defaults
 * (pods disabled, ttl 5), because that is what CoreDNS does with a stanza that omits them. The parsed Corefile rides
 * along, so the whole chain (rewrite, hosts, forward, …) can answer.
 */
export function settingsFromCorefile(text: string, source: string, options: Omit<CorefileOptions, 'source'> = {}): DnsSettings {
  const corefile = parseCorefile(text, {...options, source})
  const found = kubernetesBlock(corefile)
  if (!found) throw new CorefileError('the Corefile has no "kubernetes" plugin stanza', {source})
  const settings = kubernetesSettings(found.block, found.directive, source)
  settings.corefile = corefile
  settings.kubernetesDirective = found.directive
  return settings
}

/** One `kubernetes` stanza and its server block's cache and bind, as settings. */
export function kubernetesSettings(block: ServerBlock, k8s: Directive, source: string): DnsSettings {
  const zoneArgs = k8s.args.length > 0 ? k8s.args : blockZones(block).map((z) => (z === '' ? '.' : z))
  const zones = normalizeZones(zoneArgs.map((z) => (z === '.' ? '' : z)))
  if (typeof zones === 'string') throw new CorefileError(zones, k8s)
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
          throw new CorefileError(`pods must be disabled, insecure or verified, not "${mode ?? ''}"`, opt)
        settings.pods = mode as PodsMode
        break
      }
      case 'ttl': {
        const ttl = Number(opt.args[0])
        if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new CorefileError('ttl must be a whole number from 0 to 3600', opt)
        settings.ttl = ttl
        break
      }
      case 'endpoint_pod_names':
        settings.endpointPodNames = true
        break
      case 'fallthrough': {
        const ft = opt.args.length > 0 ? normalizeZones(opt.args) : ['']
        if (typeof ft === 'string') throw new CorefileError(ft, opt)
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
  if (cache) settings.cache = cacheSettings(cache, blockZones(block))
  if (block.directives.some((d) => d.name === 'bind')) settings.bound = true
  return settings
}

/** `cache [TTL] [ZONES...] { success CAP [TTL [MINTTL]]; denial CAP [TTL [MINTTL]]; disable success|denial [ZONES...] }` (plugin/cache setup.go). */
export function cacheSettings(d: Directive, blockZoneList: string[]): CacheSettings {
  const zonesOf = (args: string[], where: Directive) => {
    const zones = normalizeZones(args.map((z) => (z === '.' ? '' : z)))
    if (typeof zones === 'string') throw new CorefileError(zones, where)
    return zones
  }
  const seconds = (text: string | undefined, where: Directive, what: string, min: number): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < min) throw new CorefileError(`cache ${what} must be a whole number of seconds${min > 0 ? ' above 0' : ''}, not "${text ?? ''}"`, where)
    return n
  }
  const out: CacheSettings = {...CACHE_DEFAULTS, zones: [], disableSuccess: [], disableDenial: []}
  let args = d.args
  if (args.length > 0 && /^-?\d+$/.test(args[0])) {
    out.successTtl = out.denialTtl = seconds(args[0], d, 'TTL', 1)
    args = args.slice(1)
  }
  out.zones = args.length > 0 ? zonesOf(args, d) : blockZoneList
  for (const opt of d.block) {
    if (opt.name === 'success' || opt.name === 'denial') {
      const [, ttl, min] = opt.args
      if (opt.name === 'success') {
        if (ttl !== undefined) out.successTtl = seconds(ttl, opt, 'success TTL', 1)
        if (min !== undefined) out.minSuccessTtl = seconds(min, opt, 'success minimum TTL', 0)
      } else {
        if (ttl !== undefined) out.denialTtl = seconds(ttl, opt, 'denial TTL', 1)
        if (min !== undefined) out.minDenialTtl = seconds(min, opt, 'denial minimum TTL', 0)
      }
    } else if (opt.name === 'disable') {
      const [what, ...zones] = opt.args
      const list = zones.length > 0 ? zonesOf(zones, opt) : ['']
      if (what === 'success') out.disableSuccess = list
      else if (what === 'denial') out.disableDenial = list
      else throw new CorefileError(`cache disable takes success or denial, not "${what ?? ''}"`, opt)
    }
  }
  return out
}
