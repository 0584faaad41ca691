// tsq:setup's Rails seeding on Heroku Key-Value Store mini (20 clients, reserve 2): WEB_CONCURRENCY,
// RAILS_MAX_THREADS and SIDEKIQ_CONCURRENCY start at what the app runs today and are lowered, on top of the
// Postgres pools, until Redis fits too; when even concurrency 1 does not fit, setup says so.
import {describe, expect, it} from 'vitest'
import type {AppState} from '../../../../../src/core/model/app-state.js'
import {diagnose} from '../../../../../src/core/checks/doctor.js'
import {type SetupIntent, planSetup} from '../../../../../src/core/plans/setup/setup-plan.js'
import {guideCheckout, guideFormation, guideOnMini} from '../../rails-guide-app.js'

const PROCFILE = 'web: bundle exec puma -C config/puma.rb\nworker: bundle exec sidekiq -e production -C config/sidekiq.yml\n'
const intent: SetupIntent = {redis: null, local: null, migrations: false, procfile: {existing: PROCFILE, scripts: null, commands: {}, force: true}}

/** The app once the plan's config vars are set and its files written. */
function applied(state: AppState, plan: ReturnType<typeof planSetup>): AppState {
  const config = {...state.config}
  const files = {...state.checkout!.files}
  for (const c of plan.changes) {
    if (c.kind === 'config') Object.assign(config, c.vars)
    if (c.kind === 'file') files[c.file] = {text: c.after}
  }
  return {...state, config, checkout: {...state.checkout!, files}}
}

describe('tsq:setup --force on the guide-shaped Rails app (Sidekiq 6.4.1) over KVS mini and Postgres essential-2', () => {
  it('sets RAILS_MAX_THREADS=3 and SIDEKIQ_CONCURRENCY=2, so Redis is 9 and fits a restart, and the doctor then passes', () => {
    const state = guideOnMini(guideCheckout('6.4.1'))
    const plan = planSetup(state, intent)
    // Seeds (today): WEB_CONCURRENCY 2, RAILS_MAX_THREADS 5, SIDEKIQ_CONCURRENCY 20. Postgres (38 available, 20 on
    // restart) lowers the worker to 10: 2 × 5 + 10 = 20. Redis with tsq.rb (client pool = threads; Sidekiq 6 server
    // pool concurrency + 2, of which concurrency + 1 held): cap 3 → web 2 × 3 + worker (2 + 1) = 9 ≤ 10; cap 4 → 12.
    const config = plan.changes.find(c => c.kind === 'config')!
    expect(config.kind === 'config' && config.vars).toEqual({RAILS_MAX_THREADS: '3', SIDEKIQ_CONCURRENCY: '2'})
    expect(config.kind === 'config' && config.reasons).toContain(
      'Redis redis-curved-1 (heroku-redis:mini, limit 20, reserve 2): 31 (over the 18 available) → 9 connections, which fits even while old and new dynos overlap on restart (2 × 9 = 18 ≤ 20)')
    expect(plan.problems).toEqual([])
    const {report} = diagnose(applied(state, plan))
    expect(report.ok).toBe(true)
    expect(report.resources.map(r => [r.kind, r.demand, r.status])).toEqual([['postgres', 8, 'ok'], ['redis', 9, 'ok']])
    expect(report.checks.find(c => c.id === 'restart.overlap')!.status).toBe('ok')
  })

  it('with web=9 even concurrency 1 and one thread need 20 > 18: says so, and the doctor\'s redis.connections failure is a problem', () => {
    const state = guideOnMini(guideCheckout('6.4.1'), guideFormation(9, 1))
    const plan = planSetup(state, intent)
    // Postgres pools of 1 (9 × 2 × 1 + 1 = 19 ≤ 20); Redis at its lowest: 9 × 2 × 1 + (1 + 1) = 20 > 18.
    expect(plan.skipped.map(s => s.reason)).toContain(
      'even Sidekiq concurrency 1 and the smallest Redis pools need 20 Redis connections, over the 18 available on redis-curved-1 (heroku-redis:mini, limit 20, reserve 2), so the Sidekiq sizes are left as they are')
    expect(plan.problems.map(p => p.id)).toContain('redis.connections')
  })
})
