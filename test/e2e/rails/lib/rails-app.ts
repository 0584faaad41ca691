// The Rails example (examples/rails-sidekiq) as the proof runs it: a temp copy with the guide's settings as
// committed, bundled once per test process with `bundle install --local` from the installed gems. Its
// config vars live in the copy's `.env` (what `heroku local` and `tsq:* --local` read); `tsq:setup --local`
// rewrites the copy's files and .env in place. Its Procfile types start as dynos with the .env as their
// environment (the formation helper), the release phase as a one-off `release.1`.
import {execFile} from 'node:child_process'
import {cpSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseDotenv, parseProcfile} from '../../../../src/core/procfile.js'
import {makeTempDir, removeDir} from '../../../helpers/services-common.js'

export const RAILS_EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/rails-sidekiq')

/** A random SECRET_KEY_BASE for the run (Rails refuses to boot in production without one). */
export const SECRET_KEY_BASE = Array.from({length: 64}, () => Math.floor(Math.random() * 16).toString(16)).join('')

export interface RailsApp {
  dir: string
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
    cpSync(RAILS_EXAMPLE_DIR, dir, {recursive: true, filter: src => !/\/(\.bundle|\.env|log|tmp)$/.test(src)})
    await run('bundle', ['install', '--local', '--quiet'], {cwd: dir, ms: 180_000})
    return dir
  })()
  return bundled
}

/** A fresh copy of the bundled example, with the guide's settings as committed. */
export async function prepareRailsApp(name: string): Promise<RailsApp> {
  const base = await bundledBase()
  const root = makeTempDir(`tsq-rails-${name}-`)
  const dir = join(root, 'app')
  cpSync(base, dir, {recursive: true})
  return {dir, remove: () => removeDir(root)}
}

/** Writes the app's config vars as its `.env`. */
export function writeDotenv(app: RailsApp, vars: Readonly<Record<string, string>>): void {
  writeFileSync(join(app.dir, '.env'), Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''))
}

/** The app's config vars, as its `.env` holds them now. */
export function readDotenv(app: RailsApp): Record<string, string> {
  return {...parseDotenv(readFileSync(join(app.dir, '.env'), 'utf8'))}
}

/** Procfile type -> command, as the app's Procfile says now. */
export function readProcfile(app: RailsApp): Record<string, string> {
  return Object.fromEntries(parseProcfile(readFileSync(join(app.dir, 'Procfile'), 'utf8')).map(e => [e.type, e.command]))
}

/** Rewrites one type's line of the app's Procfile. */
export function setProcfileCommand(app: RailsApp, type: string, command: string): void {
  const procfile = {...readProcfile(app), [type]: command}
  writeFileSync(join(app.dir, 'Procfile'), Object.entries(procfile).map(([t, c]) => `${t}: ${c}\n`).join(''))
}

/** The release phase: `command` (the Procfile's `release`, else `bin/rails db:migrate`) with the app's environment. */
export async function release(app: RailsApp, env: Readonly<Record<string, string>>, command = 'bin/rails db:migrate'): Promise<void> {
  await run('bash', ['-c', command], {cwd: app.dir, env: {...baseEnv(), ...env, DYNO: 'release.1'}, ms: 120_000})
}
