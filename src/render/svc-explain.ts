import type {ServiceExplanation} from '../explain/service.js'
import {answerSummary, rcodeText} from './records.js'
import {styler, table} from './style.js'

export async function renderServiceExplanation(x: ServiceExplanation): Promise<string> {
  const c = await styler()
  let out = `${c.bold('Service')}  ${x.service.namespace}/${x.service.name}\n\n${c.bold('What it is')}\n`
  out += x.description.map((d) => `  ${d}`).join('\n') + '\n\n'
  out += `${c.bold('DNS')}\n` + (await table(['NAME', 'TYPE', 'RCODE', 'ANSWER'], x.dns.map((q) => [q.name, q.type, rcodeText(q.expected.rcode, q.expected.answers.length, c, q.expected.forwarded), answerSummary(q.expected.answers, 3)]), c))
  out += `\n${c.bold('Environment')} ${c.dim('(pods started after the Service, with enableServiceLinks on; pods created earlier lack them)')}\n`
  out += x.environment.length ? x.environment.map((e) => `  ${e.name}=${e.value}`).join('\n') + '\n' : c.dim('  none: only Services with a cluster IP get variables') + '\n'
  out += `\n${c.bold('Findings')}\n`
  if (x.findings.length === 0) out += c.green('  ✓ none') + '\n'
  for (const f of x.findings) {
    const sev = f.severity === 'error' ? c.red(f.severity) : f.severity === 'warning' ? c.yellow(f.severity) : c.cyan(f.severity)
    out += `  ${f.code} ${sev}  ${f.message}\n  ${c.dim(`       → ${f.hint}`)}\n`
  }
  return out
}
