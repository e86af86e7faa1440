// Cleanup that must run even when the user presses Ctrl-C or CI sends SIGTERM: debug pods are deleted before
// kdisco exits (128 + signal number, as shells expect).
const cleanups = new Set<() => Promise<unknown>>()
const SIGNALS = {SIGINT: 2, SIGTERM: 15, SIGHUP: 1} as const
let installed = false
let exiting = false

async function onSignal(signal: keyof typeof SIGNALS): Promise<void> {
  if (exiting) return
  exiting = true
  process.stderr.write(`\nkdisco: ${signal}: cleaning up\n`)
  const all = Promise.allSettled([...cleanups].map((fn) => fn()))
  await Promise.race([all, new Promise((r) => setTimeout(r, 10_000).unref())])
  process.exit(128 + SIGNALS[signal])
}

/** Runs `fn` if the process is interrupted before the returned function is called. */
export function onInterrupt(fn: () => Promise<unknown>): () => void {
  if (!installed) {
    installed = true
    for (const s of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) process.on(s, () => void onSignal(s))
  }
  cleanups.add(fn)
  return () => cleanups.delete(fn)
}
