// The manifest-file source: `-f` files, directories (`-R`), or `-` for stdin; YAML (multi-document) or JSON;
// `List`/`*List` objects as `kubectl get -o yaml|json` prints them. Produces a ClusterSnapshot.
import {constants as bufferConstants} from 'node:buffer'
import {readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {KdiscoError, inputError, quote} from '../errors.js'
import {TooLarge, readBounded} from '../read-bounded.js'
import {completeSnapshot} from './derive.js'
import {DocumentLines, type FieldPath, LineIndex, parseFieldPath} from './manifest-lines.js'
import {ObjectError, checkObject, describeValue} from './schema.js'
import {type ClusterSnapshot, type IgnoredObject, type KubeObject, type ObjectLocation, type Pod, type Service, emptySnapshot, namespaceOf, objectRef} from './types.js'
import {byCodeUnits} from '../order.js'

export interface FileSourceOptions {
  filenames: string[]
  recursive?: boolean
  /** Namespace for objects that do not name one (kubectl's `-n` with `apply -f`). */
  defaultNamespace?: string
  /** Reads `-`; injectable for tests. */
  readStdin?: () => Promise<string>
}

interface RawDocument {
  value: unknown
  source: string
  line?: number
  /**
   * Lines of the document's nodes. YAML: from the events already parsed (cheap, used for every List item). JSON:
   * parsed again only for an error's line (`eager` false), so big kubectl dumps in JSON pay nothing.
   */
  lines?: {eager: boolean; get: (yaml?: YamlModule) => DocumentLines | undefined}
}

type YamlModule = typeof import('js-yaml')

/** Larger JSON texts are not parsed a second time for the line of an error: the error names the object instead. */
const MAX_JSON_RELINE_BYTES = 16 << 20

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json']
/** The kinds kdisco reads (snapshotFromObjects sorts them into the snapshot); others are listed as ignored. */
const KINDS_READ = new Set(['Namespace', 'Service', 'EndpointSlice', 'Endpoints', 'Pod', 'StatefulSet', 'Deployment', 'ReplicaSet', 'ConfigMap', 'Ingress'])
/** Namespaces every cluster has. */
const BUILTIN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

/** A file to read; `listed` when it was found in a directory rather than named by the user. */
interface InputFile {
  path: string
  listed: boolean
}

async function expandPaths(paths: string[], recursive: boolean, skipped: IgnoredObject[], listed = false): Promise<InputFile[]> {
  const out: InputFile[] = []
  for (const p of paths) {
    if (p === '-') {
      out.push({path: p, listed})
      continue
    }
    let info
    try {
      info = await stat(p)
    } catch (error) {
      throw inputError(`Cannot read ${p}: ${describeFsError(error)}`, 'Check the path given to -f')
    }
    if (info.isDirectory()) {
      const entries = (await readdir(p, {withFileTypes: true})).sort((a, b) => byCodeUnits(a.name, b.name))
      // A Helm chart's templates are not manifests until rendered (and rarely even parse as YAML).
      const chart = entries.some((e) => e.isFile() && e.name === 'Chart.yaml')
      for (const e of entries) {
        const full = join(p, e.name)
        if (e.isDirectory()) {
          if (recursive && chart && e.name === 'templates') skipped.push({kind: 'Helm chart templates', source: full, reason: 'render them first (helm template … > out.yaml) and pass the output to -f'})
          else if (recursive) out.push(...(await expandPaths([full], true, skipped, true)))
        } else if (MANIFEST_EXTENSIONS.some((ext) => e.name.endsWith(ext))) {
          out.push({path: full, listed: true})
        }
      }
    } else {
      out.push({path: p, listed})
    }
  }
  return out
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT') return 'no such file or directory'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory'
  return (error as Error)?.message ?? String(error)
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

function parseJson(text: string, source: string): RawDocument[] {
  try {
    let lines: DocumentLines | undefined
    let tried = false
    const get = (yaml?: YamlModule) => {
      if (!tried && yaml && text.length <= MAX_JSON_RELINE_BYTES) {
        tried = true
        try {
          lines = new DocumentLines(yaml, yaml.parseEvents(text, {}), text, 1, new LineIndex(text))
        } catch {
          // JSON that YAML reads otherwise: no line, the error still names the object and field.
        }
      }
      return lines
    }
    return [{value: JSON.parse(text), source, line: 1, lines: {eager: false, get}}]
  } catch (error) {
    const msg = (error as Error).message
    const pos = /position (\d+)/.exec(msg)
    // V8 leaves the position out of some messages ("Unexpected token ']', …"): then it is found by reading the text.
    const offset = pos ? Number(pos[1]) : text.length <= MAX_JSON_RELINE_BYTES ? jsonErrorOffset(text) : undefined
    const line = offset === undefined ? '' : `:${lineOfOffset(text, offset)}`
    throw inputError(`${source}${line}: invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}`, 'Fix the syntax or re-export the file with kubectl get -o json')
  }
}

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const JSON_ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

/**
 * The offset of the first character JSON's grammar does not allow there, or undefined when the text is JSON. Read
 * only after JSON.parse refused the text; iterative, so nesting depth costs no stack.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const n = text.length
  let i = 0
  /** Open containers: true for an object, false for an array. */
  const open: boolean[] = []
  const space = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  }
  /** Past a string at i; false at its first bad character (i is left there). */
  const string = (): boolean => {
    if (text.charCodeAt(i) !== 34) return false
    for (i++; i < n; ) {
      const c = text.charCodeAt(i)
      if (c === 34) return ++i > 0
      if (c < 32) return false
      if (c !== 92) i++
      else {
        JSON_ESCAPE.lastIndex = i
        if (!JSON_ESCAPE.test(text)) return false
        i = JSON_ESCAPE.lastIndex
      }
    }
    return false
  }
  let state: 'value' | 'key' | 'after' = 'value'
  for (;;) {
    space()
    if (state === 'value') {
      const c = text[i]
      if (c === '{' || c === '[') {
        open.push(c === '{')
        i++
        space()
        if (text[i] === (c === '{' ? '}' : ']')) {
          open.pop()
          i++
          state = 'after'
        } else state = c === '{' ? 'key' : 'value'
      } else if (c === '"') {
        if (!string()) return i
        state = 'after'
      } else if (c === 't' || c === 'f' || c === 'n') {
        const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null'
        if (!text.startsWith(word, i)) return i
        i += word.length
        state = 'after'
      } else {
        JSON_NUMBER.lastIndex = i
        if (!JSON_NUMBER.test(text)) return i
        i = JSON_NUMBER.lastIndex
        state = 'after'
      }
    } else if (state === 'key') {
      if (!string()) return i
      space()
      if (text[i] !== ':') return i
      i++
      state = 'value'
    } else {
      if (open.length === 0) return i < n ? i : undefined
      const object = open[open.length - 1]
      if (text[i] === ',') {
        i++
        state = object ? 'key' : 'value'
      } else if (text[i] === (object ? '}' : ']')) {
        open.pop()
        i++
      } else return i
    }
  }
}

