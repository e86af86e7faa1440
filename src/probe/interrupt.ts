// Cleanup that must run even when the user presses Ctrl-C, CI sends SIGTERM, a terminal hangs up (SIGHUP), or
// SIGQUIT, SIGUSR2 or SIGALRM arrive: debug pods are deleted before kdisco exits (128 + signal number, as shells
// expect). kdisco waits for them a bounded time; a second signal stops the wait. Whatever could not be cleaned up
// is named in one line each, with the command that removes it: kdisco never leaves a pod behind silently.
const SIGNALS = {SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR2: 12, SIGALRM: 14, SIGTERM: 15} as const
type Signal = keyof typeof SIGNALS

/** How long kdisco waits for its cleanups after a signal (each request in them has its own deadline too). */
export const CLEANUP_GRACE_MS = 10_000

export interface Cleanup {
  /** Undoes what the run created; resolves when done (or known to be unnecessary). */
  run: () => Promise<unknown>
  /** The one line to print if `run` did not finish or did not succeed (undefined: nothing is left). */
  leftover: () => string | undefined
}

const cleanups = new Set<Cleanup>()
let installed = false
let exiting = false

function say(line: string): void {
  try {
    process.stderr.write(line)
  } catch {
    // stderr is gone: the exit code still tells.
  }
}

/** The leftover line of every cleanup that has not finished, then exit. */
function leave(signal: Signal): never {
  for (const c of cleanups) {
    const line = c.leftover()
    if (line) say(`kdisco: ${line}\n`)
  }
  process.exit(128 + SIGNALS[signal])
}

async function onSignal(signal: Signal): Promise<void> {
  if (exiting) leave(signal) // a second signal: stop waiting
  exiting = true
  if (cleanups.size === 0) process.exit(128 + SIGNALS[signal])
  say(`\nkdisco: ${signal}: cleaning up (send it again to stop waiting)\n`)
  const all = Promise.allSettled([...cleanups].map((c) => c.run()))
  await Promise.race([all, new Promise((r) => setTimeout(r, CLEANUP_GRACE_MS).unref())])
  leave(signal)
}

/** Registers a cleanup to run if the process is interrupted before the returned function is called. */
export function onInterrupt(cleanup: Cleanup | (() => Promise<unknown>)): () => void {
  if (!installed) {
    installed = true
    for (const s of Object.keys(SIGNALS) as Signal[]) process.on(s, () => void onSignal(s))
  }
  const entry: Cleanup = typeof cleanup === 'function' ? {run: cleanup, leftover: () => undefined} : cleanup
  cleanups.add(entry)
  return () => cleanups.delete(entry)
}
