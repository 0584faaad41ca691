// Reads what Sidekiq takes from config/sidekiq.yml (ERB, then YAML; string or symbol keys; the current
// environment's section merged shallowly over the top level; `:capsules:`) and from
// config/initializers/sidekiq.rb (`configure_server`'s concurrency, capsules and Redis pool size,
// `configure_client`'s pool size, and the guide's re-established ActiveRecord pool). Pure.
import type {Env} from '../../model/settings.js'
import {type Sourced, fileLine} from '../sourced.js'
import {type EvalResult, type Evaluated, type RubyValue, evaluate, rubyEquals, rubyInteger, sourcedFrom} from './expr.js'
import {type YamlNode, nodeAt, readErbYaml, readScalar} from './erb-yaml.js'
import {unreadableInput} from './input.js'
import {type BlockFrame, type Statement, readStatements} from './statements.js'

export interface SidekiqQueue { name: string, weight: number | null }
export interface SidekiqCapsule { name: string, concurrency: Sourced<number> | null, queues: SidekiqQueue[] | null, line: number }

export interface SidekiqYml {
  /** `:concurrency:`/`concurrency:` of the environment section, else the top level; null when neither sets it. */
  concurrency: Sourced<number> | null
  queues: SidekiqQueue[] | null
  /** `:capsules:` (Sidekiq ≥ 7), besides the default capsule. */
  capsules: SidekiqCapsule[]
  /** For a value that could not be read: the form and where (`:concurrency: at config/sidekiq.yml:3`). */
  unreadable: {concurrency?: string}
  unknown: string[]
}

export interface SidekiqYmlOptions {
  file?: string
  env: Env
  /** Sidekiq's environment: `-e`, else APP_ENV, RAILS_ENV, RACK_ENV, else development. */
  environment: string
}

/** Reads sidekiq.yml (or the `-C` file). Never throws. */
export function parseSidekiqYml(text: string, options: SidekiqYmlOptions): SidekiqYml {
  const file = options.file ?? 'config/sidekiq.yml'
  const result: SidekiqYml = {concurrency: null, queues: null, capsules: [], unreadable: {}, unknown: []}
  const yaml = readErbYaml(text, {file, env: options.env, railsEnv: options.environment})
  result.unknown.push(...yaml.unknown)
  if (yaml.failed) { result.unreadable.concurrency = `${file} (not read)`; return result }
  if (yaml.root === null) return result
  if (yaml.root.kind !== 'map') { result.unknown.push(`${fileLine(file, yaml.root.line)}: not a map of settings`); return result }
  // `opts.merge(opts.delete(environment.to_sym) || {})`, after the keys are symbolized.
  const section = nodeAt(yaml.root, [options.environment], true)
  const merged: YamlNode = {kind: 'map', line: yaml.root.line,
    entries: [...yaml.root.entries, ...(section?.kind === 'map' ? section.entries : [])]}

  const concurrency = nodeAt(merged, ['concurrency'], true)
  if (concurrency && !(concurrency.kind === 'scalar' && concurrency.value === null && !concurrency.erb)) {
    const read = readScalar(concurrency, file, count, 'concurrency')
    if (read.ok) result.concurrency = read.value
    else if (!(concurrency.kind === 'scalar' && concurrency.value === null)) {
      result.unknown.push(read.why)
      result.unreadable.concurrency = `:concurrency: at ${fileLine(file, concurrency.line)}`
    }
  }
  result.queues = queuesOf(nodeAt(merged, ['queues'], true), file, result.unknown)
  const capsules = nodeAt(merged, ['capsules'], true)
  if (capsules?.kind === 'map') {
    for (const [name, capsule] of capsules.entries) {
      const c = nodeAt(capsule, ['concurrency'], true)
      const read = c ? readScalar(c, file, count, `concurrency of capsule ${name}`) : null
      if (read && !read.ok) result.unknown.push(read.why)
      result.capsules.push({name: name.replace(/^:/, ''), concurrency: read?.ok ? read.value : null,
        queues: queuesOf(nodeAt(capsule, ['queues'], true), file, result.unknown), line: capsule.line})
    }
  } else if (capsules) result.unknown.push(`${fileLine(file, capsules.line)}: :capsules: is not a map of capsules`)
  return result
}

function count(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
  if (typeof value === 'string' && /^\d+$/.test(value)) return parseInt(value, 10)
  return null
}

