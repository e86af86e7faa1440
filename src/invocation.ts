// How the user runs kdisco, for usage, help and hints that name a command: kubectl runs it as `kubectl-disco`,
// and then every command line kdisco suggests must say `kubectl disco`.
import {basename} from 'node:path'

export function commandName(script = process.argv[1]): string {
  return basename(script ?? '').startsWith('kubectl-') ? 'kubectl disco' : 'kdisco'
}
