// What a transaction-mode pooler breaks in an ActiveRecord app (spec §11), read from config/database.yml's
// primary config for the app's environment: `prepared_statements:` (Rails' default true: named prepared
// statements), `advisory_locks:` (default true: migrations take a session advisory lock) and session settings
// set on connect (`variables:`, `schema_search_path:`). Query parameters of the URL it reads count as Rails
// merges them (`?prepared_statements=false`). Pure.
import type {Env} from '../../model/settings.js'
import {fileLine} from '../sourced.js'
import {type YamlNode, nodeAt, readErbYaml} from './erb-yaml.js'

export interface SessionSetting {
  value: boolean
  /** `config/database.yml:12`, `?prepared_statements=false in DATABASE_URL`, or `Rails default`. */
  source: string
}

export interface PrimarySession {
  preparedStatements: SessionSetting
  advisoryLocks: SessionSetting
  /** Where session variables are set on connect (`config/database.yml:14: variables:`); null when nowhere. */
  sessionSet: string | null
  /** Line of the primary config, for a fix that adds a line; 0 when the file has none. */
  line: number
}

export interface SessionOptions {
  file?: string
  env: Env
  railsEnv: string
  /** The URL the primary config connects to, for its query parameters. */
  url?: string | null
  urlVariable?: string | null
}

/** The session features the primary database config uses; database.yml text may be null (no file). Never throws. */
export function readPrimarySession(text: string | null, options: SessionOptions): PrimarySession {
  const file = options.file ?? 'config/database.yml'
  const config = text === null ? null : primaryNode(text, file, options)
  const fromUrl = queryFlags(options.url ?? null)
  const setting = (key: 'prepared_statements' | 'advisory_locks'): SessionSetting => {
    const inUrl = fromUrl.get(key)
    if (inUrl !== undefined) return {value: inUrl, source: `?${key}=${inUrl} in ${options.urlVariable ?? 'the database URL'}`}
    const node = nodeAt(config, [key])
    if (node?.kind === 'scalar' && typeof node.value === 'boolean') return {value: node.value, source: fileLine(file, node.line)}
    if (node?.kind === 'scalar' && (node.value === 'false' || node.value === 'true')) return {value: node.value === 'true', source: fileLine(file, node.line)}
    return {value: true, source: `Rails default (no ${key}: in ${file})`}
  }
  const set = ['variables', 'schema_search_path'].map(key => ({key, node: nodeAt(config, [key])})).find(x => x.node !== null)
  return {
    preparedStatements: setting('prepared_statements'),
    advisoryLocks: setting('advisory_locks'),
    sessionSet: set ? `${fileLine(file, set.node!.line)}: ${set.key}:` : null,
    line: config?.line ?? 0,
  }
}

/** The primary config's node: the environment's section (2-level) or its `primary`/first entry (3-level). */
function primaryNode(text: string, file: string, options: SessionOptions): YamlNode | null {
  const yaml = readErbYaml(text, {file, env: options.env, railsEnv: options.railsEnv})
  if (yaml.failed) return null
  const section = nodeAt(yaml.root, [options.railsEnv])
  if (section?.kind !== 'map') return null
  const threeLevel = section.entries.length > 0 && section.entries.every(([, v]) => v.kind === 'map')
  if (!threeLevel) return section
  return nodeAt(section, ['primary']) ?? section.entries[0]?.[1] ?? null
}

/** `?prepared_statements=false&advisory_locks=false` of a URL, as booleans. */
function queryFlags(url: string | null): Map<string, boolean> {
  const flags = new Map<string, boolean>()
  if (!url) return flags
  const query = url.indexOf('?', url.lastIndexOf('@') + 1)
  if (query < 0) return flags
  for (const pair of url.slice(query + 1).split('#')[0]!.split('&')) {
    const [key, value] = pair.split('=')
    if (key && (value === 'true' || value === 'false')) flags.set(key, value === 'true')
  }
  return flags
}
