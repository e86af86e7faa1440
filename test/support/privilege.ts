// Some real parts need root: a private mount namespace (a pod's own /etc/resolv.conf) and a DNS server on port 53
// (a resolv.conf cannot name a port). As root nothing is added; otherwise passwordless sudo is used if it exists.
import {spawnSync} from 'node:child_process'

function detect(): string[] | undefined {
  if (process.getuid?.() === 0) return []
  return spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo', '-n', '--preserve-env=KUBERNETES_SERVICE_HOST,KUBERNETES_SERVICE_PORT,NODE_ENV,PATH'] : undefined
}

/** The prefix that runs a command as root, or undefined when this machine cannot. */
export const AS_ROOT = detect()

/** [command, args] to spawn `argv` as root (undefined when impossible). */
export function asRoot(argv: string[]): [string, string[]] | undefined {
  if (AS_ROOT === undefined) return undefined
  const full = [...AS_ROOT, ...argv]
  return [full[0], full.slice(1)]
}
