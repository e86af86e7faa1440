// The JSON contract as JSON Schema: one schema/<command>.schema.json per command, generated from the result types in
// src/results.ts (CommandResults names each command's result). `npm run schemas` writes them; a test checks that the
// checked-in files are what this generates, and every JSON output the tests produce is validated against them.
// Run with tsx (node --import tsx), as bench/ is.
import {readFileSync, writeFileSync, mkdirSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {type Definition, createGenerator} from 'ts-json-schema-generator'

const root = fileURLToPath(new URL('../', import.meta.url))
export const SCHEMA_DIR = `${root}schema/`

/** "svc list" → schema/svc-list.schema.json */
export function schemaFile(command: string): string {
  return `${SCHEMA_DIR}${command.replace(/ /g, '-')}.schema.json`
}

/** Definitions a schema refers to, directly or through other definitions. */
function reachable(node: unknown, definitions: Record<string, unknown>, seen = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const n of node) reachable(n, definitions, seen)
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = decodeURIComponent(value.replace('#/definitions/', ''))
        if (!seen.has(name)) {
          seen.add(name)
          reachable(definitions[name], definitions, seen)
        }
      } else reachable(value, definitions, seen)
    }
  }
  return seen
}

/** Each command's schema as text, by file. */
export function generateSchemas(): Map<string, string> {
  const generator = createGenerator({
    path: `${root}src/results.ts`,
    tsconfig: `${root}tsconfig.json`,
    type: 'CommandResults',
    expose: 'export',
    topRef: false,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: true,
    skipTypeCheck: true,
  })
  const all = generator.createSchema('CommandResults') as {properties: Record<string, Definition>; definitions: Record<string, Definition>}
  const out = new Map<string, string>()
  for (const [command, schema] of Object.entries(all.properties)) {
    const used = [...reachable(schema, all.definitions)].sort()
    const definitions = Object.fromEntries(used.map((name) => [name, all.definitions[name]]))
    const doc = {$schema: 'http://json-schema.org/draft-07/schema#', title: `kdisco ${command} -o json`, ...schema, definitions}
    out.set(schemaFile(command), JSON.stringify(doc, null, 2) + '\n')
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(SCHEMA_DIR, {recursive: true})
  for (const [file, text] of generateSchemas()) {
    let old = ''
    try {
      old = readFileSync(file, 'utf8')
    } catch {}
    if (old !== text) writeFileSync(file, text)
    process.stdout.write(`${old === text ? 'unchanged' : 'wrote'} ${file.slice(root.length)}\n`)
  }
}
