// Chooses the snapshot source: manifest files when -f is given, otherwise the live cluster.
import {inputError} from '../errors.js'
import type {ClusterSnapshot} from './types.js'

export interface SnapshotScope {
  filenames: string[]
  recursive: boolean
  namespace?: string
}

export async function loadSnapshot(scope: SnapshotScope): Promise<ClusterSnapshot> {
  if (scope.filenames.length > 0) {
    const {loadFileSnapshot} = await import('./files.js')
    return loadFileSnapshot({filenames: scope.filenames, recursive: scope.recursive, defaultNamespace: scope.namespace})
  }
  throw inputError('no input: reading a live cluster is not available in this version', 'Pass manifests with -f FILE|DIR|- (for example: kubectl get svc,endpointslices,pods -A -o yaml | kdisco … -f -)')
}
