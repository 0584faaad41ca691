// The ONE settings resolver (spec §2). The runtime calls it at boot with process.env; the commands call it
// with an app's config vars to predict what each dyno will do. Pure: env in, settings out.
import {DATABASE_URL_VAR, REDIS_URL_VARS} from './catalogue.js'
import {findDynoSize, webConcurrencyFor} from './dyno-sizes.js'
import {redactUrl} from './redact.js'
import {PgUrlError, SSL_MODES, pgHost, pgSslMode} from './tls.js'

export type Env = Readonly<Record<string, string | undefined>>
export type Role = 'web' | 'worker' | 'none'
export const ROLES: readonly Role[] = ['web', 'worker', 'none']

// Defaults, in one place (spec §2).
export const DEFAULTS = {
  concurrency: 5,
  webDbPool: 5,
  queues: ['default'],
  dbReserve: 2,
  redisReserve: 2,
  /** ms a process may spend draining after SIGTERM; Heroku sends SIGKILL at 30 s. */
  shutdownTimeout: 25_000,
} as const
/** Above this the drain leaves less than the runtime's 2 s to close connections before Heroku's SIGKILL at 30 s. */
export const MAX_SHUTDOWN_TIMEOUT = 27_000
const MAX_PROCESSES = 200

export interface Settings {
  /** Procfile process type, e.g. `web`, `urgent-worker`. */
  type: string
  /** Dyno name (`web.1`), or `<type>.local` off Heroku. */
  dyno: string
  role: Role
  processesPerDyno: number
  /** Which variable (or `dyno size`/`default`) set processesPerDyno. */
  processesSource: string
  /** Which variable set concurrency, dbPool and queues; null where the default applies. */
  variables: {concurrency: string | null, dbPool: string | null, queues: string | null}
  /** Jobs in flight per worker process; null unless the role is worker. */
  concurrency: number | null
  queues: string[]
  /** pg Pool `max` per process; 0 for role none. */
  dbPool: number
  /** Redis connections per process (derived, spec §2): web 1, worker 2 + queues, none 0. */
  redisConnections: number
  redisUrl: string | null
  /** The catalogue variable the Redis URL came from. */
  redisUrlVar: string | null
  /** The Postgres URL this process connects to: the value of `databaseUrlVar`. */
  databaseUrl: string | null
  /** The variable it is read from (`TSQ_<TYPE>_DATABASE_URL_VAR`, else `TSQ_DATABASE_URL_VAR`, else
   *  `DATABASE_URL`): `DATABASE_CONNECTION_POOL_URL` connects through Heroku's server-side pooler (spec §11). */
  databaseUrlVar: string
  dbReserve: number
  redisReserve: number
  shutdownTimeout: number
}

export interface SettingsProblem {
  variable: string
  /** The offending value, with any secret redacted. */
  value: string
  allowed: string
}

/** The value of a SettingsProblem whose variable should hold a URL but does not parse: it may be a bare password. */
export const HIDDEN_VALUE = '(value hidden)'

/** `VAR="value"`, or `REDIS_URL is not a URL (value hidden)` when the value may be a secret. */
export function showProblem(problem: SettingsProblem): string {
  return problem.value === HIDDEN_VALUE ? `${problem.variable} is not a URL ${HIDDEN_VALUE}` : `${problem.variable}=${JSON.stringify(problem.value)}`
}

export class SettingsError extends Error {
  readonly code = 'TSQ_INVALID_SETTINGS'
  constructor(readonly problems: SettingsProblem[]) {
    super(`Invalid tsq settings:\n${problems.map(p => `  ${showProblem(p)}: ${p.allowed}`).join('\n')}`)
    this.name = 'SettingsError'
  }
}

export interface ResolveOptions {
  /** Process type to resolve for; default from DYNO, then TSQ_PROCESS_TYPE, then `web`. */
  type?: string
  /** Dyno size, for the buildpack's default WEB_CONCURRENCY when it is not set. */
  size?: string | null
  /** The size's memory in MB (from `GET /dyno-sizes`); default: the built-in table's; unknown size: 1 process. */
  memoryMb?: number | null
}

/** `urgent-worker` → `URGENT_WORKER`: the TYPE in TSQ_<TYPE>_* variables. */
export function typeKey(type: string): string {
  return type.toUpperCase().replace(/[^A-Z0-9]/g, '_')
}

// Fir names dynos as Kubernetes names pods: `<type>-<template hash>-<5-character id>` (`web-7d9f8c6b5-x2k4q`).
const FIR_DYNO = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/

