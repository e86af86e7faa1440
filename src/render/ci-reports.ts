// Reports for CI systems: JUnit XML (a test case per DNS query or per Service, as the Jenkins/Ant JUnit schema
// describes it) and SARIF 2.1.0 (each finding at the manifest file and line of the object it concerns), so test
// and code-scanning UIs show kdisco's verdicts and findings where people already look.
import type {ObservedQuery} from '../compare/report.js'
import type {ExpectedQuery} from '../dns/service-lookup.js'
import type {Finding} from '../explain/service.js'
import type {ResourceRecord} from '../dns/records.js'
import type {SvcExplainAllResult} from '../results.js'
import type {ObjectLocation} from '../cluster/types.js'
import {FINDING_CODES_URL, FINDING_RULES} from '../explain/codes.js'
import {diffItems} from './records.js'

interface JunitCase {
  name: string
  classname: string
  failure?: {type: string; message: string; text: string}
  skipped?: string
  out?: string
}

// XML 1.0 allows no control characters but tab and line breaks; they cannot even be escaped.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g

function xml(text: string): string {
  return text.replace(NOT_XML, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function junitXml(name: string, suites: {name: string; cases: JunitCase[]}[]): string {
  const count = (cases: JunitCase[]) => ({tests: cases.length, failures: cases.filter((c) => c.failure).length, skipped: cases.filter((c) => c.skipped !== undefined).length})
  const all = count(suites.flatMap((s) => s.cases))
  let out = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(name)}" tests="${all.tests}" failures="${all.failures}" errors="0">\n`
  for (const suite of suites) {
    const n = count(suite.cases)
    out += `  <testsuite name="${xml(suite.name)}" tests="${n.tests}" failures="${n.failures}" errors="0" skipped="${n.skipped}">\n`
    for (const c of suite.cases) {
      const body = [
        c.failure ? `      <failure type="${xml(c.failure.type)}" message="${xml(c.failure.message)}">${xml(c.failure.text)}</failure>\n` : '',
        c.skipped !== undefined ? `      <skipped message="${xml(c.skipped)}"/>\n` : '',
        c.out ? `      <system-out>${xml(c.out)}</system-out>\n` : '',
      ].join('')
      out += `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}"${body ? `>\n${body}    </testcase>\n` : '/>\n'}`
    }
    out += '  </testsuite>\n'
  }
  return out + '</testsuites>\n'
}

function answerText(rcode: string | null | undefined, answers: ResourceRecord[] | undefined): string {
  if (rcode === null || rcode === undefined) return 'not predicted'
  const data = (answers ?? []).map((a) => `${a.type} ${a.data}`)
  return data.length ? `${rcode} ${data.join(', ')}` : `${rcode} (no answers)`
}

/** A test case per query: passed when live DNS matched, failed with expected vs observed, skipped when not probed. */
function queryCase(q: ExpectedQuery | ObservedQuery, classname: string): JunitCase {
  const name = `${q.name} ${q.type}${q.from ? ` from ${q.from}` : ''}`
  const expected = answerText(q.expected.rcode, q.expected.answers)
  const status = 'status' in q ? q.status : undefined
  if (status === undefined) return {name, classname, skipped: 'not probed: add --probe to compare with live DNS', out: `expected: ${expected}`}
  if (status === 'unprobed') return {name, classname, skipped: 'not compared (answered upstream, or not asked)', out: `expected: ${expected}`}
  if (status === 'match') return {name, classname, out: `expected and observed: ${expected}`}
  const q2 = q as ObservedQuery
  const observed = answerText(q2.observed?.rcode, q2.observed?.answers)
  const detail = diffItems(q2.diff)
  return {name, classname, failure: {type: status, message: `${status}${detail.length ? `: ${detail.join(', ')}` : ''}`, text: `expected: ${expected}\nobserved: ${observed}`}}
}

/** svc lookup / dns lookup: one suite, a case per query. */
export function queriesJunit(command: string, subject: string, queries: (ExpectedQuery | ObservedQuery)[]): string {
  return junitXml(`kdisco ${command}`, [{name: `${command} ${subject}`, cases: queries.map((q) => queryCase(q, subject))}])
}

const failing = (f: Finding) => f.severity === 'error' || f.severity === 'warning'
const findingLine = (f: Finding) => `${f.code} ${f.severity}: ${f.message} (${f.hint})`

/** svc explain --all: a suite per namespace, a case per Service (failed by its errors and warnings) and per dangling reference. */
export function lintJunit(r: SvcExplainAllResult): string {
  const byNamespace = new Map<string, JunitCase[]>()
  const add = (ns: string, c: JunitCase) => (byNamespace.get(ns) ?? byNamespace.set(ns, []).get(ns)!).push(c)
  const caseFor = (name: string, classname: string, findings: Finding[]): JunitCase => {
    const bad = findings.filter(failing)
    const info = findings.filter((f) => !failing(f))
    return {
      name,
      classname,
      failure: bad.length ? {type: bad.some((f) => f.severity === 'error') ? 'error' : 'warning', message: bad.map((f) => `${f.code} ${f.message}`).join('; '), text: bad.map(findingLine).join('\n')} : undefined,
      out: info.length ? info.map(findingLine).join('\n') : undefined,
    }
  }
  for (const s of r.services) add(s.service.namespace, caseFor(`Service ${s.service.name}`, s.service.namespace, s.findings))
  for (const f of r.findings) {
    const object = f.objects[0] ?? f.code
    const ns = /^\S+ ([^/]+)\//.exec(object)?.[1] ?? ''
    add(ns, caseFor(object.replace(/ [^/]+\//, ' '), ns, [f]))
  }
  return junitXml('kdisco svc explain --all', [...byNamespace].map(([ns, cases]) => ({name: `svc explain --all ${ns}`, cases})))
}

const LEVEL = {error: 'error', warning: 'warning', info: 'note'} as const

/**
 * svc explain --all -f: SARIF 2.1.0, a result per finding at the file and line of each object it names. Rules are the
 * whole catalogue (stable indices). A finding of a Service that points at other objects (KD102 at the pods not
 * ready) names the Service in its message and links the Service's manifest as a related location, so the results of
 * three Services selecting one pod are three distinguishable results at that pod.
 */
export function lintSarif(r: SvcExplainAllResult, locate: (ref: string) => ObjectLocation | undefined, version: string): string {
  const findings = [...r.services.flatMap((s) => s.findings.map((f) => ({f, service: `Service ${s.service.namespace}/${s.service.name}`}))), ...r.findings.map((f) => ({f, service: undefined}))]
  const physical = (where: ObjectLocation) => ({artifactLocation: {uri: where.file.split('\\').join('/')}, ...(where.line ? {region: {startLine: where.line}} : {})})
  const results = findings.map(({f, service}) => {
    const at = f.objects.map((o) => ({o, where: locate(o)})).filter((x) => x.where)
    const elsewhere = service !== undefined && !f.objects.includes(service)
    const serviceAt = elsewhere ? locate(service) : undefined
    const related = serviceAt ? [{id: 1, physicalLocation: physical(serviceAt), message: {text: service}}] : []
    const subject = elsewhere ? `${related.length ? `[${service}](1)` : service}: ` : ''
    const index = FINDING_RULES.findIndex((rule) => rule.code === f.code)
    return {
      ruleId: f.code,
      ...(index >= 0 ? {ruleIndex: index} : {}),
      level: LEVEL[f.severity],
      message: {text: `${subject}${f.message}. ${f.hint}`},
      locations: at.map(({o, where}) => ({
        physicalLocation: physical(where!),
        logicalLocations: [{name: o.replace(/^\S+ /, ''), kind: 'object', fullyQualifiedName: o}],
      })),
      ...(related.length ? {relatedLocations: related} : {}),
    }
  })
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kdisco',
            version,
            informationUri: FINDING_CODES_URL.replace(/#.*/, ''),
            rules: FINDING_RULES.map((rule) => ({
              id: rule.code,
              shortDescription: {text: rule.short.replace(/`/g, '')},
              fullDescription: {text: rule.full},
              help: {text: rule.help},
              helpUri: FINDING_CODES_URL,
              defaultConfiguration: {level: LEVEL[rule.level]},
            })),
          },
        },
        results,
      },
    ],
  }
  return JSON.stringify(log, null, 2) + '\n'
}
