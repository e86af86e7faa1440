// The only door to @kubernetes/client-node. `npm run build` replaces the compiled file with an esbuild bundle,
// because importing the package loads ~950 generated modules (about 0.75 s) while the bundle loads in ~0.2 s.
export {KubeConfig} from '@kubernetes/client-node'
