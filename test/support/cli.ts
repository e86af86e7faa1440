// Runs the built CLI as a user would (a real process), for exit codes, stderr lines and whole outputs. Every JSON
// (and YAML) result a test gets this way is checked against its command's published schema (schema/*.schema.json):
// an output that breaks the contract fails the test that produced it.
import ajv, {type ValidateFunction} from 'ajv'
import {load} from 'js-yaml'
import {type ChildProcessWithoutNullStreams, spawn, spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../../bin/run.cjs', import.meta.url))

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

/** How many outputs were checked against a schema in this test run (a test reads it to know the check runs). */
export const schemaChecks = {count: 0}

const validators = new Map<string, ValidateFunction>()
// ajv is CommonJS: under Node's ES module loader its class is the default export's `default`.
const Ajv = ajv.default

/** The validator of a command's result ("svc list"), or undefined when the command publishes none. */
export function resultValidator(command: string): ValidateFunction | undefined {
  const file = `${ROOT}schema/${command.replace(/ /g, '-')}.schema.json`
  if (!validators.has(file)) {
    if (!existsSync(file)) return undefined
    validators.set(file, new Ajv({allErrors: true, strict: true, allowUnionTypes: true}).compile(JSON.parse(readFileSync(file, 'utf8'))))
  }
  return validators.get(file)
}

/** -o json / -o=json / --output json / -ojson, else undefined. */
function outputFormat(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const m = /^(?:-o|--output)(?:=?(.+))?$/.exec(args[i])
    if (m) return m[1] ?? args[i + 1]
  }
  return undefined
}

/** Throws when a structured result does not match its command's schema. */
export function checkAgainstSchema(args: string[], result: CliResult): void {
  const format = outputFormat(args)
  if ((format !== 'json' && format !== 'yaml') || args.includes('--dry-run') || args.includes('--help')) return
  if (result.status !== 0 && result.status !== 1) return // an error: nothing on stdout
  // Two-word commands (svc list), else one (version).
  const command = resultValidator(args.slice(0, 2).join(' ')) ? args.slice(0, 2).join(' ') : args[0]
  const validate = resultValidator(command)
  if (!validate) throw new Error(`no schema for "${command}": add its result to CommandResults in src/results.ts and run npm run schemas`)
  let value: unknown
  try {
    value = format === 'json' ? JSON.parse(result.stdout) : load(result.stdout)
  } catch (error) {
    throw new Error(`kdisco ${args.join(' ')} printed no valid ${format}: ${(error as Error).message}`)
  }
  schemaChecks.count++
  if (!validate(value)) {
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`)
    throw new Error(`kdisco ${args.join(' ')}: the ${format} output breaks schema/${command.replace(/ /g, '-')}.schema.json: ${errors.join('; ')}`)
  }
}

export function kdisco(args: string[], options: {input?: string; env?: NodeJS.ProcessEnv; argv0?: string; nodeArgs?: string[]} = {}): CliResult {
  const env: NodeJS.ProcessEnv = {...process.env, NODE_ENV: 'production', NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env}
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), options.argv0 ?? BIN, ...args], {cwd: ROOT, input: options.input ?? '', env, encoding: 'utf8', timeout: 20000, maxBuffer: 1 << 28})
  const result = {status: r.status, stdout: r.stdout, stderr: r.stderr}
  checkAgainstSchema(args, result)
  return result
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
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30000)
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      const result = {status: status ?? (signal ? 128 : null), stdout, stderr}
      try {
        checkAgainstSchema(args, result)
        resolve(result)
      } catch (error) {
        reject(error)
      }
    })
  })
  child.stdin.end(options.input ?? '')
  return {child, done, stderrSoFar: () => stderr}
}

export function kdiscoAsync(args: string[], options: {input?: string; env?: NodeJS.ProcessEnv; argv0?: string; timeoutMs?: number} = {}): Promise<CliResult> {
  return kdiscoSpawn(args, options).done
}
