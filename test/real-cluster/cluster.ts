// A real Kubernetes control plane on loopback, with no containers: etcd → kube-apiserver → kube-controller-manager
// → kube-scheduler → KWOK (the kubelet of fake nodes) → cluster DNS as kubeadm sets it up (ConfigMap, kube-dns
// Service, system:coredns RBAC) served by real CoreDNS processes → a pod network and a pod runner, the parts of a
// kubelet KWOK lacks, where kdisco's debug pods and exec sessions really run. Every component is built from its Go
// module (components/build.sh). Used by the tests, the benchmarks and `npm run cluster`.
import {spawnSync} from 'node:child_process'
import {generateKeyPairSync, randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {request as httpRequest} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ApiLink} from './api-link.js'
import {ApiTap} from './api-tap.js'
import {type ApiObject, ApiError, KubeApi} from './api.js'
import {HARNESS_DIR, binary} from './components.js'
import {KUBEADM_COREFILE, type CorefilePorts, adaptCorefile} from './corefiles.js'
import {type DnsServer, ask} from './dns.js'
import {PodNetwork} from './pod-network.js'
import {CONTAINER_SH, EXEC_COMMANDS, KUBELET_EXEC_SH, PodRunner} from './pod-runner.js'
import {type ManagedProcess, ProcessGroup, waitUntil} from './processes.js'
import {loadAll} from 'js-yaml'
import {AS_ROOT} from '../support/privilege.js'
import {freePort} from '../support/ports.js'
import {type NsdServer, startNsd} from '../support/nsd.js'
import {which} from '../support/binaries.js'
import {asRoot} from '../support/privilege.js'

export const CLUSTER_DOMAIN = 'cluster.local'
export const DNS_SERVICE_IP = '10.96.0.10'
/** kubeadm's default service subnet (10.96.0.0/12), and an IPv6 one: dual-stack Services get both. */
export const SERVICE_CIDRS = '10.96.0.0/12,fd00:10:96::/112'
/** The upstream zone `forward` reaches (served by NSD): names outside the cluster zones get real answers. */
export const UPSTREAM_ZONE = 'example.org'
/** The user (static token) whose requests the API server's audit log records. */
export const AUDITED_USER = 'kdisco-audited'

export interface CoreDnsSpec {
  /** Short name, used in logs and reports. */
  name: string
  /** The Corefile as a cluster would hold it (port 53, /etc/resolv.conf); adapted to loopback here. */
  corefile: string
  /** Processes serving it (default 1). */
  replicas?: number
  /** Whether its replicas are the cluster's DNS: pods behind kube-dns, Corefile in the coredns ConfigMap. */
  clusterDns?: boolean
  /** The cluster domain its kubernetes stanza serves (default cluster.local): where the harness checks it synced. */
  zone?: string
  /** Its kubernetes stanza says `pods verified` (the harness then also waits for its pod watch). */
  verifiedPods?: boolean
  /**
   * Files the Corefile refers to, by the path it writes (`custom/x.override`, `/etc/coredns/NodeHosts`); `/etc/hosts`
   * is what `hosts` reads without a path. The harness writes them and points the Corefile at them.
   */
  files?: Record<string, string>
  /** Listen on this address and port (port 53: a resolv.conf can name it); the Corefile must `bind`. */
  listen?: {address: string; port: number}
}

export interface CoreDnsReplica {
  spec: CoreDnsSpec
  index: number
  /** Where it answers. */
  dns: DnsServer
  /** The Corefile it runs (loopback ports, kubeconfig), a file kdisco can read with --corefile. */
  corefilePath: string
  /** The files it refers to as the harness wrote them (for --corefile-import). */
  filePaths: string[]
  /** Its pod in kube-system when it is the cluster's DNS, and the pod's IP (on the loopback interface). */
  pod?: string
  podIp?: string
  /** Its way to the API server: pause() freezes what it knows. */
  link: ApiLink
  process: ManagedProcess
  /** Where it listens and reads from (restartCoreDns writes a new Corefile with the same ones). */
  ports: CorefilePorts
}

export interface RealClusterOptions {
  /** Fake nodes KWOK runs (default 2). */
  nodes?: number
  /** CoreDNS deployments (default: kubeadm's stock Corefile, one replica, as the cluster's DNS). */
  coreDns?: CoreDnsSpec[]
  /** Progress lines (what started, how long it took). */
  log?: (line: string) => void
  /** Every pod can be exec'd into and given ephemeral containers (npm run cluster), not only the tests' app pods. */
  execAllPods?: boolean
  /** kube-controller-manager's client rate (default: its own, 20 QPS): loading thousands of Services needs more. */
  controllerQps?: number
}