function queuesOf(node: YamlNode | null, file: string, unknown: string[]): SidekiqQueue[] | null {
  if (!node) return null
  if (node.kind !== 'seq') { unknown.push(`${fileLine(file, node.line)}: :queues: is not a list`); return null }
  const queues: SidekiqQueue[] = []
  for (const item of node.items) {
    const [nameNode, weightNode] = item.kind === 'seq' ? item.items : [item]
    const name = nameNode?.kind === 'scalar' && !(nameNode.erb && !nameNode.erb.ok) && nameNode.value !== null ? String(nameNode.value) : null
    if (name === null) { unknown.push(`${fileLine(file, item.line)}: a queue that could not be read`); continue }
    const weight = weightNode?.kind === 'scalar' ? count(weightNode.value) : null
    queues.push({name: name.replace(/^:/, ''), weight})
  }
  return queues
}

// ---- config/initializers/sidekiq.rb ---------------------------------------------------------------------

export interface SidekiqInitializer {
  /** `config.concurrency = n` in configure_server: overrides the command line and the file. */
  concurrency: Sourced<number> | null
  /** `config.capsule("name") { |cap| cap.concurrency = n; cap.queues = […] }`. */
  capsules: SidekiqCapsule[]
  /** `size:` of `config.redis = {…}` in configure_server / configure_client. */
  serverRedisSize: Sourced<number> | null
  clientRedisSize: Sourced<number> | null
  /** The ActiveRecord pool the server re-establishes (`merge('pool' => n)`, `db_config['pool'] = n`, `?pool=n`). */
  serverDbPool: Sourced<number> | null
  /** `config.redis = {…, id: …}` names Sidekiq's Redis connections. */
  namesConnections: boolean
  /** The variable `url:` of `config.redis = {…}` reads, per side (spec §14: the resource its holders count on). */
  serverRedisVar?: string
  clientRedisVar?: string
  unreadable: Partial<Record<'concurrency' | 'serverRedisSize' | 'clientRedisSize' | 'serverDbPool', string>>
  unknown: string[]
}

export interface SidekiqInitializerOptions {
  file?: string
  env: Env
  railsEnv?: string
}

