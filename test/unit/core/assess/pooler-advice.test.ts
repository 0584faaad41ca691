// Advice that works (issue 13): when Postgres cannot fit, the fixes rank pools, server-side pooling, the pgbouncer
// in each dyno and the next plan, each with the budget it leaves; following either pooler fix makes the doctor pass.
import {describe, expect, it} from 'vitest'
import type {AppState} from '../../../../src/core/model/app-state.js'
import {assess} from '../../../../src/core/assess/assess.js'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {postgresOptions} from '../../../../src/core/assess/pooler-advice.js'
import {APP, appStateOf, attachment, postgresAddon, redisAddon} from '../../../helpers/app-state.js'

const DB = 'postgres://u:p@db.example:5432/d'

function over(plan = 'standard-0'): AppState {
  const pg = postgresAddon(plan, {id: 'pg1', name: 'postgresql-curved-1'})
  const redis = redisAddon('heroku-redis:premium-5', {id: 'r1', name: 'redis-flat-2'})
  return appStateOf({
    addons: [pg, redis], config: {DATABASE_URL: DB, REDIS_URL: 'rediss://h:p@r:1'},
    // web 10 × 2 × 5 = 100 + worker 8 × 1 × 5 = 40 = 140 > 120 − 2
    formation: [{type: 'web', quantity: 10, size: 'standard-2x', command: 'node web.js'}, {type: 'worker', quantity: 8, size: 'standard-1x', command: 'node worker.js'}],
  })
}

const postgres = (s: AppState) => assess(s).resources.find(r => r.kind === 'postgres')!
const pgCheck = (s: AppState) => diagnose(s).report.checks.find(c => c.id === 'postgres.connections')!

describe('postgres options when a formation cannot fit', () => {
  it('ranks what fits a restart first, each with the demand it leaves: server-side pooling 90, pgbouncer 36, standard-2 at 400', () => {
    // Server-side pooling: 140 clients hold min(140, 90) = 90; on a restart min(2 × 140, 90) = 90 ≤ 120 (its server
    // side counts once). pgbouncer: 18 dynos × (1 + 1) = 36, 2 × 36 = 72 ≤ 120. All fit a restart: kept in order.
    const options = postgresOptions(assess(over()), postgres(over()))
    expect(options.map(o => [o.kind, o.demand, o.limit, o.fits])).toEqual([
      ['server-pooling', 90, 120, 'overlap'], ['pgbouncer', 36, 120, 'overlap'], ['plan', 140, 400, 'overlap'],
    ])
    expect(options[0]!.text).toContain('75% of the plan assumed')
    expect(options[0]!.text).toContain('(Postgres demand then 90 of 118 available)')
    expect(options[1]!.text).toContain('(Postgres demand then 36 of 118 available)')
  })

  it('no server-side pooling on Essential; no pgbouncer buildpack on Fir', () => {
    const essential = over('essential-2')
    expect(postgresOptions(assess(essential), postgres(essential)).map(o => o.kind)).not.toContain('server-pooling')
    const fir = {...over(), generation: 'fir'}
    expect(postgresOptions(assess(fir), postgres(fir), fir).map(o => o.kind)).not.toContain('pgbouncer')
  })

  it('the doctor\'s postgres.connections fix names them with their numbers', () => {
    const fix = pgCheck(over()).fix!
    expect(fix).toContain(`heroku buildpacks:add heroku/pgbouncer -a ${APP}, then start each Procfile command with bin/start-pgbouncer`)
    expect(fix).toContain(`heroku tsq:setup --pooling -a ${APP}`)
    expect(fix).toContain('at most 90, 75% of the plan assumed) (Postgres demand then 90 of 118 available)')
    expect(fix.indexOf('--pooling')).toBeLessThan(fix.indexOf('heroku/pgbouncer'))
  })

  it('following the pgbouncer fix makes the doctor pass with the predicted 36', () => {
    const s = over()
    const followed = {...s, formation: s.formation.map(f => ({...f, command: `bin/start-pgbouncer ${f.command}`}))}
    expect(postgres(followed)).toMatchObject({demand: 36, status: 'ok'})
    expect(diagnose(followed).report.ok).toBe(true)
  })

  it('following the server-side pooling fix makes the doctor pass with the predicted 90', () => {
    const s = over()
    const pg = s.addons[0]!
    const followed: AppState = {...s, attachments: [...s.attachments, {...attachment(pg, 'DATABASE_CONNECTION_POOL'), namespace: 'connection-pooling:default'}],
      config: {...s.config, DATABASE_CONNECTION_POOL_URL: 'postgres://u:p@pooler.example:5432/d', TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}}
    expect(postgres(followed)).toMatchObject({demand: 90})
    expect(diagnose(followed).report.checks.filter(c => c.status === 'fail')).toEqual([])
    // As the option said: a restart holds min(2 × 140, 90) = 90 ≤ 120.
    expect(diagnose(followed).report.checks.find(c => c.id === 'restart.overlap')!.status).toBe('ok')
  })
})
