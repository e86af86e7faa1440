// The catalogue of finding codes is the one list: every code src/explain emits has an entry, every entry is emitted
// somewhere, and README's table of finding codes says the same codes, levels and descriptions.
import {expect} from 'chai'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {FINDING_CODES_URL, FINDING_RULES} from '../../src/explain/codes.js'
import {ROOT} from '../support/cli.js'

describe('finding codes: one catalogue', () => {
  const explain = join(ROOT, 'src/explain')
  const emitted = new Set(readdirSync(explain).filter((f) => f.endsWith('.ts') && f !== 'codes.ts').flatMap((f) => [...readFileSync(join(explain, f), 'utf8').matchAll(/'(KD\d{3})'/g)].map((m) => m[1])))

  it('every code src/explain emits is in the catalogue, and every catalogue entry is emitted', () => {
    expect(emitted.size).to.be.greaterThan(20)
    expect([...emitted].sort()).to.deep.equal(FINDING_RULES.map((r) => r.code))
  })

  it('each entry is complete: a level, a short and a full description, help', () => {
    for (const r of FINDING_RULES) {
      expect(r.level, r.code).to.be.oneOf(['error', 'warning', 'info'])
      for (const text of [r.short, r.full, r.help]) expect(text.trim(), r.code).to.not.equal('')
      expect(r.full, r.code).to.match(/\.$/)
      expect(r.help, r.code).to.match(/\.$/)
    }
  })

  it("README's table of finding codes is the catalogue", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('\n#### Finding codes\n'))
    expect(section.length).to.be.lessThan(readme.length)
    const rows = [...section.slice(0, section.indexOf('\n\n', section.indexOf('| code |'))).matchAll(/^\| (KD\d{3}) \| ([^|]+) \| (.+) \|$/gm)].map((m) => ({code: m[1], level: m[2].trim(), short: m[3]}))
    expect(rows.map((r) => r.code)).to.deep.equal(FINDING_RULES.map((r) => r.code))
    for (const [i, r] of FINDING_RULES.entries()) {
      expect(rows[i].level.split(' ')[0], r.code).to.equal(r.level)
      expect(rows[i].short, r.code).to.equal(r.short)
    }
  })

  it("the rules' help link is README's section on GitHub", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    expect(FINDING_CODES_URL).to.equal(`${pkg.homepage.replace(/#.*/, '')}#finding-codes`)
  })
})
