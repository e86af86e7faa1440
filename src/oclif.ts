// @oclif/core for the built CLI (the build redirects kdisco's imports of it here): dist/oclif.cjs with its code cache.
import type * as Oclif from '@oclif/core'
import {requireBundled} from './bundled.js'

export const {Args, Command, Errors, Flags, execute} = requireBundled<typeof Oclif>('oclif')
export type {Hook, Interfaces} from '@oclif/core'
