// Lines of nodes inside a manifest document, found from the YAML parser's events: the line of each item of a List
// (kubectl get -o yaml), for file:line locations, and the line of one field, for the error that names it. Only on
// demand: a document whose objects are all fine and not in a List costs nothing here.
type YamlModule = typeof import('js-yaml')
type YamlEvents = ReturnType<YamlModule['parseEvents']>
type YamlEvent = YamlEvents[number] & {start?: number; valueStart?: number; valueEnd?: number}

export type FieldPath = (string | number)[]

/** Line numbers (1-based) of offsets in one text, from its line starts (found once, on first use). */
export class LineIndex {
  private starts?: number[]
  constructor(private readonly text: string) {}

  lineOf(offset: number): number {
    if (!this.starts) {
      this.starts = [0]
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.starts.push(i + 1)
    }
    let lo = 0
    let hi = this.starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.starts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }
}

/** `spec.ports[0].port`, `metadata.labels["a.b/c"]` → its steps; undefined for anything that is not a field path. */
export function parseFieldPath(path: string): FieldPath | undefined {
  const steps: FieldPath = []
  const step = /\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y
  let at = 0
  while (at < path.length) {
    step.lastIndex = at
    const m = step.exec(path)
    if (!m) return undefined
    if (m[1] !== undefined) steps.push(m[1])
    else if (m[2] !== undefined) steps.push(Number(m[2]))
    else steps.push(JSON.parse(m[3]) as string)
    at = step.lastIndex
  }
  return steps.length > 0 ? steps : undefined
}

/** One YAML document's events: the line of the node at a field path (a key's own line for a mapping's field). */
export class DocumentLines {
  private items?: number[]

  constructor(
    private readonly yaml: YamlModule,
    private readonly events: YamlEvents,
    private readonly text: string,
    /** Index of the document's root node event. */
    private readonly root: number,
    private readonly lines: LineIndex,
  ) {}

  line(path: FieldPath): number | undefined {
    let from = this.root
    let rest = path
    // root.items[i]: indexed once, so the lines of a List's N items cost one walk, not N.
    if (path[0] === 'items' && typeof path[1] === 'number') {
      this.items ??= this.indexItems()
      const at = this.items[path[1]]
      if (at === undefined) return undefined
      from = at
      rest = path.slice(2)
    }
    const offset = this.find(from, rest)
    return offset === undefined ? undefined : this.lines.lineOf(offset)
  }

  private get ids() {
    return this.yaml.EVENT_ID
  }

  private event(i: number): YamlEvent {
    return this.events[i] as YamlEvent
  }

  /** The index after the node that starts at event `i`. */
  private skip(i: number): number {
    const {MAPPING, SEQUENCE, POP} = this.ids
    const type = this.event(i).type
    if (type !== MAPPING && type !== SEQUENCE) return i + 1
    let depth = 0
    for (let j = i; j < this.events.length; j++) {
      const t = this.event(j).type
      if (t === MAPPING || t === SEQUENCE) depth++
      else if (t === POP && --depth === 0) return j + 1
    }
    return this.events.length
  }

  private startOf(e: YamlEvent): number | undefined {
    return e.start ?? e.valueStart
  }

  /** The event index of the value at `key` in the mapping at event `i`, and its key's offset. */
  private field(i: number, key: string): {value: number; keyOffset: number} | undefined {
    const {MAPPING, SCALAR, POP} = this.ids
    if (this.event(i)?.type !== MAPPING) return undefined
    for (let j = i + 1; j < this.events.length && this.event(j).type !== POP; ) {
      const k = this.event(j)
      const value = this.skip(j)
      if (k.type === SCALAR && this.text.slice(k.valueStart, k.valueEnd) === key) return {value, keyOffset: k.valueStart!}
      j = this.skip(value)
    }
    return undefined
  }

  private element(i: number, index: number): number | undefined {
    const {SEQUENCE, POP} = this.ids
    if (this.event(i)?.type !== SEQUENCE) return undefined
    let j = i + 1
    for (let k = 0; k < index; k++) {
      if (j >= this.events.length || this.event(j).type === POP) return undefined
      j = this.skip(j)
    }
    return j < this.events.length && this.event(j).type !== POP ? j : undefined
  }

  private find(i: number, path: FieldPath): number | undefined {
    for (let d = 0; d < path.length; d++) {
      const step = path[d]
      if (typeof step === 'number') {
        const next = this.element(i, step)
        if (next === undefined) return undefined
        i = next
      } else {
        const f = this.field(i, step)
        if (!f) return undefined
        if (d === path.length - 1) return f.keyOffset
        i = f.value
      }
    }
    return this.startOf(this.event(i))
  }

  private indexItems(): number[] {
    const f = this.field(this.root, 'items')
    const out: number[] = []
    if (!f || this.event(f.value).type !== this.ids.SEQUENCE) return out
    for (let j = f.value + 1; j < this.events.length && this.event(j).type !== this.ids.POP; j = this.skip(j)) out.push(j)
    return out
  }
}
