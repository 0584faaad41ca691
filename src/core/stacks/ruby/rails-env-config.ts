// Reads the settings of config/application.rb and config/environments/<env>.rb that decide which connections
// a Rails app holds beyond its ActiveRecord pool (spec §14): `config.cache_store`, `config.active_job.queue_adapter`,
// `config.solid_queue.connects_to` and GoodJob's `config.good_job.*`. Statements are read, never run; one whose
// condition cannot be decided, or whose value cannot be read, is named in `unknown`. Pure.
import type {Env} from '../../model/settings.js'
import {type Sourced, fileLine} from '../sourced.js'
import {type EvalResult, type Evaluated, type RubyValue, evaluate, rubyEquals, sourcedFrom} from './expr.js'
import {unreadableInput} from './input.js'
import {readStatements, splitTopLevel} from './statements.js'

/** One option of a call such as `config.cache_store = :redis_cache_store, {url: …, pool: …}`, read alone so
 *  that an option tsq does not read (`error_handler: -> {…}`) leaves the others readable. */
export interface StoreOption {
  key: string
  value: EvalResult
}

export interface CacheStoreSetting {
  /** `redis_cache_store`, `solid_cache_store`, `memory_store`, … */
  store: string
  options: StoreOption[]
  file: string
  line: number
}

export interface RailsEnvConfig {
  cacheStore: CacheStoreSetting | null
  /** `config.active_job.queue_adapter = :solid_queue`. */
  queueAdapter: Sourced<string> | null
  /** The database config named by `config.solid_queue.connects_to = {database: {writing: :queue}}`. */
  solidQueueDatabase: Sourced<string> | null
  goodJob: {executionMode: Sourced<string> | null, maxThreads: Sourced<number> | null, queues: Sourced<string> | null}
  unknown: string[]
}

export interface RailsEnvConfigOptions {
  file: string
  env: Env
  railsEnv?: string
}

export function emptyRailsEnvConfig(): RailsEnvConfig {
  return {cacheStore: null, queueAdapter: null, solidQueueDatabase: null, goodJob: {executionMode: null, maxThreads: null, queues: null}, unknown: []}
}

const SETTING = /^(?:config|Rails\.application\.config)\.(cache_store|active_job\.queue_adapter|solid_queue\.connects_to|good_job(?:\.(execution_mode|max_threads|queues))?)\s*=(?!=)\s*(.+)$/s

