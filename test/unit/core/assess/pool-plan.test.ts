// planPools: the Postgres pools tsq:setup sets, tsq:scale proposes and the doctor's fixes name. Only processes that
// hold connections on the resource, directly, are sized; no pool, thread count or concurrency goes below 1.
import {describe, expect, it} from 'vitest'
import type {AppState} from '../../../../src/core/model/app-state.js'
import {assess} from '../../../../src/core/assess/assess.js'
import {planPools} from '../../../../src/core/assess/pool-plan.js'
import {planSettings} from '../../../../src/core/plans/setup/settings.js'
import {appStateOf, attachment, postgresAddon, redisAddon} from '../../../helpers/app-state.js'
import {guideCheckout, guideOnMini} from '../rails-guide-app.js'

// database.yml's production entry names its own server: Rails never reads DATABASE_URL for it.
const LITERAL_URL_YML = 'production:\n  adapter: postgresql\n  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n  url: postgres://u:pw@h/d\n'

describe('planPools: a Rails app whose production url: is a literal postgres:// URL, not DATABASE_URL', () => {
  const state = guideOnMini(guideCheckout('6.4.1', {'config/database.yml': {text: LITERAL_URL_YML}}))

  it('no process holds a connection on the DATABASE_URL add-on, so nothing is sized: cap null, no change, fits overlap (demand 0)', () => {
    const before = assess(state)
    expect(before.resources.find(r => r.kind === 'postgres')!.rows.map(r => [r.type, r.perProcess, r.total])).toEqual([['web', 0, 0], ['worker', 0, 0]])
    expect(planPools(before)).toEqual({fits: 'overlap', cap: null, pools: {}, changes: [], vars: {}, overrides: {}, unsettable: []})
  })

  it('setup sets no RAILS_MAX_THREADS=0 or SIDEKIQ_CONCURRENCY=0: only the Redis plan\'s sizes, threads 3 and concurrency 2', () => {
    // Redis mini 20 − 2 = 18, a restart's half 10: web 2 processes × min(threads, client pool) + worker (Sidekiq 6)
    // concurrency + 1. Cap 3: 2 × 3 + (2 + 1) = 9 ≤ 10; cap 4: 2 × 4 + 4 = 12 > 10. So threads 3, concurrency 2.
    const plan = planSettings(state)
    expect(plan.vars).toEqual({RAILS_MAX_THREADS: '3'})
    expect(plan.edits.join('\n')).toContain('config/sidekiq.yml:2: `:concurrency: 2`')
    expect(plan.reasons.slice(0, 2)).toEqual(['web: Puma threads 5 → 3 per process, each with its own connection', 'web: Redis connections 5 → 3 per process'])
    // Postgres stays at 0 connections, so setup says nothing about it.
    expect(plan.reasons.filter(r => r.startsWith('Postgres'))).toEqual([])
  })
})

describe('planPools: never a pool below 1', () => {
  // heroku-tsq web on essential-0 (20 − 2 = 18): 19 dynos × 1 process need 19 connections even at a pool of 1.
  const state = (web: number): AppState => appStateOf({
    addons: [postgresAddon('essential-0', {id: 'pg1', name: 'postgresql-curved-1'}), redisAddon('heroku-redis:premium-0', {id: 'r1', name: 'redis-flat-2'})],
    config: {DATABASE_URL: 'postgres://u:p@db.example:5432/d', REDIS_URL: 'rediss://h:p@r:1'},
    formation: [{type: 'web', quantity: web, size: 'standard-1x'}],
  })

  it('18 web dynos: a pool of 1 each fits the 18 available (not a restart\'s 10): fits limit, TSQ_WEB_DB_POOL=1', () => {
    // Restart: 2 × 18 × 1 = 36 > 20, so no overlap cap; limit: 18 × 1 = 18 ≤ 18.
    expect(planPools(assess(state(18)))).toMatchObject({fits: 'limit', cap: 1, vars: {TSQ_WEB_DB_POOL: '1'}})
  })

  it('19 web dynos: not even a pool of 1 fits (19 > 18): fits none, nothing lowered, setup says pools alone cannot fit', () => {
    expect(planPools(assess(state(19)))).toEqual({fits: 'none', cap: null, pools: {}, changes: [], vars: {}, overrides: {}, unsettable: []})
    const plan = planSettings(state(19))
    expect(plan.vars).toEqual({})
    expect(plan.skipped).toContainEqual({kind: 'config', reason: expect.stringContaining('even a Postgres pool of 1 per process does not fit postgresql-curved-1 (heroku-postgresql:essential-0, limit 20, reserve 2): pools alone cannot make it fit')})
  })
})

describe('planPools beside Heroku\'s server-side pooler: its server connections count once on a restart', () => {
  const DB = 'postgres://u:p@db.example:5432/d'
  // standard-0 (120, reserve 2 → 118); the pooler's server pool 60 (Data API). web 10 × standard-2x (2 processes)
  // through the pooler, pool 10: 200 clients; worker 4 × 1 direct, pool 10: 40.
  const state = (): AppState => {
    const pg = postgresAddon('standard-0', {id: 'pg1', name: 'postgresql-curved-1'})
    const redis = redisAddon('heroku-redis:premium-0', {id: 'r1', name: 'redis-flat-2'})
    return appStateOf({
      addons: [pg, redis], attachments: [attachment(pg), attachment(redis), {...attachment(pg, 'DATABASE_CONNECTION_POOL'), namespace: 'connection-pooling:default'}],
      poolerConfig: {pg1: {maxClientConn: 10_000, maxDbConnections: 60, defaultPoolSize: null, error: null}},
      config: {DATABASE_URL: DB, DATABASE_CONNECTION_POOL_URL: 'postgres://u:p@pooler.example:5432/d', REDIS_URL: 'rediss://h:p@r:1', TSQ_DB_POOL: '10',
        TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL', TSQ_WORKER_DATABASE_URL_VAR: 'DATABASE_URL'},
      formation: [{type: 'web', quantity: 10, size: 'standard-2x'}, {type: 'worker', quantity: 4, size: 'standard-1x'}],
    })
  }

  it('sizes only the direct worker, to 7: 2 × 4 × 7 + min(2 × 200, 60) = 116 ≤ 120 (8 would be 124)', () => {
    // Overlap room for the direct pools: min(118 − 60, ⌊(120 − 60) / 2⌋) = 30; 4 × 7 = 28 ≤ 30 < 4 × 8 = 32.
    // (Doubling the pooler's 60 left no overlap room at all: min(118, 60) − 60 = 0, so it settled for `limit`.)
    const plan = planPools(assess(state()))
    expect(plan).toMatchObject({fits: 'overlap', cap: 7, pools: {worker: 7}, vars: {TSQ_WORKER_DB_POOL: '7'}, unsettable: []})
    expect(plan.pools).not.toHaveProperty('web')
  })
})
