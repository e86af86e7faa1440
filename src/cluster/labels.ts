// Label selector matching, as the API server and controllers apply it. Pure.
import {isDns1123Subdomain} from '../dns/names.js'

/** A Service-style selector (equality on every key). An empty or missing selector selects nothing here. */
export function matchesServiceSelector(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false
  const keys = Object.keys(selector)
  if (keys.length === 0) return false
  return keys.every((k) => labels?.[k] === selector[k])
}

export function formatSelector(selector: Record<string, string> | undefined): string {
  return Object.entries(selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
}

export interface SelectorRequirement {
  key: string
  op: '=' | '!=' | 'in' | 'notin' | 'exists' | '!'
  values: string[]
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/

/** A label key as the API server takes it: a name of at most 63 characters, optionally after a DNS subdomain prefix and '/'. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/')
  if (slash < 0) return key.length <= 63 && NAME.test(key)
  const name = key.slice(slash + 1)
  return slash > 0 && isDns1123Subdomain(key.slice(0, slash)) && name.length <= 63 && NAME.test(name)
}

/** A label value as the API server takes it: empty, or a name of at most 63 characters. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME.test(value))
}

export const LABEL_KEY_RULE = "a name of at most 63 characters (letters, digits, '-', '_' and '.', starting and ending with a letter or digit), optionally after a DNS subdomain prefix and '/'"
export const LABEL_VALUE_RULE = "empty or at most 63 characters (letters, digits, '-', '_' and '.', starting and ending with a letter or digit)"

/** Parses a label selector string (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), as kubectl -l and the API server do. */
export function parseLabelSelector(text: string): SelectorRequirement[] | string {
  const reqs: SelectorRequirement[] = []
  // Split on commas outside parentheses.
  const parts: string[] = []
  let depth = 0
  let cur = ''
  for (const ch of text) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      parts.push(cur)
      cur = ''
    } else cur += ch
  }
  if (depth !== 0) return `unbalanced parentheses in "${text}"`
  parts.push(cur)
  for (const raw of parts) {
    const p = raw.trim()
    if (p === '') {
      if (text.trim() === '') continue
      return `empty requirement in "${text}"`
    }
    let m: RegExpExecArray | null
    if ((m = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(p))) {
      const values = m[3].split(',').map((v) => v.trim())
      if (!isLabelKey(m[1]) || values.some((v) => !isLabelValue(v))) return `invalid requirement "${p}"`
      reqs.push({key: m[1], op: m[2] as 'in' | 'notin', values})
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(p))) {
      if (!isLabelKey(m[1]) || !isLabelValue(m[3])) return `invalid requirement "${p}"`
      reqs.push({key: m[1], op: m[2] === '!=' ? '!=' : '=', values: [m[3]]})
    } else if ((m = /^!\s*(\S+)$/.exec(p))) {
      if (!isLabelKey(m[1])) return `invalid requirement "${p}"`
      reqs.push({key: m[1], op: '!', values: []})
    } else if (isLabelKey(p)) {
      reqs.push({key: p, op: 'exists', values: []})
    } else {
      return `invalid requirement "${p}"`
    }
  }
  return reqs
}

export function matchesRequirements(reqs: SelectorRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {}
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key)
    switch (r.op) {
      case '=':
        return has && l[r.key] === r.values[0]
      case '!=':
        return !has || l[r.key] !== r.values[0]
      case 'in':
        return has && r.values.includes(l[r.key])
      case 'notin':
        return !has || !r.values.includes(l[r.key])
      case 'exists':
        return has
      case '!':
        return !has
    }
    return false
  })
}
