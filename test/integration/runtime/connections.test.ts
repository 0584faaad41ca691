// The runtime opens exactly the connections tsq:doctor predicts (settings.redisConnections, settings.dbPool),
// each under its tsq name, as the real Redis (CLIENT LIST) and Postgres (pg_stat_activity) see them.
import {Queue} from 'bullmq'
import type {Redis} from 'ioredis'
import type pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {resolveSettings} from '../../../src/runtime/index.js'
import {
  deleteQueueKeys, dynoEnv, ensureBuilt, kill, migrate, pgCounts, pgPool, pidOf, redis, REDIS_URL, redisNames, resultRows,
  startApp, uid, until, type AppProcess,
} from './harness.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')
let client: Redis
let pool: pg.Pool
const apps: AppProcess[] = []
const queues: string[] = []
const tables: string[] = []

beforeAll(() => {
  client = redis()
  pool = pgPool()
  ensureBuilt()
})

afterAll(async () => {
  apps.forEach(kill)
  await deleteQueueKeys(client, queues)
  for (const table of tables) await pool.query(`DROP TABLE IF EXISTS ${table}`)
  client.disconnect()
  await pool.end()
})

describe('connections per process', () => {
  it('a web process holds 1 Redis connection named tsq:<dyno>:<pid>:producer and dbPool Postgres connections named tsq:<dyno>:<pid>, and none after SIGTERM', async () => {
    const id = uid()
    const dyno = `web.${id}`
    queues.push(`${id}-a`)
    const env = dynoEnv({DYNO: dyno, PORT: '0', TSQ_QUEUES: `${id}-a`, EXAMPLE_TABLE: `${id}_results`})
    const settings = resolveSettings(env)
    const app = startApp(env)
    apps.push(app)
    await app.waitFor(/ ready /)

    expect(await redisNames(client, dyno)).toEqual([`tsq:${dyno}:${app.pid}:producer`])
    expect(settings.redisConnections).toBe(1)
    expect(await pgCounts(pool, dyno)).toEqual({[`tsq:${dyno}:${app.pid}`]: settings.dbPool})

    app.child.kill('SIGTERM')
    expect(await app.exited).toEqual({code: 0, signal: null})
    await until(async () => (await redisNames(client, dyno)).length === 0 && Object.keys(await pgCounts(pool, dyno)).length === 0,
      5000, 'connections to close')
  })

  it('a worker dyno of 2 processes with 2 queues: each process holds producer, consumer and one blocking connection per queue plus dbPool Postgres connections, also after a job enqueued a follow-up; the primary holds none; none after SIGTERM', async () => {
    const id = uid()
    const dyno = `worker.${id}`
    const names = [`${id}-a`, `${id}-b`]
    queues.push(...names)
    tables.push(`${id}_results`)
    const env = dynoEnv({DYNO: dyno, WEB_CONCURRENCY: '2', TSQ_QUEUES: names.join(','), TSQ_CONCURRENCY: '3', EXAMPLE_TABLE: `${id}_results`})
    const settings = resolveSettings(env)
    migrate(env)
    const app = startApp(env)
    apps.push(app)
    const children = (await app.waitFor(/ ready /, 2)).map(pidOf)
    expect(children).not.toContain(app.pid)
    // A job on queue a whose processor enqueues a follow-up on queue b, through the worker's producer.
    const producer = new Queue(names[0]!, {connection: {url: REDIS_URL}})
    await producer.add('example', {ms: 10, next: names[1]}, {jobId: 'first'})
    await producer.close()
    await until(async () => (await resultRows(pool, `${id}_results`)).filter(r => r.finished_at).length === 2, 10_000, 'job and follow-up')
    expect((await resultRows(pool, `${id}_results`)).map(r => r.job_id)).toEqual(['first', 'first-next'])

    const expected = children.flatMap(pid => [
      `tsq:${dyno}:${pid}:producer`,
      `tsq:${dyno}:${pid}:consumer`,
      ...names.map(q => `bull:${b64(q)}:w:tsq:${dyno}:${pid}:blocking`),
    ]).sort()
    const seen = await redisNames(client, dyno)
    expect(seen).toEqual(expected)
    expect(seen.length).toBe(settings.processesPerDyno * settings.redisConnections)
    expect(await pgCounts(pool, dyno)).toEqual(Object.fromEntries(children.map(pid => [`tsq:${dyno}:${pid}`, settings.dbPool])))
    expect(settings.dbPool).toBe(3) // a worker's pool defaults to its concurrency

    app.child.kill('SIGTERM')
    expect(await app.exited).toEqual({code: 0, signal: null})
    await until(async () => (await redisNames(client, dyno)).length === 0 && Object.keys(await pgCounts(pool, dyno)).length === 0,
      5000, 'connections to close')
  })
})
