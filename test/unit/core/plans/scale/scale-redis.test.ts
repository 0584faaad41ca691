// tsq:scale's refusal over Redis for a Rails app on Heroku Key-Value Store mini (20 clients, reserve 2): the
// Sidekiq concurrency and Redis pool sizes that would make the requested formation fit, planned together with
// the Postgres pools when Postgres fails too, and nothing sent.
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../../../../src/core/checks/doctor.js'
import {parseScaleArgs} from '../../../../../src/core/model/formation.js'
import {planScale} from '../../../../../src/core/plans/scale/scale-plan.js'
import {renderSuggestions} from '../../../../../src/render/scale.js'
import {guideCheckout, guideFormation, guideOnMini} from '../../rails-guide-app.js'

describe('tsq:scale worker=2 on the guide-shaped Rails app (Sidekiq 6.4.1) over KVS mini', () => {
  it('refuses and names RAILS_MAX_THREADS=2 and config/sidekiq.yml concurrency 1 (web 2×2 + 2 workers × (1+1) = 8 ≤ 10)', () => {
    const state = guideOnMini(guideCheckout('6.4.1'))
    const plan = planScale(state, parseScaleArgs(['worker=2']))
    // Requested: web 2 × 5 = 10 + 2 × (20 + 1) = 42 → 52 > 18; Postgres 2 × 5 + 2 × min(5, 20) = 20 ≤ 38 does not fail.
    expect(plan.verdict).toBe('refuse')
    expect(plan.blocking.map(b => [b.kind, b.demand])).toEqual([['redis', 52]])
    // Cap 2: 2 × 2 + 2 × 2 = 8, 2 × 8 ≤ 20; cap 3: 2 × 3 + 2 × 3 = 12 > 10.
    expect(plan.suggestions!.redisPools).toEqual({
      fits: 'overlap', connections: {web: 2, worker: 2}, vars: {RAILS_MAX_THREADS: '2'}, demand: 8, withPostgres: false,
      command: 'heroku config:set RAILS_MAX_THREADS=2 -a demo',
      edits: ['config/sidekiq.yml:2: `:concurrency: 1` (worker concurrency; now `:concurrency: 20`)'],
    })
    expect(plan.suggestions!.alternatives.find(a => a.kind === 'redis')!.noPoolFix).toBeNull()
    expect(renderSuggestions({color: false}, plan)).toContain([
      'Or keep web=1:standard-1x worker=2:standard-1x with a smaller Sidekiq concurrency and Redis pools (Redis connections per process web 2, worker 2; fits even while old and new dynos overlap on restart):',
      '  heroku config:set RAILS_MAX_THREADS=2 -a demo',
      '  config/sidekiq.yml:2: `:concurrency: 1` (worker concurrency; now `:concurrency: 20`)',
      '  then run this command again (setting config vars restarts the dynos)',
    ].join('\n'))
    // The suggestion, applied, lets the same request through.
    const fixed = {...state, config: {...state.config, RAILS_MAX_THREADS: '2'},
      checkout: guideCheckout('6.4.1', {'config/sidekiq.yml': {text: ':concurrency: 1\n'}})}
    expect(planScale(fixed, parseScaleArgs(['worker=2'])).verdict).toBe('apply')
    expect(diagnose({...fixed, formation: guideFormation(1, 2)}).report.ok).toBe(true)
  })

  it('over Postgres essential-0 as well, plans one set of values that fits both: the Postgres pools already bring Redis to 10', () => {
    const plan = planScale(guideOnMini(guideCheckout('6.4.1'), guideFormation(), 'essential-0'), parseScaleArgs(['worker=2']))
    expect(plan.blocking.map(b => [b.kind, b.demand])).toEqual([['postgres', 20], ['redis', 52]])
    // Postgres (18 available, 10 on restart): pools of 2 → 2 × 2 + 2 × 2 = 8. With them Redis is web 2 × min(2, 2) = 4
    // + 2 workers × (2 + 1) = 6 → 10 ≤ 10: nothing lower is needed.
    expect(plan.suggestions!.pools).toMatchObject({fits: 'overlap', vars: {RAILS_MAX_THREADS: '2'}})
    expect(plan.suggestions!.redisPools).toEqual({
      fits: 'overlap', connections: {web: 2, worker: 3}, vars: {RAILS_MAX_THREADS: '2'}, demand: 10, withPostgres: true,
      command: 'heroku config:set RAILS_MAX_THREADS=2 -a demo',
      edits: ['config/sidekiq.yml:2: `:concurrency: 2` (worker concurrency; now `:concurrency: 20`)'],
    })
    const text = renderSuggestions({color: false}, plan)
    expect(text).toContain('with smaller Postgres pools and Sidekiq sizes (Redis connections per process web 2, worker 3; fits even while old and new dynos overlap on restart)')
    expect(text).not.toContain('with smaller Postgres pools (fits')
  })
})
