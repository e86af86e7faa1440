// `npm run cluster`: a real control plane on this machine with the bundled examples applied, for trying kdisco's
// live mode and probes with no cluster. Prints the KUBECONFIG line; Ctrl-C stops everything.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {RealCluster} from './cluster.js'
import {missingBinaries, BUILD_SCRIPT, REPO_ROOT} from './components.js'
import {KUBEADM_COREFILE} from './corefiles.js'
import {exampleObjects} from './examples.js'

const say = (line: string) => process.stderr.write(`${line}\n`)

async function main(): Promise<void> {
  const missing = missingBinaries()
  if (missing.length > 0) {
    say(`The real control plane is not built (missing ${missing.join(', ')}). Build it first (about 20 minutes the first time):`)
    say(`  bash ${BUILD_SCRIPT.replace(`${REPO_ROOT}/`, '')}`)
    process.exit(2)
  }
  say('Starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, KWOK and CoreDNS on loopback…')
  const cluster = await RealCluster.start({coreDns: [{name: 'kubeadm', corefile: KUBEADM_COREFILE, replicas: 2, clusterDns: true}], execAllPods: true, log: (l) => say(`  ${l}`)})
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    say(`\n${signal}: stopping the cluster…`)
    await cluster.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  const {apply, skipped} = exampleObjects()
  await cluster.applyAll(apply)
  await cluster.waitForDns()
  const env = join(cluster.dir, 'env')
  writeFileSync(env, `export KUBECONFIG=${cluster.kubeconfig}\n`)
  say(`Applied ${apply.length} objects from examples/ (left out: ${skipped.join('; ') || 'none'}).`)
  say('Cluster DNS: kube-system/kube-dns (10.96.0.10), CoreDNS replicas answering on:')
  for (const r of cluster.coreDns) say(`  ${r.pod ?? r.process.name}: ${r.dns.host}:${r.dns.port}   (kdisco … --probe server --dns-server ${r.dns.host}:${r.dns.port})`)
  if (cluster.podRunnerUnavailable) say(`Probes that run in pods (pod, exec, ephemeral) are unavailable: ${cluster.podRunnerUnavailable}.`)
  else say('Debug pods, exec and ephemeral containers run here with the real dig/getent against these replicas (10.96.0.10 in the pod network).')
  say('')
  say('In another shell:')
  process.stdout.write(`export KUBECONFIG=${cluster.kubeconfig}\n`)
  say(`  (also in ${env})`)
  say('  node bin/run.cjs svc list -A')
  say('  node bin/run.cjs svc lookup kubia                      # the default probe: a debug pod')
  say('  node bin/run.cjs dns doctor --probe port-forward       # each CoreDNS replica')
  say('Ctrl-C stops the cluster.')
  await new Promise(() => undefined)
}

main().catch((e) => {
  say(`npm run cluster: ${(e as Error).message}`)
  process.exit(1)
})
