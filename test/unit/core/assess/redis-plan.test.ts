// planRedisPools on the guide-shaped Rails app (Puma + Sidekiq) on Heroku Key-Value Store mini (maxclients 20,
// reserve 2: 18 available, 10 to survive a restart's overlap): the Sidekiq concurrency and Redis pool sizes that
// fit, derived by hand from the formulas of rails-connection-facts.md §5 (the arithmetic is beside each test),
// and judged by assessing the app again with them.
import {describe, expect, it} from 'vitest'
import {assess} from '../../../../src/core/assess/assess.js'
import {planRedisPools} from '../../../../src/core/assess/redis-plan.js'
import {editsOf} from '../../../../src/core/stacks/levers.js'
import {appState, kvs, pg} from '../checks/fixtures.js'
import {guideCheckout as checkout, guideFormation as formation, guideOnMini as app, railsFixture as fixture} from '../rails-guide-app.js'

const redisOf = (a: ReturnType<typeof assess>) => a.resources.find(r => r.kind === 'redis')!
const pgOf = (a: ReturnType<typeof assess>) => a.resources.find(r => r.kind === 'postgres')!

describe('planRedisPools: Sidekiq 6.4.1 (server holds concurrency + 1, measured; client pool = RAILS_MAX_THREADS)', () => {
  it('fits mini even on restart with RAILS_MAX_THREADS=3 and config/sidekiq.yml concurrency 2 (web 2×3 + worker 2+1 = 9 ≤ 10)', () => {
    const before = assess(app(checkout('6.4.1')))
    // Before: web 2 processes × min(threads 5, client pool 5) = 10; worker 20 + 1 = 21; 31 > 18.
    expect(redisOf(before)).toMatchObject({demand: 31, available: 18, status: 'fail'})
    const plan = planRedisPools(before)
    // Cap 3: web 2 × min(5, 3) = 6, worker concurrency 3 − 1 = 2 → 3; 9, and 2 × 9 = 18 ≤ 20.
    // Cap 4 would be 2 × 4 + 4 = 12 > 10, so 3 is the largest cap that survives the overlap.
    expect(plan).toMatchObject({fits: 'overlap', cap: 3, connections: {web: 3, worker: 3}, demand: 9, vars: {RAILS_MAX_THREADS: '3'}, unsettable: [], adjustable: true})
    expect(editsOf(plan.changes, before.checkout)).toEqual(['config/sidekiq.yml:2: `:concurrency: 2` (worker concurrency; now `:concurrency: 20`)'])
    expect(plan.overrides).toEqual({worker: {concurrency: 2}})
    // The lowest: one thread per web process and concurrency 1 → 2 × 1 + (1 + 1) = 4.
    expect(plan.floor).toBe(4)
    // Judged again with the values: Postgres is 2 × min(pool 3, threads 3) + min(pool 3, concurrency 2) = 8, and the
    // worker's pool (3) now covers its concurrency (2), which it did not before (5 < 20).
    expect(redisOf(plan.after!)).toMatchObject({demand: 9, status: 'ok'})
    expect(pgOf(plan.after!)).toMatchObject({demand: 8, status: 'ok'})
    expect(plan.after!.models.flatMap(m => m.findings.filter(f => f.status === 'fail').map(f => `${m.type} ${f.id}`))).toEqual([])
  })

  it('changes nothing when the formation already fits a restart (web=1 worker=1 at RAILS_MAX_THREADS=2, concurrency 2: 2×2 + 3 = 7 ≤ 10)', () => {
    const co = checkout('6.4.1', {'config/sidekiq.yml': {text: ':concurrency: 2\n'}})
    const before = assess({...app(co), config: {...app(co).config, RAILS_MAX_THREADS: '2'}})
    expect(redisOf(before).demand).toBe(7)
    expect(planRedisPools(before)).toMatchObject({fits: 'overlap', cap: 3, changes: [], vars: {}, overrides: {}, demand: 7})
  })
})

