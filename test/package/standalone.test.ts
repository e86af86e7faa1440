// The standalone binary (Node's single executable application with kdisco's files as assets), as the release builds
// it for linux-amd64: every command from it, outside the repository, as the repository's build prints; `kubectl
// disco` through PATH; its size; where it writes its files on first run.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT} from '../support/cli.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {sharedCluster} from '../real-cluster/shared.js'
import {checkLive, checkOffline, type Installed, runInstalled} from './every-command.js'
import {type Standalone, standalone} from './standalone-build.js'

/** What kdisco adds to Node's own executable (its files, ~5 MB, and the launcher): at most this. */
const MAX_ADDED_BYTES = 8 * 1024 * 1024

describe('standalone binary (linux-amd64): every command, kubectl disco through PATH, size', function () {
  this.timeout(600000)
  let built: Standalone
  let dir: string
  let cache: string
  let examples: string
  let kdisco: Installed

  before(function () {
    built = standalone(this)
    dir = mkdtempSync(join(tmpdir(), 'kdisco-standalone-'))
    cache = join(dir, 'cache')
    examples = join(dir, 'manifests')
    cpSync(join(ROOT, 'examples'), examples, {recursive: true})
    // Node itself is not on PATH: the binary needs none.
    kdisco = {command: built.binary, prefix: [], env: {XDG_CACHE_HOME: cache, PATH: '/usr/bin:/bin'}}
  })

  after(() => rmSync(dir, {recursive: true, force: true}))

  it('is Node plus at most 8 MB; its archive holds the binary and LICENSE', () => {
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

  it('runs every command outside the repository, as the repository build does', () => {
    const cwd = join(dir, 'elsewhere')
    mkdirSync(cwd)
    expect(checkOffline(kdisco, examples, cwd)).to.be.greaterThan(15)
    // Its files were written once, to one folder of the user's cache.
    const folders = readdirSync(join(cache, 'kdisco'))
    expect(folders).to.have.length(1)
    expect(folders[0]).to.match(/^standalone-[0-9a-f]{16}$/)
  })

  it('is the kubectl plugin through PATH as kubectl-disco', () => {
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    symlinkSync(built.binary, join(bin, 'kubectl-disco'))
    const kubectl = {command: 'kubectl', prefix: ['disco'], env: {XDG_CACHE_HOME: cache, PATH: `${bin}:/usr/bin:/bin`}}
    const lookup = runInstalled(kubectl, ['svc', 'lookup', 'kubia', '-f', examples, '-o', 'json'], {cwd: dir})
    expect(lookup.status, lookup.stderr).to.equal(0)
    expect(JSON.parse(lookup.stdout).service.name).to.equal('kubia')
    const help = runInstalled(kubectl, ['svc', 'lookup', '--help'], {cwd: dir})
    expect(help.stdout).to.include('$ kubectl disco svc lookup NAME')
    const usage = runInstalled(kubectl, ['svc', 'lookup'], {cwd: dir})
    expect(usage.status).to.equal(2)
    expect(usage.stderr).to.equal("Error: Missing 1 required arg: name. See 'kubectl disco svc lookup --help'.\n")
  })

  it('writes its files to the temp folder when the cache cannot be written, and says so when nothing can', () => {
    const notADirectory = join(dir, 'a-file')
    writeFileSync(notADirectory, '')
    const tmp = join(dir, 'tmp')
    mkdirSync(tmp)
    const fallback = runInstalled(kdisco, ['svc', 'lookup', 'kubia', '-f', examples, '-o', 'json'], {cwd: dir, env: {XDG_CACHE_HOME: notADirectory, TMPDIR: tmp}})
    expect(fallback.status, fallback.stderr).to.equal(0)
    expect(readdirSync(tmp).filter((f) => f.startsWith('kdisco-'))).to.have.length(1)
    const nowhere = runInstalled(kdisco, ['svc', 'list', '-f', examples], {cwd: dir, env: {KDISCO_STANDALONE_DIR: join(notADirectory, 'x')}})
    expect(nowhere.status).to.equal(4)
    expect(nowhere.stderr).to.match(/^Error: Cannot write kdisco's files to .*a-file\/x: .*Set KDISCO_STANDALONE_DIR to a writable folder\n$/)
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
