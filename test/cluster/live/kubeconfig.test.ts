// Credentials as kubectl handles them, through the built CLI against the API test server: never over plain http,
// never printed (a password in the server URL is redacted everywhere), tokenFile read as kubectl reads it (and
// again when it changes), exec plugins without stdin unless they ask, bounded by --request-timeout, and their
// failures in one line; a kubeconfig with wrong-typed fields is one line naming the field.
import {expect} from 'chai'
import {chmodSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {KubeClient} from '../../../src/cluster/live/client.js'
import {loadKubeconfig} from '../../../src/cluster/live/kubeconfig.js'
import {KdiscoError} from '../../../src/errors.js'
import {kdiscoAsync} from '../../support/cli.js'
import {loadExamples} from '../../support/cluster-objects.js'
import {KubeApiServer} from '../../support/kube-api-server.js'

const dir = mkdtempSync(join(tmpdir(), 'kdisco-kubeconfig-test-'))
let n = 0

/** A kubeconfig for `server` with this user (YAML flow text) and cluster extras; returns its path. */
function kubeconfig(server: string, user: string, cluster = `certificate-authority: ${KubeApiServer.caPath()}`): string {
  const path = join(dir, `config-${++n}`)
  writeFileSync(path, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "${server}", ${cluster}}\nusers:\n- name: u\n  user: ${user}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`)
  return path
}

function script(name: string, body: string): string {
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

const credential = (token: string, apiVersion = 'client.authentication.k8s.io/v1') => `printf '%s' '{"apiVersion":"${apiVersion}","kind":"ExecCredential","status":{"token":"${token}"}}'`

function oneError(r: {status: number | null; stdout: string; stderr: string}, status: number): string {
  expect(r.status, r.stderr).to.equal(status)
  expect(r.stdout).to.equal('')
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, r.stderr).to.have.length(1)
  return lines[0]
}

describe('live: credentials never go over plain http', function () {
  this.timeout(60000)
  let plain: KubeApiServer
  before(async () => {
    plain = await new KubeApiServer({tls: false}).start()
    await loadExamples(plain)
  })
  after(async () => plain?.stop())

  const users: [string, string][] = [
    ['a token', '{token: test-token}'],
    ['a tokenFile', `{tokenFile: ${join(dir, 'missing-token')}}`],
    ['a token-file', `{token-file: ${join(dir, 'missing-token')}}`],
    ['basic auth', '{username: admin, password: secret}'],
    ['an exec plugin', `{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/false}}`],
  ]
  for (const [what, user] of users) {
    it(`${what} with an http:// server: exit 2, one line, not a single request`, async () => {
      plain.clearLog()
      const r = await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig(plain.url, user, 'insecure-skip-tls-verify: true')])
      expect(oneError(r, 2)).to.match(/^Error: Refusing to send credentials \([\w -]+\) of context "x" over plain http to http:\/\/127\.0\.0\.1:\d+\. Use the https:\/\/ URL/)
      expect(plain.requests).to.deep.equal([])
    })
  }

  it('userinfo in an http:// server URL is a credential too', async () => {
    plain.clearLog()
    const url = plain.url.replace('http://', 'http://admin:SECRET@')
    const r = await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig(url, '{}', 'insecure-skip-tls-verify: true')])
    expect(oneError(r, 2)).to.include('(userinfo in the server URL)').and.to.include('http://***@127.0.0.1')
    expect(r.stderr).to.not.include('SECRET')
    expect(plain.requests).to.deep.equal([])
  })

  it('http:// without credentials works (a kubectl proxy), with or without insecure-skip-tls-verify', async () => {
    const open = await new KubeApiServer({tls: false, token: null}).start()
    try {
      await loadExamples(open)
      // kubectl proxy's kubeconfig has no TLS setting at all: there is no TLS to skip.
      for (const cluster of ['insecure-skip-tls-verify: true', 'proxy-url: ""']) {
        const r = await kdiscoAsync(['svc', 'list', '-n', 'data', '-o', 'name', '--kubeconfig', kubeconfig(open.url, '{}', cluster)])
        expect(r.status, r.stderr).to.equal(0)
        expect(r.stdout).to.equal('service/mysql-svc\nservice/nginx-svc\n')
      }
      expect(open.requests.every((q) => !q.authorization)).to.equal(true)
    } finally {
      await open.stop()
    }
  })
})

