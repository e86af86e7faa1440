// The bundled examples (examples/*.yaml) as objects a real API server accepts. They are written as `kubectl get
// -o yaml` output would look, so what only a cluster sets is removed (status, uids, owner references without uids)
// and expressed the way this cluster can: a pod that is not ready in the example carries the annotation the
// harness's KWOK stages read. Objects in kube-system are left out: the harness runs the real cluster DNS itself.
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {loadAll} from 'js-yaml'
import type {ApiObject} from './api.js'
import {REPO_ROOT} from './components.js'
import {READY_ANNOTATION} from './states.js'

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples')

type Loose = ApiObject & {status?: {conditions?: {type: string; status: string}[]}; metadata: ApiObject['metadata'] & {annotations?: Record<string, string>; ownerReferences?: {uid?: string}[]}}

export function exampleObjects(dir = EXAMPLES_DIR): {apply: ApiObject[]; skipped: string[]} {
  const apply: ApiObject[] = []
  const skipped: string[] = []
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of loadAll(readFileSync(join(dir, file), 'utf8')) as Loose[]) {
      if (!doc || typeof doc !== 'object') continue
      const o = structuredClone(doc)
      if (o.metadata.namespace === 'kube-system') {
        skipped.push(`${o.kind} kube-system/${o.metadata.name} (the harness runs the cluster DNS)`)
        continue
      }
      for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields']) delete (o.metadata as Record<string, unknown>)[k]
      // Owner references need the owner's uid, which only the cluster knows; controllers adopt matching pods.
      if (o.metadata.ownerReferences?.some((r) => !r.uid)) delete o.metadata.ownerReferences
      if (o.kind === 'Pod') {
        // The examples' nodes do not exist here: the scheduler places the pods on KWOK's nodes.
        delete (o.spec as {nodeName?: string} | undefined)?.nodeName
        const ready = o.status?.conditions?.find((c) => c.type === 'Ready')
        if (ready && ready.status !== 'True') o.metadata.annotations = {...o.metadata.annotations, [READY_ANNOTATION]: 'false'}
      }
      delete o.status
      apply.push(o)
    }
  }
  // Namespaces first, then the rest in file order.
  apply.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'))
  return {apply, skipped}
}
