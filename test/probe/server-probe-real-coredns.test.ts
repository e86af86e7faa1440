// The probe path against real CoreDNS: `svc lookup --probe server` on the generated states reports every name as a
// match; after a change CoreDNS has not seen (its link to the API server paused), it names the difference; once
// CoreDNS catches up, it matches again.
import {expect} from 'chai'
import {kdiscoAsync} from '../support/cli.js'
import {requireRealCluster} from '../real-cluster/components.js'
import type {CoreDnsReplica, RealCluster} from '../real-cluster/cluster.js'
import {appliedStates, sharedCluster} from '../real-cluster/shared.js'
import type {ClusterState} from '../real-cluster/states.js'

interface Verdict {
  queries: {name: string; type: string; status?: string; expected: {answers: {data: string}[]}}[]
  summary: {total: number; match: number; mismatch: number}
}

describe('probe: svc lookup --probe server against real CoreDNS', function () {
  this.timeout(300000)
  let c: RealCluster
  let states: ClusterState[]
  let replica: CoreDnsReplica

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    states = await appliedStates()
    replica = c.coreDns.find((r) => r.spec.clusterDns)!
  })

  const lookup = (service: string, namespace: string) =>
    kdiscoAsync(['svc', 'lookup', service, '-n', namespace, '--probe', 'server', '--dns-server', `${replica.dns.host}:${replica.dns.port}`, '--kubeconfig', c.kubeconfig, '-o', 'json'], {timeoutMs: 60000})

  it('reports every name of every Service of a generated state as a match', async () => {
    const ns = states[0].namespaces[0]
    const services = (await c.api.list<{metadata: {name: string}}>('Service', ns)).map((s) => s.metadata.name)
    expect(services.length).to.be.greaterThan(5)
    const mismatched: string[] = []
    let matched = 0
    for (const svc of services) {
      const r = await lookup(svc, ns)
      const v = JSON.parse(r.stdout) as Verdict
      // "unprobed": answered upstream (fallthrough, names outside the cluster), which kdisco does not predict.
      for (const q of v.queries) if (q.status === 'match') matched++
      else if (q.status !== 'unprobed') mismatched.push(`${ns}/${svc}: ${q.name} ${q.type} ${q.status}`)
      expect(r.status, `${svc}: ${r.stderr}`).to.equal(mismatched.length > 0 ? 1 : 0)
    }
    expect(mismatched).to.deep.equal([])
    expect(matched).to.be.greaterThan(40)
  })

  it('names the record CoreDNS has not caught up with, and matches again once it has', async () => {
    const ns = states[0].namespaces[0]
    const before = await lookup('db', ns)
    expect(before.status, before.stderr).to.equal(0)
    // A new ready pod behind the headless Service, while this replica cannot see the API.
    replica.link.pause()
    try {
      await c.createPod({apiVersion: 'v1', kind: 'Pod', metadata: {name: 'late-joiner', namespace: ns, labels: {app: 'db'}}, spec: {nodeName: c.nodes[0], automountServiceAccountToken: false, containers: [{name: 'app', image: 'registry.k8s.io/pause:3.10', ports: [{name: 'http', containerPort: 8080}]}]}})
      const ip = await waitForSliceAddress(c, ns, 'db', 'late-joiner')
      const stale = await lookup('db', ns)
      expect(stale.status, stale.stderr).to.equal(1)
      const v = JSON.parse(stale.stdout) as Verdict
      const missing = v.queries.filter((q) => q.status === 'missing').map((q) => `${q.name} ${q.type}`)
      expect(missing).to.include(`db.${ns}.svc.cluster.local. A`)
      expect(v.queries.find((q) => q.name === `db.${ns}.svc.cluster.local.` && q.type === 'A')!.expected.answers.map((a) => a.data)).to.include(ip)
    } finally {
      replica.link.resume()
    }
    await c.waitForDns([replica])
    const after = await lookup('db', ns)
    expect(after.status, after.stdout).to.equal(0)
    await c.api.delete('Pod', ns, 'late-joiner', {gracePeriodSeconds: 0})
  })
})

/** Waits until the EndpointSlice controller lists the pod behind the Service; returns its IPv4 address. */
async function waitForSliceAddress(c: RealCluster, ns: string, service: string, pod: string): Promise<string> {
  const deadline = Date.now() + 30000
  for (;;) {
    const slices = await c.api.list<{endpoints?: {addresses: string[]; targetRef?: {name: string}; conditions?: {ready?: boolean}}[]; addressType: string}>('EndpointSlice', ns, `labelSelector=kubernetes.io/service-name%3D${service}`)
    for (const s of slices) for (const ep of s.endpoints ?? []) if (s.addressType === 'IPv4' && ep.targetRef?.name === pod && ep.conditions?.ready) return ep.addresses[0]
    if (Date.now() > deadline) throw new Error(`pod ${ns}/${pod} never appeared ready in the slices of ${service}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
