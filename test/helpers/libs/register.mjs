// Loaded with `node --import` (through NODE_OPTIONS) in the processes a library-major test project starts:
// bare imports of `bullmq` and `ioredis` resolve to the aliased copies named in TEST_LIB_ALIASES
// (e.g. `bullmq=bullmq6,ioredis=ioredis6`, installed as npm aliases), so the built runtime and the example
// app run unchanged against the other major, as they would in an app that installed it.
import {register} from 'node:module'

const aliases = Object.fromEntries((process.env.TEST_LIB_ALIASES ?? '').split(',').filter(Boolean).map(pair => pair.split('=')))
if (Object.keys(aliases).length > 0) register('./resolve.mjs', import.meta.url, {data: aliases})
