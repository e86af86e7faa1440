import {describeOrigin} from '../cluster/types.js'
import type {SvcListResult} from '../results.js'
import {age} from './age.js'
import {styler, table, terminalWidth, wrapText} from './style.js'

export async function renderServiceList(rows: SvcListResult['services'], options: {wide: boolean; showNamespace: boolean; noHeaders?: boolean; showLabels?: boolean}): Promise<string> {
  const c = await styler()
  if (rows.length === 0) return c.dim('No Services found.') + '\n'
  const head = [...(options.showNamespace ? ['NAMESPACE'] : []), 'NAME', 'TYPE', 'CLUSTER-IP(S)', 'EXTERNAL-IP', 'DNS NAME', 'ENDPOINTS', 'WHAT DNS RETURNS', 'AGE', ...(options.wide ? ['SELECTOR', 'PORTS'] : []), ...(options.showLabels ? ['LABELS'] : [])]
  // kubectl's EXTERNAL-IP: <pending> for a LoadBalancer without an address yet, <none> otherwise.
  const external = (r: (typeof rows)[number]) => r.external.join(',') || (r.type === 'LoadBalancer' ? '<pending>' : '<none>')
  const labels = (r: (typeof rows)[number]) => Object.entries(r.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'
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
      external(r),
      r.dnsName,
      r.endpoints.ready === 0 && r.kind !== 'ExternalName' ? c.yellow(eps) : eps,
      dns,
      age(r.creationTimestamp),
      ...(options.wide ? [r.selector ?? '<none>', r.ports.join(',') || '<none>'] : []),
      ...(options.showLabels ? [labels(r)] : []),
    ]
  })
  const origins = [...new Set(rows.filter(marked).flatMap((r) => r.endpoints.origin.filter((o) => o !== 'observed')))]
  const note = `* endpoints ${origins.map(describeOrigin).join(' or ')} by kdisco: the input has no EndpointSlices for them`
  const width = options.wide ? undefined : terminalWidth()
  const footnote = origins.length > 0 ? c.dim((width ? wrapText(note, width) : [note]).join('\n')) + '\n' : ''
  return table(head, body, c, {noHeaders: options.noHeaders, ...(options.wide ? {width: undefined} : {})}) + footnote
}
