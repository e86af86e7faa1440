import type {Hook} from '@oclif/core'
import {distance} from '../../cluster/find.js'
import {inputError} from '../../errors.js'
import {commandName} from '../../invocation.js'

/** Closest names are offered only this near: a typo or two, not a different command. */
const MAX_DISTANCE = 2

// oclif's own "command svc:lokup not found" names the command as oclif stores it, in its own error form; this says
// it as typed and offers the nearest commands. Exit 2, like any usage error.
const hook: Hook<'command_not_found'> = async function ({id, config}) {
  const words = id.split(':')
  const topics = new Set(config.topics.map((t) => t.name))
  // oclif joins every word before the first flag into the id ("pod lookupp web-0"): the unknown command is the
  // longest known topic and the word after it; the rest were arguments.
  let depth = 0
  while (depth < words.length - 1 && topics.has(words.slice(0, depth + 1).join(':'))) depth++
  const topic = words.slice(0, depth).join(':')
  const wanted = words.slice(0, depth + 1).join(':')
  const visible = [...new Set([...config.commandIDs, ...topics])].filter((k) => !config.findCommand(k)?.hidden)
  const lastWord = (k: string) => k.slice(k.lastIndexOf(':') + 1)
  const near = visible
    .map((k) => ({id: k, d: distance(k, wanted)}))
    // At the top level, a command's own word alone ("lookup") names it in every topic that has it.
    .map((k) => (depth === 0 && lastWord(k.id) === wanted ? {...k, d: 0} : k))
    .filter((k) => k.d <= MAX_DISTANCE && k.id !== wanted)
    .sort((a, b) => a.d - b.d || a.id.length - b.id.length || (a.id < b.id ? -1 : 1))
    .slice(0, 3)
  const spoken = (k: string) => `${commandName()} ${k.split(':').join(' ')}`
  const help = `${spoken(topic).trimEnd()} --help`
  const error = inputError(`Unknown command ${JSON.stringify(wanted.split(':').join(' '))}`, near.length > 0 ? `Did you mean ${near.map((k) => spoken(k.id)).join(', ')}? See ${help}` : `See ${help} for the commands`)
  // Written here, not thrown: oclif prints a hook's error in its own form.
  process.stderr.write(`${error.toLine()}\n`)
  process.exitCode = error.exitCode
}

export default hook
