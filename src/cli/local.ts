// The I/O shell of `tsq:doctor --local`: reads the Procfile and .env of a directory, merges them with the
// process environment, and builds the AppState the pure core judges (no Heroku at all); the `--formation`
// flag that `tsq:doctor --local` and `tsq:setup --local` share; and the live measurement `--local` and
// `--live` share.
import {readFile, stat} from 'node:fs/promises'
import {basename, join, resolve} from 'node:path'
import type {AppState, FormationEntry} from '../core/model/app-state.js'
import type {LiveMeasurement} from '../core/budget/budget.js'
import type {ResourceKind} from '../core/model/catalogue.js'
import {type ScaleChange, applyScale, checkScaleSizes, parseScaleArgs} from '../core/model/formation.js'
import {builtInDynoSizes} from '../core/model/dyno-sizes.js'
import {parseDotenv} from '../core/model/dotenv.js'
import {localAppState, localFormation, parseProcfile, procfileWarnings} from '../core/model/procfile.js'
import {findRedisUrl} from '../core/model/settings.js'
import type {RedisServerReading} from '../core/checks/redis-server.js'
import {measurePostgres, measureRedis, readRedisServer, unreadRedisServer} from '../probe/index.js'

/** Where --local looks when neither .env nor the environment names a server (spec §4). */
export const LOCAL_DEFAULTS = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  DATABASE_URL: 'postgres://127.0.0.1:5432/postgres',
} as const

export interface LocalOptions {
  /** Directory holding the Procfile and .env. */
  dir: string
  /** `web=2,worker=1` (the tsq:scale grammar); default one dyno per Procfile type. */
  formation?: string
  /** The process environment; .env values win over it, as `heroku local` does. */
  env: Readonly<Record<string, string | undefined>>
}

export interface LocalApp {
  state: AppState
  /** Which URL variables were filled with LOCAL_DEFAULTS because nothing set them. */
  defaulted: string[]
  hasProcfile: boolean
  hasDotenv: boolean
  /** .env's text; null when there is none. */
  dotenv: string | null
  /** About the files as read: a Procfile type defined twice. */
  warnings: string[]
}

/** Reads a local directory into an AppState; a missing .env is fine, a missing Procfile needs --formation. */
export async function readLocalApp(options: LocalOptions): Promise<LocalApp> {
  await assertDirectory(options.dir)
  const [procfile, dotenv] = await Promise.all([readOptionalFile(options.dir, 'Procfile'), readOptionalFile(options.dir, '.env')])
  const {config, defaulted} = localConfig(options.env, dotenv)
  const formation = localFormationOf(procfile, options)
  const state = localAppState(basename(resolve(options.dir)), config, formation)
  const warnings = procfile === null ? [] : procfileWarnings(procfile)
  return {state, defaulted, hasProcfile: procfile !== null, hasDotenv: dotenv !== null, dotenv, warnings}
}

/**
 * `--formation` of `tsq:doctor --local` and `tsq:setup --local`: the tsq:scale grammar, comma- or
 * space-separated (`web=2,worker=1`), as changes to one dyno per Procfile type; none when the flag is absent.
 * Throws ScaleArgumentError naming every bad part and the allowed forms. No Heroku: sizes from the built-in table.
 */
export function parseFormationFlag(flag: string | undefined): ScaleChange[] {
  if (flag === undefined) return []
  const changes = parseScaleArgs([flag])
  checkScaleSizes(changes, builtInDynoSizes())
  return changes
}

function localFormationOf(procfile: string | null, options: LocalOptions): FormationEntry[] {
  const changes = parseFormationFlag(options.formation)
  if (procfile !== null) {
    let entries
    try {
      entries = parseProcfile(procfile)
    } catch (error) {
      throw new Error(`${join(options.dir, 'Procfile')}: ${error instanceof Error ? error.message : String(error)}`)
    }
    return applyScale(localFormation(entries), changes)
  }
  if (changes.length === 0) {
    throw new Error(`No Procfile in ${options.dir}: write one (web: <command>, worker: <command>) or pass --formation web=1,worker=1`)
  }
  const relative = changes.find(c => c.op !== '=')
  if (relative) throw new Error(`"${relative.arg}": without a Procfile, --formation needs absolute counts (TYPE=N)`)
  return changes.map(c => ({type: c.type, quantity: c.quantity, size: c.size ?? ''}))
}

/**
 * The config vars a local run sees: the process environment with .env's values over it (as `heroku local`
 * runs it), and REDIS_URL / DATABASE_URL set to LOCAL_DEFAULTS when nothing names those servers.
 */
export function localConfig(env: Readonly<Record<string, string | undefined>>, dotenv: string | null): {config: Record<string, string>, defaulted: string[]} {
  const config: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) config[k] = v
  Object.assign(config, dotenv === null ? {} : parseDotenv(dotenv))
  const defaulted: string[] = []
  if (!findRedisUrl(config)) defaulted.push('REDIS_URL')
  if (!config.DATABASE_URL) defaulted.push('DATABASE_URL')
  for (const name of defaulted) config[name] = LOCAL_DEFAULTS[name as keyof typeof LOCAL_DEFAULTS]
  return {config, defaulted}
}

/** `--dir` must be a directory: a file or a missing path is a clear error, not a raw ENOTDIR or ENOENT. */
export async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null)
  if (!info?.isDirectory()) {
    throw new Error(`--dir ${dir} is not a directory: pass the app's directory (the one with the Procfile), or omit --dir for the current one`)
  }
}

/** The UTF-8 text of `dir/name`; null when there is no such file (any other read error is thrown). */
export async function readOptionalFile(dir: string, name: string): Promise<string | null> {
  try {
    return await readFile(join(dir, name), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/**
 * Measures, concurrently, the Redis and Postgres the runtime would connect to with these config vars (the
 * app's own credentials). A resource without a URL is not measured (null); failures come back in `error`.
 */
export async function measureLive(config: Readonly<Record<string, string>>, timeoutMs?: number): Promise<Record<ResourceKind, LiveMeasurement | null>> {
  const redis = findRedisUrl(config)
  const database = config.DATABASE_URL
  const options = timeoutMs === undefined ? {} : {timeoutMs}
  const [r, p] = await Promise.all([
    redis ? measureRedis(redis.url, options) : null,
    database ? measurePostgres(database, options) : null,
  ])
  return {redis: r, postgres: p}
}

/**
 * The persistence and access settings of the Redis these config vars point at, for `redis.persistence` and
 * `redis.auth`; null without a Redis URL. Read after measureLive (`measured`), so its connection is not
 * counted among the app's; a server measureLive could not reach is not tried again.
 */
export async function readRedisServerOf(config: Readonly<Record<string, string>>, measured: LiveMeasurement | null, timeoutMs?: number): Promise<RedisServerReading | null> {
  const redis = findRedisUrl(config)
  if (!redis) return null
  if (measured?.error) return unreadRedisServer(redis.url, 'the server could not be measured (see redis.live)')
  return readRedisServer(redis.url, timeoutMs === undefined ? {} : {timeoutMs})
}
