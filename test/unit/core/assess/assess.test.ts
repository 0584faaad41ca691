import {describe, expect, it} from 'vitest'
import type {AppState} from '../../../../src/core/model/app-state.js'
import {assess} from '../../../../src/core/assess/assess.js'
import {planPools} from '../../../../src/core/assess/pool-plan.js'
import {statusOf} from '../../../../src/core/budget/budget.js'
import {appStateOf, postgresAddon, redisAddon} from '../../../helpers/app-state.js'

function state(overrides: Partial<AppState> = {}): AppState {
  return {
    ...appStateOf({
      addons: [
        postgresAddon('essential-0', {id: 'pg1', name: 'postgresql-curved-1'}),
        redisAddon('rediscloud:30', {id: 'rc1', name: 'rediscloud-flat-2'}),
      ],
      config: {DATABASE_URL: 'postgres://u:p@h:5432/d', REDISCLOUD_URL: 'redis://h:p@r:1'},
      formation: [{type: 'web', quantity: 2, size: 'standard-2x'}, {type: 'worker', quantity: 1, size: 'standard-1x'}],
    }),
    ...overrides,
  }
}

describe('assess', () => {
  it('finds the add-on behind each URL the runtime reads and budgets both with catalogue limits', () => {
    const a = assess(state())
    expect(a.redis).toMatchObject({configVar: 'REDISCLOUD_URL', used: {name: 'rediscloud-flat-2'}})
    expect(a.resources.map(r => [r.kind, r.addon, r.limit, r.demand, r.status])).toEqual([
      // web: 2 dynos × 2 processes (standard-2x) × pool 5 = 20, worker 1 × 1 × 5 = 5
      ['postgres', 'postgresql-curved-1', 20, 25, 'fail'],
      // web: 2 × 2 × 1 = 4, worker 1 × 1 × 3 = 3
      ['redis', 'rediscloud-flat-2', 30, 7, 'ok'],
    ])
  })

  it('prefers the Data API limit over the catalogue and says where it came from', () => {
    const a = assess(state({dataApi: {pg1: {limit: 120, used: 3, error: null}}}))
    expect(a.resources[0]).toMatchObject({limit: 120, limitSource: 'Heroku Data API (pg:info Connections)', status: 'ok'})
  })

  it('gives an unknown plan no limit and a warn status', () => {
    const s = state()
    s.addons[0]!.plan = 'heroku-postgresql:standard-9'
    expect(assess(s).resources[0]).toMatchObject({limit: null, status: 'warn'})
  })

  it('uses a tighter limit measured live over the plan limit', () => {
    const live = {connections: 3, limit: 10, limitSource: 'INFO clients', attributed: [], unattributed: 3, error: null}
    expect(assess(state(), {live: {redis: live}}).resources[1]).toMatchObject({limit: 10, live})
  })

  it('adds the demand of an app sharing the database, and records one it could not read', () => {
    const sharing = {pg1: [
      {app: 'demo-staging', config: {DATABASE_URL: 'postgres://u:p@h:5432/d'}, formation: [{type: 'web', quantity: 1, size: 'standard-1x'}], error: null},
      {app: 'demo-review', config: null, formation: null, error: 'forbidden'},
    ]}
    const a = assess(state({sharing}))
    expect(a.resources[0]).toMatchObject({demand: 30, sharedWith: ['demo-staging', 'demo-review']})
  })

  it('judges a hypothetical formation and config instead of the current ones', () => {
    const a = assess(state(), {formation: [{type: 'web', quantity: 1, size: 'performance-m'}], config: {DATABASE_URL: 'postgres://h/d', TSQ_DB_POOL: '2'}})
    // Postgres: 1 × 5 processes × pool 2; the one Redis add-on is still budgeted: 5 web processes × 1.
    expect(a.resources.map(r => r.demand)).toEqual([10, 5])
  })
})

describe('planPools', () => {
  it('chooses pools that fit even during restart overlap, and lowers worker concurrency to its pool', () => {
    const a = assess(state({formation: [{type: 'web', quantity: 2, size: 'standard-2x'}, {type: 'worker', quantity: 2, size: 'standard-1x'}]}))
    const plan = planPools(a)
    expect(plan.fits).toBe('overlap')
    const after = assess(state(), {formation: a.formation, config: {...a.config, ...plan.vars}})
    const pg = after.resources[0]!
    expect(2 * pg.demand).toBeLessThanOrEqual(pg.limit!)
    expect(plan.vars).toEqual({TSQ_WEB_DB_POOL: '1', TSQ_WORKER_DB_POOL: '1', TSQ_WORKER_CONCURRENCY: '1'})
    expect(after.processes.find(p => p.type === 'worker')).toMatchObject({dbPool: 1, concurrency: 1})
  })

  it('falls back to fitting limit minus reserve when the overlap cannot fit', () => {
    const a = assess(state({formation: [{type: 'web', quantity: 6, size: 'standard-2x'}, {type: 'worker', quantity: 2, size: 'standard-1x'}]}))
    const plan = planPools(a)
    const after = assess(state(), {formation: a.formation, config: {...a.config, ...plan.vars}})
    expect([plan.fits, after.resources[0]!.status]).toEqual(['limit', statusOf(20, 2, after.resources[0]!.demand)])
    expect(after.resources[0]!.demand).toBeLessThanOrEqual(18)
  })

  it('says none when even a pool of one per process is too many, and unknown without a limit', () => {
    expect(planPools(assess(state({formation: [{type: 'web', quantity: 10, size: 'standard-2x'}]}))).fits).toBe('none')
    const unknownPlan = state()
    unknownPlan.addons[0]!.plan = 'heroku-postgresql:standard-9'
    expect(planPools(assess(unknownPlan)).fits).toBe('unknown')
    expect(planPools(assess(state({addons: [], config: {}}))).fits).toBe('unknown')
  })

  it('changes nothing when the current pools already fit the overlap', () => {
    expect(planPools(assess(state({formation: [{type: 'web', quantity: 1, size: 'standard-1x'}]})))).toMatchObject({fits: 'overlap', vars: {}})
  })
})

describe('assess with no process types', () => {
  it('still honours the app-wide reserves and reports an invalid one', () => {
    const a = assess(state({formation: []}), {config: {DATABASE_URL: 'postgres://u:p@h:5432/d', TSQ_DB_RESERVE: '7', TSQ_REDIS_RESERVE: 'x'}})
    expect(a.resources[0]!.reserve).toBe(7)
    expect(a.problems.map(p => p.variable)).toEqual(['TSQ_REDIS_RESERVE'])
  })
})
