// Reads what Puma takes from config/puma.rb (spec §9): workers, threads, preload_app!, a before-fork
// disconnect of ActiveRecord, and plugins — through local variables and the conditions the environment
// decides, as Rails' generated files (6.1 → main) and Heroku's and the guide's files write them. Pure.
import type {Env} from '../../model/settings.js'
import {type Sourced, fileLine, known} from '../sourced.js'
import {type EvalResult, type Evaluated, evaluate, rubyInteger, sourcedFrom} from './expr.js'
import {unreadableInput} from './input.js'
import {type Statement, readStatements, splitTopLevel} from './statements.js'

export interface PumaPlugin { name: string, line: number }

export interface PumaConfig {
  /** null: no `workers` statement took effect. */
  workers: Sourced<number | 'auto'> | null
  /** `threads a, b`; one-arg `threads n` (Puma ≥ 6.5) is min = max. */
  threads: {min: Sourced<number>, max: Sourced<number>} | null
  /** `preload_app!` / `preload_app! false`. */
  preload: Sourced<boolean> | null
  /** A before_fork / on_worker_boot (before_worker_boot) block that disconnects ActiveRecord. */
  disconnectsBeforeFork: Sourced<boolean> | null
  /** Plugins whose condition holds. */
  plugins: PumaPlugin[]
  /** Plugins under a condition that could not be decided (also in `unknown`). */
  uncertainPlugins: Array<PumaPlugin & {why: string}>
  /**
   * For a setting whose last statement could not be read, that statement and where it is
   * (`workers worker_count at config/puma.rb:25`): the model's fallback says `default (<this> could not be read)`.
   */
  unreadable: Partial<Record<'workers' | 'threads' | 'preload' | 'disconnectsBeforeFork', string>>
  /** `config/puma.rb:12: workers Integer(foo) could not be read: …`. */
  unknown: string[]
}

export interface PumaOptions {
  file?: string
  env: Env
  railsEnv?: string
}

const FORK_HOOKS = new Set(['before_fork', 'on_worker_fork', 'before_worker_fork'])
const BOOT_HOOKS = new Set(['on_worker_boot', 'before_worker_boot'])
const DISCONNECT = /\bActiveRecord::Base\.(?:connection_pool\.disconnect!|connection\.disconnect!|(?:connection_handler\.)?clear_all_connections!|remove_connection)/
const ESTABLISH = /\bActiveRecord::Base\.establish_connection\b/

/** Reads config/puma.rb's text for the given environment. Never throws. */
export function parsePumaConfig(text: string, options: PumaOptions): PumaConfig {
  const file = options.file ?? 'config/puma.rb'
  const config: PumaConfig = {workers: null, threads: null, preload: null, disconnectsBeforeFork: null, plugins: [],
    uncertainPlugins: [], unreadable: {}, unknown: []}
  const bad = unreadableInput(text, file)
  if (bad) { config.unknown.push(bad); return config }
  const {statements, unknown} = readStatements(text, {file, env: options.env, railsEnv: options.railsEnv})
  config.unknown.push(...unknown)
  for (const statement of statements) {
    if (statement.blocks.length === 0) readDsl(statement, config, file, options)
    else readHook(statement, config, file)
  }
  return config
}

