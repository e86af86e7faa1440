// DNS name helpers and Kubernetes name validation. Pure, no I/O.

/** Lower-case, no trailing dot: the form used for comparisons and index keys. */
export function normalizeName(name: string): string {
  return name.replace(/\.+$/, '').toLowerCase()
}

/** Absolute form with exactly one trailing dot, spelling kept. */
export function fqdn(name: string): string {
  return name === '' || name === '.' ? '.' : name.replace(/\.+$/, '') + '.'
}

export function isAbsolute(name: string): boolean {
  return name.endsWith('.')
}

/** Labels of a name, dropping the trailing dot. */
export function labelsOf(name: string): string[] {
  const n = name.replace(/\.+$/, '')
  return n === '' ? [] : n.split('.')
}

/** Does `name` (normalized) lie at or below `zone` (normalized)? */
export function inZone(name: string, zone: string): boolean {
  if (zone === '') return true
  return name === zone || name.endsWith('.' + zone)
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

/** RFC 1123 label as Kubernetes validates it (namespaces, pod hostname/subdomain): ≤ 63 chars. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value)
}

/** RFC 1035 label as Kubernetes validates Service names: starts with a letter, ≤ 63 chars. */
export function isDns1035Label(value: string): boolean {
  return value.length <= 63 && DNS1035_LABEL.test(value)
}

/** RFC 1123 subdomain (pod, StatefulSet, ConfigMap… names): dot-separated labels, ≤ 253 chars. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((l) => DNS1123_LABEL.test(l))
}

/** A name a resolver can ask for: labels 1–63 octets, whole name ≤ 253 (without the root dot). */
export function checkQueryName(name: string): string | undefined {
  const bare = name.replace(/\.$/, '')
  if (bare === '') return undefined
  if (bare.length > 253) return `name is ${bare.length} characters long; DNS allows at most 253`
  for (const label of bare.split('.')) {
    if (label.length === 0) return 'name has an empty label (two dots in a row)'
    if (label.length > 63) return `label "${label.slice(0, 20)}…" is ${label.length} characters long; DNS allows at most 63`
  }
  return undefined
}

/** Case-insensitive suffix replacement that keeps the spelling of the part not replaced. */
export function stripZone(name: string, zone: string): string {
  const bare = name.replace(/\.+$/, '')
  if (zone === '') return bare
  return bare.length === zone.length ? '' : bare.slice(0, bare.length - zone.length - 1)
}
