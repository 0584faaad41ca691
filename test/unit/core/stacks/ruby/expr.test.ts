import {describe, expect, it} from 'vitest'
import {type EvalResult, evaluate, sourcedFrom} from '../../../../../src/core/stacks/ruby/expr.js'

const SECRET = 'SENTINELexprPW4242'
const env = {
  RAILS_MAX_THREADS: '8', WEB_CONCURRENCY: '3', RAILS_ENV: 'production', EMPTY: '',
  DATABASE_URL: `postgres://u:${SECRET}@db.example.com:5432/app`, NOT_A_NUMBER: 'lots',
}
const ev = (src: string, extra: Partial<Parameters<typeof evaluate>[1]> = {}): EvalResult => evaluate(src, {env, ...extra})

describe('evaluate: literals', () => {
  it.each([
    ['42', 42], ['1_000', 1000], ['2.5', 2.5], ['-3', -3], ["'single'", 'single'], ['"double"', 'double'],
    ['true', true], ['false', false], ['nil', null], [':auto', {symbol: 'auto'}], ['%w[a b c]', ['a', 'b', 'c']],
    ['[ "", "false", "0" ]', ['', 'false', '0']], ['(7)', 7],
  ])('%s is %j with no variable', (src, value) => {
    expect(ev(src)).toEqual({ok: true, value})
  })

  it('refuses #{} interpolation instead of guessing', () => {
    expect(ev('"#{ENV["A"]}?pool=5"')).toEqual({ok: false, why: 'a string with #{} interpolation'})
  })
})

describe('evaluate: ENV', () => {
  it.each([
    ["ENV['RAILS_MAX_THREADS']", {ok: true, value: '8', variable: 'RAILS_MAX_THREADS'}],
    ['ENV["RAILS_MAX_THREADS"]', {ok: true, value: '8', variable: 'RAILS_MAX_THREADS'}],
    ["ENV['UNSET']", {ok: true, value: null, variable: 'UNSET', fromDefault: true}],
    ["ENV.fetch('RAILS_MAX_THREADS')", {ok: true, value: '8', variable: 'RAILS_MAX_THREADS'}],
    ["ENV.fetch('RAILS_MAX_THREADS', 3)", {ok: true, value: '8', variable: 'RAILS_MAX_THREADS'}],
    ['ENV.fetch("UNSET", 3)', {ok: true, value: 3, variable: 'UNSET', fromDefault: true}],
    ['ENV.fetch("UNSET") { 5 }', {ok: true, value: 5, variable: 'UNSET', fromDefault: true}],
    ['ENV.fetch("RAILS_ENV") { "development" }', {ok: true, value: 'production', variable: 'RAILS_ENV'}],
    ["Integer(ENV['WEB_CONCURRENCY'] || 2)", {ok: true, value: 3, variable: 'WEB_CONCURRENCY'}],
    ["Integer(ENV['UNSET'] || 2)", {ok: true, value: 2, variable: 'UNSET', fromDefault: true}],
    ['Integer(ENV.fetch("WEB_CONCURRENCY") { 1 })', {ok: true, value: 3, variable: 'WEB_CONCURRENCY'}],
    ["ENV['RAILS_MAX_THREADS'].to_i", {ok: true, value: 8, variable: 'RAILS_MAX_THREADS'}],
    ["ENV['UNSET'].to_i", {ok: true, value: 0, variable: 'UNSET', fromDefault: true}],
    ["(ENV['UNSET'] || 4).to_i", {ok: true, value: 4, variable: 'UNSET', fromDefault: true}],
    ["ENV['UNSET'] || ENV['RAILS_MAX_THREADS'] || 5", {ok: true, value: '8', variable: 'RAILS_MAX_THREADS'}],
    ['Integer(ENV["NOT_A_NUMBER"], exception: false)', {ok: true, value: null, variable: 'NOT_A_NUMBER'}],
    ['ENV.key?("EMPTY")', {ok: true, value: true, variable: 'EMPTY'}],
  ])('%s', (src, result) => {
    expect(ev(src)).toEqual(result)
  })

  it('says ENV.fetch without a default raises when the variable is unset', () => {
    expect(ev("ENV.fetch('UNSET')")).toEqual({ok: false,
      why: 'ENV.fetch("UNSET") raises KeyError in Ruby: UNSET is unset and there is no default'})
  })

  it('names the variable, never its value, when Integer() of it raises', () => {
    expect(ev("Integer(ENV['NOT_A_NUMBER'])")).toEqual({ok: false, why: 'Integer() of the value of NOT_A_NUMBER raises in Ruby'})
    expect(ev("Integer(ENV['DATABASE_URL'])")).toEqual({ok: false, why: 'Integer() of the value of DATABASE_URL raises in Ruby'})
  })

  it('reads an empty string as set and truthy, as Ruby does', () => {
    expect(ev("ENV['EMPTY'] || 5")).toEqual({ok: true, value: '', variable: 'EMPTY'})
    expect(ev("ENV['EMPTY'].present?")).toEqual({ok: true, value: false, variable: 'EMPTY'})
    expect(ev("ENV['EMPTY'].blank?")).toEqual({ok: true, value: true, variable: 'EMPTY'})
    expect(ev("ENV['UNSET'].nil?")).toEqual({ok: true, value: true, variable: 'UNSET', fromDefault: true})
  })
})

