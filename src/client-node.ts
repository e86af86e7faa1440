// @kubernetes/client-node for the built CLI (kdisco's import of it, in cluster/live/kube.ts, is redirected here):
// dist/client-node.cjs with its code cache. Compiling the ~1 MB bundle is most of the live path's start-up.
import type * as ClientNode from '@kubernetes/client-node'
import {requireBundled} from './bundled.js'

export const {KubeConfig} = requireBundled<typeof ClientNode>('client-node')
