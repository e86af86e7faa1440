// Records every module URL Node loads into the file named by KDISCO_TRACE_IMPORTS (used by the start-up tests).
import {register} from 'node:module'
import {MessageChannel} from 'node:worker_threads'
import {appendFileSync} from 'node:fs'

const {port1, port2} = new MessageChannel()
const out = process.env.KDISCO_TRACE_IMPORTS
port1.on('message', (url) => appendFileSync(out, url + '\n'))
port1.unref()
register('./trace-imports-hooks.mjs', import.meta.url, {data: {port: port2}, transferList: [port2]})
