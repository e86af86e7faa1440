import {expect} from 'chai'
import {CorefileError, parseCorefile, settingsFromCorefile} from '../../src/dns/corefile.js'
import {compileServer} from '../../src/dns/coredns/server.js'

const KUBEADM = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`

describe('dns: Corefile kubernetes stanza', () => {
  it("reads kubeadm's stock Corefile", () => {
    const s = settingsFromCorefile(KUBEADM, 'test')
    expect(s).to.deep.include({zones: ['cluster.local', 'in-addr.arpa', 'ip6.arpa'], clusterDomain: 'cluster.local', pods: 'insecure', ttl: 30, fallthrough: ['in-addr.arpa', 'ip6.arpa'], endpointPodNames: false})
  })

  it('uses the plugin defaults for options a stanza omits (pods disabled, ttl 5)', () => {
    const s = settingsFromCorefile('cluster.local:53 {\n  kubernetes\n}\n', 'test')
    expect(s).to.deep.include({zones: ['cluster.local'], pods: 'disabled', ttl: 5, fallthrough: []})
  })

  it('reads custom domains, CIDR reverse zones, comments and every DNS-shaping option', () => {
    const s = settingsFromCorefile(
      `# custom\n.:53 {\n  kubernetes k8s.corp 10.0.0.0/16 fd00::/120 { # stanza\n    pods verified\n    endpoint_pod_names\n    ttl 0\n    fallthrough\n    namespaces a b\n    ignore empty_service\n    noendpoints\n  }\n}\n`,
      'test',
    )
    expect(s.zones).to.deep.equal(['k8s.corp', '0.10.in-addr.arpa', '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa'].slice(0, 2).concat(s.zones.slice(2)))
    expect(s.zones[2]).to.match(/\.0\.0\.d\.f\.ip6\.arpa$/)
    expect(s).to.deep.include({clusterDomain: 'k8s.corp', pods: 'verified', endpointPodNames: true, ttl: 0, fallthrough: [''], namespaces: ['a', 'b'], ignoreEmptyService: true, noEndpoints: true})
  })

  it('splits a non-octet-aligned CIDR into its reverse zones', () => {
    const s = settingsFromCorefile('.:53 {\n kubernetes cluster.local 10.96.0.0/12\n}\n', 'test')
    expect(s.zones.filter((z) => z.endsWith('in-addr.arpa'))).to.deep.equal(Array.from({length: 16}, (_, i) => `${96 + i}.10.in-addr.arpa`))
  })

  it('rejects a Corefile without a kubernetes stanza, a bad pods mode or ttl, and unbalanced braces', () => {
    expect(() => settingsFromCorefile('.:53 {\n forward . 8.8.8.8\n}\n', 't')).to.throw(CorefileError, /no "kubernetes"/)
    expect(() => settingsFromCorefile('.:53 {\n kubernetes cluster.local {\n pods maybe\n }\n}\n', 't')).to.throw(CorefileError, /^t:3: pods must be/)
    expect(() => settingsFromCorefile('.:53 {\n kubernetes cluster.local {\n ttl 9999\n }\n}\n', 't')).to.throw(CorefileError, /ttl/)
    expect(() => settingsFromCorefile('.:53 {\n kubernetes cluster.local {\n', 't')).to.throw(CorefileError, /missing/)
  })

  it('reads the cache plugin of the same server block (plugin/cache setup.go): TTL, zones, success/denial, disable', () => {
    expect(settingsFromCorefile(KUBEADM, 't').cache).to.deep.equal({zones: [''], successTtl: 30, minSuccessTtl: 5, denialTtl: 30, minDenialTtl: 5, disableSuccess: [], disableDenial: []})
    const s = settingsFromCorefile('.:53 {\n kubernetes cluster.local\n cache example.org {\n  success 9984 120 10\n  denial 9984 15\n  disable success cluster.local\n  disable denial\n }\n}\n', 't')
    expect(s.cache).to.deep.equal({zones: ['example.org'], successTtl: 120, minSuccessTtl: 10, denialTtl: 15, minDenialTtl: 5, disableSuccess: ['cluster.local'], disableDenial: ['']})
    expect(settingsFromCorefile('.:53 {\n kubernetes cluster.local\n}\n', 't').cache).to.equal(undefined)
    expect(() => settingsFromCorefile('.:53 {\n kubernetes cluster.local\n cache 0\n}\n', 't')).to.throw(CorefileError, /^t:3: cache TTL/)
  })

  it('notes bind in the server block (CoreDNS then finds no address of its own for NS)', () => {
    expect(settingsFromCorefile('.:53 {\n bind 169.254.20.10\n kubernetes cluster.local\n}\n', 't').bound).to.equal(true)
    expect(settingsFromCorefile(KUBEADM, 't').bound).to.equal(undefined)
  })

  it('refuses blocks nested 100,000 deep and zones that are not DNS names, in one sentence (no deep stack)', () => {
    expect(() => settingsFromCorefile(`.:53 {\n${'a {\n'.repeat(100_000)}${'}\n'.repeat(100_001)}`, 't')).to.throw(CorefileError, /^t:9: blocks nested more than 8 deep$/)
    expect(() => settingsFromCorefile('.:53 {\n kubernetes clus_ter.local\n}\n', 't')).to.throw(CorefileError, /"clus_ter.local" is not a valid zone name/)
    expect(() => settingsFromCorefile(`.:53 {\n kubernetes ${'a'.repeat(64)}.local\n}\n`, 't')).to.throw(CorefileError, /is not a valid zone name/)
    expect(() => settingsFromCorefile(`.:53 {\n kubernetes ${Array(4).fill('b'.repeat(60)).join('.')}\n}\n`, 't')).to.throw(CorefileError, /longer than 242 characters/)
  })
})

