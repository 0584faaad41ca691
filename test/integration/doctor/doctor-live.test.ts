// tsq:doctor --live and --local against throwaway servers with Heroku's small limits (Postgres
// max_connections 20, Redis maxclients 20): the test opens tsq-named and anonymous connections itself, and
// the doctor's live counts must be exactly those.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Redis} from 'ioredis'
import pg from 'pg'
import {afterEach, describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import type {FakeApi} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, PG_ADDON, REDIS_ADDON, SENTINEL_VALUES} from '../../helpers/scenarios.js'
import {type PostgresService, type RedisService, startPostgres, startRedis} from '../../helpers/services.js'
import {runInProcess} from './run-in-process.js'

const REDIS_PASSWORD = 'SENTINELliveRedisPW3317'
const PG_PASSWORD = 'SENTINELlivePgPW8820'
const fakeApi = useFakeApi()
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {})
})

async function servers(): Promise<{redis: RedisService, postgres: PostgresService}> {
  const [redis, postgres] = await Promise.all([startRedis({maxclients: 20, password: REDIS_PASSWORD}), startPostgres({maxConnections: 20, password: PG_PASSWORD})])
  cleanups.push(() => redis.stop(), () => postgres.stop())
  return {redis, postgres}
}

/** Opens Redis connections with these names (undefined: no name) and waits until each is ready. */
async function openRedis(url: string, names: Array<string | undefined>): Promise<void> {
  const clients = names.map(connectionName => new Redis(url, {lazyConnect: true, ...(connectionName ? {connectionName} : {})}))
  cleanups.push(() => Promise.all(clients.map(c => c.quit())))
  await Promise.all(clients.map(c => c.connect()))
  // ioredis sends CLIENT SETNAME while connecting; a PING after it means the name is set.
  await Promise.all(clients.map(c => c.ping()))
}

async function openPostgres(url: string, names: Array<string | undefined>): Promise<void> {
  const clients = names.map(application_name => new pg.Client({connectionString: url, application_name}))
  for (const c of clients) c.on('error', () => {})
  cleanups.push(() => Promise.all(clients.map(c => c.end())))
  await Promise.all(clients.map(c => c.connect()))
}

// What the runtime would open for web.1, web.2 (producers) and worker.1 (producer, consumer, blocking),
// plus one anonymous redis-cli-like client.
const REDIS_NAMES = ['tsq:web.1:101:producer', 'tsq:web.2:201:producer', 'tsq:worker.1:301:producer', 'tsq:worker.1:301:consumer',
  'tsq:worker.1:301:blocking', undefined]
// Two busy web pool connections, one worker connection, and a psql session.
const PG_NAMES = ['tsq:web.1:101', 'tsq:web.1:101', 'tsq:worker.1:301', 'psql']

function noSecrets(text: string): void {
  for (const secret of [...SENTINEL_VALUES, REDIS_PASSWORD, PG_PASSWORD]) expect(text).not.toContain(secret)
}

describe('tsq:doctor --live', () => {
  it('counts exactly the connections the test opened, attributed by dyno and purpose, with the servers\' limits', async () => {
    const {redis, postgres} = await servers()
    await openRedis(redis.url, REDIS_NAMES)
    await openPostgres(postgres.url, PG_NAMES)
    const scenario = scenarios.herokuRedisAndPostgres()
    scenario.addons.find(a => a.name === REDIS_ADDON)!.url = redis.url
    scenario.addons.find(a => a.name === PG_ADDON)!.url = postgres.url
    const fake: FakeApi = await fakeApi.start(scenario)
    const run = await runInProcess(Doctor, ['-a', APP, '--live', '--json'],
      {HEROKU_HOST: fake.url, HEROKU_DATA_HOST: fake.url, HEROKU_API_KEY: fake.state.token, NO_COLOR: '1'})
    noSecrets(run.stdout + run.stderr)
    const report = JSON.parse(run.stdout) as DoctorReport
    const r = report.resources.find(x => x.kind === 'redis')!
    const p = report.resources.find(x => x.kind === 'postgres')!
    expect(r.live).toMatchObject({connections: 6, limit: 20, unattributed: 1, error: null, attributed: [
      {dyno: 'web.1', purpose: 'producer', count: 1}, {dyno: 'web.2', purpose: 'producer', count: 1},
      {dyno: 'worker.1', purpose: 'blocking', count: 1}, {dyno: 'worker.1', purpose: 'consumer', count: 1},
      {dyno: 'worker.1', purpose: 'producer', count: 1},
    ]})
    expect(p.live).toMatchObject({connections: 4, limit: 17, unattributed: 1, error: null, attributed: [
      {dyno: 'web.1', purpose: 'db', count: 2}, {dyno: 'worker.1', purpose: 'db', count: 1},
    ]})
    // The server's 17 usable slots (20 − 3 superuser) are tighter than the plan's 20: they become the limit.
    expect(p).toMatchObject({limit: 17, limitSource: expect.stringContaining('live server')})
    const redisLive = report.checks.find(c => c.id === 'redis.live')!
    expect(redisLive.message).toContain('Live: 6 connections (5 tsq-named: web 2, worker 3; 1 unattributed) against 7 predicted')
    expect(report.checks.find(c => c.id === 'postgres.live')!.message).toContain('Live: 4 connections (3 tsq-named: web 2, worker 1; 1 unattributed)')
    expect(fake.mutations()).toEqual([])
  })

  it('warns with the reason, and still reports, when a server is unreachable', async () => {
    const {redis, postgres} = await servers()
    await postgres.stop()
    const scenario = scenarios.herokuRedisAndPostgres()
    scenario.addons.find(a => a.name === REDIS_ADDON)!.url = redis.url
    scenario.addons.find(a => a.name === PG_ADDON)!.url = postgres.url
    const fake = await fakeApi.start(scenario)
    const run = await runInProcess(Doctor, ['-a', APP, '--live', '--json'], {HEROKU_HOST: fake.url, HEROKU_DATA_HOST: fake.url, HEROKU_API_KEY: fake.state.token})
    const report = JSON.parse(run.stdout) as DoctorReport
    expect(report.checks.find(c => c.id === 'postgres.live')).toMatchObject({status: 'warn', message: expect.stringContaining('ECONNREFUSED')})
    expect(report.resources.find(x => x.kind === 'redis')!.live!.error).toBeNull()
    expect(run.stderr).toContain('Postgres not measured')
  })
})

