// Action Cable and the Rails cache as holders of every Rails process (spec §14), by Rails version and config form.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {modelProcess} from '../../../../src/core/stacks/index.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/rails-configs', name), 'utf8')
const lock = (rails: string) => `GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (6.6.0)\n    rails (${rails})\n    sidekiq (7.3.9)\n\nPLATFORMS\n  ruby\n`
const prod = (cache: string) => `Rails.application.configure do\n  config.cache_store = ${cache}\nend\n`

function holders(command: string, files: Record<string, string>, rails = '8.0.2', config: Record<string, string> = {}) {
  const checkout = {dir: '.', files: Object.fromEntries(Object.entries({'Gemfile.lock': lock(rails), 'config/database.yml': fixture('database-rails-8.0.yml'), ...files}).map(([k, v]) => [k, {text: v}]))}
  const {model, unknowns} = modelProcess({type: command.includes('puma') ? 'web' : 'worker', size: 'standard-1x', command, checkout,
    config: {DATABASE_URL: 'postgres://h/db', REDIS_URL: 'redis://h:6379', RAILS_MAX_THREADS: '5', ...config}})
  return {model, unknowns, of: (name: string) => model.holders.filter(h => h.holder === name)}
}
const PUMA = 'bundle exec puma -C config/puma.rb'
const SIDEKIQ = 'bundle exec sidekiq -c 10'

describe('Action Cable', () => {
  it('Redis adapter: ≤ 2 in a web process, ≤ 1 in a Sidekiq process, on the url:\'s variable', () => {
    const web = holders(PUMA, {'config/cable.yml': fixture('cable-redis.yml'), 'config/puma.rb': 'threads 5, 5\n'})
    expect(web.of('action-cable')).toMatchObject([{kind: 'redis', resourceVar: 'REDIS_URL', perProcess: {value: 2}}])
    expect(web.of('action-cable')[0]!.perProcess.source).toContain('Rails 8.0.2')
    expect(holders(SIDEKIQ, {'config/cable.yml': fixture('cable-redis.yml')}).of('action-cable')).toMatchObject([{perProcess: {value: 1}}])
  })

  it('no url: is REDIS_URL; a url: from CABLE_REDIS_URL is counted there', () => {
    const none = holders(SIDEKIQ, {'config/cable.yml': 'production:\n  adapter: redis\n'})
    expect(none.of('action-cable')[0]!.resourceVar).toBe('REDIS_URL')
    const own = holders(SIDEKIQ, {'config/cable.yml': 'production:\n  adapter: redis\n  url: <%= ENV["CABLE_REDIS_URL"] %>\n'})
    expect(own.of('action-cable')[0]!.resourceVar).toBe('CABLE_REDIS_URL')
  })

  it('Solid Cable on its cable database: 1 polling + broadcasting threads in web, capped by the cable pool', () => {
    const web = holders(PUMA, {'config/cable.yml': fixture('cable-solid.yml'), 'config/puma.rb': 'threads 3, 3\n'})
    expect(web.of('action-cable')).toMatchObject([{kind: 'postgres', resourceVar: 'CABLE_DATABASE_URL', perProcess: {value: 4}}])
    expect(holders(SIDEKIQ, {'config/cable.yml': fixture('cable-solid.yml')}).of('action-cable')).toMatchObject([{perProcess: {value: 5}}])
  })

  it('async and test adapters hold nothing', () => {
    expect(holders(SIDEKIQ, {'config/cable.yml': 'production:\n  adapter: async\n'}).of('action-cable')).toEqual([])
  })
})

describe('the Rails cache', () => {
  const sidekiqCache = (cache: string, rails: string) => holders(SIDEKIQ, {'config/environments/production.rb': prod(cache)}, rails).of('cache')

  it('Redis cache store: 6.1/7.0 one client, ≥ 7.1 a pool of 5, pool: {size:} and pool: false, capped by the threads', () => {
    expect(sidekiqCache(':redis_cache_store, {url: ENV["REDIS_URL"]}', '6.1.7.10')[0]!.perProcess.value).toBe(1)
    expect(sidekiqCache(':redis_cache_store, {url: ENV["REDIS_URL"]}', '7.0.8')[0]!.perProcess.value).toBe(1)
    expect(sidekiqCache(':redis_cache_store, {url: ENV["REDIS_URL"], pool_size: 4}', '6.1.7.10')[0]!.perProcess.value).toBe(4)
    expect(sidekiqCache(':redis_cache_store, {url: ENV["REDIS_URL"]}', '7.1.6')[0]!.perProcess).toMatchObject({value: 5})
    expect(sidekiqCache(':redis_cache_store, {url: ENV["REDIS_URL"], pool: {size: 20}}', '8.0.2')[0]!.perProcess.value).toBe(10)
    expect(sidekiqCache(':redis_cache_store, {url: ENV["REDIS_URL"], pool: false}', '8.0.2')[0]!.perProcess.value).toBe(1)
    expect(sidekiqCache(':redis_cache_store, {url: ENV["REDIS_URL"]}', '8.0.2')[0]!.perProcess.source).toContain('Rails 8.0.2 redis_cache_store default pool 5')
  })

  it('the url:\'s variable decides the resource; a url: tsq cannot read is counted on every Redis resource, as assumed', () => {
    const own = holders(SIDEKIQ, {'config/environments/production.rb': prod(':redis_cache_store, {url: ENV.fetch("REDIS_CACHE_URL")}')}, '8.0.2', {REDIS_CACHE_URL: 'redis://c:6379'})
    expect(own.of('cache')[0]!.resourceVar).toBe('REDIS_CACHE_URL')
    const odd = holders(SIDEKIQ, {'config/environments/production.rb': prod(':redis_cache_store, {url: Settings.redis.cache_url}')}, '8.0.2')
    expect(odd.of('cache')[0]).toMatchObject({resourceVar: '*'})
    expect(odd.of('cache')[0]!.perProcess.unknown).toContain('url: could not be read')
  })

  it('Solid Cache on the cache database of config/cache.yml: min(pool, threads + 1 expiry)', () => {
    const files = {'config/environments/production.rb': prod(':solid_cache_store'), 'config/cache.yml': 'production:\n  database: cache\n'}
    expect(holders(SIDEKIQ, files).of('cache')).toMatchObject([{kind: 'postgres', resourceVar: 'CACHE_DATABASE_URL', perProcess: {value: 5}}])
  })

  it('memory and file stores hold nothing', () => {
    expect(sidekiqCache(':memory_store, { size: 64.megabytes }', '8.0.2')).toEqual([])
  })
})

describe('an API app that bundles railties without the rails gem', () => {
  it('takes Rails\' version from railties (6.1: pool_size: 4 is the cache pool)', () => {
    const checkout = {dir: '.', files: {
      'Gemfile.lock': {text: 'GEM\n  remote: https://rubygems.org/\n  specs:\n    railties (6.1.7.10)\n    sidekiq (6.4.1)\n\nPLATFORMS\n  ruby\n'},
      'config/environments/production.rb': {text: prod(':redis_cache_store, {url: ENV["REDIS_URL"], pool_size: 4}')},
    }}
    const {model} = modelProcess({type: 'worker', size: null, command: SIDEKIQ, checkout, config: {REDIS_URL: 'redis://h:6379'}})
    const cache = model.holders.find(h => h.holder === 'cache')!
    expect(cache.perProcess).toMatchObject({value: 4})
    expect(cache.perProcess.unknown).toBeUndefined()
    expect(cache.perProcess.source).toContain('Rails 6.1.7.10 redis_cache_store pool_size 4')
  })
})
