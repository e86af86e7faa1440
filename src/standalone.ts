// The entry point of the standalone binary (Node's single executable application, built by scripts/standalone.mjs).
// The binary carries the installed package's files (bin/, dist/ with its code caches, oclif.manifest.json,
// package.json) as assets. oclif reads its package.json and manifest from disk and the code caches are files, so on
// first run the assets are written once to a per-build folder in the user's cache (an atomic rename: concurrent first
// runs are fine) and kdisco runs from there exactly as an npm install would; later runs only check that the folder
// is complete. In a single executable `require` loads built-in modules only: createRequire loads the files.
import {existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {homedir, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {getAsset, getRawAsset} from 'node:sea'

/** The asset that lists the others: written by scripts/standalone.mjs. */
export interface StandaloneIndex {
  /** sha256 of every file's path and content: the folder the files are written to is named after it. */
  build: string
  /** Package-relative paths (forward slashes), each an asset of the same name. */
  files: string[]
}

/** Marks a folder whose files were all written: written last, before the rename. */
const COMPLETE = '.complete'

/** Where a user's programs keep caches, per platform; the temp folder when there is no home. */
function cacheRoot(): string {
  const home = homedir()
  if (process.platform === 'win32') return process.env.LOCALAPPDATA || join(home, 'AppData', 'Local')
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches')
  return process.env.XDG_CACHE_HOME || join(home, '.cache')
}

/** Writes the files into a fresh folder next to `target` and renames it into place. */
function extract(index: StandaloneIndex, target: string): void {
  mkdirSync(dirname(target), {recursive: true})
  const staging = mkdtempSync(`${target}.tmp-`)
  try {
    for (const file of index.files) {
      const path = join(staging, file)
      mkdirSync(dirname(path), {recursive: true})
      writeFileSync(path, new Uint8Array(getRawAsset(file) as ArrayBuffer))
    }
    writeFileSync(join(staging, COMPLETE), `${index.build}\n`)
    try {
      renameSync(staging, target)
    } catch (error) {
      // Another first run won the race: its folder is as good as ours.
      if (!existsSync(join(target, COMPLETE))) throw error
    }
  } finally {
    rmSync(staging, {recursive: true, force: true})
  }
}

/** The folder holding this build's files, written now if it is not there yet. */
function installed(index: StandaloneIndex): string {
  const override = process.env.KDISCO_STANDALONE_DIR
  const roots = override ? [override] : [join(cacheRoot(), 'kdisco'), join(tmpdir(), `kdisco-${process.getuid?.() ?? 'user'}`)]
  let lastError: unknown
  for (const root of roots) {
    const target = join(root, `standalone-${index.build.slice(0, 16)}`)
    if (existsSync(join(target, COMPLETE))) return target
    try {
      extract(index, target)
      return target
    } catch (error) {
      lastError = error // a read-only home: try the next place
    }
  }
  process.stderr.write(`Error: Cannot write kdisco's files to ${roots.join(' or ')}: ${(lastError as Error).message}. Set KDISCO_STANDALONE_DIR to a writable folder\n`)
  process.exit(4)
}

const index = JSON.parse(getAsset('standalone-index.json', 'utf8')) as StandaloneIndex
const run = join(installed(index), 'bin', 'run.cjs')
// process.argv[1] is already the name the binary was run by (kubectl-disco through kubectl): what commandName() reads.
void (createRequire(run)('../dist/main.cjs') as {execute(options: {dir: string}): Promise<unknown>}).execute({dir: run})
