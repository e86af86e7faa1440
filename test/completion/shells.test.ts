// Shell completion through the real shells: each loads the script `kdisco completion SHELL` prints, is asked to
// complete a partial command line, and the candidates it would offer are checked. kdisco is on PATH as a user
// would have it (bin/run.cjs linked as kdisco, kubectl-disco and kubectl_complete-disco), and the real kubectl
// asks kubectl_complete-disco for `kubectl disco …`.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {requireBinaries} from '../support/binaries.js'
import {ROOT, kdisco} from '../support/cli.js'
import {requireRealCluster} from '../real-cluster/components.js'
import type {RealCluster} from '../real-cluster/cluster.js'
import {appliedStates, sharedCluster} from '../real-cluster/shared.js'

let dir: string
let shells: Record<string, string>

function run(bin: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): string {
  const env: NodeJS.ProcessEnv = {...process.env, PATH: `${dir}:${process.env.PATH}`, HOME: dir, NO_COLOR: undefined, KUBECONFIG: join(dir, 'no-kubeconfig'), ...extraEnv}
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const r = spawnSync(bin, args, {cwd: ROOT, env, encoding: 'utf8', timeout: 30000})
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return r.stdout
}

/** bash: COMP_WORDS split as bash splits them (= and : are word breaks), then the completion function. */
function bash(line: string, env?: NodeJS.ProcessEnv): string[] {
  const words = line.split(' ').flatMap((w) => w.split(/(=)/).filter((p, i, all) => p !== '' || i === all.length - 1))
  const script = [
    `source ${join(dir, 'kdisco.bash')}`,
    `COMP_LINE=${JSON.stringify(line)}`,
    'COMP_POINT=${#COMP_LINE}',
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '__kdisco_complete',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n')
  return run(shells.bash, ['--norc', '--noprofile', '-c', script], env).split('\n').filter(Boolean)
}

/**
 * zsh: an interactive zsh in a pseudo-terminal (zpty) with compinit and the script loaded types the line and TAB;
 * compadd is wrapped to print what each call offers.
 */
function zsh(line: string, env?: NodeJS.ProcessEnv): string[] {
  const driver = join(dir, 'driver.zsh')
  writeFileSync(
    driver,
    [
      'zmodload zsh/zpty',
      "zpty z 'zsh -f -i'",
      `zpty -w z ${JSON.stringify(`PS1=''; autoload -Uz compinit; compinit -u -D; source ${join(dir, 'kdisco.zsh')}`)}`,
      `zpty -w z 'compadd() { local -a kd_hits; builtin compadd -O kd_hits "$@"; (( \${#kd_hits} )) && print -r -- "KD""CAND:\${(j:|:)kd_hits}"; builtin compadd "$@"; }'`,
      `zpty -w z 'kd-done() { zle complete-word; print -r -- KD""DONE; }; zle -N kd-done; bindkey "^X" kd-done'`,
      `zpty -w -n z ${JSON.stringify(line)}$'\\x18'`,
      'out=""; for i in {1..400}; do if zpty -r -t z chunk; then out+=$chunk; else sleep 0.05; fi; [[ $out == *KDDONE* ]] && break; done',
      'print -r -- "$out"',
      'zpty -d z',
    ].join('\n'),
  )
  const out = run(shells.zsh, ['-f', driver], env)
  expect(out, 'zsh never finished completing').to.include('KDDONE')
  return [...new Set([...out.matchAll(/KDCAND:([^\r\n]*)/g)].flatMap((m) => m[1].split('|')))].filter(Boolean)
}

/** fish: `complete -C` prints the candidates (value, tab, description) of a command line. */
function fish(line: string, env?: NodeJS.ProcessEnv): string[] {
  return run(shells.fish, ['--no-config', '-c', `source ${join(dir, 'kdisco.fish')}; complete -C ${JSON.stringify(line)}`], env)
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[0])
}

const drivers = {bash, zsh, fish}
const SERVICES = ['external-db', 'external-service', 'kubernetes', 'kubia', 'kubia-headless', 'kubia-named', 'kubia-nodeport']

