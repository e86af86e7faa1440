import type {Finding} from '../explain/service.js'
import type {SvcExplainAllResult, SvcExplainResult} from '../results.js'
import type {ObservedQuery} from '../compare/report.js'
import {answerSummary, diffItems, rcodeText, statusMark} from './records.js'
import {kubectlName, nameLines} from './object-names.js'
import {type TableOptions, styler, table} from './style.js'
import {byCodeUnits} from '../order.js'
import {plural} from '../words.js'

export async function renderServiceExplanation(x: SvcExplainResult, options: TableOptions = {}): Promise<string> {
  const c = await styler()
  let out = `${c.bold('Service')}  ${x.service.namespace}/${x.service.name}\n\n${c.bold('What it is')}\n`
  out += x.description.map((d) => `  ${d}`).join('\n') + '\n\n'
  const probed = x.summary !== undefined
  const mark = (q: ObservedQuery) => (q.status === 'match' || q.status === 'unprobed' ? statusMark(q.status, c) : c.red(`✗ ${[q.status, diffItems(q.diff).join(', ')].filter(Boolean).join(' ')}`))
  out += `${c.bold('DNS')}${probed ? c.dim(` (observed via ${x.probe?.vantages.join(', ')})`) : ''}\n` + table(['NAME', 'TYPE', 'RCODE', 'ANSWER', ...(probed ? ['LIVE'] : [])], x.dns.map((q) => [q.name, q.type, rcodeText(q.expected.rcode, q.expected.answers.length, c, q.expected.forwarded), answerSummary(q.expected.answers, 3), ...(probed ? [mark(q as ObservedQuery)] : [])]), c, options)
  if (x.summary) out += `${x.summary.mismatch === 0 ? c.green('✓') : c.red('✗')} ${x.summary.match} of ${x.summary.total} answers match live DNS\n`
  out += `\n${c.bold('Environment')} ${c.dim('(pods started after the Service, with enableServiceLinks on; pods created earlier lack them)')}\n`
  out += x.environment.length ? x.environment.map((e) => `  ${e.name}=${e.value}`).join('\n') + '\n' : c.dim('  none: only Services with a cluster IP get variables') + '\n'
  out += `\n${c.bold('Findings')}\n`
  if (x.findings.length === 0) out += c.green('  ✓ none') + '\n'
  for (const f of x.findings) out += `  ${f.code} ${severity(f, c)}  ${f.message}\n  ${c.dim(`       → ${f.hint}`)}\n`
  return out
}

type Styler = Awaited<ReturnType<typeof styler>>

function severity(f: Finding, c: Styler): string {
  return f.severity === 'error' ? c.red(f.severity) : f.severity === 'warning' ? c.yellow(f.severity) : c.cyan(f.severity)
}

/** svc explain --all's findings in the table's order: errors first, then by object and code. */
function lintRows(r: SvcExplainAllResult): {f: Finding; object: string; service?: string}[] {
  const rows = [...r.services.flatMap((s) => s.findings.map((f) => ({f, object: `svc/${s.service.namespace}/${s.service.name}`, service: `Service ${s.service.namespace}/${s.service.name}`}))), ...r.findings.map((f) => ({f, object: f.objects[0] ?? ''}))]
  const order = {error: 0, warning: 1, info: 2}
  return rows.sort((a, b) => order[a.f.severity] - order[b.f.severity] || byCodeUnits(a.object, b.object) || byCodeUnits(a.f.code, b.f.code))
}

/**
 * -o name: the objects the findings concern, as kubectl get -o name prints them (service/web, pod/web-0,
 * statefulset.apps/db), each once, in the table's order. A finding about no object (KD123 names a DNS answer)
 * stands for its Service.
 */
export function findingNames(x: SvcExplainResult | SvcExplainAllResult): string {
  const rows = 'services' in x ? lintRows(x) : x.findings.map((f) => ({f, service: `Service ${x.service.namespace}/${x.service.name}`}))
  return nameLines(rows.flatMap(({f, service}) => {
    const objects = f.objects.filter((o) => kubectlName(o) !== undefined)
    return objects.length ? objects : service ? [service] : []
  }))
}

/** svc explain --all: one row per finding, then the counts. */
export async function renderLint(r: SvcExplainAllResult, options: TableOptions = {}): Promise<string> {
  const c = await styler()
  const rows = lintRows(r)
  let out = rows.length ? table(['SEVERITY', 'CODE', 'OBJECT', 'FINDING'], rows.map(({f, object}) => [severity(f, c), f.code, object, `${f.message}\n${c.dim(`→ ${f.hint}`)}`]), c, options) : c.green('✓ no findings') + '\n'
  const s = r.summary
  out += `\n${plural(s.services, 'Service')}: ${s.error ? c.red(plural(s.error, 'error')) : '0 errors'}, ${s.warning ? c.yellow(plural(s.warning, 'warning')) : '0 warnings'}, ${s.info} info\n`
  return out
}
