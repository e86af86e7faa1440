import {formatSelector} from '../cluster/labels.js'
import type {SvcEndpointsResult} from '../results.js'
import {styler, table} from './style.js'

const yn = (v: boolean | null) => (v === null ? '-' : v ? 'yes' : 'no')

export async function renderServiceEndpoints(report: SvcEndpointsResult): Promise<string> {
  const c = await styler()
  const s = report.service
  let out = `${c.bold('Service')}  ${s.namespace}/${s.name}  ${c.dim(`${s.kind === 'Headless' ? 'headless' : s.type}, ${s.endpoints.ready} ready of ${s.endpoints.total}${s.selector ? `, selector ${formatSelector(s.selector)}` : ''}`)}\n\n`
  if (report.endpoints.length > 0) {
    out += table(
      ['ADDRESS', 'PORTS', 'READY', 'SERVING', 'TERMINATING', 'DNS NAME', 'POD', 'NODE', 'ZONE', 'IN DNS'],
      report.endpoints.map((e) => [
        e.address,
        [e.ports.join(',') || '-', ...(e.missingPorts ?? []).map((m) => c.red(`lacks ${m}`))].join('\n'),
        yn(e.ready),
        yn(e.serving),
        yn(e.terminating),
        e.dnsName,
        e.pod ?? '-',
        e.node ?? '-',
        e.zone ?? '-',
        e.inDns ? c.green('yes') : c.red(`no: ${e.why ?? ''}`),
      ]),
      c,
    )
    if (report.endpoints.some((e) => e.origin !== 'observed')) out += c.dim(`(endpoints ${[...new Set(report.endpoints.map((e) => e.origin))].filter((o) => o !== 'observed').join(', ')} by kdisco)`) + '\n'
  } else {
    out += c.yellow('No endpoints.') + '\n'
  }
  if (report.podsWithoutEndpoint.length > 0) {
    out += `\n${c.bold('Selected pods without an endpoint')}\n`
    out += table(['POD', 'PHASE', 'WHY'], report.podsWithoutEndpoint.map((p) => [p.pod, p.phase, p.reason]), c)
  }
  if (report.nearMisses.length > 0) {
    out += `\n${c.bold('Near misses')} ${c.dim('(pods that miss the selector by one label, likely a slip)')}\n`
    out += table(['POD', 'LABEL', 'SELECTOR WANTS', 'POD HAS'], report.nearMisses.map((m) => [m.pod, m.label, `${m.label}=${m.want}`, m.have === null ? `(missing)${m.instead ? ` but ${m.instead}` : ''}` : `${m.label}=${m.have}`]), c)
  }
  if (report.notes.length > 0) out += '\n' + report.notes.map((n) => c.dim(`note: ${n}`)).join('\n') + '\n'
  return out
}
