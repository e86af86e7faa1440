// Label selector matching, as the API server and controllers apply it. Pure.
import type {LabelSelector} from './types.js'

/** A Service-style selector (equality on every key). An empty or missing selector selects nothing here. */
export function matchesServiceSelector(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false
  const keys = Object.keys(selector)
  if (keys.length === 0) return false
  return keys.every((k) => labels?.[k] === selector[k])
}

/** A metav1.LabelSelector (matchLabels + matchExpressions). An empty selector matches everything. */
export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false
  const l = labels ?? {}
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, req.key)
    switch (req.operator) {
      case 'In':
        if (!has || !(req.values ?? []).includes(l[req.key])) return false
        break
      case 'NotIn':
        if (has && (req.values ?? []).includes(l[req.key])) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
      default:
        return false
    }
  }
  return true
}

export function formatSelector(selector: Record<string, string> | undefined): string {
  return Object.entries(selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
}
