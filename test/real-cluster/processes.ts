// The real control plane's processes: each started with its log in a file, stopped in reverse order, and killed by
// the kernel if the Node process that started it dies (setpriv --pdeathsig), so no test run leaves a server behind.
import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, existsSync, openSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p))

export interface ManagedProcess {
  readonly name: string
  readonly child: ChildProcess
  readonly logFile: string
  /** The last `lines` lines of its log (for error messages). */
  tail(lines?: number): string
  /** Whether it has exited (and with what). */
  exit?: {code: number | null; signal: NodeJS.Signals | null}
  stop(): Promise<void>
}

/** argv that the kernel kills (SIGKILL) when the Node process that started it dies. */
export function withParentDeath(argv: string[]): string[] {
  return SETPRIV ? [SETPRIV, '--pdeathsig', 'SIGKILL', '--', ...argv] : argv
}

/** Every process started by any group; killed synchronously if Node exits without stopping them. */
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export class ProcessGroup {
  private readonly started: ManagedProcess[] = []

  constructor(readonly logDir: string) {}

  /** Starts `argv` with stdout and stderr appended to `<logDir>/<name>.log`. */
  start(name: string, argv: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string} = {}): ManagedProcess {
    const logFile = join(this.logDir, `${name}.log`)
    const fd = openSync(logFile, 'a')
    const full = withParentDeath(argv)
    const child = spawn(full[0], full.slice(1), {stdio: ['ignore', fd, fd], env: {...process.env, ...options.env}, cwd: options.cwd})
    closeSync(fd)
    live.add(child)
    const proc: ManagedProcess = {
      name,
      child,
      logFile,
      tail: (lines = 20) => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : ''),
      stop: () => stopChild(child),
    }
    child.on('error', () => undefined)
    child.on('exit', (code, signal) => {
      proc.exit = {code, signal}
      live.delete(child)
    })
    this.started.push(proc)
    return proc
  }

  /** Stops every process, newest first (clients before the servers they talk to). */
  async stopAll(): Promise<void> {
    for (const p of [...this.started].reverse()) await p.stop()
    this.started.length = 0
  }

  get processes(): readonly ManagedProcess[] {
    return this.started
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const killed = sleep(5000).then(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  await Promise.race([exited, killed])
  await exited
}

/**
 * Polls `ready` until it returns a truthy value (returned); fails with the process's last log lines if it exits or `timeoutMs` passes.
 */
export async function waitUntil<T>(what: string, ready: () => Promise<T | false | undefined>, options: {timeoutMs: number; process?: ManagedProcess; intervalMs?: number}): Promise<T> {
  const started = Date.now()
  let lastError = ''
  for (;;) {
    if (options.process?.exit) throw new Error(`${what}: ${options.process.name} exited (${options.process.exit.code ?? options.process.exit.signal}):\n${options.process.tail()}`)
    try {
      const value = await ready()
      if (value) return value
    } catch (e) {
      lastError = (e as Error).message
    }
    if (Date.now() - started > options.timeoutMs)
      throw new Error(`${what}: not ready after ${options.timeoutMs} ms${lastError ? ` (${lastError})` : ''}${options.process ? `:\n${options.process.tail()}` : ''}`)
    await sleep(options.intervalMs ?? 200)
  }
}
