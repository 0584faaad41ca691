// The Rails example (examples/rails-sidekiq) as the proof runs it: a temp copy, bundled once per test process
// with `bundle install --local` from the installed gems, either with the guide's settings as committed or
// with the files tsq:setup generates for a Rails app written over them; migrated with `bin/rails db:migrate`
// as the app's role; its Procfile types started as dynos by the formation helper.
import {execFile} from 'node:child_process'
import {cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {railsProcfile, railsSetupFiles} from '../../../../src/core/plans/setup/rails-templates.js'
import {makeTempDir, removeDir} from '../../../helpers/services-common.js'

export const RAILS_EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/rails-sidekiq')

/** A random SECRET_KEY_BASE for the run (Rails refuses to boot in production without one). */
export const SECRET_KEY_BASE = Array.from({length: 64}, () => Math.floor(Math.random() * 16).toString(16)).join('')

export type Variant = 'guide' | 'tsq'

export interface RailsApp {
  dir: string
  variant: Variant
  /** Procfile type -> command. */
  procfile: Record<string, string>
  remove(): void
}

/** Runs a command, failing with its output; `ms` bounds it. */
export function run(command: string, args: string[], options: {cwd: string, env?: NodeJS.ProcessEnv, ms?: number}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, {cwd: options.cwd, env: options.env ?? baseEnv(), timeout: options.ms ?? 120_000, maxBuffer: 16 << 20},
      (error, stdout, stderr) => (error
        ? reject(new Error(`${command} ${args.join(' ')} failed: ${String(error.message)}\n${stdout}\n${stderr}`))
        : resolve(stdout + stderr)))
  })
}

/** What every Ruby process of the app gets from this process: PATH, HOME and a UTF-8 locale (Heroku sets one). */
export function baseEnv(): NodeJS.ProcessEnv {
  return {PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8'}
}

let bundled: Promise<string> | null = null

/** A copy of the example with its bundle resolved (`bundle install --local`), made once per test process. */
function bundledBase(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(makeTempDir('tsq-rails-base-'), 'app')
    cpSync(RAILS_EXAMPLE_DIR, dir, {recursive: true, filter: src => !/\/(\.bundle|log|tmp)$/.test(src)})
    await run('bundle', ['install', '--local', '--quiet'], {cwd: dir, ms: 180_000})
    return dir
  })()
  return bundled
}

/** A fresh copy of the bundled example; for `tsq`, with the Procfile and config files tsq:setup generates. */
export async function prepareRailsApp(variant: Variant): Promise<RailsApp> {
  const base = await bundledBase()
  const root = makeTempDir(`tsq-rails-${variant}-`)
  const dir = join(root, 'app')
  cpSync(base, dir, {recursive: true})
  if (variant === 'tsq') {
    writeFileSync(join(dir, 'Procfile'), railsProcfile({release: true}))
    for (const file of railsSetupFiles()) {
      mkdirSync(dirname(join(dir, file.path)), {recursive: true})
      writeFileSync(join(dir, file.path), file.content)
    }
  }
  const procfile = Object.fromEntries(readFileSync(join(dir, 'Procfile'), 'utf8').split('\n')
    .map(l => /^(\w+):\s*(.+)$/.exec(l.trim())).filter(m => m !== null).map(m => [m[1]!, m[2]!]))
  return {dir, variant, procfile, remove: () => removeDir(root)}
}

/** The release phase: `bin/rails db:migrate` with the app's environment. */
export async function migrate(app: RailsApp, env: Record<string, string>): Promise<void> {
  await run('bin/rails', ['db:migrate'], {cwd: app.dir, env: {...baseEnv(), ...env, DYNO: 'release.1'}, ms: 120_000})
}
