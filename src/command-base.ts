// Shared behaviour of every kdisco command: one-line errors with distinct exit codes, and single writes of
// fully rendered output (never a half-written result).
import {Command, Errors} from '@oclif/core'
import {ExitCode, KdiscoError} from './errors.js'

export abstract class KdiscoCommand extends Command {
  /** Writes the whole rendered result at once. */
  protected emit(text: string): void {
    process.stdout.write(text.endsWith('\n') || text === '' ? text : text + '\n')
  }

  protected override async catch(err: Error & {oclif?: {exit?: number}; code?: string}): Promise<unknown> {
    if (err instanceof KdiscoError) {
      process.stderr.write(err.toLine() + '\n')
      throw new Errors.ExitError(err.exitCode)
    }
    if (err.code === 'EEXIT') throw err
    if (err.oclif?.exit === 2 || err.name === 'CLIError' || /flag|argument/i.test(err.constructor?.name ?? '')) {
      // oclif's flag/argument parse errors: keep them to one line.
      const first = err.message.split('\n').find((l) => l.trim() !== '') ?? err.message
      process.stderr.write(`Error: ${first.trim()}. See '${this.config.bin} ${this.id?.replace(/:/g, ' ') ?? ''} --help'.\n`)
      throw new Errors.ExitError(ExitCode.USAGE)
    }
    // A bug: one line, no stack trace unless the user asks for it.
    process.stderr.write(`Error: internal error: ${err.message.split('\n')[0]}. Please report it; KDISCO_DEBUG=1 shows the stack.\n`)
    if (process.env.KDISCO_DEBUG) process.stderr.write(`${err.stack}\n`)
    throw new Errors.ExitError(4)
  }
}