/** Expanded size above which aliases are refused: a few anchors can otherwise stand for billions of nodes. */
const MAX_EXPANDED_NODES = 1_000_000

type YamlEvents = ReturnType<typeof import('js-yaml').parseEvents>

/** Nodes the documents stand for once every alias is expanded, counted over the event stream. */
function expandedNodes(events: YamlEvents, text: string, ids: typeof import('js-yaml').EVENT_ID): number {
  const sizes = new Map<string, number>()
  const stack: {anchor?: string; count: number}[] = [{count: 0}]
  const anchorOf = (e: {anchorStart: number; anchorEnd: number}) => (e.anchorStart >= 0 ? text.slice(e.anchorStart, e.anchorEnd) : undefined)
  for (const e of events) {
    if (e.type === ids.DOCUMENT) stack.push({count: 0})
    else if (e.type === ids.MAPPING || e.type === ids.SEQUENCE) stack.push({anchor: anchorOf(e), count: 1})
    else if (e.type === ids.SCALAR) {
      const anchor = anchorOf(e)
      if (anchor !== undefined) sizes.set(anchor, 1)
      stack[stack.length - 1].count += 1
    } else if (e.type === ids.ALIAS) stack[stack.length - 1].count += sizes.get(anchorOf(e) ?? '') ?? 1
    else if (e.type === ids.POP && stack.length > 1) {
      const done = stack.pop()!
      if (done.anchor !== undefined) sizes.set(done.anchor, done.count)
      stack[stack.length - 1].count += done.count
    }
    if (stack[0].count + stack[stack.length - 1].count > MAX_EXPANDED_NODES) return Infinity
  }
  return stack[0].count
}

