// Colour for terminal output: only on a TTY, never with NO_COLOR. chalk is loaded only when a table is drawn.
import type {ChalkInstance} from 'chalk'

export async function styler(stream: NodeJS.WriteStream = process.stdout): Promise<ChalkInstance> {
  const {Chalk} = await import('chalk')
  const enabled = Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb'
  return new Chalk({level: enabled ? 1 : 0})
}

export async function table(head: string[], rows: string[][], chalk: ChalkInstance): Promise<string> {
  const {default: Table} = await import('cli-table3')
  // cli-table3 colours head and border even on pipes; styling is done here instead.
  const t = new Table({
    head: head.map((h) => chalk.bold(h)),
    style: {head: [], border: [], 'padding-left': 0, 'padding-right': 2, compact: true},
    chars: {top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ''},
  })
  for (const r of rows) t.push(r)
  return t.toString().split('\n').map((l) => l.replace(/\s+$/, '')).join('\n') + '\n'
}

export async function structured(value: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n'
  const {dump} = await import('js-yaml')
  // Undefined fields are left out, as JSON.stringify does.
  return dump(value, {lineWidth: -1, noRefs: true, skipInvalid: true})
}
