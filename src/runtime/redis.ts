// Redis for a tsq process: ioredis clients named `tsq:<dyno>:<pid>:<purpose>`, TLS that accepts Heroku's
// self-signed certificates, and per-purpose failure behaviour.
import {Redis, type RedisOptions} from 'ioredis'
import type {Settings} from '../core/model/settings.js'
import {redisTlsOptions} from '../core/model/tls.js'
import {createLogger, type Logger} from './log.js'
import {redisClientName, RuntimeError, type RedisPurpose} from './names.js'

type RedisSettings = Pick<Settings, 'dyno' | 'redisUrl'>

/**
 * Reconnect delay after the nth failed attempt: ioredis 5's default, min(n × 50 ms, 2 s), set explicitly so
 * that ioredis 6 (whose default grows to 5 s + up to 200 ms jitter) reconnects as soon: after a failover
 * the producer fails every enqueue until it is connected again, so a dyno should not wait 5 s for Redis.
 */
function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 50, 2000)
}

/**
 * The URL and ioredis options for one connection. Producers (web requests enqueueing) fail fast: no
 * offline queue and one retry, so a request gets an error during an outage instead of hanging. Consumer
 * and blocking connections wait for Redis to come back (`maxRetriesPerRequest: null`, required by BullMQ).
 * Every connection reconnects after reconnectDelay(), with either ioredis major.
 * The TLS options go in the second constructor argument, where they win over what `rediss://` implies.
 */
export function redisOptions(settings: RedisSettings, purpose: RedisPurpose): {url: string, options: RedisOptions} {
  if (!settings.redisUrl) {
    throw new RuntimeError('No Redis URL is set (REDIS_URL or another Redis add-on variable): run heroku tsq:setup', 'TSQ_NO_REDIS_URL')
  }
  const failFast = purpose === 'producer'
  return {
    url: settings.redisUrl,
    options: {
      ...redisTlsOptions(settings.redisUrl),
      connectionName: redisClientName(settings, purpose),
      maxRetriesPerRequest: failFast ? 1 : null,
      enableOfflineQueue: !failFast,
      retryStrategy: reconnectDelay,
    },
  }
}

/**
 * A new, connecting ioredis client for `purpose`; the caller owns it and closes it. Errors are logged
 * (ioredis reconnects by itself) rather than left unhandled.
 */
export function createRedis(settings: RedisSettings, purpose: RedisPurpose, log: Logger = createLogger(settings)): Redis {
  const {url, options} = redisOptions(settings, purpose)
  const client = new Redis(url, options)
  client.on('error', (error: Error) => log.warn(`Redis ${purpose} connection error; reconnecting`, {err: error}))
  return client
}
