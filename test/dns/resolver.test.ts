// The resolv.conf kubelet writes for each dnsPolicy, and glibc's search walk.
import {expect} from 'chai'
import {type ResolvConf, podResolvConf, renderResolvConf, resolveName, searchCandidates} from '../../src/dns/resolver.js'
import {podHostsFile, podHostname} from '../../src/dns/hosts.js'
import {clusterIpService, model, namespace} from '../support/objects.js'

const ctx = {clusterDomain: 'cluster.local', clusterDnsIps: ['10.96.0.10'], node: {nameservers: ['192.168.0.1'], searches: ['corp.example'], options: [{name: 'timeout', value: '2'}], known: true}}

describe('resolver: resolv.conf per dnsPolicy (kubelet GetPodDNS)', () => {
  it('ClusterFirst: cluster search list, then the host search list; ndots:5; host options dropped', () => {
    const conf = podResolvConf({namespace: 'shop'}, ctx)
    expect(renderResolvConf(conf)).to.equal('search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n')
    expect(conf.usesClusterDns).to.equal(true)
  })

  it('ClusterFirst with hostNetwork behaves like Default, and says so', () => {
    const conf = podResolvConf({namespace: 'shop', hostNetwork: true}, ctx)
    expect(conf.effectivePolicy).to.equal('Default')
    expect(conf.nameservers).to.deep.equal(['192.168.0.1'])
    expect(conf.notes.join(' ')).to.match(/ClusterFirstWithHostNet/)
  })

  it('ClusterFirstWithHostNet keeps cluster DNS with hostNetwork', () => {
    expect(podResolvConf({namespace: 'shop', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet'}, ctx).nameservers).to.deep.equal(['10.96.0.10'])
  })

  it('Default inherits the node resolver; ndots defaults to 1', () => {
    const conf = podResolvConf({namespace: 'shop', dnsPolicy: 'Default'}, ctx)
    expect([conf.nameservers, conf.searches, conf.ndots, conf.usesClusterDns]).to.deep.equal([['192.168.0.1'], ['corp.example'], 1, false])
  })

  it('None: only dnsConfig (the docs example)', () => {
    const conf = podResolvConf(
      {namespace: 'ns1', dnsPolicy: 'None', dnsConfig: {nameservers: ['1.2.3.4'], searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'], options: [{name: 'ndots', value: '2'}, {name: 'edns0'}]}},
      ctx,
    )
    expect(renderResolvConf(conf)).to.equal('search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 1.2.3.4\noptions ndots:2 edns0\n')
    expect(conf.ndots).to.equal(2)
  })

  it('dnsConfig merges: nameservers and searches appended and de-duplicated, options overridden by name', () => {
    const conf = podResolvConf({namespace: 'shop', dnsConfig: {nameservers: ['10.96.0.10', '8.8.8.8'], searches: ['svc.cluster.local', 'extra.example'], options: [{name: 'ndots', value: '1'}]}}, ctx)
    expect(conf.nameservers).to.deep.equal(['10.96.0.10', '8.8.8.8'])
    expect(conf.searches).to.deep.equal(['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'extra.example'])
    expect(conf.ndots).to.equal(1)
  })

  it('at most 3 nameservers and 32 search domains survive', () => {
    const conf = podResolvConf({namespace: 'a', dnsPolicy: 'None', dnsConfig: {nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'], searches: Array.from({length: 40}, (_, i) => `s${i}.example`)}}, ctx)
    expect(conf.nameservers).to.have.length(3)
    expect(conf.searches).to.have.length(32)
  })
})

describe('resolver: glibc search walk', () => {
  const conf = {searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5}

  it('fewer dots than ndots: search list first, then the name as is', () => {
    expect(searchCandidates('web', conf)).to.deep.equal(['web.shop.svc.cluster.local.', 'web.svc.cluster.local.', 'web.cluster.local.', 'web.'])
  })

  it('dots >= ndots: the name as is first', () => {
    expect(searchCandidates('a.b.c.d.e.f', conf)[0]).to.equal('a.b.c.d.e.f.')
  })

  it('a trailing dot means absolute: one query', () => {
    expect(searchCandidates('web.shop.svc.cluster.local.', conf)).to.deep.equal(['web.shop.svc.cluster.local.'])
  })

  const m = model([namespace('shop'), namespace('other'), clusterIpService('web', '10.96.0.20', [{port: 80}], {namespace: 'shop'})])
  const shopPod: ResolvConf = podResolvConf({namespace: 'shop'}, {clusterDomain: 'cluster.local', clusterDnsIps: ['10.96.0.10']})
  const otherPod: ResolvConf = podResolvConf({namespace: 'other'}, {clusterDomain: 'cluster.local', clusterDnsIps: ['10.96.0.10']})

  it('"web" from its own namespace: first try answers', () => {
    const r = resolveName(m, 'web', 'A', shopPod)
    expect(r.tried.map((t) => t.rcode)).to.deep.equal(['NOERROR'])
    expect(r.answers.map((a) => a.data)).to.deep.equal(['10.96.0.20'])
  })

  it('"web" from another namespace walks the list and ends upstream (not predicted)', () => {
    const r = resolveName(m, 'web', 'A', otherPod)
    expect(r.tried.map((t) => [t.name, t.rcode])).to.deep.equal([
      ['web.other.svc.cluster.local.', 'NXDOMAIN'],
      ['web.svc.cluster.local.', 'NXDOMAIN'],
      ['web.cluster.local.', 'NXDOMAIN'],
      ['web.', null],
    ])
    expect(r.rcode).to.equal(null)
  })

  it('"web.shop" from another namespace: second search domain answers', () => {
    const r = resolveName(m, 'web.shop', 'A', otherPod)
    expect(r.tried.map((t) => t.name)).to.deep.equal(['web.shop.other.svc.cluster.local.', 'web.shop.svc.cluster.local.'])
    expect(r.rcode).to.equal('NOERROR')
  })

  it('NODATA moves on to the next name, and is the result when nothing answers', () => {
    const r = resolveName(m, 'shop.svc.cluster.local.', 'A', shopPod)
    expect([r.rcode, r.answers.length]).to.deep.equal(['NOERROR', 0])
    const walk = resolveName(m, 'web', 'AAAA', shopPod)
    expect(walk.tried[0].rcode).to.equal('NOERROR')
    expect(walk.tried.length).to.be.greaterThan(1)
  })

  it('a pod that does not use cluster DNS is not predicted', () => {
    const r = resolveName(m, 'web', 'A', podResolvConf({namespace: 'shop', dnsPolicy: 'Default'}, {clusterDomain: 'cluster.local', clusterDnsIps: ['10.96.0.10']}))
    expect(r.rcode).to.equal(null)
  })
})

describe('pod /etc/hosts (kubelet managedHostsFileContent)', () => {
  it('writes the FQDN line when the pod has a subdomain (the seed mysql-sts-0 file)', () => {
    const text = podHostsFile({hostname: 'mysql-sts-0', domain: 'mysql-svc.default.svc.cluster.local', podIps: ['10.42.1.8']})
    expect(text).to.equal(
      '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n10.42.1.8\tmysql-sts-0.mysql-svc.default.svc.cluster.local\tmysql-sts-0\n',
    )
  })

  it('adds hostAliases, and is the node file for hostNetwork pods', () => {
    expect(podHostsFile({hostname: 'p', podIps: ['10.0.0.1'], hostAliases: [{ip: '1.2.3.4', hostnames: ['foo', 'bar']}]})).to.match(/\n# Entries added by HostAliases.\n1\.2\.3\.4\tfoo\tbar\n$/)
    expect(podHostsFile({hostname: 'p', podIps: ['10.0.0.1'], hostNetwork: true})).to.equal(undefined)
  })

  it('hostname defaults to the pod name cut to 63 characters', () => {
    expect(podHostname('a'.repeat(62) + '-xyz')).to.equal('a'.repeat(62))
    expect(podHostname('web-0', 'custom')).to.equal('custom')
  })
})
