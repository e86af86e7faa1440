// kubectl's output habits: tables that fit the terminal (and are never cut when piped), --no-headers,
// --show-labels, EXTERNAL-IP, colour as no-color.org says, `kdisco version` against the real API server.
import {expect} from 'chai'
import {Chalk} from 'chalk'
import {spawnSync} from 'node:child_process'
import {colourEnabled, displayWidth, table} from '../../src/render/style.js'
import {answerSummary} from '../../src/render/records.js'
import {requireBinaries} from '../support/binaries.js'
import {BIN, ROOT, kdisco} from '../support/cli.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {sharedCluster} from '../real-cluster/shared.js'

const plain = new Chalk({level: 0})
const tty = {isTTY: true} as NodeJS.WriteStream
const pipe = {isTTY: false} as NodeJS.WriteStream

describe('output habits', function () {
  this.timeout(60000)

  it('a table wider than the terminal wraps its widest columns to fit, losing no character', () => {
    const rows = [['web', 'a-very-long-name.with-many-labels.default.svc.cluster.local.', '10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4']]
    const out = table(['NAME', 'DNS NAME', 'ANSWER'], rows, plain, {width: 50})
    for (const line of out.trimEnd().split('\n')) expect(displayWidth(line), line).to.be.at.most(50)
    const chars = (text: string) => [...text.replace(/\s+/g, '')].sort().join('')
    expect(chars(out)).to.equal(chars(['NAME', 'DNS NAME', 'ANSWER', ...rows[0]].join('')))
    expect(table(['NAME', 'DNS NAME', 'ANSWER'], rows, plain, {width: undefined}).split('\n')).to.have.length(3)
  })

  it('answer lists summarise with "N more" only for two or more', () => {
    const rr = (n: number) => Array.from({length: n}, (_, i) => ({name: 'x.', type: 'A', ttl: 5, data: `10.0.0.${i}`}))
    expect(answerSummary(rr(5), 4).split('\n')).to.have.length(5).and.not.include('… 1 more')
    expect(answerSummary(rr(6), 4).split('\n').at(-1)).to.equal('… 2 more')
  })

  it('the terminal width reaches the table; piped output is not cut', function () {
    const script = requireBinaries(this, ['script'], 'apt-get install bsdutils').script
    const r = spawnSync(script, ['-qc', `stty cols 100; node ${BIN} svc list -A -f examples/`, '/dev/null'], {cwd: ROOT, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}})
    const lines = r.stdout.replace(/\r/g, '').trimEnd().split('\n')
    for (const line of lines) expect(displayWidth(line), line).to.be.at.most(100)
    const piped = kdisco(['svc', 'list', '-A', '-f', 'examples/']).stdout.trimEnd().split('\n')
    expect(Math.max(...piped.map(displayWidth))).to.be.greaterThan(100)
    expect(piped).to.have.length(12) // the header, 10 Services, the footnote
  })

  it('svc list: EXTERNAL-IP as kubectl shows it, --no-headers, --show-labels', () => {
    const out = kdisco(['svc', 'list', '-A', '-f', 'examples/', '--show-labels']).stdout.split('\n')
    expect(out[0]).to.match(/CLUSTER-IP\(S\)\s+EXTERNAL-IP\s+DNS NAME/).and.match(/LABELS$/)
    expect(out.find((l) => l.includes('external-service'))).to.match(/ExternalName\s+-\s+api\.somecompany\.com\s/)
    expect(out.find((l) => / kubernetes /.test(l))).to.match(/<none>.*component=apiserver,provider=kubernetes$/)
    const bare = kdisco(['svc', 'list', '-A', '-f', 'examples/', '--no-headers']).stdout.split('\n')
    expect(bare[0]).to.match(/^data\s+mysql-svc\s/)
  })

  it('colour: NO_COLOR non-empty turns it off, FORCE_COLOR on (also into a pipe)', () => {
    expect(colourEnabled(tty, {})).to.equal(true)
    expect(colourEnabled(pipe, {})).to.equal(false)
    expect(colourEnabled(tty, {NO_COLOR: '1'})).to.equal(false)
    expect(colourEnabled(tty, {NO_COLOR: ''})).to.equal(true)
    expect(colourEnabled(pipe, {FORCE_COLOR: '1'})).to.equal(true)
    expect(colourEnabled(pipe, {FORCE_COLOR: '0'})).to.equal(false)
    expect(kdisco(['svc', 'list', '-f', 'examples/'], {env: {FORCE_COLOR: '1'}}).stdout).to.include('\u001B[1mNAME')
    expect(kdisco(['svc', 'list', '-f', 'examples/'], {env: {FORCE_COLOR: '1', NO_COLOR: '1'}}).stdout).to.not.include('\u001B[')
  })

  it('kdisco version --client, and --version', () => {
    const r = kdisco(['version', '--client'])
    expect(r.stdout).to.match(/^Client Version: \d+\.\d+\.\d+\nNode Version: v\d+\.\d+\.\d+ \(linux\/\w+\)\n$/)
    expect(kdisco(['--version']).stdout).to.match(/^kdisco\/\d+\.\d+\.\d+ /)
    // A kubeconfig kdisco cannot use is exit 2, and exit 2 prints nothing on stdout (README's exit codes).
    const broken = kdisco(['version', '--kubeconfig', `${ROOT}package.json`])
    expect([broken.status, broken.stdout]).to.deep.equal([2, ''])
    expect(broken.stderr).to.match(/^Error: No current context in .*package\.json\. [^\n]*\n$/)
  })

  describe('kdisco version against the real kube-apiserver', () => {
    before(function () {
      requireRealCluster(this)
    })

    it("says the server's version", async () => {
      const c = await sharedCluster()
      const r = kdisco(['version', '--kubeconfig', c.kubeconfig])
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stdout).to.match(/\nServer Version: v1\.\d+\.\d+\S* \(linux\/\w+\)\n$/)
      const json = JSON.parse(kdisco(['version', '--kubeconfig', c.kubeconfig, '-o', 'json']).stdout) as {server: {version: string}}
      expect(json.server.version).to.match(/^v1\.\d+/)
    })

    it('prints the client version, then fails with exit 3 when the server does not answer', () => {
      const r = kdisco(['version', '--kubeconfig', `${ROOT}test/fixtures/unreachable.kubeconfig`, '--request-timeout', '2s'])
      expect(r.stdout).to.match(/^Client Version: /)
      expect(r.status).to.equal(3)
      expect(r.stderr).to.match(/^Error: /)
    })
  })
})
