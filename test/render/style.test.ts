// kdisco's borderless tables: column widths by what a terminal shows (colour codes take no room, wide characters
// two), cells of several lines side by side, trailing spaces trimmed.
import {expect} from 'chai'
import {Chalk} from 'chalk'
import {displayWidth, table} from '../../src/render/style.js'

describe('render: tables', () => {
  const plain = new Chalk({level: 0})
  const colour = new Chalk({level: 1})

  it('measures what a terminal shows', () => {
    expect(displayWidth('kubia.default.svc.cluster.local.')).to.equal(32)
    expect(displayWidth(colour.red('NXDOMAIN'))).to.equal(8)
    expect(displayWidth('✓ … → —')).to.equal(7)
    expect(displayWidth('名前')).to.equal(4)
    expect(displayWidth('e\u0301')).to.equal(1)
    expect(displayWidth('🙂')).to.equal(2)
  })

  it('pads each column to its widest cell plus two spaces, and lines up cells of several lines', () => {
    const text = table(['NAME', 'TYPE', 'ANSWER'], [['a.', 'A', '10.0.0.1\n10.0.0.2'], ['longer-name.', 'SRV', '']], plain)
    expect(text).to.equal(['NAME          TYPE  ANSWER', 'a.            A     10.0.0.1', '                    10.0.0.2', 'longer-name.  SRV', ''].join('\n'))
  })

  it('colour codes do not move the columns', () => {
    const text = table(['RCODE', 'X'], [[colour.green('NOERROR'), 'a'], ['名前', 'b']], colour)
    const lines = text.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))
    expect(lines.slice(0, 3)).to.deep.equal(['RCODE    X', 'NOERROR  a', '名前     b'])
  })
})
