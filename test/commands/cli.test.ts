// The CLI end to end through the built binary: JSON contracts, exit codes, one-line errors, the kubectl plugin
// name, colour rules, and which modules start-up loads.
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {BIN, kdisco} from '../support/cli.js'
import {spawnSync} from 'node:child_process'
import {writeCluster} from '../../bench/generate.js'

describe('cli: svc lookup', () => {
  it('JSON keeps the public contract: service and queries with name/type/expected{rcode,answers}', () => {
    const r = kdisco(['svc', 'lookup', 'kubia-headless', '-f', 'examples/', '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    expect(r.stderr).to.equal('')
    const out = JSON.parse(r.stdout)
    expect(out.service).to.include({name: 'kubia-headless', namespace: 'default', kind: 'Headless'})
    expect(out.service.endpoints).to.deep.equal({ready: 2, total: 3, origin: ['derived-from-pods']})
    const fqdn = out.queries.find((q: {name: string; type: string}) => q.name === 'kubia-headless.default.svc.cluster.local.' && q.type === 'A')
    // The examples' Corefile has a plain `cache 30`: answers are stored (kubeadm 1.36 disables that for cluster.local).
    expect(fqdn.expected).to.deep.equal({
      rcode: 'NOERROR',
      answers: [
        {name: 'kubia-headless.default.svc.cluster.local.', type: 'A', ttl: 30, data: '10.244.1.38'},
        {name: 'kubia-headless.default.svc.cluster.local.', type: 'A', ttl: 30, data: '10.244.2.57'},
      ],
      cached: true,
    })
    const notReady = out.queries.find((q: {name: string}) => q.name === '10-244-2-58.kubia-headless.default.svc.cluster.local.')
    expect(notReady.expected.rcode).to.equal('NXDOMAIN')
    expect(notReady.notes[0]).to.match(/not ready: kubia-5d8b7c9f6-q9m2c/)
    for (const q of out.queries) expect(Object.keys(q)).to.include.members(['name', 'type', 'expected'])
  })

  it('short names resolve from the Service namespace and from --from-namespace', () => {
    const out = JSON.parse(kdisco(['svc', 'lookup', 'mysql-svc', '-n', 'data', '-f', 'examples/', '--from-namespace', 'default', '-o', 'json']).stdout)
    const short = (from: string, name: string) => out.queries.find((q: {from?: string; name: string}) => q.from === from && q.name === name)
    expect(short('data', 'mysql-svc').expected.rcode).to.equal('NOERROR')
    expect(short('default', 'mysql-svc').expected.rcode).to.equal(null)
    expect(short('default', 'mysql-svc.data').tried.map((t: {rcode: string}) => t.rcode)).to.deep.equal(['NXDOMAIN', 'NOERROR'])
  })

  it('predicts StatefulSet pod names that do not exist yet', () => {
    const sts = join(mkdtempSync(join(tmpdir(), 'kdisco-')), 'sts.yaml')
    writeFileSync(sts, 'apiVersion: v1\nkind: Service\nmetadata: {name: pg-hl, namespace: data}\nspec: {clusterIP: None, selector: {app: pg}, ports: [{name: pg, port: 5432}]}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: pg, namespace: data}\nspec: {serviceName: pg-hl, replicas: 2, selector: {matchLabels: {app: pg}}}\n')
    const out = JSON.parse(kdisco(['svc', 'lookup', 'pg-hl', '-n', 'data', '-f', sts, '-o', 'json']).stdout)
    expect(out.predicted).to.deep.equal([
      {name: 'pg-0.pg-hl.data.svc.cluster.local.', pod: 'pg-0', statefulSet: 'pg', service: 'pg-hl', ip: null, status: 'pending', rcode: 'NXDOMAIN'},
      {name: 'pg-1.pg-hl.data.svc.cluster.local.', pod: 'pg-1', statefulSet: 'pg', service: 'pg-hl', ip: null, status: 'pending', rcode: 'NXDOMAIN'},
    ])
    const table = kdisco(['svc', 'lookup', 'pg-hl', '-n', 'data', '-f', sts]).stdout
    expect(table).to.match(/Predicted/).and.to.match(/pg-0\.pg-hl\.data\.svc\.cluster\.local\.\s+pg\/pg-0\s+<pending>/)
  })

  it('predicted names whose governing Service is missing or not headless say they will not resolve, not pending', () => {
    const sts = join(mkdtempSync(join(tmpdir(), 'kdisco-')), 'sts.yaml')
    writeFileSync(sts, 'apiVersion: v1\nkind: Service\nmetadata: {name: pg-hl, namespace: data}\nspec: {clusterIP: 10.96.8.8, selector: {app: pg}, ports: [{name: pg, port: 5432}]}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: pg, namespace: data}\nspec: {serviceName: pg-hl, replicas: 1, selector: {matchLabels: {app: pg}}, template: {metadata: {labels: {app: pg}}}}\n')
    const out = JSON.parse(kdisco(['svc', 'lookup', 'pg-hl', '-n', 'data', '-f', sts, '-o', 'json']).stdout)
    expect(out.predicted[0]).to.include({status: 'will-not-resolve', reason: 'Service pg-hl is not headless'})
    expect(kdisco(['svc', 'lookup', 'pg-hl', '-n', 'data', '-f', sts]).stdout).to.match(/pg-0\.pg-hl\.data\.svc\.cluster\.local\.\s+pg\/pg-0\s+will not resolve: Service pg-hl is not headless/)
    const zone = JSON.parse(kdisco(['dns', 'zone', '-n', 'data', '-f', 'examples/', '-o', 'json']).stdout)
    expect(zone.predicted.map((p: {name: string; status: string; reason: string}) => `${p.name} ${p.status} ${p.reason}`)).to.deep.equal([
      'web-0.nginx.data.svc.cluster.local. will-not-resolve no Service nginx',
      'web-1.nginx.data.svc.cluster.local. will-not-resolve no Service nginx',
    ])
  })

  it('an unknown Service is exit 2 with one line naming close matches', () => {
    const r = kdisco(['svc', 'lookup', 'kubia-headles', '-f', 'examples/'])
    expect(r.status).to.equal(2)
    expect(r.stdout).to.equal('')
    expect(r.stderr).to.equal('Error: Service "kubia-headles" not found in namespace default. Did you mean kubia-headless?\n')
  })

  it('an unknown Service: the hints are sentences, offline ones list the same -f input, and the name is quoted short and escaped', () => {
    const cases: [string[], string][] = [
      [['mysql-svc'], 'Service "mysql-svc" not found in namespace default. It exists in another namespace: -n data'],
      [['mysql-sv'], 'Service "mysql-sv" not found in namespace default. Did you mean mysql-svc (-n data)?'],
      [['zzzzzzzzzz'], 'Service "zzzzzzzzzz" not found in namespace default. List Services with kdisco svc list -A -f examples/, or check -n'],
      // A namespace the input does not have: where the name is, if anywhere.
      [['kubia', '-n', 'nosuchns'], 'Service "kubia" not found: namespace "nosuchns" is not in the input. It exists in another namespace: -n default'],
      [['zzzzzzzzzz', '-n', 'nosuchns'], 'Service "zzzzzzzzzz" not found: namespace "nosuchns" is not in the input. Check -n'],
      [['x'.repeat(10000)], `Service "${'x'.repeat(80)}…" not found in namespace default. List Services with kdisco svc list -A -f examples/, or check -n`],
      [['\u202eaibuk'], 'Service "\\u202eaibuk" not found in namespace default. List Services with kdisco svc list -A -f examples/, or check -n'],
    ]
    for (const [args, message] of cases) {
      const r = kdisco(['svc', 'lookup', ...args, '-f', 'examples/'])
      expect([r.status, r.stdout, r.stderr], args.join(' ').slice(0, 40)).to.deep.equal([2, '', `Error: ${message}\n`])
    }
    // -f arguments the shell would need quoted are not echoed.
    const dir = join(mkdtempSync(join(tmpdir(), 'kdisco-')), 'my manifests')
    mkdirSync(dir)
    writeFileSync(join(dir, 'kubia.yaml'), readFileSync('examples/kubia.yaml'))
    expect(kdisco(['svc', 'endpoints', 'zzzzzzzzzz', '-f', dir]).stderr).to.equal('Error: Service "zzzzzzzzzz" not found in namespace default. List Services with kdisco svc list -A -f FILES, or check -n\n')
    expect(kdisco(['svc', 'explain', 'zzzzzzzzzz', '-f', 'examples/kubia.yaml', '-f', 'examples/statefulset.yaml']).stderr).to.include('kdisco svc list -A -f examples/kubia.yaml -f examples/statefulset.yaml, or check -n')
  })

  it('warnings are escaped as errors are: a file name with a right-to-left override does not reorder the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-'))
    const kubia = readFileSync('examples/kubia.yaml', 'utf8')
    writeFileSync(join(dir, 'kubia.yaml'), kubia)
    writeFileSync(join(dir, 'z\u202elmay.yaml'), kubia.replace('10.107.244.106', '10.107.244.107'))
    const r = kdisco(['svc', 'lookup', 'kubia', '-f', dir], {env: {NO_COLOR: '1'}})
    expect(r.status).to.equal(0)
    expect(r.stderr).to.include(`and in ${dir}/z\\u202elmay.yaml:25: the last one is used`)
    expect(r.stderr).to.not.match(/[\u202a-\u202e]/)
  })
})

