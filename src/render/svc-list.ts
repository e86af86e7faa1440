import type {SvcListResult} from '../results.js'
import {age} from './age.js'
import {styler, table} from './style.js'

export async function renderServiceList(rows: SvcListResult['services'], options: {wide: boolean; showNamespace: boolean}): Promise<string> {
  const c = await styler()
  if (rows.length === 0) return c.dim('No Services found.') + '\n'
  const head = [...(options.showNamespace ? ['NAMESPACE'] : []), 'NAME', 'TYPE', 'CLUSTER-IP(S)', 'DNS NAME', 'ENDPOINTS', 'WHAT DNS RETURNS', 'AGE', ...(options.wide ? ['SELECTOR', 'PORTS'] : [])]
  const body = rows.map((r) => {
    const dns = r.rcode === 'NXDOMAIN' ? c.red(r.dnsReturns) : r.dnsReturns
    const eps = r.type === 'ExternalName' ? '-' : `${r.endpoints.ready}/${r.endpoints.total}`
    return [
      ...(options.showNamespace ? [r.namespace] : []),
      r.name,
      r.type,
      r.clusterIPs.join(',') || '-',
      r.dnsName,
      r.endpoints.ready === 0 && r.type !== 'ExternalName' ? c.yellow(eps) : eps,
      dns,
      age(r.creationTimestamp),
      ...(options.wide ? [r.selector ?? '<none>', r.ports.join(',') || '<none>'] : []),
    ]
  })
  return table(head, body, c)
}
