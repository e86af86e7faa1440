import type {ServiceLookupReport} from '../dns/service-lookup.js'
import {answerSummary, rcodeText} from './records.js'
import {styler, table} from './style.js'

export async function renderServiceLookup(report: ServiceLookupReport): Promise<string> {
  const c = await styler()
  const s = report.service
  const what =
    s.kind === 'ExternalName'
      ? `ExternalName → ${s.externalName ?? '?'}`
      : s.kind === 'Headless'
        ? 'headless (clusterIP: None): DNS returns the ready endpoint IPs'
        : `${s.type}, cluster IP ${s.clusterIPs.join(', ') || 'none'}`
  let out = `${c.bold('Service')}  ${s.namespace}/${s.name}  ${c.dim(what)}\n`
  out += `${c.bold('FQDN')}     ${s.fqdn}\n`
  if (s.kind !== 'ExternalName') {
    const origin = s.endpoints.origin.filter((o) => o !== 'observed')
    const derived = origin.length > 0 ? c.yellow(` (${origin.join(', ')} by kdisco)`) : ''
    out += `${c.bold('Endpoints')} ${s.endpoints.ready} ready of ${s.endpoints.total}${derived}\n`
  }
  out += '\n'
  const direct = report.queries.filter((q) => q.kind !== 'short-name')
  out += await table(
    ['NAME', 'TYPE', 'RCODE', 'ANSWER', 'NOTE'],
    direct.map((q) => [q.name, q.type, rcodeText(q.expected.rcode, q.expected.answers.length, c, q.expected.forwarded), answerSummary(q.expected.answers), c.dim((q.notes ?? []).join('\n'))]),
    c,
  )
  const short = report.queries.filter((q) => q.kind === 'short-name')
  if (short.length > 0) {
    out += `\n${c.bold('Short names')} ${c.dim('(resolved through a ClusterFirst pod\'s search list, ndots:5)')}\n`
    out += await table(
      ['FROM NS', 'NAME', 'QUERIES', 'RCODE', 'ANSWER'],
      short.map((q) => [q.from ?? '', q.name, String(q.tried?.length ?? 1), rcodeText(q.expected.rcode, q.expected.answers.length, c, q.expected.forwarded), answerSummary(q.expected.answers, 2)]),
      c,
    )
  }
  if (report.predicted.length > 0) {
    out += `\n${c.bold('Predicted')} ${c.dim('(StatefulSet pods that do not exist yet)')}\n`
    out += await table(
      ['NAME', 'POD', 'IP', 'TODAY'],
      report.predicted.map((p) => [p.name, `${p.statefulSet}/${p.pod}`, c.yellow('<pending>'), rcodeText(p.rcode, 0, c)]),
      c,
    )
  }
  if (report.notes.length > 0) out += '\n' + report.notes.map((n) => c.dim(`note: ${n}`)).join('\n') + '\n'
  return out
}