function readDsl(statement: Statement, config: PumaConfig, file: string, options: PumaOptions): void {
  const call = dslCall(statement.text)
  if (!call) return
  const at = fileLine(file, statement.line)
  const form = `${call.name}${call.args.length ? ' ' + call.args.join(', ') : ''}`
  const unreadable = (field: keyof PumaConfig['unreadable'] | null, why: string): void => {
    config.unknown.push(`${at}: ${form} could not be read: ${why}`)
    if (field) { config.unreadable[field] = `${form} at ${at}`; config[field] = null }
  }
  const context = {env: options.env, railsEnv: options.railsEnv, locals: statement.locals}
  const evalArg = (index: number): EvalResult => call.args[index] === undefined ? {ok: false, why: 'no argument'} : evaluate(call.args[index]!, context)

  switch (call.name) {
    case 'workers': {
      if (statement.uncertain) return unreadable('workers', `it is under ${statement.uncertain}`)
      const r = evalArg(0)
      if (!r.ok) return unreadable('workers', r.why)
      const value = workerCount(r)
      if (value === null) return unreadable('workers', `${valueOf(r)} is not a number of workers`)
      config.workers = sourcedFrom(r, value, file, statement.line)
      delete config.unreadable.workers
      return
    }
    case 'threads': {
      if (statement.uncertain) return unreadable('threads', `it is under ${statement.uncertain}`)
      if (call.args.length < 1 || call.args.length > 2) return unreadable('threads', 'threads takes one or two arguments')
      const min = evalArg(0)
      const max = call.args.length === 2 ? evalArg(1) : min
      for (const r of [min, max]) if (!r.ok) return unreadable('threads', r.why)
      const [lo, hi] = [min as Evaluated, max as Evaluated]
      const [a, b] = [rubyInteger(lo.value), rubyInteger(hi.value)]
      if (a === null || b === null) return unreadable('threads', `Integer() of ${valueOf(a === null ? lo : hi)} raises in Puma`)
      config.threads = {min: sourcedFrom(lo, a, file, statement.line), max: sourcedFrom(hi, b, file, statement.line)}
      delete config.unreadable.threads
      return
    }
    case 'preload_app!': {
      if (statement.uncertain) return unreadable('preload', `it is under ${statement.uncertain}`)
      const r: EvalResult = call.args.length === 0 ? {ok: true, value: true} : evalArg(0)
      if (!r.ok) return unreadable('preload', r.why)
      config.preload = sourcedFrom(r, r.value !== null && r.value !== false, file, statement.line)
      delete config.unreadable.preload
      return
    }
    case 'plugin': {
      const r = evalArg(0)
      const name = r.ok && typeof r.value === 'string' ? r.value
        : r.ok && r.value && typeof r.value === 'object' && 'symbol' in r.value ? r.value.symbol : null
      if (name === null) return unreadable(null, r.ok ? 'not a plugin name' : r.why)
      if (statement.uncertain) {
        config.uncertainPlugins.push({name, line: statement.line, why: statement.uncertain})
        return unreadable(null, `it is under ${statement.uncertain}`)
      }
      config.plugins.push({name, line: statement.line})
      return
    }
  }
}

/** Statements inside Puma's fork hooks: an ActiveRecord disconnect before fork (or a re-connect per worker). */
function readHook(statement: Statement, config: PumaConfig, file: string): void {
  const hook = /^([a-z_]+)\s*(?:\(\s*\))?$/.exec(statement.blocks[0]!.opener)?.[1]
  if (!hook || !(FORK_HOOKS.has(hook) || BOOT_HOOKS.has(hook))) return
  if (!DISCONNECT.test(statement.text) && !(BOOT_HOOKS.has(hook) && ESTABLISH.test(statement.text))) return
  if (config.disconnectsBeforeFork) return
  const at = fileLine(file, statement.line)
  if (statement.uncertain) {
    config.unknown.push(`${at}: ${statement.text} in ${hook} could not be read: it is under ${statement.uncertain}`)
    config.unreadable.disconnectsBeforeFork = `${statement.text} in ${hook} at ${at}`
    return
  }
  config.disconnectsBeforeFork = known(true, at, {kind: 'file', file, line: statement.line})
  delete config.unreadable.disconnectsBeforeFork
}

/** `name args…` or `name(args…)` of Puma's DSL, or null for anything else (assignments, other calls). */
function dslCall(text: string): {name: string, args: string[]} | null {
  const m = /^([a-z_]\w*[!?]?)(?=$|[\s(])/.exec(text)
  if (!m) return null
  let rest = text.slice(m[1]!.length).trim()
  if (/^(?:=[^=]|\+=|-=|\|\|=)/.test(rest)) return null
  if (rest.startsWith('(') && rest.endsWith(')') && splitTopLevel(rest.slice(1, -1), ')').length === 1) rest = rest.slice(1, -1)
  const args = rest === '' ? [] : splitTopLevel(rest, ',').map(a => a.trim())
  return {name: m[1]!, args}
}

/** Puma's `workers`: `:auto`/`"auto"`, an Integer, or a string of digits (`.to_i`). */
function workerCount(r: Evaluated): number | 'auto' | null {
  const v = r.value
  if (v === 'auto' || (v !== null && typeof v === 'object' && 'symbol' in v && v.symbol === 'auto')) return 'auto'
  if (typeof v === 'number') return Math.trunc(v)
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return parseInt(v, 10)
  return null
}

function valueOf(r: Evaluated): string {
  return r.variable !== undefined && !r.fromDefault ? `the value of ${r.variable}` : 'the value'
}
