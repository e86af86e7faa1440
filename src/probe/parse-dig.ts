// Parses what `dig` prints (one or several queries in one output: header status, flags, question, answers).
import type {ResourceRecord} from '../dns/records.js'

export interface DigResult {
  question?: {name: string; type: string}
  status: string | null
  flags: string[]
  answers: ResourceRecord[]
  /** "connection timed out; no servers could be reached" and the like. */
  error?: string
  server?: string
}

function unquoteTxt(data: string): string {
  const parts = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, '$1'))
  return parts.length > 0 ? parts.join('') : data
}

/** Splits dig output into one result per query and parses each. */
export function parseDig(output: string): DigResult[] {
  const results: DigResult[] = []
  let cur: DigResult | undefined
  let section = ''
  const start = () => {
    cur = {status: null, flags: [], answers: []}
    results.push(cur)
    section = ''
  }
  for (const raw of output.split('\n')) {
    const line = raw.trimEnd()
    let m: RegExpExecArray | null
    if (/^; <<>> DiG /.test(line)) {
      start()
      continue
    }
    if ((m = /^;; ->>HEADER<<- opcode: \w+, status: (\w+), id: \d+/.exec(line))) {
      if (!cur || cur.status !== null) start()
      cur!.status = m[1]
      continue
    }
    if (/^;; (connection timed out|communications error|no servers could be reached)/.test(line) || /couldn't get address|connection refused/.test(line)) {
      if (!cur || cur.status !== null) start()
      cur!.error = line.replace(/^;; /, '')
      continue
    }
    if (!cur) continue
    if ((m = /^;; flags: ([^;]*);/.exec(line))) {
      cur.flags = m[1].trim().split(/\s+/).filter(Boolean)
      continue
    }
    if ((m = /^;; (\w+) SECTION:$/.exec(line))) {
      section = m[1]
      continue
    }
    if ((m = /^;; SERVER: (\S+)/.exec(line))) {
      cur.server = m[1]
      continue
    }
    if (line === '') {
      section = section === 'QUESTION' ? '' : section === 'ANSWER' ? 'ANSWER-DONE' : section
      continue
    }
    if (section === 'QUESTION' && (m = /^;(\S+)\s+(?:\d+\s+)?IN\s+(\S+)/.exec(line))) {
      cur.question = {name: m[1], type: m[2]}
      continue
    }
    if (section === 'ANSWER' && !line.startsWith(';') && (m = /^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.*)$/.exec(line))) {
      const type = m[3]
      cur.answers.push({name: m[1], type, ttl: Number(m[2]), data: type === 'TXT' ? unquoteTxt(m[4]) : m[4].trim()})
    }
  }
  return results
}
