// The finding cases of svc explain KD101–KD113 (and KD104's protocol variants, KD122, KD123, KD125), as objects: a positive case per
// code, checked from the objects directly, from a manifest file, and from the API test server.
import type {KubeObject} from '../../src/cluster/types.js'
import {clusterIpService, ep, headless, pod, service, slice} from '../support/objects.js'

export const webPod = (name: string, o: Parameters<typeof pod>[1] = {}) =>
  pod(name, {ip: `10.0.0.${name.length + 1}`, labels: {app: 'web'}, ...o, spec: {containers: [{name: 'c', ports: [{name: 'http', containerPort: 8080}], readinessProbe: {httpGet: {path: '/', port: 'http'}}}], ...(o.spec ?? {})}})
export const web = (more = {}) => clusterIpService('web', '10.96.0.5', [{name: 'http', port: 80, targetPort: 'http'}], {selector: {app: 'web'}, ...more})

export const healthy = [web(), webPod('a'), webPod('bb')]

/** [code, what, objects, Service name (default web)] */
export const FINDING_CASES: [string, string, KubeObject[], string?][] = [
  ['KD101', 'selector matches no pods, with a near miss', [web(), pod('x', {ip: '10.0.0.9', labels: {app: 'webb'}})]],
  ['KD102', 'a selected pod is not ready', [web(), webPod('a'), webPod('bb', {ready: false})]],
  ['KD103', 'only one ready endpoint', [web(), webPod('a')]],
  ['KD104', 'named targetPort missing on a pod', [web(), webPod('a'), webPod('bb'), pod('ccc', {ip: '10.0.0.7', labels: {app: 'web'}, ports: [{name: 'web', containerPort: 8080}], spec: {containers: [{name: 'c', ports: [{name: 'web', containerPort: 8080}], readinessProbe: {tcpSocket: {port: 8080}}}]}})]],
  ['KD105', 'numeric targetPort as a string', [clusterIpService('web', '10.96.0.5', [{port: 80, targetPort: '8080'}], {selector: {app: 'web'}}), webPod('a'), webPod('bb')]],
  ['KD106', 'headless without ports', [headless('db', [], {selector: {app: 'web'}}), webPod('a'), webPod('bb')], 'db'],
  ['KD107', 'ExternalName with an IP', [service('ext', {type: 'ExternalName', externalName: '192.0.2.1'})], 'ext'],
  ['KD108', 'ExternalName with ports', [service('ext', {type: 'ExternalName', externalName: 'api.example.com', ports: [{port: 80}]})], 'ext'],
  ['KD109', 'no selector and no endpoints', [service('manual', {clusterIP: '10.96.0.9', ports: [{port: 80}]})], 'manual'],
  ['KD110', 'deprecated tolerate-unready annotation', [{...web(), metadata: {name: 'web', namespace: 'default', annotations: {'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true'}}} as KubeObject, webPod('a'), webPod('bb')]],
  ['KD111', 'publishNotReadyAddresses with a cluster IP', [web({publishNotReadyAddresses: true}), webPod('a'), webPod('bb')]],
  ['KD112', 'sessionAffinity on headless', [headless('db', [{port: 80}], {selector: {app: 'web'}, sessionAffinity: 'ClientIP'}), webPod('a'), webPod('bb')], 'db'],
  ['KD113', 'selected pods without readiness probe', [web(), pod('a', {ip: '10.0.0.2', labels: {app: 'web'}}), pod('bb', {ip: '10.0.0.3', labels: {app: 'web'}})]],
  ['KD104', 'named targetPort with another protocol', [clusterIpService('web', '10.96.0.5', [{name: 'dns', port: 53, targetPort: 'http', protocol: 'UDP'}], {selector: {app: 'web'}}), webPod('a'), webPod('bb')]],
  ['KD104', 'numeric targetPort declared with another protocol', [clusterIpService('web', '10.96.0.5', [{name: 'dns', port: 53, targetPort: 8080, protocol: 'UDP'}], {selector: {app: 'web'}}), webPod('a'), webPod('bb')]],
  ['KD122', 'numeric targetPort not declared by the pods', [clusterIpService('web', '10.96.0.5', [{name: 'http', port: 80, targetPort: 9999}], {selector: {app: 'web'}}), webPod('a'), webPod('bb')]],
  ['KD125', 'ExternalName pointing inside the cluster domain at a name that does not exist', [service('alias', {type: 'ExternalName', externalName: 'db.other.svc.cluster.local'})], 'alias'],
  // 1200 SRV targets need ~70 KB: more than one DNS message holds.
  ['KD123', 'an answer too big for one DNS message', [service('wide', {clusterIP: 'None', ports: [{name: 'http', port: 80}]}), slice('wide', Array.from({length: 1200}, (_, i) => ep(`10.1.${i >> 8}.${i & 255}`, {hostname: `wide-${i}`})), [{name: 'http', port: 80, protocol: 'TCP'}])], 'wide'],
]
