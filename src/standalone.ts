// The entry point of the standalone binary (Node's single executable application, built by scripts/standalone.mjs
// with a V8 start-up snapshot). This script runs at build time, in the snapshot builder: it evaluates kdisco's
// bundles (their code is in this script: scripts/standalone.mjs prepends it) and reads oclif's plugins (package.json
// and oclif.manifest.json, from the package's files in the folder KDISCO_STANDALONE_ROOT names), then the heap is
// saved into the binary. The binary deserializes it and runs only `main` below: no file of kdisco's is read, compiled
// or evaluated at run time. Nothing that differs between runs is kept from here: argv, the environment, the working
// directory, the terminal, the home directory and the clock are read by the command when it runs, oclif's Config
// (home, shell, theme, debug) is made at run time from the plugins read here, oclif's terminal width and colour are
// decided when first used (scripts/build.mjs: PATCHES, LAZY), and `main` redoes what else oclif's modules did when
// they were evaluated. test/package/standalone.test.ts compares the binary with the npm build, on a terminal too.
import type {Config as OclifConfig, execute as oclifExecute, Interfaces} from '@oclif/core'
import {startupSnapshot} from 'node:v8'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {type BundleFunction, type BundleName, requireBundled} from './bundled.js'
import {installProcessGuard} from './process-guard.js'

/**
 * What scripts/standalone.mjs prepends: the code of kdisco's bundle and js-yaml's as functions. client-node's (1 MB,
 * for live commands only) is an asset of the binary instead, compiled when a live command first needs it: in the
 * snapshot, every run would deserialize it.
 */
declare const kdiscoBundleFunctions: Partial<Record<BundleName, BundleFunction>>

/** What the build's bundle entry exports (main.ts's Bundle, and oclif's Config). */
interface Bundle {
  Config: typeof OclifConfig
  debug: {enable(namespaces: string | undefined): void; load(): string | undefined}
  execute: typeof oclifExecute
  modules: Record<string, () => Promise<unknown>>
}

const root = process.env.KDISCO_STANDALONE_ROOT
if (!root || !startupSnapshot.isBuildingSnapshot()) throw new Error('src/standalone.ts runs in the snapshot builder, with KDISCO_STANDALONE_ROOT set: see scripts/standalone.mjs')
const dist = join(root, 'dist')
const own = `${pathToFileURL(dist).href}/`
const idOf = (path: string) => path.slice(dist.length + 1).replace(/\.js$/, '')

/**
 * The modules oclif loads by path with `require` (hooks: it decides between import() and require by the package.json
 * it finds on disk, and there is none at run time), evaluated here. Anything else is one of Node's own modules.
 */
const modules = new Map<string, unknown>()
const bundleRequire = Object.assign((id: string) => (modules.has(id) ? modules.get(id) : require(id)), {
  resolve(id: string) {
    if (modules.has(id)) return id
    throw Object.assign(new Error(`Cannot find module '${id}'`), {code: 'MODULE_NOT_FOUND'})
  },
}) as unknown as NodeJS.Require

globalThis.kdiscoPreloadedBundles = {
  functions: kdiscoBundleFunctions,
  source: (name) => (require('node:sea') as typeof import('node:sea')).getAsset(`${name}.cjs`, 'utf8'),
  require: bundleRequire,
}

let bundle: Bundle | undefined
bundle = requireBundled<Bundle>(
  'kdisco',
  (specifier) => {
    const load = specifier.startsWith(own) ? bundle?.modules[specifier.slice(own.length).replace(/\.js$/, '')] : undefined
    return load ? load() : Promise.reject(new Error(`the standalone binary has no module ${specifier}`))
  },
  dist,
)

let plugins: Map<string, Interfaces.Plugin> | undefined
void (async () => {
  const config = await bundle.Config.load(root)
  plugins = new Map(config.getPluginsList().map((p) => [p.name, p]))
  for (const plugin of plugins.values())
    for (const hook of Object.values(plugin.hooks).flat()) {
      const path = join(plugin.root, hook.target)
      modules.set(path, await bundle.modules[idOf(path)]())
    }
  // Every command's module, evaluated now: their top levels define classes and flags, and read nothing of the run.
  await Promise.all(Object.values(bundle.modules).map((load) => load()))
  // The snapshot keeps the bytecode of the functions that ran before it was taken; a function first called at run
  // time is compiled then, from source (a snapshot has no code cache). So the commonest commands run here once, on
  // the package's examples (what they print goes to the builder's output, which scripts/standalone.mjs drops).
  const examples = join(root, 'examples')
  for (const args of [
    ['svc', 'lookup', 'kubia', '-f', examples, '-o', 'json'],
    ['svc', 'lookup', 'kubia', '-f', examples],
    ['--help'],
  ])
    await bundle.execute({args, loadOptions: {root, plugins}})
  if (process.exitCode) throw new Error(`a warm-up run failed with exit ${process.exitCode}`)
})()
startupSnapshot.addSerializeCallback(() => {
  if (!plugins) throw new Error("the snapshot was taken before oclif's plugins were read")
})

function main(): void {
  installProcessGuard()
  // What oclif's modules do when they are evaluated and a snapshot does not keep: command.js swallows EPIPE on stdout
  // (a listener on the builder's stdout, which Node drops from the snapshot), and the debug package reads DEBUG.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error?.code === 'EPIPE') return
    throw error
  })
  bundle!.debug.enable(bundle!.debug.load())
  // kubectl runs kubectl_complete-disco (a link to the binary) to complete `kubectl disco …`, as the npm package's.
  const completing = /^kubectl_complete-/.test(process.argv[1]?.split(/[\\/]/).pop() ?? '')
  const args = process.argv.slice(2)
  void bundle!.execute({args: completing ? ['__complete', ...args] : args, loadOptions: {root: root!, plugins}})
}
startupSnapshot.setDeserializeMainFunction(main)
