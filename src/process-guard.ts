// The last line of defence, installed before anything else runs: an exception nothing caught (a write to a full
// disk from oclif's help, a bug) ends kdisco with one line on stderr and a distinct exit code, never a stack trace
// with a screen of minified source (KDISCO_DEBUG=1 shows the stack).

import {internalErrorLine} from './internal-error.js'

/** Exit code for output that could not be written; errors.ts's ExitCode.OUTPUT (not imported: this loads first). */
const OUTPUT_FAILED = 5
const INTERNAL = 4

/** Write errors of stdout (ENOSPC, EIO, EFBIG…), whoever wrote. */
export function isOutputError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException | undefined
  return Boolean(e && typeof e === 'object' && e.syscall === 'write' && typeof e.code === 'string')
}

/** "no space left on device (ENOSPC)" from a write error. */
export function describeOutputError(error: NodeJS.ErrnoException): string {
  const what = /^[A-Z]+: ([^,]+)/.exec(error.message)?.[1] ?? error.message
  return `${what} (${error.code})`
}

function say(line: string): void {
  try {
    process.stderr.write(`${line}\n`)
  } catch {
    // stderr itself cannot be written (2>/dev/full): the exit code is all that is left.
  }
}

function fail(error: unknown): void {
  if (isOutputError(error)) {
    // A reader that went away (`| head`) is not an error.
    if (error.code === 'EPIPE') return process.exit(process.exitCode ?? 0)
    say(`Error: Cannot write the output: ${describeOutputError(error)}`)
    return process.exit(OUTPUT_FAILED)
  }
  const message = error instanceof Error ? error.message : String(error)
  say(internalErrorLine(message))
  if (process.env.KDISCO_DEBUG) say(String((error as Error)?.stack ?? error))
  process.exit(INTERNAL)
}

/**
 * Marks write errors a writer reported itself (through its callback): their 'error' event is not reported again. A
 * mark on the error, not a set: this module is in both dist/main.cjs and dist/kdisco.cjs.
 */
const CLAIMED = Symbol.for('kdisco.claimed-output-error')

/** Called by a writer that handles `error` itself (the command's output: one line, exit 5). */
export function claimOutputError(error: Error): void {
  ;(error as Error & {[CLAIMED]?: boolean})[CLAIMED] = true
}

export function installProcessGuard(): void {
  process.on('uncaughtException', fail)
  process.on('unhandledRejection', fail)
  // Asynchronous write errors arrive as 'error' events, after the writer's callback has seen them; without a
  // listener they would be uncaught exceptions. A closed pipe is left to the writer (the verdict still sets the code).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && !(error as Error & {[CLAIMED]?: boolean})[CLAIMED]) fail(error)
  })
  process.stderr.on('error', () => {})
}
