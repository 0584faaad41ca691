// A Rails 8 app as tsq:doctor --json sees it (spec §14): Solid Queue in bin/jobs, Action Cable on Redis, a Redis
// cache on a second add-on. Every holder is listed on the resource whose variable its config reads.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {AppState, Checkout, FormationEntry} from '../../../../src/core/model/app-state.js'
import {perDynoOf} from '../../../../src/core/budget/budget.js'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {parseScaleArgs} from '../../../../src/core/model/formation.js'
import {planScale} from '../../../../src/core/plans/scale/scale-plan.js'
import {URL, appState, kvs, pg} from './fixtures.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/rails-configs', name), 'utf8')
const LOCK = `GEM
  remote: https://rubygems.org/
  specs:
    puma (6.6.0)
    rails (8.0.2)
    solid_queue (1.1.5)

PLATFORMS
  ruby
`
const CACHE_URL = 'rediss://:cachepw@ec2-9-9-9-9.compute-1.amazonaws.com:6380'
const FILES: Checkout = {dir: '.', files: Object.fromEntries(Object.entries({
  'Gemfile.lock': LOCK,
  'config/puma.rb': fixture('puma-rails-8.0.rb'),
  'config/database.yml': fixture('database-rails-8.0.yml'),
  'config/queue.yml': fixture('queue-rails-8.yml'),
  'config/recurring.yml': fixture('recurring-rails-8.yml'),
  'config/cable.yml': fixture('cable-redis.yml'),
  'config/environments/production.rb': fixture('production-redis-cache.rb'),
}).map(([k, v]) => [k, {text: v}]))}
const FORMATION: FormationEntry[] = [
  {type: 'web', quantity: 2, size: 'standard-2x', command: 'bundle exec puma -C config/puma.rb'},
  {type: 'jobs', quantity: 1, size: 'standard-1x', command: 'bin/jobs'},
  {type: 'release', quantity: 0, size: 'standard-1x', command: 'bin/rails db:migrate'},
]

function rails8(formation = FORMATION, config: Record<string, string> = {}): AppState {
  const state = appState({
    addons: [pg('standard-0'), kvs('mini'), kvs('mini', {name: 'redis-cache-3', as: 'REDIS_CACHE', url: CACHE_URL})],
    // Solid Queue's `queue` config reaches the same database through its own variable.
    config: {WEB_CONCURRENCY: '2', QUEUE_DATABASE_URL: URL.postgres, ...config},
    formation,
  })
  return {...state, checkout: FILES}
}

