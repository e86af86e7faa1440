// @oclif/core as the built CLI uses it: `npm run build` bundles it into dist/oclif.cjs and every command imports it
// through this module (an esbuild alias). It is compiled with V8's code cache, dist/oclif.cjs.cache, written by the
// build after a warm-up run: Node 20 has no module compile cache, and compiling oclif is about a third of
// kdisco's start-up. A cache V8 rejects (another Node version) costs nothing but the time it would have saved.
// Tests that import src/ directly use the package itself.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Script} from 'node:vm'
import type * as Oclif from '@oclif/core'

/** dist/ — this module is bundled into some file below it. */
function distDir(): string {
  const here = fileURLToPath(import.meta.url)
  const at = here.lastIndexOf('/dist/')
  return at < 0 ? dirname(here) : here.slice(0, at + '/dist'.length)
}

function load(): typeof Oclif {
  const file = join(distDir(), 'oclif.cjs')
  const cacheFile = `${file}.cache`
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
  // The build turned oclif's `import()` of command files into calls of `importer` (a wrapper parameter): an import()
  // compiled by vm would need an experimental hook, and does not work with a code cache on Node 20.
  const wrapped = `(function (exports, require, module, __filename, __dirname, importer) {${readFileSync(file, 'utf8')}\n})`
  const script = new Script(wrapped, {filename: file, cachedData})
  const module = {exports: {}}
  const importer = (specifier: string) => import(specifier)
  ;(script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file), importer)
  const state = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'
  if (process.env.KDISCO_TRACE_CODE_CACHE) process.stderr.write(`kdisco: code cache ${state}\n`)
  // The build's warm-up run: the cache then also holds every function that run compiled.
  if (process.env.KDISCO_WRITE_CODE_CACHE)
    process.once('exit', () => {
      try {
        writeFileSync(cacheFile, script.createCachedData())
      } catch {
        // A read-only install keeps the cache it has.
      }
    })
  return module.exports as typeof Oclif
}

const oclif = load()
export const {Args, Command, Errors, Flags, execute} = oclif
export type {Hook, Interfaces} from '@oclif/core'
