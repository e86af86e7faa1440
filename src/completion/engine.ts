// Shell completion: what to offer for a partial command line, in the protocol of cobra's `__complete` (one
// candidate a line, "value\tdescription", then ":<directive>"). kubectl (≥ 1.26) speaks the same protocol with
// plugins' kubectl_complete-<plugin> executables, and the scripts of `kdisco completion` speak it with kdisco.
// Pure: the commands come from oclif's manifest and dynamic names from a NameSource the caller gives.
import type {SnapshotScope} from '../cluster/load.js'

/** cobra's ShellCompDirective bits (kubectl reads them from the last line). */
export const Directive = {
  DEFAULT: 0,
  NO_SPACE: 2,
  NO_FILE_COMP: 4,
} as const

export interface CompletionFlag {
  name: string
  char?: string
  type: 'boolean' | 'option'
  options?: readonly string[]
  multiple?: boolean
  hidden?: boolean
  summary?: string
  description?: string
}

export interface CompletionCommand {
  /** oclif's id, "svc:lookup". */
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  flags: Record<string, CompletionFlag>
  /** Names of the positional arguments in order. */
  args: string[]
}

/** What the command line so far says about where names come from: -f files, or the cluster in -n/--context. */
export type NameScope = Omit<SnapshotScope, 'timeoutMs' | 'log' | 'need'>

export interface NameSource {
  services(scope: NameScope): Promise<string[]>
  pods(scope: NameScope): Promise<string[]>
  namespaces(scope: NameScope): Promise<string[]>
  contexts(scope: NameScope): Promise<string[]>
}

export interface Completion {
  candidates: {value: string; description?: string}[]
  directive: number
}

/** The dynamic values some flags and arguments take. */
type Dynamic = 'services' | 'pods' | 'namespaces' | 'contexts' | 'files' | 'shells'

const FLAG_VALUES: Record<string, Dynamic> = {
  namespace: 'namespaces',
  'from-namespace': 'namespaces',
  'probe-namespace': 'namespaces',
  context: 'contexts',
  pod: 'pods',
  filename: 'files',
  kubeconfig: 'files',
  corefile: 'files',
}

/** The positional argument of each command whose values kdisco knows. */
const ARG_VALUES: Record<string, Dynamic> = {
  'svc:lookup': 'services',
  'svc:explain': 'services',
  'svc:endpoints': 'services',
  'pod:lookup': 'pods',
  completion: 'shells',
}

