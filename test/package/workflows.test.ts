// The GitHub Actions workflows kdisco ships: the release workflow and the documented example for users (docs/ci/),
// linted by actionlint (built from its Go module at a pinned version), which checks run: scripts with shellcheck.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {requireBinaries} from '../support/binaries.js'
import {ROOT} from '../support/cli.js'
import {requireTools} from './standalone-build.js'

const WORKFLOWS = ['.github/workflows/release.yml', 'docs/ci/kdisco.yml']

describe('GitHub Actions workflows: linted by actionlint (with shellcheck)', () => {
  let actionlint: string

  before(function () {
    actionlint = requireTools(this, ['actionlint']).actionlint
    requireBinaries(this, ['shellcheck'], 'apt-get install shellcheck')
  })

  const lint = (files: string[]) => spawnSync(actionlint, ['-no-color', ...files], {cwd: ROOT, encoding: 'utf8', timeout: 60000})

  for (const file of WORKFLOWS) {
    it(`${file} has no findings`, () => {
      const r = lint([file])
      expect(r.stdout + r.stderr).to.equal('')
      expect(r.status).to.equal(0)
    })
  }

  it('the lint is live: a broken copy of each is caught (unknown runner, unquoted variable)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-actionlint-'))
    try {
      for (const file of WORKFLOWS) {
        const broken = readFileSync(join(ROOT, file), 'utf8').replace(/runs-on: ubuntu-24\.04\n/, 'runs-on: ubuntu-14.04\n').replace(/(\n +run: \|\n)( +)/, '$1$2cd $RUNNER_TEMP\n$2')
        const copy = join(dir, file.replaceAll('/', '_'))
        writeFileSync(copy, broken)
        const r = lint([copy])
        expect(r.status, file).to.equal(1)
        expect(r.stdout, file).to.include('label "ubuntu-14.04" is unknown')
        expect(r.stdout, file).to.include('SC2086')
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it('the example lints the manifests with SARIF and gates the deploy on svc lookup --wait', () => {
    const example = readFileSync(join(ROOT, 'docs/ci/kdisco.yml'), 'utf8')
    expect(example).to.match(/kdisco svc explain --all .*-o sarif/)
    expect(example).to.include('github/codeql-action/upload-sarif@')
    expect(example).to.match(/kubectl disco svc lookup .* --wait 2m/)
    expect(example).to.include('helm/kind-action@')
  })
})