/** Reads one environment or application file; `into` (a previous file's reading) is updated, a later setting winning. */
export function parseRailsEnvConfig(text: string, options: RailsEnvConfigOptions, into: RailsEnvConfig = emptyRailsEnvConfig()): RailsEnvConfig {
  const {file} = options
  const bad = unreadableInput(text, file)
  if (bad) { into.unknown.push(bad); return into }
  const {statements, unknown} = readStatements(text, {file, env: options.env, railsEnv: options.railsEnv})
  into.unknown.push(...unknown)
  // A setting whose hash holds a lambda (`error_handler: -> (…) {`) is read as the opener of that block: its
  // text up to the lambda is still the setting, and the options before the lambda still read.
  const seen = new Set<number>()
  const candidates = statements.flatMap(st => [
    ...st.blocks.filter(b => SETTING.test(b.opener) && !seen.has(b.line) && seen.add(b.line)).map(b => ({...st, text: b.opener, line: b.line, blocks: []})),
    st,
  ])
  for (const statement of candidates) {
    const m = SETTING.exec(statement.text)
    if (!m) continue
    const at = fileLine(file, statement.line)
    const [, setting, goodJobKey, rhs] = m as unknown as [string, string, string | undefined, string]
    if (statement.uncertain) {
      into.unknown.push(`${at}: ${statement.text.slice(0, 80)} could not be read: it is under ${statement.uncertain}`)
      continue
    }
    const context = {env: options.env, railsEnv: options.railsEnv, locals: statement.locals}
    const problem = (why: string): void => void into.unknown.push(`${at}: ${statement.text.slice(0, 80)} could not be read: ${why}`)
    if (setting === 'cache_store') {
      const parts = splitTopLevel(rhs.trim(), ',').map(p => p.trim()).filter(p => p !== '')
      const store = evaluate(parts[0] ?? '', context)
      const name = store.ok ? symbolName(store.value) : null
      if (name === null) { problem(store.ok ? 'not a cache store name' : store.why); continue }
      into.cacheStore = {store: name, options: storeOptions(parts.slice(1), context), file, line: statement.line}
      continue
    }
    if (setting === 'active_job.queue_adapter') {
      const r = evaluate(rhs, context)
      const name = r.ok ? symbolName(r.value) : null
      if (name === null) problem(r.ok ? 'not an adapter name' : r.why)
      else into.queueAdapter = sourcedFrom(r as Evaluated, name, file, statement.line)
      continue
    }
    if (setting === 'solid_queue.connects_to') {
      const r = evaluate(rhs, context)
      const database = r.ok ? entry(r.value, 'database') : null
      const writing = database?.ok ? entry(database.value, 'writing') : null
      const name = writing?.ok ? symbolName(writing.value) : null
      if (name === null) problem(r.ok ? 'no `database: {writing: …}` tsq reads' : r.why)
      else into.solidQueueDatabase = sourcedFrom(writing as Evaluated, name, file, statement.line)
      continue
    }
    // config.good_job.<key> = value, or config.good_job = {key: value, …}
    const pairs: Array<[string, EvalResult]> = goodJobKey ? [[goodJobKey, evaluate(rhs, context)]] : goodJobHash(evaluate(rhs, context))
    if (!goodJobKey && pairs.length === 0) { problem('not a hash of GoodJob options'); continue }
    for (const [key, r] of pairs) {
      if (!r.ok) { problem(`${key}: ${r.why}`); continue }
      if (key === 'execution_mode') {
        const mode = symbolName(r.value)
        if (mode === null) problem('execution_mode is not a mode')
        else into.goodJob.executionMode = sourcedFrom(r, mode, file, statement.line)
      } else if (key === 'max_threads') {
        const n = typeof r.value === 'number' ? Math.trunc(r.value) : typeof r.value === 'string' && /^\s*\d+\s*$/.test(r.value) ? parseInt(r.value, 10) : null
        if (n === null) problem('max_threads is not a number')
        else into.goodJob.maxThreads = sourcedFrom(r, n, file, statement.line)
      } else if (key === 'queues' && typeof r.value === 'string') into.goodJob.queues = sourcedFrom(r, r.value, file, statement.line)
    }
  }
  return into
}

/** `:name` or `"name"`; null for anything else. */
export function symbolName(value: RubyValue): string | null {
  if (typeof value === 'string') return value
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'symbol' in value) return value.symbol
  return null
}

/** The value of `key` (a symbol or string key) in a hash value. */
export function entry(value: RubyValue, key: string): EvalResult | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('hash' in value)) return null
  return value.hash.findLast(e => rubyEquals(e.key, {symbol: key}) || e.key === key)?.value ?? null
}

/** The options after a store's name: `{url: …, pool: …}` or `url: …, pool: …`, each read on its own. */
function storeOptions(parts: string[], context: Parameters<typeof evaluate>[1]): StoreOption[] {
  let items = parts
  if (parts.length >= 1 && parts[0]!.startsWith('{')) {
    const inner = parts.join(',').slice(1).replace(/\}\s*$/, '')
    items = splitTopLevel(inner, ',').map(p => p.trim()).filter(p => p !== '')
  }
  const out: StoreOption[] = []
  for (const item of items) {
    const m = /^(?::?([a-z_]\w*):?\s*(?:=>)?|(['"])([a-z_]\w*)\2\s*=>)\s*([\s\S]+)$/.exec(item)
    const key = m?.[1] ?? m?.[3]
    if (!m || !key) continue
    out.push({key, value: evaluate(m[4]!, context)})
  }
  return out
}

function goodJobHash(r: EvalResult): Array<[string, EvalResult]> {
  if (!r.ok || r.value === null || typeof r.value !== 'object' || Array.isArray(r.value) || !('hash' in r.value)) return []
  return r.value.hash.flatMap(e => {
    const key = symbolName(e.key)
    return key ? [[key, e.value] as [string, EvalResult]] : []
  })
}
