// postgres.pooler (spec §11): transaction pooling keeps no session. Rails migrations' advisory lock and GoodJob
// break behind it (fail); ActiveRecord's named prepared statements and session SET are at risk (warn); the
// runtime's unnamed statements are fine. Each fix is a direct URL for that process or doing without.
import {describe, expect, it} from 'vitest'
import type {AppState, Checkout} from '../../../../src/core/model/app-state.js'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {appStateOf, attachment, postgresAddon} from '../../../helpers/app-state.js'

const DB = 'postgres://u:p@db.example:5432/d'
const POOL = 'postgres://u:p@pooler.example:5432/d'

function yml(extra = ''): Checkout {
  const text = `production:\n  adapter: postgresql\n  url: <%= ENV['DATABASE_CONNECTION_POOL_URL'] %>\n  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n${extra}`
  return {dir: '.', files: {'config/database.yml': {text}}}
}

function railsApp(checkout: Checkout, formation: AppState['formation'], pooled = true): AppState {
  const pg = postgresAddon('standard-0', {id: 'pg1', name: 'postgresql-curved-1'})
  const pool = {...attachment(pg, 'DATABASE_CONNECTION_POOL'), namespace: 'connection-pooling:default'}
  return appStateOf({
    addons: [pg], attachments: pooled ? [attachment(pg), pool] : [attachment(pg)], checkout,
    poolerConfig: {pg1: {maxClientConn: 10_000, maxDbConnections: 60, defaultPoolSize: null, error: null}},
    config: {DATABASE_URL: DB, ...(pooled ? {DATABASE_CONNECTION_POOL_URL: POOL} : {}), RAILS_MAX_THREADS: '5'},
    formation,
  })
}

const WEB = {type: 'web', quantity: 2, size: 'standard-2x', command: 'bundle exec puma -C config/puma.rb'}
const RELEASE = {type: 'release', quantity: 0, size: 'standard-1x', command: 'bin/rails db:migrate'}

function pooler(state: AppState) {
  return diagnose(state).report.checks.find(c => c.id === 'postgres.pooler')
}

describe('postgres.pooler', () => {
  it('fails when the release migration goes through the server-side pooler (advisory lock), naming both fixes', () => {
    const check = pooler(railsApp(yml(), [WEB, RELEASE]))!
    expect(check.status).toBe('fail')
    expect(check.message).toContain('release: Rails migrations (bin/rails db:migrate) takes advisory locks')
    expect(check.fix).toContain('release with DATABASE_CONNECTION_POOL_URL=$DATABASE_URL before its command')
    expect(check.fix).toContain('advisory_locks: false')
    expect(check.fix).toContain('prepared_statements: false')
  })

  it('the release started with a direct URL no longer fails; Puma\'s prepared statements still warn', () => {
    const release = {...RELEASE, command: 'DATABASE_CONNECTION_POOL_URL=$DATABASE_URL bin/rails db:migrate'}
    const check = pooler(railsApp(yml(), [WEB, release]))!
    expect(check.status).toBe('warn')
    expect(check.message).not.toContain('release')
    expect(check.message).toContain('web: ActiveRecord uses named prepared statements (Rails default')
  })

  it('ok with prepared_statements: false and advisory_locks: false in database.yml', () => {
    const check = pooler(railsApp(yml('  prepared_statements: false\n  advisory_locks: false\n'), [WEB, RELEASE]))!
    expect(check.status).toBe('ok')
  })

  it('GoodJob behind the pgbouncer in its dyno fails: it needs LISTEN/NOTIFY and advisory locks', () => {
    const checkout: Checkout = {dir: '.', files: {'config/database.yml': {text: 'production:\n  adapter: postgresql\n  prepared_statements: false\n'}}}
    const state = railsApp(checkout, [WEB, {type: 'worker', quantity: 1, size: 'standard-1x', command: 'bin/start-pgbouncer bundle exec good_job start'}], false)
    const check = pooler(state)!
    expect(check.status).toBe('fail')
    expect(check.message).toContain('worker: GoodJob takes LISTEN/NOTIFY')
    expect(check.fix).toContain('start worker without bin/start-pgbouncer')
  })

  it('a heroku-tsq/runtime app behind the pooler needs no session', () => {
    const state = railsApp({dir: '.', files: {}}, [{type: 'web', quantity: 2, size: 'standard-2x', command: 'node web.js'}])
    const check = pooler({...state, config: {...state.config, TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}})!
    expect(check.status).toBe('ok')
    expect(check.message).toContain('unnamed statements')
  })

  it('left out when nothing connects through a pooler', () => {
    expect(pooler(railsApp(yml(), [WEB], false))).toBeUndefined()
  })
})
