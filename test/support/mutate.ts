// Mutations for fuzzers: any field of a JSON value replaced by another JSON type, a hostile string or number,
// null, something nested 10,000 deep or 20,000 items long, or deleted. Seeded by the caller's fast-check run.
import fc from 'fast-check'

/** Every (container, key) of a value, found iteratively (at most 5000). */
export function positions(root: unknown): [Record<string, unknown> | unknown[], string | number][] {
  const out: [Record<string, unknown> | unknown[], string | number][] = []
  const stack: unknown[] = [root]
  while (stack.length > 0 && out.length < 5000) {
    const v = stack.pop()
    if (Array.isArray(v)) v.forEach((c, i) => (out.push([v, i]), stack.push(c)))
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) (out.push([v as Record<string, unknown>, k]), stack.push(c))
  }
  return out
}

/** Stands for a value nested 10,000 deep: written into the text as brackets by `deepen` (a deep object would overflow the writers). */
export const DEEP = '\u0000deep\u0000'
const deepText = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`

/** JSON or YAML text with the DEEP markers replaced by 10,000 nested brackets. */
export function deepen(text: string): string {
  return text.replaceAll(JSON.stringify(DEEP), deepText).replaceAll(`"\\0deep\\0"`, deepText)
}

/** A replacement value: another JSON type, a hostile string or number, or something huge or deep. */
export const hostileValue = fc.oneof(
  {weight: 4, arbitrary: fc.jsonValue({maxDepth: 2})},
  {weight: 3, arbitrary: fc.constantFrom('', 'web\n', '10.0.0.1\n', 'a'.repeat(100), 'Not_Valid', ' ', '\u0000', 'x\r\ny', '…', '10.0.0.300', '::1', 'None', 'IPv4', 'TCP', '-1', '80', 'https://admin:SECRET@h', 'http://x')},
  {weight: 3, arbitrary: fc.constantFrom(0, -1, 1, 80.5, 65536, 2147483647, 2147483648, -2147483649, 1e20, 1e-300, Number.MAX_SAFE_INTEGER)},
  {weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {})},
  {weight: 1, arbitrary: fc.constant('deep')},
  {weight: 1, arbitrary: fc.constant('huge')},
)

export type Edit = [number, unknown, boolean]
export const edits = (max = 4) => fc.array(fc.tuple(fc.nat(), hostileValue, fc.boolean()), {minLength: 1, maxLength: max})

/** Applies mutations (position index, value, delete) to a deep copy of `doc`. */
export function mutate<T>(doc: T, changes: Edit[]): T {
  const copy = structuredClone(doc)
  for (const [at, value, remove] of changes) {
    const all = positions(copy)
    if (all.length === 0) break
    const [container, key] = all[at % all.length]
    if (remove && !Array.isArray(container)) delete (container as Record<string, unknown>)[key as string]
    else {
      const v = value === 'deep' ? DEEP : value === 'huge' ? Array.from({length: 20_000}, () => (container as never)[key]) : value
      ;(container as never as Record<string | number, unknown>)[key] = v
    }
  }
  return copy
}
