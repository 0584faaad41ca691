// The Rails example (examples/rails-sidekiq) as the Rails proof and `npm run demo` run it: a copy in a temp
// dir with its bundle resolved from the installed gems (`bundle install --local`, no network), its release
// phase (`bin/rails db:migrate`) run with the app's environment, its Procfile read as type → command.
import {execFile} from 'node:child_process'
import {cpSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import type pg from 'pg'
import {parseProcfile} from '../../src/core/model/procfile.js'

/** Runs a command, failing with its output; `ms` bounds it, `signal` stops it. */
export function run(command: string, args: string[], options: {cwd: string, env?: NodeJS.ProcessEnv, ms?: number, signal?: AbortSignal}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, {cwd: options.cwd, env: options.env ?? baseEnv(), timeout: options.ms ?? 120_000, maxBuffer: 16 << 20,
      signal: options.signal},
      (error, stdout, stderr) => (error
        ? reject(new Error(`${command} ${args.join(' ')} failed: ${String(error.message)}\n${stdout}\n${stderr}`))
        : resolve(stdout + stderr)))
  })
}

/** What every Ruby process of the app gets from this process: PATH, HOME and a UTF-8 locale (Heroku sets one). */
export function baseEnv(): NodeJS.ProcessEnv {
  return {PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8'}
}

/** A random SECRET_KEY_BASE (Rails refuses to boot in production without one). */
export function secretKeyBase(): string {
  return Array.from({length: 64}, () => Math.floor(Math.random() * 16).toString(16)).join('')
}

/** Copies the example from `source` to `dir` (without local bundler state, a local .env, logs and tmp) and resolves its bundle offline. */
export async function copyBundled(source: string, dir: string, signal?: AbortSignal): Promise<void> {
  cpSync(source, dir, {recursive: true, filter: src => !/\/(\.bundle|\.env|log|tmp)$/.test(src)})
  await run('bundle', ['install', '--local', '--quiet'], {cwd: dir, ms: 180_000, signal})
}

/** The release phase: `bin/rails db:migrate` in `dir` with the app's environment. */
export async function migrateRails(dir: string, env: Record<string, string>, signal?: AbortSignal): Promise<void> {
  await run('bin/rails', ['db:migrate'], {cwd: dir, env: {...baseEnv(), ...env, DYNO: 'release.1'}, ms: 120_000, signal})
}

export interface RailsJobStats {
  rows: number
  finished: number
  /** Starts of every job together (a retry counts again). */
  attempts: number
  /** Jobs not completed exactly once. */
  notOnce: number
}

/** What the example's job_results table says about the jobs whose ids start with `<prefix>-`. */
export async function railsJobStats(admin: pg.Client, prefix: string): Promise<RailsJobStats> {
  const {rows} = await admin.query<RailsJobStats>(
    `SELECT count(*)::int AS rows, count(finished_at)::int AS finished, coalesce(sum(attempts), 0)::int AS attempts,
       count(*) FILTER (WHERE completions <> 1)::int AS "notOnce"
     FROM job_results WHERE job_id LIKE $1`, [`${prefix}-%`])
  return rows[0]!
}

/** The Procfile in `dir` as type → command. */
export function readProcfile(dir: string): Record<string, string> {
  return Object.fromEntries(parseProcfile(readFileSync(join(dir, 'Procfile'), 'utf8')).map(e => [e.type, e.command]))
}
