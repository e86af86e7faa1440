// Progress on stderr while kdisco waits on the cluster: a spinner with the current phase on a terminal, one line
// per phase change otherwise (CI logs), nothing when quiet. stdout is never touched.
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export interface Progress {
  phase(text: string): void
  /** Clears the spinner line. */
  done(): void
}

export function progress(options: {quiet?: boolean; stream?: NodeJS.WriteStream} = {}): Progress {
  const stream = options.stream ?? process.stderr
  let current = ''
  if (options.quiet) return {phase: () => {}, done: () => {}}
  if (!stream.isTTY || process.env.CI === 'true') {
    return {
      phase(text) {
        if (text !== current) stream.write(`kdisco: ${(current = text)}\n`)
      },
      done() {},
    }
  }
  let frame = 0
  let timer: NodeJS.Timeout | undefined
  const draw = () => stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`)
  return {
    phase(text) {
      current = text
      timer ??= setInterval(draw, 100).unref()
      draw()
    },
    done() {
      if (timer) clearInterval(timer)
      timer = undefined
      if (current) stream.write('\r\x1b[2K')
      current = ''
    },
  }
}
