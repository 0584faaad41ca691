import {readFileSync, readdirSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parseDatabaseYml} from '../../../../../src/core/stacks/ruby/database-config.js'
import {readErbYaml} from '../../../../../src/core/stacks/ruby/erb-yaml.js'
import {parseGemfileLock} from '../../../../../src/core/stacks/ruby/gemfile-lock.js'
import {parsePumaConfig} from '../../../../../src/core/stacks/ruby/puma-config.js'
import {parseSidekiqInitializer, parseSidekiqYml} from '../../../../../src/core/stacks/ruby/sidekiq-config.js'

// Every reader, on text alone, reporting what it could not read: the shape each returns differs.
const READERS: Record<string, (text: string, env?: Record<string, string>) => {unknown: string[]}> = {
  'puma.rb': (t, env = {}) => parsePumaConfig(t, {env, railsEnv: 'production'}),
  'sidekiq.yml': (t, env = {}) => parseSidekiqYml(t, {env, environment: 'production'}),
  'sidekiq initializer': (t, env = {}) => parseSidekiqInitializer(t, {env, railsEnv: 'production'}),
  'database.yml': (t, env = {}) => parseDatabaseYml(t, {env, railsEnv: 'production'}),
  'ERB + YAML': (t, env = {}) => readErbYaml(t, {file: 'config/cable.yml', env}),
  'Gemfile.lock': t => parseGemfileLock(t),
}

const KIB = 1024
const PATHOLOGICAL = {
  'open parentheses': 'workers ' + '('.repeat(200 * KIB),
  'an unterminated string': 'threads "' + 'x'.repeat(200 * KIB),
  'a chain of ||': 'workers ' + 'ENV["A"] || '.repeat(16 * KIB) + '1',
  'nested one-line blocks': 'a { |x| '.repeat(25 * KIB) + '}'.repeat(25 * KIB),
  'repeated establish_connection(': 'Sidekiq.configure_server do |c|\n' + 'establish_connection('.repeat(9 * KIB) + '\nend',
  'continuation lines': 'threads 1,\n'.repeat(18 * KIB) + '2',
  'ERB tags on one line': 'a: ' + '<%= ENV["X"] || 1 %>'.repeat(10 * KIB),
  'an ERB expression of brackets': 'a: <%= ' + '['.repeat(200 * KIB) + ' %>',
  'YAML flow brackets': 'a: ' + '['.repeat(200 * KIB),
  'many keys': Array.from({length: 14 * KIB}, (_, i) => `k${i}: ${i}`).join('\n'),
  'spaces and quotes': ' '.repeat(100 * KIB) + '"\'#{'.repeat(25 * KIB),
}

describe('every Ruby-app reader is bounded', () => {
  for (const [name, read] of Object.entries(READERS)) {
    it(`${name}: over 256 KiB or with a NUL byte is one unknown, never a throw`, () => {
      expect(read('#'.repeat(257 * KIB)).unknown).toEqual([expect.stringMatching(/: binary or too large \(over 256 KiB\), not read$/)])
      expect(read('workers 2\n\0').unknown).toEqual([expect.stringMatching(/: binary or too large \(contains NUL bytes\), not read$/)])
    })

    // No wall-clock assertion (it would fail on a loaded machine): a catastrophic regex on 200 KiB runs for
    // hours, so the test's own timeout is the bound; linear reading takes about a second even under load.
    it(`${name}: answers pathological 200 KiB input without throwing or hanging`, () => {
      for (const [shape, text] of Object.entries(PATHOLOGICAL)) {
        expect(() => read(text), shape).not.toThrow()
      }
    }, 30_000)
  }
})

describe('sources name variables, never their values', () => {
  const SECRET = 'SENTINELsourcePW31337'
  const env = {
    DATABASE_URL: `postgres://app:${SECRET}@db.example.com:5432/app?pool=9`, REDIS_URL: `rediss://:${SECRET}@redis.example.com:6380`,
    QUEUE_DATABASE_URL: `postgres://q:${SECRET}@q.example.com/q`, MYAPP_DATABASE_PASSWORD: SECRET, RAILS_ENV: 'production',
    WEB_CONCURRENCY: SECRET, RAILS_MAX_THREADS: `postgres://x:${SECRET}@h/db`, SIDEKIQ_CONCURRENCY: SECRET, SIDEKIQ_DB_POOL: SECRET,
    DATABASE_CONNECTION_POOL_URL: `postgres://p:${SECRET}@pooler/db`,
  }
  const dir = new URL('../../../../fixtures/rails-configs/', import.meta.url)
  const fixtures = readdirSync(dir).map(name => [name, readFileSync(new URL(name, dir), 'utf8')] as const)

  it.each(fixtures)('%s read with secret-bearing variables shows none of them', (name, text) => {
    // readErbYaml's `data` is the rendered file itself (a password included, as Rails has it); only its messages count.
    const results = Object.entries(READERS).map(([reader, read]) => reader === 'ERB + YAML' ? read(text, env).unknown : read(text, env))
    expect(JSON.stringify(results), name).not.toContain(SECRET)
  })
})
