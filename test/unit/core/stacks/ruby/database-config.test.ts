import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parseDatabaseYml, poolFromDatabaseUrl} from '../../../../../src/core/stacks/ruby/database-config.js'

const fixture = (name: string): string => readFileSync(new URL(`../../../../fixtures/rails-configs/${name}`, import.meta.url), 'utf8')
const envLever = (variable: string) => ({kind: 'env', variable})
const fileLever = (line: number) => ({kind: 'file', file: 'config/database.yml', line})
const mergedUrl = (variable: string, name: string) => ({variable, source: `${variable} (Rails merges it into ${name})`})

describe('parseDatabaseYml on the database.yml Rails generates', () => {
  it('6.1: one production config named primary, pool from RAILS_MAX_THREADS through the default anchor', () => {
    expect(parseDatabaseYml(fixture('database-rails-6.1.yml'), {env: {RAILS_MAX_THREADS: '10'}, railsEnv: 'production'})).toEqual({
      missing: false, unknown: [],
      configs: [{name: 'primary', adapter: 'postgresql', line: 82, unknown: [], url: mergedUrl('DATABASE_URL', 'primary'),
        pool: {value: 10, source: 'RAILS_MAX_THREADS via config/database.yml:22', lever: envLever('RAILS_MAX_THREADS')}}],
    })
  })

  it('8.0: pool: through the anchors of a 3-level production section', () => {
    const c = parseDatabaseYml(fixture('database-rails-8.0.yml'), {env: {}, railsEnv: 'production'})
    expect(c.configs.map(x => [x.name, x.pool?.value, x.pool?.source, x.url?.variable])).toEqual([
      ['primary', 5, 'config/database.yml:20 default 5 (RAILS_MAX_THREADS unset)', 'DATABASE_URL'],
      ['cache', 5, 'config/database.yml:20 default 5 (RAILS_MAX_THREADS unset)', 'CACHE_DATABASE_URL'],
      ['queue', 5, 'config/database.yml:20 default 5 (RAILS_MAX_THREADS unset)', 'QUEUE_DATABASE_URL'],
      ['cable', 5, 'config/database.yml:20 default 5 (RAILS_MAX_THREADS unset)', 'CABLE_DATABASE_URL'],
    ])
  })

  it('8.1: max_connections:, each non-primary config on its own <NAME>_DATABASE_URL', () => {
    const c = parseDatabaseYml(fixture('database-rails-8.1.yml'), {env: {RAILS_MAX_THREADS: '3'}, railsEnv: 'production'})
    const three = {value: 3, source: 'RAILS_MAX_THREADS via config/database.yml:20', lever: envLever('RAILS_MAX_THREADS')}
    expect(c).toEqual({missing: false, unknown: [], configs: [
      {name: 'primary', adapter: 'postgresql', pool: three, url: mergedUrl('DATABASE_URL', 'primary'), line: 87, unknown: []},
      {name: 'cache', adapter: 'postgresql', pool: three, url: mergedUrl('CACHE_DATABASE_URL', 'cache'), line: 92, unknown: []},
      {name: 'queue', adapter: 'postgresql', pool: three, url: mergedUrl('QUEUE_DATABASE_URL', 'queue'), line: 96, unknown: []},
      {name: 'cable', adapter: 'postgresql', pool: three, url: mergedUrl('CABLE_DATABASE_URL', 'cable'), line: 100, unknown: []},
    ]})
  })

  it('a missing environment section', () => {
    expect(parseDatabaseYml(fixture('database-rails-8.1.yml'), {env: {}, railsEnv: 'staging'})).toEqual({configs: [], missing: true, unknown: []})
  })

  it('PRIMARY_DATABASE_URL wins over DATABASE_URL for primary, as Rails merges them', () => {
    const c = parseDatabaseYml(fixture('database-rails-6.1.yml'), {env: {PRIMARY_DATABASE_URL: 'postgres://h/db'}, railsEnv: 'production'})
    expect(c.configs[0]!.url).toEqual(mergedUrl('PRIMARY_DATABASE_URL', 'primary'))
  })
})

