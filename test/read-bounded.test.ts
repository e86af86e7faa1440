// Files the user names are read up to a bound: /dev/zero, a pipe that never ends or a huge file is one line.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {TooLarge, readBounded} from '../src/read-bounded.js'
import {kdisco} from './support/cli.js'

describe('read-bounded: files are read up to a bound', () => {
  it('reads a file whole, refuses one over the bound, and stops reading /dev/zero at the bound', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-bounded-'))
    writeFileSync(join(dir, 'small'), 'hello')
    expect(readBounded(join(dir, 'small'), 5).toString()).to.equal('hello')
    expect(() => readBounded(join(dir, 'small'), 4)).to.throw(TooLarge)
    expect(() => readBounded('/dev/zero', 1 << 20)).to.throw(TooLarge)
    expect(readBounded('/dev/null', 10)).to.have.length(0)
  })

  const cases: [string, string[], NodeJS.ProcessEnv, RegExp][] = [
    ['KUBECONFIG=/dev/zero', ['svc', 'list'], {KUBECONFIG: '/dev/zero'}, /^Error: Kubeconfig \/dev\/zero is larger than 16 MiB\. /],
    ['--corefile /dev/zero', ['svc', 'list', '-f', 'examples/', '--corefile', '/dev/zero'], {}, /^Error: Cannot read Corefile "\/dev\/zero": larger than 16 MiB\. /],
  ]
  for (const [what, args, env, pattern] of cases) {
    it(`${what}: exit 2, one line`, () => {
      const r = kdisco(args, {env})
      expect(r.status).to.equal(2)
      expect(r.stderr).to.match(pattern)
      expect(r.stderr.trimEnd().split('\n')).to.have.length(1)
    })
  }

  it('a tokenFile that is /dev/zero: exit 2, one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-bounded-'))
    const config = join(dir, 'config')
    writeFileSync(config, 'users: [{name: u, user: {tokenFile: /dev/zero}}]\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n')
    const r = kdisco(['svc', 'list', '--kubeconfig', config])
    expect([r.status, r.stderr]).to.deep.equal([2, 'Error: Cannot read the token file "/dev/zero": larger than 1024 KiB. Check users[].user.tokenFile in the kubeconfig\n'])
  })
})
