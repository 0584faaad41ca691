// The connection holders every process of a Rails app may have besides its stack's own pools (spec §14):
// Action Cable (Redis adapter, or Solid Cable on its Postgres config) and the Rails cache (Redis cache store,
// or Solid Cache on its Postgres config), each on the variable its configuration reads. Upper bounds per
// process, from the tagged sources in reference/rails-connection-facts.md; every source names the version.
// A holder that shares the primary ActiveRecord pool adds only what that pool does not already cap. Pure.
import {ANY_RESOURCE, type Holder} from './model.js'
import {type RubyWorld, databaseTarget, fileText, gemVersion, railsEnvConfig} from './rails.js'
import {type YamlNode, nodeAt, readErbYaml} from './ruby/erb-yaml.js'
import type {RubyValue} from './ruby/expr.js'
import {versionAtLeast} from './ruby/gemfile-lock.js'
import {entry} from './ruby/rails-env-config.js'
import {type Sourced, assumed, fileLine, known} from './sourced.js'

export interface RailsHolderContext {
  /** A web (Puma) process: Action Cable's subscription listener runs there. */
  web: boolean
  /** Threads that may use the cache at once in one process; null when unknown (the pool size bounds it). */
  threads: number | null
  /** OS processes this model's process stands for that run app code (Solid Queue's forked workers); default 1. */
  processes?: number
  /** Counted once per dyno (Solid Queue's supervisor beside Puma). */
  perDyno?: boolean
  /** What the process's own ActiveRecord holder already holds on the primary pool. */
  primaryUsed: number
  /** Names the holders in sources: `Solid Queue workers' `. */
  label?: string
}

const CABLE_YML = 'config/cable.yml'
const CACHE_YML = 'config/cache.yml'

/** Action Cable's and the cache's holders of one process. */
export function railsHolders(world: RubyWorld, ctx: RailsHolderContext): Holder[] {
  return [...cableHolders(world, ctx), ...cacheHolders(world, ctx)]
}

function rails(world: RubyWorld): string {
  const v = gemVersion(world, 'rails')
  return v.unknown ? `Rails ${v.value} assumed (${v.unknown})` : `Rails ${v.value}`
}

function cableHolders(world: RubyWorld, ctx: RailsHolderContext): Holder[] {
  const text = fileText(world, CABLE_YML, false)
  if (text === null) return []
  const yaml = readErbYaml(text, {file: CABLE_YML, env: world.env, railsEnv: world.railsEnv})
  for (const u of yaml.unknown) note(world, CABLE_YML, u)
  const section = nodeAt(yaml.root, [world.railsEnv])
  if (!section || section.kind !== 'map') return []
  const adapterNode = nodeAt(section, ['adapter'])
  const adapter = adapterNode?.kind === 'scalar' && typeof adapterNode.value === 'string' ? adapterNode.value : adapterNode ? null : 'redis'
  const at = fileLine(CABLE_YML, adapterNode?.line ?? section.line)
  const n = ctx.processes ?? 1
  const times = n > 1 ? ` × ${n} processes` : ''
  const who = ctx.label ?? ''
  if (adapter === 'redis') {
    const each = ctx.web ? 2 : 1
    const {variable, why} = redisVariable(world, nodeAt(section, ['url']), 'REDIS_URL (redis-rb 4.8 reads it when cable.yml has no url:)')
    const what = ctx.web ? '≤ 2 in a web process: the subscription listener + the broadcast connection, both lazy' : '≤ 1 outside web processes: the broadcast connection'
    const source = `${at} adapter redis: ${who}${what}${times} (${rails(world)}; actioncable subscription_adapter/redis.rb, 6.1–8.1) on ${variable.source}`
    return [{holder: 'action-cable', kind: 'redis', resourceVar: variable.value, perDyno: ctx.perDyno,
      perProcess: why ? assumed(each * n, source, why) : known(each * n, source, {kind: 'file', file: CABLE_YML, line: adapterNode?.line ?? section.line})}]
  }
  if (adapter === 'solid_cable') {
    const writing = nodeAt(section, ['connects_to', 'database', 'writing'])
    const name = writing?.kind === 'scalar' && typeof writing.value === 'string' ? writing.value.replace(/^:/, '') : null
    const base = `${at} adapter solid_cable (solid_cable 4.0.0: 1 polling thread in a web process + broadcasting threads)`
    if (name === null || name === 'primary') {
      // SolidCable::Record uses ActiveRecord::Base's pool: only the listener can add to what the threads hold.
      return ctx.web ? sharedPrimary(world, ctx, 1, 'action-cable', `${base} on ActiveRecord::Base's pool`) : []
    }
    const target = databaseTarget(world, name)
    const threads = ctx.threads ?? target.pool.value
    const want = (ctx.web ? 1 : 0) + threads
    const value = Math.min(target.pool.value, want)
    if (target.variable === null) return []
    const source = `${base}: ${who}min(${name} pool ${target.pool.value} (${target.pool.source}), ${ctx.web ? '1 + ' : ''}${threads} threads)${times} on ${target.variable} (database.yml ${name})`
    return [{holder: 'action-cable', kind: 'postgres', resourceVar: target.variable, perDyno: ctx.perDyno, perProcess: known(value * n, source)}]
  }
  if (adapter === null || !['async', 'test', 'inline'].includes(adapter)) {
    const why = `${at}: Action Cable adapter ${adapter ?? '(unreadable)'} is not modelled: its connections are not counted`
    note(world, CABLE_YML, why)
    return [{holder: 'action-cable', kind: adapter === 'postgresql' ? 'postgres' : 'redis', resourceVar: ANY_RESOURCE, perDyno: ctx.perDyno, perProcess: assumed(0, 'not counted', why)}]
  }
  return []
}