describe('parseDatabaseYml on an app\'s own database.yml', () => {
  const SECRET = 'SENTINELdbPW1234'
  const text = fixture('database-multi.yml')

  it('reads url: variables through ERB and merges, redacts a literal URL and refuses an ambiguous pool', () => {
    const c = parseDatabaseYml(text, {env: {DATABASE_URL: `postgres://u:${SECRET}@h/db`, DB_POOL: '7'}, railsEnv: 'production'})
    expect(c.configs).toEqual([
      {name: 'primary', adapter: 'postgresql', line: 8, unknown: [],
        pool: {value: 7, source: 'DB_POOL via config/database.yml:5', lever: envLever('DB_POOL')},
        url: {variable: 'DATABASE_URL', source: 'DATABASE_URL via config/database.yml:10'}},
      {name: 'queue', adapter: 'postgresql', line: 11, unknown: [],
        pool: {value: 10, source: 'config/database.yml:14', lever: fileLever(14)},
        url: {variable: 'QUEUE_DATABASE_URL', source: 'QUEUE_DATABASE_URL via config/database.yml:13'}},
      {name: 'cache', adapter: 'postgresql', line: 15, pool: null,
        unknown: ['config/database.yml:15: cache sets both pool: 10 and max_connections: 3 (Rails 8.1: "Ambiguous configuration")'],
        url: {variable: 'QUEUE_DATABASE_URL', source: 'QUEUE_DATABASE_URL via config/database.yml:13'}},
      {name: 'analytics', adapter: 'postgresql', line: 18, unknown: [],
        pool: {value: 2, source: 'config/database.yml:21 default 2 (ANALYTICS_POOL unset)', lever: envLever('ANALYTICS_POOL')},
        url: {variable: null, source: 'config/database.yml:20: postgres://reader:*****@analytics.example.com:5432/warehouse'}},
    ])
    expect(JSON.stringify(c)).not.toContain('SENTINEL')
  })

  it('names the pooler variable once it is set, and the pool default when DB_POOL is unset', () => {
    const c = parseDatabaseYml(text, {env: {DATABASE_CONNECTION_POOL_URL: 'postgres://p/db', RAILS_MAX_THREADS: '4'}, railsEnv: 'production'})
    expect(c.configs[0]!.url).toEqual({variable: 'DATABASE_CONNECTION_POOL_URL', source: 'DATABASE_CONNECTION_POOL_URL via config/database.yml:10'})
    expect(c.configs[0]!.pool).toEqual({value: 4, source: 'RAILS_MAX_THREADS via config/database.yml:5', lever: envLever('RAILS_MAX_THREADS')})
  })

  it('makes an unreadable pool unknown and a broken file one unknown', () => {
    const c = parseDatabaseYml('production:\n  adapter: postgresql\n  pool: <%= Etc.nprocessors * 2 %>\n', {env: {}, railsEnv: 'production'})
    expect(c.configs[0]).toMatchObject({pool: null, unknown: ['config/database.yml:3: pool: could not be read: `*` is not understood here']})
    expect(parseDatabaseYml('production:\n  pool: [\n', {env: {}, railsEnv: 'production'})).toMatchObject({configs: [], missing: false,
      unknown: [expect.stringMatching(/^config\/database\.yml:\d+: YAML could not be parsed: /)]})
  })
})

describe('poolFromDatabaseUrl', () => {
  it.each([
    ['postgres://u:p@h:5432/db?pool=25', 25], ['postgres://u:p@h/db?sslmode=require&max_connections=8', 8],
    ['postgres://u:p@h/db?pool=5&max_connections=9', 9], ['postgres://u:p@h/db', null], ['postgres://u:p@h/db?pool=lots', null],
    ['postgres://u:p?ss@h/db?pool=3', 3],
  ])('%s → %s', (url, pool) => {
    expect(poolFromDatabaseUrl(url)).toBe(pool)
  })
})
