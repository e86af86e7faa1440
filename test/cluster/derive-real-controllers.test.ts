// kdisco's EndpointSlices derived offline (from pods, or mirrored from v1 Endpoints) against the ones the real
// EndpointSlice and mirroring controllers (kube-controller-manager, built from k8s.io/kubernetes) wrote for the same
// generated states. Compared as sets of endpoints, per Service.
import {expect} from 'chai'
import {completeSnapshot} from '../../src/cluster/derive.js'
import {snapshotFromObjects} from '../../src/cluster/files.js'
import {type EndpointSlice, type KubeObject, SERVICE_NAME_LABEL, sliceOrigin} from '../../src/cluster/types.js'
import {requireRealCluster} from '../real-cluster/components.js'
import type {RealCluster} from '../real-cluster/cluster.js'
import {appliedStates, sharedCluster} from '../real-cluster/shared.js'
import type {ClusterState} from '../real-cluster/states.js'

const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by'

/** One line per endpoint address, with everything the controllers decide about it. */
function endpointLines(slices: EndpointSlice[]): string[] {
  const lines: string[] = []
  for (const s of slices) {
    const ports = (s.ports ?? []).map((p) => `${p.name ?? ''}:${p.port ?? ''}/${p.protocol ?? 'TCP'}`).sort().join(',')
    for (const ep of s.endpoints ?? []) {
      for (const address of ep.addresses) {
        const c = ep.conditions ?? {}
        const ref = ep.targetRef ? `${ep.targetRef.kind}/${ep.targetRef.namespace}/${ep.targetRef.name}` : '-'
        lines.push(`${s.addressType} ${address} ready=${c.ready ?? '-'} serving=${c.serving ?? '-'} terminating=${c.terminating ?? '-'} hostname=${ep.hostname ?? '-'} node=${ep.nodeName ?? '-'} ref=${ref} ports=[${ports}]`)
      }
    }
  }
  return lines.sort()
}

describe('EndpointSlices derived offline against the real controllers', function () {
  this.timeout(600000)
  let c: RealCluster
  let states: ClusterState[]

  before(async function () {
    requireRealCluster(this)
    c = await sharedCluster()
    states = await appliedStates()
  })

  it('derives exactly the endpoints the EndpointSlice and mirroring controllers wrote, for every Service of every state', async () => {
    const differences: string[] = []
    let services = 0
    for (const state of states) {
      for (const ns of state.namespaces) {
        const objects = async (kind: string) => (await c.api.list<KubeObject>(kind, ns)).map((o) => ({...o, kind, apiVersion: kind === 'EndpointSlice' ? 'discovery.k8s.io/v1' : 'v1'}))
        const [svcs, pods, endpoints, slices] = [await objects('Service'), await objects('Pod'), await objects('Endpoints'), (await objects('EndpointSlice')) as EndpointSlice[]]
        const controllers = slices.filter((s) => s.metadata.labels?.[MANAGED_BY])
        const handWritten = slices.filter((s) => !s.metadata.labels?.[MANAGED_BY])
        const input = [...svcs, ...pods, ...endpoints, ...handWritten].map((object) => ({object, source: 'api'}))
        const derived = completeSnapshot(snapshotFromObjects(input, ['api'])).endpointSlices.filter((s) => sliceOrigin(s) !== 'observed')
        for (const svc of svcs) {
          const name = svc.metadata.name
          const real = controllers.filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name)
          if (real.length === 0) continue
          services++
          const ours = derived.filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name)
          const [want, got] = [endpointLines(real), endpointLines(ours)]
          if (want.join('\n') !== got.join('\n')) {
            differences.push(`${ns}/${name}:\n  controller: ${want.join('\n              ') || 'no endpoints'}\n  kdisco:     ${got.join('\n              ') || 'no endpoints'}`)
          }
        }
      }
    }
    process.stderr.write(`      derivation: ${services} Services compared with the controllers' slices, ${differences.length} differ\n`)
    expect(services).to.be.greaterThan(20)
    expect(differences).to.deep.equal([])
  })
})
