// Every kdisco command, run from an installation (the npm package installed from its tarball, the standalone binary,
// krew's install of it) outside the repository, and compared with the repository's own build: the same arguments
// give the same exit code and the same bytes on stdout. Offline commands read the examples the installation ships
// (or the repository's, for the binary), also through stdin (`-f -`); live ones read the real control plane, and
// `kubectl get … -o yaml | kdisco … -f -` is the pipeline the commands' help shows.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {BIN, checkAgainstSchema, type CliResult, ROOT} from '../support/cli.js'

/** How to start an installation: a program and the arguments before kdisco's own. */
export interface Installed {
  command: string
  prefix: string[]
  env?: NodeJS.ProcessEnv
}

/** The repository's build, the reference every installation is compared with. */
export const REPO_BUILD: Installed = {command: process.execPath, prefix: [BIN]}

export function runInstalled(installed: Installed, args: string[], options: {input?: string; cwd: string; env?: NodeJS.ProcessEnv}): CliResult {
  const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, KUBECONFIG: undefined, KDISCO_DEBUG: undefined, ...installed.env, ...options.env}
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const r = spawnSync(installed.command, [...installed.prefix, ...args], {cwd: options.cwd, input: options.input ?? '', env, encoding: 'utf8', timeout: 60000, maxBuffer: 1 << 26})
  if (r.error) throw r.error
  const result = {status: r.status, stdout: r.stdout, stderr: r.stderr}
  checkAgainstSchema(args, result)
  return result
}

/** The offline invocations, every command, reading `examples` (a folder of manifests). */
export function offlineInvocations(examples: string): {args: string[]; status: number}[] {
  return [
    {args: ['--version'], status: 0},
    {args: ['--help'], status: 0},
    {args: ['svc', 'list', '-A', '-f', examples], status: 0},
    {args: ['svc', 'list', '-A', '-f', examples, '-o', 'json'], status: 0},
    {args: ['svc', 'lookup', 'kubia', '-f', examples, '-o', 'json'], status: 0},
    {args: ['svc', 'lookup', 'kubia-headless', '-f', examples], status: 0},
    {args: ['svc', 'endpoints', 'kubia', '-f', examples], status: 0},
    {args: ['svc', 'explain', 'kubia', '-f', examples], status: 0},
    {args: ['svc', 'explain', '--all', '-A', '-f', examples, '-o', 'json'], status: 0},
    {args: ['pod', 'lookup', 'mysql-sts-0', '-n', 'data', '-f', examples], status: 0},
    {args: ['dns', 'lookup', '_mysql._tcp.mysql-svc.data', '--type', 'SRV', '-f', examples], status: 0},
    {args: ['dns', 'zone', '-A', '-f', examples, '-o', 'yaml'], status: 0},
    {args: ['dns', 'doctor', '-f', examples], status: 0},
    {args: ['svc', 'lookup', 'nope', '-f', examples], status: 2},
    {args: ['svc', 'lokup', 'kubia', '-f', examples], status: 2},
    {args: ['probe', 'cleanup', '--kubeconfig', join(examples, 'no-such-kubeconfig')], status: 2},
  ]
}

/** The examples' manifests as one stream, for `-f -`. */
export function examplesOnStdin(examples: string): string {
  return readdirSync(examples)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => readFileSync(join(examples, f), 'utf8'))
    .join('\n---\n')
}

/**
 * Runs every offline invocation from `installed` in `cwd` (outside the repository) and from the repository's build,
 * and checks they agree; returns how many ran. `examples` is the installation's copy of the examples; the
 * repository's build reads the repository's (they must be the same files).
 */
export function checkOffline(installed: Installed, examples: string, cwd: string): number {
  const mine = join(ROOT, 'examples')
  const paths = offlineInvocations(examples)
  const references = offlineInvocations(mine)
  paths.forEach(({args, status}, i) => {
    const got = runInstalled(installed, args, {cwd})
    const want = runInstalled(REPO_BUILD, references[i].args, {cwd: ROOT})
    const what = `kdisco ${args.join(' ')}`
    expect(got.status, `${what}: ${got.stderr}`).to.equal(status)
    expect(want.status, `${what} (repository build): ${want.stderr}`).to.equal(status)
    // Paths in the output are the only difference (an error names the file it could not read).
    expect(got.stdout.replaceAll(examples, mine), what).to.equal(want.stdout)
    expect(got.stderr.replaceAll(examples, mine).split('\n').length, `${what}: ${got.stderr}`).to.equal(want.stderr.split('\n').length)
  })
  const stdin = examplesOnStdin(examples)
  const viaStdin = runInstalled(installed, ['svc', 'lookup', 'kubia', '-f', '-', '-o', 'json'], {cwd, input: stdin})
  expect(viaStdin.status, viaStdin.stderr).to.equal(0)
  expect(JSON.parse(viaStdin.stdout).service.fqdn).to.equal('kubia.default.svc.cluster.local.')
  return paths.length + 1
}

/**
 * The live commands against a real API server: `svc list`, `probe cleanup`, and the help's pipeline, `kubectl get
 * svc,pods,endpointslices -o yaml | kdisco svc lookup … -f -`, with the real kubectl.
 */
export function checkLive(installed: Installed, kubeconfig: string, cwd: string): void {
  const env = {KUBECONFIG: kubeconfig}
  const list = runInstalled(installed, ['svc', 'list', '-n', 'kube-system', '-o', 'json'], {cwd, env})
  expect(list.status, list.stderr).to.equal(0)
  expect(JSON.parse(list.stdout).services.map((s: {name: string}) => s.name)).to.include('kube-dns')
  const cleanup = runInstalled(installed, ['probe', 'cleanup', '-A'], {cwd, env})
  expect(cleanup.status, cleanup.stderr).to.equal(0)
  const dump = spawnSync('kubectl', ['get', 'svc,pods,endpointslices', '-A', '-o', 'yaml'], {env: {...process.env, KUBECONFIG: kubeconfig}, encoding: 'utf8', timeout: 30000, maxBuffer: 1 << 26})
  expect(dump.status, dump.stderr).to.equal(0)
  const piped = runInstalled(installed, ['svc', 'lookup', 'kube-dns', '-n', 'kube-system', '-f', '-', '-o', 'json'], {cwd, input: dump.stdout})
  expect(piped.status, piped.stderr).to.equal(0)
  expect(JSON.parse(piped.stdout).service.fqdn).to.equal('kube-dns.kube-system.svc.cluster.local.')
}