describe('cli: a Service manifest without a cluster IP (as most are written)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdisco-pending-'))
  writeFileSync(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    app: web\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n')

  it('svc lookup: the address is not predicted (never NXDOMAIN), SRV is; the JSON says the IP is pending; exit 0', () => {
    const r = kdisco(['svc', 'lookup', 'web', '-n', 'shop', '-f', dir, '-o', 'json'])
    expect(r.status, r.stderr).to.equal(0)
    const out = JSON.parse(r.stdout)
    expect(out.service).to.include({clusterIPPending: true, kind: 'ClusterIP'})
    const q = (name: string, type: string) => out.queries.find((x: {name: string; type: string}) => x.name === name && x.type === type)
    expect(q('web.shop.svc.cluster.local.', 'A').expected).to.deep.equal({rcode: null, answers: []})
    expect(q('_http._tcp.web.shop.svc.cluster.local.', 'SRV').expected.answers.map((a: {data: string}) => a.data)).to.deep.equal(['0 100 80 web.shop.svc.cluster.local.'])
    const table = kdisco(['svc', 'lookup', 'web', '-n', 'shop', '-f', dir])
    expect(table.stdout).to.include('ClusterIP, cluster IP allocated when it is created (the manifest sets none)')
    expect(table.stdout).to.not.include('NXDOMAIN')
    // A dual-stack Service will have both: A and AAAA are asked, neither predicted.
    writeFileSync(join(dir, 'ds.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: ds, namespace: shop}\nspec:\n  ipFamilyPolicy: RequireDualStack\n  ports: [{name: http, port: 80}]\n')
    const ds = JSON.parse(kdisco(['svc', 'lookup', 'ds', '-n', 'shop', '-f', dir, '-o', 'json']).stdout)
    expect(ds.queries.filter((x: {name: string}) => x.name === 'ds.shop.svc.cluster.local.').map((x: {type: string; expected: {rcode: string | null}}) => `${x.type} ${x.expected.rcode}`)).to.deep.equal(['A null', 'AAAA null', 'SRV NOERROR'])
  })

  it('svc list says what DNS will return; svc explain shows the variables with the address to come', () => {
    expect(kdisco(['svc', 'list', '-n', 'shop', '-f', dir]).stdout).to.include('cluster IP, allocated on creation')
    const explain = kdisco(['svc', 'explain', 'web', '-n', 'shop', '-f', dir])
    expect(explain.stdout).to.include('WEB_SERVICE_HOST=<allocated cluster IP>')
    expect(explain.stdout).to.include('WEB_PORT=tcp://<allocated cluster IP>:80')
    // Found in its namespace (answer not predicted): no "ask for web.shop" hint when web.shop was asked.
    const lookup = kdisco(['dns', 'lookup', 'web.shop', '-f', dir])
    expect([lookup.status, lookup.stdout.includes('exists in namespace shop')]).to.deep.equal([0, false])
    expect(kdisco(['dns', 'lookup', 'web', '-f', dir]).stdout).to.include('Service web exists in namespace shop: from default ask for web.shop')
  })
})

