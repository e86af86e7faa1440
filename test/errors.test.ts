// Errors are one line whatever the input holds: values are quoted with their control characters escaped.
import {expect} from 'chai'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {KdiscoError, capitalised, oneLine, quote} from '../src/errors.js'
import {ROOT} from './support/cli.js'

describe('errors: one line', () => {
  it('toLine escapes line breaks and control characters in the message and the hint', () => {
    const e = new KdiscoError('Service "web\n" has\r an invalid\u0000 name\u2028', {hint: 'Fix\nit'})
    expect(e.toLine()).to.equal('Error: Service "web\\n" has\\r an invalid\\u0000 name\\u2028. Fix\\nit')
    expect(e.toLine()).to.not.match(/[\n\r]/)
  })

  it('quote gives a JSON string, cut after 80 characters', () => {
    expect(quote('a\nb')).to.equal('"a\\nb"')
    expect(quote('x'.repeat(200))).to.equal(`"${'x'.repeat(80)}…"`)
    expect(quote('\u2028')).to.equal('"\\u2028"')
    expect(oneLine('tab\there')).to.equal('tab\\there')
  })

  it('bidirectional controls (which reorder a terminal line) are escaped in one-line text and quoted values', () => {
    const bidi = ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']
    for (const c of bidi) {
      const escaped = `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
      expect(oneLine(`a${c}b`)).to.equal(`a${escaped}b`)
      expect(quote(`a${c}b`)).to.equal(`"a${escaped}b"`)
      expect(new KdiscoError(`name ${quote(c)} is ${c}`, {hint: c}).toLine()).to.equal(`Error: Name "${escaped}" is ${escaped}. ${escaped}`)
    }
    // Letters of right-to-left scripts are text, not controls.
    expect(oneLine('שלום مرحبا')).to.equal('שלום مرحبا')
    expect(quote('\u0085')).to.equal('"\\u0085"')
  })

  it('the line is a sentence: a plain lowercase first word is capitalised, never a path, flag or field name', () => {
    expect(new KdiscoError('cannot read x', {hint: 'Check it'}).toLine()).to.equal('Error: Cannot read x. Check it')
    expect(capitalised('k8s/web.yaml:3: invalid YAML')).to.equal('k8s/web.yaml:3: invalid YAML')
    expect(capitalised('web.yaml: invalid')).to.equal('web.yaml: invalid')
    expect(capitalised('--ttl must be a number')).to.equal('--ttl must be a number')
    expect(capitalised('externalName is an IP')).to.equal('externalName is an IP')
    expect(capitalised('kubeconfig /x is too large')).to.equal('Kubeconfig /x is too large')
  })

  it('no message in src/ says "(s)": counted nouns say 1 error, 2 errors', () => {
    const files = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
    const hacks = files(join(ROOT, 'src')).flatMap((f) => readFileSync(f, 'utf8').split('\n').map((line, i) => ({f, i, line}))).filter(({line}) => /\b(?!http\()[A-Za-z]+\(s\)( [A-Za-z]|[`'"])/.test(line) && !line.trim().startsWith('//'))
    expect(hacks.map(({f, i, line}) => `${f}:${i + 1}: ${line.trim()}`)).to.deep.equal([])
  })

  it('every error message written in src/ as a literal starts with a capital, a flag, a value or a name', () => {
    const files = (dir: string): string[] => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
    const lower = files(join(ROOT, 'src')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/(?:inputError|KdiscoError|configError|credentialError)\(\s*[`'"]([a-z][a-z]+ [^`'"]{0,30})/g)].map((m) => `${f}: ${m[1]}`))
    expect(lower).to.deep.equal([])
  })
})
