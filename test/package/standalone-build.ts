// The standalone binary and its release archive, built once per test run by the same script as the release
// (`node scripts/standalone.mjs`, from the dist/ that `npm test` just built), and the Go tools the packaging tests
// drive (scripts/go-tools.sh builds them into .cache/tools/bin).
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from '../support/cli.js'

export const TOOLS_BIN = join(ROOT, '.cache', 'tools', 'bin')

export interface Standalone {
  binary: string
  archive: string
  /** The archive's sha256, as the script wrote it beside the archive. */
  sha256File: string
  buildSeconds: number
}

let built: Standalone | undefined

/** Builds the linux-amd64 binary (once per run); skips locally, fails under CI, on other machines. */
export function standalone(ctx: Mocha.Context): Standalone {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    const msg = `the standalone tests build for linux-amd64; this is ${process.platform}-${process.arch}`
    if (process.env.CI === 'true') throw new Error(msg)
    process.stderr.write(`\n  !!! SKIPPING "${ctx.test?.parent?.title}": ${msg}\n\n`)
    ctx.skip()
  }
  if (!built) {
    const started = Date.now()
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'standalone.mjs')], {cwd: ROOT, encoding: 'utf8', timeout: 600000})
    if (r.status !== 0) throw new Error(`scripts/standalone.mjs failed (exit ${r.status}): ${r.stderr}`)
    const archive = join(ROOT, 'release', 'kdisco-linux-amd64.tar.gz')
    built = {binary: join(ROOT, 'release', 'linux-amd64', 'kdisco'), archive, sha256File: `${archive}.sha256`, buildSeconds: (Date.now() - started) / 1000}
  }
  return built
}

/** Call in a `before` hook: the tools' paths, or a loud skip (locally) / an error (CI=true) naming the build script. */
export function requireTools(ctx: Mocha.Context, tools: string[]): Record<string, string> {
  const missing = tools.filter((t) => !existsSync(join(TOOLS_BIN, t)))
  if (missing.length > 0) {
    const msg = `missing ${missing.join(', ')}: build with "bash scripts/go-tools.sh"`
    if (process.env.CI === 'true') throw new Error(`${msg} (CI must have it)`)
    process.stderr.write(`\n  !!! SKIPPING "${ctx.test?.parent?.title}": ${msg}\n\n`)
    ctx.skip()
  }
  return Object.fromEntries(tools.map((t) => [t, join(TOOLS_BIN, t)]))
}
