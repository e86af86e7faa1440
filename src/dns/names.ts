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

/**
 * Whether text[start, end) is an RFC 1123 label's characters: a-z, 0-9 and '-', not starting or ending with '-',
 * at least one character (the length limit is the caller's). A scan, not a regex: it runs for every name and
 * hostname of a snapshot as it is read.
 */
function labelChars(text: string, start: number, end: number, letterFirst: boolean): boolean {
  if (end <= start) return false
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    const letter = c >= 97 && c <= 122
    if (letter || (c >= 48 && c <= 57)) {
      if (i === start && letterFirst && !letter) return false
    } else if (c !== 45 || i === start || i === end - 1) {
      return false
    }
  }
  return true
}

/** RFC 1123 label as Kubernetes validates it (namespaces, pod hostname/subdomain): ≤ 63 chars. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && labelChars(value, 0, value.length, false)
}

/** RFC 1035 label as Kubernetes validates Service names: starts with a letter, ≤ 63 chars. */
export function isDns1035Label(value: string): boolean {
  return value.length <= 63 && labelChars(value, 0, value.length, true)
}

/**
 * RFC 1123 subdomain (pod, StatefulSet, ConfigMap… names): dot-separated labels, ≤ 253 chars. As in Kubernetes,
 * single labels are not limited to 63 characters; `labels63` adds that limit (a name that can go on the wire).
 */
export function isDns1123Subdomain(value: string, labels63 = false): boolean {
  if (value.length > 253) return false
  let start = 0
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && value.charCodeAt(i) !== 46) continue
    if (!labelChars(value, start, i, false) || (labels63 && i - start > 63)) return false
    start = i + 1
  }
  return true
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
