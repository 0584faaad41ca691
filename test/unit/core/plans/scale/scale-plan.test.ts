import {describe, expect, it} from 'vitest'
import type {AppState, FormationEntry} from '../../../../../src/core/model/app-state.js'
import {assess} from '../../../../../src/core/assess/assess.js'
import {ScaleArgumentError, parseScaleArgs} from '../../../../../src/core/model/formation.js'
import {type ScalePlan, diffFormation, planScale} from '../../../../../src/core/plans/scale/scale-plan.js'
import {largerPlan} from '../../../../../src/core/budget/budget.js'
import {appStateOf, postgresAddon, redisAddon} from '../../../../helpers/app-state.js'

// demo: Postgres essential-0 (limit 20, reserve 2 → 18 available), Heroku Key-Value Store mini (limit 20).
// Defaults: web pool 5, worker pool = concurrency 5; Redis web 1, worker 2 + 1 per queue.
function state(overrides: Partial<AppState> = {}, config: Record<string, string> = {}): AppState {
  return {
    ...appStateOf({
      addons: [
        postgresAddon('essential-0', {id: 'pg1', name: 'postgresql-curved-1'}),
        redisAddon('heroku-redis:mini', {id: 'kv1', name: 'redis-round-2'}),
      ],
      config: {DATABASE_URL: 'postgres://u:pw-secret@db.example.com:5432/d', REDIS_URL: 'rediss://:kv-secret@kv.example.com:6380', ...config},
      formation: [{type: 'web', quantity: 1, size: 'standard-1x'}, {type: 'worker', quantity: 1, size: 'standard-1x'}],
    }),
    ...overrides,
  }
}

const plan = (s: AppState, args: string[], force = false): ScalePlan => planScale(s, parseScaleArgs(args), {force})
const statusOf = (p: ScalePlan, kind: string) => p.budgets.find(b => b.kind === kind)?.status
/** True when no resource (or no resource of `kind`) of the formation, with that config, is over limit − reserve. */
function fits(s: AppState, formation: readonly FormationEntry[], config?: Record<string, string>, kind?: string): boolean {
  return assess(s, {formation, ...(config ? {config} : {})}).resources.every(r => r.status !== 'fail' || (kind !== undefined && r.kind !== kind))
}
const withQuantity = (formation: readonly FormationEntry[], type: string, quantity: number) =>
  formation.map(f => (f.type === type ? {...f, quantity} : f))

const overWorkers = state({formation: [{type: 'web', quantity: 1, size: 'standard-1x'}, {type: 'worker', quantity: 4, size: 'standard-1x'}]})
const sharedDb = state({sharing: {pg1: [{app: 'demo-staging', config: {DATABASE_URL: 'postgres://u:other-cred@db.example.com:5432/d'}, formation: [{type: 'web', quantity: 1, size: 'standard-1x'}], error: null}]}})
const threeQueues = state({}, {TSQ_QUEUES: 'a,b,c', TSQ_DB_POOL: '1'})