async function parseYaml(text: string, source: string): Promise<RawDocument[]> {
  const yaml = await import('js-yaml')
  let values: unknown[]
  let events: YamlEvents
  try {
    events = yaml.parseEvents(text, {filename: source})
    if (expandedNodes(events, text, yaml.EVENT_ID) > MAX_EXPANDED_NODES)
      throw inputError(`${source}: YAML aliases expand to more than ${MAX_EXPANDED_NODES} nodes`, 'Write the repeated parts out, or export the objects with kubectl get -o yaml')
    // YAML 1.2 core schema: timestamps and yes/no stay text, as kubectl keeps them in string fields; no merge keys.
    // A repeated key is refused, as kubectl does: files concatenated without `---` would otherwise merge two objects
    // into one and silently lose the other.
    values = yaml.constructFromEvents(events, {source: text})
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error
    const line = error.mark ? `:${error.mark.line + 1}` : ''
    if (error.reason === 'duplicated mapping key' && error.mark) {
      const key = /^[^:\n]*/.exec(text.slice(error.mark.position))![0].trim()
      throw inputError(`${source}${line}: mapping key ${JSON.stringify(key.replace(/^["']|["']$/g, ''))} already defined`, 'Remove the repeated key; if two objects were joined (cat a.yaml b.yaml), separate them with a line ---')
    }
    throw inputError(`${source}${line}: invalid YAML: ${error.reason}`, 'Fix the syntax (kubectl apply --dry-run=client -f shows the same error)')
  }
  // Each document's line is that of its first node (counted forward once, documents come in order).
  const out: RawDocument[] = []
  const lineIndex = new LineIndex(text)
  let doc = -1
  let line = 1
  let counted = 0
  for (let i = 0; i < events.length; i++) {
    if (events[i].type !== yaml.EVENT_ID.DOCUMENT) continue
    doc++
    const value = values[doc]
    if (value === null || value === undefined) continue
    const first = events[i + 1] as {start?: number; valueStart?: number; anchorStart?: number}
    const offset = first.start ?? first.valueStart ?? first.anchorStart ?? counted
    for (; counted < offset; counted++) if (text.charCodeAt(counted) === 10) line++
    let lines: DocumentLines | undefined
    const root = i + 1
    out.push({value, source, line, lines: {eager: true, get: () => (lines ??= new DocumentLines(yaml, events, text, root, lineIndex))}})
  }
  return out
}

/** The largest file kdisco reads: the longest string Node can hold (UTF-8 text has at least one byte per character). */
const MAX_TEXT_BYTES = bufferConstants.MAX_STRING_LENGTH

function tooLarge(source: string, bytes: number | string) {
  return inputError(`${source} is larger than kdisco can read (${bytes} bytes; at most ${MAX_TEXT_BYTES})`, 'Split the manifests into several files, or read the cluster live')
}

/** UTF-8 text of a file or stdin, without the byte order mark some editors write (kubectl accepts it). */
function decode(bytes: Buffer, source: string): string {
  if (bytes.length > MAX_TEXT_BYTES) throw tooLarge(source, bytes.length)
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  return bytes.toString('utf8', bom ? 3 : 0)
}

async function readDocuments(path: string, readStdin: () => Promise<string>): Promise<RawDocument[]> {
  let text: string
  const source = path === '-' ? '<stdin>' : path
  try {
    // Synchronous reads: the promise API reads big files in 512 KiB round trips. Bounded: /dev/zero is a file too.
    text = path === '-' ? await readStdin() : decode(readBounded(path, MAX_TEXT_BYTES), source)
  } catch (error) {
    if (error instanceof KdiscoError) throw error
    if (error instanceof TooLarge) throw tooLarge(source, `over ${MAX_TEXT_BYTES}`)
    throw inputError(`Cannot read ${source}: ${describeFsError(error)}`, 'Check the path given to -f')
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  const trimmed = text.trimStart()
  if (path.endsWith('.json') || trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(text, source)
  return parseYaml(text, source)
}

async function defaultReadStdin(): Promise<string> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of process.stdin) {
    bytes += (chunk as Buffer).length
    if (bytes > MAX_TEXT_BYTES) throw tooLarge('<stdin>', `over ${MAX_TEXT_BYTES}`)
    chunks.push(chunk as Buffer)
  }
  return decode(Buffer.concat(chunks), '<stdin>')
}

