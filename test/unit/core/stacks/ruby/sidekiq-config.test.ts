import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parseSidekiqInitializer, parseSidekiqYml} from '../../../../../src/core/stacks/ruby/sidekiq-config.js'

const fixture = (name: string): string => readFileSync(new URL(`../../../../fixtures/rails-configs/${name}`, import.meta.url), 'utf8')
const Y = 'config/sidekiq.yml'
const I = 'config/initializers/sidekiq.rb'
const fileLever = (file: string, line: number) => ({kind: 'file', file, line})
const envLever = (variable: string) => ({kind: 'env', variable})

describe('parseSidekiqYml', () => {
  it('the guide\'s file: concurrency 20 and two queues', () => {
    expect(parseSidekiqYml(fixture('sidekiq-guide.yml'), {env: {}, environment: 'production'})).toEqual({
      concurrency: {value: 20, source: 'config/sidekiq.yml:2', lever: fileLever(Y, 2)},
      queues: [{name: 'default', weight: null}, {name: 'mailers', weight: null}],
      capsules: [], unreadable: {}, unknown: [],
    })
  })

  it('merges the environment section over the top level, ERB included', () => {
    const text = fixture('sidekiq-environments.yml')
    const production = parseSidekiqYml(text, {env: {}, environment: 'production'})
    expect(production.concurrency).toEqual({value: 12, source: 'config/sidekiq.yml:7 default 12 (SIDEKIQ_CONCURRENCY unset)', lever: envLever('SIDEKIQ_CONCURRENCY')})
    expect(production.queues).toEqual([{name: 'critical', weight: 3}, {name: 'default', weight: 2}, {name: 'low', weight: null}])
    expect(parseSidekiqYml(text, {env: {SIDEKIQ_CONCURRENCY: '30'}, environment: 'production'}).concurrency)
      .toEqual({value: 30, source: 'SIDEKIQ_CONCURRENCY via config/sidekiq.yml:7', lever: envLever('SIDEKIQ_CONCURRENCY')})
    expect(parseSidekiqYml(text, {env: {}, environment: 'staging'}).concurrency)
      .toEqual({value: 10, source: 'config/sidekiq.yml:5', lever: fileLever(Y, 5)})
    expect(parseSidekiqYml(text, {env: {}, environment: 'development'}).concurrency)
      .toEqual({value: 5, source: 'config/sidekiq.yml:2 default 5 (SIDEKIQ_CONCURRENCY unset)', lever: envLever('SIDEKIQ_CONCURRENCY')})
  })

  it('reads plain string keys like symbol keys, the section replacing the top level\'s queues whole', () => {
    const c = parseSidekiqYml(fixture('sidekiq-string-keys.yml'), {env: {}, environment: 'production'})
    expect(c.concurrency).toEqual({value: 8, source: 'config/sidekiq.yml:1', lever: fileLever(Y, 1)})
    expect(c.queues).toEqual([{name: 'critical', weight: null}])
  })

  it('reads :capsules: (Sidekiq ≥ 7)', () => {
    const c = parseSidekiqYml(fixture('sidekiq-capsules.yml'), {env: {}, environment: 'production'})
    expect(c.concurrency).toEqual({value: 3, source: 'config/sidekiq.yml:2', lever: fileLever(Y, 2)})
    expect(c.capsules).toEqual([
      {name: 'non_concurrent', concurrency: {value: 1, source: 'config/sidekiq.yml:9', lever: fileLever(Y, 9)},
        queues: [{name: 'non_concurrent', weight: null}], line: 6},
      {name: 'reports', concurrency: {value: 4, source: 'config/sidekiq.yml:12', lever: fileLever(Y, 12)},
        queues: [{name: 'reports', weight: null}, {name: 'exports', weight: null}], line: 10},
    ])
  })

  it('leaves concurrency to the next source when the file sets none or ERB renders nothing', () => {
    expect(parseSidekiqYml(':queues: [default]\n', {env: {}, environment: 'production'}).concurrency).toBeNull()
    expect(parseSidekiqYml(':concurrency: <%= ENV["SIDEKIQ_CONCURRENCY"] %>\n', {env: {}, environment: 'production'}))
      .toMatchObject({concurrency: null, unknown: []})
  })

  it('says which form it could not read', () => {
    const c = parseSidekiqYml(':concurrency: <%= Etc.nprocessors %>\n', {env: {}, environment: 'production'})
    expect(c).toMatchObject({concurrency: null, unreadable: {concurrency: ':concurrency: at config/sidekiq.yml:1'},
      unknown: ['config/sidekiq.yml:1: concurrency could not be read: the constant Etc']})
    expect(parseSidekiqYml(':concurrency: [5\n', {env: {}, environment: 'production'}).unreadable).toEqual({concurrency: 'config/sidekiq.yml (not read)'})
  })
})

