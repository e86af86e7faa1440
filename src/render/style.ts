// Colour for terminal output and borderless tables. chalk is loaded only when something is drawn.
import type {ChalkInstance} from 'chalk'

/**
 * Colour as no-color.org and force-color.org say: NO_COLOR set and not empty turns it off, FORCE_COLOR set (and
 * not "0" or "false") turns it on even into a pipe; otherwise only a terminal (not TERM=dumb) gets it.
 */
export function colourEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true
  return Boolean(stream.isTTY) && env.TERM !== 'dumb'
}

export async function styler(stream: NodeJS.WriteStream = process.stdout): Promise<ChalkInstance> {
  const {Chalk} = await import('chalk')
  return new Chalk({level: colourEnabled(stream) ? 1 : 0})
}

const ANSI = /\x1b\[[0-9;]*m/g

/** Columns a string takes in a terminal: colour codes take none, wide East Asian characters and emoji two. */
export function displayWidth(text: string): number {
  let width = 0
  for (const ch of text.replace(ANSI, '')) {
    const c = ch.codePointAt(0)!
    if (c < 0x300) width += c >= 0x20 ? 1 : 0
    else if ((c >= 0x300 && c <= 0x36f) || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f)) continue // combining, joiner, variation selector
    else if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd)) width += 2
    else width += 1
  }
  return width
}

/** The terminal's width when stdout is one; piped output is never cut (undefined). */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number | undefined {
  return stream.isTTY && stream.columns > 0 ? stream.columns : undefined
}

/** Lines of at most `width` columns: broken after a space, comma, slash or dot where one is near, else anywhere. */
export function wrapText(text: string, width: number): string[] {
  const plain = text.replace(ANSI, '')
  if (displayWidth(plain) <= width) return [text]
  const out: string[] = []
  let line = ''
  let breakAt = -1
  for (const ch of plain) {
    if (displayWidth(line + ch) > width) {
      const cut = breakAt > width / 2 ? breakAt : line.length
      out.push(line.slice(0, cut).trimEnd())
      line = line.slice(cut).trimStart()
      breakAt = -1
    }
    line += ch
    if (ch === ' ' || ch === ',' || ch === '/' || ch === '.') breakAt = line.length
  }
  if (line) out.push(line)
  return out
}

/**
 * Columns without borders: the head in bold, two spaces after each column, cells of several lines side by side,
 * trailing spaces trimmed. Wider than `width` (default: the terminal's), the widest columns wrap until it fits
 * (headers too, never narrower than 8 columns); nothing is cut.
 */
export interface TableOptions {
  /** --no-headers: the rows alone. */
  noHeaders?: boolean
  /** Columns to fit in; present and undefined: never wrapped (-o wide, pipes). Absent: the terminal's width. */
  width?: number
}

export function table(head: string[], rows: string[][], chalk: ChalkInstance, options: TableOptions = {}): string {
  const lines = (options.noHeaders ? [] : [head.map((h) => chalk.bold(h))]).concat(rows).map((row) => row.map((cell) => String(cell ?? '').split('\n')))
  // Loops, not Math.max(...spread): a table of 140,000 rows would be 140,000 arguments (a stack overflow).
  const widths = head.map(() => 0)
  for (const row of lines)
    for (let i = 0; i < widths.length; i++) for (const text of row[i] ?? ['']) widths[i] = Math.max(widths[i], displayWidth(text))
  const width = 'width' in options ? options.width : terminalWidth()
  const original = lines.map((row) => [...row])
  const total = () => widths.reduce((sum, w) => sum + w + 2, -2)
  while (width !== undefined && total() > width) {
    // The widest column gives way first, down to the next widest: wide text wraps before narrow columns do.
    const i = widths.indexOf(Math.max(...widths))
    const next = Math.max(0, ...widths.filter((_, k) => k !== i))
    const target = Math.max(widths[i] - (total() - width), next === widths[i] ? widths[i] - 1 : next, 8)
    if (target >= widths[i]) break
    // Wrapped from the cell's own lines each time: re-wrapping wrapped lines would break them twice.
    for (let r = 0; r < lines.length; r++) if (lines[r][i]) lines[r][i] = original[r][i].flatMap((text) => wrapText(text, target))
    widths[i] = 0
    for (const row of lines) for (const text of row[i] ?? ['']) widths[i] = Math.max(widths[i], displayWidth(text))
  }
  let out = ''
  for (const row of lines) {
    let height = 0
    for (const cell of row) height = Math.max(height, cell.length)
    for (let l = 0; l < height; l++) {
      let line = ''
      for (let i = 0; i < widths.length; i++) {
        const text = row[i]?.[l] ?? ''
        line += text + ' '.repeat(widths[i] - displayWidth(text) + 2)
      }
      out += line.replace(/\s+$/, '') + '\n'
    }
  }
  return out
}

/** A heading block of labelled lines ("Service  web", "FQDN     web.shop.svc…"): labels in bold, values aligned. */
export function fields(rows: [label: string, value: string][], chalk: ChalkInstance): string {
  const width = Math.max(0, ...rows.map(([label]) => displayWidth(label)))
  return rows.map(([label, value]) => `${chalk.bold(label)}${' '.repeat(width - displayWidth(label) + 2)}${value}\n`).join('')
}

export async function structured(value: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n'
  const {dump} = await import('js-yaml')
  // Undefined fields are left out, as JSON.stringify does.
  return dump(value, {lineWidth: -1, noRefs: true, skipInvalid: true})
}
