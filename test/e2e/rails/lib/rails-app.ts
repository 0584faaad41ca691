// The Rails example (examples/rails-sidekiq) as the proof runs it: a temp copy with the guide's settings as
// committed, bundled once per test process with `bundle install --local` from the installed gems. Its
// config vars live in the copy's `.env` (what `heroku local` and `tsq:* --local` read); `tsq:setup --local`
// rewrites the copy's files and .env in place. Its Procfile types start as dynos with the .env as their
// environment (the formation helper), the release phase as a one-off `release.1`.
import {cpSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseDotenv, parseProcfile} from '../../../../src/core/model/procfile.js'
import {baseEnv, copyBundled, run, secretKeyBase} from '../../../../scripts/lib/rails-app.js'
import {makeTempDir, removeDir} from '../../../../scripts/lib/services-common.js'

export const RAILS_EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/rails-sidekiq')

/** A random SECRET_KEY_BASE for the run (Rails refuses to boot in production without one). */
export const SECRET_KEY_BASE = secretKeyBase()

export interface RailsApp {
  dir: string
  remove(): void
}

let bundled: Promise<string> | null = null

/** A copy of the example with its bundle resolved (`bundle install --local`), made once per test process. */
function bundledBase(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(makeTempDir('tsq-rails-base-'), 'app')
    await copyBundled(RAILS_EXAMPLE_DIR, dir)
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
