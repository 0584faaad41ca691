// The proof for Rails apps (spec section 9): the example Rails 6.1 app on real Puma 5.6 and Sidekiq 6.4, as local
// dynos, against throwaway Postgres (max_connections 20) and Redis (maxclients 20), the app on a non-superuser
// role as on Heroku. (a) With the guide's settings — Sidekiq concurrency 20 over an ActiveRecord pool of 16 —
// a job burst makes the worker log ActiveRecord::ConnectionTimeoutError. (b) With the files tsq:setup generates,
// at a formation that fits 20/20, the same kind of load gives no connection error, every job runs exactly
// once, and the peak connections of each process type are what the budget predicts.
import {writeFileSync} from 'node:fs'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {Formation} from '../../helpers/formation.js'
import {driveLoad} from '../proof/lib/load.js'
import {type Servers, startServers} from '../proof/lib/servers.js'
import {predictedPeaks} from './lib/predict.js'
import {type RailsApp, SECRET_KEY_BASE, migrate, prepareRailsApp} from './lib/rails-app.js'
import {RailsSampler} from './lib/rails-sampler.js'
import {type RailsJobStats, railsJobStats} from '../../../scripts/lib/rails-app.js'

const hasRuby = await import('node:child_process').then(cp => {
  try {
    cp.execFileSync('bundle', ['--version'], {stdio: 'ignore'})
    cp.execFileSync('ruby', ['-e', 'gem "rails", "~> 6.1"; gem "sidekiq"; gem "puma"; gem "pg"'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})

const TIMEOUT_ERROR = /ActiveRecord::ConnectionTimeoutError/
const PG_FULL = /too many clients|remaining connection slots/i
const REDIS_FULL = /max number of clients/i
const ANY_CONNECTION_ERROR = new RegExp(`${TIMEOUT_ERROR.source}|${PG_FULL.source}|${REDIS_FULL.source}`, 'i')

/** Every measurement of the run, printed as one JSON line (and written to $TSQ_RAILS_PROOF_OUT when set). */
const measurements: Record<string, unknown> = {}

let servers: Servers
const apps: RailsApp[] = []
let formation: Formation | undefined
let sampler: RailsSampler | undefined

beforeAll(async () => {
  servers = await startServers({maxclients: 20, maxConnections: 20})
}, 120_000)

afterEach(async () => {
  await formation?.stopAll(5000).catch(() => {})
  await sampler?.stop().catch(() => {})
  formation = undefined
  sampler = undefined
  // Each test starts from an empty table and queue.
  await servers.admin.query('DROP TABLE IF EXISTS job_results, schema_migrations, ar_internal_metadata').catch(() => {})
  if (servers) await flushRedis().catch(() => {})
}, 60_000)

afterAll(async () => {
  await servers?.stop()
  for (const app of apps) app.remove()
  const line = JSON.stringify(measurements)
  console.log(`RAILS_PROOF_MEASUREMENTS ${line}`)
  if (process.env.TSQ_RAILS_PROOF_OUT) writeFileSync(process.env.TSQ_RAILS_PROOF_OUT, line + '\n')
}, 60_000)

async function flushRedis(): Promise<void> {
  const {Redis} = await import('ioredis')
  const r = new Redis(servers.redisUrl, {connectionName: 'tsq-proof-harness', maxRetriesPerRequest: 1})
  try {
    await r.flushall()
  } finally {
    r.disconnect()
  }
}

function appEnv(extra: Record<string, string>): Record<string, string> {
  return {RAILS_ENV: 'production', SECRET_KEY_BASE, DATABASE_URL: servers.databaseUrl, REDIS_URL: servers.redisUrl,
    LANG: 'C.UTF-8', RAILS_LOG_LEVEL: 'info', ...extra}
}

function jobStats(prefix: string): Promise<RailsJobStats> {
  return railsJobStats(servers.admin, prefix)
}

async function waitJobsDone(prefix: string, total: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while ((await jobStats(prefix)).finished < total && Date.now() < deadline) await new Promise(r => setTimeout(r, 250))
}

/** Puma's master pid, from its `[pid] Puma starting in cluster mode` line. */
function pumaMasterPid(f: Formation, dyno: string): string | undefined {
  for (const l of f.dynos.get(dyno)?.lines ?? []) {
    const m = /^\[(\d+)\] Puma starting in cluster mode/.exec(l)
    if (m) return m[1]
  }
  return undefined
}

async function post(port: number, path: string): Promise<{status: number, body: string}> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {method: 'POST', signal: AbortSignal.timeout(30_000)})
  return {status: res.status, body: await res.text()}
}

describe.skipIf(!hasRuby)('Rails on Puma + Sidekiq at 20/20 connection limits', () => {
  it('the guide\'s settings: Sidekiq concurrency 20 over a pool of 16 logs ActiveRecord::ConnectionTimeoutError under a job burst', async () => {
    const app = await prepareRailsApp('guide')
    apps.push(app)
    const env = appEnv({WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5'})
    await migrate(app, env)
    // RAILS_MAX_THREADS=16 for the worker type only: database.yml's pool is 16 there, while config/sidekiq.yml
    // says 20 (and Puma keeps its 5 threads).
    const procfile = {web: app.procfile.web!, worker: `RAILS_MAX_THREADS=16 ${app.procfile.worker!}`}
    sampler = await new RailsSampler(servers.admin, servers.redisUrl).start()
    formation = new Formation({procfile, cwd: app.dir, env})
    const [web] = await formation.scale('web', 1)
    await formation.waitFor('web.1', /Worker \d+ \(PID: \d+\) booted/, 2, 60_000)

    // The burst is enqueued before the worker starts: once Sidekiq runs at concurrency 20 it takes every Redis
    // client Mini allows (measured: the web then answers 500, "max number of clients reached").
    // 40 jobs that keep their connection 7 s (longer than ActiveRecord's 5 s checkout timeout): 20 threads
    // take one each, 16 get a connection, the others give up after 5 s.
    const res = await post(web!.port!, '/jobs?count=40&ms=7000&id=guide')
    expect(res.status, formation.output().slice(-15).join('\n')).toBe(202)
    await formation.scale('worker', 1)
    const errors = await formation.waitFor('worker.1', TIMEOUT_ERROR, 1, 45_000)
    const output = formation.output()
    await sampler.stop()
    measurements.guide = {
      settings: {webWorkers: 2, webThreads: 5, sidekiqConcurrency: 20, sidekiqPool: 16},
      peaks: {postgres: sampler.peaks.postgres.total, redis: sampler.peaks.redis.total},
      errors: {
        connectionTimeout: output.filter(l => TIMEOUT_ERROR.test(l)).length,
        postgresFull: output.filter(l => PG_FULL.test(l)).length,
        redisFull: output.filter(l => REDIS_FULL.test(l)).length,
      },
      firstLines: [TIMEOUT_ERROR, PG_FULL, REDIS_FULL].map(re => output.find(l => re.test(l)) ?? null),
    }
    // Rails 6.1's wording; older Rails said "could not obtain a database connection within 5.000 seconds".
    expect(errors[0]).toMatch(/could not obtain a (database connection|connection from the pool) within 5\.0+ seconds/)
    // The pool caps the worker's connections at 16: what it could not get it waited for, then gave up.
    expect(sampler.peaks.postgres.total).toBeLessThanOrEqual(17)
  }, 90_000)

  it('tsq:setup\'s files at web=1 (WEB_CONCURRENCY=2, RAILS_MAX_THREADS=3), worker=1 (SIDEKIQ_CONCURRENCY=5): no connection error, every job once, peaks as predicted', async () => {
    const app = await prepareRailsApp('tsq')
    apps.push(app)
    const settings = {WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '3', SIDEKIQ_CONCURRENCY: '5'}
    const env = appEnv(settings)
    await migrate(app, env)
    const predicted = predictedPeaks({
      web: {dynos: 1, workers: 2, threads: 3, pool: 3, clientPool: 3},
      worker: {dynos: 1, concurrency: 5, pool: 5, serverPool: 5 + 2},
    })
    sampler = await new RailsSampler(servers.admin, servers.redisUrl).start()
    const {web: webCmd, worker: workerCmd} = app.procfile
    formation = new Formation({procfile: {web: webCmd!, worker: workerCmd!}, cwd: app.dir, env})
    const [web] = await formation.scale('web', 1)
    await formation.scale('worker', 1)
    await formation.waitFor('web.1', /tsq web\.1\[\d+\] forked type=web/, 2, 60_000)
    await formation.waitFor('worker.1', /tsq worker\.1\[\d+\] ready type=worker concurrency=5/, 1, 60_000)
    const master = pumaMasterPid(formation, 'web.1')
    expect(master).toBeDefined()

    // Idle: Sidekiq's processors block on Redis (BRPOP, 2 s timeout) without a job; wait for them all.
    await new Promise(r => setTimeout(r, 3000))
    const idle = await sampler.read()

    // Load: 12 lanes, 240 requests; every 4th a POST of 20 jobs of 20 ms (1,200 jobs), the others GET /?ms=60,
    // which hold a connection 60 ms so that the 2 x 3 Puma threads fill their pools.
    const load = await driveLoad({ports: () => [web!.port!], requests: 240, concurrency: 12, postEvery: 4, jobsPerPost: 20,
      jobMs: 20, prefix: 'tsq', deadlineMs: 60_000})
    expect(load.failures).toEqual([])
    await waitJobsDone('tsq', load.accepted.length, 60_000)
    const stats = await jobStats('tsq')
    await sampler.stop()

    const pg = sampler.peaks.postgres
    const redis = sampler.peaks.redis
    const ofMaster = (p: typeof pg) => Object.entries(p.byProcess).filter(([k]) => k.endsWith(`:${master}`)).reduce((n, [, v]) => n + v, 0)
    const perProcess = (p: typeof pg, type: string) => Object.entries(p.byProcess).filter(([k]) => k.startsWith(`${type}.`)).map(([, v]) => v)
    const peaks = {postgres: {web: pg.byType.web ?? 0, worker: pg.byType.worker ?? 0}, redis: {web: redis.byType.web ?? 0, worker: redis.byType.worker ?? 0}}
    measurements.tsq = {
      settings, predicted, peaks,
      totals: {postgres: pg.total, redis: redis.total},
      perProcess: {postgres: {web: perProcess(pg, 'web'), worker: perProcess(pg, 'worker')},
        redis: {web: perProcess(redis, 'web'), worker: perProcess(redis, 'worker')}},
      master: {postgres: ofMaster(pg), redis: ofMaster(redis)},
      idle: {postgres: idle.postgres.byType, redis: idle.redis.byType, redisByPurpose: idle.redis.byPurpose},
      unnamed: {postgres: pg.byType.unnamed ?? 0, redis: redis.byType.unnamed ?? 0},
      jobs: stats, samples: sampler.samples,
    }

    expect(formation.output().filter(l => ANY_CONNECTION_ERROR.test(l))).toEqual([])
    expect(stats).toEqual({rows: load.accepted.length, finished: load.accepted.length, attempts: load.accepted.length, notOnce: 0})
    expect(load.accepted).toHaveLength(60 * 20)
    // Every connection is named, the master holds none.
    expect(measurements.tsq).toMatchObject({unnamed: {postgres: 0, redis: 0}, master: {postgres: 0, redis: 0}})
    // Postgres pools fill under this load: the peaks equal the prediction. Redis pools are lazy: at most it.
    expect(peaks.postgres).toEqual(predicted.postgres)
    expect(peaks.redis.web).toBeLessThanOrEqual(predicted.redis.web)
    expect(peaks.redis.worker).toBeLessThanOrEqual(predicted.redis.worker)
    expect(pg.total).toBeLessThanOrEqual(17)
    expect(redis.total).toBeLessThanOrEqual(19)
  }, 90_000)
})
