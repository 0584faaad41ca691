#!/usr/bin/env node
// Development entry point: runs the compiled commands with development-mode error output.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
