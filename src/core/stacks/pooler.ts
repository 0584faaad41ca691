// How one process reaches Postgres (spec §11): the config var its URL comes from (TSQ_DATABASE_URL_VAR for the
// runtime, database.yml's primary `url:` for Rails), whether the heroku/pgbouncer buildpack's pooler in its dyno
// rewrites that var (`bin/start-pgbouncer` wraps the command), and what it needs of a database session, which
// a transaction-mode pooler does not keep (LISTEN/NOTIFY, advisory locks, named prepared statements, SET).
// Whether the var is Heroku's server-side pooler is the budget's question (it depends on the app's
// attachments). Pure.
import {DATABASE_URL_VAR} from '../model/catalogue.js'
import {typeKey} from '../model/settings.js'
import type {Checkout} from '../model/app-state.js'
import type {ReadCommand} from './command.js'
import {classifyProgram} from './command.js'
import type {StackName} from './model.js'
import {parseDatabaseYml} from './ruby/database-config.js'
import {readPrimarySession} from './ruby/database-session.js'
import {type Sourced, assumed, known} from './sourced.js'

/** The heroku/pgbouncer buildpack's defaults (bin/gen-pgbouncer-conf.sh, v0.18.0). */
export const PGBOUNCER_DEFAULTS = {defaultPoolSize: 1, reservePoolSize: 1, maxClientConn: 100, urls: [DATABASE_URL_VAR], poolMode: 'transaction'} as const

/** The pgbouncer a dyno of this type runs in front of the database. */
export interface DynoPooler {
  /** Server connections per database it rewrites: PGBOUNCER_DEFAULT_POOL_SIZE + PGBOUNCER_RESERVE_POOL_SIZE. */
  perUrl: Sourced<number>
  /** The variables it rewrites (PGBOUNCER_URLS), with their values in this dyno (null: not set). */
  urls: Array<{variable: string, value: string | null}>
  /** PGBOUNCER_MAX_CLIENT_CONN: client connections one dyno's pgbouncer accepts. */
  maxClientConn: Sourced<number>
  /** PGBOUNCER_POOL_MODE. */
  poolMode: string
  /** PGBOUNCER_MAX_PREPARED_STATEMENTS > 0: protocol-level named prepared statements survive transaction pooling. */
  keepsPreparedStatements: boolean
  /** PGBOUNCER_PREPARED_STATEMENTS=false: the buildpack appends ?prepared_statements=false to each URL it rewrites. */
  disablesRailsPreparedStatements: boolean
}

export type SessionFeature = 'advisory locks' | 'LISTEN/NOTIFY' | 'named prepared statements' | 'session SET'

/** A session feature a consumer in the process relies on. */
export interface SessionNeed {
  feature: SessionFeature
  /** `Rails migrations (bin/rails db:migrate)`, `ActiveRecord`, `GoodJob`. */
  who: string
  source: string
  /** Shown to break through a transaction-mode pooler (fail), rather than at risk (warn). */
  breaks: boolean
  /** A way to do without it in the app's own terms (`prepared_statements: false`); null: only a direct URL helps. */
  without: string | null
}

export interface DbRoute {
  /** The config var the process's Postgres URL comes from. */
  variable: Sourced<string>
  /** Its value in the process's environment; null when unset. */
  url: string | null
  /** A pgbouncer in the dyno that rewrites `variable`; null when none does. */
  dynoPooler: DynoPooler | null
  /** The variable that gives this process a direct URL again (`TSQ_RELEASE_DATABASE_URL_VAR`, or database.yml's url:). */
  directLever: string
  needs: SessionNeed[]
}

export interface RouteInput {
  type: string
  stack: StackName
  config: Readonly<Record<string, string | undefined>>
  command: ReadCommand | null
  checkout?: Checkout
  /** The runtime's resolved variable and where it came from (tsq stack). */
  tsqVariable?: {name: string, source: string}
}

/** The route of one process type to Postgres and what it needs of a session. */
export function routeOf(input: RouteInput): DbRoute {
  const env: Record<string, string | undefined> = {...input.config, ...input.command?.env}
  for (const [k, v] of Object.entries(input.command?.overrides ?? {})) if (v === null) delete env[k]
  const rails = isRails(input)
  const railsEnv = env.RAILS_ENV || env.RACK_ENV || 'production'
  const ymlFile = input.checkout?.files['config/database.yml']
  const yml = ymlFile && 'text' in ymlFile ? ymlFile.text : null
  const variable = input.tsqVariable
    ? known(input.tsqVariable.name, input.tsqVariable.source, {kind: 'env', variable: `TSQ_${typeKey(input.type)}_DATABASE_URL_VAR`})
    : rails ? railsVariable(yml, env, railsEnv) : known(DATABASE_URL_VAR, 'DATABASE_URL (the usual Postgres variable)')
  const url = env[variable.value] ?? null
  const dynoPooler = input.command?.pgbouncer ? readDynoPooler(env, variable.value) : null
  const needs = rails ? railsNeeds(input, yml, env, railsEnv, url, variable.value, dynoPooler) : []
  const directLever = input.tsqVariable ? `TSQ_${typeKey(input.type)}_DATABASE_URL_VAR` : 'config/database.yml url:'
  return {variable, url, dynoPooler, directLever, needs}
}