function where(doc: RawDocument): string {
  return doc.line ? `${doc.source}:${doc.line}` : doc.source
}

/** A step of a path inside a document, chained to its parent; ROOT_STEP stands for the document itself. */
interface PathStep {
  parent?: PathStep
  step?: string | number
}
const ROOT_STEP: PathStep = {}

function stepsOf(path: PathStep | undefined): FieldPath {
  const steps: FieldPath = []
  for (let p = path; p && p.step !== undefined; p = p.parent) steps.push(p.step)
  return steps.reverse()
}

/**
 * Flattens `List` / `*List` objects (and JSON arrays) into single objects, each handed to `visit` in document order
 * with its path in the document (undefined: the document itself). Iterative: Lists nested 50,000 deep or holding
 * millions of items are only a longer loop.
 */
function flatten(doc: RawDocument, visit: (value: unknown, path: PathStep | undefined) => void): void {
  // Each level: the items still to visit, and the kind a typed List (ServiceList) gives the items that name none.
  // `path`: where the level's items are in the document (the root's single item is the document itself), as a chain
  // of steps: Lists nested 50,000 deep must not copy a path per level.
  const levels: {items: unknown[]; next: number; itemKind?: string; path?: PathStep}[] = [{items: [doc.value], next: 0}]
  while (levels.length > 0) {
    const level = levels[levels.length - 1]
    if (level.next >= level.items.length) {
      levels.pop()
      continue
    }
    const index = level.next++
    const path: PathStep | undefined = level.path ? {parent: level.path, step: index} : undefined
    let value = level.items[index]
    const v = value as {kind?: unknown; items?: unknown}
    if (level.itemKind && v && typeof v === 'object' && !Array.isArray(v) && !v.kind) value = {...v, kind: level.itemKind}
    const w = value as {kind?: unknown; items?: unknown}
    if (Array.isArray(value)) levels.push({items: value, next: 0, path: path ?? ROOT_STEP})
    else if (w && typeof w === 'object' && typeof w.kind === 'string' && w.kind.endsWith('List') && w.items !== undefined) {
      // items: null is an empty List (as the API's JSON reads it); anything else but a list is a mistake, not a List to skip.
      if (w.items !== null && !Array.isArray(w.items)) {
        const problem = new ObjectProblem(`${quote(w.kind).slice(1, -1)}: items must be a list, found ${describeValue(w.items)}`, 'Put the objects under items as a list (- item)', ['items'])
        problem.item = {at: where(doc), path: stepsOf(path)}
        throw problem
      }
      levels.push({items: w.items ?? [], next: 0, itemKind: w.kind === 'List' ? undefined : w.kind.slice(0, -'List'.length), path: {parent: path, step: 'items'}})
    } else visit(value, path)
  }
}

/** What is wrong with an object: the message after file:line, the hint, and the field it concerns (for its line). */
class ObjectProblem extends Error {
  /** Where the object is: file:line, and its path in the document (set by the reader). */
  item?: {at: string; path: FieldPath}

  constructor(
    readonly detail: string,
    readonly hint: string,
    readonly field?: FieldPath,
  ) {
    super(detail)
  }
}

/** The object a document holds, checked against the shape kdisco reads (schema.ts); a problem names its field. */
function asObject(value: unknown, defaultNamespace: string): KubeObject {
  const v = value as Record<string, unknown> | null
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ObjectProblem(`expected a Kubernetes object, found ${Array.isArray(v) ? 'a list' : v === null ? 'null' : `a ${typeof v}`}`, 'Each document must be a mapping with kind and metadata')
  if (v.kind === undefined || v.kind === null || v.kind === '') throw new ObjectProblem('object has no kind', 'Add kind (and apiVersion) to the object')
  const meta = v.metadata as {name?: unknown} | null | undefined
  if (typeof v.kind === 'string' && (meta === undefined || meta === null || (typeof meta === 'object' && !Array.isArray(meta) && (meta.name === undefined || meta.name === null || meta.name === ''))))
    throw new ObjectProblem(`${quote(v.kind).slice(1, -1)} has no metadata.name`, 'Add metadata.name to the object', meta ? ['metadata'] : [])
  try {
    checkObject(v, defaultNamespace)
  } catch (error) {
    if (error instanceof ObjectError) throw new ObjectProblem(error.detail, 'Fix that field of the manifest', error.field === undefined ? undefined : parseFieldPath(error.field))
    throw error
  }
  return v as unknown as KubeObject
}

