// Runs the built CLI as a user would (a real process), for exit codes, stderr lines and whole outputs.
import {type ChildProcessWithoutNullStreams, spawn, spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

export function kdisco(args: string[], options: {input?: string; env?: NodeJS.ProcessEnv; argv0?: string; nodeArgs?: string[]} = {}): CliResult {
  const env: NodeJS.ProcessEnv = {...process.env, NODE_ENV: 'production', NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env}
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), options.argv0 ?? BIN, ...args], {cwd: ROOT, input: options.input ?? '', env, encoding: 'utf8', timeout: 20000, maxBuffer: 1 << 28})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** The same, without blocking the event loop: needed when the test serves the API the CLI talks to. */
/** The built CLI as a child process the test can signal; `done` settles when it exits. */
export function kdiscoSpawn(args: string[], options: {input?: string; env?: NodeJS.ProcessEnv; argv0?: string; timeoutMs?: number} = {}): {child: ChildProcessWithoutNullStreams; done: Promise<CliResult>; stderrSoFar: () => string} {
  const env: NodeJS.ProcessEnv = {...process.env, NODE_ENV: 'production', NO_COLOR: undefined, FORCE_COLOR: undefined, KUBECONFIG: undefined, ...options.env}
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const child = spawn(process.execPath, [options.argv0 ?? BIN, ...args], {cwd: ROOT, env})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const done = new Promise<CliResult>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30000)
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      resolve({status: status ?? (signal ? 128 : null), stdout, stderr})
    })
  })
  child.stdin.end(options.input ?? '')
  return {child, done, stderrSoFar: () => stderr}
}

export function kdiscoAsync(args: string[], options: {input?: string; env?: NodeJS.ProcessEnv; argv0?: string; timeoutMs?: number} = {}): Promise<CliResult> {
  return kdiscoSpawn(args, options).done
}
