// The npm package as a user gets it: `npm pack`, then `npm install -g` of the tarball into an empty prefix with
// --omit=dev, no cache and an unreachable registry (nothing but the tarball can be installed). Everything dist/
// bundles is a devDependency, so the package installs alone; every command runs from the installation, outside the
// repository, and prints what the repository's build prints.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ISSUES_URL} from '../../src/internal-error.js'
import {ROOT} from '../support/cli.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {sharedCluster} from '../real-cluster/shared.js'
import {checkLive, checkOffline, type Installed, runInstalled} from './every-command.js'

/** The issue's target for the installed package. */
const MAX_INSTALLED_BYTES = 6 * 1024 * 1024

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

/** Bytes of every file below `dir` (symlinks count as themselves, not their targets). */
export function treeBytes(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const path = join(dir, entry.name)
    total += entry.isDirectory() ? treeBytes(path) : lstatSync(path).size
  }
  return total
}

/** The environment without what `npm test` sets for its scripts (npm_config_* would steer the inner npm). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)))
  return {...env, ...extra}
}

describe('npm package: packed, installed offline with --omit=dev, every command run from the installation', function () {
  this.timeout(180000)
  let dir: string
  let prefix: string
  let installedPackage: string
  let kdisco: Installed
  let cwd: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kdisco-install-'))
    const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60000})
    expect(pack.status, pack.stderr).to.equal(0)
    const [{filename}] = JSON.parse(pack.stdout) as {filename: string}[]
    prefix = join(dir, 'prefix')
    cwd = join(dir, 'elsewhere')
    mkdirSync(cwd)
    // An empty cache and a registry nobody listens on: anything but the tarball would fail to install.
    const install = spawnSync(
      'npm',
      ['install', '-g', '--prefix', prefix, '--omit=dev', '--offline', '--cache', join(dir, 'cache'), '--registry', 'http://127.0.0.1:9/', '--no-audit', '--no-fund', join(dir, filename)],
      {cwd, env: cleanEnv(), encoding: 'utf8', timeout: 120000},
    )
    expect(install.status, install.stderr).to.equal(0)
    expect(install.stdout).to.match(/added 1 package\b/)
    installedPackage = join(prefix, 'lib', 'node_modules', 'kdisco')
    kdisco = {command: join(prefix, 'bin', 'kdisco'), prefix: []}
  })

  after(() => rmSync(dir, {recursive: true, force: true}))

  it('has no runtime dependencies: nothing but kdisco is installed', () => {
    expect(pkg.dependencies ?? {}).to.deep.equal({})
    expect(existsSync(join(installedPackage, 'node_modules'))).to.equal(false)
    expect(readdirSync(join(prefix, 'lib', 'node_modules'))).to.deep.equal(['kdisco'])
    // What dist/ bundles is still what the build needs.
    for (const name of ['@oclif/core', '@kubernetes/client-node', 'js-yaml', 'chalk', 'ws']) expect(pkg.devDependencies).to.have.property(name)
  })

  it(`takes at most ${MAX_INSTALLED_BYTES / 1024 / 1024} MB installed`, () => {
    const bytes = treeBytes(prefix)
    process.stderr.write(`      installed size: ${(bytes / 1e6).toFixed(2)} MB (${bytes} bytes)\n`)
    expect(bytes).to.be.at.most(MAX_INSTALLED_BYTES)
  })

  it('ships the Apache-2.0 LICENSE and says where the project lives', () => {
    expect(pkg.license).to.equal('Apache-2.0')
    const license = readFileSync(join(installedPackage, 'LICENSE'), 'utf8')
    expect(license).to.equal(readFileSync(join(ROOT, 'LICENSE'), 'utf8'))
    expect(license).to.match(/Apache License\s+Version 2\.0, January 2004/)
    expect(license).to.include('END OF TERMS AND CONDITIONS')
    expect(pkg.repository.url).to.match(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/)
    expect(pkg.homepage).to.equal(`${pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')}#readme`)
    expect(pkg.bugs.url).to.equal(ISSUES_URL)
  })

  it('runs every command from the installation, as the repository build does (the shipped examples, and -f -)', () => {
    const ran = checkOffline(kdisco, join(installedPackage, 'examples'), cwd)
    expect(ran).to.be.greaterThan(15)
  })

  it('is the kubectl plugin through PATH: `kubectl disco` runs kubectl-disco and says so', () => {
    expect(lstatSync(join(prefix, 'bin', 'kubectl-disco')).isSymbolicLink()).to.equal(true)
    const kubectl = {command: 'kubectl', prefix: ['disco'], env: {PATH: `${join(prefix, 'bin')}:${process.env.PATH}`}}
    const lookup = runInstalled(kubectl, ['svc', 'lookup', 'kubia', '-f', join(installedPackage, 'examples'), '-o', 'json'], {cwd})
    expect(lookup.status, lookup.stderr).to.equal(0)
    expect(JSON.parse(lookup.stdout).service.name).to.equal('kubia')
    const usage = runInstalled(kubectl, ['svc', 'lookup'], {cwd})
    expect(usage.status).to.equal(2)
    expect(usage.stderr).to.match(/^Error: .*See 'kubectl disco svc lookup --help'\.\n$/)
  })

  it('help examples work outside the repository: no -f examples/, and the kubectl pipeline into -f -', () => {
    const manifest = JSON.parse(readFileSync(join(installedPackage, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {examples?: string[]}>}
    const ids = Object.keys(manifest.commands)
    expect(ids.length).to.be.greaterThan(8)
    let pipelines = 0
    for (const id of ids) {
      const help = runInstalled(kdisco, [...id.split(':'), '--help'], {cwd})
      expect(help.status, help.stderr).to.equal(0)
      expect(help.stdout, id).to.not.match(/-f examples\//)
      if (/kubectl get svc,pods,endpointslices -A -o yaml \| kdisco .* -f -/.test(help.stdout)) pipelines++
    }
    expect(pipelines).to.be.at.least(5)
  })

  it('an internal error (exit 4) says where to report it, from a command and from the last-resort guard', () => {
    const faults = join(dir, 'faults')
    mkdirSync(faults)
    // A fault injected into a real run: JSON.stringify of a lookup result throws inside the command; a throw from a
    // timer escapes every command and reaches the process guard.
    writeFileSync(join(faults, 'in-command.cjs'), "const s = JSON.stringify; JSON.stringify = function (v, ...r) { if (v && v.service) throw new Error('injected fault'); return s.call(this, v, ...r) }\n")
    writeFileSync(join(faults, 'uncaught.cjs'), "setTimeout(() => { throw new Error('injected uncaught fault') }, 0)\n")
    const line = (message: string) => `Error: Internal error: ${message}. Please report it at ${ISSUES_URL} (KDISCO_DEBUG=1 shows the stack).\n`
    const inCommand = runInstalled(kdisco, ['svc', 'lookup', 'kubia', '-f', join(installedPackage, 'examples'), '-o', 'json'], {cwd, env: {NODE_OPTIONS: `--require ${join(faults, 'in-command.cjs')}`}})
    expect(inCommand.status).to.equal(4)
    expect(inCommand.stderr).to.equal(line('injected fault'))
    const uncaught = runInstalled(kdisco, ['svc', 'list', '-A', '-f', join(installedPackage, 'examples'), '--request-timeout', '5s'], {cwd, env: {NODE_OPTIONS: `--require ${join(faults, 'uncaught.cjs')}`}})
    expect(uncaught.status).to.equal(4)
    expect(uncaught.stderr).to.equal(line('injected uncaught fault'))
  })

  describe('live commands from the installation, against the real control plane', () => {
    let kubeconfig: string
    before(async function () {
      requireRealCluster(this)
      kubeconfig = (await sharedCluster()).kubeconfig
    })

    it('svc list, probe cleanup, and kubectl get … -o yaml | kdisco svc lookup … -f -', () => checkLive(kdisco, kubeconfig, cwd))
  })
})
