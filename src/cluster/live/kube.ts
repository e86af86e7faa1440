// The only door to @kubernetes/client-node. `npm run build` makes it an entry point of its own (dist/cluster/live/kube.js),
// with the package bundled in: importing it from node_modules loads ~950 generated modules (about 0.75 s).
export {KubeConfig} from '@kubernetes/client-node'
