// The one error type kdisco throws for anything the user can act on: a message, a hint saying what to do, and
// the exit code. `oclif.exit` and `exitCode` are both set so oclif keeps the code in every output mode.
import {isDns1123Label} from './dns/names.js'

export const ExitCode = {
  OK: 0,
  /** A finding or a mismatch (later commands). */
  FINDING: 1,
  /** Bad flags, arguments or input files. */
  USAGE: 2,
  /** The cluster or a probe failed. */
  CLUSTER: 3,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export class KdiscoError extends Error {
  readonly hint?: string
  readonly exitCode: ExitCodeValue
  readonly oclif: {exit: number}

  constructor(message: string, options: {hint?: string; exitCode?: ExitCodeValue} = {}) {
    super(message)
    this.name = 'KdiscoError'
    this.hint = options.hint
    this.exitCode = options.exitCode ?? ExitCode.USAGE
    this.oclif = {exit: this.exitCode}
  }

  /** The single line shown on stderr. */
  toLine(): string {
    return this.hint ? `Error: ${this.message}. ${this.hint}` : `Error: ${this.message}`
  }
}

export function inputError(message: string, hint?: string): KdiscoError {
  return new KdiscoError(message, {hint, exitCode: ExitCode.USAGE})
}

/** The one-line usage error for a namespace name (-n, --from-namespace, --probe-namespace) that is not valid. */
export function checkNamespaceName(name: string | undefined): void {
  if (name !== undefined && !isDns1123Label(name)) throw inputError(`"${name}" is not a valid namespace name`, 'Namespaces are lowercase RFC 1123 labels')
}
