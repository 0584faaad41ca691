// capDb / capRedis of every stack: the values that bring one process within n connections, never below 1 (spec §2:
// a pool, thread count or concurrency of 0 is invalid — a Puma with 0 threads serves nothing, a Sidekiq at 0 runs no job).
import {describe, expect, it} from 'vitest'
import {modelProcess} from '../../../../src/core/stacks/index.js'
import type {ModelInput} from '../../../../src/core/stacks/model.js'
import {guideCheckout} from '../rails-guide-app.js'

const checkout = guideCheckout('6.4.1')
const config = {DATABASE_URL: 'postgres://u:p@db.example:5432/d', REDIS_URL: 'redis://:p@r.example:6379', WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5'}
const model = (over: Partial<ModelInput>) => modelProcess({type: 'web', size: 'standard-1x', config, checkout, ...over}, {sidekiqType: true}).model

describe('capDb and capRedis never go below 1', () => {
  it('puma (threads 5, pool 5): capDb(0) sets threads 1, capDb(5) nothing; capRedis(0) lowers the Sidekiq client pool (RAILS_MAX_THREADS) to 1', () => {
    const m = model({command: 'bundle exec puma -C config/puma.rb'})
    expect([m.stack.value, m.threads?.value, m.dbPool.value]).toEqual(['puma', 5, 5])
    expect(m.capDb(0)).toEqual([{value: 'threads', to: 1}])
    expect(m.capDb(5)).toEqual([])
    expect(m.capRedis(0)).toEqual([{value: 'redisPoolSetting', to: 1}])
  })

  it('puma at 1 thread (1 client connection): capDb(0) and capRedis(0) change nothing', () => {
    const m = model({command: 'bundle exec puma -C config/puma.rb', config: {...config, RAILS_MAX_THREADS: '1'}})
    expect([m.threads?.value, m.dbPool.value, m.redisConnections.value]).toEqual([1, 1, 1])
    expect(m.capDb(0)).toEqual([])
    expect(m.capRedis(0)).toEqual([])
  })

  it('sidekiq 6 (concurrency 20, pool 5): capDb(0) sets concurrency 1; capRedis(0) concurrency 1 (holds 1 + 1)', () => {
    const m = model({type: 'worker', command: 'bundle exec sidekiq -e production -C config/sidekiq.yml'})
    expect([m.stack.value, m.concurrency?.value, m.dbPool.value, m.redisConnections.value]).toEqual(['sidekiq', 20, 5, 21])
    expect(m.capDb(0)).toEqual([{value: 'concurrency', to: 1}])
    expect(m.capRedis(0)).toEqual([{value: 'concurrency', to: 1}])
  })

  it('sidekiq 6 already at concurrency 1: capRedis(0) and capDb(0) change nothing (no 0, no same-value change)', () => {
    const m = model({type: 'worker', command: 'bundle exec sidekiq -c 1'})
    expect([m.concurrency?.value, m.redisConnections.value]).toEqual([1, 2])
    expect(m.capDb(0)).toEqual([])
    expect(m.capRedis(0)).toEqual([])
  })

  it('heroku-tsq worker (pool 5, concurrency 5): capDb(0) sets pool 1 and concurrency 1', () => {
    const m = modelProcess({type: 'worker', size: 'standard-1x', config: {DATABASE_URL: config.DATABASE_URL, REDIS_URL: config.REDIS_URL}}).model
    expect([m.stack.value, m.dbPool.value, m.concurrency?.value]).toEqual(['tsq', 5, 5])
    expect(m.capDb(0)).toEqual([{value: 'dbPoolSetting', to: 1}, {value: 'concurrency', to: 1}])
  })

  it('app process (pool 5 from database.yml): capDb(0) sets its pool to 1', () => {
    const m = model({type: 'clock', command: 'bundle exec clockwork clock.rb', config: {...config, TSQ_CLOCK_STACK: 'app'}})
    expect([m.stack.value, m.dbPool.value]).toEqual(['app', 5])
    expect(m.capDb(0)).toEqual([{value: 'dbPoolSetting', to: 1}])
  })

  it('good_job (its threads + 3 per process): capDb(0) sets 1 thread; at 1 thread capDb(2) changes nothing', () => {
    const m = model({type: 'jobs', command: 'bundle exec good_job start'})
    expect(m.stack.value).toBe('good_job')
    expect(m.capDb(0)).toEqual([{value: 'concurrency', to: 1}])
    const one = model({type: 'jobs', command: 'bundle exec good_job start --max-threads=1'})
    expect(one.concurrency?.value).toBe(1)
    expect(one.capDb(2)).toEqual([])
  })
})