/** PGBOUNCER_* as bin/start-pgbouncer reads them; null when it is disabled or does not rewrite `variable`. */
export function readDynoPooler(env: Readonly<Record<string, string | undefined>>, variable: string): DynoPooler | null {
  if (/^(0|false)$/i.test(env.PGBOUNCER_ENABLED?.trim() ?? '')) return null
  const names = env.PGBOUNCER_URLS?.trim() ? env.PGBOUNCER_URLS.trim().split(/\s+/) : [...PGBOUNCER_DEFAULTS.urls]
  if (!names.includes(variable)) return null
  const int = (name: string, fallback: number): Sourced<number> => {
    const raw = env[name]?.trim()
    if (raw === undefined || raw === '') return known(fallback, `heroku/pgbouncer default ${fallback}`, {kind: 'env', variable: name})
    return /^\d+$/.test(raw) ? known(Number(raw), name, {kind: 'env', variable: name})
      : assumed(fallback, `heroku/pgbouncer default ${fallback}`, `${name}=${raw.slice(0, 20)} is not a number`, {kind: 'env', variable: name})
  }
  const pool = int('PGBOUNCER_DEFAULT_POOL_SIZE', PGBOUNCER_DEFAULTS.defaultPoolSize)
  const reserve = int('PGBOUNCER_RESERVE_POOL_SIZE', PGBOUNCER_DEFAULTS.reservePoolSize)
  const perUrl: Sourced<number> = {value: pool.value + reserve.value, source: `${pool.source} + ${reserve.source}`,
    lever: {kind: 'env', variable: 'PGBOUNCER_DEFAULT_POOL_SIZE'}, ...(pool.unknown ?? reserve.unknown ? {unknown: pool.unknown ?? reserve.unknown} : {})}
  return {
    perUrl,
    urls: names.map(name => ({variable: name, value: env[name] ?? null})),
    maxClientConn: int('PGBOUNCER_MAX_CLIENT_CONN', PGBOUNCER_DEFAULTS.maxClientConn),
    poolMode: env.PGBOUNCER_POOL_MODE?.trim().toLowerCase() || PGBOUNCER_DEFAULTS.poolMode,
    keepsPreparedStatements: Number(env.PGBOUNCER_MAX_PREPARED_STATEMENTS ?? 0) > 0,
    disablesRailsPreparedStatements: /^false$/i.test(env.PGBOUNCER_PREPARED_STATEMENTS?.trim() ?? ''),
  }
}

/** A Ruby stack, or a release/other type whose command runs Rails or rake (migrations). */
function isRails(input: RouteInput): boolean {
  if (input.stack === 'puma' || input.stack === 'sidekiq' || input.stack === 'app') return true
  const c = input.command
  return c !== null && (c.name === 'rails' || c.name === 'rake' || c.wrappers.some(w => w.endsWith('bundle exec')))
}

/** The variable database.yml's primary config reads (Rails merges DATABASE_URL into primary when it has no url:). */
function railsVariable(yml: string | null, env: Readonly<Record<string, string | undefined>>, railsEnv: string): Sourced<string> {
  const lever = {kind: 'file', file: 'config/database.yml', line: 0, text: 'url: <%= ENV["{n}"] %>'} as const
  if (yml === null) return known(DATABASE_URL_VAR, 'DATABASE_URL (no config/database.yml read: Rails reads DATABASE_URL)', lever)
  const parsed = parseDatabaseYml(yml, {file: 'config/database.yml', env, railsEnv})
  const primary = parsed.configs.find(c => c.name === 'primary') ?? parsed.configs[0]
  const variable = primary?.url?.variable
  if (!primary || !primary.url) return known(DATABASE_URL_VAR, `DATABASE_URL (Rails merges it into primary)`, lever)
  if (variable === null || variable === undefined) return known(DATABASE_URL_VAR, `${primary.url.source} (a literal URL; DATABASE_URL assumed)`, lever)
  return known(variable, primary.url.source, {...lever, line: primary.line})
}

const MIGRATIONS = /^db:(migrate|prepare|setup|schema:load|rollback)/

function railsNeeds(input: RouteInput, yml: string | null, env: Readonly<Record<string, string | undefined>>, railsEnv: string,
  url: string | null, variable: string, pooler: DynoPooler | null): SessionNeed[] {
  const session = readPrimarySession(yml, {env, railsEnv, url, urlVariable: variable})
  const needs: SessionNeed[] = []
  const c = input.command
  const kind = c ? classifyProgram(c) : null
  const task = c?.args.find(a => !a.startsWith('-'))
  if (task && MIGRATIONS.test(task) && session.advisoryLocks.value) {
    needs.push({feature: 'advisory locks', who: `Rails migrations (${[c!.program, ...c!.args].join(' ')})`, source: session.advisoryLocks.source,
      breaks: true, without: 'advisory_locks: false in config/database.yml (migrations then run without their lock: never two at once)'})
  }
  if (kind === 'good_job') {
    needs.push({feature: 'LISTEN/NOTIFY', who: 'GoodJob', source: 'GoodJob README: not compatible with PgBouncer in transaction mode (advisory locks, LISTEN/NOTIFY)',
      breaks: true, without: null})
  }
  const preparedOff = pooler?.disablesRailsPreparedStatements || pooler?.keepsPreparedStatements
  if (session.preparedStatements.value && !preparedOff) {
    needs.push({feature: 'named prepared statements', who: 'ActiveRecord', source: session.preparedStatements.source, breaks: false,
      without: `prepared_statements: false in config/database.yml${pooler ? ' (or PGBOUNCER_PREPARED_STATEMENTS=false)' : ''}`})
  }
  if (session.sessionSet) {
    needs.push({feature: 'session SET', who: 'ActiveRecord', source: session.sessionSet, breaks: false,
      without: 'set them per transaction (SET LOCAL), or on the database role (ALTER ROLE … SET)'})
  }
  return needs
}
