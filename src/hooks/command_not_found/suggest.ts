import type {Hook} from '@oclif/core'
import {distance} from '../../cluster/find.js'
import {inputError, quote} from '../../errors.js'
import {commandName} from '../../invocation.js'

/** Closest names are offered only this near: a typo or two, not a different command. */
const MAX_DISTANCE = 2

// oclif's own "command svc:lokup not found" names the command as oclif stores it, in its own error form; this says
// it as typed and offers the nearest commands. Exit 2, like any usage error.
const hook: Hook<'command_not_found'> = async function ({id, config}) {
  const words = id.split(':')
  // Commands are lowercase: "SVC lookup" is matched (and offered) as "svc lookup".
  const lower = words.map((w) => w.toLowerCase())
  const topics = new Set(config.topics.map((t) => t.name))
  // oclif joins every word before the first flag into the id ("pod lookupp web-0"): the unknown command is the
  // longest known topic and the word after it; the rest were arguments.
  let depth = 0
  // oclif counts every command as a topic too: a command ("SVC lookup" in lowercase) ends the search.
  const isTopic = (k: string) => topics.has(k) && !config.findCommand(k)
  while (depth < words.length - 1 && isTopic(lower.slice(0, depth + 1).join(':'))) depth++
  const topic = lower.slice(0, depth).join(':')
  const typed = words.slice(0, depth + 1).join(' ')
  const wanted = lower.slice(0, depth + 1).join(':')
  const spoken = (k: string) => `${commandName()} ${k.split(':').join(' ')}`.trimEnd()
  const help = `${spoken(topic)} --help`
  const error = unknownWord(words[depth]) ?? unknownCommand()
  // Written here, not thrown: oclif prints a hook's error in its own form.
  process.stderr.write(`${error.toLine()}\n`)
  process.exitCode = error.exitCode

  function unknownWord(word: string) {
    // A flag before any command ("kdisco --oops"): said as oclif says an unknown flag of a command.
    if (word.startsWith('-')) return inputError(`Nonexistent flag: ${/^--?[\w-]{1,80}$/.test(word) ? word : quote(word)}`, `See '${help}'.`)
    // "kdisco help svc": kdisco has no help command; --help after the topic or command is what is meant.
    if (depth === 0 && wanted === 'help') {
      const known = [...topics, ...config.commandIDs]
      let about = 0
      while (about < words.length - 1 && known.includes(lower.slice(1, about + 2).join(':'))) about++
      return inputError(`Unknown command ${quote(words[0])}`, `Did you mean ${spoken(lower.slice(1, about + 1).join(':'))} --help?`)
    }
    return undefined
  }

  function unknownCommand() {
    const visible = [...new Set([...config.commandIDs, ...topics])].filter((k) => !config.findCommand(k)?.hidden)
    const lastWord = (k: string) => k.slice(k.lastIndexOf(':') + 1)
    const near = visible
      .map((k) => ({id: k, d: distance(k, wanted)}))
      // At the top level, a command's own word alone ("lookup") names it in every topic that has it.
      .map((k) => (depth === 0 && lastWord(k.id) === wanted ? {...k, d: 0} : k))
      // The command as typed is not offered back; the same in lowercase is.
      .filter((k) => k.d <= MAX_DISTANCE && k.id !== words.slice(0, depth + 1).join(':'))
      .sort((a, b) => a.d - b.d || a.id.length - b.id.length || (a.id < b.id ? -1 : 1))
      .slice(0, 3)
    return inputError(`Unknown command ${quote(typed)}`, near.length > 0 ? `Did you mean ${near.map((k) => spoken(k.id)).join(', ')}? See ${help}` : `See ${help} for the commands`)
  }
}

export default hook
