#!/usr/bin/env node
// CommonJS, so that Node starts kdisco without setting up its ES module loader: most commands never need it.
void require('../dist/main.cjs').execute({dir: __filename})
