// The built CLI's code, compiled with V8's code cache. `npm run build` bundles kdisco with @oclif/core into one
// CommonJS file, dist/kdisco.cjs, and js-yaml and client-node into one each (loaded only where used), and writes
// dist/<name>.cjs.cache after warm-up runs (the cache then also holds every function those runs compiled). Node 20
// caches the compilation of neither ES modules nor CommonJS files; compiling was most of kdisco's start-up. A cache
// V8 rejects (another Node version or flags) costs nothing but the time it would have saved.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {Script} from 'node:vm'

export type BundleName = 'kdisco' | 'js-yaml' | 'client-node'
/** Loads a module for a bundle's `import()`: an import() compiled by vm needs an experimental hook on Node 20. */
export type Importer = (specifier: string) => Promise<unknown>

/** dist/ — this module is bundled into some file below it. */
export function distDir(): string {
  const here = fileURLToPath(import.meta.url)
  return here.slice(0, here.lastIndexOf('/dist/') + '/dist'.length)
}

const noImport: Importer = (specifier) => Promise.reject(new Error(`a bundle tried to import ${specifier}`))

/** A bundle's code as a function, wrapped as requireBundled wraps it. */
export type BundleFunction = (exports: unknown, require: NodeJS.Require, module: {exports: unknown}, filename: string, dirname: string, importer: Importer, url: string) => void

/**
 * The standalone binary (src/standalone.ts) has no files: its start-up snapshot evaluates the bundles from functions
 * its script holds, or from sources it carries otherwise (assets), with a `require` of its own.
 */
export interface PreloadedBundles {
  functions: Partial<Record<BundleName, BundleFunction>>
  /** The source of a bundle that has no function. */
  source(name: BundleName): string
  require: NodeJS.Require
}
declare global {
  // eslint-disable-next-line no-var
  var kdiscoPreloadedBundles: PreloadedBundles | undefined
}

export function requireBundled<T>(name: BundleName, importer: Importer = noImport, dist = distDir()): T {
  const file = join(dist, `${name}.cjs`)
  const module = {exports: {}}
  const preloaded = globalThis.kdiscoPreloadedBundles
  const fn = preloaded?.functions[name]
  if (preloaded && fn) {
    fn.call(module.exports, module.exports, preloaded.require, module, file, dirname(file), importer, pathToFileURL(file).href)
    return module.exports as T
  }
  const cacheFile = `${file}.cache`
  const cachedData = !preloaded && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
  // The build turned each `import()` in a bundle into a call of `importer`, and `import.meta.url` into `__kdiscoUrl`.
  const wrapped = `(function (exports, require, module, __filename, __dirname, importer, __kdiscoUrl) {${preloaded ? preloaded.source(name) : readFileSync(file, 'utf8')}\n})`
  const script = new Script(wrapped, {filename: file, cachedData})
  ;(script.runInThisContext() as BundleFunction).call(module.exports, module.exports, preloaded?.require ?? createRequire(file), module, file, dirname(file), importer, pathToFileURL(file).href)
  if (process.env.KDISCO_TRACE_CODE_CACHE) {
    const state = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'
    process.stderr.write(`kdisco: code cache ${state} (${name})\n`)
  }
  // The build's warm-up runs name the bundles whose cache they write.
  if (process.env.KDISCO_WRITE_CODE_CACHE?.split(',').includes(name))
    process.once('exit', () => {
      try {
        writeFileSync(cacheFile, script.createCachedData())
      } catch {
        // A read-only install keeps the cache it has.
      }
    })
  return module.exports as T
}
