import {describe, expect, it} from 'vitest'
import type {SharingApp} from '../../../../src/core/model/app-state.js'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {renderDoctor} from '../../../../src/render/doctor.js'
import {APP} from '../../../helpers/app-state.js'
import {URL, WEB_2X, WORKER_1X, appState, check, checksOf, kvs, pg} from './fixtures.js'

// The app: web 2 × standard-2x (2 processes each, WEB_CONCURRENCY unset) + worker 1 × standard-1x.
// Redis: web 2×2×1 = 4, worker 1×1×(2 + 1 queue) = 3 → 7. Postgres: web 2×2×5 = 20, worker 1×1×5 = 5 → 25.

describe('redis.connections / postgres.connections', () => {
  it('counts the issue\'s Redis demand as 7 of 18 available on mini and is ok', () => {
    const c = check(appState(), 'redis.connections')
    expect(c.status).toBe('ok')
    expect(c.message).toContain('needs 7 of 18 available')
    expect(c.message).toContain('web 2×2×1 = 4, worker 1×1×3 = 3')
  })

  it('fails the issue\'s Postgres demand of 25 against essential-0 (20 − 2 reserve)', () => {
    const c = check(appState(), 'postgres.connections')
    expect(c.status).toBe('fail')
    expect(c.message).toContain('needs 25 connections (web 2×2×5 = 20, worker 1×1×5 = 5) but only 18 are available')
  })

  it('fixes an essential-0 overrun with pools that fit, a bigger plan and the in-dyno pgbouncer (Heroku\'s server-side pooler is not on Essential)', () => {
    const fix = check(appState(), 'postgres.connections').fix!
    // 5 processes in 18 connections: pools of 3 would fit the limit, but only 2 fit a restart's overlap (2 × 10 ≤ 20).
    expect(fix).toContain(`heroku config:set TSQ_WEB_DB_POOL=2 TSQ_WORKER_DB_POOL=2 TSQ_WORKER_CONCURRENCY=2 -a ${APP}`)
    expect(fix).toContain(`heroku addons:upgrade postgresql-curved-2 heroku-postgresql:standard-0 -a ${APP}`)
    expect(fix).not.toContain('connection-pooling')
    expect(fix).toContain(`heroku buildpacks:add heroku/pgbouncer -a ${APP}`)
  })

  it('offers the in-dyno pooler the runtime can use and the most dynos that fit when a standard plan overflows', () => {
    const formation = [{type: 'web', quantity: 10, size: 'standard-2x'}, {type: 'worker', quantity: 8, size: 'standard-1x'}]
    // web 10×2×5 = 100 + worker 8×1×5 = 40 = 140 > 118: web fits floor((118 − 40) / 10) = 7 dynos, worker floor((118 − 100) / 5) = 3.
    const c = check(appState({addons: [kvs('premium-5'), pg('standard-0')], formation}), 'postgres.connections')
    expect(c.status).toBe('fail')
    expect(c.fix).toContain(`heroku tsq:scale web=7 -a ${APP}`)
    expect(c.fix).toContain(`heroku tsq:scale worker=3 -a ${APP}`)
    expect(c.fix).toContain(`heroku buildpacks:add heroku/pgbouncer -a ${APP}, then start each Procfile command with bin/start-pgbouncer`)
  })

  it('says the limit came from the Data API when Heroku reported it', () => {
    const c = check(appState({addons: [kvs(), pg('standard-0')], dataApi: {'postgresql-curved-2': {limit: 400, used: 3, error: null}}}), 'postgres.connections')
    expect(c.status).toBe('ok')
    expect(c.message).toContain('limit 400 (source: Heroku Data API')
  })

  it('warns, naming the plan, when the plan is not catalogued (no guessed limit)', () => {
    const c = check(appState({addons: [kvs(), pg('mystery-9')]}), 'postgres.connections')
    expect(c.status).toBe('warn')
    expect(c.message).toContain('plan heroku-postgresql:mystery-9 is not in tsq\'s catalogue')
    expect(c.message).toContain('Demand is 25')
    expect(c.fix).toBe(`heroku tsq:doctor --live -a ${APP} reads the limit from the server`)
  })

  it('counts the demand of an app sharing the database', () => {
    const staging: SharingApp = {app: 'demo-staging', config: {TSQ_CONCURRENCY: '3', DATABASE_URL: URL.postgres}, formation: [{type: 'worker', quantity: 1, size: 'basic'}], error: null}
    const c = check(appState({addons: [kvs(), pg('standard-0')], sharing: {'postgresql-curved-2': [staging]}}), 'postgres.connections')
    // 25 here + staging's worker 1×1×3 = 3.
    expect(c.message).toContain('needs 28 of 118 available')
    expect(c.message).toContain('demo-staging 3')
  })

  it('counts a sharing app only where the shared add-on is the variable its processes read (issue 16 item 11)', () => {
    // demo-staging has the production database attached as HEROKU_POSTGRESQL_PINK, but its DATABASE_URL is its own.
    const own = 'postgres://s:t@ec2-9-9-9-9.compute-1.amazonaws.com:5432/staging'
    const staging: SharingApp = {app: 'demo-staging', config: {DATABASE_URL: own, HEROKU_POSTGRESQL_PINK_URL: URL.postgres, TSQ_CONCURRENCY: '3'},
      formation: [{type: 'worker', quantity: 1, size: 'basic'}], error: null}
    const {report} = diagnose(appState({addons: [kvs(), pg('standard-0')], sharing: {'postgresql-curved-2': [staging]}}))
    const postgres = report.resources.find(r => r.kind === 'postgres')!
    expect(postgres).toMatchObject({demand: 25, sharedWith: [], attachedNotCounted: [{app: 'demo-staging', reason: 'its processes read DATABASE_URL, another database'}]})
    expect(postgres.rows.map(r => r.app)).not.toContain('demo-staging')
    expect(renderDoctor(report, {color: false})).toContain('attached, not counted: demo-staging (its processes read DATABASE_URL, another database)')
    // A worker type pointed at the shared database with TSQ_WORKER_DATABASE_URL_VAR is counted, the web type not.
    const split: SharingApp = {...staging, config: {...staging.config!, TSQ_WORKER_DATABASE_URL_VAR: 'HEROKU_POSTGRESQL_PINK_URL'},
      formation: [{type: 'web', quantity: 1, size: 'basic'}, {type: 'worker', quantity: 1, size: 'basic'}]}
    const both = diagnose(appState({addons: [kvs(), pg('standard-0')], sharing: {'postgresql-curved-2': [split]}})).report.resources.find(r => r.kind === 'postgres')!
    expect(both).toMatchObject({demand: 28, sharedWith: ['demo-staging'], attachedNotCounted: []})
    // Redis: a sharing app whose REDIS_URL is another server is not counted either.
    const redisStaging: SharingApp = {app: 'demo-staging', config: {REDIS_URL: 'redis://h:p@other.example.com:6379'}, formation: [{type: 'web', quantity: 3, size: 'basic'}], error: null}
    const redis = diagnose(appState({sharing: {'redis-curved-1': [redisStaging]}})).report.resources.find(r => r.kind === 'redis')!
    expect(redis).toMatchObject({sharedWith: [], attachedNotCounted: [{app: 'demo-staging', reason: 'its processes read REDIS_URL, another Redis'}]})
  })

  it('warns with the reason when a sharing app could not be read', () => {
    const forbidden: SharingApp = {app: 'demo-staging', config: null, formation: null, error: 'You do not have access to the app demo-staging.'}
    const c = check(appState({addons: [kvs(), pg('standard-0')], sharing: {'postgresql-curved-2': [forbidden]}}), 'postgres.connections')
    expect(c.status).toBe('warn')
    expect(c.message).toContain('demo-staging (You do not have access to the app demo-staging.) could not be read')
    expect(c.message).toContain('worker 1×1×5 = 5, demo-staging ?;')
    expect(c.fix).toContain('heroku tsq:doctor -a demo-staging')
  })

  it('fails Redis To Go nano (10) with two workers, offering one worker dyno and a bigger plan', () => {
    const r2g = kvs('nano', {service: 'redistogo', plan: 'redistogo:nano', as: 'REDISTOGO', url: URL.rediscloud})
    // web 4 + worker 2×1×3 = 6 → 10 > 8 available; worker fits floor((8 − 4) / 3) = 1.
    const c = check(appState({addons: [r2g, pg('standard-0')], formation: [WEB_2X, {...WORKER_1X, quantity: 2}]}), 'redis.connections')
    expect(c.status).toBe('fail')
    expect(c.fix).toContain(`heroku tsq:scale worker=1 -a ${APP}`)
    expect(c.fix).toContain('a redistogo plan with at least 12 connections')
  })
})

