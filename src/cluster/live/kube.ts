// The only door to @kubernetes/client-node. The build makes it an entry point of its own (dist/cluster/live/kube.js)
// loading dist/client-node.cjs (src/client-node.ts): importing the package itself loads ~950 modules (about 0.75 s).
export {KubeConfig} from '@kubernetes/client-node'
