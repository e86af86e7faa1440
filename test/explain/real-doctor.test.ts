// dns doctor against real cluster DNS: kubeadm's CoreDNS (two replicas behind kube-dns) on the real control plane.
// Healthy, every check is ok; then broken on purpose, one thing at a time, and each breakage is named by its check
// with the evidence — while real CoreDNS really misbehaves (it cannot sync without its RBAC, it forwards cluster
// names without the kubernetes plugin, a stopped replica does not answer). Each case puts the cluster back.
import {expect} from 'chai'
import {request} from 'node:http'
import {kdiscoAsync} from '../support/cli.js'
import type {ApiObject} from '../real-cluster/api.js'
import type {CoreDnsReplica, RealCluster} from '../real-cluster/cluster.js'
import {requireRealCluster} from '../real-cluster/components.js'
import {KUBEADM_COREFILE} from '../real-cluster/corefiles.js'
import {waitUntil} from '../real-cluster/processes.js'
import {requirePodRunner, sharedCluster} from '../real-cluster/shared.js'
import {PAUSE_IMAGE, deployService} from '../real-cluster/workloads.js'

interface Check {
  id: string
  status: string
  message: string
  evidence: string[]
}

interface Doctor {
  checks: Check[]
  summary: Record<string, number>
}

describe('dns doctor against real cluster DNS', function () {
  this.timeout(300000)
  let c: RealCluster
  let replicas: CoreDnsReplica[]
  let coreDnsRole: ApiObject & {rules: {apiGroups: string[]; resources: string[]; verbs: string[]}[]}

  const doctor = async (probe: 'pod' | 'port-forward') => {
    const r = await kdiscoAsync(['dns', 'doctor', '--probe', probe, '-o', 'json', '--kubeconfig', c.kubeconfig], {timeoutMs: 120000})
    const out = JSON.parse(r.stdout) as Doctor
    const check = (id: string) => out.checks.find((x) => x.id === id)!
    return {status: r.status, stderr: r.stderr, out, check, statuses: Object.fromEntries(out.checks.map((x) => [x.id, x.status]))}
  }
  // nodesearch: the nodes' search domains are not given to kdisco here, so that check is skipped.
  const allOk = {service: 'ok', endpoints: 'ok', pods: 'ok', corefile: 'ok', plugins: 'ok', rbac: 'ok', nodelocaldns: 'ok', nodesearch: 'skipped', lookup: 'ok', ndots: 'ok'}

  /** kubelet's readiness probe of a CoreDNS pod (kubeadm's: GET /ready), asked of the replica's process. */
  const readyz = (r: CoreDnsReplica) =>
    new Promise<number>((resolve) => {
      const req = request(`http://127.0.0.1:${r.ports.ready}/ready`, {timeout: 2000}, (res) => (res.resume(), resolve(res.statusCode ?? 0)))
      req.on('timeout', () => req.destroy())
      req.on('error', () => resolve(0))
      req.end()
    })

  /** Readiness as kubelet reports it, and the EndpointSlice controller's view of it settled. */
  async function setReady(r: CoreDnsReplica, ready: boolean): Promise<void> {
    await c.setPodReady('kube-system', r.pod!, ready)
    await waitUntil(
      `${r.pod} ${ready ? 'ready' : 'not ready'} behind kube-dns`,
      async () => {
        const slices = await c.api.list<{endpoints?: {targetRef?: {name: string}; conditions?: {ready?: boolean}}[]}>('EndpointSlice', 'kube-system', 'labelSelector=kubernetes.io%2Fservice-name%3Dkube-dns')
        return slices.some((s) => (s.endpoints ?? []).some((e) => e.targetRef?.name === r.pod && Boolean(e.conditions?.ready) === ready))
      },
      {timeoutMs: 30000},
    )
  }

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    requirePodRunner(this, c)
    replicas = c.coreDns.filter((r) => r.spec.clusterDns)
    coreDnsRole = await c.api.get('ClusterRole', undefined, 'system:coredns')
    await c.createNamespace('doctor-app')
    await deployService(c, 'doctor-app', 'db', {replicas: 1, headless: true})
  })

  it('healthy: every check is ok, the control lookup through a debug pod and through each replica', async () => {
    const viaPod = await doctor('pod')
    expect(viaPod.statuses, JSON.stringify(viaPod.out.checks, null, 1)).to.deep.equal(allOk)
    expect(viaPod.status).to.equal(0)
    expect(viaPod.check('endpoints').evidence).to.deep.equal(replicas.map((r) => `${r.podIp} ${r.pod} ready`))
    expect(viaPod.check('lookup').message).to.equal('kubernetes.default.svc.cluster.local. answers 10.96.0.1 as expected')
    expect(viaPod.check('lookup').evidence[0]).to.match(/^via pod default\/kdisco-probe-[0-9a-f]+$/)
    const viaReplicas = await doctor('port-forward')
    expect(viaReplicas.statuses).to.deep.equal(allOk)
    expect(viaReplicas.check('lookup').evidence).to.deep.equal(['via port-forward kube-system/coredns-0', 'via port-forward kube-system/coredns-1'])
  })

  it("CoreDNS's ClusterRole without endpointslices: a restarted replica cannot sync; doctor names the missing verbs and the replica", async () => {
    const [, second] = replicas
    await c.api.apply({...coreDnsRole, metadata: {name: 'system:coredns'}, rules: coreDnsRole.rules.filter((rule) => !rule.resources.includes('endpointslices'))})
    try {
      await c.restartCoreDns(second, {waitReady: false})
      // It really cannot: its list of EndpointSlices is forbidden, so it never becomes ready.
      await waitUntil(`${second.process.name} to log the forbidden list`, async () => /endpointslices\.discovery\.k8s\.io is forbidden/.test(second.process.tail(50)), {timeoutMs: 30000})
      expect(await readyz(second)).to.equal(503)
      // Before kubelet's readiness probe notices, kube-dns still sends queries to it.
      const early = await doctor('port-forward')
      expect(early.status).to.equal(1)
      expect(early.check('rbac')).to.deep.include({status: 'error', message: 'CoreDNS may not list endpointslices.discovery.k8s.io, watch endpointslices.discovery.k8s.io: its watches fail and cluster names answer SERVFAIL or go stale'})
      expect(early.check('rbac').evidence).to.deep.equal(['ClusterRole bound to ServiceAccount kube-system/coredns: system:coredns'])
      // The control name is a ClusterIP: it comes from Services, which CoreDNS may still list. Endpoints it has not.
      expect(early.check('lookup').status).to.equal('ok')
      const headless = await kdiscoAsync(['svc', 'lookup', 'db', '-n', 'doctor-app', '--probe', 'port-forward', '-o', 'json', '--kubeconfig', c.kubeconfig], {timeoutMs: 60000})
      expect(headless.status, headless.stderr).to.equal(1)
      const a = (JSON.parse(headless.stdout) as {queries: {name: string; type: string; status: string; notes?: string[]; observed: {via: string}}[]}).queries.find((q) => q.name === 'db.doctor-app.svc.cluster.local.' && q.type === 'A')!
      expect(a.status).not.to.equal('match')
      expect(a.observed.via).to.equal('port-forward kube-system/coredns-1')
      expect(a.notes!.join(' ')).to.include('1 of 2 replicas match: the replicas disagree')
      // Once kubelet has marked it not ready, the pods and endpoints checks name it too.
      await setReady(second, false)
      const late = await doctor('port-forward')
      expect(late.statuses).to.deep.include({rbac: 'error', pods: 'error', endpoints: 'warning', lookup: 'ok'})
      expect(late.check('pods').message).to.equal('1 of 2 DNS pods not ready')
      expect(late.check('pods').evidence).to.include('coredns-1: Running, not ready, 0 restarts')
      expect(late.check('endpoints').evidence).to.include(`${second.podIp} coredns-1 not ready`)
    } finally {
      await c.api.apply({...coreDnsRole, metadata: {name: 'system:coredns'}})
      await c.restartCoreDns(second)
      await setReady(second, true)
      await c.waitForDns()
    }
  })

  it('kube-dns without ready endpoints: the endpoints and pods checks say so, and the control lookup gets no answer', async () => {
    try {
      for (const r of replicas) await setReady(r, false)
      const d = await doctor('pod')
      expect(d.status).to.equal(1)
      expect(d.statuses).to.deep.include({endpoints: 'error', pods: 'error', lookup: 'error'})
      expect(d.check('endpoints').message).to.equal('no ready endpoint behind kube-dns: every lookup in the cluster times out')
      expect(d.check('endpoints').evidence).to.deep.equal(replicas.map((r) => `${r.podIp} ${r.pod} not ready`))
      expect(d.check('pods').message).to.equal('2 of 2 DNS pods not ready')
      // kube-proxy (the pod network's) has no endpoint to send 10.96.0.10:53 to: the debug pod's lookups fail.
      expect(d.check('lookup').message).to.match(/^the probe failed: The probe got no answer at all: /)
    } finally {
      for (const r of replicas) await setReady(r, true)
    }
  })

  it('a Corefile without the kubernetes plugin: the corefile check says so, and the replicas really forward cluster names', async () => {
    const noKubernetes = KUBEADM_COREFILE.replace(/\n\s*kubernetes cluster\.local[^]*?\n\s*\}\n/, '\n')
    expect(noKubernetes).not.to.include('kubernetes')
    const configMap = await c.api.get('ConfigMap', 'kube-system', 'coredns')
    try {
      await c.api.apply({apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: 'coredns', namespace: 'kube-system'}, data: {Corefile: noKubernetes}})
      // What a rollout of the changed ConfigMap does: each replica restarts with it.
      for (const r of replicas) await c.restartCoreDns(r, {corefile: noKubernetes})
      const d = await doctor('port-forward')
      expect(d.status).to.equal(1)
      expect(d.check('corefile')).to.deep.include({status: 'error', message: 'no server block has the kubernetes plugin: cluster names are not served', evidence: ['ConfigMap kube-system/coredns']})
      expect(d.check('lookup').status).to.equal('error')
      expect(d.check('lookup').evidence.join('\n')).to.match(/coredns-0: .*coredns-1: |coredns-1: .*coredns-0: |\(0 of 2 replicas match/)
    } finally {
      await c.api.apply({...configMap, metadata: {name: 'coredns', namespace: 'kube-system'}})
      for (const r of replicas) await c.restartCoreDns(r, {corefile: KUBEADM_COREFILE})
      await c.waitForDns()
    }
  })

  it('one replica down: the control lookup through it fails and names it; once kubelet notices, the pods check names it', async () => {
    const [, second] = replicas
    try {
      await c.stopCoreDnsProcess(second)
      const early = await doctor('port-forward')
      expect(early.status).to.equal(1)
      expect(early.statuses).to.deep.include({pods: 'ok', endpoints: 'ok', lookup: 'error'})
      expect(early.check('lookup').evidence.join('\n')).to.match(/port-forward kube-system\/coredns-1: error/)
      await setReady(second, false)
      const late = await doctor('port-forward')
      expect(late.statuses).to.deep.include({pods: 'error', endpoints: 'warning', lookup: 'ok'})
      expect(late.check('endpoints').message).to.equal('only 1 ready endpoint behind kube-dns: no redundancy')
      expect(late.check('pods').evidence).to.include('coredns-1: Running, not ready, 0 restarts')
    } finally {
      await c.restartCoreDns(second)
      await setReady(second, true)
      await c.waitForDns()
    }
  })

  it('a NodeLocal DNSCache-style DaemonSet: named with its pods per node; one not ready is a warning', async () => {
    const labels = {'k8s-app': 'node-local-dns'}
    await c.api.apply({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {name: 'node-local-dns', namespace: 'kube-system', labels},
      spec: {selector: {matchLabels: labels}, template: {metadata: {labels}, spec: {hostNetwork: true, dnsPolicy: 'Default', priorityClassName: 'system-node-critical', containers: [{name: 'node-cache', image: PAUSE_IMAGE}]}}},
    })
    try {
      const pods = await waitUntil(
        'node-local-dns on both nodes',
        async () => {
          const list = await c.api.list<{metadata: {name: string}; spec: {nodeName?: string}; status?: {phase?: string}}>('Pod', 'kube-system', 'labelSelector=k8s-app%3Dnode-local-dns')
          return list.length === c.nodes.length && list.every((p) => p.status?.phase === 'Running') && list
        },
        {timeoutMs: 30000},
      )
      const d = await doctor('port-forward')
      expect(d.check('nodelocaldns')).to.deep.include({status: 'ok', message: `installed on ${c.nodes.length} nodes, ${c.nodes.length} ready: pods on a node whose cache is down cannot resolve`})
      // Its Corefile (assumed: the ConfigMap is not read), the two hops of a cluster name, then its pods.
      const evidence = d.check('nodelocaldns').evidence
      expect(evidence[0]).to.equal("node-local-dns pods run; their ConfigMap was not read, so kdisco assumes the upstream manifest's Corefile; pods ask 169.254.20.10")
      expect(evidence[1]).to.match(/^kubernetes\.default: node-local cluster\.local:53 .*⇒ cluster DNS \.:53 /)
      expect(evidence.slice(2).sort()).to.deep.equal(pods.map((p) => `${p.metadata.name} on ${p.spec.nodeName}`).sort())
      await c.setPodReady('kube-system', pods[0].metadata.name, false)
      const one = await doctor('port-forward')
      expect(one.check('nodelocaldns')).to.deep.include({status: 'warning', message: `installed on ${c.nodes.length} nodes, ${c.nodes.length - 1} ready: pods on a node whose cache is down cannot resolve`})
    } finally {
      await c.api.delete('DaemonSet', 'kube-system', 'node-local-dns')
      await waitUntil('node-local-dns pods gone', async () => (await c.api.list('Pod', 'kube-system', 'labelSelector=k8s-app%3Dnode-local-dns')).length === 0, {timeoutMs: 30000})
    }
  })
})
