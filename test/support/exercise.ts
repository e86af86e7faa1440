// Everything the commands compute from a snapshot, in process: a fuzzer's way to check that what passes the
// boundary can be read by the whole of kdisco (no TypeError, no RangeError, no hang).
import type {ClusterSnapshot} from '../../src/cluster/types.js'
import {findCorefileConfigMap, resolveDnsSettings} from '../../src/cluster/dns-settings.js'
import {ClusterDns} from '../../src/dns/model.js'
import {zoneRecords} from '../../src/dns/zone.js'
import {renderZoneFile} from '../../src/render/zonefile.js'
import {serviceList} from '../../src/dns/service-list.js'
import {serviceLookup} from '../../src/dns/service-lookup.js'
import {explainService} from '../../src/explain/service.js'
import {serviceEndpoints} from '../../src/explain/endpoints.js'
import {podIdentity} from '../../src/dns/pod-identity.js'
import {dnsLookup} from '../../src/dns/lookup.js'
import {staticChecks} from '../../src/explain/doctor.js'

/** Runs every command's computation over the snapshot (the first `limit` Services and pods). */
export async function exercise(snapshot: ClusterSnapshot, limit = 20): Promise<void> {
  const corefile = findCorefileConfigMap(snapshot)
  const settings = resolveDnsSettings({}, snapshot, corefile)
  const model = new ClusterDns(snapshot, settings)
  serviceList(model)
  JSON.stringify(renderZoneFile(zoneRecords(model, snapshot.pods), ['exercise']))
  for (const svc of model.allServices().slice(0, limit)) {
    JSON.stringify(serviceLookup(model, snapshot, svc))
    JSON.stringify(explainService(model, snapshot, svc))
    JSON.stringify(serviceEndpoints(model, snapshot, svc))
    dnsLookup(model, {name: svc.name, type: 'A', namespace: svc.namespace})
    dnsLookup(model, {name: `_http._tcp.${svc.name}`, type: 'SRV', namespace: 'default'})
  }
  for (const pod of snapshot.pods.slice(0, limit)) JSON.stringify(podIdentity(model, snapshot, pod))
  staticChecks(model, snapshot, {unavailable: 'fuzz'}, corefile)
}