describe('planScale verdicts', () => {
  const cases: Array<{name: string, state: AppState, args: string[], force?: boolean, verdict: string, status: string, pg?: string, redis?: string, updates?: unknown}> = [
    {name: 'worker=2 fits both limits (pg 15/18, redis 9/18): applied', state: state(), args: ['worker=2'], verdict: 'apply', status: 'warn', pg: 'warn', redis: 'ok',
      updates: [{type: 'worker', quantity: 2}]},
    {name: 'worker=3 needs 20 Postgres connections of 18 available: refused', state: state(), args: ['worker=3'], verdict: 'refuse', status: 'fail', pg: 'fail'},
    {name: 'worker=3 with --force: applied despite the Postgres failure', state: state(), args: ['worker=3'], force: true, verdict: 'apply', status: 'fail', pg: 'fail'},
    {name: 'worker=4 with 3 queues needs 21 Redis connections: refused on Redis alone', state: threeQueues, args: ['worker=4'], verdict: 'refuse', status: 'fail', pg: 'ok', redis: 'fail'},
    {name: 'relative worker+1 web-1 gives web=0 worker=2', state: state(), args: ['worker+1', 'web-1'], verdict: 'apply', status: 'ok',
      updates: [{type: 'web', quantity: 0}, {type: 'worker', quantity: 2}]},
    {name: 'web=1:performance-m runs 5 processes per dyno (25 connections): refused', state: state(), args: ['web=1:performance-m'], verdict: 'refuse', status: 'fail', pg: 'fail'},
    {name: 'web=1:performance-m with WEB_CONCURRENCY=1 set keeps 1 process: applied', state: state({}, {WEB_CONCURRENCY: '1'}), args: ['web=1:performance-m'], verdict: 'apply', status: 'ok',
      updates: [{type: 'web', quantity: 1, size: 'performance-m'}]},
    {name: 'worker=2 on a database shared with a staging app (5 more): refused', state: sharedDb, args: ['worker=2'], verdict: 'refuse', status: 'fail', pg: 'fail'},
    {name: 'worker=1 on the same shared database still fits', state: sharedDb, args: ['worker=1', 'web=1'], verdict: 'unchanged', status: 'warn'},
    {name: 'worker-1 on an app already over its limit lowers demand: applied with a warning', state: overWorkers, args: ['worker-1'], verdict: 'apply', status: 'fail', pg: 'fail'},
    {name: 'web+1 on an app already over its limit adds to it: refused', state: overWorkers, args: ['web+1'], verdict: 'refuse', status: 'fail', pg: 'fail'},
  ]
  it.each(cases)('$name', c => {
    const p = plan(c.state, c.args, c.force)
    expect(p.verdict).toBe(c.verdict)
    expect(p.status).toBe(c.status)
    if (c.pg) expect(statusOf(p, 'postgres')).toBe(c.pg)
    if (c.redis) expect(statusOf(p, 'redis')).toBe(c.redis)
    if (c.updates) expect(p.updates).toEqual(c.updates)
  })

  it('marks a forced plan and warns that connections will be refused', () => {
    const p = plan(state(), ['worker=3'], true)
    expect(p.forced).toBe(true)
    expect(p.warnings[0]).toMatch(/^--force: .*Postgres postgresql-curved-1 would need 20 connections, over the 18 available/)
  })

  it('does not mark an unforced refusal as forced, and names the blocking resource', () => {
    const p = plan(state(), ['worker=3'])
    expect(p.forced).toBe(false)
    expect(p.blocking.map(b => b.addon)).toEqual(['postgresql-curved-1'])
  })

  it('warns about restart overlap when the change fits but twice the demand does not', () => {
    const p = plan(state(), ['worker=2'])
    expect(p.warnings.some(w => /Postgres postgresql-curved-1: 15 connections fit .* overlap/.test(w))).toBe(true)
  })

  it('warns, without refusing, when a scale-down leaves the app over its limit', () => {
    const p = plan(overWorkers, ['worker-1'])
    expect(p.warnings.some(w => /does not add to it/.test(w))).toBe(true)
  })

  it('warns that a sharing app whose formation could not be read is not counted', () => {
    const s = state({sharing: {pg1: [{app: 'demo-review', config: null, formation: null, error: 'forbidden'}]}})
    expect(plan(s, ['worker=2']).warnings).toContain('postgresql-curved-1 is shared with demo-review, whose connections could not be counted (forbidden)')
  })

  it('rejects a type that is not in the formation, naming the known types', () => {
    expect(() => plan(state(), ['clock=1'])).toThrow(ScaleArgumentError)
    expect(() => plan(state(), ['clock=1'])).toThrow('"clock=1": no process type clock in the formation (known: web, worker)')
  })

  it('rejects a relative change below zero', () => {
    expect(() => plan(state(), ['worker-2'])).toThrow('"worker-2": worker has 1 dynos; it cannot go below 0')
  })
})

describe('diffFormation', () => {
  it('lists only the entries whose quantity or size changes, with the size only when it changes', () => {
    const current = [{type: 'web', quantity: 1, size: 'standard-1x'}, {type: 'worker', quantity: 1, size: 'standard-1x'}, {type: 'clock', quantity: 1, size: 'basic'}]
    const next = [{type: 'web', quantity: 1, size: 'standard-2x'}, {type: 'worker', quantity: 3, size: 'standard-1x'}, {type: 'clock', quantity: 1, size: 'basic'}]
    expect(diffFormation(current, next)).toEqual([{type: 'web', quantity: 1, size: 'standard-2x'}, {type: 'worker', quantity: 3}])
  })
})

