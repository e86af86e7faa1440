import {expect} from 'chai'
import {canonicalIp, cidrReverseZones, dashedIp, addressTextFromDashedLabel, ipFromReverseName, reverseName} from '../../src/dns/ip.js'

describe('dns: IP addresses', () => {
  const canonical: [string, string | undefined][] = [
    ['10.0.0.1', '10.0.0.1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['::ffff:1.2.3.4', '::ffff:102:304'],
    ['fe80::1%eth0', undefined],
    ['10.0.0.256', undefined],
    ['01.2.3.4', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
  ]
  for (const [input, want] of canonical) it(`canonical form of ${input} is ${want}`, () => expect(canonicalIp(input)).to.equal(want))

  it('reverse names (spec examples)', () => {
    expect(reverseName('10.3.0.1')).to.equal('1.0.3.10.in-addr.arpa.')
    expect(reverseName('2001:db8::1')).to.equal('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.')
    expect(ipFromReverseName('1.0.3.10.IN-ADDR.ARPA')).to.equal('10.3.0.1')
    expect(ipFromReverseName('0.3.10.in-addr.arpa')).to.equal(undefined)
  })

  it('dashed endpoint names as CoreDNS writes them', () => {
    expect(dashedIp('172.0.0.2')).to.equal('172-0-0-2')
    expect(dashedIp('5678:abcd::1')).to.equal('5678-abcd--1')
    expect(dashedIp('2001:db8::')).to.equal('2001-db8--0')
    expect(addressTextFromDashedLabel('172-0-0-2')).to.equal('172.0.0.2')
    expect(addressTextFromDashedLabel('2001-db8--1')).to.equal('2001:db8::1')
    // Kept as spelled: pods verified compares it with status.podIP as text.
    expect(addressTextFromDashedLabel('2001-db8-0--1')).to.equal('2001:db8:0::1')
    expect(addressTextFromDashedLabel('1-2-3')).to.equal(undefined)
  })

  it('CIDR reverse zones', () => {
    expect(cidrReverseZones('10.0.0.0/8')).to.deep.equal(['10.in-addr.arpa'])
    expect(cidrReverseZones('10.96.0.0/11')).to.have.length(32)
    expect(cidrReverseZones('fd00::/8')).to.deep.equal(['d.f.ip6.arpa'])
    expect(cidrReverseZones('nonsense/8')).to.equal(undefined)
  })
})
