// -o junit and -o sarif are what CI systems read: JUnit XML is validated with xmllint against the Jenkins xUnit
// plugin's JUnit schema (test/fixtures/junit), SARIF against the OASIS SARIF 2.1.0 JSON schema (test/fixtures/sarif).
import ajv from 'ajv'
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FINDING_RULES} from '../../src/explain/codes.js'
import {requireBinaries} from '../support/binaries.js'
import {ROOT, kdisco, kdiscoAsync} from '../support/cli.js'
import {type Responder, readQuery, reply, startResponder} from '../support/dns-responder.js'

const JUNIT_XSD = join(ROOT, 'test/fixtures/junit/jenkins-junit-10.xsd')

interface Sarif {
  version: string
  runs: {results: {ruleId: string; level: string; message: {text: string}; locations: {physicalLocation: {artifactLocation: {uri: string}; region?: {startLine: number}}; logicalLocations: {fullyQualifiedName: string}[]}[]}[]}[]
}

/** The OASIS schema is draft-04: its `id` is draft-07's `$id`, and it uses no other keyword the drafts read differently. */
function sarifValidator() {
  const schema = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'))
  schema.$id = schema.id
  delete schema.id
  delete schema.$schema
  const Ajv = ajv.default
  const validator = new Ajv({allErrors: true, strict: false})
  const parses = (text: string) => {
    try {
      return Boolean(new URL(text, 'file:///'))
    } catch {
      return false
    }
  }
  validator.addFormat('uri', (text: string) => /^[a-z][a-z0-9+.-]*:/i.test(text) && parses(text))
  validator.addFormat('uri-reference', parses)
  validator.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)) && /^\d{4}-\d\d-\d\dT/.test(text))
  return validator.compile(schema)
}

