// `npm run standalone`: the standalone binary for the machine it runs on (Node's single executable application) and
// the archive krew installs, in release/ (git-ignored):
//   release/<os>-<arch>/kdisco[.exe]                 the binary (this Node with kdisco's start-up snapshot injected)
//   release/kdisco-<os>-<arch>.tar.gz (.zip on Windows)  the binary and LICENSE, what krew downloads
//   release/kdisco-<os>-<arch>.tar.gz.sha256         its sha256 (the krew manifest's `sha256`)
// The release workflow (.github/workflows/release.yml) runs this on each platform's runner: Node cannot inject a
// blob into another platform's binary. Needs `npm run build` first (the npm script does it).
// The binary starts from a V8 start-up snapshot (src/standalone.ts says what it holds): it reads no file of kdisco's
// at run time and writes none.
import {build} from 'esbuild'
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const work = join(root, 'release', 'work')
const os = {linux: 'linux', darwin: 'darwin', win32: 'windows'}[process.platform]
const arch = {x64: 'amd64', arm64: 'arm64'}[process.arch]
if (!os || !arch) throw new Error(`no standalone build for ${process.platform}-${process.arch}`)
const platform = `${os}-${arch}`
const exe = os === 'windows' ? 'kdisco.exe' : 'kdisco'
const outDir = join(root, 'release', platform)
const binary = join(outDir, exe)

const run = (command, args, options = {}) => {
  const r = spawnSync(command, args, {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', shell: false, ...options})
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr || r.error}`)
  return r.stdout
}

if (!existsSync(join(root, 'dist/kdisco.cjs.cache'))) throw new Error('dist/ is not built: run npm run build')
rmSync(work, {recursive: true, force: true})
rmSync(outDir, {recursive: true, force: true})
mkdirSync(work, {recursive: true})
mkdirSync(outDir, {recursive: true})

// The files an npm install of the package would have (npm's own list, from package.json's `files`), copied to a
// folder of their own: the snapshot builder reads oclif's plugins from them, and they are gone once it has run.
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const [packed] = JSON.parse(run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {shell: process.platform === 'win32'}))
const pkg = join(work, 'package')
for (const file of packed.files.map((f) => f.path)) {
  mkdirSync(dirname(join(pkg, file)), {recursive: true})
  copyFileSync(join(root, file), join(pkg, file))
}

// The snapshot's script: kdisco's and js-yaml's bundles as functions (src/bundled.ts calls them instead of compiling
// the files), then src/standalone.ts, which evaluates them, reads oclif's plugins and warms kdisco up while the
// snapshot is built. client-node's bundle is an asset (see src/standalone.ts).
const bundles = ['kdisco', 'js-yaml'].map(
  (name) => `${JSON.stringify(name)}: function (exports, require, module, __filename, __dirname, importer, __kdiscoUrl) {\n${readFileSync(join(pkg, 'dist', `${name}.cjs`), 'utf8')}\n}`,
)
const entry = await build({
  absWorkingDir: root,
  entryPoints: [join(root, 'src/standalone.ts')],
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // bundled.ts's own folder, which the script never asks for (it names dist/ itself).
  define: {'import.meta.url': 'undefined'},
  logLevel: 'warning',
})
const main = join(work, 'main.cjs')
writeFileSync(main, `const kdiscoBundleFunctions = {${bundles.join(',\n')}};\n${entry.outputFiles[0].text}`)
const config = {
  main,
  output: join(work, 'sea.blob'),
  disableExperimentalSEAWarning: true,
  useSnapshot: true,
  assets: {'client-node.cjs': join(pkg, 'dist', 'client-node.cjs')},
}
writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config, null, 2))
// The snapshot is built with none of this shell's settings that oclif or kdisco read (NODE_ENV, DEBUG, KDISCO_*…).
const builderEnv = Object.fromEntries(['PATH', 'SystemRoot', 'TEMP', 'TMP', 'TMPDIR'].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]))
run(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], {env: {...builderEnv, KDISCO_STANDALONE_ROOT: pkg}, maxBuffer: 1 << 26})

copyFileSync(process.execPath, binary)
chmodSync(binary, 0o755)
// macOS refuses a binary whose signature no longer matches: drop Node's, inject, sign ad hoc.
if (os === 'darwin') run('codesign', ['--remove-signature', binary])
const postject = [join(root, 'node_modules/postject/dist/cli.js'), binary, 'NODE_SEA_BLOB', join(work, 'sea.blob'), '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2']
if (os === 'darwin') postject.push('--macho-segment-name', 'NODE_SEA')
run(process.execPath, postject)
if (os === 'darwin') run('codesign', ['--sign', '-', binary])

// The archive: the binary and LICENSE at its top (krew's `files` copy both, `bin` names the binary).
copyFileSync(join(root, 'LICENSE'), join(outDir, 'LICENSE'))
const archive = join(root, 'release', `kdisco-${platform}${os === 'windows' ? '.zip' : '.tar.gz'}`)
rmSync(archive, {force: true})
// Windows' own tar.exe (bsdtar) writes a zip when asked by -a and the name: named by its path, as Git's GNU tar may
// come first on PATH in a bash step. macOS's tar (bsdtar) and GNU tar write the tar.gz.
if (os === 'windows') run(join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'tar.exe'), ['-a', '-c', '-f', archive, '-C', outDir, exe, 'LICENSE'])
else run('tar', ['-c', '-z', '-f', archive, '-C', outDir, '--owner=0', '--group=0', exe, 'LICENSE'].filter((a) => os === 'linux' || !a.startsWith('--')))
const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex')
writeFileSync(`${archive}.sha256`, `${sha256}  ${relative(join(root, 'release'), archive)}\n`)
rmSync(work, {recursive: true, force: true})

const mb = (path) => (readFileSync(path).length / 1e6).toFixed(1)
process.stderr.write(`built ${relative(root, binary)} (${mb(binary)} MB) and ${relative(root, archive)} (${mb(archive)} MB, sha256 ${sha256})\n`)
