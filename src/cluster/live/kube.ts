// The only door to @kubernetes/client-node, imported only by the live path. In the built CLI the import goes to
// src/client-node.ts (dist/client-node.cjs with its code cache): the package itself loads ~950 modules (~0.75 s).
export {KubeConfig} from '@kubernetes/client-node'
