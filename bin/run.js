#!/usr/bin/env node
// Standalone entry point: the same commands and flags as `heroku tsq:*`, without the heroku CLI.
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
