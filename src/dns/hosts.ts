// The /etc/hosts kubelet writes into a pod (kubelet managedHostsFileContent). Pure.

export interface HostsInput {
  hostname: string
  /** `<subdomain>.<ns>.svc.<zone>` when the pod sets spec.subdomain. */
  domain?: string
  podIps: string[]
  hostAliases?: {ip: string; hostnames?: string[]}[]
  hostNetwork?: boolean
}

/** undefined for hostNetwork pods: they see the node's own /etc/hosts. */
export function podHostsFile(input: HostsInput): string | undefined {
  if (input.hostNetwork) return undefined
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ]
  for (const ip of input.podIps) {
    lines.push(input.domain ? `${ip}\t${input.hostname}.${input.domain}\t${input.hostname}` : `${ip}\t${input.hostname}`)
  }
  let text = lines.join('\n') + '\n'
  if (input.hostAliases && input.hostAliases.length > 0) {
    text += '\n# Entries added by HostAliases.\n'
    for (const alias of input.hostAliases) text += `${alias.ip}\t${(alias.hostnames ?? []).join('\t')}\n`
  }
  return text
}

/** The hostname a pod sees: spec.hostname, else the pod name cut to 63 characters (kubelet GeneratePodHostNameAndDomain). */
export function podHostname(podName: string, specHostname?: string): string {
  if (specHostname) return specHostname
  return podName.length <= 63 ? podName : podName.slice(0, 63).replace(/[-.]+$/, '')
}
