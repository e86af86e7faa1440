// Hostile and broken input through the built CLI: one line, the right exit code, bounded time and memory.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Chalk} from 'chalk'
import {table} from '../../src/render/style.js'
import {kdisco} from '../support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'kdisco-hostile-'))
function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('cli: hostile input', () => {
  it('a StatefulSet with replicas 2147483647: 1000 predicted names, a note, quickly', () => {
    const sts = file('sts.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: pg-hl, namespace: data}\nspec: {clusterIP: None, selector: {app: pg}, ports: [{name: pg, port: 5432}]}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: pg, namespace: data}\nspec: {serviceName: pg-hl, replicas: 2147483647, selector: {matchLabels: {app: pg}}}\n')
    const started = Date.now()
    const r = kdisco(['svc', 'lookup', 'pg-hl', '-n', 'data', '-f', sts, '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stderr).to.equal('kdisco: StatefulSet data/pg has 2147483647 replicas: kdisco predicts the names of its first 1000 pods only (at most 1000 per StatefulSet)\n')
    const out = JSON.parse(r.stdout)
    expect(out.predicted).to.have.length(1000)
    expect(out.input.gaps.map((g: {reason: string}) => g.reason)).to.deep.equal(['PredictionLimit'])
    const zone = kdisco(['dns', 'zone', '-n', 'data', '-f', sts])
    expect(zone.status, zone.stderr).to.equal(0)
    expect(zone.stdout.split('\n').filter((l) => l.startsWith('; predicted:'))).to.have.length(1000)
    expect(Date.now() - started).to.be.below(15000)
  })

  it('wrong-typed fields: exit 2, one line naming file:line, the object and the field', () => {
    const bad = file('bad.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {clusterIP: 10.96.0.1}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec:\n  ports: 5\n')
    for (const args of [['svc', 'list', '-A'], ['dns', 'zone', '-A'], ['svc', 'lookup', 'web', '-n', 'shop']]) {
      const r = kdisco([...args, '-f', bad])
      expect([r.status, r.stdout, r.stderr]).to.deep.equal([2, '', `Error: ${bad}:10: Service shop/api: spec.ports must be a list, got a number. Fix that field of the manifest\n`])
    }
  })

  it('durations are bounded: --request-timeout and --wait take at most 24h (600h overflowed Node\'s timers)', () => {
    for (const [flag, value] of [['--request-timeout', '600h'], ['--wait', '1000h'], ['--request-timeout', '99999999999999999999h']]) {
      const args = flag === '--wait' ? ['svc', 'lookup', 'kubia', '-f', 'examples/', '--probe', 'server', '--dns-server', '127.0.0.1:1'] : ['svc', 'list', '--kubeconfig', '/nonexistent']
      const r = kdisco([...args, flag, value])
      expect([r.status, r.stderr]).to.deep.equal([2, `Error: ${flag} "${value}" is too long. Use at most 24h\n`])
    }
    for (const value of ['0', '0s', '-1s', '1d', 'soon\nlater', '']) {
      const r = kdisco(['svc', 'list', '--kubeconfig', '/nonexistent', '--request-timeout', value])
      expect(r.status, r.stderr).to.equal(2)
      expect(r.stderr.trimEnd().split('\n')).to.have.length(1)
    }
  })

  it('a table of 200,000 rows is measured without a stack overflow (svc list of 140,000 Services overflowed it)', () => {
    const rows = Array.from({length: 200_000}, (_, i) => [`s${i}`, i % 7 === 0 ? 'a\nb' : 'x'])
    const text = table(['NAME', 'X'], rows, new Chalk({level: 0}))
    expect(text.split('\n')).to.have.length(200_000 + Math.ceil(200_000 / 7) + 2)
  })
})
