import {Args} from '@oclif/core'
import {KdiscoCommand} from '../../command-base.js'
import {closeNames, hintOf} from '../../cluster/find.js'
import {namespaceOf} from '../../cluster/types.js'
import {podIdentity} from '../../dns/pod-identity.js'
import {inputError, quote} from '../../errors.js'
import {dnsFlags, inputFlags, listFlags, outputFlag, probeFlags} from '../../flags.js'
import {probeConfig} from '../../probe/index.js'
import {probeAndCompare} from '../../compare/probe-report.js'
import type {ExpectedQuery} from '../../dns/service-lookup.js'
import {expectation} from '../../dns/records.js'
import {predictedNames} from '../../dns/service-lookup.js'
import {ExitCode} from '../../errors.js'
import {loadCluster, probeContext, resultContext} from '../../pipeline.js'
import type {PodLookupResult} from '../../results.js'

export default class PodLookup extends KdiscoCommand {
  static override summary = "A pod's DNS identity: its names, its records, and the resolv.conf and /etc/hosts kubelet writes."
  static override description =
    'Shows the hostname.subdomain FQDN (served only when a headless Service named like the subdomain selects the pod), the endpoint names the pod has in every Service it backs, its a-b-c-d.<ns>.pod record under the pods mode, and the resolver files of the pod.'
  static override examples = ['<%= config.bin %> <%= command.id %> mysql-sts-0 -n data', 'kubectl get svc,pods,endpointslices -A -o yaml | <%= config.bin %> <%= command.id %> kubia-5d8b7c9f6-q9m2c -f - -o json']
  static override args = {pod: Args.string({description: 'Pod name.', required: true})}
  static override flags = {...inputFlags, output: outputFlag(['table', 'json', 'yaml', 'name'] as const, 'table'), 'no-headers': listFlags['no-headers'], ...dnsFlags, ...probeFlags}

  async run(): Promise<PodLookupResult> {
    const {args, flags} = await this.parse(PodLookup)
    // --probe exec / ephemeral look from inside this very pod unless --pod names another.
    // -o name prints the pod's name: no debug pod for that unless --probe asks for one.
    const probe = probeConfig(flags.output === 'name' ? {...flags, probe: flags.probe ?? 'none'} : flags, {defaultPod: args.pod})
    const {snapshot, model, namespace} = await loadCluster(flags, {pod: args.pod, kinds: ['pods', 'statefulsets'], clusterDns: true})
    const pod = snapshot.pods.find((p) => p.metadata.name === args.pod && namespaceOf(p) === namespace)
    if (!pod && !model.hasNamespace(namespace))
      throw inputError(`Pod ${quote(args.pod)} not found: namespace "${namespace}" ${snapshot.origin === 'live' ? 'does not exist' : 'is not in the input'}`, 'Check -n')
    if (!pod) {
      const isPod = (p: {name: string; namespace: string}) => p.name === args.pod && p.namespace === namespace
      const future = snapshot.predictedPods.find(isPod)
      if (future) {
        const [name] = predictedNames(model, snapshot, isPod)
        const will = `Pod "${args.pod}" does not exist yet: StatefulSet ${future.statefulSet} will create it`
        if (!name) throw inputError(`${will}, without a per-pod DNS name (the StatefulSet has no serviceName)`, 'Set spec.serviceName to a headless Service selecting its pods')
        if (name.reason) throw inputError(`${will}, and ${name.name} will not resolve: ${name.reason}`, `Point serviceName at a headless Service (clusterIP: None) named ${name.service} in ${namespace} that selects the StatefulSet's pods`)
        throw inputError(`${will} as ${name.name}`, `See ${this.config.bin} svc lookup ${name.service} -n ${namespace}`)
      }
      const hints = closeNames(args.pod, namespace, snapshot.pods.map((p) => ({name: p.metadata.name, namespace: namespaceOf(p)})))
      throw inputError(`Pod ${quote(args.pod)} not found in namespace ${namespace}`, hintOf(hints, 'Check the name and -n'))
    }
    await this.reportInputGaps(snapshot, model)
    const identity = podIdentity(model, snapshot, pod)
    const records = [...(identity.hostnameRecord ? [identity.hostnameRecord] : []), ...identity.endpointNames.filter((e) => e.name !== identity.hostnameRecord?.name), ...identity.podRecords]
    const queries: ExpectedQuery[] = records.map((r) => ({name: r.name, type: r.type, kind: 'endpoint', expected: expectation(r), ...(r.notes ? {notes: r.notes} : {})}))
    if (flags['dry-run']) return this.dryRun(probe, queries, (q) => [q.name], namespace)
    const probed = await probeAndCompare(queries, (q) => [q.name], probe, probeContext(flags, namespace), {strict: flags.strict})
    const result: PodLookupResult = {...identity, ...(probed ?? {}), ...resultContext(snapshot, model)}
    const seen = probed?.probe.resolvConf
    if (seen && (probe.kind === 'exec' || probe.kind === 'ephemeral') && probe.pod === args.pod) {
      const norm = (t: string) => t.split('\n').map((l) => l.replace(/#.*/, '').trim().replace(/\s+/g, ' ')).filter(Boolean).sort().join('\n')
      result.resolvConfObserved = {text: seen.text, matches: norm(seen.text) === norm(identity.resolvConf.text)}
    }
    // -o name: the pod, as kubectl get pod NAME -o name prints it.
    await this.render(result, flags.output, async (r) => (flags.output === 'name' ? `pod/${r.pod.name}` : (await import('../../render/pod-lookup.js')).renderPodLookup(r, {noHeaders: flags['no-headers']})))
    if ((result.summary && result.summary.mismatch > 0) || result.resolvConfObserved?.matches === false) this.exit(ExitCode.FINDING)
    return result
  }
}
