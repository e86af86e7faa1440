import {Flags, type Interfaces} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {type ZoneListing, type ZoneStream, collectZones, zoneStreams} from '../../dns/zone.js'
import {predictedNames} from '../../dns/service-lookup.js'
import {isDns1035Label, normalizeName} from '../../dns/names.js'
import {inputError} from '../../errors.js'
import {allNamespacesFlag, dnsFlags, inputFlags, outputFlag} from '../../flags.js'
import {loadCluster, resultContext} from '../../pipeline.js'
import type {DnsZoneResult} from '../../results.js'
import {aheadOfKubernetes} from '../../dns/coredns/server.js'

export default class DnsZone extends KdiscoCommand {
  static override summary = 'The whole expected cluster DNS zone, sorted, as a zone file or JSON.'
  static override description =
    'Every record cluster DNS serves for the Services, endpoints and pods in scope: A/AAAA, SRV, CNAME, PTR, pod records, dns-version. Records are found by asking the same model that answers lookups, so the two never disagree; where a rewrite, hosts, template or file plugin runs before the kubernetes plugin, the header says so, and dns lookup shows those names and their routes. -n limits it to one namespace (default: default), -A takes all.'
  static override examples = ['<%= config.bin %> <%= command.id %> -A', '<%= config.bin %> <%= command.id %> -n data -o json', 'kubectl get svc,pods,endpointslices -A -o yaml | <%= config.bin %> <%= command.id %> -A -f - --zone cluster.local']
  static override flags = {
    ...inputFlags,
    'all-namespaces': allNamespacesFlag,
    zone: Flags.string({multiple: true, description: 'Only this zone (cluster.local, in-addr.arpa, ip6.arpa…); repeatable.'}),
    output: outputFlag(['zone', 'json', 'yaml'] as const, 'zone'),
    ...dnsFlags,
  }

  async run(): Promise<DnsZoneResult | undefined> {
    const {flags} = await this.parse(DnsZone)
    const {result, header, streams} = await this.expectedZone(flags)
    if (flags.output === 'json') {
      // Written as the records are listed (the same text as the result's JSON): at 10k Services a listed zone is
      // ~400k records. Everything that can fail on bad input has failed before the first byte.
      const {zoneJsonPieces} = await import('../../render/zone-json.js')
      await this.emitPieces(zoneJsonPieces(result, streams))
      return undefined
    }
    result.zones = collectZones(streams)
    await this.render(result, flags.output, async (r) => {
      const {renderZoneFile} = await import('../../render/zonefile.js')
      return renderZoneFile(r.zones, header(r.zones))
    })
    return result
  }

  /** The result without its zones, the zones to list (lazily), and the zone-file header for the listed zones. */
  private async expectedZone(flags: Interfaces.InferredFlags<typeof DnsZone.flags>): Promise<{result: DnsZoneResult; header: (zones: ZoneListing[]) => string[]; streams: ZoneStream[]}> {
    const {snapshot, model, namespace} = await loadCluster(flags, {kinds: ['pods', 'statefulsets'], clusterDns: true})
    await this.reportInputGaps(snapshot, model)
    const zonesWanted = (flags.zone ?? []).map(normalizeName)
    for (const z of zonesWanted)
      if (!model.settings.zones.includes(z)) throw inputError(`Zone "${z}" is not served by the kubernetes plugin`, `Served zones: ${model.settings.zones.join(', ')}`)
    const namespaces = flags['all-namespaces'] ? [] : [namespace]
    const streams = zoneStreams(model, snapshot.pods, {namespaces, zones: zonesWanted})
    // A predicted pod has a DNS name only under a serviceName that can be a Service's name.
    const predicted = predictedNames(model, snapshot, (p) => (namespaces.length === 0 || namespaces.includes(p.namespace)) && isDns1035Label(p.serviceName))
    const ahead = aheadOfKubernetes(model.coreDns().config, model.settings.clusterDomain)
    const result: DnsZoneResult = {namespaces: flags['all-namespaces'] ? 'all' : namespaces, zones: [], predicted, ...(ahead ? {aheadOfKubernetes: ahead} : {}), ...resultContext(snapshot, model)}
    const derived = model.allServices().filter((svc) => (namespaces.length === 0 || namespaces.includes(svc.namespace)) && model.sliceOrigins(svc.namespace, svc.name).some((o) => o !== 'observed'))
    const header = (zones: ZoneListing[]) => [
      `kdisco expected cluster DNS zone — namespaces: ${flags['all-namespaces'] ? 'all' : namespace}; settings: ${model.settings.source}`,
      `SOA serial is a placeholder (CoreDNS uses the time of its last change).`,
      ...(derived.length > 0 ? [`endpoints derived from pods (or mirrored from v1 Endpoints) by kdisco, the input having no EndpointSlices for them: ${derived.slice(0, 5).map((s) => `${s.namespace}/${s.name}`).join(', ')}${derived.length > 5 ? ` and ${derived.length - 5} more` : ''}`] : []),
      ...predicted.map((p) => `predicted: ${p.name} A ${p.reason ? `will not resolve: ${p.reason}` : '<pending>'} (StatefulSet ${p.statefulSet} has not created ${p.pod} yet)`),
      ...(model.settings.pods === 'insecure' ? ['pods insecure: any a-b-c-d.<ns>.pod name answers; only existing pods are listed.'] : []),
      ...zones.filter((z) => z.omitted).map((z) => `${z.omitted} ${z.omitted === 1 ? 'record' : 'records'} of ${z.zone || '.'} left out: a name in them is longer than DNS allows (255 octets, labels of 63), so no question reaches them.`),
      ...(ahead ? [`${ahead.plugins.join(', ')} run before the kubernetes plugin in ${ahead.server}: names they answer get another answer (kdisco dns lookup NAME shows its route).`] : []),
    ]
    return {result, header, streams}
  }
}
