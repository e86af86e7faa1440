// Real programs the tests drive. A missing one skips its suite loudly on a developer machine and fails under CI.
import {spawnSync} from 'node:child_process'

export function which(bin: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')]) {
    const r = spawnSync('test', ['-x', `${dir}/${bin}`])
    if (r.status === 0) return `${dir}/${bin}`
  }
  return undefined
}

/** Call in a `before` hook: returns the paths, or skips (locally) / throws (CI=true). */
export function requireBinaries(ctx: Mocha.Context, bins: string[], install: string): Record<string, string> {
  const found: Record<string, string> = {}
  const missing: string[] = []
  for (const b of bins) {
    const p = which(b)
    if (p) found[b] = p
    else missing.push(b)
  }
  if (missing.length > 0) {
    const msg = `missing ${missing.join(', ')}: install with "${install}"`
    if (process.env.CI === 'true') throw new Error(`${msg} (CI must have it)`)
    process.stderr.write(`\n  !!! SKIPPING "${ctx.test?.parent?.title}": ${msg}\n\n`)
    ctx.skip()
  }
  return found
}