/** The process type named by a dyno name: Cedar `web.1` → `web`, `run.4242` → `run`; Fir `web-7d9f8c6b5-x2k4q` → `web`. */
export function typeFromDyno(dyno: string): string {
  const dot = dyno.lastIndexOf('.')
  if (dot > 0) return dyno.slice(0, dot)
  return FIR_DYNO.exec(dyno)?.[1] ?? dyno
}

export function defaultRole(type: string): Role {
  if (type === 'web') return 'web'
  if (type === 'release') return 'none'
  return 'worker'
}

/** Redis connections a process of this role opens (spec §2; the runtime opens exactly these). */
export function redisConnectionsFor(role: Role, queues: number): number {
  if (role === 'web') return 1
  if (role === 'worker') return 2 + queues
  return 0
}

/** The first Redis URL variable of the catalogue that is set, with its value. */
export function findRedisUrl(env: Env): {variable: string, url: string} | null {
  for (const variable of REDIS_URL_VARS) {
    const url = env[variable]
    if (url) return {variable, url}
  }
  return null
}

/** Resolves the settings of one process, or throws SettingsError listing every invalid variable. */
export function resolveSettings(env: Env, options: ResolveOptions = {}): Settings {
  const problems: SettingsProblem[] = []
  const settings = resolveInto(env, options, problems)
  if (problems.length > 0) throw new SettingsError(problems)
  return settings
}

/**
 * Resolves several process types against one environment, collecting every problem across all of them
 * (each variable reported once), as the commands need when they predict a whole formation.
 */
export function resolveMany(env: Env, processes: ReadonlyArray<ResolveOptions & {type: string}>):
  {settings: Settings[], problems: SettingsProblem[]} {
  const problems: SettingsProblem[] = []
  const settings = processes.map(p => resolveInto(env, p, problems))
  const seen = new Set<string>()
  return {settings, problems: problems.filter(p => !seen.has(p.variable) && seen.add(p.variable))}
}

function resolveInto(env: Env, options: ResolveOptions, problems: SettingsProblem[]): Settings {
  const dynoVar = env.DYNO || undefined
  const type = options.type ?? (dynoVar ? typeFromDyno(dynoVar) : undefined) ?? (env.TSQ_PROCESS_TYPE || 'web')
  const key = typeKey(type)
  const reader = new Reader(env, problems)

  const role = reader.role(`TSQ_${key}_ROLE`) ?? defaultRole(type)
  const processes = reader.first([`TSQ_${key}_PROCESSES`, 'WEB_CONCURRENCY'], v => reader.int(v, 1, MAX_PROCESSES))
  const concurrencyValue = reader.first([`TSQ_${key}_CONCURRENCY`, 'TSQ_CONCURRENCY'], v => reader.int(v, 1, 10_000))
  const queues = reader.first([`TSQ_${key}_QUEUES`, 'TSQ_QUEUES'], v => reader.queues(v))
  const dbPoolValue = reader.first([`TSQ_${key}_DB_POOL`, 'TSQ_DB_POOL'], v => reader.int(v, 1, 10_000))
  const dbReserve = reader.first(['TSQ_DB_RESERVE'], v => reader.int(v, 0, 10_000))
  const redisReserve = reader.first(['TSQ_REDIS_RESERVE'], v => reader.int(v, 0, 10_000))
  const shutdownTimeout = reader.first(['TSQ_SHUTDOWN_TIMEOUT'], v => reader.int(v, 0, MAX_SHUTDOWN_TIMEOUT, 'milliseconds'))

  const urlVar = reader.first([`TSQ_${key}_DATABASE_URL_VAR`, 'TSQ_DATABASE_URL_VAR'], v => reader.variableName(v))
  const databaseUrlVar = urlVar?.value ?? DATABASE_URL_VAR

  const redis = findRedisUrl(env)
  if (redis) reader.url(redis.variable, ['redis:', 'rediss:'])
  if (env[databaseUrlVar]) reader.url(databaseUrlVar, ['postgres:', 'postgresql:'])

  const resolvedQueues = queues?.value ?? [...DEFAULTS.queues]
  const concurrency = concurrencyValue?.value ?? DEFAULTS.concurrency
  const defaultPool = role === 'worker' ? concurrency : DEFAULTS.webDbPool
  return {
    type,
    dyno: dynoVar ?? `${type}.local`,
    role,
    processesPerDyno: processes?.value ?? defaultProcesses(options),
    processesSource: processes?.variable ?? (options.size ? 'dyno size' : 'default'),
    variables: {concurrency: concurrencyValue?.variable ?? null, dbPool: dbPoolValue?.variable ?? null, queues: queues?.variable ?? null},
    concurrency: role === 'worker' ? concurrency : null,
    queues: resolvedQueues,
    dbPool: role === 'none' ? 0 : dbPoolValue?.value ?? defaultPool,
    redisConnections: redisConnectionsFor(role, resolvedQueues.length),
    redisUrl: redis?.url ?? null,
    redisUrlVar: redis?.variable ?? null,
    databaseUrl: env[databaseUrlVar] || null,
    databaseUrlVar,
    dbReserve: dbReserve?.value ?? DEFAULTS.dbReserve,
    redisReserve: redisReserve?.value ?? DEFAULTS.redisReserve,
    shutdownTimeout: shutdownTimeout?.value ?? DEFAULTS.shutdownTimeout,
  }
}

