// What every Ruby process model reads from the app (spec §9): the environment its command runs with, the
// library versions of Gemfile.lock that pick the defaults, and ActiveRecord's pool for the primary database.
// Files come from the checkout the command gathered; a file that is missing or unreadable is said, not guessed. Pure.
import type {Checkout} from '../model/app-state.js'
import type {Env} from '../model/settings.js'
import type {ReadCommand} from './command.js'
import type {ModelProblem} from './model.js'
import {parseDatabaseYml, poolFromDatabaseUrl} from './ruby/database-config.js'
import {parseGemfileLock, versionAtLeast} from './ruby/gemfile-lock.js'
import {type RailsEnvConfig, emptyRailsEnvConfig, parseRailsEnvConfig} from './ruby/rails-env-config.js'
import {findRedisUrl} from '../model/settings.js'
import {type Sourced, assumed, known} from './sourced.js'

/** The latest releases whose defaults apply when Gemfile.lock does not say (marked as assumed). */
export const LATEST = {puma: '8.0.2', sidekiq: '8.1.7', rails: '8.1.3'} as const
export type Gem = keyof typeof LATEST

/** The parts of one Ruby process's world a model needs. */
export interface RubyWorld {
  /** The environment the program runs with: config vars, then what its command sets. */
  env: Env
  /** RAILS_ENV, else RACK_ENV, else `production` (the Ruby buildpack exports RAILS_ENV=production on every dyno). */
  railsEnv: string
  checkout?: Checkout
  /** Collected as the model reads: values that could not be read. */
  unknowns: ModelProblem[]
}

export function rubyWorld(config: Env, command: ReadCommand | null, checkout: Checkout | undefined): RubyWorld {
  const env: Record<string, string | undefined> = {...config, ...(command?.env ?? {})}
  for (const [k, v] of Object.entries(command?.overrides ?? {})) if (v === null) delete env[k]
  return {env, railsEnv: env.RAILS_ENV || env.RACK_ENV || 'production', checkout, unknowns: []}
}

/** The text of a checkout file; null with the reason noted when it is absent or unreadable. */
export function fileText(world: RubyWorld, path: string, note = true): string | null {
  const file = world.checkout?.files[path]
  if (file && 'text' in file) return file.text
  if (note && world.checkout && file && 'error' in file && !/no such file|not found|missing/i.test(file.error)) {
    world.unknowns.push({variable: path, value: file.error, allowed: 'a readable text file', kind: 'unknown'})
  }
  return null
}

/** A gem's version from Gemfile.lock, or the latest release's, marked as assumed, when there is none. */
export function gemVersion(world: RubyWorld, gem: Gem): Sourced<string> {
  const lock = fileText(world, 'Gemfile.lock')
  const gems = lock === null ? undefined : parseGemfileLock(lock).gems
  // An app that bundles Rails' parts without the `rails` gem (API apps) has railties at Rails' version.
  const [name, version] = [gem, ...gem === 'rails' ? ['railties'] : []].map(g => [g, gems?.get(g)] as const).find(([, v]) => v) ?? [gem, undefined]
  if (version) return known(version, `${name} ${version} (Gemfile.lock)`)
  const why = world.checkout ? (lock === null ? 'no Gemfile.lock' : `${gem} not in Gemfile.lock`) : 'no checkout'
  return assumed(LATEST[gem], `${gem} ${LATEST[gem]} defaults`, `${why}: the latest release assumed`)
}

export function atLeast(v: Sourced<string>, min: string): boolean {
  return versionAtLeast(v.value, min)
}

/** Whether the app bundles a gem (Gemfile.lock), or null without one. */
export function bundles(world: RubyWorld, gem: string): boolean | null {
  const lock = fileText(world, 'Gemfile.lock', false)
  return lock === null ? null : parseGemfileLock(lock).gems.has(gem)
}

/**
 * ActiveRecord's pool for the `primary` database of this process (spec §9): `?pool=`/`?max_connections=` in
 * the URL it reads (DATABASE_URL, or the variable database.yml's `url:` names), else database.yml's
 * `pool:`/`max_connections:`, else Rails' default 5.
 */
export function activeRecordPool(world: RubyWorld): Sourced<number> {
  const text = fileText(world, 'config/database.yml')
  const parsed = text === null ? null : parseDatabaseYml(text, {file: 'config/database.yml', env: world.env, railsEnv: world.railsEnv})
  for (const u of parsed?.unknown ?? []) world.unknowns.push({variable: 'config/database.yml', value: u, allowed: 'a form tsq reads (spec §9)', kind: 'unknown'})
  const primary = parsed?.configs.find(c => c.name === 'primary') ?? parsed?.configs[0]
  const urlVar = primary?.url?.variable ?? 'DATABASE_URL'
  const url = world.env[urlVar]
  const fromUrl = url ? poolFromDatabaseUrl(url) : null
  if (fromUrl !== null) return known(fromUrl, `?pool= in ${urlVar}`, {kind: 'env', variable: urlVar})
  if (primary?.pool) return primary.pool
  if (text === null) {
    return assumed(5, 'ActiveRecord default 5', world.checkout ? 'config/database.yml not found' : 'no checkout: config/database.yml not read',
      {kind: 'file', file: 'config/database.yml', line: 0, text: 'pool: {n}'})
  }
  return known(5, `ActiveRecord default 5 (no pool in config/database.yml ${world.railsEnv})`, {kind: 'file', file: 'config/database.yml', line: 0, text: 'pool: {n}'})
}