describe('evaluate: conditions', () => {
  it.each([
    ['rails_env == "production"', true], ['Rails.env == "production"', true], ['Rails.env.production?', true],
    ['Rails.env.development?', false], ['ENV.fetch("RAILS_ENV", "development") == "development"', false],
    ['ENV["RAILS_ENV"] != "staging"', true],
  ])('%s is %s, decided by RAILS_ENV', (src, value) => {
    expect(ev(src)).toEqual({ok: true, value, variable: 'RAILS_ENV'})
  })

  it('takes railsEnv when given, else Ruby\'s RAILS_ENV || RACK_ENV || development', () => {
    expect(evaluate('Rails.env', {env: {}, railsEnv: 'staging'})).toEqual({ok: true, value: 'staging', variable: 'RAILS_ENV'})
    expect(evaluate('Rails.env', {env: {RACK_ENV: 'production'}})).toEqual({ok: true, value: 'production', variable: 'RACK_ENV'})
    expect(evaluate('Rails.env', {env: {}})).toEqual({ok: true, value: 'development', variable: 'RAILS_ENV', fromDefault: true})
  })

  it.each([
    [{}, false], [{SOLID_QUEUE_IN_PUMA: '1'}, true], [{SOLID_QUEUE_IN_PUMA: 'false'}, false], [{SOLID_QUEUE_IN_PUMA: 'FALSE'}, false],
    [{SOLID_QUEUE_IN_PUMA: '0'}, false], [{SOLID_QUEUE_IN_PUMA: ''}, false], [{SOLID_QUEUE_IN_PUMA: 'yes'}, true],
  ])('Rails main\'s SOLID_QUEUE_IN_PUMA test with %j is %s', (e, value) => {
    const r = evaluate('![ "", "false", "0" ].include?(ENV["SOLID_QUEUE_IN_PUMA"].to_s.downcase)', {env: e})
    expect(r).toMatchObject({ok: true, value, variable: 'SOLID_QUEUE_IN_PUMA'})
  })

  it.each([
    ['%w[1 true yes].include?(ENV["SIDEKIQ_EMBED"])', {SIDEKIQ_EMBED: 'yes'}, true],
    ['ENV["A"] && ENV["B"]', {A: '1'}, null], ['!ENV["A"]', {}, true], ['ENV["A"] ? 2 : 1', {A: 'x'}, 2],
    ['3 > 1 && 2 <= 2', {}, true], ['1 == "1"', {}, false], [':auto == :auto', {}, true],
    ['defined?(ActiveRecord)', {}, 'constant'],
  ])('%s with %j is %j', (src, e, value) => {
    expect(evaluate(src, {env: e})).toMatchObject({ok: true, value})
  })

  it('refuses a comparison Ruby would raise on', () => {
    expect(ev('ENV["RAILS_MAX_THREADS"] > 1')).toEqual({ok: false, why: 'comparison of the value of RAILS_MAX_THREADS with 1 fails in Ruby'})
  })
})

