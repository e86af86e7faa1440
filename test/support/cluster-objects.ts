// The bundled examples as API objects, for loading into the Kubernetes API test server, plus helpers to make
// EndpointSlices for them the way the controller would (the file source derives; a live cluster has them).
import {loadFileSnapshot} from '../../src/cluster/files.js'
import {DERIVED_ANNOTATION} from '../../src/cluster/types.js'
import type {KubeApiServer} from './kube-api-server.js'

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname

/** Loads every example object into the server, with controller-made EndpointSlices (no kdisco marks). */
export async function loadExamples(server: KubeApiServer): Promise<void> {
  return loadManifests(server, [EXAMPLES])
}

/** Loads manifest files into the server as a cluster would hold them: EndpointSlices made as the controller would. */
export async function loadManifests(server: KubeApiServer, filenames: string[]): Promise<void> {
  const snap = await loadFileSnapshot({filenames})
  const slices = snap.endpointSlices.map((s) => {
    const copy = structuredClone(s)
    delete copy.metadata.annotations?.[DERIVED_ANNOTATION]
    copy.metadata.name = copy.metadata.name.replace('-kdisco-', '-x')
    return copy
  })
  const namespaces = snap.namespaces.map((name) => ({apiVersion: 'v1', kind: 'Namespace', metadata: {name}}))
  server.add(...(namespaces as never[]), ...(snap.services as never[]), ...(slices as never[]), ...(snap.pods as never[]), ...(snap.statefulSets as never[]), ...(snap.configMaps as never[]), ...(snap.endpoints as never[]), ...(snap.ingresses.filter((i) => i.apiVersion === 'networking.k8s.io/v1') as never[]))
}