const UPSTREAM_ZONE_TEXT = `$ORIGIN ${UPSTREAM_ZONE}.
$TTL 300
@ IN SOA ns.${UPSTREAM_ZONE}. hostmaster.${UPSTREAM_ZONE}. 1 7200 1800 86400 300
@ IN NS ns.${UPSTREAM_ZONE}.
ns IN A 192.0.2.53
api IN A 192.0.2.10
api IN AAAA 2001:db8::10
www IN CNAME api.${UPSTREAM_ZONE}.
`

/** A stub domain's zone (test Corefiles forward it in a server block of its own), served by the same NSD. */
export const STUB_ZONE = 'stub.internal'

const STUB_ZONE_TEXT = `$ORIGIN ${STUB_ZONE}.
$TTL 120
@ IN SOA ns.${STUB_ZONE}. hostmaster.${STUB_ZONE}. 1 7200 1800 86400 120
@ IN NS ns.${STUB_ZONE}.
ns IN A 192.0.2.153
db IN A 192.0.2.154
db IN TXT "stub"
alias IN CNAME db.${STUB_ZONE}.
`

export class RealCluster {
  readonly dir: string
  readonly processes: ProcessGroup
  api!: KubeApi
  /** Admin kubeconfig (system:masters), for kdisco and kubectl. */
  kubeconfig = ''
  /** A user with no roles (bind them in the test) whose requests the API server's audit log records (logs/audit.log). */
  auditedKubeconfig = ''
  server = ''
  etcdUrl = ''
  /** kdisco's debug pods and exec sessions run in it; 10.96.0.10:53 reaches the ready CoreDNS pods there. */
  podNetwork!: PodNetwork
  /** The rest of the kubelet KWOK lacks: runs debug pods' and ephemeral containers, serves their logs and exec. */
  runner!: PodRunner
  /** Why there is no pod network and runner on this machine (see requirePodRunner in shared.ts). */
  podRunnerUnavailable?: string
  nodes: string[] = []
  coreDns: CoreDnsReplica[] = []
  upstream!: NsdServer
  /** Milliseconds each step took, in order. */
  readonly timings: [string, number][] = []
  private adminToken = ''
  private auditedToken = ''
  private readonly taps: ApiTap[] = []
  private caPath = ''
  private coreDnsKubeconfigPath = ''
  private markers = 0
  private readonly loopbackAddresses: string[] = []