describe('evaluate: locals and what it refuses', () => {
  it('reads a local with where it came from', () => {
    const locals = new Map<string, EvalResult>([['max_threads_count', {ok: true, value: 5, variable: 'RAILS_MAX_THREADS', fromDefault: true, line: 7}]])
    expect(evaluate('ENV.fetch("RAILS_MIN_THREADS") { max_threads_count }', {env: {}, locals}))
      .toEqual({ok: true, value: 5, variable: 'RAILS_MAX_THREADS', fromDefault: true, line: 7})
    expect(evaluate('max_threads_count > 1', {env: {}, locals})).toEqual({ok: true, value: true, variable: 'RAILS_MAX_THREADS', fromDefault: true, line: 7})
  })

  it.each([
    ['foo', '`foo` is not a variable assigned earlier'],
    ['Concurrent.physical_processor_count', 'the constant Concurrent'],
    ['defined?(DefaultRackup)', 'defined?(DefaultRackup)'],
    ['ENV["X"].frobnicate', '.frobnicate is not understood'],
    ['1 +', '`+` is not understood here'],
    ['"open', 'an unterminated string'],
    ['('.repeat(500) + '1' + ')'.repeat(500), 'an expression nested too deeply'],
  ])('%#: is not ok: %s', (src, why) => {
    expect(ev(src)).toEqual({ok: false, why})
  })

  it('evaluates hashes lazily, so one unreadable entry leaves the others readable', () => {
    const r = ev('{ url: ENV["REDIS_URL"], size: 12, ssl_params: { verify_mode: OpenSSL::SSL::VERIFY_NONE } }[:size]')
    expect(r).toEqual({ok: true, value: 12})
  })
})

describe('sourcedFrom', () => {
  it('names a set variable and the line it is read on', () => {
    expect(sourcedFrom({ok: true, value: '8', variable: 'RAILS_MAX_THREADS', line: 23}, 8, 'config/puma.rb', 24))
      .toEqual({value: 8, source: 'RAILS_MAX_THREADS via config/puma.rb:23', lever: {kind: 'env', variable: 'RAILS_MAX_THREADS'}})
  })

  it('names the default and the unset variable that would change it', () => {
    expect(sourcedFrom({ok: true, value: 3, variable: 'RAILS_MAX_THREADS', fromDefault: true}, 3, 'config/puma.rb', 6))
      .toEqual({value: 3, source: 'config/puma.rb:6 default 3 (RAILS_MAX_THREADS unset)', lever: {kind: 'env', variable: 'RAILS_MAX_THREADS'}})
  })

  it('points a literal at its file line', () => {
    expect(sourcedFrom({ok: true, value: 5}, 5, 'config/puma.rb', 7))
      .toEqual({value: 5, source: 'config/puma.rb:7', lever: {kind: 'file', file: 'config/puma.rb', line: 7}})
  })

  it('never shows a secret default', () => {
    const r = evaluate(`ENV.fetch("REDIS_URL") { "redis://:${SECRET}@localhost:6379" }`, {env: {}})
    expect(r.ok && sourcedFrom(r, 'x', 'config/cable.yml', 3).source).toBe('config/cable.yml:3 default "redis://:*****@localhost:6379" (REDIS_URL unset)')
  })
})

describe('evaluate: pathological input', () => {
  // No wall-clock assertion: a catastrophic parse would run far past the test's timeout, which is the bound.
  it('answers without a throw or a hang on a 200 KiB line of nested interpolation, brackets or operators', () => {
    for (const src of ['"#{"'.repeat(40_000), '['.repeat(200_000), '1 || '.repeat(40_000) + '1', 'ENV['.repeat(50_000), 'a'.repeat(200_000) + '?']) {
      expect(ev(src).ok).toBe(false)
    }
  }, 30_000)
})
