// The options the runtime hands to ioredis and pg, inspected on real (unconnected) client objects.
import {Redis} from 'ioredis'
import pg from 'pg'
import {describe, expect, it} from 'vitest'
import {pgPoolConfig, redisOptions, resolveSettings, RuntimeError} from '../../../src/runtime/index.js'

const HEROKU_DB = 'postgres://u1abc:s3cr3tpw@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d9xyz?sslmode=require'
const HEROKU_KVS = 'rediss://:p4ssw0rd@ec2-5-6-7-8.compute-1.amazonaws.com:12345'

/** The ioredis options a client built from redisOptions really has (lazyConnect: no connection is made). */
function ioredisOptions(env: Record<string, string>, purpose: 'producer' | 'consumer') {
  const {url, options} = redisOptions(resolveSettings(env), purpose)
  const client = new Redis(url, {...options, lazyConnect: true})
  client.disconnect()
  return client.options
}

describe('Redis options', () => {
  it('rediss:// gets TLS without certificate verification, which ioredis keeps over the URL\'s tls: true', () => {
    const options = ioredisOptions({DYNO: 'web.1', REDIS_URL: HEROKU_KVS}, 'producer')
    expect(options.tls).toEqual({rejectUnauthorized: false})
    expect(options.port).toBe(12345)
    expect(options.password).toBe('p4ssw0rd')
  })

  it('redis:// gets no TLS', () => {
    expect(ioredisOptions({DYNO: 'web.1', REDIS_URL: 'redis://127.0.0.1:6379'}, 'producer').tls).toBeUndefined()
  })

  it('the URL comes from whichever catalogue variable is set (REDISCLOUD_URL here)', () => {
    const {url} = redisOptions(resolveSettings({REDISCLOUD_URL: 'redis://cloud.example:6380'}), 'producer')
    expect(url).toBe('redis://cloud.example:6380')
  })

  it('a producer fails fast (no offline queue, 1 retry); a consumer waits (maxRetriesPerRequest null, as BullMQ requires)', () => {
    const env = {DYNO: 'worker.3', REDIS_URL: 'redis://127.0.0.1:6379'}
    expect(ioredisOptions(env, 'producer')).toMatchObject({enableOfflineQueue: false, maxRetriesPerRequest: 1})
    expect(ioredisOptions(env, 'consumer')).toMatchObject({enableOfflineQueue: true, maxRetriesPerRequest: null})
  })

  it('every connection waits min(50 ms × attempt, 2 s) before reconnecting (ioredis 5\'s default, which ioredis 6 grows to 5 s + jitter)', () => {
    const env = {DYNO: 'worker.3', REDIS_URL: 'redis://127.0.0.1:6379'}
    const attempts = [1, 2, 10, 39, 40, 41, 1000]
    for (const purpose of ['producer', 'consumer'] as const) {
      // Set explicitly, not left to whichever ioredis major the app installed.
      expect(redisOptions(resolveSettings(env), purpose).options.retryStrategy).toBeTypeOf('function')
      const {retryStrategy} = ioredisOptions(env, purpose)
      expect(attempts.map(n => retryStrategy!(n))).toEqual([50, 100, 500, 1950, 2000, 2000, 2000])
    }
  })

  it('the connection name is tsq:<dyno>:<pid>:<purpose>', () => {
    expect(ioredisOptions({DYNO: 'worker.3', REDIS_URL: 'redis://127.0.0.1:6379'}, 'consumer').connectionName)
      .toBe(`tsq:worker.3:${process.pid}:consumer`)
  })

  it('no Redis URL: a RuntimeError that says which variable to set', () => {
    expect(() => redisOptions(resolveSettings({}), 'producer')).toThrow(RuntimeError)
    expect(() => redisOptions(resolveSettings({}), 'producer')).toThrow(/REDIS_URL/)
  })
})

describe('Postgres options', () => {
  it('a Heroku DATABASE_URL with ?sslmode=require gets TLS without verification in the pg Client it builds', () => {
    const config = pgPoolConfig(resolveSettings({DYNO: 'web.1', DATABASE_URL: HEROKU_DB}))
    const client = new pg.Client(config)
    expect(client.ssl).toEqual({rejectUnauthorized: false})
    expect(config.connectionString).not.toContain('sslmode')
    expect(client.host).toBe('ec2-1-2-3-4.compute-1.amazonaws.com')
    expect(client.database).toBe('d9xyz')
  })

  it('sslmode=verify-full in DATABASE_URL turns verification on', () => {
    const config = pgPoolConfig(resolveSettings({DATABASE_URL: HEROKU_DB.replace('require', 'verify-full')}))
    expect(new pg.Client(config).ssl).toEqual({rejectUnauthorized: true})
  })

  it('the pool holds dbPool connections steadily (min = max) and names them tsq:<dyno>:<pid>', () => {
    const config = pgPoolConfig(resolveSettings({DYNO: 'worker.2', DATABASE_URL: HEROKU_DB, TSQ_WORKER_DB_POOL: '7'}))
    expect(config).toMatchObject({max: 7, min: 7, application_name: `tsq:worker.2:${process.pid}`})
    expect(config.connectionTimeoutMillis).toBeGreaterThan(0)
  })

  it('no DATABASE_URL, or a role with no pool: a RuntimeError, never a password', () => {
    expect(() => pgPoolConfig(resolveSettings({DYNO: 'web.1'}))).toThrow(/DATABASE_URL is not set/)
    const release = () => pgPoolConfig(resolveSettings({DYNO: 'release.1', DATABASE_URL: HEROKU_DB}))
    expect(release).toThrow(/createPgClient/)
    expect(release).not.toThrow(/s3cr3tpw/)
  })
})