  private constructor(private readonly options: RealClusterOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'kdisco-real-cluster-'))
    mkdirSync(join(this.dir, 'logs'))
    this.processes = new ProcessGroup(join(this.dir, 'logs'))
  }

  static async start(options: RealClusterOptions = {}): Promise<RealCluster> {
    const cluster = new RealCluster(options)
    try {
      await cluster.boot()
      return cluster
    } catch (e) {
      await cluster.stop({keepLogs: true})
      throw e
    }
  }

  private log(line: string): void {
    this.options.log?.(line)
  }

  private async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now()
    const result = await fn()
    const ms = Date.now() - started
    this.timings.push([name, ms])
    this.log(`${name}: ${(ms / 1000).toFixed(1)} s`)
    return result
  }

  private async boot(): Promise<void> {
    const pki = join(this.dir, 'pki')
    mkdirSync(pki)
    this.adminToken = randomBytes(24).toString('hex')
    this.auditedToken = randomBytes(24).toString('hex')
    writeFileSync(join(this.dir, 'tokens.csv'), `${this.adminToken},admin,admin-uid,"system:masters"\n${this.auditedToken},${AUDITED_USER},${AUDITED_USER}-uid\n`, {mode: 0o600})
    const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    writeFileSync(join(pki, 'sa.key'), privateKey.export({type: 'pkcs1', format: 'pem'}), {mode: 0o600})
    writeFileSync(join(pki, 'sa.pub'), publicKey.export({type: 'spki', format: 'pem'}))

    const etcdPort = await freePort({udp: false})
    this.etcdUrl = `http://127.0.0.1:${etcdPort}`
    await this.step('etcd', async () => {
      const peer = await freePort({udp: false})
      const p = this.processes.start('etcd', [
        binary('etcd'),
        '--name=default',
        `--data-dir=${join(this.dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=default=http://127.0.0.1:${peer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ])
      await waitUntil('etcd', async () => (await httpGet(`http://127.0.0.1:${etcdPort}/readyz`)) === 200, {timeoutMs: 30000, process: p})
    })

    const apiPort = await freePort({udp: false})
    this.server = `https://127.0.0.1:${apiPort}`
    await this.step('kube-apiserver', async () => {
      const p = this.processes.start('kube-apiserver', [
        binary('kube-apiserver'),
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        '--advertise-address=127.0.0.1',
        `--cert-dir=${pki}`,
        `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
        '--authorization-mode=Node,RBAC',
        `--service-cluster-ip-range=${SERVICE_CIDRS}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(pki, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
        '--kubelet-preferred-address-types=InternalIP',
        '--allow-privileged=true',
        `--audit-log-path=${join(this.dir, 'logs', 'audit.log')}`,
        `--audit-policy-file=${this.auditPolicy()}`,
      ])
      this.caPath = join(pki, 'apiserver.crt')
      await waitUntil('kube-apiserver serving certificate', async () => existsSync(this.caPath) && readFileSync(this.caPath).length > 0, {timeoutMs: 60000, process: p})
      this.api = new KubeApi(this.server, this.adminToken, readFileSync(this.caPath, 'utf8'))
      await waitUntil('kube-apiserver /readyz', async () => (await this.api.request('GET', '/readyz')) === 'ok', {timeoutMs: 120000, process: p})
    })
    this.kubeconfig = this.writeKubeconfig('admin.kubeconfig', {token: this.adminToken})
    this.auditedKubeconfig = this.writeKubeconfig('audited.kubeconfig', {token: this.auditedToken})
    await this.step('KWOK CRDs', () => this.installKwokCrds())

    await this.step('kube-controller-manager', async () => {
      const port = await freePort({udp: false})
      const p = this.processes.start('kube-controller-manager', [
        binary('kube-controller-manager'),
        `--kubeconfig=${this.kubeconfig}`,
        `--authentication-kubeconfig=${this.kubeconfig}`,
        `--authorization-kubeconfig=${this.kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        '--leader-elect=false',
        ...(this.options.controllerQps ? [`--kube-api-qps=${this.options.controllerQps}`, `--kube-api-burst=${this.options.controllerQps * 2}`] : []),
        `--service-account-private-key-file=${join(pki, 'sa.key')}`,
        `--root-ca-file=${this.caPath}`,
        '--controllers=endpointslice-controller,endpointslice-mirroring-controller,endpoints-controller,garbage-collector-controller,namespace-controller,serviceaccount-controller,serviceaccount-token-controller,root-ca-certificate-publisher-controller,deployment-controller,replicaset-controller,statefulset-controller,job-controller,daemonset-controller',
      ])
      // The serviceaccount controller gives every namespace its "default" ServiceAccount: proof it runs.
      await waitUntil('kube-controller-manager (default ServiceAccount)', async () => Boolean(await this.api.get('ServiceAccount', 'default', 'default').catch(() => undefined)), {timeoutMs: 60000, process: p})
    })

    await this.step('kube-scheduler', async () => {
      const port = await freePort({udp: false})
      const p = this.processes.start('kube-scheduler', [
        binary('kube-scheduler'),
        `--kubeconfig=${this.kubeconfig}`,
        `--authentication-kubeconfig=${this.kubeconfig}`,
        `--authorization-kubeconfig=${this.kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        '--leader-elect=false',
      ])
      await waitUntil('kube-scheduler /healthz', async () => (await httpsGetInsecure(`https://127.0.0.1:${port}/healthz`)) === 200, {timeoutMs: 60000, process: p})
    })

    await this.step('kwok and nodes', async () => {
      const count = this.options.nodes ?? 2
      for (let i = 0; i < count; i++) {
        const name = `kwok-node-${i}`
        this.nodes.push(name)
        await this.api.apply({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {name, labels: {type: 'kwok', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${String.fromCharCode(97 + i)}`}, annotations: {'kwok.x-k8s.io/node': 'fake'}},
          spec: {podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`, `fd00:10:244:${i}::/64`]},
        })
      }
      const port = await freePort({udp: false})
      const p = this.processes.start(
        'kwok',
        [
          binary('kwok'),
          `--kubeconfig=${this.kubeconfig}`,
          `--config=${this.kwokConfig()}`,
          '--manage-all-nodes=true',
          '--node-ip=127.0.0.1',
          `--node-port=${port}`,
          `--server-address=127.0.0.1:${port}`,
          // Logs and exec mappings per pod (the pod runner), port-forwards per CoreDNS pod: created at run time.
          '--enable-crds=Logs,Exec,PortForward',
        ],
        {env: this.kwokExecEnv()},
      )
      await waitUntil(
        'kwok (nodes Ready)',
        async () => {
          const nodes = await this.api.list<{status?: {conditions?: {type: string; status: string}[]}}>('Node')
          return nodes.length === count && nodes.every((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        },
        {timeoutMs: 60000, process: p},
      )
      // The TaintNodesByCondition admission plugin taints a new node not-ready; the node lifecycle controller,
      // which would lift it, is not run here (KWOK's nodes are always Ready), so the harness lifts it.
      for (const name of this.nodes) await this.api.mergePatch('Node', undefined, name, {spec: {taints: null}})
    })

    await this.step('upstream DNS (NSD)', async () => {
      const nsd = which('nsd')
      if (!nsd) throw new Error('nsd is not installed (apt-get install nsd)')
      this.upstream = await startNsd(nsd, [
        {name: UPSTREAM_ZONE, text: UPSTREAM_ZONE_TEXT},
        {name: STUB_ZONE, text: STUB_ZONE_TEXT},
      ])
    })

    await this.step('cluster DNS objects', () => this.installClusterDns())
    const specs = this.options.coreDns ?? [{name: 'kubeadm', corefile: KUBEADM_COREFILE, clusterDns: true}]
    await this.step('CoreDNS', async () => {
      const kubeconfig = await this.coreDnsKubeconfig()
      this.coreDnsKubeconfigPath = kubeconfig
      for (const spec of specs) await this.addCoreDns(spec)
    })
    this.podRunnerUnavailable = PodNetwork.unavailable()
    if (this.podRunnerUnavailable) this.log(`no pod network and pod runner: ${this.podRunnerUnavailable}`)
    else await this.step('pod network and pod runner', async () => {
      this.podNetwork = await PodNetwork.start(this.processes, DNS_SERVICE_IP)
      this.runner = new PodRunner(this.api, this.dir, this.podNetwork, {
        clusterDomain: CLUSTER_DOMAIN,
        dnsServiceIp: DNS_SERVICE_IP,
        dnsPorts: () => new Map(this.coreDns.filter((r) => r.podIp).map((r) => [r.podIp!, r.ports.dns])),
        execAllPods: this.options.execAllPods,
      }).start()
    })
  }

  /** KWOK's CustomResourceDefinitions for the mappings it reads at run time (components/kwok/crd). */
  private async installKwokCrds(): Promise<void> {
    const dir = join(HARNESS_DIR, 'components', 'kwok', 'crd')
    const crds = readdirSync(dir).flatMap((f) => loadAll(readFileSync(join(dir, f), 'utf8')) as ApiObject[]).filter(Boolean)
    for (const crd of crds) await this.api.apply(crd)
    for (const crd of crds)
      await waitUntil(`CRD ${crd.metadata.name} established`, async () => ((await this.api.get('CustomResourceDefinition', undefined, crd.metadata.name)).status?.conditions ?? []).some((c: {type: string; status: string}) => c.type === 'Established' && c.status === 'True'), {timeoutMs: 30000})
  }

  /**
   * KWOK runs exec sessions as local commands: links named after the commands a pod may run come first on its
   * PATH and run them in the pod's container (kubelet-exec.sh → container.sh).
   */
  private kwokExecEnv(): NodeJS.ProcessEnv {
    const bin = join(this.dir, 'kubelet-bin')
    mkdirSync(bin)
    for (const cmd of EXEC_COMMANDS) symlinkSync(KUBELET_EXEC_SH, join(bin, cmd))
    return {PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, KDISCO_CONTAINER_SH: CONTAINER_SH, KDISCO_AS_ROOT: (AS_ROOT ?? []).join(' ')}
  }

  /** Starts CoreDNS replicas for a Corefile (they read the API as the coredns ServiceAccount). */
  async addCoreDns(spec: CoreDnsSpec): Promise<CoreDnsReplica[]> {
    // One at a time: a cluster DNS replica's pod is named by how many exist.
    const started: CoreDnsReplica[] = []
    for (let i = 0; i < (spec.replicas ?? 1); i++) {
      const replica = await this.startCoreDns(spec, i, this.coreDnsKubeconfigPath)
      this.coreDns.push(replica)
      started.push(replica)
    }
    return started
  }

  /** Stops replicas started by addCoreDns (their pods, if any, are deleted). */
  async removeCoreDns(replicas: CoreDnsReplica[]): Promise<void> {
    for (const r of replicas) {
      await r.process.stop()
      await r.link.stop()
      if (r.pod) await this.api.delete('Pod', 'kube-system', r.pod, {gracePeriodSeconds: 0})
      this.coreDns = this.coreDns.filter((x) => x !== r)
    }
  }

  /**
   * Waits until every replica has seen everything written to the API so far. Each informer CoreDNS runs (namespaces,
   * Services, EndpointSlices, pods) delivers events in order, so objects created last — a namespace, a Service with a
   * hand-written slice, a running pod — are seen last: once a replica answers for them, it has seen the rest.
   */
  async waitForDns(replicas: CoreDnsReplica[] = this.coreDns, timeoutMs = 60000): Promise<void> {
    const n = ++this.markers
    const ns = `kdisco-marker-${n}`
    const ip = `10.255.${n >> 8}.${n & 255}`
    await this.createNamespace(ns)
    await this.api.apply({apiVersion: 'v1', kind: 'Service', metadata: {name: 'marker', namespace: ns}, spec: {clusterIP: 'None', ports: [{name: 'm', port: 1}]}})
    await this.api.apply({apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: {name: 'marker', namespace: ns, labels: {'kubernetes.io/service-name': 'marker'}}, addressType: 'IPv4', endpoints: [{addresses: [ip]}], ports: [{name: 'm', port: 1, protocol: 'TCP'}]})
    await this.createPod({apiVersion: 'v1', kind: 'Pod', metadata: {name: 'marker', namespace: ns}, spec: {nodeName: this.nodes[0], automountServiceAccountToken: false, containers: [{name: 'm', image: 'registry.k8s.io/pause:3.10'}]}})
    const podIp = await waitUntil(`marker pod ${ns}/marker`, async () => (await this.api.get('Pod', ns, 'marker')).status?.podIP as string | undefined, {timeoutMs})
    for (const r of replicas) {
      const zone = r.spec.zone ?? CLUSTER_DOMAIN
      await waitUntil(
        `${r.process.name} to see ${ns}`,
        async () => {
          const svc = await ask(r.dns, `marker.${ns}.svc.${zone}`, 'A')
          if (svc.rcode !== 'NOERROR' || !svc.answers.some((a) => a.data === ip)) return false
          if (!r.spec.verifiedPods) return true
          const pod = await ask(r.dns, `${podIp.replace(/[.:]/g, '-')}.${ns}.pod.${zone}`, podIp.includes(':') ? 'AAAA' : 'A')
          return pod.rcode === 'NOERROR'
        },
        {timeoutMs, process: r.process},
      )
    }
  }

  /** kdisco's view of the API server is logged by the real server (audit), for request-pattern tests. */
  private auditPolicy(): string {
    const path = join(this.dir, 'audit-policy.yaml')
    writeFileSync(path, `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n  users: ["${AUDITED_USER}"]\n- level: None\n`)
    return path
  }

  /** KWOK's own node stages and pod-complete, with the harness's pod stages (readiness and held termination). */
  private kwokConfig(): string {
    const own = ['node-initialize', 'node-heartbeat-with-lease', 'pod-complete'].map((s) => join(HARNESS_DIR, 'components', 'kwok', 'stages', `${s}.yaml`))
    return [...own, join(HARNESS_DIR, 'kwok-pod-stages.yaml')].join(',')
  }

  /** A relay that can hold chosen requests (api-tap.ts), with admin's and the audited user's kubeconfigs through it. */
  async startTap(): Promise<{tap: ApiTap; kubeconfig: string; auditedKubeconfig: string}> {
    const tap = await new ApiTap(this.server, join(this.dir, 'pki')).start()
    this.taps.push(tap)
    const n = this.taps.length
    return {
      tap,
      kubeconfig: this.writeKubeconfig(`tap-${n}.kubeconfig`, {token: this.adminToken}, undefined, tap.url),
      auditedKubeconfig: this.writeKubeconfig(`tap-${n}-audited.kubeconfig`, {token: this.auditedToken}, undefined, tap.url),
    }
  }

  /** A kubeconfig for this cluster (or for a relay in front of it) with one user: a token. */
  writeKubeconfig(file: string, user: {token: string}, namespace?: string, server = this.server): string {
    const path = join(this.dir, file)
    const ca = readFileSync(this.caPath).toString('base64')
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: real',
        '  cluster:',
        `    server: ${server}`,
        `    certificate-authority-data: ${ca}`,
        'users:',
        '- name: user',
        '  user:',
        `    token: ${user.token}`,
        'contexts:',
        '- name: real',
        '  context:',
        '    cluster: real',
        '    user: user',
        ...(namespace ? [`    namespace: ${namespace}`] : []),
        'current-context: real',
        '',
      ].join('\n'),
      {mode: 0o600},
    )
    return path
  }

  /** A token for a ServiceAccount (TokenRequest, one day). */
  async serviceAccountToken(namespace: string, name: string): Promise<string> {
    await this.api.apply({apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name, namespace}})
    const review = await this.api.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {expirationSeconds: 86400}})
    return review.status.token as string
  }

  /** kubeadm's cluster DNS objects: ServiceAccount, ClusterRole and binding, ConfigMap, Service (10.96.0.10). */
  private async installClusterDns(): Promise<void> {
    const clusterDnsSpec = (this.options.coreDns ?? []).find((s) => s.clusterDns)
    await this.api.applyAll([
      {apiVersion: 'v1', kind: 'ServiceAccount', metadata: {name: 'coredns', namespace: 'kube-system'}},
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: {name: 'system:coredns'},
        rules: [
          {apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch']},
          {apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch']},
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: {name: 'system:coredns'},
        roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns'},
        subjects: [{kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system'}],
      },
      {apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'coredns', namespace: 'kube-system'}, data: {Corefile: clusterDnsSpec?.corefile ?? KUBEADM_COREFILE}},
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {name: 'kube-dns', namespace: 'kube-system', labels: {'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS'}},
        spec: {
          clusterIP: DNS_SERVICE_IP,
          selector: {'k8s-app': 'kube-dns'},
          ports: [
            {name: 'dns', port: 53, protocol: 'UDP', targetPort: 53},
            {name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53},
            {name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153},
          ],
        },
      },
    ])
  }

  private async coreDnsKubeconfig(): Promise<string> {
    const token = await this.serviceAccountToken('kube-system', 'coredns')
    return this.writeKubeconfig('coredns.kubeconfig', {token})
  }

  /**
   * A cluster DNS replica gets a pod behind kube-dns whose IP is added to the loopback interface: CoreDNS names itself
   * in NS answers after the Services whose endpoints hold one of its machine's addresses (kubernetes/ns.go, local.go),
   * so the harness's CoreDNS finds itself behind kube-dns as CoreDNS in a pod does. A Corefile that binds is bound to
   * that pod IP (the first cluster DNS pod's, for replicas that are not the cluster's DNS).
   */
  private async startCoreDns(spec: CoreDnsSpec, index: number, kubeconfig: string): Promise<CoreDnsReplica> {
    const name = `coredns-${spec.name}-${index}`
    let pod: string | undefined
    let address = this.coreDns.find((r) => r.pod)?.podIp ?? '127.0.0.1'
    let dns: number
    if (spec.clusterDns) {
      pod = `coredns-${this.coreDns.filter((r) => r.pod).length}`
      await this.createPod({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {name: pod, namespace: 'kube-system', labels: {'k8s-app': 'kube-dns'}},
        spec: {
          nodeName: this.nodes[index % this.nodes.length],
          serviceAccountName: 'coredns',
          dnsPolicy: 'Default',
          containers: [{name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.14.7', args: ['-conf', '/etc/coredns/Corefile'], ports: [{containerPort: 53, name: 'dns', protocol: 'UDP'}, {containerPort: 53, name: 'dns-tcp', protocol: 'TCP'}, {containerPort: 9153, name: 'metrics', protocol: 'TCP'}]}],
        },
      })
      address = await waitUntil(`pod kube-system/${pod} IP`, async () => (await this.api.get('Pod', 'kube-system', pod!)).status?.podIP as string | undefined, {timeoutMs: 30000})
    }
    // Every replica listens on all addresses (as CoreDNS in a pod does), so each needs a port of its own.
    dns = spec.listen?.port ?? (await freePort())
    if (spec.listen) address = spec.listen.address
    await this.addLoopbackAddress(address)
    // The files it reads, each in a directory standing for the one the Corefile names.
    const paths: Record<string, string> = {}
    const filePaths: string[] = []
    const written: [string, string][] = []
    for (const [path, content] of Object.entries(spec.files ?? {})) {
      const cut = path.lastIndexOf('/')
      const dir = join(this.dir, `${name}-files`, cut < 0 ? 'root' : path.slice(0, cut).replace(/[^A-Za-z0-9]+/g, '_') || 'root')
      mkdirSync(dir, {recursive: true})
      const local = join(dir, path.slice(cut + 1))
      written.push([local, content])
      filePaths.push(local)
      paths[path] = local
      if (cut >= 0) paths[path.slice(0, cut + 1)] = `${dir}/`
    }
    const [health, ready, metrics] = [await freePort({udp: false}), await freePort({udp: false}), await freePort({udp: false})]
    const link = await new ApiLink('127.0.0.1', Number(new URL(this.server).port)).start()
    // CoreDNS reaches the API through its link; the server certificate is valid for 127.0.0.1 on any port.
    const linked = join(this.dir, `${name}.kubeconfig`)
    writeFileSync(linked, readFileSync(kubeconfig, 'utf8').replace(this.server, `https://127.0.0.1:${link.port}`), {mode: 0o600})
    const corefilePath = join(this.dir, `${name}.Corefile`)
    const ports: CorefilePorts = {address, dns, health, ready, metrics, kubeconfig: linked, upstream: `127.0.0.1:${this.upstream.port}`, paths}
    writeFileSync(corefilePath, adaptCorefile(spec.corefile, ports))
    // Imported Corefile pieces are adapted the same way: server blocks (*.server), directives (*.override).
    for (const [local, content] of written) {
      writeFileSync(local, local.endsWith('.server') ? adaptCorefile(content, ports) : local.endsWith('.override') ? adaptCorefile(content, ports, {inBlock: true}) : content)
    }
    const p = this.processes.start(name, [binary('coredns'), '-conf', corefilePath])
    await waitUntil(`${name} /ready`, async () => (await httpGet(`http://127.0.0.1:${ready}/ready`)) === 200, {timeoutMs: 60000, process: p})
    if (pod) {
      // kubectl port-forward (and kdisco's port-forward probe) to the pod's port 53 reaches this process.
      await this.api.apply({apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'PortForward', metadata: {name: pod, namespace: 'kube-system'}, spec: {forwards: [{ports: [53], target: {address: '127.0.0.1', port: dns}}]}})
    }
    const bound = /^\s*bind\s/m.test(spec.corefile)
    return {spec, index, dns: {host: bound ? address : '127.0.0.1', port: dns}, corefilePath, filePaths, pod, podIp: pod ? address : undefined, link, process: p, ports}
  }

  /**
   * Restarts a replica's process (same pod, ports and link), optionally with another Corefile — what a rollout of
   * a changed ConfigMap does. `waitReady: false` for a Corefile or RBAC that keeps it from becoming ready.
   */
  async restartCoreDns(replica: CoreDnsReplica, options: {corefile?: string; waitReady?: boolean} = {}): Promise<void> {
    await this.stopCoreDnsProcess(replica)
    if (options.corefile !== undefined) writeFileSync(replica.corefilePath, adaptCorefile(options.corefile, replica.ports))
    const p = this.processes.start(replica.process.name, [binary('coredns'), '-conf', replica.corefilePath])
    replica.process = p
    if (options.waitReady ?? true) await waitUntil(`${p.name} /ready`, async () => (await httpGet(`http://127.0.0.1:${replica.ports.ready}/ready`)) === 200, {timeoutMs: 60000, process: p})
    else await waitUntil(`${p.name} listening`, async () => (await ask(replica.dns, 'ready.check.', 'A').then(() => true, () => false)) || undefined, {timeoutMs: 30000, process: p})
  }

  /**
   * Stops a replica's process, leaving its pod (kubelet has not noticed yet): the pod's address stops answering.
   * Killed, not terminated: kubeadm's Corefile has a 5 s lameduck, a wait the tests do not need.
   */
  async stopCoreDnsProcess(replica: CoreDnsReplica): Promise<void> {
    replica.process.child.kill('SIGKILL')
    await replica.process.stop()
  }

  /**
   * Compacts etcd as the API server's own compactor does (it writes compact_rev_key, which the API server watches,
   * then compacts): continue tokens from before expire once the API server has noticed (it polls every 15 s).
   */
  async compactEtcd(): Promise<number> {
    const post = async (path: string, body: object) => {
      const r = await fetch(`${this.etcdUrl}${path}`, {method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10000)})
      if (!r.ok) throw new Error(`etcd ${path}: ${r.status} ${await r.text()}`)
      return (await r.json()) as {header: {revision: string}}
    }
    const b64 = (t: string) => Buffer.from(t).toString('base64')
    const revision = Number((await post('/v3/kv/range', {key: b64('compact_rev_key')})).header.revision)
    await post('/v3/kv/put', {key: b64('compact_rev_key'), value: b64(String(revision))})
    await post('/v3/kv/compaction', {revision: String(revision), physical: true})
    return revision
  }

  /** Adds an address to the loopback interface (as root: `ip addr replace`, so adding it twice is fine). */
  private async addLoopbackAddress(address: string): Promise<void> {
    if (address.startsWith('127.') || this.loopbackAddresses.includes(address)) return
    const cmd = asRoot(['ip', 'addr', 'replace', `${address}/32`, 'dev', 'lo'])
    if (!cmd) throw new Error(`cannot add ${address} to the loopback interface: root (or passwordless sudo) is needed`)
    const r = spawnSync(cmd[0], cmd[1], {encoding: 'utf8'})
    if (r.status !== 0) throw new Error(`ip addr add ${address}/32 dev lo: ${r.stderr.trim()}`)
    this.loopbackAddresses.push(address)
  }


  /** Creates a namespace and waits for its default ServiceAccount (pods are refused until it exists). */
  async createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
    await this.api.apply({apiVersion: 'v1', kind: 'Namespace', metadata: {name, labels}})
    await waitUntil(`ServiceAccount ${name}/default`, async () => Boolean(await this.api.get('ServiceAccount', name, 'default').catch(() => undefined)), {timeoutMs: 30000})
  }

  /** Creates (applies) a pod, retrying while its namespace's default ServiceAccount is being created. */
  async createPod(pod: ApiObject): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.api.apply(pod)
        return
      } catch (e) {
        if (!(e instanceof ApiError && /serviceaccount .* not found/i.test(e.message)) || attempt > 50) throw e
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  }

  /** Applies objects in order: namespaces first (waiting for their ServiceAccounts), pods with retries. */
  async applyAll(objects: ApiObject[]): Promise<void> {
    for (const o of objects) {
      if (o.kind === 'Namespace') await this.createNamespace(o.metadata.name, (o.metadata.labels as Record<string, string>) ?? {})
      else if (o.kind === 'Pod') await this.createPod(o)
      else await this.api.apply(o)
    }
  }

  /** Sets a running pod's readiness (its Ready and ContainersReady conditions), as a kubelet's probe would. */
  async setPodReady(namespace: string, name: string, ready: boolean): Promise<void> {
    const pod = await this.api.get('Pod', namespace, name)
    const status = ready ? 'True' : 'False'
    const now = new Date().toISOString()
    const conditions = (pod.status?.conditions ?? []).map((c: {type: string}) => (c.type === 'Ready' || c.type === 'ContainersReady' ? {...c, status, lastTransitionTime: now} : c))
    const containerStatuses = (pod.status?.containerStatuses ?? []).map((c: object) => ({...c, ready}))
    await this.api.mergePatch('Pod', namespace, name, {status: {conditions, containerStatuses}}, 'status')
  }

  /** The admin kubeconfig's environment for a child process (kubectl, kdisco). */
  env(): NodeJS.ProcessEnv {
    return {KUBECONFIG: this.kubeconfig}
  }

  /** Stops everything; the work directory (logs) is kept when `keepLogs`, and its path returned. */
  async stop(options: {keepLogs?: boolean} = {}): Promise<string | undefined> {
    for (const tap of this.taps) await tap.stop()
    await this.runner?.stop()
    for (const r of this.coreDns) await r.link.stop()
    await this.processes.stopAll()
    await this.upstream?.stop()
    await this.podNetwork?.stop()
    // The pod addresses stay on the loopback: another cluster on this machine (a second test run) may be using the
    // same ones, and a /32 on lo that nothing listens on is harmless.
    if (options.keepLogs) return this.dir
    rmSync(this.dir, {recursive: true, force: true})
    return undefined
  }
}

function httpGet(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, {timeout: 2000}, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(0))
    req.end()
  })
}

async function httpsGetInsecure(url: string): Promise<number> {
  const {request} = await import('node:https')
  return new Promise((resolve) => {
    const req = request(url, {timeout: 2000, rejectUnauthorized: false}, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(0))
    req.end()
  })
}