describe('dns: the whole Corefile (caddyfile parsing, core/dnsserver/address.go)', () => {
  it('reads every server block with its addresses: zones, ports, transports, CIDR keys as reverse zones', () => {
    const c = parseCorefile('.:53 {\n  whoami\n}\ndns://corp.internal:1053, Other.Example {\n  whoami\n}\ntls://secure.example {\n  whoami\n}\n10.0.0.0/24 {\n  whoami\n}\n')
    expect(c.blocks.map((b) => b.addresses.map((a) => `${a.transport} ${a.zone || '.'} ${a.port}`))).to.deep.equal([
      ['dns . 53'],
      ['dns corp.internal 1053', 'dns other.example 53'],
      ['tls secure.example 853'],
      ['dns 0.0.10.in-addr.arpa 53'],
    ])
  })

  it('expands snippets with arguments and imports of files it was given, matched by base name and glob, in name order', () => {
    const c = parseCorefile('(common) {\n  errors\n  cache {args[0]}\n}\n.:53 {\n  import common 15\n  import custom/*.override\n}\nimport /etc/coredns/custom/*.server\n', {
      files: [
        {name: 'b.override', text: 'log\n', source: 'cm b.override'},
        {name: 'a.override', text: 'rewrite name a.example. b.example.\n', source: 'cm a.override'},
        {name: 'stub.server', text: 'stub.internal:53 {\n  forward . 10.0.0.1\n}\n', source: 'cm stub.server'},
      ],
    })
    expect(c.blocks.map((b) => b.keys)).to.deep.equal([['.:53'], ['stub.internal:53']])
    expect(c.blocks[0].directives.map((d) => `${d.name} ${d.args.join(' ')}`.trim())).to.deep.equal(['errors', 'cache 15', 'rewrite name a.example. b.example.', 'log'])
    expect(c.blocks[0].directives[2]).to.include({source: 'cm a.override', line: 1})
    expect(c.imports.map((i) => [i.pattern, i.resolved])).to.deep.equal([
      ['common', ['(common)']],
      ['custom/*.override', ['cm a.override', 'cm b.override']],
      ['/etc/coredns/custom/*.server', ['cm stub.server']],
    ])
  })

  it('notes an import kdisco cannot see, unless it has the whole directory (an empty coredns-custom imports nothing)', () => {
    expect(parseCorefile('.:53 {\n  import custom/*.override\n}\n').imports[0].unresolved).to.match(/not given the files/)
    expect(parseCorefile('.:53 {\n  import custom/*.override\n}\n', {completeDirs: ['/etc/coredns/custom']}).imports[0].unresolved).to.equal(undefined)
    expect(parseCorefile('.:53 {\n  import /etc/coredns/extra.conf\n}\n').imports[0].unresolved).to.match(/--corefile-import/)
  })

  it('an import cycle is an error, not a hang', () => {
    expect(() => parseCorefile('(a) {\n  import a\n}\n.:53 {\n  import a\n}\n')).to.throw(CorefileError, /nest deeper than 10/)
  })

  it('lists plugins CoreDNS does not know, with where they were written', () => {
    expect(parseCorefile('.:53 {\n  kubernetes\n  fanout . 1.1.1.1\n}\n').unknownPlugins).to.deep.equal([{name: 'fanout', line: 3, source: 'Corefile'}])
  })

  it('in quotes only \\" is an escape (caddy lexer); backticks are raw', () => {
    const c = parseCorefile('.:53 {\n  template IN A x {\n    match "^a\\\\.b$" `c\\d`\n    answer "{{ .Name }} 60 IN TXT \\"q\\""\n  }\n}\n')
    const t = c.blocks[0].directives[0].block
    expect(t[0].args).to.deep.equal(['^a\\\\.b$', 'c\\d'])
    expect(t[1].args).to.deep.equal(['{{ .Name }} 60 IN TXT "q"'])
  })

  it('errors in an imported file name that file and line', () => {
    expect(() => parseCorefile('.:53 {\n  import x.override\n}\n', {files: [{name: 'x.override', text: 'errors\n"open\n', source: 'cm x.override'}]})).to.throw(CorefileError, /cm x.override:2: a quoted string is not closed/)
  })

  it('an error carries its file, line and detail as fields; its message is FILE:LINE: detail', () => {
    const caught = (f: () => unknown) => {
      try {
        f()
      } catch (error) {
        expect(error).to.be.instanceOf(CorefileError)
        const e = error as CorefileError
        return {file: e.file, line: e.line, detail: e.detail, message: e.message}
      }
      throw new Error('expected a CorefileError')
    }
    const imported = {files: [{name: 'x.override', text: 'errors\n"open\n', source: 'cm x.override'}]}
    expect(caught(() => parseCorefile('.:53 {\n  import x.override\n}\n', imported))).to.deep.equal({file: 'cm x.override', line: 2, detail: 'a quoted string is not closed', message: 'cm x.override:2: a quoted string is not closed'})
    expect(caught(() => settingsFromCorefile('.:53 {\n forward . 8.8.8.8\n}\n', 't'))).to.deep.equal({file: 't', line: undefined, detail: 'the Corefile has no "kubernetes" plugin stanza', message: 't: the Corefile has no "kubernetes" plugin stanza'})
    // Plugins too, and a cache in a block without the kubernetes plugin (it said "line 3:" without its file).
    const plugins = (corefile: string) => caught(() => compileServer(settingsFromCorefile(corefile, 't').corefile!))
    expect(plugins('.:53 {\n kubernetes cluster.local\n rewrite answer name a b\n}\n')).to.deep.equal({file: 't', line: 3, detail: 'rewrite: response rewrites must begin with a name rule', message: 't:3: rewrite: response rewrites must begin with a name rule'})
    expect(plugins('stub.internal:53 {\n forward . 10.0.0.1\n cache 0\n}\n.:53 {\n kubernetes cluster.local\n}\n')).to.deep.equal({file: 't', line: 3, detail: 'cache TTL must be a whole number of seconds above 0, not "0"', message: 't:3: cache TTL must be a whole number of seconds above 0, not "0"'})
  })

  it("the kubernetes stanza is found in whichever block holds it; the block's cache and bind go with it", () => {
    const s = settingsFromCorefile('stub.internal:53 {\n  forward . 10.0.0.1\n}\ncluster.local:53 {\n  kubernetes\n  cache 20\n}\n', 't')
    expect(s.zones).to.deep.equal(['cluster.local'])
    expect(s.cache?.successTtl).to.equal(20)
    expect(s.corefile?.blocks).to.have.length(2)
  })
})
