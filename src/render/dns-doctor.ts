import type {DnsDoctorResult} from '../results.js'
import {plural} from '../words.js'
import {nameLines} from './object-names.js'
import {styler} from './style.js'

export async function renderDoctor(r: DnsDoctorResult): Promise<string> {
  const c = await styler()
  const mark = {ok: c.green('✓ ok     '), warning: c.yellow('! warning'), error: c.red('✗ error  '), skipped: c.dim('· skipped')}
  let out = ''
  for (const ch of r.checks) {
    out += `${mark[ch.status]}  ${c.bold(ch.title)}: ${ch.message}\n`
    for (const e of ch.evidence) out += c.dim(`             ${e}`) + '\n'
    if (ch.hint) out += c.dim(`             → ${ch.hint}`) + '\n'
  }
  const s = r.summary
  out += `\n${s.error ? c.red(plural(s.error, 'error')) : c.green('no errors')}, ${plural(s.warning, 'warning')}, ${s.ok} ok, ${s.skipped} skipped\n`
  return out
}

/** -o name: the objects of the checks that failed, then of those that warn, each once, as kubectl -o name prints them. */
export function doctorNames(r: DnsDoctorResult): string {
  return nameLines((['error', 'warning'] as const).flatMap((status) => r.checks.filter((c) => c.status === status).flatMap((c) => c.objects)))
}