describe('postgres.pool', () => {
  it('is ok when each worker pool covers its concurrency', () => {
    expect(check(appState({addons: [kvs(), pg('standard-0')]}), 'postgres.pool').status).toBe('ok')
  })

  it('warns about a worker pool below its concurrency and raises the pool when that fits', () => {
    const c = check(appState({addons: [kvs(), pg('standard-0')], config: {TSQ_WORKER_DB_POOL: '2'}}), 'postgres.pool')
    expect(c.status).toBe('warn')
    expect(c.message).toContain('worker runs 5 jobs per process on a pool of 2, so up to 3 wait')
    expect(c.fix).toContain(`heroku config:set TSQ_WORKER_DB_POOL=5 -a ${APP}`)
  })

  it('lowers the concurrency to the pool instead when a bigger pool would not fit', () => {
    const c = check(appState({config: {TSQ_WORKER_DB_POOL: '2', TSQ_WEB_DB_POOL: '3'}}), 'postgres.pool')
    // essential-0: web 2×2×3 = 12 + worker 2 = 14; raising to 5 gives 17 ≤ 18 but 2 × 17 > 20.
    expect(c.fix).toContain(`heroku config:set TSQ_WORKER_CONCURRENCY=2 -a ${APP}`)
  })
})

describe('worker.dynos', () => {
  it('is ok with a running worker', () => {
    expect(check(appState(), 'worker.dynos')).toMatchObject({status: 'ok', message: 'Workers: worker 1 dyno'})
  })

  it('fails when the only worker type is scaled to 0, and the fix scales it to 1', () => {
    const c = check(appState({addons: [kvs(), pg('standard-0')], formation: [WEB_2X, {...WORKER_1X, quantity: 0}]}), 'worker.dynos')
    expect(c.status).toBe('fail')
    expect(c.message).toBe('worker is scaled to 0: jobs on queue default pile up and never run')
    expect(c.fix).toMatch(new RegExp(`^heroku tsq:scale worker=1 -a ${APP} \\(up to \\d+ fit the limits\\)$`))
  })

  it('is ok when a worker type at 0 consumes only queues another running worker consumes', () => {
    const formation = [WEB_2X, WORKER_1X, {type: 'spare-worker', quantity: 0, size: 'standard-1x'}]
    expect(check(appState({addons: [kvs(), pg('standard-0')], formation}), 'worker.dynos').status).toBe('ok')
  })

  it('fails for a worker type at 0 whose own queue nobody consumes', () => {
    const formation = [WEB_2X, WORKER_1X, {type: 'urgent', quantity: 0, size: 'standard-1x'}]
    const c = check(appState({addons: [kvs(), pg('standard-0')], formation, config: {TSQ_URGENT_QUEUES: 'urgent'}}), 'worker.dynos')
    expect(c.status).toBe('fail')
    expect(c.message).toContain('urgent is scaled to 0: jobs on queue urgent pile up')
  })
})