describe('live: secrets are never shown', function () {
  this.timeout(60000)
  let server: KubeApiServer
  before(async () => {
    server = await new KubeApiServer().start()
    await loadExamples(server)
  })
  after(async () => server?.stop())

  it('a password in the server URL is redacted in errors, --verbose and JSON input.sources', async () => {
    const url = server.url.replace('https://', 'https://admin:SECRET@')
    const r = await kdiscoAsync(['svc', 'list', '-n', 'data', '--verbose', '-o', 'json', '--kubeconfig', kubeconfig(url, '{token: test-token}')])
    expect(r.status, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout).input.sources).to.deep.equal([`${server.url.replace('https://', 'https://***@')} (context x)`])
    expect(r.stderr).to.match(/^kdisco: context x, server https:\/\/\*\*\*@127\.0\.0\.1:\d+, kubeconfig /)
    expect(r.stdout + r.stderr).to.not.include('SECRET').and.to.not.include('admin:')
    const dead = await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig('https://admin:SECRET@127.0.0.1:1', '{token: test-token}')])
    expect(oneError(dead, 3)).to.match(/^Error: Cannot reach the API server https:\/\/\*\*\*@127\.0\.0\.1:1 \(context x\): connection refused/)
    expect(dead.stderr).to.not.include('SECRET')
  })

  it('tokenFile (kubectl\'s spelling) and token-file: relative to the kubeconfig, trailing newline trimmed, never printed', async () => {
    writeFileSync(join(dir, 'token'), 'test-token\n')
    for (const key of ['tokenFile', 'token-file']) {
      server.clearLog()
      const r = await kdiscoAsync(['svc', 'list', '-n', 'data', '-o', 'name', '--verbose', '--kubeconfig', kubeconfig(server.url, `{${key}: token}`)])
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stdout).to.equal('service/mysql-svc\nservice/nginx-svc\n')
      expect(r.stderr).to.not.include('test-token')
      expect(server.requests.every((q) => q.authorization)).to.equal(true)
    }
    writeFileSync(join(dir, 'empty-token'), '\n')
    expect(oneError(await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig(server.url, '{tokenFile: empty-token}')]), 2)).to.match(/The token file ".*empty-token" is empty/)
    expect(oneError(await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig(server.url, '{tokenFile: nowhere}')]), 2)).to.match(/Cannot read the token file ".*nowhere": ENOENT/)
  })

  it('tokenFile is read again when it changes (a rotated token), as kubectl does', async () => {
    const file = join(dir, 'rotating')
    writeFileSync(file, 'test-token')
    const config = await loadKubeconfig({kubeconfig: kubeconfig(server.url, `{tokenFile: ${file}}`)})
    const client = new KubeClient(config, {timeoutMs: 5000})
    expect((await client.list('/api/v1/namespaces/data/services', {}, {expect: {kind: 'Service'}})).items).to.have.length(2)
    server.setToken('rotated-token')
    writeFileSync(file, 'rotated-token\n')
    try {
      expect((await client.list('/api/v1/namespaces/data/services', {}, {expect: {kind: 'Service'}})).items).to.have.length(2)
    } finally {
      server.setToken('test-token')
    }
  })
})

