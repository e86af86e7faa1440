// dig-style text for records and answers.
import type {ChalkInstance} from 'chalk'
import type {Rcode, ResourceRecord, Route} from '../dns/records.js'

export function recordLine(r: ResourceRecord): string {
  const data = r.type === 'TXT' ? `"${r.data.replace(/(["\\])/g, '\\$1')}"` : r.data
  return `${r.name}\t${r.ttl}\tIN\t${r.type}\t${data}`
}

/** Aligned record lines (columns padded, not tab-separated) for terminal output. */
export function recordBlock(records: ResourceRecord[], indent = ''): string {
  if (records.length === 0) return ''
  const cols = records.map((r) => recordLine(r).split('\t'))
  const widths = cols[0].map(() => 0)
  for (const c of cols) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], c[i].length)
  return cols.map((c) => indent + c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join('  ')).join('\n') + '\n'
}

export function rcodeText(rcode: Rcode | null, answers: number, chalk: ChalkInstance, forwarded?: boolean): string {
  if (rcode === null) return chalk.dim(forwarded ? 'upstream (not predicted)' : 'not predicted')
  if (rcode === 'NOERROR' && answers === 0) return chalk.yellow('NOERROR (no data)')
  if (rcode === 'NOERROR') return chalk.green('NOERROR')
  return chalk.red(rcode)
}

/** Short answer summary for a table cell. */
export function answerSummary(answers: ResourceRecord[], limit = 4): string {
  if (answers.length === 0) return '-'
  const data = answers.map((a) => (a.type === 'CNAME' ? `CNAME ${a.data}` : a.data))
  // "… 1 more" would take the line the answer itself needs: the summary only ever stands for two or more.
  return data.length > limit + 1 ? `${data.slice(0, limit).join('\n')}\n… ${data.length - limit} more` : data.join('\n')
}

/** A verdict as one mark: ✓ match, · not compared, ✗ anything else. */
export function statusMark(status: string, chalk: ChalkInstance): string {
  return status === 'match' ? chalk.green('✓') : status === 'unprobed' ? chalk.dim('·') : chalk.red('✗')
}

/** What a verdict found different, one item per record: "missing A 10.0.0.1", "unexpected …". */
export function diffItems(diff: {missing: string[]; unexpected: string[]} | undefined): string[] {
  return diff ? [...diff.missing.map((m) => `missing ${m}`), ...diff.unexpected.map((u) => `unexpected ${u}`)] : []
}

/**
 * A route on one line: `.:53 rewrite → kubernetes (as web.prod.svc.cluster.local.)`, `.:53 forward → 10.0.0.2`, and
 * NodeLocal DNSCache's hop in front: `node-local cluster.local:53 cache → forward ⇒ .:53 kubernetes`.
 */
export function routeText(route: Route | undefined): string {
  if (!route) return '-'
  const hop = (server: string, plugins: string[]) => `${server} ${plugins.length > 0 ? plugins.join(' → ') : '(no plugin)'}`
  let text = hop(route.server, route.plugins)
  if (route.rewritten) text += ` (as ${route.rewritten})`
  if (route.autopath?.answeredBy) text += ` (autopath: ${route.autopath.answeredBy})`
  if (route.upstream) text += ` → ${route.upstream.join(', ')}`
  if (route.nodeLocal) {
    const local = `node-local ${hop(route.nodeLocal.server, route.nodeLocal.plugins)}`
    return route.nodeLocal.alone ? `${local}${route.upstream ? ` → ${route.upstream.join(', ')}` : ''}` : `${local} ⇒ ${text}`
  }
  return text
}
