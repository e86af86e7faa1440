import {Flags, type Interfaces} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {type ZoneListing, zoneRecords} from '../../dns/zone.js'
import {normalizeName} from '../../dns/names.js'
import {inputError} from '../../errors.js'
import {allNamespacesFlag, dnsFlags, inputFlags, outputFlag} from '../../flags.js'
import {loadCluster, resultContext, type ResultContext} from '../../pipeline.js'
import {aheadOfKubernetes} from '../../dns/coredns/server.js'

export interface DnsZoneResult extends ResultContext {
  namespaces: string[] | 'all'
  zones: ZoneListing[]
  predicted: {name: string; pod: string; statefulSet: string; ip: null; status: 'pending'}[]
  /** Plugins that answer some of these names before the kubernetes plugin does (a route, not this listing, tells). */
  aheadOfKubernetes?: {server: string; plugins: string[]}
}

export default class DnsZone extends KdiscoCommand {
  static override summary = 'The whole expected cluster DNS zone, sorted, as a zone file or JSON.'
  static override description =
    'Every record cluster DNS serves for the Services, endpoints and pods in scope: A/AAAA, SRV, CNAME, PTR, pod records, dns-version. Records are found by asking the same model that answers lookups, so the two never disagree; where a rewrite, hosts, template or file plugin runs before the kubernetes plugin, the header says so, and dns lookup shows those names and their routes. -n limits it to one namespace (default: default), -A takes all.'
  static override examples = ['<%= config.bin %> <%= command.id %> -A -f examples/', '<%= config.bin %> <%= command.id %> -n data -f examples/ -o json', '<%= config.bin %> <%= command.id %> -A -f examples/ --zone cluster.local']
  static override flags = {
    ...inputFlags,
    'all-namespaces': allNamespacesFlag,
    zone: Flags.string({multiple: true, description: 'Only this zone (cluster.local, in-addr.arpa, ip6.arpa…); repeatable.'}),
    output: outputFlag(['zone', 'json', 'yaml'] as const, 'zone'),
    ...dnsFlags,
  }

  async run(): Promise<DnsZoneResult> {
    const {flags} = await this.parse(DnsZone)
    const {result, header} = await this.expectedZone(flags)
    await this.render(result, flags.output, async (r) => {
      const {renderZoneFile} = await import('../../render/zonefile.js')
      return renderZoneFile(r.zones, header)
    })
    return result
  }

  /**
   * The result and the zone-file header. The snapshot and the model stay in here: at 10k Services they are most of
   * the heap, and leaving them behind lets the garbage collector reclaim them while the output is written.
   */
  private async expectedZone(flags: Interfaces.InferredFlags<typeof DnsZone.flags>): Promise<{result: DnsZoneResult; header: string[]}> {
    const {snapshot, model, namespace} = await loadCluster(flags, {kinds: ['pods', 'statefulsets'], clusterDns: true})
    this.reportInputGaps(snapshot, model)
    const zonesWanted = (flags.zone ?? []).map(normalizeName)
    for (const z of zonesWanted)
      if (!model.settings.zones.includes(z)) throw inputError(`zone "${z}" is not served by the kubernetes plugin`, `Served zones: ${model.settings.zones.join(', ')}`)
    const namespaces = flags['all-namespaces'] ? [] : [namespace]
    const zones = zoneRecords(model, snapshot.pods, {namespaces, zones: zonesWanted})
    const predicted = snapshot.predictedPods
      .filter((p) => namespaces.length === 0 || namespaces.includes(p.namespace))
      .map((p) => ({name: `${p.hostname}.${p.serviceName}.${p.namespace}.svc.${model.settings.clusterDomain}.`, pod: p.name, statefulSet: p.statefulSet, ip: null, status: 'pending' as const}))
    const ahead = aheadOfKubernetes(model.coreDns().config, model.settings.clusterDomain)
    const result: DnsZoneResult = {namespaces: flags['all-namespaces'] ? 'all' : namespaces, zones, predicted, ...(ahead ? {aheadOfKubernetes: ahead} : {}), ...resultContext(snapshot, model)}
    const header = [
      `kdisco expected cluster DNS zone — namespaces: ${flags['all-namespaces'] ? 'all' : namespace}; settings: ${model.settings.source}`,
      `SOA serial is a placeholder (CoreDNS uses the time of its last change).`,
      ...predicted.map((p) => `predicted: ${p.name} A <pending> (StatefulSet ${p.statefulSet} has not created ${p.pod} yet)`),
      ...(model.settings.pods === 'insecure' ? ['pods insecure: any a-b-c-d.<ns>.pod name answers; only existing pods are listed.'] : []),
      ...(ahead ? [`${ahead.plugins.join(', ')} run before the kubernetes plugin in ${ahead.server}: names they answer get another answer (kdisco dns lookup NAME shows its route).`] : []),
    ]
    return {result, header}
  }
}