describe('tsq:doctor --json on a Rails 8 app: Solid Queue, Action Cable on Redis, a Redis cache on a second add-on', () => {
  it('has three resources: Postgres, REDIS_URL\'s add-on and REDIS_CACHE_URL\'s add-on', () => {
    const {report} = diagnose(rails8())
    expect(report.resources.map(r => [r.kind, r.configVar, r.addon])).toEqual([
      ['postgres', 'DATABASE_URL', 'postgresql-curved-2'], ['redis', 'REDIS_URL', 'redis-curved-1'], ['redis', 'REDIS_CACHE_URL', 'redis-cache-3'],
    ])
  })

  it('lists every holder on the resource its config reads, with per-process and per-dyno counts and sources', () => {
    const {report} = diagnose(rails8())
    const [postgres, redis, cache] = report.resources
    const brief = (r: typeof postgres) => r!.holders.map(h => [h.type, h.holder, h.perProcess, h.perDyno])
    expect(brief(postgres)).toEqual([['web', 'activerecord', 3, 6], ['jobs', 'solid-queue', 13, 13], ['jobs', 'activerecord', 3, 3]])
    expect(brief(redis)).toEqual([['web', 'action-cable', 2, 4], ['jobs', 'action-cable', 1, 1]])
    expect(brief(cache)).toEqual([['web', 'cache', 3, 6], ['jobs', 'cache', 3, 3]])
    expect(cache!.holders[0]!.source).toContain('config/environments/production.rb:6 redis_cache_store: min(3 threads, pool 8)')
    expect(cache!.holders[0]!.source).toContain('REDIS_CACHE_URL via config/environments/production.rb')
    expect(redis!.holders[0]!.source).toContain('Rails 8.0.2')
    expect(postgres!.holders.find(h => h.holder === 'solid-queue')!.source).toContain('Solid Queue 1.5.0')
    expect(postgres!.holders.find(h => h.holder === 'solid-queue')!.source).toContain('QUEUE_DATABASE_URL')
    expect([postgres!.demand, redis!.demand, cache!.demand]).toEqual([2 * 6 + 16, 2 * 4 + 1, 2 * 6 + 3])
    // The processes' own JSON is unchanged in shape: dbPool and redisConnections are the totals on DATABASE_URL and
    // the app's Redis variable; Solid Queue's 13 on QUEUE_DATABASE_URL are in the resource's holders, not in dbPool.
    expect(report.processes.find(p => p.type === 'web')).toMatchObject({stack: 'puma', dbPool: 3, redisConnections: 2})
    expect(report.processes.find(p => p.type === 'jobs')).toMatchObject({stack: 'solid_queue', dbPool: 3, redisConnections: 1, concurrency: 3})
  })

  it('judges each Redis add-on on its own: the cache add-on warns for a restart while REDIS_URL is ok', () => {
    const {report} = diagnose(rails8())
    expect(report.resources.map(r => r.status)).toEqual(['ok', 'ok', 'warn'])
    const redisCheck = report.checks.find(c => c.id === 'redis.connections')!
    expect(redisCheck.status).toBe('ok')
    expect(redisCheck.message).toContain('REDIS_CACHE_URL redis-cache-3: Redis needs 15 of 18')
    expect(report.checks.find(c => c.id === 'restart.overlap')!.status).toBe('warn')
  })

  it('a Redis plan the cache pushes over its limit fails, and the fix names the production.rb line', () => {
    const formation = FORMATION.map(f => f.type === 'web' ? {...f, quantity: 4} : f)
    const {report} = diagnose(rails8(formation))
    const check = report.checks.find(c => c.id === 'redis.connections')!
    expect(check.status).toBe('fail')
    expect(check.message).toContain('REDIS_CACHE_URL redis-cache-3: Redis needs 27 connections')
    expect(check.fix).toContain('config/environments/production.rb:6 (web cache 3, jobs cache 3)')
    expect(check.fix).toContain('heroku addons:upgrade redis-cache-3')
    expect(report.ok).toBe(false)
  })

  it('tsq:scale and tsq:autoscale see every resource: the largest web count is bound by the cache add-on', () => {
    const {assessment} = diagnose(rails8())
    const cache = assessment.resources.find(r => r.configVar === 'REDIS_CACHE_URL')!
    // (18 − 3) / (2 processes × 3)
    expect(cache.largestDynos.web).toBe(2)
    const web = cache.rows.find(r => r.type === 'web')!
    expect(web).toMatchObject({perProcess: 3, total: 12})
    expect(perDynoOf(web)).toBe(6)
  })

  it('QUEUE_DATABASE_URL unset: Solid Queue reaches no resource, and the settings check says so', () => {
    const state = rails8()
    const {QUEUE_DATABASE_URL: _, ...config} = state.config
    const {report} = diagnose({...state, config})
    expect(report.resources[0]!.holders.some(h => h.holder === 'solid-queue')).toBe(false)
    const settings = report.checks.find(c => c.id === 'settings')!
    expect(settings.status).toBe('warn')
    expect(settings.message).toContain('QUEUE_DATABASE_URL')
  })
})

