import type {DnsLookupResult} from '../results.js'
import {answerSummary, rcodeText, recordBlock, routeText} from './records.js'
import {type TableOptions, styler, table} from './style.js'

export async function renderDnsLookup(report: DnsLookupResult, options: TableOptions = {}): Promise<string> {
  const c = await styler()
  const q = report.question
  const from = q.pod ? `pod ${q.namespace}/${q.pod}${report.resolver.address ? ` (${report.resolver.address})` : ''}` : `a pod in namespace ${q.namespace}`
  let out = `${c.bold('Question')}  ${q.name} ${q.type}, asked from ${from}\n`
  out += c.dim(`search ${report.resolver.searches.join(' ') || '(none)'}  (ndots:${report.resolver.ndots}, nameserver ${report.resolver.nameservers.join(', ') || 'none'}${report.resolver.policy ? `, dnsPolicy ${report.resolver.policy}` : ''})`) + '\n\n'
  const rows = report.tried.map((t, i) => [String(i + 1), t.name, rcodeText(t.rcode, t.answers.length, c, t.rcode === null && t.answers.length === 0 && t.route?.upstream !== undefined), answerSummary(t.answers, 2), c.dim(routeText(t.route))])
  out += table(['#', 'NAME TRIED', 'RCODE', 'ANSWER', 'ROUTE'], rows, c, options)
  out += '\n'
  if (report.answers.length > 0) {
    out += c.bold(';; ANSWER SECTION:') + '\n' + recordBlock(report.answers)
  } else {
    out += `${c.bold('Result')}  ${rcodeText(report.rcode, 0, c, report.forwarded)}\n`
  }
  if (report.status) {
    const o = report.observed
    const ok = report.status === 'match' || report.status === 'unprobed'
    out += `\n${c.bold('Observed')}  ${o?.error ? c.red(o.error) : rcodeText(o?.rcode as never, o?.answers.length ?? 0, c)} ${c.dim(`via ${o?.via ?? '?'}`)}  ${ok ? c.green(report.status === 'match' ? '✓ match' : '· not compared') : c.red(`✗ ${report.status}`)}\n`
    if (o?.tried && o.tried.length > 1) out += c.dim(`walk (${o.searchList ?? 'expected resolv.conf'}): ${o.tried.map((t) => `${t.name} ${t.rcode ?? 'no answer'}`).join(' → ')}`) + '\n'
    if (o?.application) out += c.dim('tool' in o.application ? `applications (getent ahosts): ${o.application.found ? o.application.addresses.join(' ') : 'not found'}` : `applications: ${o.application.unavailable}`) + '\n'
    if (o?.answers.length) out += recordBlock(o.answers)
    for (const m of report.diff?.missing ?? []) out += c.red(`missing ${m}`) + '\n'
    for (const u of report.diff?.unexpected ?? []) out += c.red(`unexpected ${u}`) + '\n'
  }
  for (const n of report.probe?.notes ?? []) out += c.dim(`probe: ${n}`) + '\n'
  const lastNotes = report.tried.at(-1)?.notes ?? []
  const notes = [...new Set([...(report.answers.length === 0 ? lastNotes : []), ...report.notes])]
  if (notes.length > 0) out += '\n' + notes.map((n) => c.dim(`note: ${n}`)).join('\n') + '\n'
  return out
}