describe('CI report formats: -o junit and -o sarif', function () {
  this.timeout(60000)
  let xmllint: string
  let dir: string

  before(function () {
    xmllint = requireBinaries(this, ['xmllint'], 'apt-get install libxml2-utils').xmllint
    dir = mkdtempSync(join(tmpdir(), 'kdisco-ci-formats-'))
  })
  after(() => dir && rmSync(dir, {recursive: true, force: true}))

  /** The JUnit XML valid against the schema (xmllint's verdict), and its test cases. */
  function validJunit(xml: string) {
    const file = join(dir, 'report.xml')
    writeFileSync(file, xml)
    const r = spawnSync(xmllint, ['--noout', '--schema', JUNIT_XSD, file], {encoding: 'utf8'})
    expect(r.status, `xmllint: ${r.stderr}`).to.equal(0)
    expect(r.stderr).to.include('validates')
    return [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"(\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({classname: m[1], name: m[2], body: m[4] ?? ''}))
  }

  it('the schema check fails for a report that breaks it', () => {
    const file = join(dir, 'broken.xml')
    writeFileSync(file, '<testsuites><testsuite name="x"><testcase/></testsuite></testsuites>')
    expect(spawnSync(xmllint, ['--noout', '--schema', JUNIT_XSD, file]).status).to.not.equal(0)
  })

  it('svc lookup -o junit: a test case per query, skipped without a probe', () => {
    const json = JSON.parse(kdisco(['svc', 'lookup', 'kubia-headless', '-f', 'examples/', '-o', 'json']).stdout) as {queries: {name: string; type: string}[]}
    const r = kdisco(['svc', 'lookup', 'kubia-headless', '-f', 'examples/', '-o', 'junit'])
    expect(r.status, r.stderr).to.equal(0)
    const cases = validJunit(r.stdout)
    expect(cases.map((c) => c.name.split(' ').slice(0, 2).join(' '))).to.deep.equal(json.queries.map((q) => `${q.name} ${q.type}`))
    expect(cases.every((c) => c.body.includes('<skipped') && c.body.includes('expected: '))).to.equal(true)
  })

  describe('with a probe: failures carry expected vs observed', () => {
    let dns: Responder
    before(async () => {
      // Answers 10.0.0.1 for kubia.default.svc.cluster.local. A, NXDOMAIN for everything else.
      dns = await startResponder({udp: (q, send) => {
        const query = readQuery(q)
        send(query.name === 'kubia.default.svc.cluster.local' && query.type === 'A' ? reply(query, {answers: [{data: '10.0.0.1'}]}) : reply(query, {rcode: 'NXDOMAIN'}))
      }})
    })
    after(() => dns?.close())

    it('svc lookup --probe server -o junit: every query a case, each mismatch a failure', async () => {
      const r = await kdiscoAsync(['svc', 'lookup', 'kubia', '-f', 'examples/', '--probe', 'server', '--dns-server', `127.0.0.1:${dns.port}`, '-o', 'junit'])
      expect(r.status, r.stderr).to.equal(1)
      const cases = validJunit(r.stdout)
      const a = cases.find((c) => c.name === 'kubia.default.svc.cluster.local. A')!
      expect(a.body).to.include('<failure type="').and.include('expected: NOERROR A 10.107.244.106').and.include('observed: NOERROR A 10.0.0.1')
      const srv = cases.find((c) => c.name === 'kubia.default.svc.cluster.local. SRV')!
      expect(srv.body).to.include('observed: NXDOMAIN')
      expect(r.stdout).to.match(new RegExp(`failures="${cases.filter((c) => c.body.includes('<failure')).length}"`))
    })

    it('dns lookup --probe server -o junit: the verdict is one case', async () => {
      const r = await kdiscoAsync(['dns', 'lookup', 'kubia', '-f', 'examples/', '--probe', 'server', '--dns-server', `127.0.0.1:${dns.port}`, '-o', 'junit'])
      expect(r.status, r.stderr).to.equal(1)
      const cases = validJunit(r.stdout)
      expect(cases).to.have.length(1)
      expect(cases[0].name).to.equal('kubia A from default')
      expect(cases[0].body).to.include('<failure').and.include('expected: NOERROR A 10.107.244.106').and.include('observed: NOERROR A 10.0.0.1')
    })
  })

  it('svc explain --all -o junit: a case per Service and per dangling reference, failed by errors and warnings', () => {
    const json = JSON.parse(kdisco(['svc', 'explain', '--all', '-A', '-f', 'examples/', '-o', 'json']).stdout) as {services: {service: {name: string}; findings: {code: string; severity: string}[]}[]; findings: {code: string}[]}
    const r = kdisco(['svc', 'explain', '--all', '-A', '-f', 'examples/', '-o', 'junit'])
    const cases = validJunit(r.stdout)
    expect(cases).to.have.length(json.services.length + json.findings.length)
    for (const s of json.services) {
      const c = cases.find((x) => x.name === `Service ${s.service.name}`)!
      const bad = s.findings.filter((f) => f.severity !== 'info')
      expect(c.body.includes('<failure'), s.service.name).to.equal(bad.length > 0)
      for (const f of s.findings) expect(c.body).to.include(f.code)
    }
    expect(cases.find((c) => c.name === 'StatefulSet web')!.body).to.include('<failure type="error"').and.include('KD114')
  })

  it('svc explain --all -f -o sarif: valid SARIF 2.1.0, each finding at the file and line of its objects', () => {
    const validate = sarifValidator()
    expect(validate({version: '2.1.0', runs: [{tool: {driver: {}}}]}), 'the schema check must be able to fail').to.equal(false)
    const r = kdisco(['svc', 'explain', '--all', '-A', '-f', 'examples/', '-o', 'sarif'])
    expect(r.status, r.stderr).to.equal(0)
    const log = JSON.parse(r.stdout) as Sarif
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true)
    const json = JSON.parse(kdisco(['svc', 'explain', '--all', '-A', '-f', 'examples/', '-o', 'json']).stdout) as {services: {findings: unknown[]}[]; findings: unknown[]}
    const results = log.runs[0].results
    expect(results).to.have.length(json.services.flatMap((s) => s.findings).length + json.findings.length)
    for (const result of results) {
      expect(result.locations.length, result.ruleId).to.be.greaterThan(0)
      for (const loc of result.locations) {
        // The line is where the object's document starts: its kind and name follow before the next document.
        const [kind, ref] = loc.logicalLocations[0].fullyQualifiedName.split(' ')
        const lines = readFileSync(join(ROOT, loc.physicalLocation.artifactLocation.uri), 'utf8').split('\n')
        const start = loc.physicalLocation.region!.startLine - 1
        const end = lines.findIndex((l, i) => i > start && l === '---')
        const doc = lines.slice(start, end < 0 ? undefined : end).join('\n')
        expect(doc, `${kind} ${ref} at ${loc.physicalLocation.artifactLocation.uri}:${start + 1}`).to.match(new RegExp(`kind: ${kind}\\b`)).and.match(new RegExp(`name: ${ref.split('/').at(-1)}\\b`))
      }
    }
    expect(results.find((x) => x.ruleId === 'KD114')!.level).to.equal('error')
  })

  it('-o sarif: the rules are the catalogue of finding codes, with descriptions, help and default levels', () => {
    const log = JSON.parse(kdisco(['svc', 'explain', '--all', '-A', '-f', 'examples/', '-o', 'sarif']).stdout) as Sarif & {runs: {tool: {driver: {rules: {id: string; shortDescription: {text: string}; fullDescription: {text: string}; help: {text: string}; helpUri: string; defaultConfiguration: {level: string}}[]}}}[]}
    const {rules} = log.runs[0].tool.driver
    expect(rules.map((r) => r.id)).to.deep.equal(FINDING_RULES.map((r) => r.code))
    const kd102 = rules.find((r) => r.id === 'KD102')!
    expect(kd102.shortDescription.text).to.equal('selected pods not ready (which container, which probe)')
    expect(kd102.fullDescription.text).to.match(/^Some pods the Service selects are not ready/)
    expect(kd102.help.text).to.include('kubectl describe pod')
    expect(kd102.helpUri).to.equal('https://github.com/kdisco/kdisco#finding-codes')
    expect(rules.find((r) => r.id === 'KD103')!.defaultConfiguration.level).to.equal('note')
    for (const result of log.runs[0].results as unknown as {ruleId: string; ruleIndex: number}[]) expect(rules[result.ruleIndex].id).to.equal(result.ruleId)
  })

  it('-o sarif: three Services selecting one pod that is not ready are three results naming their Service, each linked to its manifest', () => {
    const file = join(dir, 'three.yaml')
    const svc = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec:\n  clusterIP: 10.96.0.${name.length}\n  selector: {app: web}\n  ports: [{port: 80}]\n`
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web-0, namespace: default, labels: {app: web}}\nspec:\n  containers: [{name: web, image: nginx, readinessProbe: {httpGet: {path: /, port: 80}}}]\nstatus:\n  phase: Running\n  podIP: 10.244.0.9\n  conditions: [{type: Ready, status: "False"}]\n  containerStatuses: [{name: web, ready: false, restartCount: 0}]\n'
    writeFileSync(file, [svc('a'), svc('bb'), svc('ccc'), pod].join('---\n'))
    const r = kdisco(['svc', 'explain', '--all', '-f', file, '-o', 'sarif'])
    expect(r.status, r.stderr).to.equal(0)
    const log = JSON.parse(r.stdout)
    expect(sarifValidator()(log)).to.equal(true)
    const kd102 = log.runs[0].results.filter((x: {ruleId: string}) => x.ruleId === 'KD102')
    expect(kd102.map((x: {message: {text: string}}) => x.message.text.split(':')[0])).to.deep.equal(['[Service default/a](1)', '[Service default/bb](1)', '[Service default/ccc](1)'])
    // All three at the pod's line; each related location is its own Service's document.
    expect(new Set(kd102.map((x: Sarif['runs'][0]['results'][0]) => x.locations[0].physicalLocation.region!.startLine))).to.deep.equal(new Set([25]))
    expect(kd102.map((x: {relatedLocations: {id: number; physicalLocation: {region: {startLine: number}}; message: {text: string}}[]}) => x.relatedLocations.map((l) => [l.id, l.physicalLocation.region.startLine, l.message.text]))).to.deep.equal([[[1, 1, 'Service default/a']], [[1, 9, 'Service default/bb']], [[1, 17, 'Service default/ccc']]])
  })

  it('-o sarif needs -f and --all; -o junit needs --all on svc explain', () => {
    expect(kdisco(['svc', 'explain', '--all', '-o', 'sarif', '--kubeconfig', '/nonexistent']).stderr).to.match(/^Error: -o sarif points at manifest files: it needs -f/)
    const r = kdisco(['svc', 'explain', 'kubia', '-f', 'examples/', '-o', 'junit'])
    expect(r.status).to.equal(2)
    expect(r.stderr).to.match(/^Error: -o junit reports --all/)
  })
})