describe('tsq:scale on the Rails 8 app: every resource binds', () => {
  it('refuses web=4, which the Redis cache add-on cannot hold, and says the cache resource is why', () => {
    const plan = planScale(rails8(), parseScaleArgs(['web=4']))
    expect(plan.verdict).toBe('refuse')
    expect(plan.blocking.map(b => b.configVar)).toEqual(['REDIS_CACHE_URL'])
  })
})

describe('an app process nobody declared (§14 stack app)', () => {
  const CLOCK: FormationEntry = {type: 'clock', quantity: 1, size: 'standard-1x', command: 'bundle exec clockwork config/clock.rb'}

  it('counts Postgres up to its ActiveRecord pool, and leaves every Redis resource at best warn', () => {
    const {report} = diagnose(rails8([...FORMATION, CLOCK]))
    expect(report.processes.find(p => p.type === 'clock')).toMatchObject({stack: 'app', dbPool: 5})
    const [postgres, redis, cache] = report.resources
    expect(postgres!.holders.find(h => h.type === 'clock')).toMatchObject({holder: 'activerecord', perProcess: 5})
    // Its Action Cable broadcasts and cache pool still count (threads unknown: the cache pool's 8 bounds it).
    expect(cache!.holders.find(h => h.type === 'clock' && h.holder === 'cache')).toMatchObject({perProcess: 8})
    expect([redis!.status, cache!.status]).toEqual(['warn', 'fail'])
    for (const r of [redis!, cache!]) {
      expect(r.holders.find(h => h.type === 'clock')).toMatchObject({holder: 'unknown', perProcess: 0})
      expect(r.assumptions.join()).toContain('clock: what clock opens on Redis is unknown; declare TSQ_CLOCK_STACK=none')
    }
  })

  it('TSQ_CLOCK_STACK=none declares that it opens nothing: no holder, nothing assumed', () => {
    const {report} = diagnose(rails8([...FORMATION, CLOCK], {TSQ_CLOCK_STACK: 'none'}))
    expect(report.processes.find(p => p.type === 'clock')).toMatchObject({stack: 'none', dbPool: 0, redisConnections: 0})
    expect(report.resources.every(r => r.holders.every(h => h.type !== 'clock'))).toBe(true)
    expect(report.resources[1]!.status).toBe('ok')
  })
})

describe('a holder\'s variable that no add-on sets', () => {
  it('counts on the add-on whose server it reaches (another Redis db number is the same server and the same limit)', () => {
    const state = rails8()
    const {report} = diagnose({...state, addons: state.addons.slice(0, 2), attachments: state.attachments.slice(0, 2),
      config: {...state.config, REDIS_CACHE_URL: `${URL.kvs}/1`}})
    expect(report.resources.map(r => r.configVar)).toEqual(['DATABASE_URL', 'REDIS_URL'])
    expect(report.resources[1]!.holders.map(h => h.holder)).toEqual(['action-cable', 'cache', 'action-cable', 'cache'])
  })
})

describe('Solid Queue inside Puma on the budget', () => {
  it('counts the supervisor and its processes once per web dyno, beside the Puma processes', () => {
    const formation = FORMATION.filter(f => f.type !== 'jobs')
    const {report} = diagnose(rails8(formation, {SOLID_QUEUE_IN_PUMA: 'true'}))
    const web = report.resources[0]!.rows.find(r => r.type === 'web')!
    // Per process: Puma's 3 threads; per dyno: Solid Queue's 13 on QUEUE_DATABASE_URL (the same database) + its jobs' 3 on primary.
    expect(web).toMatchObject({perProcess: 3, dynoExtra: 16, total: 2 * (2 * 3 + 16)})
    expect(perDynoOf(web)).toBe(22)
    expect(report.resources[0]!.holders.filter(h => h.perProcess === null).map(h => [h.holder, h.perDyno])).toEqual([['solid-queue', 13], ['activerecord', 3]])
    expect(report.checks.find(c => c.id === 'jobs.consumer')).toMatchObject({status: 'ok'})
  })
})