describe('tsq:doctor --local', () => {
  it('reads the Procfile and .env, applies --formation, and counts exactly the connections the test opened', async () => {
    const {redis, postgres} = await servers()
    const dir = mkdtempSync(join(tmpdir(), 'tsq-doctor-local-'))
    cleanups.push(async () => rmSync(dir, {recursive: true, force: true}))
    writeFileSync(join(dir, 'Procfile'), 'web: node web.js\nworker: node worker.js\nrelease: node migrate.js\n')
    writeFileSync(join(dir, '.env'), `REDIS_URL=${redis.url}\nDATABASE_URL=${postgres.url}\nTSQ_WORKER_CONCURRENCY=3\n`)
    await openRedis(redis.url, ['tsq:web.local:11:producer', 'tsq:worker.local:12:producer', undefined, undefined])
    await openPostgres(postgres.url, ['tsq:web.local:11', 'tsq:worker.local:12', 'tsq:worker.local:12'])
    const run = await runInProcess(Doctor, ['--local', '--dir', dir, '--formation', 'web=2', '--json'],
      {HEROKU_HOST: 'http://127.0.0.1:9', HEROKU_API_KEY: undefined, REDIS_URL: undefined, DATABASE_URL: undefined})
    noSecrets(run.stdout + run.stderr)
    const report = JSON.parse(run.stdout) as DoctorReport
    expect(report.mode).toBe('local')
    expect(report.processes.map(x => [x.type, x.dynos, x.processesPerDyno, x.concurrency, x.dbPool])).toEqual([['web', 2, 1, null, 5], ['worker', 1, 1, 3, 3]])
    const r = report.resources.find(x => x.kind === 'redis')!
    const p = report.resources.find(x => x.kind === 'postgres')!
    expect(r.live).toMatchObject({connections: 4, limit: 20, unattributed: 2,
      attributed: [{dyno: 'web.local', purpose: 'producer', count: 1}, {dyno: 'worker.local', purpose: 'producer', count: 1}]})
    expect(p.live).toMatchObject({connections: 3, limit: 17, unattributed: 0,
      attributed: [{dyno: 'web.local', purpose: 'db', count: 1}, {dyno: 'worker.local', purpose: 'db', count: 2}]})
    // --local has no catalogue plan: the limits are the servers' own. web 2×1×5 + worker 3 = 13 ≤ 17 − 2.
    expect(p).toMatchObject({limit: 17, demand: 13, status: 'warn'})
    expect(r).toMatchObject({limit: 20, demand: 2 + 3, status: 'ok'})
    expect(run.exitCode).toBe(report.ok ? 0 : 1)
  })

  it('fails with a clear message when there is neither a Procfile nor --formation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsq-doctor-empty-'))
    cleanups.push(async () => rmSync(dir, {recursive: true, force: true}))
    const run = await runInProcess(Doctor, ['--local', '--dir', dir], {})
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('No Procfile in')
    expect(run.stderr).toContain('--formation web=1,worker=1')
  })
})

describe('tsq:doctor --live queue readings', () => {
  it('reads the worker queues as tsq:autoscale does and reports worker.latency', async () => {
    const {redis, postgres} = await servers()
    const s = scenarios.herokuRedisAndPostgres()
    s.addons.find(a => a.name === REDIS_ADDON)!.url = redis.url
    s.addons.find(a => a.name === PG_ADDON)!.url = postgres.url
    const api = await fakeApi.start(s)
    const producer = new Redis(redis.url)
    cleanups.push(async () => producer.disconnect())
    // A job as BullMQ stores it, waiting for 90 s.
    await producer.hset('bull:default:1', 'timestamp', String(Date.now() - 90_000), 'opts', '{}')
    await producer.lpush('bull:default:wait', '1')
    const run = await runInProcess(Doctor, ['-a', APP, '--live', '--json'], {HEROKU_HOST: api.url, HEROKU_DATA_HOST: api.url, HEROKU_API_KEY: api.state.token})
    const report = JSON.parse(run.stdout) as DoctorReport
    expect(report.queues).toEqual([{type: 'worker', backend: 'bullmq', error: null,
      queues: [{name: 'default', backend: 'bullmq', waiting: 1, active: 0, delayed: 0, latencyMs: expect.any(Number)}]}])
    expect(report.queues![0]!.queues[0]!.latencyMs).toBeGreaterThanOrEqual(90_000)
    const check = report.checks.find(c => c.id === 'worker.latency')
    expect(check).toMatchObject({status: 'warn', message: expect.stringMatching(/^Jobs wait longer than 60 s: worker 9\d(\.\d)? s/)})
    for (const secret of SENTINEL_VALUES) expect(run.stdout).not.toContain(secret)
  })
})
