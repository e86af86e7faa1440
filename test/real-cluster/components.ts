// Where the real components live (built by components/build.sh from their Go modules) and what a test does when
// they are missing: skip loudly on a developer machine, fail under CI=true.
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const HARNESS_DIR = fileURLToPath(new URL('.', import.meta.url))
export const REPO_ROOT = join(HARNESS_DIR, '..', '..')
export const COMPONENTS_DIR = process.env.KDISCO_COMPONENTS_DIR ?? join(REPO_ROOT, '.cache', 'real-cluster')
export const BIN_DIR = join(COMPONENTS_DIR, 'bin')
export const BUILD_SCRIPT = join(HARNESS_DIR, 'components', 'build.sh')

export const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok', 'coredns'] as const
export type Binary = (typeof BINARIES)[number]

export function binary(name: Binary): string {
  return join(BIN_DIR, name)
}

/** The pinned versions (components/versions.env). */
export function versions(): Record<string, string> {
  const text = readFileSync(join(HARNESS_DIR, 'components', 'versions.env'), 'utf8')
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(\S+)/.exec(line)
    if (m) out[m[1]] = m[2]
  }
  return out
}

export function missingBinaries(): Binary[] {
  return BINARIES.filter((b) => !existsSync(binary(b)))
}

/** Call in a `before` hook of a suite that needs the real control plane. */
export function requireRealCluster(ctx: Mocha.Context): void {
  const missing = missingBinaries()
  if (missing.length === 0) return
  const msg = `the real control plane is not built (missing ${missing.join(', ')}): run "bash ${BUILD_SCRIPT.replace(REPO_ROOT + '/', '')}"`
  if (process.env.CI === 'true') throw new Error(`${msg} (CI must have it)`)
  process.stderr.write(`\n  !!! SKIPPING "${ctx.test?.parent?.title}": ${msg}\n\n`)
  ctx.skip()
}
