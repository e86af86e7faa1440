import {Args} from '@oclif/core'
import {KdiscoCommand} from '../command-base.js'
import {SHELLS} from '../completion/engine.js'
import {completionScripts} from '../completion/scripts.js'

export default class Completion extends KdiscoCommand {
  static override summary = 'Print the shell completion script for bash, zsh or fish.'
  static override description =
    'Completes commands, flags, flag values, and the names of Services, pods, namespaces and kubeconfig contexts (from the -f files on the command line, else the cluster of --kubeconfig/--context in -n, with a 2 s deadline). As a kubectl plugin, kubectl\'s own completion asks kubectl_complete-disco, installed with kdisco: `kubectl disco svc lookup <TAB>` needs nothing more.'
  static override examples = ['source <(<%= config.bin %> completion bash)', 'source <(<%= config.bin %> completion zsh)', '<%= config.bin %> completion fish | source']
  static override args = {shell: Args.string({description: 'bash, zsh or fish.', required: true, options: [...SHELLS]})}

  async run(): Promise<void> {
    const {args} = await this.parse(Completion)
    await this.emit(completionScripts[args.shell as (typeof SHELLS)[number]])
  }
}