/** tsq:setup's config/initializers/tsq.rb: each process's ActiveRecord pool is its own concurrency (spec §9). */
export const TSQ_INITIALIZER = 'config/initializers/tsq.rb'

/** Whether the app runs tsq's generated initializer (the file exists and is tsq's). */
export function hasTsqInitializer(world: RubyWorld): boolean {
  return fileText(world, TSQ_INITIALIZER, false)?.includes('Generated by heroku-tsq') ?? false
}

/** One database config of database.yml for this process's environment: the variable it connects with and its pool. */
export interface DatabaseTarget {
  name: string
  /** The config var Rails connects it with (spec §9's rule); null for a literal `url:`. */
  variable: string | null
  pool: Sourced<number>
  /** The config is in database.yml (else Rails' own defaults apply). */
  found: boolean
}

/**
 * The database config `name` (`primary`, `queue`, `cache`, `cable`): its URL variable — its own `url:`, else
 * `<NAME>_DATABASE_URL`, and DATABASE_URL for primary only — and its pool (`?pool=` in that URL, else
 * `pool:`/`max_connections:`, else 5).
 */
export function databaseTarget(world: RubyWorld, name: string): DatabaseTarget {
  if (name === 'primary') {
    const text = fileText(world, 'config/database.yml', false)
    const parsed = text === null ? null : parseDatabaseYml(text, {file: 'config/database.yml', env: world.env, railsEnv: world.railsEnv})
    const primary = parsed?.configs.find(c => c.name === 'primary') ?? parsed?.configs[0]
    const variable = primary?.url ? primary.url.variable : 'DATABASE_URL'
    return {name, variable, pool: activeRecordPool({...world, unknowns: []}), found: true}
  }
  const text = fileText(world, 'config/database.yml', false)
  const parsed = text === null ? null : parseDatabaseYml(text, {file: 'config/database.yml', env: world.env, railsEnv: world.railsEnv})
  const config = parsed?.configs.find(c => c.name === name)
  const own = `${name.toUpperCase()}_DATABASE_URL`
  const variable = config?.url ? config.url.variable : own
  const url = variable ? world.env[variable] : undefined
  const fromUrl = url ? poolFromDatabaseUrl(url) : null
  const pool = fromUrl !== null ? known(fromUrl, `?pool= in ${variable}`, {kind: 'env', variable: variable!})
    : config?.pool ?? known(5, `ActiveRecord default 5 (no pool for ${name} in config/database.yml ${world.railsEnv})`)
  return {name, variable, pool, found: config !== undefined}
}

/** The Redis variable a Ruby library reads when its config names none: REDIS_URL (redis-rb 4.8's default), or the
 *  app's Redis add-on variable (spec §2's catalogue) when REDIS_URL is unset. */
export function defaultRedisVar(env: RubyWorld['env']): string {
  return env.REDIS_URL ? 'REDIS_URL' : findRedisUrl(env)?.variable ?? 'REDIS_URL'
}

/** `config.*` settings of config/application.rb, overridden by config/environments/<env>.rb, then GoodJob's initializer (spec §14). */
export function railsEnvConfig(world: RubyWorld): RailsEnvConfig {
  const config = emptyRailsEnvConfig()
  // Initializers run after the environment's file, so a setting there wins.
  for (const file of ['config/application.rb', `config/environments/${world.railsEnv}.rb`, 'config/initializers/good_job.rb']) {
    const text = fileText(world, file, false)
    if (text !== null) parseRailsEnvConfig(text, {file, env: world.env, railsEnv: world.railsEnv}, config)
  }
  return config
}

/** A gem's version in Gemfile.lock, or null (no lock, or not bundled). */
export function lockedVersion(world: RubyWorld, gem: string): string | null {
  const lock = fileText(world, 'Gemfile.lock', false)
  return lock === null ? null : parseGemfileLock(lock).gems.get(gem) ?? null
}

/** The Redis variable Sidekiq connects with: `url:` of `config.redis` in the initializer, else the variable
 *  REDIS_PROVIDER names, else REDIS_URL (or the app's Redis add-on variable when REDIS_URL is unset). */
export function sidekiqRedisVar(world: RubyWorld, fromInitializer: string | undefined): {variable: string, source: string} {
  if (fromInitializer) return {variable: fromInitializer, source: `${fromInitializer} (url: in config/initializers/sidekiq.rb)`}
  const provider = world.env.REDIS_PROVIDER?.trim()
  if (provider && /^[A-Z_][A-Z0-9_]*$/.test(provider)) return {variable: provider, source: `${provider} (named by REDIS_PROVIDER)`}
  const variable = defaultRedisVar(world.env)
  return {variable, source: variable === 'REDIS_URL' ? 'REDIS_URL (Sidekiq reads it)' : `${variable} (the app's Redis; REDIS_URL is unset)`}
}
