// Builds dist/ with esbuild: one ES module per command (oclif finds them through the manifest), the start-up entry
// and the client-node door, with shared code split into chunks; and @oclif/core, js-yaml and client-node as one
// CommonJS file each, dist/<name>.cjs, with a V8 code cache written by warm-up runs (src/bundled.ts loads them).
// Bundling is what makes start-up fast: @oclif/core alone is ~160 CommonJS files, and Node 20 has no compile cache,
// so resolving and compiling them cost more than the work of most commands. Heavy modules stay behind dynamic
// imports: separate chunks (or node_modules files) loaded only by the commands that use them. Type checking is
// tsc's job (`tsc --noEmit`).
import {build} from 'esbuild'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const src = join(root, 'src')

function tsFiles(dir) {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

const entryPoints = [join(src, 'main.ts'), join(src, 'cluster/live/kube.ts'), ...tsFiles(join(src, 'commands')), ...tsFiles(join(src, 'hooks'))]

/** oclif's `await import(file)` of command modules becomes `await importer(file)`, a function src/bundled.ts passes in. */
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
const BUNDLED = {'@oclif/core': 'src/oclif.ts', 'js-yaml': 'src/yaml.ts', '@kubernetes/client-node': 'src/client-node.ts'}
const bundledPackagesPlugin = {
  name: 'bundled-packages',
  setup(b) {
    b.onResolve({filter: /^(@oclif\/core|js-yaml|@kubernetes\/client-node)$/}, (args) => {
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
  external: ['chalk', 'cli-table3', 'ws', '@oclif/plugin-help', 'typescript', 'ts-node'],
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
const packages = [
  ['oclif', 'node_modules/@oclif/core/lib/index.js'],
  ['js-yaml', 'node_modules/js-yaml/dist/js-yaml.cjs.js'],
  // Only what kdisco uses: the ES module package then shrinks from 3.6 MB to 1 MB.
  ['client-node', {contents: "export {KubeConfig} from '@kubernetes/client-node'", resolveDir: root}],
]
for (const [name, entry] of packages) {
  await build({
    absWorkingDir: root,
    ...(typeof entry === 'string' ? {entryPoints: [entry]} : {stdin: entry}),
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
// The warm-ups: a typical offline command writes the caches of oclif and js-yaml; a live command against a
// server that refuses the connection writes client-node's (it reads the kubeconfig and sets up the request).
const warmUp = (args, caches) => spawnSync(process.execPath, ['bin/run.js', ...args], {cwd: root, env: {...process.env, KDISCO_WRITE_CODE_CACHE: caches}, encoding: 'utf8'})
const offline = warmUp(['svc', 'lookup', 'kubia', '-f', 'examples/', '-o', 'json'], 'oclif,js-yaml')
if (offline.status !== 0) throw new Error(`warm-up run failed (exit ${offline.status}): ${offline.stderr}`)
const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kdisco-build-')), 'config')
writeFileSync(
  kubeconfig,
  'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]\ncurrent-context: x\n',
)
const live = warmUp(['svc', 'list', '--kubeconfig', kubeconfig, '--request-timeout', '2s'], 'client-node')
rmSync(dirname(kubeconfig), {recursive: true, force: true})
if (live.status !== 3) throw new Error(`live warm-up: expected exit 3 (connection refused), got ${live.status}: ${live.stderr}`)
process.stderr.write(`built ${entryPoints.length} entry points into ${relative(root, join(root, 'dist'))}/\n`)
