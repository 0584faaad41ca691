import {describe, expect, it} from 'vitest'
import type {AppState, FormationEntry} from '../../../../../src/core/model/app-state.js'
import {assess} from '../../../../../src/core/assess/assess.js'
import {type AutoscaleSettings, type DecideInput, decideAutoscale} from '../../../../../src/core/plans/autoscale/decide.js'
import type {QueueReading, TypeQueues} from '../../../../../src/core/model/queue-readings.js'
import {appStateOf, postgresAddon, redisAddon} from '../../../../helpers/app-state.js'

const NOW = 1_800_000_000_000
const S: AutoscaleSettings = {min: 1, max: 10, targetMs: 30_000, downAfterMs: 300_000}

// Postgres essential-0: 20, reserve 2 → 18; web pool 5, worker pool = concurrency 5. Redis mini: 20 − 2 = 18;
// web 1, worker 3 (1 queue). So with one web dyno, 2 workers fit Postgres (5 + 2 × 5 = 15), 3 do not (20).
function state(formation: FormationEntry[], config: Record<string, string> = {}, pgPlan = 'essential-0', kvPlan = 'mini'): AppState {
  return appStateOf({
    addons: [postgresAddon(pgPlan, {id: 'pg1', name: 'postgresql-curved-1'}), redisAddon(`heroku-redis:${kvPlan}`, {id: 'kv1', name: 'redis-round-2'})],
    config: {DATABASE_URL: 'postgres://u:p@db.example.com:5432/d', REDIS_URL: 'redis://:p@kv.example.com:6379', ...config},
    formation,
  })
}
const f = (type: string, quantity: number): FormationEntry => ({type, quantity, size: 'standard-1x'})

function queue(over: Partial<QueueReading> = {}): QueueReading {
  return {name: 'default', backend: 'bullmq', waiting: 0, active: 0, delayed: 0, latencyMs: 0, ...over}
}
const read = (type: string, ...queues: QueueReading[]): TypeQueues => ({type, backend: 'bullmq', queues, error: null})

function decide(s: AppState, readings: TypeQueues[], over: Partial<DecideInput> = {}) {
  return decideAutoscale({state: s, readings, settings: S, now: NOW, quietSince: {}, ...over})
}

describe('decideAutoscale: the latency rule', () => {
  const roomy = (n: number) => state([f('web', 1), f('worker', n)], {}, 'standard-0', 'premium-2')

  it('latency over the target scales up in proportion: ceil(current × latency / target)', () => {
    const plan = decide(roomy(2), [read('worker', queue({waiting: 500, latencyMs: 90_000}))])
    expect(plan.decisions[0]).toMatchObject({type: 'worker', from: 2, to: 6, latencyMs: 90_000})
    expect(plan.decisions[0]!.reason).toMatch(/latency 90 s over the 30 s target/)
    expect(plan.updates).toEqual([{type: 'worker', quantity: 6}])
  })

  it('never above --max, and says so', () => {
    const plan = decide(roomy(2), [read('worker', queue({waiting: 500, latencyMs: 90_000}))], {settings: {...S, max: 4}})
    expect(plan.decisions[0]).toMatchObject({from: 2, to: 4})
    expect(plan.decisions[0]!.reason).toMatch(/--max 4/)
  })

  it('a waiting job wakes a type at 0 (--min 0): at least +1', () => {
    const plan = decide(roomy(0), [read('worker', queue({waiting: 1, latencyMs: 0}))], {settings: {...S, min: 0}})
    expect(plan.decisions[0]).toMatchObject({from: 0, to: 1, reason: 'a job is waiting and no dyno runs'})
    const due = decide(roomy(0), [read('worker', queue({delayed: 1, latencyMs: 40_000}))], {settings: {...S, min: 0}})
    expect(due.decisions[0]).toMatchObject({from: 0, to: 1})
  })

  it('quiet queues: one fewer only after --down-after, and the clock restarts after each step down', () => {
    const quiet = [read('worker', queue({latencyMs: 0}))]
    const first = decide(roomy(3), quiet)
    expect(first.decisions[0]).toMatchObject({from: 3, to: 3})
    expect(first.quietSince).toEqual({worker: NOW})
    expect(first.updates).toEqual([])
    const early = decide(roomy(3), quiet, {now: NOW + 299_000, quietSince: first.quietSince})
    expect(early.decisions[0]).toMatchObject({to: 3, reason: 'queues empty for 299 s of the 300 s before one fewer'})
    const down = decide(roomy(3), quiet, {now: NOW + 300_000, quietSince: first.quietSince})
    expect(down.decisions[0]).toMatchObject({from: 3, to: 2})
    expect(down.quietSince).toEqual({worker: NOW + 300_000})
    const atMin = decide(roomy(1), quiet, {now: NOW + 900_000, quietSince: first.quietSince})
    expect(atMin.decisions[0]).toMatchObject({from: 1, to: 1, reason: 'queues empty, at --min 1'})
    const toZero = decide(roomy(1), quiet, {now: NOW + 900_000, quietSince: first.quietSince, settings: {...S, min: 0}})
    expect(toZero.decisions[0]).toMatchObject({from: 1, to: 0})
  })

  it('a job running, or latency at a quarter of the target, is not quiet: the clock stops', () => {
    const busy = decide(roomy(3), [read('worker', queue({active: 1}))], {now: NOW + 600_000, quietSince: {worker: NOW}})
    expect(busy.decisions[0]).toMatchObject({to: 3, reason: 'latency 0 s within the 30 s target'})
    expect(busy.quietSince).toEqual({})
    const slow = decide(roomy(3), [read('worker', queue({latencyMs: 7500}))], {now: NOW + 600_000, quietSince: {worker: NOW}})
    expect(slow.quietSince).toEqual({})
  })

  it('a type whose queues could not be read is held as it is, its clock kept', () => {
    const plan = decide(roomy(2), [{type: 'worker', backend: 'bullmq', queues: [], error: 'cannot read the queues in Redis: ECONNREFUSED'}], {quietSince: {worker: NOW - 1}})
    expect(plan.decisions[0]).toMatchObject({from: 2, to: 2, reason: 'step skipped: cannot read the queues in Redis: ECONNREFUSED'})
    expect(plan.quietSince).toEqual({worker: NOW - 1})
    expect(plan.updates).toEqual([])
  })
})

