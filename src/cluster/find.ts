// "Not found" errors that point at what the user probably meant.
import type {ClusterDns} from '../dns/model.js'
import {inputError, type KdiscoError, quote} from '../errors.js'
import {commandName} from '../invocation.js'

/** Edit distance (insertions, deletions, substitutions). */
export function distance(a: string, b: string): number {
  const d = Array.from({length: a.length + 1}, (_, i) => [i, ...new Array(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
  return d[a.length][b.length]
}

/** Suggests close names in the namespace, and the same name in other namespaces: sentences for a hint, joined by hintOf. */
export function closeNames(wanted: string, namespace: string, candidates: {name: string; namespace: string}[]): string[] {
  const hints: string[] = []
  const elsewhere = candidates.filter((c) => c.name === wanted && c.namespace !== namespace).map((c) => `-n ${c.namespace}`)
  if (elsewhere.length > 0) hints.push(`It exists in another namespace: ${elsewhere.slice(0, 3).join(', ')}`)
  const close = candidates
    .filter((c) => !(c.namespace === namespace && c.name === wanted) && c.name !== wanted)
    .map((c) => ({label: c.namespace === namespace ? c.name : `${c.name} (-n ${c.namespace})`, d: distance(c.name, wanted) + (c.namespace === namespace ? 0 : 0.5)}))
    .filter((c) => c.d <= Math.max(2, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((c) => c.label)
  if (close.length > 0) hints.push(`Did you mean ${close.join(', ')}?`)
  return hints
}

/** closeNames' sentences as one hint, or `otherwise` when there are none. */
export function hintOf(hints: string[], otherwise: string): string {
  return hints.length > 0 ? hints.join('. ') : otherwise
}

/**
 * A Service that is not in the input: close names, the same name in other namespaces. `files` are -f's arguments
 * (offline), for a hint that lists the same input.
 */
export function serviceNotFound(model: ClusterDns, name: string, namespace: string, files: string[] = []): KdiscoError {
  const hints = closeNames(name, namespace, model.allServices())
  if (!model.hasNamespace(namespace)) return inputError(`Service ${quote(name)} not found: namespace "${namespace}" is not in the input`, hintOf(hints, 'Check -n'))
  return serviceNotFoundError(name, namespace, hints, files)
}

/** The one "Service not found" error, offline and live: exit 2 (a name that does not exist), close names as hints. */
export function serviceNotFoundError(name: string, namespace: string, hints: string[], files: string[] = []): KdiscoError {
  return inputError(`Service ${quote(name)} not found in namespace ${namespace}`, hintOf(hints, `List Services with ${commandName()} svc list -A${filesArgs(files)}, or check -n`))
}

/** -f's arguments as the user can type them again; a placeholder when they would need shell quoting or are many. */
function filesArgs(files: string[]): string {
  if (files.length === 0) return ''
  if (files.length > 3 || !files.every((f) => /^[\w./@:+=,~-]{1,100}$/.test(f))) return ' -f FILES'
  return files.map((f) => ` -f ${f}`).join('')
}