describe('cli: svc list', () => {
  it('a field means the same in every command: headless and ExternalName Services have no cluster IPs ([]), as in svc lookup', () => {
    const list = JSON.parse(kdisco(['svc', 'list', '-A', '-f', 'examples/', '-o', 'json']).stdout)
    const row = (name: string) => list.services.find((s: {name: string}) => s.name === name)
    for (const name of ['kubia-headless', 'external-service', 'kubia']) {
      const lookup = JSON.parse(kdisco(['svc', 'lookup', name, '-f', 'examples/', '-o', 'json']).stdout)
      expect(row(name).clusterIPs, name).to.deep.equal(lookup.service.clusterIPs)
      expect(row(name).kind, name).to.equal(lookup.service.kind)
    }
    expect(row('kubia-headless')).to.deep.include({kind: 'Headless', clusterIPs: []})
    expect(row('kubia').clusterIPs).to.deep.equal(['10.107.244.106'])
    // The table still says None, as kubectl does.
    expect(kdisco(['svc', 'list', '-f', 'examples/']).stdout).to.match(/kubia-headless\s+ClusterIP\s+None\s/)
  })
})

describe('cli: dns lookup', () => {
  it('JSON keeps the public contract: question, tried, rcode, answers', () => {
    const out = JSON.parse(kdisco(['dns', 'lookup', 'kubia', '-n', 'data', '-f', 'examples/', '-o', 'json']).stdout)
    expect(out.question).to.deep.equal({name: 'kubia', type: 'A', namespace: 'data'})
    expect(out.tried.map((t: {name: string}) => t.name)).to.deep.equal(['kubia.data.svc.cluster.local.', 'kubia.svc.cluster.local.', 'kubia.cluster.local.', 'kubia.'])
    expect(out).to.include({rcode: null, forwarded: true})
  })

  it('an answer made of endpoints kdisco derived (manifests without EndpointSlices) says so; a cluster IP does not', () => {
    const headless = JSON.parse(kdisco(['dns', 'lookup', 'kubia-headless', '-f', 'examples/', '-o', 'json']).stdout)
    expect(headless.notes).to.include('the endpoints of Service default/kubia-headless are derived from pods by kdisco: the input has no EndpointSlices for it')
    const clusterIp = JSON.parse(kdisco(['dns', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json']).stdout)
    expect(clusterIp.notes.join(' ')).to.not.include('derived')
    // The API server's own Service has its EndpointSlice in the examples: nothing to say.
    const observed = JSON.parse(kdisco(['dns', 'lookup', '192-168-49-2.kubernetes.default.svc.cluster.local.', '-f', 'examples/', '-o', 'json']).stdout)
    expect(observed.rcode).to.equal('NOERROR')
    expect(observed.notes.join(' ')).to.not.include('derived')
    const pod = JSON.parse(kdisco(['pod', 'lookup', 'mysql-sts-0', '-n', 'data', '-f', 'examples/', '-o', 'json']).stdout)
    expect(pod.notes).to.include('its endpoints in mysql-svc are derived from the pods by kdisco: the input has no EndpointSlices for them')
  })

  it('SRV data is "priority weight port target."', () => {
    const out = JSON.parse(kdisco(['dns', 'lookup', '_https._tcp.kubia-named', '-t', 'srv', '-f', 'examples/', '-o', 'json']).stdout)
    expect(out.answers).to.deep.equal([{name: '_https._tcp.kubia-named.default.svc.cluster.local.', type: 'SRV', ttl: 30, data: '0 100 443 kubia-named.default.svc.cluster.local.'}])
  })

  it('-x builds the reverse name; a trailing dot is absolute; case is echoed', () => {
    const ptr = JSON.parse(kdisco(['dns', 'lookup', '-x', '10.244.2.12', '-f', 'examples/', '-o', 'json']).stdout)
    expect(ptr.question.name).to.equal('12.2.244.10.in-addr.arpa.')
    expect(ptr.answers.map((a: {data: string}) => a.data)).to.deep.equal(['mysql-sts-1.mysql-svc.data.svc.cluster.local.'])
    const abs = JSON.parse(kdisco(['dns', 'lookup', 'KUBIA.default.svc.cluster.local.', '-f', 'examples/', '-o', 'json']).stdout)
    expect(abs.tried).to.have.length(1)
    expect(abs.answers[0].name).to.equal('KUBIA.default.svc.cluster.local.')
  })

  it('the table shows the walk and a dig-like answer section', () => {
    const r = kdisco(['dns', 'lookup', 'mysql-sts-0.mysql-svc.data', '-f', 'examples/'])
    expect(r.stdout).to.match(/1\s+mysql-sts-0\.mysql-svc\.data\.default\.svc\.cluster\.local\.\s+NXDOMAIN/)
    expect(r.stdout).to.match(/2\s+mysql-sts-0\.mysql-svc\.data\.svc\.cluster\.local\.\s+NOERROR\s+10\.244\.1\.8/)
    expect(r.stdout).to.match(/;; ANSWER SECTION:\nmysql-sts-0\.mysql-svc\.data\.svc\.cluster\.local\.\s+30\s+IN\s+A\s+10\.244\.1\.8/)
  })

  it('bad input: invalid type, bad -x, over-long label → exit 2, one line, nothing on stdout', () => {
    for (const args of [['kubia', '--type', 'A-B'], ['kubia', '--type', 'BOGUS'], ['-x', '999.1.1.1'], ['a'.repeat(64) + '.svc']]) {
      const r = kdisco(['dns', 'lookup', ...args, '-f', 'examples/'])
      expect(r.status, args.join(' ')).to.equal(2)
      expect(r.stdout).to.equal('')
      expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1)
    }
  })
})

describe('cli: dns zone and pod lookup', () => {
  it('the zone file is sorted and has an SOA first in each zone', () => {
    const r = kdisco(['dns', 'zone', '-A', '-f', 'examples/', '--zone', 'cluster.local'])
    expect(r.status).to.equal(0)
    const lines = r.stdout.split('\n').filter((l) => l && !l.startsWith(';') && !l.startsWith('$'))
    expect(lines[0]).to.match(/^cluster\.local\.\t30\tIN\tSOA\t/)
    expect(lines).to.include('kubia.default.svc.cluster.local.\t30\tIN\tA\t10.107.244.106')
    expect(lines).to.include('external-service.default.svc.cluster.local.\t30\tIN\tCNAME\tapi.somecompany.com.')
    expect(r.stdout).to.include('; predicted: web-0.nginx.data.svc.cluster.local. A will not resolve: no Service nginx (StatefulSet web has not created web-0 yet)')
  })

  it('-n limits the zone to one namespace; -o json carries records', () => {
    const out = JSON.parse(kdisco(['dns', 'zone', '-n', 'data', '-f', 'examples/', '-o', 'json']).stdout)
    const names = out.zones.flatMap((z: {records: {name: string}[]}) => z.records.map((r) => r.name))
    expect(names).to.include('mysql-sts-0.mysql-svc.data.svc.cluster.local.')
    expect(names.some((n: string) => n.includes('.default.svc.'))).to.equal(false)
  })

  it('pod lookup: hostname.subdomain, pod record, resolv.conf and /etc/hosts', () => {
    const out = JSON.parse(kdisco(['pod', 'lookup', 'mysql-sts-0', '-n', 'data', '-f', 'examples/', '-o', 'json']).stdout)
    expect(out.hostnameRecord).to.include({name: 'mysql-sts-0.mysql-svc.data.svc.cluster.local.', rcode: 'NOERROR', headlessServiceExists: true})
    expect(out.podRecords[0]).to.include({name: '10-244-1-8.data.pod.cluster.local.', rcode: 'NOERROR'})
    expect(out.resolvConf.text).to.equal('search data.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n')
    expect(out.hosts).to.match(/10\.244\.1\.8\tmysql-sts-0\.mysql-svc\.data\.svc\.cluster\.local\tmysql-sts-0\n$/)
  })

  it('pod lookup of a StatefulSet pod whose serviceName matches no Service explains why', () => {
    const r = kdisco(['pod', 'lookup', 'web-0', '-n', 'data', '-f', 'examples/'])
    expect(r.status).to.equal(2)
    expect(r.stderr).to.equal('Error: Pod "web-0" does not exist yet: StatefulSet web will create it, and web-0.nginx.data.svc.cluster.local. will not resolve: no Service nginx. Point serviceName at a headless Service (clusterIP: None) named nginx in data that selects the StatefulSet\'s pods\n')
  })
})

describe('cli: input, errors and output rules', () => {
  it('a reader that stops early (| head) is not an error: no message, exit code unchanged', function () {
    this.timeout(30000)
    const file = join(mkdtempSync(join(tmpdir(), 'kdisco-big-')), 'cluster.json')
    writeCluster(file, {namespaces: 5, services: 300, pods: 3000, seed: 3})
    const r = spawnSync('bash', ['-c', `set -o pipefail; ${process.execPath} ${BIN} dns zone -A -f ${file} -o json | head -c 100 > /dev/null; echo "exit \${PIPESTATUS[0]}"`], {encoding: 'utf8'})
    expect(r.stdout.trim()).to.equal('exit 0')
    expect(r.stderr).to.equal('')
  })

  it('reads manifests from stdin with -f -', () => {
    const r = kdisco(['dns', 'lookup', 'x', '-f', '-', '-o', 'json'], {input: 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {clusterIP: 10.96.5.5}\n'})
    expect(JSON.parse(r.stdout).answers[0].data).to.equal('10.96.5.5')
  })

  it('a YAML syntax error is one line with file:line, exit 2, nothing on stdout', () => {
    const r = kdisco(['svc', 'lookup', 'web', '-f', 'test/fixtures/bad/syntax.yaml'])
    expect([r.status, r.stdout]).to.deep.equal([2, ''])
    expect(r.stderr).to.match(/^Error: test\/fixtures\/bad\/syntax\.yaml:9: invalid YAML: [^\n]+\n$/)
  })

  it('a bad flag value is one line, exit 2', () => {
    const r = kdisco(['dns', 'lookup', 'x', '--pods', 'maybe', '-f', 'examples/'])
    expect(r.status).to.equal(2)
    expect(r.stderr.trimEnd().split('\n')).to.have.length(1)
    // A missing argument is named, not left as "arg:".
    const missing = kdisco(['svc', 'lookup', '-f', 'examples/'])
    expect([missing.status, missing.stderr]).to.deep.equal([2, "Error: Missing 1 required arg: name. See 'kdisco svc lookup --help'.\n"])
  })

  it('without -f and without any kubeconfig it says what to do, exit 3', () => {
    const home = mkdtempSync(join(tmpdir(), 'kdisco-home-'))
    const r = kdisco(['svc', 'lookup', 'web'], {env: {HOME: home, KUBECONFIG: undefined, KUBERNETES_SERVICE_HOST: undefined}})
    expect(r.status).to.equal(3)
    expect(r.stderr).to.match(/^Error: No kubeconfig found .*Pass --kubeconfig FILE, or read manifests with -f\n$/)
  })

  it('reads the DNS settings from --corefile and flags override them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-'))
    writeFileSync(join(dir, 'Corefile'), '.:53 {\n  kubernetes corp.internal {\n    pods disabled\n  }\n}\n')
    const out = JSON.parse(kdisco(['dns', 'lookup', 'kubia.default.svc.corp.internal.', '-f', 'examples/kubia.yaml', '--corefile', join(dir, 'Corefile'), '--ttl', '7', '-o', 'json']).stdout)
    expect(out.settings).to.include({clusterDomain: 'corp.internal', pods: 'disabled', ttl: 7})
    expect(out.answers[0]).to.include({ttl: 7, data: '10.107.244.106'})
  })

  it('piped output has no colour codes', () => {
    expect(kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/']).stdout).to.not.match(/\u001B\[/)
  })

  it('as kubectl-disco the help and the hints say "kubectl disco"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdisco-bin-'))
    const link = join(dir, 'kubectl-disco')
    symlinkSync(BIN, link)
    const r = kdisco(['svc', 'lookup', '--help'], {argv0: link})
    expect(r.status).to.equal(0)
    expect(r.stdout).to.include('$ kubectl disco svc lookup NAME')
    expect(kdisco(['svc', 'lookup', '--help']).stdout).to.include('$ kdisco svc lookup NAME')
    // Hints name commands that exist, the way the user runs them.
    const hint = kdisco(['svc', 'lookup', 'zzzzzzzzzz', '-f', 'examples/'], {argv0: link})
    expect(hint.stderr).to.equal('Error: Service "zzzzzzzzzz" not found in namespace default. List Services with kubectl disco svc list -A -f examples/, or check -n\n')
    expect(kdisco(['svc', 'lookup', 'zzzzzzzzzz', '-f', 'examples/']).stderr).to.include('List Services with kdisco svc list -A')
    expect(kdisco(['dns', 'lookup', '-f', 'examples/'], {argv0: link}).stderr).to.include("e.g. 'kubectl disco dns lookup kubia'")
  })

  it('start-up loads no heavy module it does not use', () => {
    const trace = (args: string[]) => {
      const file = join(mkdtempSync(join(tmpdir(), 'kdisco-trace-')), 'imports.txt')
      writeFileSync(file, '')
      const r = kdisco(args, {env: {KDISCO_TRACE_IMPORTS: file, KDISCO_TRACE_CODE_CACHE: '1'}, nodeArgs: ['--import', new URL('../support/trace-imports.mjs', import.meta.url).pathname]})
      expect(r.status, r.stderr).to.be.oneOf([0, 2])
      const modules = readFileSync(file, 'utf8').trim().split('\n').filter((url) => !url.endsWith('/bin/run.cjs'))
      const bundles = [...r.stderr.matchAll(/code cache \w+ \(([\w-]+)\)/g)].map((m) => m[1])
      return {modules, bundles}
    }
    // dist/ is one CommonJS bundle (kdisco and oclif) plus js-yaml and client-node, each compiled only where used;
    // no ES module is loaded at all (the trace sees every import; bin/run.cjs is the entry itself).
    expect(trace(['--help'])).to.deep.equal({modules: [], bundles: ['kdisco']})
    expect(trace(['dns', 'lookup', 'x', '-f', 'test/fixtures/service.json', '-o', 'json'])).to.deep.equal({modules: [], bundles: ['kdisco']})
    // The same lookup from YAML loads the YAML parser, and a live one client-node: the markers are real.
    expect(trace(['svc', 'lookup', 'kubia', '-f', 'examples/'])).to.deep.equal({modules: [], bundles: ['kdisco', 'js-yaml']})
    expect(trace(['svc', 'list', '--kubeconfig', '/nonexistent/config'])).to.deep.equal({modules: [], bundles: ['kdisco', 'client-node']})
  })

  it('kdisco is compiled from the code cache the build made, and the CLI still works without it', () => {
    const traced = kdisco(['--help'], {env: {KDISCO_TRACE_CODE_CACHE: '1'}})
    expect(traced.status).to.equal(0)
    expect(traced.stderr).to.equal('kdisco: code cache accepted (kdisco)\n')
    const lookup = kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json'], {env: {KDISCO_TRACE_CODE_CACHE: '1'}})
    expect(lookup.stderr).to.equal('kdisco: code cache accepted (kdisco)\nkdisco: code cache accepted (js-yaml)\n')
    const live = kdisco(['svc', 'list', '--kubeconfig', '/nonexistent/config'], {env: {KDISCO_TRACE_CODE_CACHE: '1'}})
    expect(live.status).to.equal(2) // the kubeconfig is missing: but client-node was loaded to read it
    expect(live.stderr).to.include('kdisco: code cache accepted (client-node)\n')
    // A cache V8 rejects (here: one made for other V8 flags) is only slower, never an error.
    const rejected = kdisco(['svc', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json'], {env: {KDISCO_TRACE_CODE_CACHE: '1'}, nodeArgs: ['--no-opt']})
    expect(rejected.stderr).to.equal('kdisco: code cache rejected (kdisco)\nkdisco: code cache rejected (js-yaml)\n')
    expect(JSON.parse(rejected.stdout)).to.deep.equal(JSON.parse(lookup.stdout))
    expect(rejected.status).to.equal(0)
    expect(JSON.parse(rejected.stdout).service.name).to.equal('kubia')
  })
})

describe('cli: quiet success is not success', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'kdisco-quiet-'))

  it('-n naming a namespace absent from the input: a warning on stderr and in the JSON input, for every namespace-scoped command', () => {
    const warning = 'kdisco: warning: Namespace "nowhere" is not in the input: no object of -f is in it, and no Namespace names it\n'
    for (const args of [['svc', 'list'], ['dns', 'zone'], ['svc', 'explain', '--all'], ['dns', 'lookup', 'kubia']]) {
      const r = kdisco([...args, '-n', 'nowhere', '-f', 'examples/', '-o', 'json'])
      expect([r.status, r.stderr], args.join(' ')).to.deep.equal([0, warning])
      expect(JSON.parse(r.stdout).input.warnings, args.join(' ')).to.deep.equal([warning.replace(/^kdisco: warning: /, '').trimEnd()])
    }
    // A namespace that is there: no warning.
    const ok = kdisco(['svc', 'list', '-n', 'data', '-f', 'examples/', '-o', 'json'])
    expect([ok.stderr, JSON.parse(ok.stdout).input.warnings]).to.deep.equal(['', []])
    // A lookup by name there fails in one line that says why.
    for (const [args, line] of [
      [['svc', 'lookup', 'kubia'], 'Error: Service "kubia" not found: namespace "nowhere" is not in the input. It exists in another namespace: -n default\n'],
      [['pod', 'lookup', 'x'], 'Error: Pod "x" not found: namespace "nowhere" is not in the input. Check -n\n'],
    ] as const) {
      const r = kdisco([...args, '-n', 'nowhere', '-f', 'examples/'])
      expect([r.status, r.stdout, r.stderr]).to.deep.equal([2, '', line])
    }
  })

  it('the same object twice with different content: a warning naming both sources; the last one is used', () => {
    const d = dir()
    writeFileSync(join(d, 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.1}\n')
    writeFileSync(join(d, 'b.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.2}\n')
    const r = kdisco(['svc', 'lookup', 'web', '-f', d, '-o', 'json'])
    expect(r.stderr).to.equal(`kdisco: warning: Service default/web is defined twice with different content, in ${join(d, 'a.yaml')}:1 and in ${join(d, 'b.yaml')}:1: the last one is used (as kubectl apply would)\n`)
    expect(JSON.parse(r.stdout).service.clusterIPs).to.deep.equal(['10.96.0.2'])
  })

  it('a -f directory with files kdisco does not read: skipped, and listed with --verbose', () => {
    const d = dir()
    writeFileSync(join(d, 'app.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.1}\n')
    writeFileSync(join(d, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n')
    writeFileSync(join(d, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n')
    const quiet = kdisco(['svc', 'list', '-f', d, '-o', 'name'])
    expect([quiet.status, quiet.stdout, quiet.stderr]).to.deep.equal([0, 'service/web\n', ''])
    const verbose = kdisco(['svc', 'list', '-f', d, '-o', 'name', '--verbose'])
    expect(verbose.stderr).to.equal(`kdisco: ignored a document without kind (${join(d, 'Chart.yaml')}:1): not a Kubernetes object (Helm's Chart.yaml or values.yaml, another tool's file?)\nkdisco: ignored Kustomization (${join(d, 'kustomization.yaml')}:1)\n`)
  })

  it('--wait where it cannot apply is a usage error: no probe, or a command that does not repeat', () => {
    for (const args of [['svc', 'lookup', 'kubia', '-f', 'examples/'], ['dns', 'lookup', 'kubia', '-f', 'examples/'], ['svc', 'lookup', 'kubia', '--probe', 'none', '-f', 'examples/']]) {
      const r = kdisco([...args, '--wait', '1m'])
      expect([r.status, r.stdout], args.join(' ')).to.deep.equal([2, ''])
      expect(r.stderr).to.match(/^Error: --wait repeats the probe until DNS answers as expected, and there is no probe here \(-f or --probe none\)\. [^\n]+\n$/)
    }
    for (const command of [['svc', 'explain', 'kubia'], ['pod', 'lookup', 'mysql-sts-0'], ['dns', 'doctor']]) {
      const r = kdisco([...command, '-f', 'examples/', '--wait', '1m'])
      expect([r.status, r.stderr], command.join(' ')).to.deep.equal([2, `Error: Nonexistent flag: --wait. See 'kdisco ${command.slice(0, 2).join(' ')} --help'.\n`])
    }
  })

  it('a mistyped command is a usage error that says it as typed and offers the nearest commands', () => {
    const cases: [string[], string][] = [
      [['svc', 'lokup', 'kubia'], 'Error: Unknown command "svc lokup". Did you mean kdisco svc lookup? See kdisco svc --help\n'],
      [['dns', 'zone-x', '-A'], 'Error: Unknown command "dns zone-x". Did you mean kdisco dns zone? See kdisco dns --help\n'],
      // Arguments after the unknown word are not part of its name.
      [['pod', 'lookupp', 'web-0', 'extra'], 'Error: Unknown command "pod lookupp". Did you mean kdisco pod lookup? See kdisco pod --help\n'],
      // A command's own word at the top level names it in every topic.
      [['lookup', 'kubia'], 'Error: Unknown command "lookup". Did you mean kdisco dns lookup, kdisco pod lookup, kdisco svc lookup? See kdisco --help\n'],
      [['svcx'], 'Error: Unknown command "svcx". Did you mean kdisco svc? See kdisco --help\n'],
      [['frobnicate'], 'Error: Unknown command "frobnicate". See kdisco --help for the commands\n'],
      // Commands are lowercase; the name typed is quoted short and escaped.
      [['SVC', 'lookup', 'kubia'], 'Error: Unknown command "SVC lookup". Did you mean kdisco svc lookup? See kdisco svc --help\n'],
      [['x'.repeat(10000)], `Error: Unknown command "${'x'.repeat(80)}…". See kdisco --help for the commands\n`],
      [['svc', '\u202ekool'], 'Error: Unknown command "svc \\u202ekool". See kdisco svc --help for the commands\n'],
      // A flag before any command is said as oclif says a command's unknown flag.
      [['--oops'], "Error: Nonexistent flag: --oops. See 'kdisco --help'.\n"],
      // kdisco has no help command: --help is what was meant.
      [['help'], 'Error: Unknown command "help". Did you mean kdisco --help?\n'],
      [['help', 'svc'], 'Error: Unknown command "help". Did you mean kdisco svc --help?\n'],
      [['help', 'svc', 'lookup', 'kubia'], 'Error: Unknown command "help". Did you mean kdisco svc lookup --help?\n'],
    ]
    for (const [args, stderr] of cases) {
      const r = kdisco(args)
      expect([r.status, r.stdout, r.stderr], args.join(' ')).to.deep.equal([2, '', stderr])
    }
  })

  it('flag errors say what is valid', () => {
    const cases: [string[], string][] = [
      [['--ttl', '-5'], '--ttl must be a whole number of seconds between 0 and 3600'],
      [['--ttl', '3601'], '--ttl must be a whole number of seconds between 0 and 3600'],
      [['--ttl', '1.5'], '--ttl must be a whole number of seconds between 0 and 3600'],
      [['--probe-timeout', '0'], '--probe-timeout must be a whole number of seconds between 1 and 60'],
      [['--probe-deadline', '5'], '--probe-deadline must be a whole number of seconds between 10 and 3600'],
      [['--pods', 'maybe'], 'Expected --pods=maybe to be one of: disabled, insecure, verified'],
    ]
    for (const [flag, message] of cases) {
      const r = kdisco(['dns', 'lookup', 'kubia', '-f', 'examples/', ...flag])
      expect([r.status, r.stderr], flag.join(' ')).to.deep.equal([2, `Error: ${message}. See 'kdisco dns lookup --help'.\n`])
    }
    expect(JSON.parse(kdisco(['dns', 'lookup', 'kubia', '-f', 'examples/', '--ttl', '0', '-o', 'json']).stdout).settings.ttl).to.equal(0)
  })
})