describe('live: exec credential plugins', function () {
  this.timeout(60000)
  let server: KubeApiServer
  before(async () => {
    server = await new KubeApiServer().start()
    await loadExamples(server)
  })
  after(async () => server?.stop())

  const exec = (command: string, extra = '') => `{exec: {apiVersion: client.authentication.k8s.io/v1, command: ${command}, ${extra}}}`

  it('a plugin that reads stdin gets none (interactiveMode Never or IfAvailable without a terminal) and works', async () => {
    const plugin = script('reads-stdin', `cat > /dev/null\n${credential('test-token')}`)
    for (const mode of ['Never', 'IfAvailable']) {
      const started = Date.now()
      const r = await kdiscoAsync(['svc', 'list', '-n', 'data', '-o', 'name', '--kubeconfig', kubeconfig(server.url, exec(plugin, `interactiveMode: ${mode}`))], {input: 'not for the plugin\n'})
      expect(r.status, r.stderr).to.equal(0)
      expect(r.stdout).to.equal('service/mysql-svc\nservice/nginx-svc\n')
      expect(Date.now() - started).to.be.below(15000)
    }
    // v1beta1 need not say interactiveMode; a relative command is relative to the kubeconfig's directory.
    script('beta', credential('test-token', 'client.authentication.k8s.io/v1beta1'))
    const beta = await kdiscoAsync(['svc', 'list', '-n', 'data', '-o', 'name', '--kubeconfig', kubeconfig(server.url, '{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./beta}}')])
    expect(beta.status, beta.stderr).to.equal(0)
  })

  it('a plugin that never answers (or leaves a child holding its output) ends at --request-timeout, in one line', async () => {
    for (const body of ['sleep 100', 'sleep 100 &\nwait']) {
      const plugin = script(`hangs-${body.length}`, body)
      const started = Date.now()
      const r = await kdiscoAsync(['svc', 'list', '--request-timeout', '2s', '--kubeconfig', kubeconfig(server.url, exec(plugin, 'interactiveMode: Never'))])
      expect(oneError(r, 3)).to.match(/^Error: The credential plugin ".*hangs-\d+" gave no credential within 2s\. It may be waiting for input/)
      expect(Date.now() - started).to.be.below(12000)
    }
  })

  const failures: [string, string, RegExp][] = [
    ['stderr and exit 1', "echo 'warming up' >&2\necho 'error: you must be logged in (run: login --sso)' >&2\necho '{\"partial\":' \nexit 1", /failed \(exit code 1\): error: you must be logged in \(run: login --sso\)\. Run it by hand/],
    ['garbage on stdout', 'echo hello world', /printed no valid ExecCredential: its output is not JSON/],
    ['nothing', 'true', /printed no valid ExecCredential: it printed nothing/],
    ['another apiVersion', credential('t', 'client.authentication.k8s.io/v1beta1'), /its apiVersion is "client\.authentication\.k8s\.io\/v1beta1", the kubeconfig asks for client\.authentication\.k8s\.io\/v1/],
    ['a token with a line break', `printf '%s' '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"a\\nb"}}'`, /status\.token is not a token/],
  ]
  for (const [what, body, pattern] of failures) {
    it(`a plugin that prints ${what}: exit 3, one line`, async () => {
      const plugin = script(`fails-${what.replace(/\W/g, '')}`, body)
      const line = oneError(await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig(server.url, exec(plugin, 'interactiveMode: Never'))]), 3)
      expect(line).to.match(pattern)
    })
  }

  it('v1 without interactiveMode, and Always without a terminal: one line each', async () => {
    const plugin = script('fine', credential('test-token'))
    expect(oneError(await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig(server.url, exec(plugin))]), 2)).to.match(/does not say its interactiveMode\. Set users\[\]\.user\.exec\.interactiveMode/)
    expect(oneError(await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig(server.url, exec(plugin, 'interactiveMode: Always'))]), 3)).to.match(/needs a terminal \(interactiveMode Always\), and stdin is not one/)
    expect(oneError(await kdiscoAsync(['svc', 'list', '--kubeconfig', kubeconfig(server.url, exec(join(dir, 'no-such-plugin'), 'interactiveMode: Never, installHint: "brew install\\nthe-plugin"'))]), 3)).to.match(/Cannot run the credential plugin ".*no-such-plugin": not found\. brew install\\nthe-plugin$/)
  })
})

describe('live: kubeconfig files that are not what kubectl reads', function () {
  const cases: [string, string, RegExp][] = [
    ['a token that is a number', 'apiVersion: v1\nusers: [{name: u, user: {token: 5}}]\n', /: users\[0\]\.user\.token must be a string, got a number$/],
    ['clusters that is not a list', 'clusters: 5\n', /: clusters must be a list, got a number$/],
    ['a cluster without server', 'clusters: [{name: c, cluster: {}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n', /: clusters\[0\]\.cluster\.server is missing$/],
    ['interactiveMode that is not one', 'users: [{name: u, user: {exec: {command: x, interactiveMode: Sometimes}}}]\n', /: users\[0\]\.user\.exec\.interactiveMode must be one of Never, IfAvailable, Always, got "Sometimes"$/],
    ['a list', '- a\n- b\n', /is not a kubeconfig: expected a mapping, found a list$/],
    ['a repeated key (kubectl refuses it too)', 'current-context: a\nclusters: []\ncurrent-context: b\n', /:3: invalid YAML: duplicated mapping key$/],
    ['YAML nested too deep', `${'['.repeat(500)}${']'.repeat(500)}\n`, /:1: invalid YAML: nesting exceeded maxDepth/],
    ['a server that is not a URL', 'clusters: [{name: c, cluster: {server: "not a url"}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n', /The server of cluster "c" in .* is not an http\(s\) URL: "not a url"$/],
  ]
  for (const [what, text, pattern] of cases) {
    it(`${what}: exit 2, one line naming the field`, async () => {
      const path = join(dir, `bad-${++n}`)
      writeFileSync(path, text)
      let error: unknown
      try {
        await loadKubeconfig({kubeconfig: path})
      } catch (e) {
        error = e
      }
      expect(error).to.be.instanceOf(KdiscoError)
      expect((error as KdiscoError).exitCode).to.equal(2)
      expect((error as KdiscoError).message).to.match(pattern)
      expect((error as KdiscoError).toLine()).to.not.include('\n')
    })
  }

  it('a byte order mark before the YAML is fine', async () => {
    const path = join(dir, 'bom')
    writeFileSync(path, '\ufeffclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n')
    expect((await loadKubeconfig({kubeconfig: path})).display).to.equal('https://127.0.0.1:1')
  })
})
