// The Postgres budget with its poolers (spec §11): a pgbouncer in each dyno holds (default + reserve) × URLs
// server connections whatever the processes' pools; Heroku's server-side pooler holds its own server pool;
// direct processes count as before.
import {describe, expect, it} from 'vitest'
import type {AppState} from '../../../../src/core/model/app-state.js'
import {assess} from '../../../../src/core/assess/assess.js'
import {restartDemand} from '../../../../src/core/budget/budget.js'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {APP, appStateOf, attachment, postgresAddon, redisAddon} from '../../../helpers/app-state.js'

const DB = 'postgres://u:p@db.example:5432/d'
const POOL = 'postgres://u:p@pooler.example:5432/d'

function pgbouncerApp(plan = 'essential-0', extra: Record<string, string> = {}): AppState {
  const pg = postgresAddon(plan, {id: 'pg1', name: 'postgresql-curved-1'})
  const redis = redisAddon('heroku-redis:premium-0', {id: 'r1', name: 'redis-flat-2'})
  return appStateOf({
    addons: [pg, redis],
    config: {DATABASE_URL: DB, REDIS_URL: 'rediss://h:p@r:1', TSQ_WEB_DB_POOL: '20', TSQ_WORKER_DB_POOL: '10', ...extra},
    formation: [
      {type: 'web', quantity: 3, size: 'standard-1x', command: 'bin/start-pgbouncer node web.js'},
      {type: 'worker', quantity: 3, size: 'standard-1x', command: 'bin/start-pgbouncer node worker.js'},
    ],
  })
}

describe('a pgbouncer in each dyno (bin/start-pgbouncer)', () => {
  it('issue 13: web=3, worker=3, pools 20 and 10 are (1 + 1) × 6 = 12 server connections, not 90; the doctor passes', () => {
    const {report} = diagnose(pgbouncerApp())
    const pg = report.resources.find(r => r.kind === 'postgres')!
    expect(pg.demand).toBe(12)
    // 12 ≤ 20 − 2 fits; 2 × 12 > 20 is only the restart overlap's warning.
    expect(pg.status).toBe('warn')
    expect(pg.rows.map(r => [r.type, r.via, r.clients, r.serverPerDyno, r.total])).toEqual([
      ['web', 'pgbouncer', 60, 2, 6], ['worker', 'pgbouncer', 30, 2, 6],
    ])
    expect(pg.poolers).toEqual([
      expect.objectContaining({kind: 'pgbouncer', types: ['web'], clients: 20, clientLimit: 100, server: 2, status: 'ok'}),
      expect.objectContaining({kind: 'pgbouncer', types: ['worker'], clients: 10, clientLimit: 100, server: 2, status: 'ok'}),
    ])
    expect(report.checks.find(c => c.id === 'postgres.connections')).toMatchObject({status: 'ok'})
    expect(report.checks.find(c => c.id === 'postgres.pooler')).toMatchObject({status: 'ok'})
    expect(report.ok).toBe(true)
  })

  it('a restart doubles it (each new dyno starts its own pgbouncer): restart.overlap warns Postgres 2 × 12 = 24 > limit 20', () => {
    const c = diagnose(pgbouncerApp()).report.checks.find(x => x.id === 'restart.overlap')!
    expect(c.status).toBe('warn')
    expect(c.message).toContain('Postgres 2 × 12 = 24 > limit 20')
  })

  it('the same formation without the pooler is 90 connections and fails', () => {
    const state = pgbouncerApp()
    const direct = {...state, formation: state.formation.map(f => ({...f, command: f.command!.replace('bin/start-pgbouncer ', '')}))}
    const {report} = diagnose(direct)
    expect(report.resources.find(r => r.kind === 'postgres')).toMatchObject({demand: 90, status: 'fail'})
    expect(report.ok).toBe(false)
  })

  it('pool sizes and PGBOUNCER_URLS set the server side: (3 + 2) × 2 URLs of the same database per dyno', () => {
    const state = pgbouncerApp('standard-0', {PGBOUNCER_DEFAULT_POOL_SIZE: '3', PGBOUNCER_RESERVE_POOL_SIZE: '2',
      PGBOUNCER_URLS: 'DATABASE_URL HEROKU_POSTGRESQL_RED_URL', HEROKU_POSTGRESQL_RED_URL: DB})
    const pg = assess(state).resources.find(r => r.kind === 'postgres')!
    expect(pg.rows.map(r => r.serverPerDyno)).toEqual([10, 10])
    expect(pg.demand).toBe(60)
  })

  it('more clients per dyno than PGBOUNCER_MAX_CLIENT_CONN fail postgres.connections with the variable to raise', () => {
    const {report} = diagnose(pgbouncerApp('essential-0', {WEB_CONCURRENCY: '6'}))
    const check = report.checks.find(c => c.id === 'postgres.connections')!
    expect(check.status).toBe('fail')
    expect(check.message).toContain('120 client connections to its pgbouncer, which accepts 100')
    expect(check.fix).toContain('PGBOUNCER_MAX_CLIENT_CONN=120')
  })

  it('PGBOUNCER_ENABLED=0 bypasses the pooler: the processes count directly', () => {
    expect(assess(pgbouncerApp('essential-0', {PGBOUNCER_ENABLED: '0'})).resources[0]).toMatchObject({demand: 90, status: 'fail'})
  })
})

