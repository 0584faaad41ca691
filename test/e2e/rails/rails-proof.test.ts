// The proof for Rails apps (spec section 9): the example Rails 6.1 app on real Puma 5.6 and Sidekiq 6.4, as local
// dynos, against throwaway Postgres (max_connections 20) and Redis (maxclients 20), the app on a non-superuser
// role as on Heroku. The numbers it holds the app to are tsq's own: `tsq:doctor --local --json` on the app's
// checkout, its .env (the servers' URLs and config vars) and the formation as run.
// (a) The guide's settings — Sidekiq concurrency 20 over an ActiveRecord pool of 16: the doctor fails
//     `postgres.pool` before the app starts, and a job burst then makes the worker log
//     ActiveRecord::ConnectionTimeoutError.
// (b) `tsq:setup --local --force` on the guide's app, then the doctor passes; the app started from the Procfile
//     and .env setup wrote, under waves of load until its pools are seen full: no connection error, every job
//     exactly once, and the connections of each process type at each server at most the doctor's prediction
//     (dynos × processes per dyno × pool) — for Postgres, whose pools fill under this load, equal to it.
import {writeFileSync} from 'node:fs'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {Formation} from '../../helpers/formation.js'
import {type Servers, startServers} from '../proof/lib/servers.js'
import {type RailsApp, SECRET_KEY_BASE, prepareRailsApp, readDotenv, readProcfile, release, setProcfileCommand, writeDotenv} from './lib/rails-app.js'
import {RailsSampler} from './lib/rails-sampler.js'
import {type RailsJobStats, railsJobStats} from '../../../scripts/lib/rails-app.js'
import {TsqCli, doctorDemand} from './lib/tsq-cli.js'
import {driveWaves} from './lib/waves.js'

