import {formatSelector} from '../cluster/labels.js'
import type {SvcEndpointsResult} from '../results.js'
import {type TableOptions, styler, table} from './style.js'

const yn = (v: boolean | null) => (v === null ? '-' : v ? 'yes' : 'no')

export interface EndpointsTableOptions extends TableOptions {
  /** -o wide: the EndpointSlice's own columns too (serving, terminating, node, zone, hostname, targetRef, slice). */
  wide?: boolean
  /** --show-labels: each pod's labels (kdisco reads them from the pods; the result does not carry them). */
  podLabels?: ReadonlyMap<string, Record<string, string> | undefined>
}

export async function renderServiceEndpoints(report: SvcEndpointsResult, options: EndpointsTableOptions = {}): Promise<string> {
  const c = await styler()
  const s = report.service
  const wide = options.wide === true
  const labels = options.podLabels
  const labelsOf = (pod: string | undefined) => (pod === undefined ? '<none>' : formatSelector(labels?.get(pod)) || '<none>')
  const tables: TableOptions = {noHeaders: options.noHeaders, ...(wide ? {width: undefined} : {})}
  let out = `${c.bold('Service')}  ${s.namespace}/${s.name}  ${c.dim(`${s.kind === 'Headless' ? 'headless' : s.type}, ${s.endpoints.ready} ready of ${s.endpoints.total}${s.selector ? `, selector ${formatSelector(s.selector)}` : ''}`)}\n\n`
  if (report.endpoints.length > 0) {
    out += table(
      ['ADDRESS', 'PORTS', 'READY', ...(wide ? ['SERVING', 'TERMINATING'] : []), 'DNS NAME', 'POD', ...(wide ? ['NODE', 'ZONE', 'HOSTNAME', 'TARGETREF', 'SLICE'] : []), 'IN DNS', ...(labels ? ['LABELS'] : [])],
      report.endpoints.map((e) => [
        e.address,
        [e.ports.join(',') || '-', ...(e.missingPorts ?? []).map((m) => c.red(`lacks ${m}`))].join('\n'),
        yn(e.ready),
        ...(wide ? [yn(e.serving), yn(e.terminating)] : []),
        e.dnsName,
        e.pod ?? '-',
        ...(wide ? [e.node ?? '-', e.zone ?? '-', e.hostname ?? '-', e.targetRef ?? '-', e.slice] : []),
        e.inDns ? c.green('yes') : c.red(`no: ${e.why ?? ''}`),
        ...(labels ? [labelsOf(e.pod)] : []),
      ]),
      c,
      tables,
    )
    if (report.endpoints.some((e) => e.origin !== 'observed')) out += c.dim(`(endpoints ${[...new Set(report.endpoints.map((e) => e.origin))].filter((o) => o !== 'observed').join(', ')} by kdisco)`) + '\n'
  } else {
    out += c.yellow('No endpoints.') + '\n'
  }
  if (report.podsWithoutEndpoint.length > 0) {
    out += `\n${c.bold('Selected pods without an endpoint')}\n`
    out += table(['POD', 'PHASE', 'WHY', ...(labels ? ['LABELS'] : [])], report.podsWithoutEndpoint.map((p) => [p.pod, p.phase, p.reason, ...(labels ? [labelsOf(p.pod)] : [])]), c, tables)
  }
  if (report.nearMisses.length > 0) {
    out += `\n${c.bold('Near misses')} ${c.dim('(pods that miss the selector by one label, likely a slip)')}\n`
    out += table(
      ['POD', 'LABEL', 'SELECTOR WANTS', 'POD HAS', ...(labels ? ['LABELS'] : [])],
      report.nearMisses.map((m) => [m.pod, m.label, `${m.label}=${m.want}`, m.have === null ? `(missing)${m.instead ? ` but ${m.instead}` : ''}` : `${m.label}=${m.have}`, ...(labels ? [labelsOf(m.pod)] : [])]),
      c,
      tables,
    )
  }
  if (report.notes.length > 0) out += '\n' + report.notes.map((n) => c.dim(`note: ${n}`)).join('\n') + '\n'
  return out
}