describe('Heroku server-side pooling (connection-pooling:default)', () => {
  function pooledApp(poolerConfig?: AppState['poolerConfig'], config: Record<string, string> = {}): AppState {
    const pg = postgresAddon('standard-0', {id: 'pg1', name: 'postgresql-curved-1'})
    const redis = redisAddon('heroku-redis:premium-0', {id: 'r1', name: 'redis-flat-2'})
    const pool = {...attachment(pg, 'DATABASE_CONNECTION_POOL'), namespace: 'connection-pooling:default'}
    return appStateOf({
      addons: [pg, redis], attachments: [attachment(pg), attachment(redis), pool], poolerConfig,
      config: {DATABASE_URL: DB, DATABASE_CONNECTION_POOL_URL: POOL, REDIS_URL: 'rediss://h:p@r:1', TSQ_DB_POOL: '10', ...config},
      formation: [{type: 'web', quantity: 10, size: 'standard-2x'}, {type: 'worker', quantity: 4, size: 'standard-1x'}],
    })
  }

  it('processes that connect directly count as before, even with a pooler attached', () => {
    const pg = assess(pooledApp()).resources[0]!
    // web 10 × 2 × 10 + worker 4 × 1 × 10
    expect(pg).toMatchObject({demand: 240, status: 'fail'})
    expect(pg.poolers).toBeUndefined()
  })

  it('through TSQ_DATABASE_URL_VAR: clients count against the pooler, its server pool (Data API) against the plan', () => {
    const state = pooledApp({pg1: {maxClientConn: 10_000, maxDbConnections: 60, defaultPoolSize: 90, error: null}}, {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'})
    const pg = assess(state).resources[0]!
    expect(pg.rows.map(r => [r.type, r.via, r.total])).toEqual([['web', 'server-pooler', 0], ['worker', 'server-pooler', 0], ['(pooler DATABASE_CONNECTION_POOL_URL)', 'pooler', 60]])
    expect(pg).toMatchObject({demand: 60, status: 'ok', assumptions: []})
    expect(pg.poolers).toEqual([expect.objectContaining({kind: 'server', clients: 240, clientLimit: 10_000, server: 60,
      serverSource: 'Heroku Data API: pgbouncer_max_db_connections, pgbouncer_default_pool_size'})])
  })

  it('config unreadable: 75% of the plan limit, marked as assumed where it binds (at best warn)', () => {
    const state = pooledApp({pg1: {maxClientConn: null, maxDbConnections: null, defaultPoolSize: null, error: 'Heroku could not find database (404)'}},
      {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'})
    const pg = assess(state).resources[0]!
    expect(pg.demand).toBe(90)
    expect(pg.status).toBe('warn')
    expect(pg.assumptions.join(' ')).toMatch(/assumed 75% of the plan limit 120 \(its config could not be read \(Heroku could not find database \(404\)\)/)
  })

  it('a worker kept direct (TSQ_WORKER_DATABASE_URL_VAR=DATABASE_URL) counts directly beside the pooler', () => {
    const state = pooledApp({pg1: {maxClientConn: 10_000, maxDbConnections: 60, defaultPoolSize: null, error: null}},
      {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL', TSQ_WORKER_DATABASE_URL_VAR: 'DATABASE_URL'})
    const pg = assess(state).resources[0]!
    expect(pg.rows.map(r => [r.type, r.via, r.total])).toEqual([['web', 'server-pooler', 0], ['worker', 'direct', 40], ['(pooler DATABASE_CONNECTION_POOL_URL)', 'pooler', 60]])
    expect(pg.demand).toBe(100)
    expect(pg.largestPool).toBe(14)
  })

  describe('a restart\'s overlap: direct connections double, the pooler\'s server side at most its pool', () => {
    const data = (maxDbConnections: number) => ({pg1: {maxClientConn: 10_000, maxDbConnections, defaultPoolSize: null, error: null}})

    it('every process through a pooler of 90: 240 clients hold 90, and a restart still 90 ≤ 120: ok, not warn', () => {
      const pooled = pooledApp(data(90), {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'})
      // Redis premium-2 (200) so that only Postgres decides the check: 2 × 32 = 64 ≤ 200.
      const state = {...pooled, addons: pooled.addons.map(a => a.id === 'r1' ? {...a, plan: 'heroku-redis:premium-2'} : a)}
      const pg = assess(state).resources[0]!
      // min(240, 90) = 90 ≤ 118; restart min(2 × 240, 90) = 90 ≤ 120 (doubled it was 180 > 120: warn).
      expect(pg).toMatchObject({demand: 90, status: 'ok'})
      expect(restartDemand(pg.rows)).toBe(90)
      expect(diagnose(state).report.checks.find(c => c.id === 'restart.overlap')).toMatchObject({status: 'ok',
        message: expect.stringContaining('Postgres 2 × 0 + 90 ((pooler DATABASE_CONNECTION_POOL_URL): min(2 × 240 clients, its server pool), counted once) = 90 ≤ limit 120')})
    })

    it('clients under the pool double up to it: 72 clients on a pool of 90 hold 72, on a restart min(144, 90) = 90 ≤ 120', () => {
      // TSQ_DB_POOL=3: web 10 × 2 × 3 + worker 4 × 1 × 3 = 72 clients.
      const pg = assess(pooledApp(data(90), {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL', TSQ_DB_POOL: '3'})).resources[0]!
      expect(pg).toMatchObject({demand: 72, status: 'ok'})
      expect(restartDemand(pg.rows)).toBe(90)
    })

    it('a direct worker beside the pooler: 2 × 40 + min(2 × 200, 60) = 140 > 120 warns, naming both parts', () => {
      const state = pooledApp(data(60), {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL', TSQ_WORKER_DATABASE_URL_VAR: 'DATABASE_URL'})
      const pg = assess(state).resources[0]!
      // 40 direct + 60 held = 100 ≤ 118.
      expect(pg).toMatchObject({demand: 100, status: 'warn'})
      const c = diagnose(state).report.checks.find(x => x.id === 'restart.overlap')!
      expect(c.status).toBe('warn')
      expect(c.message).toContain('Postgres 2 × 40 + 60 ((pooler DATABASE_CONNECTION_POOL_URL): min(2 × 200 clients, its server pool), counted once) = 140 > limit 120')
      // The worker's largest pool for a restart: 4 × 7 = 28 ≤ ⌊(120 − 60) / 2⌋ = 30.
      expect(c.fix).toContain('TSQ_WORKER_DB_POOL=7')
    })
  })

  it('locally, a *_CONNECTION_POOL_URL in .env is a pooler whose server side is unknown', () => {
    const state = {...pooledApp(undefined, {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}), addons: [], attachments: []}
    const pg = assess(state).resources[0]!
    expect(pg.poolers?.[0]).toMatchObject({kind: 'server', configVar: 'DATABASE_CONNECTION_POOL_URL', clients: 240})
    expect(pg.status).toBe('warn')
    expect(APP).toBe(state.app)
  })
})

describe('a Rails app behind the pgbouncer in each dyno', () => {
  const checkout = {dir: '.', files: {'config/database.yml': {text: 'production:\n  adapter: postgresql\n  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n'}}}
  function railsApp(extra: Record<string, string> = {}): AppState {
    const pg = postgresAddon('essential-0', {id: 'pg1', name: 'postgresql-curved-1'})
    return appStateOf({
      addons: [pg], checkout, config: {DATABASE_URL: DB, RAILS_MAX_THREADS: '5', WEB_CONCURRENCY: '2', ...extra},
      formation: [
        {type: 'web', quantity: 3, size: 'standard-2x', command: 'bin/start-pgbouncer bundle exec puma -C config/puma.rb'},
        {type: 'worker', quantity: 2, size: 'standard-1x', command: 'bin/start-pgbouncer bundle exec sidekiq -c 5'},
      ],
    })
  }

  it('Puma and Sidekiq count (1 + 1) per dyno: 10, where directly they would be 3×2×5 + 2×1×5 = 40', () => {
    const pg = assess(railsApp()).resources[0]!
    expect(pg.rows.map(r => [r.type, r.via, r.clients, r.total])).toEqual([['web', 'pgbouncer', 30, 6], ['worker', 'pgbouncer', 10, 4]])
    expect(pg.demand).toBe(10)
  })

  it('ActiveRecord\'s prepared statements behind it warn, fixed by PGBOUNCER_PREPARED_STATEMENTS=false', () => {
    const check = diagnose(railsApp()).report.checks.find(c => c.id === 'postgres.pooler')!
    expect(check.status).toBe('warn')
    expect(check.fix).toContain('PGBOUNCER_PREPARED_STATEMENTS=false')
    expect(diagnose(railsApp({PGBOUNCER_PREPARED_STATEMENTS: 'false'})).report.checks.find(c => c.id === 'postgres.pooler')).toMatchObject({status: 'ok'})
  })
})
