// Errors are one line whatever the input holds: values are quoted with their control characters escaped.
import {expect} from 'chai'
import {KdiscoError, oneLine, quote} from '../src/errors.js'

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
})