const hasRuby = await import('node:child_process').then(cp => {
  try {
    cp.execFileSync('bundle', ['--version'], {stdio: 'ignore'})
    cp.execFileSync('ruby', ['-e', 'gem "rails", "~> 6.1"; gem "sidekiq"; gem "puma"; gem "pg"'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})

/** The formation both parts run, and give tsq:doctor / tsq:setup. */
const FORMATION = 'web=1,worker=1'

const TIMEOUT_ERROR = /ActiveRecord::ConnectionTimeoutError/
const PG_FULL = /too many clients|remaining connection slots/i
const REDIS_FULL = /max number of clients/i
const ANY_CONNECTION_ERROR = new RegExp(`${TIMEOUT_ERROR.source}|${PG_FULL.source}|${REDIS_FULL.source}`, 'i')

/** Every measurement of the run, printed as one JSON line (and written to $TSQ_RAILS_PROOF_OUT when set). */
const measurements: Record<string, unknown> = {}

let servers: Servers
let cli: TsqCli
const apps: RailsApp[] = []
let formation: Formation | undefined
let sampler: RailsSampler | undefined

beforeAll(async () => {
  ;[servers, cli] = await Promise.all([startServers({maxclients: 20, maxConnections: 20}), TsqCli.create()])
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
  cli?.cleanup()
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

/** The app's config vars before tsq touches them: what Heroku and its add-ons would set. */
function configVars(extra: Record<string, string> = {}): Record<string, string> {
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

/** The Procfile's app types (not the release phase), as the formation runs them. */
function dynoTypes(procfile: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(procfile).filter(([type]) => type !== 'release'))
}

describe.skipIf(!hasRuby)('Rails on Puma + Sidekiq at 20/20 connection limits', () => {
  it('the guide\'s settings: tsq:doctor fails postgres.pool before the app runs; under a job burst Sidekiq\'s 20 threads over a pool of 16 then log ActiveRecord::ConnectionTimeoutError', async () => {
    const app = await prepareRailsApp('guide')
    apps.push(app)
    // The guide's config vars. RAILS_MAX_THREADS=16 for the worker type only: database.yml's pool is 16 there,
    // while config/sidekiq.yml says 20 (and Puma keeps its 5 threads).
    writeDotenv(app, configVars({WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5'}))
    setProcfileCommand(app, 'worker', `RAILS_MAX_THREADS=16 ${readProcfile(app).worker!}`)

    const doctor = await cli.doctor(app.dir, FORMATION)
    const text = `${doctor.stdout}\n${doctor.stderr}`
    const pool = doctor.report.checks.find(c => c.id === 'postgres.pool')
    const worker = doctor.report.processes.find(p => p.type === 'worker')
    measurements.guide = {doctor: {exitCode: doctor.code, failing: doctor.report.checks.filter(c => c.status === 'fail').map(c => c.id),
      postgresPool: pool?.message, demand: doctorDemand(doctor.report)}}
    expect(doctor.code, text).toBe(1)
    expect(pool?.status, text).toBe('fail')
    expect(pool?.message).toContain('ActiveRecord::ConnectionTimeoutError')
    expect(worker).toMatchObject({stack: 'sidekiq', concurrency: 20, dbPool: 16})

    const env = readDotenv(app)
    await release(app, env)
    sampler = await new RailsSampler(servers.admin, servers.redisUrl).start()
    formation = new Formation({procfile: dynoTypes(readProcfile(app)), cwd: app.dir, env})
    const [web] = await formation.scale('web', 1)
    await formation.waitFor('web.1', /Worker \d+ \(PID: \d+\) booted/, 2, 90_000)

    // The burst is enqueued before the worker starts: once Sidekiq runs at concurrency 20 it takes every Redis
    // client Mini allows (measured: the web then answers 500, "max number of clients reached").
    // 40 jobs that keep their connection 7 s (longer than ActiveRecord's 5 s checkout timeout): 20 threads
    // take one each, 16 get a connection, the others give up after 5 s.
    const res = await post(web!.port!, '/jobs?count=40&ms=7000&id=guide')
    expect(res.status, formation.output().slice(-15).join('\n')).toBe(202)
    // The web dyno then stops, so Sidekiq's processors are not starved of Redis clients (it needs 21 at concurrency
    // 20, more than Mini's 20, which the doctor fails as redis.connections): the failure left to see is the pool's.
    await formation.stop('web.1')
    await formation.scale('worker', 1)
    const errors = await formation.waitFor('worker.1', TIMEOUT_ERROR, 1, 90_000)
    const output = formation.output()
    await sampler.stop()
    Object.assign(measurements.guide as object, {
      settings: {webWorkers: 2, webThreads: 5, sidekiqConcurrency: 20, sidekiqPool: 16},
      peaks: {postgres: sampler.peaks.postgres.total, redis: sampler.peaks.redis.total},
      errors: {
        connectionTimeout: output.filter(l => TIMEOUT_ERROR.test(l)).length,
        postgresFull: output.filter(l => PG_FULL.test(l)).length,
        redisFull: output.filter(l => REDIS_FULL.test(l)).length,
      },
      firstLines: [TIMEOUT_ERROR, PG_FULL, REDIS_FULL].map(re => output.find(l => re.test(l)) ?? null),
    })
    // Rails 6.1's wording; older Rails said "could not obtain a database connection within 5.000 seconds".
    expect(errors[0]).toMatch(/could not obtain a (database connection|connection from the pool) within 5\.0+ seconds/)
    // The pool caps the worker's connections at 16: what it could not get it waited for, then gave up.
    expect(sampler.peaks.postgres.total).toBeLessThanOrEqual(17)
  }, 240_000)

  it('tsq:setup --local on the guide\'s app at 20/20, web=1 worker=1: the doctor passes; from the Procfile and .env it wrote, under load until the pools fill, no connection error, every job once, and each type\'s peak connections are the doctor\'s prediction', async () => {
    const app = await prepareRailsApp('tsq')
    apps.push(app)
    writeDotenv(app, configVars())
    const setup = await cli.setup(app.dir, FORMATION)
    expect(setup.code, `${setup.stdout}\n${setup.stderr}`).toBe(0)
    const env = readDotenv(app)
    const procfile = readProcfile(app)
    const settings = {WEB_CONCURRENCY: env.WEB_CONCURRENCY, RAILS_MAX_THREADS: env.RAILS_MAX_THREADS, SIDEKIQ_CONCURRENCY: env.SIDEKIQ_CONCURRENCY}
    for (const value of Object.values(settings)) expect(value, JSON.stringify(env)).toMatch(/^[1-9]\d*$/)

    const doctor = await cli.doctor(app.dir, FORMATION)
    expect(doctor.code, `${doctor.stdout}\n${doctor.stderr}`).toBe(0)
    expect(doctor.report.ok).toBe(true)
    const web = doctor.report.processes.find(p => p.type === 'web')!
    const worker = doctor.report.processes.find(p => p.type === 'worker')!
    expect(web).toMatchObject({stack: 'puma', dynos: 1, processesPerDyno: Number(settings.WEB_CONCURRENCY), threads: Number(settings.RAILS_MAX_THREADS)})
    expect(worker).toMatchObject({stack: 'sidekiq', dynos: 1, concurrency: Number(settings.SIDEKIQ_CONCURRENCY)})
    const predicted = doctorDemand(doctor.report)
    const limit = Object.fromEntries(doctor.report.resources.map(r => [r.kind, r.limit]))
    const demand = Object.fromEntries(doctor.report.resources.map(r => [r.kind, r.demand]))

    await release(app, env, procfile.release)
    sampler = await new RailsSampler(servers.admin, servers.redisUrl).start()
    formation = new Formation({procfile: dynoTypes(procfile), cwd: app.dir, env})
    const [webDyno] = await formation.scale('web', web.dynos)
    await formation.scale('worker', worker.dynos)
    await formation.waitFor('web.1', /tsq web\.1\[\d+\] forked type=web/, web.processesPerDyno, 90_000)
    await formation.waitFor('worker.1', new RegExp(`tsq worker\\.1\\[\\d+\\] ready type=worker concurrency=${worker.concurrency}`), 1, 90_000)
    const master = pumaMasterPid(formation, 'web.1')
    expect(master).toBeDefined()

    // Idle: Sidekiq's processors block on Redis (BRPOP, 2 s timeout) without a job; wait for them all.
    await new Promise(r => setTimeout(r, 3000))
    const idle = await sampler.read()

    // Waves until every type's Postgres peak reaches the prediction (at least 3, at most 20): twice as many
    // GET /?ms=400 as the web has threads, each holding its thread's connection 400 ms; jobs of 100 ms, four
    // per Sidekiq thread, each holding its processor's; and a bulk of 100 jobs of 5 ms.
    const webThreads = web.dynos * web.processesPerDyno * (web.threads ?? 1)
    const pg = sampler.peaks.postgres
    const load = await driveWaves({port: webDyno!.port!, requests: Math.max(8, 2 * webThreads), holdMs: 400,
      jobs: [{count: 4 * worker.dynos * (worker.concurrency ?? 1), ms: 100}, {count: 100, ms: 5}], prefix: 'tsq',
      minWaves: 3, maxWaves: 20,
      saturated: () => Object.entries(predicted.postgres).every(([type, n]) => (pg.byType[type] ?? 0) >= n)})
    await waitJobsDone('tsq', load.accepted.length, 120_000)
    const stats = await jobStats('tsq')
    await sampler.stop()

    const redis = sampler.peaks.redis
    const ofMaster = (p: typeof pg) => Object.entries(p.byProcess).filter(([k]) => k.endsWith(`:${master}`)).reduce((n, [, v]) => n + v, 0)
    const perProcess = (p: typeof pg, type: string) => Object.entries(p.byProcess).filter(([k]) => k.startsWith(`${type}.`)).map(([, v]) => v)
    const peaks = {postgres: {web: pg.byType.web ?? 0, worker: pg.byType.worker ?? 0}, redis: {web: redis.byType.web ?? 0, worker: redis.byType.worker ?? 0}}
    measurements.tsq = {
      settings, predicted, peaks, demand, limit,
      doctor: doctor.report.processes.map(p => ({type: p.type, dynos: p.dynos, processesPerDyno: p.processesPerDyno, threads: p.threads,
        concurrency: p.concurrency, dbPool: p.dbPool, redisConnections: p.redisConnections})),
      totals: {postgres: pg.total, redis: redis.total},
      perProcess: {postgres: {web: perProcess(pg, 'web'), worker: perProcess(pg, 'worker')},
        redis: {web: perProcess(redis, 'web'), worker: perProcess(redis, 'worker')}},
      master: {postgres: ofMaster(pg), redis: ofMaster(redis)},
      idle: {postgres: idle.postgres.byType, redis: idle.redis.byType, redisByPurpose: idle.redis.byPurpose},
      unnamed: {postgres: pg.byType.unnamed ?? 0, redis: redis.byType.unnamed ?? 0},
      unnamedSeen: sampler.unnamedSeen, opening: redis.byType.opening ?? 0,
      load: {waves: load.waves, saturated: load.saturated, requests: load.requests, failures: load.failures.length},
      jobs: stats, samples: sampler.samples,
    }

    expect(formation.output().filter(l => ANY_CONNECTION_ERROR.test(l))).toEqual([])
    expect(load.failures).toEqual([])
    expect(load.accepted.length).toBeGreaterThanOrEqual(3 * 100)
    expect(stats).toEqual({rows: load.accepted.length, finished: load.accepted.length, attempts: load.accepted.length, notOnce: 0})
    // Every connection is named, the master holds none.
    expect(measurements.tsq).toMatchObject({unnamed: {postgres: 0, redis: 0}, master: {postgres: 0, redis: 0}})
    // Postgres pools fill under this load: the peaks equal the prediction. Redis pools are lazy: at most it.
    expect(peaks.postgres, `after ${load.waves} waves`).toEqual(predicted.postgres)
    expect(peaks.redis.web).toBeLessThanOrEqual(predicted.redis.web!)
    expect(peaks.redis.worker).toBeLessThanOrEqual(predicted.redis.worker!)
    // All at once, too: at most the doctor's demand at each server, which fits its limit.
    expect(pg.total).toBeLessThanOrEqual(demand.postgres!)
    expect(redis.total).toBeLessThanOrEqual(demand.redis!)
  }, 300_000)
})
