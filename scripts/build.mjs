// Builds dist/ with esbuild. kdisco's commands and @oclif/core are one CommonJS file, dist/kdisco.cjs; js-yaml and
// client-node are one each (loaded only by the commands that use them). src/bundled.ts compiles them with a V8 code
// cache that warm-up runs write at the end of the build. dist/main.cjs (what bin/run.cjs requires) loads the
// bundle; dist/commands/ and dist/hooks/ hold one small ES module stub per command and hook for oclif's manifest.
// Bundling and caching is what makes start-up fast: @oclif/core alone is ~160 CommonJS files, and Node 20 caches
// the compilation of neither ES modules nor CommonJS files, so resolving and compiling cost more than the work of
// most commands. Code that only some commands use is in the bundle too, initialized only when first imported.
// Type checking is tsc's job (`tsc --noEmit`). Last, oclif.manifest.json is written (see the end).
import {build} from 'esbuild'
import {spawn} from 'node:child_process'
import {createSocket} from 'node:dgram'
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const src = join(root, 'src')

function tsFiles(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

/** dist/-relative ids ("commands/svc/lookup") of the modules oclif loads by file: every command and hook. */
const oclifModules = [...tsFiles(join(src, 'commands')), ...tsFiles(join(src, 'hooks'))].map((f) => relative(src, f).replace(/\.ts$/, ''))

/** Edits of bundled packages' source, each with its reason; the build fails when one no longer applies. */
const PATCHES = [
  // oclif loads command files with import(); a vm-compiled import() fails on Node 20 (see src/bundled.ts).
  {file: /@oclif[\\/]core[\\/]lib[\\/]module-loader\.js$/, from: 'await import(', to: 'await importer('},
  {file: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]ts-path\.js$/, from: 'await import(', to: 'await importer('},
  {file: /lilconfig[\\/]src[\\/]index\.js$/, from: 'await import(', to: 'await importer('},
  // oclif sorts each plugin's command ids with localeCompare at every start; its first call builds ICU's collator,
  // ~8 ms. Command ids are ASCII, where code-unit order is the same order.
  {file: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/, from: '.sort((a, b) => a.id.localeCompare(b.id))', to: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'},
  // The standalone binary's start-up snapshot evaluates the bundle at build time (src/standalone.ts), so what a module
  // reads of the terminal when it is evaluated would be the build's: oclif's help and errors wrap at the terminal's
  // width, read when they wrap instead (see LAZY for colour).
  {
    file: /@oclif[\\/]core[\\/]lib[\\/]screen\.js$/,
    from: 'const columns = Number.parseInt(process.env.OCLIF_COLUMNS, 10) || settings_1.settings.columns;\nexports.stdtermwidth = columns || termwidth(process.stdout);\nexports.errtermwidth = columns || termwidth(process.stderr);',
    to: "const columns = () => Number.parseInt(process.env.OCLIF_COLUMNS, 10) || settings_1.settings.columns;\nObject.defineProperty(exports, 'stdtermwidth', {enumerable: true, get: () => columns() || termwidth(process.stdout)});\nObject.defineProperty(exports, 'errtermwidth', {enumerable: true, get: () => columns() || termwidth(process.stderr)});",
  },
]
/**
 * Bundled CommonJS modules that decide on colour when they are evaluated (from the environment, argv and whether
 * stdout is a terminal): oclif's colours (ansis, and supports-color for its help and the debug package). Each is
 * evaluated when a property of it is first read instead, and the standalone binary's snapshot drops what its build
 * evaluated, so that the binary decides when it runs, as the npm package does.
 */
const LAZY = [/[\\/]node_modules[\\/]ansis[\\/]index\.js$/, /[\\/]node_modules[\\/]supports-color[\\/]index\.js$/]
const lazyModule = (contents) =>
  [
    'const evaluate = () => {',
    'const module = {exports: {}}',
    'const exports = module.exports',
    contents,
    ';return module.exports }',
    'let evaluated',
    'module.exports = new Proxy({}, {get: (_, key) => Reflect.get((evaluated ??= evaluate()), key), has: (_, key) => key in (evaluated ??= evaluate())})',
    "if (globalThis.kdiscoPreloadedBundles) require('node:v8').startupSnapshot.addSerializeCallback(() => { evaluated = undefined })",
  ].join('\n')
const applied = new Set()
/** Applies PATCHES and LAZY to the bundled packages' files. */
const patchPlugin = {
  name: 'patches',
  setup(b) {
    b.onLoad({filter: /node_modules[\\/].*\.js$/}, (args) => {
      const patches = PATCHES.filter((p) => p.file.test(args.path))
      const lazy = LAZY.find((file) => file.test(args.path))
      if (patches.length === 0 && !lazy) return undefined
      let contents = readFileSync(args.path, 'utf8')
      for (const patch of patches) {
        const {from, to} = patch
        applied.add(patch)
        if (!contents.includes(from)) throw new Error(`${args.path} no longer contains ${JSON.stringify(from)}: has the package changed?`)
        contents = contents.replaceAll(from, to)
      }
      if (lazy) {
        applied.add(lazy)
        contents = lazyModule(contents)
      }
      return {contents, loader: 'js'}
    })
  },
}

/** kdisco's imports of js-yaml and client-node go to modules that load dist/<name>.cjs with its code cache. */
const SHIMS = {'js-yaml': 'src/yaml.ts', '@kubernetes/client-node': 'src/client-node.ts'}
const shimsPlugin = {
  name: 'shims',
  setup(b) {
    b.onResolve({filter: /^(js-yaml|@kubernetes\/client-node)$/}, (args) => {
      const shim = join(root, SHIMS[args.path])
      return args.importer.startsWith(src) && args.importer !== shim ? {path: shim} : undefined
    })
  },
}

// Every output is CommonJS: src/bundled.ts compiles the bundles with vm.Script, and bin/run.cjs requires main.cjs.
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // KDISCO_BUILD_READABLE=1: names kept and code unminified, for profiles (node --cpu-prof) that say where time goes.
  minify: process.env.KDISCO_BUILD_READABLE !== '1',
  logLevel: 'warning',
  logOverride: {'unsupported-dynamic-import': 'silent', 'unsupported-require-call': 'silent'},
}
rmSync(join(root, 'dist'), {recursive: true, force: true})
// dist/kdisco.cjs: what the generated entry exports is main.ts's Bundle.
await build({
  ...common,
  stdin: {
    contents: [
      "export {Config, execute} from '@oclif/core'",
      // oclif's debug output (DEBUG=…): the standalone binary enables it at run time (src/standalone.ts).
      "export {default as debug} from 'debug'",
      `export const modules = {${oclifModules.map((id) => `${JSON.stringify(id)}: () => import('./src/${id}.ts')`).join(', ')}}`,
    ].join('\n'),
    resolveDir: root,
    sourcefile: 'kdisco-bundle.js',
  },
  outfile: 'dist/kdisco.cjs',
  // No keepNames: it wraps every function kdisco creates in a call that sets its name (~60 ms of a 10k-Service zone).
  // ws's optional native helpers (it falls back without them); oclif's TypeScript support, unused by a built CLI.
  external: ['bufferutil', 'utf-8-validate', 'typescript', 'ts-node'],
  define: {'import.meta.url': '__kdiscoUrl'},
  plugins: [patchPlugin, shimsPlugin],
})
const unapplied = [...PATCHES.filter((p) => !applied.has(p)).map((p) => p.file), ...LAZY.filter((file) => !applied.has(file))]
if (unapplied.length) throw new Error(`no bundled file matched ${unapplied.join(', ')}: has the package changed?`)
const bundle = readFileSync(join(root, 'dist/kdisco.cjs'), 'utf8')
const imports = bundle.match(/[^\w$.]import\((?!\))/g)
if (imports) throw new Error(`dist/kdisco.cjs still has ${imports.length} import() call(s): a vm-compiled import() fails on Node 20`)
// dist/main.cjs, what bin/run.cjs requires.
await build({
  ...common,
  entryPoints: [join(src, 'main.ts')],
  outfile: 'dist/main.cjs',
  banner: {js: "const __kdiscoUrl = require('node:url').pathToFileURL(__filename).href;"},
  define: {'import.meta.url': '__kdiscoUrl'},
})
// The stubs: oclif's manifest tool imports each command file; at run time main.ts serves them from the bundle.
for (const id of oclifModules) {
  const stub = join(root, 'dist', `${id}.js`)
  mkdirSync(dirname(stub), {recursive: true})
  const main = relative(dirname(stub), join(root, 'dist/main.cjs'))
  writeFileSync(stub, `// Generated by scripts/build.mjs: ${id} lives in dist/kdisco.cjs.\nimport {bundledModule} from '${main.startsWith('.') ? main : `./${main}`}'\nexport default (await bundledModule(${JSON.stringify(id)})).default\n`)
}
// js-yaml and client-node, one CommonJS file each for src/bundled.ts.
const packages = [
  ['js-yaml', 'node_modules/js-yaml/dist/js-yaml.cjs.js'],
  // Only what kdisco uses: the ES module package then shrinks from 3.6 MB to 1 MB.
  ['client-node', {contents: "export {KubeConfig} from '@kubernetes/client-node'", resolveDir: root}],
]
for (const [name, entry] of packages) {
  await build({
    ...common,
    ...(typeof entry === 'string' ? {entryPoints: [entry]} : {stdin: entry}),
    outfile: `dist/${name}.cjs`,
    // Libraries may read their classes' names at run time; these two are not on a hot path.
    keepNames: true,
  })
}
// The warm-ups. Each run compiles kdisco.cjs from the cache the one before wrote and writes it back with what it
// compiled itself, so the cache ends up holding the code of all of them: an offline lookup (JSON, then a table),
// help, a probe against a DNS server here that answers NXDOMAIN to everything (kdisco reports the mismatches), and a
// live command against a server that refuses the connection (it reads the kubeconfig, sets up the request and
// reports the error).
const warmUp = async (args, caches, expectedStatus = 0) => {
  const child = spawn(process.execPath, ['bin/run.cjs', ...args], {cwd: root, env: {...process.env, KDISCO_WRITE_CODE_CACHE: caches}, stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const status = await new Promise((resolve) => child.on('close', resolve))
  if (status !== expectedStatus) throw new Error(`warm-up \`kdisco ${args.join(' ')}\`: expected exit ${expectedStatus}, got ${status}: ${stderr}`)
}
await warmUp(['svc', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json'], 'kdisco,js-yaml')
await warmUp(['svc', 'lookup', 'kubia', '-f', 'examples/'], 'kdisco')
await warmUp(['--help'], 'kdisco')
const nxdomain = createSocket('udp4')
nxdomain.on('message', (query, peer) => {
  if (query.length < 12) return
  const reply = Buffer.from(query)
  reply[2] = 0x84 | (query[2] & 0x01) // QR, AA, RD as asked
  reply[3] = 0x03 // NXDOMAIN
  nxdomain.send(reply, peer.port, peer.address)
})
await new Promise((resolve) => nxdomain.bind(0, '127.0.0.1', resolve))
try {
  await warmUp(['svc', 'lookup', 'kubia', '-f', 'examples/', '--probe', 'server', '--dns-server', `127.0.0.1:${nxdomain.address().port}`, '-o', 'json'], 'kdisco', 1)
} finally {
  nxdomain.close()
}
const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kdisco-build-')), 'config')
writeFileSync(
  kubeconfig,
  'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]\ncurrent-context: x\n',
)
try {
  await warmUp(['svc', 'list', '--kubeconfig', kubeconfig, '--request-timeout', '2s'], 'kdisco,client-node,js-yaml', 3)
} finally {
  rmSync(dirname(kubeconfig), {recursive: true, force: true})
}
// oclif.manifest.json, from the stubs. oclif's own CLI would otherwise ask npm's registry for a newer oclif on every
// build and print "update available": a network call and a warning that are no business of kdisco's build.
const manifest = spawn(process.execPath, [join(root, 'node_modules/oclif/bin/run.js'), 'manifest'], {
  cwd: root,
  env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'},
  stdio: ['ignore', 'ignore', 'inherit'],
})
const manifestStatus = await new Promise((resolve) => manifest.on('close', resolve))
if (manifestStatus !== 0) throw new Error(`oclif manifest failed with exit ${manifestStatus}`)
process.stderr.write(`built dist/: kdisco.cjs with ${oclifModules.length} commands and hooks, js-yaml.cjs, client-node.cjs, and their code caches\n`)
