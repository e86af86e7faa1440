// README's example outputs are real: each `$ kdisco … -f examples/` block is what the built CLI prints now. A block
// trimmed with "…" lines must be pieces of the real output, in order.
import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT, kdisco} from './support/cli.js'

const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```\n\$ (kdisco [^\n]*)\n(.*?)```/gs)]
  .map((m) => ({command: m[1].split(/\s+#/)[0].trim(), shown: m[2].replace(/\n$/, '').split('\n')}))
  .filter((b) => b.command.includes('-f examples/'))
// Examples run as the kubectl plugin, inside other blocks (krew's): the lines after the command up to the next
// command or the block's end, from the same CLI; "| head -N" keeps the first N lines.
const pluginExamples = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^\$ kubectl disco ([^\n|]*-f examples\/[^\n|]*?)\s*(?:\| head -(\d+))?\n((?:(?!\$ |```)[^\n]*\n)*)/gm)]
  .map((m) => ({args: m[1].trim().split(/\s+/), head: m[2] === undefined ? undefined : Number(m[2]), shown: m[3].replace(/\n$/, '').split('\n')}))

describe('README: example outputs come from real runs', () => {
  it('has examples to check', () => expect(blocks.length).to.be.greaterThan(8))

  for (const {command, shown} of blocks) {
    it(command, () => {
      const out = kdisco(command.split(/\s+/).slice(1), {env: {NO_COLOR: '1'}}).stdout.replace(/\n$/, '').split('\n')
      // Each run of lines between "…" lines appears in the output, after the previous one.
      let from = 0
      for (const piece of shown.join('\n').split(/^…$/m).map((p) => p.replace(/^\n|\n$/g, '').split('\n'))) {
        const at = out.findIndex((_, i) => i >= from && piece.every((line, k) => out[i + k] === line))
        expect(at, `README shows lines the command does not print:\n${piece.join('\n')}`).to.be.at.least(0)
        from = at + piece.length
      }
      if (!shown.includes('…')) expect(out.length).to.equal(shown.length)
    })
  }

  it('has kubectl plugin examples to check', () => expect(pluginExamples.length).to.be.greaterThan(0))

  for (const {args, head, shown} of pluginExamples) {
    it(`kubectl disco ${args.join(' ')}${head === undefined ? '' : ` | head -${head}`}`, () => {
      const out = kdisco(args, {env: {NO_COLOR: '1'}}).stdout.replace(/\n$/, '').split('\n')
      expect(shown).to.deep.equal(head === undefined ? out : out.slice(0, head))
    })
  }
})
