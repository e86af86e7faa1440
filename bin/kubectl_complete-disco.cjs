#!/usr/bin/env node
// kubectl (≥ 1.26) runs kubectl_complete-disco with the words after `kubectl disco` to complete them: the same
// protocol as `kdisco __complete`.
void require('../dist/main.cjs').execute({dir: __filename, args: ['__complete', ...process.argv.slice(2)]})