function cacheHolders(world: RubyWorld, ctx: RailsHolderContext): Holder[] {
  const config = railsEnvConfig(world)
  for (const u of config.unknown) note(world, 'config/environments', u)
  const cache = config.cacheStore
  if (!cache) return []
  const at = fileLine(cache.file, cache.line)
  const lever = {kind: 'file' as const, file: cache.file, line: cache.line}
  const n = ctx.processes ?? 1
  const times = n > 1 ? ` × ${n} processes` : ''
  const who = ctx.label ?? ''
  if (cache.store === 'redis_cache_store') {
    const option = (key: string) => cache.options.find(o => o.key === key)?.value
    const railsVersion = gemVersion(world, 'rails')
    const v71 = versionAtLeast(railsVersion.value, '7.1.0')
    const size = cacheSize(option('pool'), option('pool_size'), option('pool_timeout'), v71, railsVersion.value)
    const url = option('url')
    let variable: Sourced<string>
    let why: string | null = size.unknown ?? null
    if (url === undefined) {
      variable = option('redis') ? {value: ANY_RESOURCE, source: 'the `redis:` instance given', lever: null} : known('REDIS_URL', 'REDIS_URL (redis-rb 4.8 reads it when no url: is given)')
      if (option('redis')) why = `${at}: the cache store's \`redis:\` instance could not be read`
    } else if (!url.ok) {
      variable = {value: ANY_RESOURCE, source: 'url: could not be read', lever: null}
      why = `${at}: url: could not be read: ${url.why}`
    } else if (Array.isArray(url.value)) {
      variable = {value: ANY_RESOURCE, source: 'several url:s (Redis::Distributed)', lever: null}
      why = `${at}: several url:s (Redis::Distributed) are not modelled`
    } else variable = urlVariable(world, url.value, url.variable, at)
    if (variable.unknown && !why) why = variable.unknown
    const threads = ctx.threads
    const value = (threads === null ? size.value : Math.min(threads, size.value)) * n
    const shown = threads === null ? `pool ${size.value} (threads unknown)` : `min(${threads} threads, pool ${size.value})`
    const source = `${at} redis_cache_store: ${who}${shown}${times}; ${size.source} on ${variable.source}`
    if (why) note(world, cache.file, why)
    return [{holder: 'cache', kind: 'redis', resourceVar: variable.value, perDyno: ctx.perDyno, perProcess: why ? assumed(value, source, why) : known(value, source, lever)}]
  }
  if (cache.store === 'solid_cache_store') {
    const name = solidCacheDatabase(world)
    const base = `${at} solid_cache_store (solid_cache 1.0.10: the caller's threads + 1 expiry thread)`
    if (name.value === null) return sharedPrimary(world, ctx, 1, 'cache', `${base} on ActiveRecord::Base's pool (${name.source})`)
    const target = databaseTarget(world, name.value)
    if (target.variable === null) return []
    const threads = ctx.threads ?? target.pool.value
    const value = Math.min(target.pool.value, threads + 1) * n
    const source = `${base}: ${who}min(${name.value} pool ${target.pool.value} (${target.pool.source}), ${threads} threads + 1)${times} on ${target.variable} (database.yml ${name.value}, ${name.source})`
    return [{holder: 'cache', kind: 'postgres', resourceVar: target.variable, perDyno: ctx.perDyno, perProcess: known(value, source)}]
  }
  return []
}

/** A holder on ActiveRecord::Base's own pool: it adds only what the pool still has beyond what the process's threads hold. */
function sharedPrimary(world: RubyWorld, ctx: RailsHolderContext, extra: number, holder: Holder['holder'], base: string): Holder[] {
  const target = databaseTarget(world, 'primary')
  if (target.variable === null) return []
  const pool = target.pool.value
  const adds = Math.min(pool, ctx.primaryUsed + extra) - Math.min(pool, ctx.primaryUsed)
  if (adds <= 0) return []
  const n = ctx.processes ?? 1
  return [{holder, kind: 'postgres', resourceVar: target.variable, perDyno: ctx.perDyno,
    perProcess: known(adds * n, `${base}: + ${adds} beyond the ${ctx.primaryUsed} the threads hold, within pool ${pool}`)}]
}

