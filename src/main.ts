// What bin/run.cjs requires (built as dist/main.cjs): loads dist/kdisco.cjs, which holds kdisco's commands and
// oclif, and serves oclif's imports of command files from it, so no ES module is loaded unless a command needs one.
import type {execute as oclifExecute} from '@oclif/core'
import {pathToFileURL} from 'node:url'
import {distDir, requireBundled} from './bundled.js'
import {installProcessGuard} from './process-guard.js'

installProcessGuard()

/** What the build's bundle entry exports: oclif's runner and, by path below dist/ without ".js", each command and hook. */
interface Bundle {
  execute: typeof oclifExecute
  modules: Record<string, () => Promise<unknown>>
}

const own = `${pathToFileURL(distDir()).href}/`
let bundle: Bundle | undefined
bundle = requireBundled<Bundle>('kdisco', (specifier) => {
  const load = specifier.startsWith(own) ? bundle?.modules[specifier.slice(own.length).replace(/\.js$/, '')] : undefined
  return load ? load() : import(specifier)
})

export const {execute} = bundle

/** A command or hook from the bundle, by its path below dist/ ("commands/svc/lookup"): what the stubs export. */
export function bundledModule(id: string): Promise<unknown> {
  const load = bundle!.modules[id]
  if (!load) throw new Error(`dist/kdisco.cjs has no module ${id}: rebuild with npm run build`)
  return load()
}
