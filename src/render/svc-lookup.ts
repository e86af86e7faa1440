import type {ObservedQuery} from '../compare/report.js'
import type {Route} from '../dns/records.js'
import type {SvcLookupResult} from '../results.js'
import {answerSummary, diffItems, rcodeText, routeText, statusMark} from './records.js'
import {type TableOptions, fields, styler, table} from './style.js'

export async function renderServiceLookup(report: SvcLookupResult, options: TableOptions = {}): Promise<string> {
  const c = await styler()
  const s = report.service
  const what =
    s.kind === 'ExternalName'
      ? `ExternalName → ${s.externalName ?? '?'}`
      : s.kind === 'Headless'
        ? 'headless (clusterIP: None): DNS returns the ready endpoint IPs'
        : `${s.type}, cluster IP ${s.clusterIPPending ? 'allocated when it is created (the manifest sets none)' : s.clusterIPs.join(', ') || 'none'}`
  const origin = s.endpoints.origin.filter((o) => o !== 'observed')
  const derived = origin.length > 0 ? c.yellow(` (${origin.join(', ')} by kdisco)`) : ''
  let out = fields(
    [
      ['Service', `${s.namespace}/${s.name}  ${c.dim(what)}`],
      ['FQDN', s.fqdn],
      ...(s.kind !== 'ExternalName' ? [['Endpoints', `${s.endpoints.ready} ready of ${s.endpoints.total}${derived}`] as [string, string]] : []),
    ],
    c,
  )
  out += '\n'
  const probed = report.summary !== undefined
  const mark = (q: ObservedQuery) => statusMark(q.status, c)
  const observedCell = (q: ObservedQuery) => {
    const o = q.observed
    if (!o) return c.dim('-')
    if (o.error) return c.red(o.error)
    const diff = diffItems(q.diff).map((d) => c.red(d))
    const app = o.application ? ['tool' in o.application ? c.dim(`apps (getent): ${o.application.found ? o.application.addresses.join(' ') : 'not found'}`) : c.dim(`apps: ${o.application.unavailable}`)] : []
    return [`${rcodeText(o.rcode as never, o.answers.length, c)}${q.status === 'rcode' ? c.red(' ≠ expected') : ''}`, ...(diff.length ? diff : o.answers.length ? [answerSummary(o.answers)] : []), ...app].join('\n')
  }
  const direct = report.queries.filter((q) => q.kind !== 'short-name') as ObservedQuery[]
  out += table(
    ['NAME', 'TYPE', probed ? 'EXPECTED' : 'RCODE', ...(probed ? [] : ['ANSWER']), ...(probed ? ['OBSERVED', ''] : []), 'NOTE'],
    direct.map((q) => [
      q.name,
      q.type,
      probed ? [rcodeText(q.expected.rcode, q.expected.answers.length, c, q.expected.forwarded), answerSummary(q.expected.answers)].join('\n') : rcodeText(q.expected.rcode, q.expected.answers.length, c, q.expected.forwarded),
      ...(probed ? [] : [answerSummary(q.expected.answers)]),
      ...(probed ? [observedCell(q), mark(q)] : []),
      c.dim((q.notes ?? []).join('\n')),
    ]),
    c,
    options,
  )
  const short = report.queries.filter((q) => q.kind === 'short-name')
  if (short.length > 0) {
    const conf = report.probe?.resolvConf
    out += `\n${c.bold('Short names')} ${c.dim(`(resolved through a ClusterFirst pod's search list, ndots:5${conf ? `; observed through the probe pod's own /etc/resolv.conf in ${conf.namespace}` : ''})`)}\n`
    out += table(
      ['FROM NS', 'NAME', 'QUERIES', 'RCODE', 'ANSWER', ...(probed ? ['OBSERVED', ''] : [])],
      (short as ObservedQuery[]).map((q) => [
        q.from ?? '',
        q.name,
        String(q.tried?.length ?? 1),
        rcodeText(q.expected.rcode, q.expected.answers.length, c, q.expected.forwarded),
        answerSummary(q.expected.answers, 2),
        ...(probed ? [observedCell(q), mark(q)] : []),
      ]),
      c,
      options,
    )
  }
  out += routes(report.queries as ObservedQuery[], c, options)
  if (report.predicted.length > 0) {
    out += `\n${c.bold('Predicted')} ${c.dim('(StatefulSet pods that do not exist yet)')}\n`
    out += table(
      ['NAME', 'POD', 'IP', 'TODAY'],
      report.predicted.map((p) => [p.name, `${p.statefulSet}/${p.pod}`, p.reason ? c.red(`will not resolve: ${p.reason}`) : c.yellow('<pending>'), rcodeText(p.rcode, 0, c)]),
      c,
      options,
    )
  }
  if (report.summary) {
    const s2 = report.summary
    const via = report.probe?.vantages.join(', ') ?? ''
    out += `\n${s2.mismatch === 0 ? c.green('✓') : c.red('✗')} ${s2.match} of ${s2.total} match, ${s2.mismatch} mismatch, ${s2.unprobed} not compared ${c.dim(`(observed via ${via})`)}\n`
    for (const n of report.probe?.notes ?? []) out += c.dim(`probe: ${n}`) + '\n'
    const disagreements = (report.queries as ObservedQuery[]).filter((q) => q.kind === 'short-name' && q.status !== 'match').flatMap((q) => (q.notes ?? []).filter((n) => n.includes('replicas')).map((n) => `${q.name} ${q.type}: ${n}`))
    for (const d of disagreements) out += c.yellow(d) + '\n'
  }
  if (report.notes.length > 0) out += '\n' + report.notes.map((n) => c.dim(`note: ${n}`)).join('\n') + '\n'
  return out
}

/** Which server block and plugins answer the names: one line when they all take the same route. */
function routes(queries: (ObservedQuery & {route?: Route})[], c: Awaited<ReturnType<typeof styler>>, options: TableOptions): string {
  const byRoute = new Map<string, string[]>()
  for (const q of queries) {
    if (!q.route) continue
    const text = routeText(q.route)
    byRoute.set(text, [...(byRoute.get(text) ?? []), q.kind === 'short-name' ? `${q.name} (from ${q.from})` : `${q.name} ${q.type}`])
  }
  if (byRoute.size === 0) return ''
  if (byRoute.size === 1) return `\n${c.bold('Route')}  ${[...byRoute.keys()][0]} ${c.dim('(every name)')}\n`
  return `\n${c.bold('Routes')}\n` + table(['ROUTE', 'NAMES'], [...byRoute].map(([route, names]) => [route, names.length > 4 ? `${names.slice(0, 4).join('\n')}\n… ${names.length - 4} more` : names.join('\n')]), c, options)
}
