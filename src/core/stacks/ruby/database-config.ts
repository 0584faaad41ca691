// Reads config/database.yml's entry for the app's environment (spec §9): each database config (2-level:
// one config named `primary`; 3-level: primary, cache, queue, cable …), its ActiveRecord pool
// (`pool:`, Rails 8.1's `max_connections:`) and the URL it connects to — its own `url:` (directly or
// through `<<:`), else the variable Rails merges into it (`DATABASE_URL` for primary only,
// `<NAME>_DATABASE_URL` for every config). Pure.
import type {Env} from '../../model/settings.js'
import {redactUrl} from '../../model/redact.js'
import {type Sourced, fileLine} from '../sourced.js'
import {type YamlNode, nodeAt, readErbYaml, readScalar} from './erb-yaml.js'

export interface DatabaseConfig {
  /** `primary` for a 2-level file. */
  name: string
  adapter: string | null
  /** `max_connections:`, else `pool:`; null when the file sets neither (ActiveRecord's default 5 applies). */
  pool: Sourced<number> | null
  /** Where its URL comes from: a variable (set or not) or a literal `url:` (redacted); null when `url:` could not be read. */
  url: {variable: string | null, source: string} | null
  line: number
  unknown: string[]
}

export interface DatabaseYml {
  configs: DatabaseConfig[]
  /** The file has no section for the environment (Rails then builds `primary` from DATABASE_URL alone). */
  missing: boolean
  unknown: string[]
}

export interface DatabaseYmlOptions {
  file?: string
  env: Env
  /** RAILS_ENV/RACK_ENV, else production. */
  railsEnv: string
}

/** Reads database.yml for `railsEnv`. Never throws. */
export function parseDatabaseYml(text: string, options: DatabaseYmlOptions): DatabaseYml {
  const file = options.file ?? 'config/database.yml'
  const yaml = readErbYaml(text, {file, env: options.env, railsEnv: options.railsEnv})
  const out: DatabaseYml = {configs: [], missing: false, unknown: [...yaml.unknown]}
  if (yaml.failed) return out
  const section = nodeAt(yaml.root, [options.railsEnv])
  if (!section || (section.kind === 'scalar' && section.value === null)) return {...out, missing: true}
  if (section.kind === 'scalar') {
    // `production: postgres://…` (a URL for the whole environment)
    out.configs.push({name: 'primary', adapter: null, pool: null, url: literalUrl(section, file), line: section.line, unknown: []})
    return out
  }
  if (section.kind !== 'map') {
    out.unknown.push(`${fileLine(file, section.line)}: the ${options.railsEnv} section is not a map`)
    return out
  }
  const threeLevel = section.entries.length > 0 && section.entries.every(([, v]) => v.kind === 'map')
  const entries: Array<[string, YamlNode]> = threeLevel ? section.entries : [['primary', section]]
  for (const [name, node] of entries) out.configs.push(readConfig(name, node, file, options.env))
  return out
}

function readConfig(name: string, node: YamlNode, file: string, env: Env): DatabaseConfig {
  const config: DatabaseConfig = {name, adapter: null, pool: null, url: null, line: node.line, unknown: []}
  const adapter = nodeAt(node, ['adapter'])
  if (adapter?.kind === 'scalar' && typeof adapter.value === 'string') config.adapter = adapter.value

  const reads = (['max_connections', 'pool'] as const).map(key => {
    const n = nodeAt(node, [key])
    if (!n || (n.kind === 'scalar' && n.value === null && !(n.erb && !n.erb.ok))) return null
    return readScalar(n, file, poolSize, `${key}:`)
  })
  const [max, pool] = reads
  for (const r of reads) if (r && !r.ok) config.unknown.push(r.why)
  if (max?.ok && pool?.ok && max.value.value !== pool.value.value) {
    config.unknown.push(`${fileLine(file, node.line)}: ${name} sets both pool: ${pool.value.value} and max_connections: ${max.value.value} (Rails 8.1: "Ambiguous configuration")`)
  } else if (max?.ok) config.pool = max.value
  else if (!max && pool?.ok) config.pool = pool.value

  const url = nodeAt(node, ['url'])
  if (url) config.url = url.kind === 'scalar' && url.erb ? erbUrl(url, file, config.unknown) : literalUrl(url, file)
  else {
    // ActiveRecord::DatabaseConfigurations: `<NAME>_DATABASE_URL`, and DATABASE_URL for primary only.
    const own = `${name.toUpperCase()}_DATABASE_URL`
    const variable = name === 'primary' && env[own] === undefined ? 'DATABASE_URL' : own
    config.url = {variable, source: `${variable} (Rails merges it into ${name})`}
  }
  return config
}

function erbUrl(node: YamlNode & {kind: 'scalar'}, file: string, unknown: string[]): DatabaseConfig['url'] {
  const at = fileLine(file, node.line)
  if (node.erb && !node.erb.ok) { unknown.push(`${at}: url: could not be read: ${node.erb.why}`); return null }
  const variable = node.erb?.ok ? node.erb.variable : undefined
  if (variable === undefined) return literalUrl(node, file)
  return {variable, source: `${variable} via ${at}`}
}

function literalUrl(node: YamlNode, file: string): DatabaseConfig['url'] {
  const value = node.kind === 'scalar' && node.value !== null ? String(node.value) : ''
  return {variable: null, source: `${fileLine(file, node.line)}: ${redactUrl(value)}`}
}

/** ActiveRecord's `.to_i` of a pool size; null for what is not a count. */
function poolSize(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.trunc(value)
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) return parseInt(value, 10)
  return null
}

/** `?pool=`/`?max_connections=` of a database URL (max_connections first, as Rails 8.1); null when absent. */
export function poolFromDatabaseUrl(url: string): number | null {
  // After the userinfo: a password may hold `?`.
  const query = url.indexOf('?', url.lastIndexOf('@') + 1)
  if (query < 0) return null
  const params = new Map<string, string>()
  for (const pair of url.slice(query + 1).split('#')[0]!.split('&')) {
    const eq = pair.indexOf('=')
    if (eq > 0) params.set(pair.slice(0, eq), pair.slice(eq + 1))
  }
  for (const key of ['max_connections', 'pool']) {
    const value = params.get(key)
    if (value !== undefined && /^\d+$/.test(value)) return parseInt(value, 10)
  }
  return null
}