const POOL_KEY = /(?:(['"])(?:pool|max_connections)\1\s*=>|:(?:pool|max_connections)\s*=>|\b(?:pool|max_connections):)\s*/

/** Reads config/initializers/sidekiq.rb. Never throws. */
export function parseSidekiqInitializer(text: string, options: SidekiqInitializerOptions): SidekiqInitializer {
  const file = options.file ?? 'config/initializers/sidekiq.rb'
  const out: SidekiqInitializer = {concurrency: null, capsules: [], serverRedisSize: null, clientRedisSize: null,
    serverDbPool: null, namesConnections: false, unreadable: {}, unknown: []}
  const bad = unreadableInput(text, file)
  if (bad) { out.unknown.push(bad); return out }
  const poolOf = new Map<string, {result: EvalResult, line: number}>()
  const capsules = new Map<BlockFrame, SidekiqCapsule>()
  const {statements, unknown} = readStatements(text, {file, env: options.env, railsEnv: options.railsEnv})
  out.unknown.push(...unknown)
  for (const statement of statements) {
    const role = roleOf(statement, capsules, out.capsules)
    if (!role) continue
    const at = fileLine(file, statement.line)
    const context = {env: options.env, railsEnv: options.railsEnv, locals: statement.locals}
    const take = (field: keyof SidekiqInitializer['unreadable'], result: EvalResult, convert: (v: RubyValue) => number | null): void => {
      const why = statement.uncertain ? `it is under ${statement.uncertain}` : !result.ok ? result.why
        : convert(result.value) === null ? 'not a number' : null
      if (why !== null) {
        out.unknown.push(`${at}: ${statement.text} could not be read: ${why}`)
        out.unreadable[field] = `${statement.text} at ${at}`
        out[field] = null
        return
      }
      out[field] = sourcedFrom(result as Evaluated, convert((result as Evaluated).value)!, file, statement.line)
      delete out.unreadable[field]
    }
    const setter = new RegExp(`^${escape(role.param)}\\.(concurrency|redis)\\s*=(?!=)\\s*(.+)$`, 's').exec(statement.text)

    if (role.capsule) {
      const m = new RegExp(`^${escape(role.capsule.param)}\\.(concurrency|queues)\\s*=(?!=)\\s*(.+)$`, 's').exec(statement.text)
      if (!m) continue
      const result = evaluate(m[2]!, context)
      const capsule = role.capsule.entry
      if (m[1] === 'concurrency') {
        const n = result.ok ? rubyInteger(result.value) : null
        if (statement.uncertain || !result.ok || n === null) {
          out.unknown.push(`${at}: ${statement.text} could not be read: ${statement.uncertain ? `it is under ${statement.uncertain}` : result.ok ? 'not a number' : result.why}`)
        } else capsule.concurrency = sourcedFrom(result, n, file, statement.line)
      } else if (result.ok && Array.isArray(result.value)) {
        capsule.queues = result.value.map(q => ({name: typeof q === 'object' && q && 'symbol' in q ? q.symbol : String(q), weight: null}))
      } else out.unknown.push(`${at}: ${statement.text} could not be read: ${result.ok ? 'not a list of queues' : result.why}`)
      continue
    }
    if (setter?.[1] === 'concurrency' && role.kind === 'server') { take('concurrency', evaluate(setter[2]!, context), rubyInteger); continue }
    if (setter?.[1] === 'redis') {
      const redis = evaluate(setter[2]!, context)
      const field = role.kind === 'server' ? 'serverRedisSize' : 'clientRedisSize'
      if (!redis.ok || !isHash(redis.value)) { take(field, redis.ok ? {ok: false, why: 'not a hash of options'} : redis, rubyInteger); continue }
      if (hashEntry(redis.value, 'id')) out.namesConnections = true
      const url = hashEntry(redis.value, 'url')
      if (url?.ok && url.variable) out[role.kind === 'server' ? 'serverRedisVar' : 'clientRedisVar'] = url.variable
      const size = hashEntry(redis.value, 'size')
      if (size) take(field, size, rubyInteger)
      continue
    }
    if (role.kind !== 'server') continue
    // The guide's forms of re-establishing the server's ActiveRecord pool.
    const indexed = /^([a-z_]\w*)\[\s*(?:(['"])(?:pool|max_connections)\2|:(?:pool|max_connections))\s*\]\s*=(?!=)\s*(.+)$/s.exec(statement.text)
    if (indexed) { poolOf.set(indexed[1]!, {result: evaluate(indexed[3]!, context), line: statement.line}); continue }
    const establish = /\bestablish_connection\s*\(\s*(.*)\)\s*$/s.exec(statement.text)
    if (establish) {
      const arg = establish[1]!.trim()
      const assigned = poolOf.get(arg)
      const key = POOL_KEY.exec(arg)
      if (assigned) take('serverDbPool', assigned.result.ok && assigned.result.line === undefined ? {...assigned.result, line: assigned.line} : assigned.result, rubyInteger)
      else if (key) take('serverDbPool', evaluate(expressionAt(arg, key.index + key[0].length), context), rubyInteger)
      continue
    }
    const envUrl = /^ENV\[\s*(['"])DATABASE_URL\1\s*\]\s*=(?!=)\s*(.+)$/s.exec(statement.text)
    if (envUrl) {
      const query = /[?&](?:pool|max_connections)=(?:(\d+)|#\{(.*?)\})/.exec(envUrl[2]!)
      if (query) take('serverDbPool', query[1] !== undefined ? {ok: true, value: parseInt(query[1], 10)} : evaluate(query[2]!, context), rubyInteger)
    }
  }
  return out
}

interface Role {
  kind: 'server' | 'client'
  param: string
  capsule: {param: string, entry: SidekiqCapsule} | null
}

/** The configure block a statement is in, with its parameter name and any capsule block around it. */
function roleOf(statement: Statement, capsules: Map<BlockFrame, SidekiqCapsule>, out: SidekiqCapsule[]): Role | null {
  const outer = statement.blocks[0]
  const kind = outer && /^(?:::)?Sidekiq\.configure_(server|client)$/.exec(outer.opener)?.[1]
  if (!outer || (kind !== 'server' && kind !== 'client')) return null
  const param = outer.params[0] ?? 'config'
  const inner = statement.blocks[1]
  if (!inner) return {kind, param, capsule: null}
  const name = new RegExp(`^${escape(param)}\\.capsule\\s*\\(?\\s*(?:['"]([^'"]+)['"]|:(\\w+))`).exec(inner.opener)
  if (!name || kind !== 'server') return {kind, param: '\0', capsule: null}
  let entry = capsules.get(inner)
  if (!entry) {
    entry = {name: name[1] ?? name[2]!, concurrency: null, queues: null, line: inner.line}
    capsules.set(inner, entry)
    out.push(entry)
  }
  return {kind, param, capsule: {param: inner.params[0] ?? 'cap', entry}}
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function isHash(value: RubyValue): value is {hash: Array<{key: RubyValue, value: EvalResult}>} {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'hash' in value
}

function hashEntry(hash: {hash: Array<{key: RubyValue, value: EvalResult}>}, key: string): EvalResult | null {
  return hash.hash.findLast(e => rubyEquals(e.key, {symbol: key}) || e.key === key)?.value ?? null
}

/** The expression starting at `from` up to the `,` or closing bracket that ends it. */
function expressionAt(text: string, from: number): string {
  let depth = 0
  for (let i = from; i < text.length; i++) {
    const c = text[i]!
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1)
      if (close < 0) break
      i = close
    } else if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') { if (depth-- === 0) return text.slice(from, i) }
    else if (c === ',' && depth === 0) return text.slice(from, i)
  }
  return text.slice(from)
}
