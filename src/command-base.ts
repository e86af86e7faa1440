// Shared behaviour of every kdisco command: one-line errors with distinct exit codes, and single writes of
// fully rendered output (never a half-written result).
import {Command, Errors} from '@oclif/core'
import type {ClusterSnapshot} from './cluster/types.js'
import type {ClusterDns} from './dns/model.js'
import {ExitCode, KdiscoError, oneLine} from './errors.js'
import {internalErrorLine} from './internal-error.js'
import {commandName} from './invocation.js'
import {claimOutputError, describeOutputError} from './process-guard.js'
import type {ExpectedQuery} from './dns/service-lookup.js'
import type {ProbeConfig} from './probe/index.js'

/** Characters per write when emitting a result. */
const OUTPUT_CHUNK = 1 << 20

export abstract class KdiscoCommand extends Command {
  /**
   * Writes the whole rendered result and waits until it has left the process, so an exit code set afterwards can
   * never cut a large output short on a pipe.
   */
  protected async emit(text: string): Promise<void> {
    const out = text.endsWith('\n') || text === '' ? text : text + '\n'
    await this.emitPieces([out])
  }

  /**
   * Writes text given in pieces (generated as they are written: `dns zone -o json`, as UTF-8 chunks), each awaited
   * until it has left the process, text over a MiB in chunks of a MiB. The last piece must end with a newline.
   */
  protected async emitPieces(pieces: Iterable<string | Buffer>): Promise<void> {
    // A reader that stops early (`| head`) is not an error: the rest is dropped and the exit code still tells the verdict.
    const closedEarly = (err: NodeJS.ErrnoException | null | undefined) => err?.code === 'EPIPE'
    // In chunks, each awaited: a 70 MB zone listing is never also held whole in the pipe's write buffer. A write
    // that fails (a full disk: synchronously for a file, through the callback for a pipe) is one line and exit 5.
    const writeChunk = (chunk: string | Buffer) =>
      new Promise<boolean>((resolve, reject) => {
        const failed = (err: NodeJS.ErrnoException) => {
          claimOutputError(err)
          reject(new KdiscoError(`Cannot write the output: ${describeOutputError(err)}`, {exitCode: ExitCode.OUTPUT}))
        }
        try {
          process.stdout.write(chunk, (err) => (err && !closedEarly(err) ? failed(err) : resolve(!err)))
        } catch (error) {
          if (closedEarly(error as NodeJS.ErrnoException)) resolve(false)
          else failed(error as NodeJS.ErrnoException)
        }
      })
    // Each piece as it comes (not joined: joining 400k records' text costs more than the writes); a long one in chunks.
    // A piece has left the process before the next is asked for: a generator may reuse its buffer (zone-json.ts).
    for (const piece of pieces) {
      if (typeof piece !== 'string') {
        if (!(await writeChunk(piece))) return
        continue
      }
      for (let start = 0; start < piece.length; ) {
        let end = Math.min(piece.length, start + OUTPUT_CHUNK)
        // Never split a surrogate pair between two writes.
        if (end < piece.length && (piece.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--
        if (!(await writeChunk(piece.slice(start, end)))) return // the reader has gone
        start = end
      }
    }
  }

  /** JSON/YAML from the result itself; any other format from the command's own (lazily loaded) renderer. */
  protected async render<T>(result: T, format: string, renderText: (result: T) => Promise<string> | string): Promise<void> {
    if (format === 'json' || format === 'yaml') {
      const {structured} = await import('./render/style.js')
      await this.emit(await structured(result, format))
    } else {
      await this.emit(await renderText(result))
    }
  }

  /** One dim stderr line per thing the input lacked (RBAC gaps, Corefile fallback), one per warning; the JSON carries them too. */
  protected async reportInputGaps(snapshot: ClusterSnapshot, model: ClusterDns): Promise<void> {
    const lines: string[] = []
    for (const g of snapshot.gaps) {
      if (g.resource === 'configmaps' && g.namespace === 'kube-system') continue
      if (g.reason === 'PredictionLimit') {
        lines.push(g.message)
        continue
      }
      lines.push(`Cannot read ${g.resource}${g.namespace ? ` in ${g.namespace}` : ''} (${g.reason}): ${g.resource === 'pods' ? 'readiness reasons and pod records are unavailable' : 'answers that depend on them are incomplete'}`)
    }
    if (model.settings.source.startsWith('kubeadm defaults:')) lines.push(`DNS settings: ${model.settings.source}`)
    if (lines.length === 0 && snapshot.warnings.length === 0) return
    const {colourEnabled} = await import('./render/style.js')
    const colour = colourEnabled(process.stderr)
    const dim = colour ? (s: string) => `\u001B[2m${s}\u001B[22m` : (s: string) => s
    const yellow = colour ? (s: string) => `\u001B[33m${s}\u001B[39m` : (s: string) => s
    // Each is one line, escaped as errors are: warnings quote names from the input (a Namespace, a file's object).
    process.stderr.write([...lines.map((l) => dim(oneLine(`kdisco: ${l}`))), ...snapshot.warnings.map((w) => yellow(oneLine(`kdisco: warning: ${w}`)))].join('\n') + '\n')
  }

  /** --dry-run: prints what the probe would create (YAML, ready for kubectl apply -f -) and exits 0. */
  protected async dryRun(probe: ProbeConfig, queries: ExpectedQuery[], candidates: (q: ExpectedQuery) => string[], namespace: string): Promise<never> {
    const [{probeManifest, probeNamespace}, {probeRequest}, {structured}] = await Promise.all([import('./probe/index.js'), import('./compare/probe-report.js'), import('./render/style.js')])
    const manifest = await probeManifest(probe, probeRequest(queries, candidates, probeNamespace(probe, namespace)), namespace)
    await this.emit(await structured(manifest, 'yaml'))
    return this.exit(ExitCode.OK)
  }

  protected override async catch(err: Error & {oclif?: {exit?: number}; code?: string}): Promise<unknown> {
    if (err instanceof KdiscoError) {
      process.stderr.write(err.toLine() + '\n')
      throw new Errors.ExitError(err.exitCode)
    }
    if (err.code === 'EEXIT') throw err
    if (err.oclif?.exit === 2 || 'parse' in err) {
      // oclif's usage errors and flag/argument parse errors (which carry the parser's output): one line.
      const [head = err.message, next] = err.message.split('\n').map((l) => l.trim()).filter((l) => l !== '')
      const detail = next && !next.startsWith('See more help') ? next : undefined
      // "Missing 1 required arg:" is followed by a line per argument: name the first. "Parsing --ttl" is followed by
      // what was wrong with the value: that is the message.
      const first = head.endsWith(':') && detail ? `${head} ${detail.split(/\s+/)[0]}` : head.startsWith('Parsing --') && detail ? detail : head
      process.stderr.write(`Error: ${oneLine(first)}. See '${commandName()} ${this.id?.replace(/:/g, ' ') ?? ''} --help'.\n`)
      throw new Errors.ExitError(ExitCode.USAGE)
    }
    // A bug: one line, no stack trace unless the user asks for it.
    process.stderr.write(`${internalErrorLine(err.message)}\n`)
    if (process.env.KDISCO_DEBUG) process.stderr.write(`${err.stack}\n`)
    throw new Errors.ExitError(4)
  }
}
