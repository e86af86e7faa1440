import {describeOrigin} from '../cluster/types.js'
import type {SvcListResult} from '../results.js'
import {age} from './age.js'
import {styler, table} from './style.js'

export async function renderServiceList(rows: SvcListResult['services'], options: {wide: boolean; showNamespace: boolean}): Promise<string> {
  const c = await styler()
  if (rows.length === 0) return c.dim('No Services found.') + '\n'
  const head = [...(options.showNamespace ? ['NAMESPACE'] : []), 'NAME', 'TYPE', 'CLUSTER-IP(S)', 'DNS NAME', 'ENDPOINTS', 'WHAT DNS RETURNS', 'AGE', ...(options.wide ? ['SELECTOR', 'PORTS'] : [])]
  // Endpoints kdisco derived (manifests without EndpointSlices) are marked, never passed off as the cluster's.
  const marked = (r: (typeof rows)[number]) => r.endpoints.origin.some((o) => o !== 'observed')
  const body = rows.map((r) => {
    const dns = r.rcode === 'NXDOMAIN' ? c.red(r.dnsReturns) : r.dnsReturns
    const eps = r.kind === 'ExternalName' ? '-' : `${r.endpoints.ready}/${r.endpoints.total}${marked(r) ? '*' : ''}`
    return [
      ...(options.showNamespace ? [r.namespace] : []),
      r.name,
      r.type,
      r.kind === 'Headless' ? 'None' : r.clusterIPs.join(',') || '-',
      r.dnsName,
      r.endpoints.ready === 0 && r.kind !== 'ExternalName' ? c.yellow(eps) : eps,
      dns,
      age(r.creationTimestamp),
      ...(options.wide ? [r.selector ?? '<none>', r.ports.join(',') || '<none>'] : []),
    ]
  })
  const origins = [...new Set(rows.filter(marked).flatMap((r) => r.endpoints.origin.filter((o) => o !== 'observed')))]
  const footnote = origins.length > 0 ? c.dim(`* endpoints ${origins.map(describeOrigin).join(' or ')} by kdisco: the input has no EndpointSlices for them`) + '\n' : ''
  return table(head, body, c) + footnote
}