describe('completion: bash, zsh and fish complete kdisco', function () {
  this.timeout(120000)

  before(function () {
    shells = requireBinaries(this, ['bash', 'zsh', 'fish'], 'apt-get install bash zsh fish')
    dir = mkdtempSync(join(tmpdir(), 'kdisco-completion-'))
    for (const name of ['kdisco', 'kubectl-disco', 'kubectl_complete-disco']) symlinkSync(join(ROOT, 'bin', name === 'kubectl_complete-disco' ? 'kubectl_complete-disco.cjs' : 'run.cjs'), join(dir, name))
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = kdisco(['completion', shell])
      expect(r.status, r.stderr).to.equal(0)
      writeFileSync(join(dir, `kdisco.${shell}`), r.stdout)
    }
  })

  after(() => dir && rmSync(dir, {recursive: true, force: true}))

  for (const [shell, complete] of Object.entries(drivers)) {
    describe(shell, () => {
      it('commands and topics', () => {
        expect(complete('kdisco ')).to.include.members(['svc', 'dns', 'pod', 'probe', 'completion', 'version'])
        expect(complete('kdisco svc ')).to.have.members(['endpoints', 'explain', 'list', 'lookup'])
        expect(complete('kdisco svc l')).to.have.members(['list', 'lookup'])
      })

      it('flags and their values', () => {
        expect(complete('kdisco svc lookup --pro')).to.include.members(['--probe', '--probe-namespace', '--probe-timeout', '--probe-deadline'])
        expect(complete('kdisco svc list -o ')).to.have.members(['table', 'wide', 'json', 'yaml', 'name'])
        expect(complete('kdisco svc endpoints kubia -o ')).to.have.members(['table', 'wide', 'json', 'yaml', 'name'])
        expect(complete('kdisco svc explain --all -o ')).to.have.members(['table', 'json', 'yaml', 'name', 'junit', 'sarif'])
        expect(complete('kdisco dns doctor -o ')).to.have.members(['table', 'json', 'yaml', 'name'])
        expect(complete('kdisco pod lookup web-0 -o ')).to.have.members(['table', 'json', 'yaml', 'name'])
        expect(complete('kdisco svc endpoints kubia --sh')).to.have.members(['--show-labels'])
        expect(complete('kdisco dns lookup kubia --no-h')).to.have.members(['--no-headers'])
        expect(complete('kdisco svc lookup kubia --probe ')).to.have.members(['none', 'server', 'pod', 'exec', 'ephemeral', 'port-forward'])
        expect(complete('kdisco dns lookup kubia --type S')).to.have.members(['SRV', 'SOA'])
        expect(complete('kdisco svc lookup kubia --pods ')).to.have.members(['disabled', 'insecure', 'verified'])
        expect(complete('kdisco completion ')).to.have.members(['bash', 'zsh', 'fish'])
      })

      it('Service, pod and namespace names from the -f files', () => {
        expect(complete('kdisco svc lookup -f examples/ ')).to.have.members(SERVICES)
        expect(complete('kdisco svc explain -f examples/ kubia-')).to.have.members(['kubia-headless', 'kubia-named', 'kubia-nodeport'])
        expect(complete('kdisco svc lookup -f examples/ -n data ')).to.include('mysql-svc').and.not.include('kubia')
        expect(complete('kdisco pod lookup -f examples/ -n data mysql-sts-')).to.have.members(['mysql-sts-0', 'mysql-sts-1', 'mysql-sts-2'])
        expect(complete('kdisco svc list -f examples/ -n ')).to.include.members(['data', 'default', 'kube-system'])
      })

      it('file names for -f', () => {
        expect(complete('kdisco svc lookup -f exam')).to.satisfy((c: string[]) => c.some((f) => f.startsWith('examples')))
      })

      it('kubeconfig contexts', () => {
        const kubeconfig = join(dir, 'contexts.kubeconfig')
        writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: prod-eu, context: {cluster: c, user: u}}, {name: staging, context: {cluster: c, user: u}}]\ncurrent-context: staging\n')
        expect(complete('kdisco svc list --context ', {KUBECONFIG: kubeconfig})).to.have.members(['prod-eu', 'staging'])
      })
    })
  }

  it('bash: --output=VALUE completes after the =', () => {
    expect(bash('kdisco svc list --output=j')).to.deep.equal(['json'])
  })

  it('kubectl disco: the real kubectl asks kubectl_complete-disco', function () {
    const kubectl = requireBinaries(this, ['kubectl'], 'apt-get install kubectl').kubectl
    const ask = (...words: string[]) => run(kubectl, ['__complete', 'disco', ...words]).split('\n').filter(Boolean)
    expect(ask('svc', '')).to.include.members(['lookup\tEvery DNS name a Service has and what each answers', ':4'])
    expect(ask('svc', 'lookup', '-f', 'examples/', 'kubia-h')).to.deep.equal(['kubia-headless', ':4'])
    expect(ask('svc', 'lookup', '-f', '')).to.deep.equal([':0']) // files: the shell completes them
  })

  it('a cluster that does not answer completes nothing, within the deadline', () => {
    const kubeconfig = join(dir, 'silent.kubeconfig')
    // 192.0.2.1 (TEST-NET-1) is never routed: the connection hangs until the deadline.
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://192.0.2.1:6443"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n')
    const started = Date.now()
    expect(bash(`kdisco svc lookup --kubeconfig ${kubeconfig} `)).to.deep.equal([])
    expect(Date.now() - started).to.be.below(8000)
  })

  describe('names from a live cluster (the real control plane)', function () {
    let c: RealCluster
    let ns: string
    let services: string[]
    let pods: string[]
    before(async function () {
      requireRealCluster(this)
      c = await sharedCluster()
      ns = (await appliedStates())[0].namespaces[0]
      services = (await c.api.list<{metadata: {name: string}}>('Service', ns)).map((s) => s.metadata.name)
      pods = (await c.api.list<{metadata: {name: string}}>('Pod', ns)).map((p) => p.metadata.name)
      expect(services.length).to.be.greaterThan(3)
      expect(pods.length).to.be.greaterThan(3)
    })

    for (const [shell, complete] of Object.entries(drivers)) {
      it(`${shell}: Services, pods and namespaces of --kubeconfig's cluster in -n`, () => {
        expect(complete(`kdisco svc lookup --kubeconfig ${c.kubeconfig} `)).to.have.members(['kubernetes'])
        expect(complete(`kdisco svc lookup --kubeconfig ${c.kubeconfig} -n ${ns} `)).to.have.members(services)
        expect(complete(`kdisco pod lookup --kubeconfig ${c.kubeconfig} -n ${ns} `)).to.have.members(pods)
        expect(complete(`kdisco svc list --kubeconfig ${c.kubeconfig} -n `)).to.include.members([ns, 'default', 'kube-system'])
      })
    }
  })
})