describe('planRedisPools: Sidekiq 7.3.9 (server holds concurrency + internal pool 10; client pool 10)', () => {
  it('fits the limit but not a restart: concurrency 1 and RAILS_MAX_THREADS=3 (web 2×3 + worker 1+10 = 17 ≤ 18; the worker alone is 11 > 10)', () => {
    const before = assess(app(checkout('7.3.9')))
    // Before: web 2 × min(threads 5, client pool 10) = 10; worker 20 + 10 = 30; 40.
    expect(redisOf(before)).toMatchObject({demand: 40, status: 'fail'})
    const plan = planRedisPools(before)
    // No cap survives the overlap (the worker holds at least 1 + 10 = 11 > 10). Limit: cap 4 is 2 × 4 + 11 = 19 > 18;
    // cap 3 is 2 × 3 + 11 = 17 ≤ 18. The client pool's 10 is Sidekiq's default (nothing sets it), so the threads come down.
    expect(plan).toMatchObject({fits: 'limit', cap: 3, connections: {web: 3, worker: 11}, demand: 17, vars: {RAILS_MAX_THREADS: '3'}})
    expect(editsOf(plan.changes, before.checkout)).toEqual(['config/sidekiq.yml:2: `:concurrency: 1` (worker concurrency; now `:concurrency: 20`)'])
    expect(redisOf(plan.after!)).toMatchObject({demand: 17, status: 'warn'})
    expect(plan.floor).toBe(13)
  })

  it('says none when even concurrency 1 and one thread per web process do not fit (web=4: 4×2×1 + 11 = 19 > 18)', () => {
    const before = assess(app(checkout('7.3.9'), formation(4, 1)))
    // Before: web 4 × 2 × 5 = 40 + worker 30 = 70.
    expect(redisOf(before).demand).toBe(70)
    const plan = planRedisPools(before)
    expect(plan).toMatchObject({fits: 'none', cap: null, changes: [], vars: {}, demand: 19, floor: 19, adjustable: true})
  })

  it('with `config.redis = {size: n}` (≥ 7.0.3: every pool is n) lowers the server size and the client pool where the initializer sets them', () => {
    const co = checkout('7.3.9', {'config/initializers/sidekiq.rb': {text: fixture('sidekiq-initializer-guide.rb')}})
    const before = assess(app(co))
    // Before: worker size 27 × (internal + default capsule) = 54; web 2 × min(threads 5, client size 5) = 10; 64.
    expect(redisOf(before).demand).toBe(64)
    const plan = planRedisPools(before)
    // Cap 3: worker size ⌊3 / 2⌋ = 1 → 2 (and concurrency 1, one processor per connection of its pool); web client
    // pool 3 → 2 × 3 = 6; 8 ≤ 10. Cap 4: size 2 → 4, web 2 × 4 = 8; 12 > 10.
    expect(plan).toMatchObject({fits: 'overlap', cap: 3, connections: {web: 3, worker: 2}, demand: 8, vars: {}})
    expect(plan.overrides).toEqual({web: {redisPoolSetting: 3}, worker: {redisPoolSetting: 1, concurrency: 1}})
    expect(editsOf(plan.changes, before.checkout)).toEqual([
      'config/initializers/sidekiq.rb:11: set web Sidekiq Redis pool to 3',
      'config/initializers/sidekiq.rb:3: set worker Sidekiq Redis pool to 1',
      'config/sidekiq.yml:2: `:concurrency: 1` (worker concurrency; now `:concurrency: 20`)',
    ])
  })
})

describe('planRedisPools: stacks whose Redis connections no setting turns', () => {
  it('heroku-tsq (Node) processes have fixed counts: capRedis is empty, the plan is not adjustable and changes nothing', () => {
    const state = appState({addons: [kvs('mini'), pg('essential-2')], formation: [
      {type: 'web', quantity: 8, size: 'standard-1x', command: 'node web.js'},
      {type: 'worker', quantity: 6, size: 'standard-1x', command: 'node worker.js'},
    ]})
    const before = assess(state)
    expect(redisOf(before).status).toBe('fail')
    for (const m of before.models) expect([m.stack.value, m.capRedis(1)]).toEqual(['tsq', []])
    expect(planRedisPools(before)).toMatchObject({fits: 'none', adjustable: false, changes: [], vars: {}})
  })
})