describe('parseSidekiqInitializer', () => {
  it('the guide\'s: Redis pool sizes for server and client, and the server\'s own ActiveRecord pool', () => {
    expect(parseSidekiqInitializer(fixture('sidekiq-initializer-guide.rb'), {env: {}, railsEnv: 'production'})).toEqual({
      concurrency: null, capsules: [],
      serverRedisSize: {value: 27, source: 'config/initializers/sidekiq.rb:3', lever: fileLever(I, 3)},
      clientRedisSize: {value: 5, source: 'config/initializers/sidekiq.rb:11', lever: fileLever(I, 11)},
      serverDbPool: {value: 16, source: 'config/initializers/sidekiq.rb:6 default 16 (SIDEKIQ_DB_POOL unset)', lever: envLever('SIDEKIQ_DB_POOL')},
      namesConnections: false, serverRedisVar: 'REDIS_URL', clientRedisVar: 'REDIS_URL', unreadable: {}, unknown: [],
    })
    expect(parseSidekiqInitializer(fixture('sidekiq-initializer-guide.rb'), {env: {SIDEKIQ_DB_POOL: '20'}}).serverDbPool)
      .toEqual({value: 20, source: 'SIDEKIQ_DB_POOL via config/initializers/sidekiq.rb:6', lever: envLever('SIDEKIQ_DB_POOL')})
  })

  it('Heroku\'s older advice: ?pool=25 appended to DATABASE_URL when it is set, never showing the URL', () => {
    const url = 'postgres://u:SENTINELsidekiqPW@h:5432/db'
    const set = parseSidekiqInitializer(fixture('sidekiq-initializer-heroku.rb'), {env: {DATABASE_URL: url}})
    expect(set.serverDbPool).toEqual({value: 25, source: 'config/initializers/sidekiq.rb:5', lever: fileLever(I, 5)})
    expect(JSON.stringify(set)).not.toContain('SENTINEL')
    expect(parseSidekiqInitializer(fixture('sidekiq-initializer-heroku.rb'), {env: {}}).serverDbPool).toBeNull()
  })

  it('capsules in both block forms, the concurrency override, a merged pool and a named Redis connection', () => {
    expect(parseSidekiqInitializer(fixture('sidekiq-initializer-capsules.rb'), {env: {SIDEKIQ_CONCURRENCY: '7'}})).toEqual({
      concurrency: {value: 7, source: 'SIDEKIQ_CONCURRENCY via config/initializers/sidekiq.rb:3', lever: envLever('SIDEKIQ_CONCURRENCY')},
      capsules: [
        {name: 'single', concurrency: {value: 1, source: 'config/initializers/sidekiq.rb:4', lever: fileLever(I, 4)}, queues: [{name: 'imports', weight: null}], line: 4},
        {name: 'reports', concurrency: {value: 2, source: 'config/initializers/sidekiq.rb:6', lever: fileLever(I, 6)}, queues: [{name: 'reports', weight: null}], line: 5},
      ],
      serverRedisSize: null, clientRedisSize: null,
      serverDbPool: {value: 12, source: 'config/initializers/sidekiq.rb:10', lever: fileLever(I, 10)},
      namesConnections: true, serverRedisVar: 'REDIS_URL', unreadable: {}, unknown: [],
    })
  })

  it('marks a setting under an undecidable condition unknown', () => {
    const text = 'Sidekiq.configure_server do |c|\n  c.concurrency = 25 if Sidekiq.pro?\nend\n'
    expect(parseSidekiqInitializer(text, {env: {}})).toMatchObject({concurrency: null,
      unreadable: {concurrency: 'c.concurrency = 25 at config/initializers/sidekiq.rb:2'},
      unknown: ['config/initializers/sidekiq.rb:2: c.concurrency = 25 could not be read: it is under the condition `Sidekiq.pro?` at config/initializers/sidekiq.rb:2 (the constant Sidekiq)']})
  })
})