/** Solid Cache's database: config/cache.yml's `database:` for the environment; null = ActiveRecord::Base's pool. */
function solidCacheDatabase(world: RubyWorld): Sourced<string | null> {
  const text = fileText(world, CACHE_YML, false)
  if (text === null) return known(null, `${CACHE_YML} not found`)
  const yaml = readErbYaml(text, {file: CACHE_YML, env: world.env, railsEnv: world.railsEnv})
  const section = nodeAt(yaml.root, [world.railsEnv]) ?? nodeAt(yaml.root, ['default'])
  const database = nodeAt(section, ['database'])
  if (database?.kind === 'scalar' && typeof database.value === 'string') return known(database.value, fileLine(CACHE_YML, database.line))
  return known(null, `no database: in ${CACHE_YML} ${world.railsEnv}`)
}

/** The Redis variable a `url:` of a YAML file reads: the ERB's variable, the config var holding the literal, or the default. */
export function redisVariable(world: RubyWorld, node: YamlNode | null, fallback: string): {variable: Sourced<string>, why: string | null} {
  if (!node) return {variable: known('REDIS_URL', fallback), why: null}
  const at = fileLine(CABLE_YML, node.line)
  if (node.kind !== 'scalar') return {variable: {value: ANY_RESOURCE, source: `${at}: url:`, lever: null}, why: `${at}: url: is not a single value`}
  if (node.erb && !node.erb.ok) return {variable: {value: ANY_RESOURCE, source: `${at}: url:`, lever: null}, why: `${at}: url: could not be read: ${node.erb.why}`}
  const variable = urlVariable(world, node.value as RubyValue, node.erb?.ok ? node.erb.variable : undefined, at)
  return {variable, why: variable.unknown ?? null}
}

function urlVariable(world: RubyWorld, value: RubyValue, variable: string | undefined, at: string): Sourced<string> {
  if (variable !== undefined) return known(variable, `${variable} via ${at}`, {kind: 'env', variable})
  const holding = typeof value === 'string' ? Object.entries(world.env).find(([, v]) => v === value)?.[0] : undefined
  if (holding) return known(holding, `${at}: the URL ${holding} holds`)
  return assumed(ANY_RESOURCE, `${at}`, `${at}: a literal url: that no config var holds: its server is not known`)
}

/** The Redis cache store's pool size (rails-connection-facts §2): 6.1/7.0 one client unless `pool_size:`/`pool_timeout:`;
 *  ≥ 7.1 a pool of 5, `pool: {size: n}`, `pool: false` one client. */
function cacheSize(pool: ReturnType<typeof entry> | undefined, poolSize: ReturnType<typeof entry> | undefined, poolTimeout: ReturnType<typeof entry> | undefined,
  v71: boolean, version: string): Sourced<number> & {unknown?: string} {
  const num = (r: typeof pool): number | null => r?.ok && typeof r.value === 'number' ? r.value : r?.ok && typeof r.value === 'string' && /^\d+$/.test(r.value) ? Number(r.value) : null
  const at = `Rails ${version} redis_cache_store`
  if (v71 && pool !== undefined && pool !== null) {
    if (!pool.ok) return assumed(5, `${at} pool default 5`, `pool: could not be read: ${pool.why}`)
    if (pool.value === false || pool.value === null) return known(1, `${at} pool: false: 1 client`)
    const size = entry(pool.value, 'size')
    if (size === null) return known(5, `${at} pool default size 5 (DEFAULT_POOL_OPTIONS)`)
    const n = num(size)
    return n === null ? assumed(5, `${at} pool default size 5`, 'pool: {size:} could not be read') : known(n, `${at} pool size ${n}`)
  }
  if (poolSize !== undefined && (!v71 || versionAtLeast(version, '7.2.0') === false)) {
    const n = num(poolSize)
    return n === null ? assumed(v71 ? 5 : 1, `${at} pool_size`, 'pool_size: could not be read') : known(n, `${at} pool_size ${n}`)
  }
  if (v71) return known(5, `${at} default pool 5 (≥ 7.1: DEFAULT_POOL_OPTIONS size 5)`)
  if (poolTimeout !== undefined) return known(5, `${at} pool_timeout: a ConnectionPool of its default size 5`)
  return known(1, `${at} default: 1 client (6.1/7.0: no pool unless pool_size:)`)
}

function note(world: RubyWorld, variable: string, value: string): void {
  if (!world.unknowns.some(u => u.value === value)) world.unknowns.push({variable, value, allowed: 'a form tsq reads (spec §14)', kind: 'unknown'})
}