/** file:line of a problem: the line of its field when it can be found, else the object's. */
async function problemAt(doc: RawDocument, problem: ObjectProblem): Promise<string> {
  const at = problem.item?.at ?? where(doc)
  if (!problem.field || !doc.lines) return at
  const lines = doc.lines.get(doc.lines.eager ? undefined : await import('js-yaml'))
  // A field that is missing has no line: the nearest enclosing one that is there (endpoints[0] for endpoints[0].addresses).
  const item = problem.item?.path ?? []
  for (let field = problem.field; field.length > 0; field = field.slice(0, -1)) {
    const line = lines?.line([...item, ...field])
    if (line !== undefined) return `${doc.source}:${line}`
  }
  return at
}

/** JSON with object keys sorted: equal for equal content, whatever order the keys were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => byCodeUnits(a, b))) : v))
}

/** Builds a snapshot from already-parsed objects (used by the file source and by tests). */
export function snapshotFromObjects(objects: {object: KubeObject; source: string; file?: string; line?: number}[], sources: string[], defaultNamespace = 'default'): ClusterSnapshot {
  const snap = emptySnapshot('files')
  snap.sources = sources
  snap.defaultNamespace = defaultNamespace
  const namespaces = new Set<string>(BUILTIN_NAMESPACES)
  // Later documents replace earlier ones with the same kind/namespace/name, as kubectl apply would; a replacement
  // that differs is said (two versions of an object in one input is usually a stale copy).
  // The objects kept, in the order each kind/namespace/name first appeared, and where each is in `kept` (maps by the
  // fields themselves: a key string per object was a tenth of reading 100k objects).
  const kept: typeof objects = []
  const at = new Map<string, Map<string, Map<string, number>>>()
  for (const entry of objects) {
    const o = entry.object
    if (o.kind !== 'Namespace' && o.metadata.namespace === undefined) o.metadata = {...o.metadata, namespace: defaultNamespace}
    let byNamespace = at.get(o.kind)
    if (!byNamespace) at.set(o.kind, (byNamespace = new Map()))
    let byName = byNamespace.get(o.metadata.namespace ?? '')
    if (!byName) byNamespace.set(o.metadata.namespace ?? '', (byName = new Map()))
    const index = byName.get(o.metadata.name)
    if (index === undefined) {
      byName.set(o.metadata.name, kept.length)
      kept.push(entry)
      continue
    }
    const earlier = kept[index]
    if (canonicalJson(earlier.object) !== canonicalJson(o))
      snap.warnings.push(`${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} is defined twice with different content, in ${earlier.source} and in ${entry.source}: the last one is used (as kubectl apply would)`)
    kept[index] = entry
  }
  // Indexed when first asked (svc explain -o sarif): 100k objects' names cost more than the rest of the reading.
  let locations: Map<string, ObjectLocation> | undefined
  snap.locate = (ref) => {
    locations ??= new Map(kept.filter((e) => e.file !== undefined).map(({object, file, line}) => [objectRef(object), {file: file!, line}]))
    return locations.get(ref)
  }
  for (const {object: o, source} of kept) {
    if (o.kind === 'Namespace') {
      namespaces.add(o.metadata.name)
      continue
    }
    namespaces.add(namespaceOf(o))
    // Every kind listed here is in KINDS_READ.
    switch (o.kind) {
      case 'Service':
        snap.services.push(o as Service)
        break
      case 'EndpointSlice':
        snap.endpointSlices.push(o as ClusterSnapshot['endpointSlices'][number])
        break
      case 'Endpoints':
        snap.endpoints.push(o as ClusterSnapshot['endpoints'][number])
        break
      case 'Pod':
        snap.pods.push(o as Pod)
        break
      case 'StatefulSet':
        snap.statefulSets.push(o as ClusterSnapshot['statefulSets'][number])
        break
      case 'Deployment':
      case 'ReplicaSet':
        snap.workloads.push(o as ClusterSnapshot['workloads'][number])
        break
      case 'ConfigMap':
        snap.configMaps.push(o as ClusterSnapshot['configMaps'][number])
        break
      case 'Ingress':
        snap.ingresses.push(o as ClusterSnapshot['ingresses'][number])
        break
      default:
        snap.ignored.push({kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, source})
    }
  }
  snap.namespaces = [...namespaces].sort()
  return completeSnapshot(snap)
}

