// The standalone binary (Node's single executable application starting from a V8 snapshot of kdisco), as the release
// builds it for linux-amd64, copied away from where it was built: every command from it, outside the repository, as
// the repository's build prints; `kubectl disco` and `kubectl_complete-disco` through PATH; on a terminal, the same
// colours and wrapping as the repository's build (decided when it runs, not when its snapshot was made); its size; and
// that it writes nothing.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {requireBinaries} from '../support/binaries.js'
import {BIN, ROOT} from '../support/cli.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {sharedCluster} from '../real-cluster/shared.js'
import {checkLive, checkOffline, type Installed, runInstalled} from './every-command.js'
import {type Standalone, standalone} from './standalone-build.js'

/**
 * What kdisco adds to Node's own executable: its start-up snapshot (~7.5 MB: Node's own start-up state with kdisco's
 * code, its compiled bytecode and oclif's loaded plugins) and client-node's code (1 MB). At most this.
 */
const MAX_ADDED_BYTES = 10 * 1024 * 1024

describe('standalone binary (linux-amd64): every command, kubectl disco through PATH, size', function () {
  this.timeout(600000)
  let built: Standalone
  let dir: string
  let home: string
  let binary: string
  let examples: string
  let kdisco: Installed

  before(function () {
    built = standalone(this)
    dir = mkdtempSync(join(tmpdir(), 'kdisco-standalone-'))
    home = join(dir, 'home')
    mkdirSync(home)
    // A copy elsewhere: nothing of the build's folders is needed (the build deletes its work folder too).
    mkdirSync(join(dir, 'moved'))
    binary = join(dir, 'moved', 'kdisco')
    copyFileSync(built.binary, binary)
    examples = join(dir, 'manifests')
    cpSync(join(ROOT, 'examples'), examples, {recursive: true})
    // Node itself is not on PATH: the binary needs none.
    kdisco = {command: binary, prefix: [], env: {HOME: home, XDG_CACHE_HOME: join(home, '.cache'), PATH: '/usr/bin:/bin'}}
  })

  after(() => rmSync(dir, {recursive: true, force: true}))

  it('is Node plus at most 10 MB; its archive holds the binary and LICENSE', () => {
    const size = statSync(built.binary).size
    const node = statSync(process.execPath).size
    const archive = statSync(built.archive).size
    process.stderr.write(`      binary ${(size / 1e6).toFixed(1)} MB (node ${(node / 1e6).toFixed(1)} MB + ${((size - node) / 1e6).toFixed(1)} MB), archive ${(archive / 1e6).toFixed(1)} MB, built in ${built.buildSeconds.toFixed(0)} s\n`)
    expect(size - node).to.be.within(1, MAX_ADDED_BYTES)
    const listing = spawnSync('tar', ['-tzvf', built.archive], {encoding: 'utf8'})
    expect(listing.status).to.equal(0)
    const entries = listing.stdout.trim().split('\n').map((l) => l.split(/\s+/))
    expect(entries.map((e) => e.at(-1)).sort()).to.deep.equal(['LICENSE', 'kdisco'])
    expect(entries.find((e) => e.at(-1) === 'kdisco')![0]).to.equal('-rwxr-xr-x')
  })

  it('runs every command outside the repository, as the repository build does, and writes nothing', () => {
    const cwd = join(dir, 'elsewhere')
    mkdirSync(cwd)
    expect(checkOffline(kdisco, examples, cwd)).to.be.greaterThan(15)
    expect(readdirSync(home)).to.deep.equal([])
    expect(readdirSync(cwd)).to.deep.equal([])
    // Not even a home to write to: nothing changes.
    writeFileSync(join(dir, 'a-file'), '')
    const homeless = runInstalled(kdisco, ['svc', 'lookup', 'kubia', '-f', examples, '-o', 'json'], {cwd, env: {HOME: join(dir, 'a-file'), XDG_CACHE_HOME: join(dir, 'a-file')}})
    expect(homeless.status, homeless.stderr).to.equal(0)
    expect(JSON.parse(homeless.stdout).service.name).to.equal('kubia')
  })

  it('is the kubectl plugin through PATH as kubectl-disco, and completes as kubectl_complete-disco', () => {
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    symlinkSync(binary, join(bin, 'kubectl-disco'))
    symlinkSync(binary, join(bin, 'kubectl_complete-disco'))
    const kubectl = {command: 'kubectl', prefix: ['disco'], env: {HOME: home, PATH: `${bin}:/usr/bin:/bin`}}
    const lookup = runInstalled(kubectl, ['svc', 'lookup', 'kubia', '-f', examples, '-o', 'json'], {cwd: dir})
    expect(lookup.status, lookup.stderr).to.equal(0)
    expect(JSON.parse(lookup.stdout).service.name).to.equal('kubia')
    const help = runInstalled(kubectl, ['svc', 'lookup', '--help'], {cwd: dir})
    expect(help.stdout).to.include('$ kubectl disco svc lookup NAME')
    const usage = runInstalled(kubectl, ['svc', 'lookup'], {cwd: dir})
    expect(usage.status).to.equal(2)
    expect(usage.stderr).to.equal("Error: Missing 1 required arg: name. See 'kubectl disco svc lookup --help'.\n")
    // kubectl ≥ 1.26 runs kubectl_complete-disco with the words after `kubectl disco`.
    const complete = runInstalled({command: join(bin, 'kubectl_complete-disco'), prefix: [], env: {HOME: home}}, ['svc', 'lookup', '-f', examples, 'kub'], {cwd: dir})
    const want = runInstalled({command: process.execPath, prefix: [join(ROOT, 'bin', 'kubectl_complete-disco.cjs')]}, ['svc', 'lookup', '-f', examples, 'kub'], {cwd: dir})
    expect(complete.stdout).to.equal(want.stdout)
    expect(complete.stdout).to.include('kubia\n')
  })

  it('on a terminal, colours and wraps as the repository build does; NO_COLOR, FORCE_COLOR and DEBUG as it runs', function () {
    const {script} = requireBinaries(this, ['script'], 'apt-get install bsdutils')
    // `script` gives the command a terminal of `columns` columns; what it prints there, byte for byte.
    const onTerminal = (command: string, args: string[], columns: number, env: NodeJS.ProcessEnv = {}) => {
      const line = `stty cols ${columns}; ${[command, ...args].map((a) => `'${a}'`).join(' ')}`
      const r = spawnSync(script, ['-qec', line, '/dev/null'], {cwd: ROOT, encoding: 'utf8', env: {PATH: process.env.PATH, HOME: home, TERM: 'xterm', ...env}, timeout: 60000})
      return {status: r.status, output: r.stdout}
    }
    const cases: [string[], number, NodeJS.ProcessEnv?][] = [
      [['--help'], 100],
      [['svc', 'lookup', '--help'], 60],
      [['svc', 'lookup', 'kubia', '-f', 'examples/'], 80],
      [['svc', 'lookup', 'nope', '-f', 'examples/'], 50],
      [['svc', 'lookup', '--help'], 120, {NO_COLOR: '1'}],
    ]
    for (const [args, columns, env] of cases) {
      const got = onTerminal(binary, args, columns, env)
      const want = onTerminal(process.execPath, [BIN, ...args], columns, env)
      expect(got, `kdisco ${args.join(' ')} on ${columns} columns`).to.deep.equal(want)
    }
    // Colour is on for a terminal (help headings are bold), off with NO_COLOR, on into a pipe with FORCE_COLOR.
    expect(onTerminal(binary, ['--help'], 80).output).to.include('\x1b[1mUSAGE')
    expect(onTerminal(binary, ['--help'], 80, {NO_COLOR: '1'}).output).not.to.include('\x1b[')
    expect(runInstalled(kdisco, ['--help'], {cwd: dir, env: {FORCE_COLOR: '1', NO_COLOR: undefined}}).stdout).to.include('\x1b[1mUSAGE')
    // oclif's debug output, as DEBUG asks.
    expect(runInstalled(kdisco, ['--version'], {cwd: dir, env: {DEBUG: 'oclif:main'}}).stderr).to.include('oclif:main process.argv')
  })

  describe('live commands from the binary, against the real control plane', () => {
    let kubeconfig: string
    before(async function () {
      requireRealCluster(this)
      kubeconfig = (await sharedCluster()).kubeconfig
    })

    it('svc list, probe cleanup, and kubectl get … -o yaml | kdisco svc lookup … -f -', () => checkLive(kdisco, kubeconfig, dir))
  })
})
