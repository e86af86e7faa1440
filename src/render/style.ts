// Colour for terminal output (only on a TTY, never with NO_COLOR) and borderless tables. chalk is loaded only when
// something is drawn.
import type {ChalkInstance} from 'chalk'

export async function styler(stream: NodeJS.WriteStream = process.stdout): Promise<ChalkInstance> {
  const {Chalk} = await import('chalk')
  const enabled = Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb'
  return new Chalk({level: enabled ? 1 : 0})
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

/**
 * Columns without borders: the head in bold, two spaces after each column, cells of several lines side by side,
 * trailing spaces trimmed.
 */
export function table(head: string[], rows: string[][], chalk: ChalkInstance): string {
  const lines = [head.map((h) => chalk.bold(h))].concat(rows).map((row) => row.map((cell) => String(cell ?? '').split('\n')))
  // Loops, not Math.max(...spread): a table of 140,000 rows would be 140,000 arguments (a stack overflow).
  const widths = head.map(() => 0)
  for (const row of lines)
    for (let i = 0; i < widths.length; i++) for (const text of row[i] ?? ['']) widths[i] = Math.max(widths[i], displayWidth(text))
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

export async function structured(value: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n'
  const {dump} = await import('js-yaml')
  // Undefined fields are left out, as JSON.stringify does.
  return dump(value, {lineWidth: -1, noRefs: true, skipInvalid: true})
}
