// Postgres for a tsq process: a pg Pool that holds exactly the `dbPool` connections tsq:doctor predicts,
// with Heroku's TLS and a `tsq:<dyno>:<pid>` application_name on every connection.
import pg from 'pg'
import {redactUrl} from '../core/model/redact.js'
import type {Settings} from '../core/model/settings.js'
import {PgUrlError} from '../core/model/tls.js'
import {createLogger, type Logger} from './log.js'
import {processName, RuntimeError} from './names.js'
import {pgTlsConfig} from './pg-tls.js'
import {sleep} from './time.js'

type PgSettings = Pick<Settings, 'dyno' | 'databaseUrl' | 'dbPool'> & Partial<Pick<Settings, 'databaseUrlVar'>>

// Defaults, in one place. A request or job that cannot get a connection within 10 s gets an error rather
// than waiting forever (pg's default is 0 = wait forever). With `min = max` idle clients are never evicted,
// so idleTimeoutMillis only matters for clients above min, of which there are none.
const CONNECTION_TIMEOUT_MS = 10_000
const IDLE_TIMEOUT_MS = 30_000

/**
 * pg client options for one connection of this process: the URL of `databaseUrlVar` (TSQ_DATABASE_URL_VAR,
 * default DATABASE_URL) without ssl params, TLS as libpq's sslmode says (with `Client`, a client that falls
 * back for prefer/allow), application_name.
 */
export function pgClientConfig(settings: Pick<Settings, 'dyno' | 'databaseUrl'> & Partial<Pick<Settings, 'databaseUrlVar'>>): pg.ClientConfig {
  if (!settings.databaseUrl) {
    const variable = settings.databaseUrlVar ?? 'DATABASE_URL'
    const hint = variable === 'DATABASE_URL' ? 'heroku addons:create heroku-postgresql'
      : `TSQ_DATABASE_URL_VAR names ${variable}; heroku pg:connection-pooling:attach --as ${variable.replace(/_URL$/, '')} creates it`
    throw new RuntimeError(`${variable} is not set: a Postgres pool or client needs it (${hint})`, 'TSQ_NO_DATABASE_URL')
  }
  let tls: ReturnType<typeof pgTlsConfig>
  try {
    tls = pgTlsConfig(settings.databaseUrl)
  } catch (error) {
    if (error instanceof PgUrlError) throw new RuntimeError(`${settings.databaseUrlVar ?? 'DATABASE_URL'}: ${error.message}`, 'TSQ_BAD_DATABASE_URL')
    throw error
  }
  return {
    ...tls,
    application_name: processName(settings),
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
    // Keeps idle connections alive through NAT and proxy idle timeouts between dyno and database.
    keepAlive: true,
  }
}

/** pg Pool options: `max = min = settings.dbPool`, so the pool holds the predicted budget steadily. */
export function pgPoolConfig(settings: PgSettings): pg.PoolConfig {
  if (settings.dbPool < 1) {
    throw new RuntimeError('This process has no Postgres pool (dbPool is 0 for role none); use createPgClient for a one-off connection', 'TSQ_NO_POOL')
  }
  return {...pgClientConfig(settings), max: settings.dbPool, min: settings.dbPool, idleTimeoutMillis: IDLE_TIMEOUT_MS}
}

/**
 * A pg Pool of `settings.dbPool` connections (opened on demand; see warmPgPool). An idle client's error
 * (the server restarted, a network blip) is logged, never thrown: pg removes the client and opens a new one.
 */
export function createPgPool(settings: PgSettings, log: Logger = createLogger(settings)): pg.Pool {
  const pool = new pg.Pool(pgPoolConfig(settings))
  pool.on('error', error => log.error('idle Postgres client failed; the pool replaces it', {err: error}))
  return pool
}

/** A single pg Client with the same TLS and name, for scripts such as a release-phase migration. Not connected. */
export function createPgClient(settings: Pick<Settings, 'dyno' | 'databaseUrl'> & Partial<Pick<Settings, 'databaseUrlVar'>>): pg.Client {
  const config = pgClientConfig(settings) as pg.ClientConfig & {Client?: typeof pg.Client}
  return new (config.Client ?? pg.Client)(config)
}

export interface WarmOptions {
  /** How long to keep retrying connections the server refuses (ms). Default 35 s: during a deploy the old
   *  dynos hold their connections for up to Heroku's 30 s, and a new dyno should wait them out, not crash. */
  retryForMs?: number
  /** First wait between attempts (ms); doubles up to 5 s. */
  retryEveryMs?: number
  /** Stops retrying at once (the process is shutting down). */
  signal?: AbortSignal
  /** Told about each refused attempt: connections held, wanted, and the server's reason (secrets redacted). */
  onRetry?: (held: number, size: number, reason: string) => void
}

/**
 * Opens `size` connections (default: the pool's max) and returns them to the pool, so the process holds
 * what the doctor predicts from boot and a "too many clients" problem shows now rather than under load.
 * Connections the server refuses are retried with backoff for `retryForMs` (keeping those already open);
 * then it throws a RuntimeError (TSQ_PG_WARMUP) saying how many were refused.
 */
export async function warmPgPool(pool: pg.Pool, size: number = pool.options.max, options: WarmOptions = {}): Promise<void> {
  const {retryForMs = 35_000, retryEveryMs = 500, signal, onRetry} = options
  const deadline = Date.now() + retryForMs
  let wait = retryEveryMs
  for (;;) {
    // Ask for all `size` at once: the pool hands out its idle clients first and opens only the missing ones.
    const results = await Promise.allSettled(Array.from({length: size}, () => pool.connect()))
    for (const r of results) if (r.status === 'fulfilled') r.value.release()
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed.length === 0) return
    const reason = redactUrl(String((failed[0]!.reason as Error)?.message ?? failed[0]!.reason))
    if (signal?.aborted || Date.now() + wait > deadline) {
      throw new RuntimeError(
        `Postgres refused ${failed.length} of the ${size} connections this process is sized for (dbPool)` +
        `${retryForMs > 0 ? ` after retrying for ${Math.round(retryForMs / 1000)} s` : ''}: ${reason}. ` +
        'Check the plan\'s connection limit with tsq:doctor.',
        'TSQ_PG_WARMUP')
    }
    onRetry?.(size - failed.length, size, reason)
    await sleep(wait, signal)
    wait = Math.min(wait * 2, 5000)
  }
}
