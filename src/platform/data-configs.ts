// What Heroku's Data API says about poolers and Redis eviction (spec §11), read as the official CLI reads it:
// `heroku pg:settings` (`GET /postgres/v0/databases/{id}/config`: the server-side pooler's pgbouncer_* settings),
// `heroku redis:info` (`GET /redis/v0/databases/{name}`: its info rows, among them the maxmemory policy), and
// the one mutation, `heroku pg:connection-pooling:attach` (`POST /client/v11/databases/{db}/connection-pooling`).
// A read that fails is recorded with its reason, never thrown.
import type {AttachmentInfo, RedisDataConfig, ServerPoolerConfig} from '../core/model/app-state.js'
import type {ApiAttachment} from './api-types.js'
import type {Platform} from './client.js'
import {PlatformError} from './errors.js'
import {parseAttachment} from './parse.js'
import {SHAPES} from './shapes.js'

/** The server-side pooler's settings of database add-on `addonId`. */
export async function readPoolerConfig(platform: Platform, addonId: string): Promise<ServerPoolerConfig> {
  try {
    const body = await platform.getData<Record<string, unknown>>(`/postgres/v0/databases/${encodeURIComponent(addonId)}/config`, {shape: SHAPES.database})
    return parsePoolerConfig(body)
  } catch (error) {
    if (error instanceof PlatformError) return {maxClientConn: null, maxDbConnections: null, defaultPoolSize: null, error: error.message}
    throw error
  }
}

/** `{pgbouncer_max_client_conn: {value: 10000}, …}`; the CLI's types also spell them `pg_bouncer_*`. */
export function parsePoolerConfig(body: Record<string, unknown>): ServerPoolerConfig {
  const number = (...keys: string[]): number | null => {
    for (const key of keys) {
      const raw = body[key]
      const value = typeof raw === 'object' && raw !== null && 'value' in raw ? (raw as {value: unknown}).value : raw
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN
      if (Number.isSafeInteger(n) && n > 0) return n
    }
    return null
  }
  const config = {
    maxClientConn: number('pgbouncer_max_client_conn', 'pg_bouncer_max_client_conn'),
    maxDbConnections: number('pgbouncer_max_db_connections', 'pg_bouncer_max_db_conns', 'pgbouncer_max_db_conns'),
    defaultPoolSize: number('pgbouncer_default_pool_size', 'pg_bouncer_default_pool_size'),
  }
  const none = Object.values(config).every(v => v === null)
  return {...config, error: none ? 'the answer has no pgbouncer settings' : null}
}

/** The maxmemory policy of Key-Value Store add-on `addonName` from its info rows. */
export async function readRedisDataConfig(platform: Platform, addonName: string): Promise<RedisDataConfig> {
  try {
    const body = await platform.getData<{info?: unknown}>(`/redis/v0/databases/${encodeURIComponent(addonName)}`, {shape: SHAPES.database})
    return parseRedisInfo(body)
  } catch (error) {
    if (error instanceof PlatformError) return {maxmemoryPolicy: null, error: error.message}
    throw error
  }
}

/** `info: [{name: 'Maxmemory', values: ['noeviction']}, …]`: the row naming a policy. */
export function parseRedisInfo(body: {info?: unknown}): RedisDataConfig {
  const rows = Array.isArray(body.info) ? body.info as Array<{name?: unknown, values?: unknown}> : []
  const row = rows.find(r => typeof r.name === 'string' && /max\s*memory(\s*policy)?/i.test(r.name))
  const value = Array.isArray(row?.values) ? row.values.find(v => typeof v === 'string') as string | undefined : undefined
  const policy = value?.trim().toLowerCase().match(/\b(noeviction|(?:allkeys|volatile)-(?:lru|lfu|random)|volatile-ttl)\b/)?.[1] ?? null
  if (policy) return {maxmemoryPolicy: policy, error: null}
  return {maxmemoryPolicy: null, error: row ? `unreadable maxmemory row ${JSON.stringify(value ?? null)}` : 'the answer has no maxmemory row'}
}

export interface PoolingAttachInput {
  app: string
  /** The database add-on's name. */
  database: string
  /** Attachment name: `DATABASE_CONNECTION_POOL` gives `DATABASE_CONNECTION_POOL_URL`. */
  name: string
}

/** What `heroku pg:connection-pooling:attach DATABASE --as NAME` sends; never re-sent (a POST). */
export async function attachConnectionPooling(platform: Platform, input: PoolingAttachInput): Promise<AttachmentInfo> {
  const response = await platform.request<ApiAttachment>('POST', `/client/v11/databases/${encodeURIComponent(input.database)}/connection-pooling`,
    {api: 'data', body: {app: input.app, credential: 'default', name: input.name}, idempotent: false, shape: SHAPES.attachment})
  const attachment = parseAttachment(response.body)
  return {...attachment, namespace: attachment.namespace ?? 'connection-pooling:default', app: attachment.app || input.app}
}