/** The buildpack's WEB_CONCURRENCY for the size's memory; 1 for an unknown size or no size. */
function defaultProcesses(options: ResolveOptions): number {
  const memory = options.memoryMb ?? findDynoSize(undefined, options.size)?.memoryMb
  return memory == null ? 1 : webConcurrencyFor(memory)
}

class Reader {
  constructor(private readonly env: Env, private readonly problems: SettingsProblem[]) {}

  /** The first variable of `names` that is set, parsed; a per-type name comes first and wins. */
  first<T>(names: string[], parse: (variable: string) => T | undefined): {variable: string, value: T} | undefined {
    for (const variable of names) {
      const raw = this.env[variable]
      if (raw === undefined || raw === '') continue
      const value = parse(variable)
      return value === undefined ? undefined : {variable, value}
    }
    return undefined
  }

  int(variable: string, min: number, max: number, unit = ''): number | undefined {
    const raw = (this.env[variable] ?? '').trim()
    const n = /^[+]?\d+$/.test(raw) ? Number(raw) : Number.NaN
    if (Number.isSafeInteger(n) && n >= min && n <= max) return n
    this.problem(variable, `a whole number from ${min} to ${max}${unit ? ` (${unit})` : ''}`)
    return undefined
  }

  /** The name of another config var (`DATABASE_CONNECTION_POOL_URL`), as Heroku allows them. */
  variableName(variable: string): string | undefined {
    const raw = (this.env[variable] ?? '').trim()
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) return raw
    this.problem(variable, 'the name of the config var that holds the Postgres URL, e.g. DATABASE_URL or DATABASE_CONNECTION_POOL_URL', v => v.slice(0, 40).replace(/^.*@/, '*****@'))
    return undefined
  }

  role(variable: string): Role | undefined {
    const raw = this.env[variable]
    if (raw === undefined || raw === '') return undefined
    const role = raw.trim().toLowerCase()
    if ((ROLES as readonly string[]).includes(role)) return role as Role
    this.problem(variable, `one of ${ROLES.join(', ')}`)
    return undefined
  }

  queues(variable: string): string[] | undefined {
    const names = (this.env[variable] ?? '').split(',').map(q => q.trim())
    const valid = names.every(q => /^[A-Za-z0-9_.-]+$/.test(q)) && new Set(names).size === names.length
    if (valid) return names
    this.problem(variable, 'comma-separated queue names of letters, digits, _ . or -, each once (no ":" or spaces)')
    return undefined
  }

  url(variable: string, protocols: string[]): void {
    const raw = this.env[variable] ?? ''
    let ok = false
    let parsed = false
    try {
      const url = new URL(raw)
      parsed = true
      // A Postgres URL may name its host (a Unix socket directory) in `?host=`, as libpq reads it.
      const host = protocols.includes('postgres:') ? pgHost(url) : url.hostname
      ok = protocols.includes(url.protocol) && host !== ''
      if (ok && protocols.includes('postgres:')) pgSslMode(url)
    } catch (error) {
      if (error instanceof PgUrlError) {
        // The URL is fine but its sslmode is not: name the parameter and what libpq allows.
        this.problems.push({variable, value: redactUrl(raw).replace(/^.*@/, '*****@'), allowed: `an sslmode libpq knows: ${SSL_MODES.slice(0, 6).join(', ')} (or pg's no-verify)`})
        return
      }
      ok = false
    }
    // A value that is no URL at all may be a bare password: never echoed. A malformed one may hide its password
    // where redactUrl does not look: mask everything before any `@`.
    const allowed = `a URL like ${protocols.map(p => `${p}//host:port`).join(' or ')}`
    if (!ok) this.problem(variable, allowed, parsed ? v => v.replace(/^.*@/, '*****@') : () => HIDDEN_VALUE)
  }

  private problem(variable: string, allowed: string, mask: (v: string) => string = v => v): void {
    this.problems.push({variable, value: mask(redactUrl(this.env[variable] ?? '')), allowed})
  }
}
