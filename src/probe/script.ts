// The lookups a pod-side probe (debug pod, exec, ephemeral container) runs, as ONE fixed shell script whose
// arguments are data: operations, query types and names are never pasted into shell text. The script prints the
// pod's real /etc/resolv.conf, uses dig when the image has it (else nslookup), expands short names with the search
// list of that resolv.conf, and asks getent (what applications see). The output comes back through the pod log or
// the exec stream and is parsed here.
import {type ParsedResolvConf, parseResolvConf} from '../dns/resolver.js'
import type {Observed} from '../compare/verdict.js'
import type {ResourceRecord} from '../dns/records.js'
import {parseDig} from './parse-dig.js'
import {parseNslookup} from './parse-nslookup.js'
import {observedKey} from './index.js'

export const MARK = '@@kdisco'

export const LOOKUP_SCRIPT = `set -f
t=$1; shift
echo "${MARK} resolv.conf"
cat /etc/resolv.conf 2>&1
tool=none
if command -v dig >/dev/null 2>&1; then tool=dig; elif command -v nslookup >/dev/null 2>&1; then tool=nslookup; fi
echo "${MARK} tool $tool"
domains=
while read -r key rest; do case "$key" in search|domain) domains=$rest;; esac; done < /etc/resolv.conf
ask() {
  printf '%s query %s %s\\n' "${MARK}" "$1" "$2"
  case $tool in
    dig) dig +time="$t" +tries=2 -t "$1" -q "$2" 2>&1 ;;
    nslookup) nslookup -type="$1" -timeout="$t" "$2" 2>&1 ;;
    *) echo "no dig or nslookup in this image" ;;
  esac
  echo "${MARK} exit $?"
}
while [ $# -gt 0 ]; do
  case $1 in
    q) ask "$2" "$3"; shift 3 ;;
    s) for d in $domains; do ask "$2" "$3.$d."; done; ask "$2" "$3."; shift 3 ;;
    g) printf '%s getent %s\\n' "${MARK}" "$2"
       if command -v getent >/dev/null 2>&1; then getent ahosts "$2" 2>&1; echo "${MARK} exit $?"; else echo "${MARK} exit none"; fi
       shift 2 ;;
    *) shift ;;
  esac
done
echo "${MARK} done"
`

export type ScriptOp = {op: 'query'; type: string; name: string} | {op: 'search'; type: string; name: string} | {op: 'getent'; name: string}

/** The container argv: sh -c SCRIPT kdisco-lookup TIMEOUT op… */
export function lookupArgv(ops: ScriptOp[], timeoutSeconds: number): string[] {
  const args: string[] = []
  for (const o of ops) {
    if (o.op === 'getent') args.push('g', o.name)
    else args.push(o.op === 'query' ? 'q' : 's', o.type, o.name)
  }
  return ['sh', '-c', LOOKUP_SCRIPT, 'kdisco-lookup', String(timeoutSeconds), ...args]
}

export interface ApplicationView {
  tool: 'getent ahosts'
  /** The name getent settled on (the canonical name it printed), when found. */
  canonicalName?: string
  addresses: string[]
  found: boolean
}

export interface ScriptOutput {
  resolvConf?: ParsedResolvConf
  tool: string
  /** Keyed by observedKey(name, type). */
  observed: Map<string, Observed>
  applications: Map<string, ApplicationView | {unavailable: string}>
  complete: boolean
  /** Notes about the tool (busybox quirks). */
  notes: string[]
}

export {type ParsedResolvConf, parseResolvConf}

function observedFrom(tool: string, output: string, name: string, type: string, via: string, notes: string[]): Observed {
  if (tool === 'dig') {
    const r = parseDig(output)[0]
    if (!r) return {rcode: null, answers: [], via, error: output.trim().split('\n')[0] || 'dig printed nothing'}
    if (r.status === null) return {rcode: null, answers: [], via, error: r.error ?? 'no answer'}
    return {rcode: r.status, answers: r.answers, via}
  }
  const r = parseNslookup(output, name, type)
  if (r.searchSkipped) notes.push(r.searchSkipped)
  if (r.status === null) return {rcode: null, answers: [], via, error: r.error ?? 'no answer'}
  return {rcode: r.status, answers: r.answers as ResourceRecord[], via}
}

/** Splits the script's output into sections and parses each. `via` names the pod ("pod ns/name"). */
export function parseScriptOutput(log: string, via: string): ScriptOutput {
  const out: ScriptOutput = {tool: 'none', observed: new Map(), applications: new Map(), complete: false, notes: []}
  const sections: {head: string; body: string[]}[] = []
  for (const line of log.split('\n')) {
    if (line.startsWith(`${MARK} `)) sections.push({head: line.slice(MARK.length + 1), body: []})
    else sections.at(-1)?.body.push(line)
  }
  for (let i = 0; i < sections.length; i++) {
    const {head, body} = sections[i]
    const [kind, a, b] = head.split(' ')
    if (kind === 'resolv.conf') out.resolvConf = parseResolvConf(body.join('\n'))
    else if (kind === 'tool') out.tool = a
    else if (kind === 'done') out.complete = true
    else if (kind === 'query') {
      // Only a query whose "exit" marker arrived is complete; a cut-off log leaves the rest unobserved.
      if (sections[i + 1]?.head.startsWith('exit ') !== true) continue
      const tag = `${via} (${out.tool})`
      out.observed.set(observedKey(b, a), observedFrom(out.tool, body.join('\n'), b, a, tag, out.notes))
    } else if (kind === 'getent') {
      const exit = sections[i + 1]?.head.split(' ')[1]
      if (exit === 'none') {
        out.applications.set(a.toLowerCase(), {unavailable: 'this image has no getent'})
        continue
      }
      const addresses: string[] = []
      let canonicalName: string | undefined
      for (const line of body) {
        const m = /^(\S+)\s+STREAM(?:\s+(\S+))?/.exec(line)
        if (m) {
          if (!addresses.includes(m[1])) addresses.push(m[1])
          canonicalName ??= m[2]
        }
      }
      out.applications.set(a.toLowerCase(), {tool: 'getent ahosts', addresses, found: exit === '0', ...(canonicalName ? {canonicalName} : {})})
    }
  }
  return out
}
