/** kubectl-style age: 45s, 12m, 5h, 3d, 2y. */
export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '-'
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000))
  if (s < 120) return `${s}s`
  if (s < 3600 * 2) return `${Math.floor(s / 60)}m`
  if (s < 86400 * 2) return `${Math.floor(s / 3600)}h`
  if (s < 86400 * 365 * 2) return `${Math.floor(s / 86400)}d`
  return `${Math.floor(s / (86400 * 365))}y`
}
