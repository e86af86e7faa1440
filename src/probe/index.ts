// Probe selection and the questions a report needs asked. The back-ends are loaded only when used.
import type {Observed} from '../compare/verdict.js'
import {inputError} from '../errors.js'
import type {ProbeQuestion} from './server.js'

export type ProbeKind = 'none' | 'server'

export interface ProbeConfig {
  kind: ProbeKind
  host?: string
  port?: number
  timeoutMs: number
}

/** `10.96.0.10`, `127.0.0.1:5353`, `[::1]:53`, `::1`. */
export function parseDnsServer(text: string): {host: string; port: number} {
  let host = text
  let port = 53
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracket) {
    host = bracket[1]
    if (bracket[2]) port = Number(bracket[2])
  } else if (/^[^:]+:\d+$/.test(text)) {
    ;[host, port] = [text.split(':')[0], Number(text.split(':')[1])]
  }
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw inputError(`--dns-server "${text}" is not HOST[:PORT]`, 'For example --dns-server 10.96.0.10 or --dns-server 127.0.0.1:5353')
  return {host, port}
}

export function probeConfig(flags: {probe?: string; 'dns-server'?: string; 'probe-timeout'?: number}): ProbeConfig {
  const kind = (flags.probe ?? (flags['dns-server'] ? 'server' : 'none')) as ProbeKind
  const timeoutMs = (flags['probe-timeout'] ?? 2) * 1000
  if (kind === 'server') {
    if (!flags['dns-server']) throw inputError('--probe server needs --dns-server HOST[:PORT]', 'Name the DNS server to ask, e.g. --dns-server 10.96.0.10')
    return {kind, ...parseDnsServer(flags['dns-server']), timeoutMs}
  }
  if (flags['dns-server']) throw inputError('--dns-server goes with --probe server', 'Drop --dns-server or use --probe server')
  return {kind, timeoutMs}
}

/** Asks the questions through the chosen probe; undefined when probing is off. */
export async function runProbe(config: ProbeConfig, questions: ProbeQuestion[]): Promise<Observed[] | undefined> {
  if (config.kind === 'none' || questions.length === 0) return undefined
  const {probeServer} = await import('./server.js')
  return probeServer(questions, {host: config.host!, port: config.port!, timeoutMs: config.timeoutMs})
}
