// Builds dist/ with esbuild: one ES module per command (oclif finds them through the manifest), the start-up entry
// and the client-node door, with shared code split into chunks; and @oclif/core and js-yaml as one CommonJS file
// each, dist/<name>.cjs, with a V8 code cache made by a warm-up run (src/bundled.ts loads them). Bundling is what makes start-up fast:
// @oclif/core alone is ~160 CommonJS files, and Node 20 has no compile cache, so resolving and compiling them cost
// more than the work of most commands. Heavy modules stay behind dynamic imports: they are separate chunks (or
// node_modules files) loaded only by the commands that use them. Type checking is tsc's job (`tsc --noEmit`).
import {build} from 'esbuild'
import {spawnSync} from 'node:child_process'
import {readFileSync, readdirSync, rmSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const src = join(root, 'src')

function tsFiles(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

const entryPoints = [join(src, 'main.ts'), join(src, 'cluster/live/kube.ts'), ...tsFiles(join(src, 'commands')), ...tsFiles(join(src, 'hooks'))]

/** oclif's `await import(file)` of command modules becomes `await importer(file)`, a function src/oclif.ts passes in. */
const importerPlugin = {
  name: 'oclif-importer',
  setup(b) {
    b.onLoad({filter: /@oclif[\\/]core[\\/]lib[\\/](module-loader|config[\\/]ts-path)\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const contents = source.replaceAll('await import(', 'await importer(')
      if (contents === source) throw new Error(`no dynamic import found in ${args.path}: has @oclif/core changed?`)
      return {contents, loader: 'js'}
    })
  },
}

/**
 * kdisco's own imports of these packages go to modules that load dist/<name>.cjs with a code cache (src/bundled.ts);
 * a package's own imports (client-node's js-yaml 4) resolve as usual.
 */
const BUNDLED = {'@oclif/core': 'src/oclif.ts', 'js-yaml': 'src/yaml.ts'}
const bundledPackagesPlugin = {
  name: 'bundled-packages',
  setup(b) {
    b.onResolve({filter: /^(@oclif\/core|js-yaml)$/}, (args) => {
      const shim = join(root, BUNDLED[args.path])
      return args.importer.startsWith(src) && args.importer !== shim ? {path: shim} : undefined
    })
  },
}

rmSync(join(root, 'dist'), {recursive: true, force: true})
await build({
  absWorkingDir: root,
  entryPoints,
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  // Class and function names survive minification: they are in the rare internal-error report.
  keepNames: true,
  // Small runtime dependencies that are imported lazily stay in node_modules (one file each, loaded on use).
  external: ['chalk', 'cli-table3', 'dns-packet', 'ws', '@oclif/plugin-help', 'typescript', 'ts-node'],
  // Bundled CommonJS (oclif, client-node) expects require, __filename and __dirname.
  banner: {
    js: [
      "import {createRequire as __kdiscoRequire} from 'node:module';",
      "import {fileURLToPath as __kdiscoPath} from 'node:url';",
      'const require = __kdiscoRequire(import.meta.url);',
      'const __filename = __kdiscoPath(import.meta.url);',
      "const __dirname = __kdiscoPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  plugins: [bundledPackagesPlugin],
  logLevel: 'warning',
  logOverride: {'unsupported-dynamic-import': 'silent', 'unsupported-require-call': 'silent'},
})
// Packages needed at start-up, one CommonJS file each for src/bundled.ts.
for (const [name, entry] of [['oclif', 'node_modules/@oclif/core/lib/index.js'], ['js-yaml', 'node_modules/js-yaml/dist/js-yaml.cjs.js']]) {
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: `dist/${name}.cjs`,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    keepNames: true,
    external: ['typescript', 'ts-node'],
    plugins: [importerPlugin],
    logLevel: 'warning',
    logOverride: {'unsupported-dynamic-import': 'silent', 'unsupported-require-call': 'silent'},
  })
}
// The warm-up: a typical offline command, whose compiled functions go into dist/<name>.cjs.cache.
const warm = spawnSync(process.execPath, ['bin/run.js', 'svc', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json'], {cwd: root, env: {...process.env, KDISCO_WRITE_CODE_CACHE: '1'}, encoding: 'utf8'})
if (warm.status !== 0) throw new Error(`warm-up run failed (exit ${warm.status}): ${warm.stderr}`)
process.stderr.write(`built ${entryPoints.length} entry points into ${relative(root, join(root, 'dist'))}/\n`)
