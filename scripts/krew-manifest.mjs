// `npm run krew-manifest -- [--archives DIR] [--out FILE] [--base-url URL]`: krew's plugin manifest for `disco`,
// from the release archives `npm run standalone` wrote (kdisco-<os>-<arch>.tar.gz|.zip and their .sha256 files):
// one platform entry per archive found, with its download URL and sha256. The release workflow runs it over the
// archives of every platform; the tests run it over the linux-amd64 archive built here and validate the result with
// krew's own validate-krew-manifest.
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = fileURLToPath(new URL('../', import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const repository = pkg.homepage.replace(/#.*$/, '')
const {values} = parseArgs({
  options: {
    archives: {type: 'string', default: join(root, 'release')},
    out: {type: 'string', default: join(root, 'release', 'disco.yaml')},
    'base-url': {type: 'string', default: `${repository}/releases/download/v${pkg.version}`},
  },
})

const ARCHIVE = /^kdisco-(linux|darwin|windows)-(amd64|arm64)\.(tar\.gz|zip)$/
const platforms = readdirSync(values.archives)
  .map((name) => ({name, m: ARCHIVE.exec(name)}))
  .filter(({m}) => m)
  .sort((a, b) => (a.name < b.name ? -1 : 1))
  .map(({name, m}) => {
    const [, os, arch] = m
    const shaFile = join(values.archives, `${name}.sha256`)
    if (!existsSync(shaFile)) throw new Error(`${shaFile} is missing: npm run standalone writes it beside the archive`)
    const sha256 = readFileSync(shaFile, 'utf8').split(/\s+/)[0]
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`${shaFile}: not a sha256`)
    const exe = os === 'windows' ? 'kdisco.exe' : 'kdisco'
    return [
      `  - selector:`,
      `      matchLabels:`,
      `        os: ${os}`,
      `        arch: ${arch}`,
      `    uri: ${values['base-url']}/${name}`,
      `    sha256: ${sha256}`,
      `    files:`,
      `      - from: ${exe}`,
      `        to: .`,
      `      - from: LICENSE`,
      `        to: .`,
      `    bin: ${exe}`,
    ].join('\n')
  })
if (platforms.length === 0) throw new Error(`no release archives (kdisco-<os>-<arch>.tar.gz or .zip) in ${values.archives}: run npm run standalone`)

const manifest = `apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: disco
spec:
  version: v${pkg.version}
  homepage: ${repository}
  shortDescription: What cluster DNS answers for Services, and why
  description: |
    kubectl disco computes, from the live cluster or from manifests (-f), every DNS
    name Kubernetes' cluster DNS (CoreDNS) should answer for your Services and pods:
    cluster IPs, headless and per-pod records, SRV records per named port, PTRs,
    ExternalName CNAMEs and how short names resolve from each namespace. It can
    probe the real DNS (from your machine, through a port-forward or from a debug
    pod it removes afterwards) and compare, and explains what is wrong and why
    (selectors that match nothing, unready endpoints, missing ports, names that
    resolve from one namespace but not another).

    Examples:
      kubectl disco svc lookup web -n shop
      kubectl disco svc explain --all -A
      kubectl get svc,pods,endpointslices -o yaml | kubectl disco svc lookup web -f -
  caveats: |
    kubectl disco reads Services, EndpointSlices, pods, namespaces and the cluster
    DNS configuration. --probe pod also creates and deletes a short-lived pod.
    Where your account cannot, bind the read-only ClusterRole from
    ${repository}#rbac (kdisco-reader).
    Manifests work without a cluster: kubectl disco svc lookup NAME -f DIR/
  platforms:
${platforms.join('\n')}
`
writeFileSync(values.out, manifest)
process.stderr.write(`wrote ${values.out} (${platforms.length} platform${platforms.length === 1 ? '' : 's'})\n`)