describe('decideAutoscale: the connection budget', () => {
  it('200 jobs waiting for 2 minutes on a Postgres that fits 2 workers: 1 → 2, budgetMax 2, the reason names the budget and the fixes', () => {
    const plan = decide(state([f('web', 1), f('worker', 1)]), [read('worker', queue({waiting: 200, latencyMs: 120_000}))])
    const d = plan.decisions[0]!
    expect(d).toMatchObject({from: 1, to: 2, budgetMax: 2})
    expect(d.reason).toMatch(/the connection budget stops it at 2 \(wanted 4\): Postgres postgresql-curved-1 would use 15 of 18 available/)
    expect(d.reason).toMatch(/addons:upgrade postgresql-curved-1 heroku-postgresql:/)
    expect(d.reason).toMatch(/pgbouncer/)
    expect(plan.updates).toEqual([{type: 'worker', quantity: 2}])
    expect(assess(state(plan.formation)).resources.every(r => r.status !== 'fail')).toBe(true)
  })

  it('budgetMax is reported on every step, binding or not', () => {
    const plan = decide(state([f('web', 1), f('worker', 1)]), [read('worker', queue({waiting: 1, latencyMs: 1000}))])
    expect(plan.decisions[0]).toMatchObject({from: 1, to: 1, budgetMax: 2})
  })

  it('counts the autoscaler\'s own Redis connection', () => {
    // No web dyno: Redis 18 available, 3 per worker: 6 fit alone, 5 beside the autoscaler's connection.
    const s = state([f('web', 0), f('worker', 1)], {}, 'standard-0')
    const hot = [read('worker', queue({waiting: 900, latencyMs: 300_000}))]
    expect(decide(s, hot).decisions[0]).toMatchObject({to: 5, budgetMax: 5})
    expect(decide(s, hot).decisions[0]!.reason).toMatch(/Redis redis-round-2 would use 16 of 18 available .*the autoscaler's 1 included/)
    expect(decide(s, hot, {ownRedisConnections: 0}).decisions[0]).toMatchObject({to: 6, budgetMax: 6})
  })

  describe('an autoscale process type in the formation (tsq:setup --autoscale: stack none, 1 Redis connection)', () => {
    // Redis mini: 20 − 2 = 18. TSQ_CONCURRENCY=1, TSQ_DB_POOL=1: web 1 per process, worker 1 producer + 1 consumer +
    // 1 blocking (1 queue) = 3, the autoscale type 1. Postgres standard-0 (120) is not the binding limit.
    const autoscale = (quantity: number): FormationEntry => ({type: 'autoscale', quantity, size: 'standard-1x', command: 'npx heroku-tsq tsq:autoscale --interval 30'})
    const s = (n: number, web = 2) => state([f('web', web), f('worker', 1), autoscale(n)], {TSQ_CONCURRENCY: '1', TSQ_DB_POOL: '1'}, 'standard-0')
    const hot = [read('worker', queue({waiting: 900, latencyMs: 300_000}))]

    it('the loop running as that type is counted once, by the assessment: budgetMax 5, the doctor\'s own largest worker count', () => {
      // web 2 × 1 + autoscale 1 × 1 + worker 3 × w ≤ 18 → w ≤ 5 (15 + 3 = 18); 6 would be 21.
      expect(assess(s(1)).resources.find(r => r.kind === 'redis')!.largestDynos.worker).toBe(5)
      expect(decide(s(1), hot).decisions[0]).toMatchObject({from: 1, to: 5, budgetMax: 5})
      expect(decide(s(1), hot).updates).toEqual([{type: 'worker', quantity: 5}])
    })

    it('Heroku Scheduler\'s --once with no autoscale type in the formation adds its own connection: 3 web dynos, budgetMax 4', () => {
      // web 3 × 1 + the one-off 1 + 3 × w ≤ 18 → w ≤ 4 (3 + 1 + 12 = 16); 5 would be 19. Without it 5 would fit (3 + 15 = 18).
      const scheduler = state([f('web', 3), f('worker', 1)], {TSQ_CONCURRENCY: '1', TSQ_DB_POOL: '1'}, 'standard-0')
      expect(decide(scheduler, hot).decisions[0]).toMatchObject({from: 1, to: 4, budgetMax: 4})
    })

    it('the type scaled to 0 (its loop not running) counts the autoscaler that runs instead: 3 web dynos, budgetMax 4', () => {
      // web 3 × 1 + autoscale 0 + the running autoscaler 1 + 3 × w ≤ 18 → w ≤ 4 (16); not counting it would allow 5 (18).
      expect(decide(s(0, 3), hot).decisions[0]).toMatchObject({from: 1, to: 4, budgetMax: 4})
    })
  })

  it('several types are decided together so that together they fit', () => {
    // No web: Postgres 18 available, 5 per worker dyno of either type: 3 dynos in all.
    const s = state([f('web', 0), f('worker', 1), f('urgent', 1)])
    const hot = queue({waiting: 100, latencyMs: 120_000})
    const plan = decide(s, [read('worker', hot), read('urgent', hot)])
    const [a, b] = plan.decisions
    expect(a!.to + b!.to).toBe(3)
    expect(Math.abs(a!.to - b!.to)).toBe(1)
    expect(assess(s, {formation: plan.formation}).resources.every(r => r.status !== 'fail')).toBe(true)
    expect(a!.budgetMax).toBe(a!.to)
    expect(b!.budgetMax).toBe(b!.to)
    expect(plan.updates).toHaveLength(1)
  })

  it('an app over its limit already brings a type down to what fits', () => {
    const s = state([f('web', 1), f('worker', 4)])
    const plan = decide(s, [read('worker', queue({waiting: 5, latencyMs: 1000}))])
    expect(plan.decisions[0]).toMatchObject({from: 4, to: 2, budgetMax: 2})
    expect(plan.updates).toEqual([{type: 'worker', quantity: 2}])
  })

  it('over the limit because of another type: no growth, and the reason says whose demand it is', () => {
    const s = state([f('web', 4), f('worker', 1)])
    const plan = decide(s, [read('worker', queue({waiting: 50, latencyMs: 120_000}))])
    expect(plan.decisions[0]).toMatchObject({from: 1, to: 1, budgetMax: 0})
    expect(plan.decisions[0]!.reason).toMatch(/Postgres postgresql-curved-1 would need 20 connections, over the 18 available .* even without worker dynos: not scaling up/)
    expect(plan.updates).toEqual([])
  })

  it('an unknown limit does not cap (budgetMax null)', () => {
    const s = appStateOf({config: {REDIS_URL: 'redis://127.0.0.1:6379'}, formation: [f('worker', 1)]})
    const plan = decide(s, [read('worker', queue({waiting: 50, latencyMs: 60_000}))])
    expect(plan.decisions[0]).toMatchObject({from: 1, to: 2, budgetMax: null})
  })
})
