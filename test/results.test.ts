// The JSON contract: src/results.ts holds every command's result type, schema/<command>.schema.json is generated from
// it and checked in, and every JSON output the tests produce is validated against it (test/support/cli.ts).
import {expect} from 'chai'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {generateSchemas, SCHEMA_DIR} from '../scripts/schemas.js'
import {ROOT, checkAgainstSchema, kdisco, schemaChecks} from './support/cli.js'

describe('results: the JSON contract', function () {
  this.timeout(60000)

  it('the checked-in schemas are what the result types generate (npm run schemas)', () => {
    const generated = generateSchemas()
    expect([...generated.keys()].map((f) => f.slice(SCHEMA_DIR.length)).sort()).to.deep.equal(readdirSync(SCHEMA_DIR).sort())
    for (const [file, text] of generated) expect(readFileSync(file, 'utf8'), `${file} is stale: run npm run schemas`).to.equal(text)
  })

  it('there is a schema for every command, and README links each', () => {
    // Commands under a topic (svc/list.ts → svc-list) and top-level ones (version.ts); completion and __complete print
    // a shell script and the completion protocol, never JSON.
    const withoutJson = ['completion', '__complete']
    const commands = readdirSync(join(ROOT, 'src/commands'), {withFileTypes: true}).flatMap((e) =>
      e.isDirectory() ? readdirSync(join(ROOT, 'src/commands', e.name)).map((f) => `${e.name}-${f.replace(/\.ts$/, '')}`) : withoutJson.includes(e.name.replace(/\.ts$/, '')) ? [] : [e.name.replace(/\.ts$/, '')],
    )
    expect(readdirSync(SCHEMA_DIR).map((f) => f.replace('.schema.json', '')).sort()).to.deep.equal(commands.sort())
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    for (const c of commands) expect(readme).to.include(`(schema/${c}.schema.json)`)
  })

  it('renderers never import commands: both import their result types from src/results.ts', () => {
    const dir = join(ROOT, 'src/render')
    for (const file of readdirSync(dir)) {
      const imports = [...readFileSync(join(dir, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1])
      expect(imports.filter((i) => i.includes('/commands/')), file).to.deep.equal([])
    }
  })

  it('the test CLI checks each JSON and YAML output against its schema, and an output that breaks it fails the test', () => {
    const before = schemaChecks.count
    const r = kdisco(['svc', 'list', '-A', '-f', 'examples/', '-o', 'json'])
    kdisco(['svc', 'list', '-A', '-f', 'examples/', '-o', 'yaml'])
    expect(schemaChecks.count).to.equal(before + 2)
    const out = JSON.parse(r.stdout)
    const broken = (value: unknown) => () => checkAgainstSchema(['svc', 'list', '-o', 'json'], {status: 0, stdout: JSON.stringify(value), stderr: ''})
    expect(broken(out)).to.not.throw()
    // An undocumented field, a missing one, a wrong type: each breaks the contract.
    expect(broken({...out, extra: 1})).to.throw(/breaks schema\/svc-list\.schema\.json: \/ must NOT have additional properties \(extra\)/)
    const {input: _input, ...noInput} = out
    expect(broken(noInput)).to.throw(/must have required property 'input'/)
    expect(broken({...out, services: [{...out.services[0], endpoints: {ready: '2', total: 3, origin: []}}]})).to.throw(/\/services\/0\/endpoints\/ready must be number/)
    expect(() => checkAgainstSchema(['svc', 'list', '-o', 'json'], {status: 0, stdout: 'not json', stderr: ''})).to.throw(/printed no valid json/)
  })
})
