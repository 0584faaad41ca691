// What a read command's program is to tsq (spec §8 and §14), and the value of one of its flags. Pure.
import {checkoutPath} from './command-wrappers.js'
import type {ReadCommand} from './command.js'

/**
 * What a program is to tsq. `rails-server` and `release-like` belong to stack detection's vocabulary but are
 * never returned here: `rails server` is served by Puma (`puma`), and whether a type is the release phase
 * follows from its name, while a type that runs `rails db:migrate` boots the app (`app`).
 */
export type ProgramKind = 'node' | 'puma' | 'sidekiq' | 'rails-server' | 'release-like' | 'solid_queue' | 'good_job' | 'app' | 'other'

const NODE = new Set(['node', 'npm', 'npx', 'yarn', 'pnpm', 'tsx', 'ts-node', 'bun'])
const BOOTS_THE_APP = new Set(['clockwork', 'ruby'])

/** Which kind of program `read` runs; null when it runs none. `rails server` is `puma` (Rails serves with Puma). */
export function classifyProgram(read: ReadCommand): ProgramKind | null {
  if (read.program === null || read.name === null) return null
  const name = read.name
  const task = read.args.find(a => !a.startsWith('-'))
  if (NODE.has(name)) return 'node'
  if (name === 'puma' || name === 'sidekiq') return name
  if (checkoutPath(read.program) === 'bin/jobs' || name === 'solid_queue') return 'solid_queue'
  if (name === 'rails') return railsKind(read.args, task)
  if (name === 'rake') return read.args.includes('solid_queue:start') ? 'solid_queue' : 'app'
  if (name === 'good_job') return task === undefined || task === 'start' ? 'good_job' : 'app'
  if (BOOTS_THE_APP.has(name)) return 'app'
  // Spec §14: `bundle exec <other>` runs inside the app's bundle, so it is taken to boot the app.
  if (name !== 'bundle' && read.wrappers.some(w => w.endsWith('bundle exec'))) return 'app'
  return 'other'
}

function railsKind(args: readonly string[], task: string | undefined): ProgramKind {
  if (task === 'solid_queue:start') return 'solid_queue'
  if (task !== 'server' && task !== 's') return 'app'
  const server = flagValue(args, ['-u', '--using'])?.value
  return server === undefined || server === 'puma' ? 'puma' : 'app'
}

/**
 * Value of a flag among `args` — `-c 20`, `-c20`, `--concurrency 20`, `--concurrency=20` — and the flag as
 * written, for sources (`-c 20`). The last occurrence wins, as option parsers do; nothing after `--` is a flag.
 */
export function flagValue(args: readonly string[], names: readonly string[]): {value: string, written: string} | null {
  let found: {value: string, written: string} | null = null
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') break
    const next = args[i + 1]
    for (const name of names) {
      const long = name.startsWith('--')
      if (arg === name && next !== undefined) {
        found = {value: next, written: `${arg} ${next}`}
        i++
        break
      }
      if (long ? arg.startsWith(`${name}=`) : name.length === 2 && arg.startsWith(name) && arg.length > 2 && !arg.startsWith('--')) {
        found = {value: arg.slice(long ? name.length + 1 : 2), written: arg}
        break
      }
    }
  }
  return found
}
