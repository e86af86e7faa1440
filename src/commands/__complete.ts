import {KdiscoCommand} from '../command-base.js'
import {type CompletionCommand, complete, formatCompletion} from '../completion/engine.js'

/** Hidden: what the completion scripts (and kubectl, through kubectl_complete-disco) ask for candidates. */
export default class Complete extends KdiscoCommand {
  static override hidden = true
  static override strict = false
  static override summary = 'Completion candidates for a partial command line (cobra\'s __complete protocol).'

  async run(): Promise<void> {
    // The words are not parsed as flags: they are the command line being typed, flags and all.
    const bin = (text?: string) => text?.replaceAll('<%= config.bin %>', this.config.bin)
    const commands: CompletionCommand[] = this.config.commands.map((c) => ({
      id: c.id,
      summary: bin(c.summary),
      description: bin(c.description),
      hidden: c.hidden,
      args: Object.keys(c.args ?? {}),
      flags: Object.fromEntries(Object.entries(c.flags ?? {}).map(([name, f]) => [name, {name, char: f.char, type: f.type, options: f.type === 'option' ? f.options : undefined, multiple: f.type === 'option' ? f.multiple : false, hidden: f.hidden, summary: f.summary, description: f.description}])),
    }))
    const {nameSource} = await import('../completion/names.js')
    await this.emit(formatCompletion(await complete(commands, this.argv.length ? this.argv : [''], nameSource, Object.fromEntries(this.config.topics.map((t) => [t.name, t.description])))))
  }
}
