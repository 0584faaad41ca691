// The runtime opens exactly the connections tsq:doctor predicts (settings.redisConnections, settings.dbPool),
// each under its tsq name, as the real Redis (CLIENT LIST) and Postgres (pg_stat_activity) see them.
import {Queue} from 'bullmq'
import {describe, expect, it} from 'vitest'
import {resolveSettings} from '../../../src/runtime/index.js'
import {dynoEnv, migrate, pgCounts, pidOf, REDIS_URL, redisNames, resultRows, uid, until, useRuntimeFixtures} from './harness.js'

const b64 = (s: string) => Buffer.from(s).toString('base64')
const suite = useRuntimeFixtures()

describe('connections per process', () => {
  it('a web process holds 1 Redis connection named tsq:<dyno>:<pid>:producer and dbPool Postgres connections named tsq:<dyno>:<pid>, and none after SIGTERM', async () => {
    const id = uid()
    const dyno = `web.${id}`
    suite.queues.push(`${id}-a`)
    const env = dynoEnv({DYNO: dyno, PORT: '0', TSQ_QUEUES: `${id}-a`, EXAMPLE_TABLE: `${id}_results`})
    const settings = resolveSettings(env)
    const app = suite.start(env)
    await app.waitFor(/ ready /)

    expect(await redisNames(suite.redis, dyno)).toEqual([`tsq:${dyno}:${app.pid}:producer`])
    expect(settings.redisConnections).toBe(1)
    expect(await pgCounts(suite.pool, dyno)).toEqual({[`tsq:${dyno}:${app.pid}`]: settings.dbPool})

    app.child.kill('SIGTERM')
    expect(await app.exited).toEqual({code: 0, signal: null})
    await until(async () => (await redisNames(suite.redis, dyno)).length === 0 && Object.keys(await pgCounts(suite.pool, dyno)).length === 0,
      5000, 'connections to close')
  })

  it('a worker dyno of 2 processes with 2 queues: each process holds producer, consumer and one blocking connection per queue plus dbPool Postgres connections, also after a job enqueued a follow-up; the primary holds none; none after SIGTERM', async () => {
    const id = uid()
    const dyno = `worker.${id}`
    const names = [`${id}-a`, `${id}-b`]
    suite.queues.push(...names)
    suite.tables.push(`${id}_results`)
    const env = dynoEnv({DYNO: dyno, WEB_CONCURRENCY: '2', TSQ_QUEUES: names.join(','), TSQ_CONCURRENCY: '3', EXAMPLE_TABLE: `${id}_results`})
    const settings = resolveSettings(env)
    migrate(env)
    const app = suite.start(env)
    const children = (await app.waitFor(/ ready /, 2)).map(pidOf)
    expect(children).not.toContain(app.pid)
    // A job on queue a whose processor enqueues a follow-up on queue b, through the worker's producer.
    const producer = new Queue(names[0]!, {connection: {url: REDIS_URL}})
    await producer.add('example', {ms: 10, next: names[1]}, {jobId: 'first'})
    await producer.close()
    await until(async () => (await resultRows(suite.pool, `${id}_results`)).filter(r => r.finished_at).length === 2, 10_000, 'job and follow-up')
    expect((await resultRows(suite.pool, `${id}_results`)).map(r => r.job_id)).toEqual(['first', 'first-next'])

    const expected = children.flatMap(pid => [
      `tsq:${dyno}:${pid}:producer`,
      `tsq:${dyno}:${pid}:consumer`,
      ...names.map(q => `bull:${b64(q)}:w:tsq:${dyno}:${pid}:blocking`),
    ]).sort()
    const seen = await redisNames(suite.redis, dyno)
    expect(seen).toEqual(expected)
    expect(seen.length).toBe(settings.processesPerDyno * settings.redisConnections)
    expect(await pgCounts(suite.pool, dyno)).toEqual(Object.fromEntries(children.map(pid => [`tsq:${dyno}:${pid}`, settings.dbPool])))
    expect(settings.dbPool).toBe(3) // a worker's pool defaults to its concurrency

    app.child.kill('SIGTERM')
    expect(await app.exited).toEqual({code: 0, signal: null})
    await until(async () => (await redisNames(suite.redis, dyno)).length === 0 && Object.keys(await pgCounts(suite.pool, dyno)).length === 0,
      5000, 'connections to close')
  })
})