describe('restart.overlap', () => {
  it('is ok when twice the demand fits every limit', () => {
    expect(check(appState({addons: [kvs(), pg('standard-0')]}), 'restart.overlap').status).toBe('ok')
  })

  it('warns when demand fits but twice the demand does not, with pools that fit a restart', () => {
    const formation = [{type: 'web', quantity: 6, size: 'standard-2x'}, WORKER_1X]
    // Postgres: web 6×2×5 = 60 + 5 = 65 ≤ 118, but 130 > 120.
    const c = check(appState({addons: [kvs('premium-5'), pg('standard-0')], formation}), 'restart.overlap')
    expect(c.status).toBe('warn')
    expect(c.message).toContain('Postgres 2 × 65 = 130 > limit 120')
    expect(c.fix).toContain(`heroku config:set TSQ_WEB_DB_POOL=4 TSQ_WORKER_DB_POOL=4 TSQ_WORKER_CONCURRENCY=4 -a ${APP}`)
    expect(checksOf(appState({addons: [kvs('premium-5'), pg('standard-0')], formation})).find(x => x.id === 'postgres.connections')!.status).toBe('ok')
  })

  it('points at the connections check for a resource already over its limit', () => {
    expect(check(appState(), 'restart.overlap').fix).toContain('first fix postgres.connections')
  })

  it('warns that it cannot run when no limit is known', () => {
    const c = check(appState({addons: [kvs('premium-42'), pg('mystery-9')]}), 'restart.overlap')
    expect(c.status).toBe('warn')
    expect(c.message).toContain('no connection limit is known')
  })
})
