import type {PodLookupResult} from '../results.js'
import {answerSummary, diffItems, rcodeText, statusMark} from './records.js'
import {type TableOptions, fields, styler, table} from './style.js'

export async function renderPodLookup(id: PodLookupResult, options: TableOptions = {}): Promise<string> {
  const c = await styler()
  const p = id.pod
  let out = fields(
    [
      ['Pod', `${p.namespace}/${p.name}  ${c.dim(`${p.status}, ${p.ready ? 'ready' : 'not ready'}, IP ${p.ips.join(', ') || 'none'}${p.node ? `, node ${p.node}` : ''}`)}`],
      ['Hostname', `${p.hostname}${p.subdomain ? `  ${c.dim(`subdomain ${p.subdomain}`)}` : ''}`],
    ],
    c,
  )
  out += '\n'
  const rows: string[][] = []
  if (id.hostnameRecord) {
    const h = id.hostnameRecord
    rows.push(['hostname.subdomain', h.name, h.type, rcodeText(h.rcode, h.answers.length, c), answerSummary(h.answers, 2), c.dim((h.notes ?? []).join('\n'))])
  }
  for (const e of id.endpointNames.filter((e) => e.name !== id.hostnameRecord?.name)) rows.push([`endpoint of ${e.service}`, e.name, e.type, rcodeText(e.rcode, e.answers.length, c), answerSummary(e.answers, 2), c.dim(e.ready ? '' : 'endpoint not ready')])
  for (const r of id.podRecords) rows.push(['pod record', r.name, r.type, rcodeText(r.rcode, r.answers.length, c), answerSummary(r.answers, 2), c.dim((r.notes ?? []).join('\n'))])
  if (rows.length > 0) out += table(['RECORD', 'NAME', 'TYPE', 'RCODE', 'ANSWER', 'NOTE'], rows, c, options) + '\n'
  else out += c.dim('This pod has no IP yet, so it has no DNS records.') + '\n\n'
  out += `${c.bold('/etc/resolv.conf')} ${c.dim(`(dnsPolicy ${id.resolvConf.policy}${id.resolvConf.effectivePolicy !== id.resolvConf.policy ? `, applied as ${id.resolvConf.effectivePolicy}` : ''})`)}\n`
  out += id.resolvConf.text.trimEnd().replace(/^/gm, '  ') + '\n\n'
  if (id.resolvConfObserved) {
    out += id.resolvConfObserved.matches ? c.green('✓ the pod\'s real /etc/resolv.conf is the one kubelet should write\n\n') : `${c.red('✗ the pod\'s real /etc/resolv.conf differs:')}\n${id.resolvConfObserved.text.trimEnd().replace(/^/gm, '  ')}\n\n`
  }
  if (id.queries && id.summary) {
    out += `${c.bold('Observed')}\n`
    out += table(['NAME', 'TYPE', 'OBSERVED', '', 'DIFF'], id.queries.map((q) => [q.name, q.type, q.observed?.error ? c.red(q.observed.error) : rcodeText(q.observed?.rcode as never, q.observed?.answers.length ?? 0, c), statusMark(q.status, c), c.red(diffItems(q.diff).join('\n'))]), c, options)
    out += `${id.summary.mismatch === 0 ? c.green('✓') : c.red('✗')} ${id.summary.match} of ${id.summary.total} match ${c.dim(`(observed via ${id.probe?.vantages.join(', ') ?? ''})`)}\n\n`
  }
  out += `${c.bold('/etc/hosts')}\n`
  out += id.hosts === null ? c.dim("  the node's own /etc/hosts (hostNetwork pod)\n") : id.hosts.trimEnd().replace(/^/gm, '  ') + '\n'
  if (id.notes.length > 0) out += '\n' + id.notes.map((n) => c.dim(`note: ${n}`)).join('\n') + '\n'
  return out
}
