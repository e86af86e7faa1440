// The first stages every command shares: flags → snapshot (files or live) → DNS settings → expected DNS model.
import {resolveDnsSettings} from './cluster/dns-settings.js'
import {loadSnapshot} from './cluster/load.js'
import type {ClusterSnapshot} from './cluster/types.js'
import {ClusterDns} from './dns/model.js'
import type {PodsMode} from './dns/settings.js'

export interface PipelineFlags {
  filename?: string[]
  recursive?: boolean
  namespace?: string
  'cluster-domain'?: string
  pods?: PodsMode
  ttl?: number
  'endpoint-pod-names'?: boolean
  corefile?: string
}

export interface LoadedCluster {
  snapshot: ClusterSnapshot
  model: ClusterDns
}

export async function loadCluster(flags: PipelineFlags): Promise<LoadedCluster> {
  const snapshot = await loadSnapshot({filenames: flags.filename ?? [], recursive: flags.recursive ?? false, namespace: flags.namespace})
  const settings = await resolveDnsSettings(
    {corefile: flags.corefile, clusterDomain: flags['cluster-domain'], pods: flags.pods, ttl: flags.ttl, endpointPodNames: flags['endpoint-pod-names']},
    snapshot,
  )
  return {snapshot, model: new ClusterDns(snapshot, settings)}
}

/** The settings as reported in every JSON result. */
export function settingsSummary(model: ClusterDns) {
  const s = model.settings
  return {clusterDomain: s.clusterDomain, zones: s.zones, pods: s.pods, ttl: s.ttl, endpointPodNames: s.endpointPodNames, source: s.source}
}
