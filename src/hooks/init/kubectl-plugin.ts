import type {Hook} from '@oclif/core'
import {basename} from 'node:path'

// kubectl runs us as `kubectl-disco`; make usage, help and examples say `kubectl disco`.
const hook: Hook.Init = async function () {
  if (basename(process.argv[1] ?? '').startsWith('kubectl-')) (this.config as {bin: string}).bin = 'kubectl disco'
}

export default hook
