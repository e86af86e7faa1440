// The JSON contract: what each command prints with -o json (and -o yaml). Commands build these results, renderers
// draw them, and scripts/schemas.ts turns them into schema/<command>.schema.json. Types only: importing this module
// loads nothing, so commands and renderers can both depend on it without depending on each other.
import type {SnapshotGap} from './cluster/types.js'
import type {ProbedQueries} from './compare/probe-report.js'
import type {ObservedQuery} from './compare/report.js'
import type {DnsLookupReport} from './dns/lookup.js'
import type {PodIdentity} from './dns/pod-identity.js'
import type {ServiceListRow} from './dns/service-list.js'
import type {ExpectedQuery, PredictedName, ServiceLookupReport} from './dns/service-lookup.js'
import type {PodsMode} from './dns/settings.js'
import type {ZoneListing} from './dns/zone.js'
import type {DoctorReport} from './explain/doctor.js'
import type {EndpointsReport} from './explain/endpoints.js'
import type {LintReport, ServiceExplanation} from './explain/service.js'

/** The DNS settings every answer was computed with. */
export interface SettingsSummary {
  clusterDomain: string
  zones: string[]
  pods: PodsMode
  ttl: number
  endpointPodNames: boolean
  /** Where the settings came from: a Corefile file or ConfigMap, or kubeadm's defaults (and why). */
  source: string
  /** Present when kube-dns, not CoreDNS, serves cluster DNS (its ConfigMap, no Corefile). */
  server?: 'kube-dns'
  /** The Corefile's server blocks and the plugins kdisco routes through, in CoreDNS's order. */
  blocks: {server: string; plugins: string[]}[]
  /** What kdisco noticed in the Corefile: imports it could not read, unknown plugins. */
  corefileNotes?: string[]
  /** NodeLocal DNSCache in front of cluster DNS: where its Corefile came from and the address pods ask. */
  nodeLocal?: {source: string; address: string}
  /** The node's search domains kubelet appends to ClusterFirst pods; null: not given (they may exist). */
  nodeSearch: string[] | null
}

/** Where the data came from, what could not be read, and what looked wrong in it. */
export interface InputSummary {
  origin: 'files' | 'live'
  sources: string[]
  gaps: SnapshotGap[]
  /** The lines kdisco wrote to stderr as warnings: an absent namespace, an object defined twice with different content… */
  warnings: string[]
}

/** What every result says about where its data came from and which DNS settings applied. */
export interface ResultContext {
  settings: SettingsSummary
  input: InputSummary
}

/** What a probe adds: where the answers came from and the verdict counts. */
export type ProbeSummary = ProbedQueries['probe']
export type VerdictSummary = ProbedQueries['summary']

export interface SvcListResult extends ResultContext {
  services: ServiceListRow[]
}

export interface SvcLookupResult extends Omit<ServiceLookupReport, 'queries'>, ResultContext {
  /** Expected answers; with a probe, each also carries what was observed and its verdict. */
  queries: ExpectedQuery[] | ObservedQuery[]
  summary?: VerdictSummary
  probe?: ProbeSummary
}

export interface SvcEndpointsResult extends EndpointsReport, ResultContext {}

export interface SvcExplainResult extends Omit<ServiceExplanation, 'dns'>, ResultContext {
  dns: ExpectedQuery[] | ObservedQuery[]
  summary?: VerdictSummary
  probe?: ProbeSummary
}

export interface SvcExplainAllResult extends LintReport, ResultContext {}

export interface DnsLookupResult extends DnsLookupReport, ResultContext {
  observed?: ObservedQuery['observed']
  status?: ObservedQuery['status']
  diff?: ObservedQuery['diff']
  summary?: VerdictSummary
  probe?: ProbeSummary
}

export interface DnsZoneResult extends ResultContext {
  namespaces: string[] | 'all'
  zones: ZoneListing[]
  /** StatefulSet pods that do not exist yet: their names, and whether they will resolve once the pods exist. */
  predicted: PredictedName[]
  /** Plugins that answer some of these names before the kubernetes plugin does (a route, not this listing, tells). */
  aheadOfKubernetes?: {server: string; plugins: string[]}
}

export interface DnsDoctorResult extends DoctorReport, ResultContext {}

export interface PodLookupResult extends PodIdentity, ResultContext {
  /** With a probe: each record asked for real, compared. */
  queries?: ObservedQuery[]
  summary?: VerdictSummary
  probe?: ProbeSummary
  /** With --probe exec/ephemeral in this pod: its real /etc/resolv.conf against the one kubelet should write. */
  resolvConfObserved?: {text: string; matches: boolean}
}

export interface ProbeCleanupResult {
  deleted: {namespace: string; name: string}[]
}

export interface VersionResult {
  client: {version: string; node: string; platform: string}
  /** The API server's /version (absent with --client, or when it could not be reached). */
  server?: {version: string; platform: string}
}

/** Each command's JSON result, by command id: what scripts/schemas.ts publishes as schema/<id>.schema.json. */
export interface CommandResults {
  'svc list': SvcListResult
  'svc lookup': SvcLookupResult
  'svc endpoints': SvcEndpointsResult
  'svc explain': SvcExplainResult | SvcExplainAllResult
  'dns lookup': DnsLookupResult
  'dns zone': DnsZoneResult
  'dns doctor': DnsDoctorResult
  'pod lookup': PodLookupResult
  'probe cleanup': ProbeCleanupResult
  version: VersionResult
}
