// The files tsq:setup reads and writes in --dir: the Procfile, package.json scripts and (with --local) .env.
// Writes are atomic: a temporary file in the same directory, renamed over the target, so a reader sees the
// old file or the new one, never half of one, and a failed write leaves the old file as it was.
import {randomBytes} from 'node:crypto'
import {mkdir, rename, rm, stat, writeFile} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'
import type {AppState} from '../core/model/app-state.js'
import type {TsqDependency} from '../core/plans/setup/autoscale.js'
import {localAppState} from '../core/model/procfile.js'
import {localConfig, readOptionalFile} from './local.js'

export interface SetupFiles {
  /** The Procfile's text; null when there is none. */
  procfile: string | null
  /** .env's text; null when there is none. */
  dotenv: string | null
  /** package.json `scripts`; null without a package.json (or without scripts). */
  scripts: Record<string, string> | null
  /** Where package.json lists heroku-tsq (`npx heroku-tsq` on a dyno finds it only in dependencies); null: not listed. */
  tsqDependency: TsqDependency
}

/** Reads what setup needs from --dir; a missing directory or an unreadable package.json is an error. */
export async function readSetupFiles(dir: string): Promise<SetupFiles> {
  const info = await stat(dir).catch(() => null)
  if (!info?.isDirectory()) throw new Error(`--dir ${dir} is not a directory: pass the app's directory (the one with package.json), or omit --dir for the current one`)
  const [procfile, dotenv, pkg] = await Promise.all([
    readOptionalFile(dir, 'Procfile'), readOptionalFile(dir, '.env'), readOptionalFile(dir, 'package.json'),
  ])
  const parsed = pkg === null ? null : parsePackageJson(pkg, join(dir, 'package.json'))
  return {procfile, dotenv, scripts: scriptsOf(parsed), tsqDependency: tsqDependencyOf(parsed)}
}

function parsePackageJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}): fix it, or pass --web and --worker so setup does not need its scripts`)
  }
}

function scriptsOf(parsed: unknown): Record<string, string> | null {
  const scripts = (parsed as {scripts?: unknown} | null)?.scripts
  if (typeof scripts !== 'object' || scripts === null) return null
  return Object.fromEntries(Object.entries(scripts).filter((e): e is [string, string] => typeof e[1] === 'string'))
}

function tsqDependencyOf(parsed: unknown): TsqDependency {
  const listed = (field: string) => {
    const deps = (parsed as Record<string, unknown> | null)?.[field]
    return typeof deps === 'object' && deps !== null && 'heroku-tsq' in deps
  }
  return listed('dependencies') ? 'dependencies' : listed('devDependencies') ? 'devDependencies' : null
}

/** Writes `text` to `path` through a temporary file in the same directory, keeping an existing file's mode. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const mode = await stat(path).then(s => s.mode & 0o777, () => 0o644)
  const temp = join(dirname(path), `.${basename(path)}.tsq-${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
  await mkdir(dirname(path), {recursive: true})
  try {
    await writeFile(temp, text, {mode, flag: 'wx'})
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}

/**
 * The AppState of `tsq:setup --local`: the process environment with .env over it (as `heroku local` runs
 * it), Redis and Postgres defaulting to the local servers as `tsq:doctor --local` does, and no formation
 * (the planner takes one dyno per type of the Procfile it plans, changed by --formation).
 */
export function localSetupState(dir: string, files: SetupFiles, env: Readonly<Record<string, string | undefined>>): AppState {
  return localAppState(basename(resolve(dir)), localConfig(env, files.dotenv).config, [])
}
