// Output that cannot be written (a full disk) and exceptions nothing caught: one line on stderr, a distinct exit
// code, never a stack trace.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {openSync, closeSync} from 'node:fs'
import {BIN, ROOT} from './support/cli.js'

/** Runs the built CLI with stdout (or stderr) on /dev/full. */
function toDevFull(args: string[], stream: 'stdout' | 'stderr' = 'stdout') {
  const full = openSync('/dev/full', 'w')
  try {
    const stdio = stream === 'stdout' ? ['ignore', full, 'pipe'] : ['ignore', 'pipe', full]
    const r = spawnSync(process.execPath, [BIN, ...args], {cwd: ROOT, stdio: stdio as never, encoding: 'utf8', env: {...process.env, NODE_ENV: 'production'}, timeout: 20000})
    return {status: r.status, stderr: r.stderr ?? '', stdout: r.stdout ?? ''}
  } finally {
    closeSync(full)
  }
}

describe('process guard: output that cannot be written', () => {
  for (const args of [['svc', 'list', '-f', 'examples/'], ['dns', 'zone', '-A', '-f', 'examples/', '-o', 'json'], ['--help'], ['svc', 'lookup', '--help']]) {
    it(`kdisco ${args.join(' ')} > /dev/full: one line, exit 5`, () => {
      const r = toDevFull(args)
      expect(r.status, r.stderr).to.equal(5)
      expect(r.stderr).to.equal('Error: Cannot write the output: no space left on device (ENOSPC)\n')
    })
  }

  it('stderr on /dev/full changes nothing else: the result and the exit code are as usual', () => {
    const r = toDevFull(['svc', 'lookup', 'nope', '-f', 'examples/'], 'stderr')
    expect(r.status).to.equal(2)
    const ok = toDevFull(['svc', 'list', '-f', 'examples/', '-o', 'name'], 'stderr')
    expect(ok.status).to.equal(0)
    expect(ok.stdout).to.include('service/kubia\n')
  })

  it('a reader that goes away early is not an error', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" dns zone -A -f examples/ | head -1; echo "exit \${PIPESTATUS[0]}"`], {cwd: ROOT, encoding: 'utf8'})
    expect(r.stderr).to.equal('')
    expect(r.stdout).to.match(/^; kdisco expected cluster DNS zone.*\nexit 0\n$/)
  })
})
