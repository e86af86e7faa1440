// Third-party code the built CLI loads at start-up, compiled with V8's code cache. `npm run build` bundles each
// package into one CommonJS file, dist/<name>.cjs, and writes dist/<name>.cjs.cache after a warm-up run (the cache
// then also holds every function that run compiled). Node 20 has no module compile cache, and compiling these was
// about a third of kdisco's start-up (two thirds on the live path). A cache V8 rejects (another Node version or flags) costs nothing but the time
// it would have saved. The build sends kdisco's imports of these packages to src/oclif.ts, src/yaml.ts and
// src/client-node.ts, which call this.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Script} from 'node:vm'

/** dist/ — this module is bundled into some file below it. */
function distDir(): string {
  const here = fileURLToPath(import.meta.url)
  return here.slice(0, here.lastIndexOf('/dist/') + '/dist'.length)
}

export function requireBundled<T>(name: 'oclif' | 'js-yaml' | 'client-node'): T {
  const file = join(distDir(), `${name}.cjs`)
  const cacheFile = `${file}.cache`
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
  // The build turned oclif's `import()` of command files into calls of `importer` (a wrapper parameter): an import()
  // compiled by vm would need an experimental hook, and does not work with a code cache on Node 20.
  const wrapped = `(function (exports, require, module, __filename, __dirname, importer) {${readFileSync(file, 'utf8')}\n})`
  const script = new Script(wrapped, {filename: file, cachedData})
  const module = {exports: {}}
  const importer = (specifier: string) => import(specifier)
  ;(script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, dirname(file), importer)
  if (process.env.KDISCO_TRACE_CODE_CACHE) {
    const state = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'
    process.stderr.write(`kdisco: code cache ${state} (${name})\n`)
  }
  // The build's warm-up runs name the packages whose cache they write.
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
