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
  /** The result could not be written (disk full, an output that went away with an error). */
  OUTPUT: 5,
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

  /** The single line shown on stderr, whatever the message holds (input values are escaped, never line breaks). */
  toLine(): string {
    const message = capitalised(this.message)
    return oneLine(this.hint ? `Error: ${message}. ${this.hint}` : `Error: ${message}`)
  }
}

/**
 * A message as a sentence: its first word capitalised when it is a plain lowercase word ("cannot read …"), never
 * when it is a path, a flag or a name with other characters ("k8s/web.yaml:3: …", "--ttl …", "externalName …").
 */
export function capitalised(message: string): string {
  return /^[a-z]+[ ,:]/.test(message) ? message[0].toUpperCase() + message.slice(1) : message
}

/**
 * Line breaks, other control characters and the invisible bidirectional controls (U+061C, U+200E/F, U+202A–E,
 * U+2066–9, which reorder what follows them on a terminal), wherever they come from (a name, a server's message),
 * as escapes.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/** Text for a one-line message: control characters escaped (`\n`, `\u0000`), nothing else changed. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : escaped(c)))
}

/** Longest input value quoted in a message; the rest is elided. */
const QUOTED_MAX = 80

/** An input value in a message: quoted, escaped as JSON escapes it (and the controls above), and at most QUOTED_MAX characters of it. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value)
  // JSON.stringify has escaped C0 controls already; the rest of CONTROL is left for this.
  return JSON.stringify(text.length > QUOTED_MAX ? `${text.slice(0, QUOTED_MAX)}…` : text).replace(CONTROL, escaped)
}

export function inputError(message: string, hint?: string): KdiscoError {
  return new KdiscoError(message, {hint, exitCode: ExitCode.USAGE})
}

/** The one-line usage error for a namespace name (-n, --from-namespace, --probe-namespace) that is not valid. */
export function checkNamespaceName(name: string | undefined): void {
  if (name !== undefined && !isDns1123Label(name)) throw inputError(`${quote(name)} is not a valid namespace name`, 'Namespaces are lowercase RFC 1123 labels')
}
