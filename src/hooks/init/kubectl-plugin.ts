import type {Hook} from '@oclif/core'
import {commandName} from '../../invocation.js'

// kubectl runs us as `kubectl-disco`; make usage, help and examples say `kubectl disco`.
const hook: Hook.Init = async function () {
  ;(this.config as {bin: string}).bin = commandName()
}

export default hook
