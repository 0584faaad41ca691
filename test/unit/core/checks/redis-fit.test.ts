// The doctor's redis.connections fix for a Rails app over Heroku Key-Value Store mini (20 clients, reserve 2):
// the Sidekiq concurrency and Redis pool sizes that fit, in the app's own terms, beside the other fixes; and,
// when even concurrency 1 does not fit, a sentence that says so with the other fixes kept.
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {guideCheckout, guideFormation, guideOnMini} from '../rails-guide-app.js'

const redisCheck = (report: ReturnType<typeof diagnose>['report']) => report.checks.find(c => c.id === 'redis.connections')!

describe('redis.connections on a Rails app over KVS mini', () => {
  it('Sidekiq 6.4.1: fails at 31 and fixes with RAILS_MAX_THREADS=3 and config/sidekiq.yml concurrency 2, then the plan upgrade', () => {
    // web 2 × min(5, 5) = 10 + worker 20 + 1 = 21 → 31 > 18. Cap 3: 2 × 3 + (2 + 1) = 9, 2 × 9 ≤ 20 (see redis-plan.test.ts).
    const {report} = diagnose(guideOnMini(guideCheckout('6.4.1')))
    const check = redisCheck(report)
    expect(check.status).toBe('fail')
    expect(check.fix).toBe([
      'heroku config:set RAILS_MAX_THREADS=3 -a demo and config/sidekiq.yml:2: `:concurrency: 2` (worker concurrency; now `:concurrency: 20`) '
        + '(the largest Sidekiq sizes that fit, even while old and new dynos overlap: Redis connections per process web 3, worker 3; 31 → 9)',
      'heroku addons:upgrade redis-curved-1 heroku-redis:premium-1 -a demo',
    ].join('; or '))
  })

  it('the fix, applied, makes redis.connections pass and leaves Postgres and the pool checks passing', () => {
    const state = guideOnMini(guideCheckout('6.4.1', {'config/sidekiq.yml': {text: ':concurrency: 2\n:queues:\n  - default\n  - mailers\n'}}))
    const {report} = diagnose({...state, config: {...state.config, RAILS_MAX_THREADS: '3'}})
    expect(report.resources.map(r => [r.kind, r.demand, r.status])).toEqual([['postgres', 8, 'ok'], ['redis', 9, 'ok']])
    expect(report.checks.filter(c => c.status !== 'ok').map(c => c.id)).toEqual([])
  })

  it('Sidekiq 7.3.9: the limit fix applied (RAILS_MAX_THREADS=3, concurrency 1) passes redis.connections; restart.overlap says the lowest, 13, is over half the limit', () => {
    // web 2 × min(3 threads, client pool 10) = 6 + worker 1 + 10 = 11 → 17 ≤ 18; the lowest, one thread: 2 × 1 + 11 = 13 > 10.
    const state = guideOnMini(guideCheckout('7.3.9', {'config/sidekiq.yml': {text: ':concurrency: 1\n'}}))
    const {report} = diagnose({...state, config: {...state.config, RAILS_MAX_THREADS: '3'}})
    expect(report.resources.find(r => r.kind === 'redis')!.demand).toBe(17)
    expect(redisCheck(report).status).toBe('ok')
    const overlap = report.checks.find(c => c.id === 'restart.overlap')!
    expect(overlap.status).toBe('warn')
    expect(overlap.fix!.split('; or ')).toContain(
      'no Sidekiq concurrency or Redis pool size is enough on its own: even at Sidekiq concurrency 1 and the smallest Redis pools the processes need 13 Redis connections, over half the limit of 20 (a restart\'s overlap)')
  })

  it('Sidekiq 7.3.9, web=4: even concurrency 1 needs 19 > 18, says so and keeps the plan upgrade', () => {
    // web 4 dynos × 2 × 1 thread = 8 + worker 1 + internal pool 10 = 11 → 19 > 18.
    const {report} = diagnose(guideOnMini(guideCheckout('7.3.9'), guideFormation(4, 1)))
    const check = redisCheck(report)
    expect(check.status).toBe('fail')
    expect(check.fix).toBe([
      'no Sidekiq concurrency or Redis pool size is enough on its own: even at Sidekiq concurrency 1 and the smallest Redis pools the processes need 19 Redis connections, over the 18 available',
      // 4 × 2 × 5 + 30 = 70: premium-1 (80) would not survive a restart (140), premium-2 (200) does.
      'heroku addons:upgrade redis-curved-1 heroku-redis:premium-2 -a demo',
    ].join('; or '))
  })
})
