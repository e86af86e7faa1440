// The start-up entry bin/run.js imports: oclif's runner, from the same bundled copy of @oclif/core the commands use.
export {execute} from '@oclif/core'