/**
 * A document kdisco does not read, or undefined: an object of another kind without a name (a kustomization.yaml's
 * Kustomization), or — in a file found in a directory — a document with no kind at all (Helm's Chart.yaml and
 * values.yaml, other tools' configuration). An object of a kind kdisco reads is never skipped: without its name it
 * is an error. Objects of other kinds with a name are listed as ignored later, with their namespace.
 */
function notRead(value: unknown, at: string, listed: boolean): IgnoredObject | undefined {
  const v = value as {kind?: unknown; metadata?: {name?: unknown}} | null
  const isObject = v !== null && typeof v === 'object' && !Array.isArray(v)
  const kind = isObject && typeof v.kind === 'string' && v.kind !== '' ? v.kind : undefined
  if (kind !== undefined) return KINDS_READ.has(kind) || typeof v?.metadata?.name === 'string' ? undefined : {kind, source: at}
  if (listed) return {kind: isObject ? 'a document without kind' : `a ${Array.isArray(v) ? 'list' : typeof v}`, source: at, reason: "not a Kubernetes object (Helm's Chart.yaml or values.yaml, another tool's file?)"}
  return undefined
}

export async function loadFileSnapshot(options: FileSourceOptions): Promise<ClusterSnapshot> {
  const skipped: IgnoredObject[] = []
  const files = await expandPaths(options.filenames, options.recursive ?? false, skipped)
  if (files.length === 0) throw inputError(`No manifest files (.yaml, .yml, .json) found in ${options.filenames.join(', ')}`, 'Pass files, or use -R for nested directories')
  const readStdin = options.readStdin ?? defaultReadStdin
  const objects: {object: KubeObject; source: string; file?: string; line?: number}[] = []
  let documents = 0
  for (const {path, listed} of files) {
    for (const doc of await readDocuments(path, readStdin)) {
      documents++
      const docAt = where(doc)
      try {
        flatten(doc, (value, path) => {
          // A List's item has its own line (YAML; JSON only when an error needs it).
          const line = path && doc.lines?.eager ? (doc.lines.get()?.line(stepsOf(path)) ?? doc.line) : doc.line
          const at = line === doc.line ? docAt : `${doc.source}:${line}`
          const skip = notRead(value, at, listed)
          if (skip) return void skipped.push(skip)
          try {
            objects.push({object: asObject(value, options.defaultNamespace ?? 'default'), source: at, file: doc.source, line})
          } catch (error) {
            if (error instanceof ObjectProblem) error.item = {at, path: stepsOf(path)}
            throw error
          }
        })
      } catch (error) {
        if (error instanceof ObjectProblem) throw inputError(`${await problemAt(doc, error)}: ${error.detail}`, error.hint)
        throw error
      }
    }
  }
  // Nothing at all (an empty file, only comments or ---) is a mistake, not an empty cluster: "Service not found" would
  // send the user looking in the wrong place. An empty List (kubectl get in an empty namespace) is an answer.
  if (documents === 0 && skipped.length === 0) {
    const names = files.map((f) => (f.path === '-' ? '<stdin>' : f.path))
    throw inputError(`No objects in ${names.length === 1 ? names[0] : `${names.length} files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`}: ${names.length === 1 ? 'it holds' : 'they hold'} no YAML or JSON document`, 'Pass manifests or the output of kubectl get … -o yaml')
  }
  const snap = snapshotFromObjects(objects, files.map((f) => (f.path === '-' ? '<stdin>' : f.path)), options.defaultNamespace)
  snap.ignored.push(...skipped)
  return snap
}