describe('planScale suggestions, verified by assessing them again', () => {
  const refusals: Array<{name: string, state: AppState, args: string[]}> = [
    {name: 'worker=3 over Postgres', state: state(), args: ['worker=3']},
    {name: 'worker=9 and web=2 over Postgres', state: state(), args: ['worker=9', 'web=2']},
    {name: 'web=1:performance-m over Postgres', state: state(), args: ['web=1:performance-m']},
    {name: 'worker=2 over a shared database', state: sharedDb, args: ['worker=2']},
    {name: 'worker=4 over Redis', state: threeQueues, args: ['worker=4']},
    {name: 'worker=7 over both Postgres and Redis', state: state({}, {TSQ_QUEUES: 'a,b'}), args: ['worker=7']},
  ]

  it.each(refusals)('$name: each suggested count fits, one more does not', c => {
    const p = plan(c.state, c.args)
    expect(p.suggestions?.counts.map(s => s.type)).toEqual(parseScaleArgs(c.args).map(a => a.type))
    for (const s of p.suggestions!.counts) {
      if (s.largest === null) {
        expect(fits(c.state, withQuantity(p.formation, s.type, 0))).toBe(false)
        continue
      }
      expect(s.largest).toBeLessThan(s.requested)
      expect(fits(c.state, withQuantity(p.formation, s.type, s.largest))).toBe(true)
      expect(fits(c.state, withQuantity(p.formation, s.type, s.largest + 1))).toBe(false)
    }
  })

  it.each(refusals.filter(c => statusOf(plan(c.state, c.args), 'postgres') === 'fail'))(
    '$name: the suggested pools bring Postgres within its limit for the requested formation', c => {
      const p = plan(c.state, c.args)
      const pools = p.suggestions!.pools!
      expect(['overlap', 'limit']).toContain(pools.fits)
      expect(Object.keys(pools.vars).length).toBeGreaterThan(0)
      expect(fits(c.state, p.formation, c.state.config, 'postgres')).toBe(false)
      expect(fits(c.state, p.formation, {...c.state.config, ...pools.vars}, 'postgres')).toBe(true)
      expect(pools.command).toBe(`heroku config:set ${Object.entries(pools.vars).map(([k, v]) => `${k}=${v}`).join(' ')} -a demo`)
    })

  it('gives a size-changing count suggestion with its size', () => {
    const counts = plan(state({}, {TSQ_WORKER_DB_POOL: '1'}), ['web=3:standard-2x']).suggestions!.counts
    // room 18 − worker 1 = 17; a standard-2x web dyno runs 2 processes × pool 5 = 10
    expect(counts).toEqual([{type: 'web', requested: 3, size: 'standard-2x', largest: 1, command: 'heroku tsq:scale web=1:standard-2x -a demo'}])
  })

  it('reports 0 as the largest count without suggesting a command that scales the type away', () => {
    const counts = plan(state(), ['web=1:performance-m']).suggestions!.counts
    expect(counts).toEqual([{type: 'web', requested: 1, size: 'performance-m', largest: 0, command: null}])
  })

  it('says no count of a type fits when the excess comes from another type', () => {
    const p = plan(overWorkers, ['web+1'])
    expect(p.suggestions!.counts).toEqual([{type: 'web', requested: 2, size: 'standard-1x', largest: null, command: null}])
    expect(fits(overWorkers, withQuantity(p.formation, 'web', 0))).toBe(false)
  })

  it('offers no pools for Redis and says why, with a larger plan that fits', () => {
    const p = plan(threeQueues, ['worker=4'])
    expect(p.suggestions!.pools).toBeNull()
    const redis = p.suggestions!.alternatives.find(a => a.kind === 'redis')!
    expect(redis.noPoolFix).toMatch(/^no pool size can: Redis connections do not depend on a pool/)
    expect(redis.fixes[0]).toMatch(/^heroku addons:upgrade redis-round-2 heroku-redis:premium-\d+ \(\d+ connections\)$/)
  })

  it('says plainly when not even pools of 1 fit, and checks it: pools of 1 still fail', () => {
    const s = state()
    const p = plan(s, ['worker=18'])
    expect(p.suggestions!.pools).toMatchObject({fits: 'none', command: null})
    const pg = p.suggestions!.alternatives.find(a => a.kind === 'postgres')!
    expect(pg.noPoolFix).toBe('no pool size can: even a pool of 1 per process needs 19 connections, over the 18 available')
    expect(pg.fixes.some(f => f.includes('heroku buildpacks:add heroku/pgbouncer'))).toBe(true)
    expect(fits(s, p.formation, {...s.config, TSQ_DB_POOL: '1'})).toBe(false)
  })

  it('names a larger catalogued plan whose limit holds the demand with the reserve, preferring one that survives a restart', () => {
    for (const c of refusals) {
      const p = plan(c.state, c.args)
      for (const b of p.blocking) {
        const bigger = largerPlan(b)!
        expect(bigger.limit).toBeGreaterThan(b.limit!)
        expect(b.demand).toBeLessThanOrEqual(bigger.limit - b.reserve)
        expect(2 * b.demand).toBeLessThanOrEqual(bigger.limit)
      }
    }
  })

  it('makes no suggestions for a change that fits', () => {
    expect(plan(state(), ['worker=2']).suggestions).toBeNull()
  })
})