/** Values kdisco's flags take that oclif does not list as options (free-form strings with a known set). */
const KNOWN_VALUES: Record<string, readonly string[]> = {
  type: ['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'TXT', 'SOA', 'NS', 'MX', 'ANY'],
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const

function firstLine(text: string | undefined): string | undefined {
  const line = text?.split('\n')[0].trim()
  return line ? line.replace(/\.$/, '') : undefined
}

function flagByName(command: CompletionCommand, word: string): CompletionFlag | undefined {
  if (word.startsWith('--')) return command.flags[word.slice(2)]
  if (/^-[A-Za-z]$/.test(word)) return Object.values(command.flags).find((f) => f.char === word[1])
  return undefined
}

/** Splits the words before the one being completed into the command id, flag values and positional arguments. */
function readLine(commands: CompletionCommand[], words: string[]) {
  const ids = new Set(commands.map((c) => c.id))
  const path: string[] = []
  let command: CompletionCommand | undefined
  let i = 0
  // Leading words name the command (flags come after it, as kdisco's usage shows).
  for (; i < words.length && !command; i++) {
    const next = [...path, words[i]].join(':')
    if (!commands.some((c) => c.id === next || c.id.startsWith(`${next}:`))) break
    path.push(words[i])
    if (ids.has(next)) command = commands.find((c) => c.id === next)
    // A topic that is also a command (none today) would need its own rule: subcommands win.
    if (command && commands.some((c) => c.id.startsWith(`${next}:`))) command = undefined
  }
  const values: Record<string, string[]> = {}
  const positional: string[] = []
  let pending: CompletionFlag | undefined
  for (; i < words.length; i++) {
    const w = words[i]
    if (pending) {
      ;(values[pending.name] ??= []).push(w)
      pending = undefined
      continue
    }
    if (!command || !w.startsWith('-') || w === '-') {
      positional.push(w)
      continue
    }
    const eq = w.indexOf('=')
    const flag = flagByName(command, eq > 0 ? w.slice(0, eq) : w) ?? (/^-[A-Za-z]./.test(w) ? flagByName(command, w.slice(0, 2)) : undefined)
    if (!flag) continue
    if (flag.type === 'boolean') (values[flag.name] ??= []).push('true')
    else if (eq > 0) (values[flag.name] ??= []).push(w.slice(eq + 1))
    else if (/^-[A-Za-z]./.test(w)) (values[flag.name] ??= []).push(w.slice(2))
    else pending = flag
  }
  return {path, command, values, positional, pending}
}

export function scopeOf(values: Record<string, string[]>): NameScope {
  return {
    filenames: values.filename ?? [],
    recursive: values.recursive !== undefined,
    namespace: values.namespace?.at(-1),
    allNamespaces: values['all-namespaces'] !== undefined,
    kubeconfig: values.kubeconfig?.at(-1),
    context: values.context?.at(-1),
  }
}

async function dynamicValues(kind: Dynamic, scope: NameScope, source: NameSource): Promise<Completion> {
  const plain = (values: readonly string[]): Completion => ({candidates: values.map((value) => ({value})), directive: Directive.NO_FILE_COMP})
  switch (kind) {
    case 'files':
      return {candidates: [], directive: Directive.DEFAULT}
    case 'shells':
      return plain(SHELLS)
    case 'services':
      return plain(await source.services(scope))
    case 'pods':
      return plain(await source.pods(scope))
    case 'namespaces':
      return plain(await source.namespaces(scope))
    case 'contexts':
      return plain(await source.contexts(scope))
  }
}

function flagValues(flag: CompletionFlag, scope: NameScope, source: NameSource): Promise<Completion> | Completion {
  const dynamic = FLAG_VALUES[flag.name]
  if (dynamic) return dynamicValues(dynamic, scope, source)
  const values = flag.options ?? KNOWN_VALUES[flag.name] ?? []
  return {candidates: values.map((value) => ({value})), directive: Directive.NO_FILE_COMP}
}

function keepPrefix(completion: Completion, prefix: string, prepend = ''): Completion {
  return {
    directive: completion.directive,
    candidates: completion.candidates.filter((c) => c.value.startsWith(prefix)).map((c) => ({...c, value: prepend + c.value})),
  }
}

/**
 * Candidates for the last word of `words` (the words after the program name; the last may be empty: a new word).
 * Shells filter by prefix themselves, but kubectl passes plugin candidates on as they are, so they are filtered here.
 */
export async function complete(commands: CompletionCommand[], words: string[], source: NameSource, topics: Record<string, string | undefined> = {}): Promise<Completion> {
  const visible = commands.filter((c) => !c.hidden)
  const current = words.at(-1) ?? ''
  const {path, command, values, positional, pending} = readLine(visible, words.slice(0, -1))
  const scope = scopeOf(values)
  if (!command) {
    // The next part of a command id: a topic or a command.
    const depth = path.length
    const seen = new Map<string, string | undefined>()
    for (const c of visible) {
      const parts = c.id.split(':')
      if (parts.length <= depth || parts.slice(0, depth).join(':') !== path.join(':')) continue
      const next = parts[depth]
      if (!seen.has(next)) seen.set(next, firstLine(parts.length === depth + 1 ? (c.summary ?? c.description) : topics[parts.slice(0, depth + 1).join(':')]))
    }
    if (depth === 0) for (const flag of ['--help', '--version']) seen.set(flag, undefined)
    const candidates = [...seen].map(([value, description]) => ({value, description})).sort((a, b) => (a.value < b.value ? -1 : 1))
    return keepPrefix({candidates, directive: Directive.NO_FILE_COMP}, current)
  }
  if (pending) return keepPrefix(await flagValues(pending, scope, source), current)
  if (current.startsWith('--') && current.includes('=')) {
    const [name, partial] = [current.slice(2, current.indexOf('=')), current.slice(current.indexOf('=') + 1)]
    const flag = command.flags[name]
    if (!flag || flag.type === 'boolean') return {candidates: [], directive: Directive.NO_FILE_COMP}
    return keepPrefix(await flagValues(flag, scope, source), partial, `--${name}=`)
  }
  if (current.startsWith('-')) {
    const candidates = Object.values(command.flags)
      .filter((f) => !f.hidden && (f.multiple || values[f.name] === undefined))
      .map((f) => ({value: `--${f.name}`, description: firstLine(f.summary ?? f.description)}))
      .sort((a, b) => (a.value < b.value ? -1 : 1))
    return keepPrefix({candidates, directive: Directive.NO_FILE_COMP}, current)
  }
  const arg = positional.length < command.args.length ? ARG_VALUES[command.id] : undefined
  if (!arg) return {candidates: [], directive: Directive.NO_FILE_COMP}
  return keepPrefix(await dynamicValues(arg, scope, source), current)
}

/** The protocol's text: candidates a line (descriptions after a tab), then ":<directive>". */
export function formatCompletion(completion: Completion): string {
  const lines = completion.candidates.map((c) => (c.description ? `${c.value}\t${c.description.replace(/[\t\n]/g, ' ')}` : c.value))
  return [...lines, `:${completion.directive}`].join('\n') + '\n'
}
