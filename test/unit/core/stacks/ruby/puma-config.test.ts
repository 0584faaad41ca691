import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parsePumaConfig} from '../../../../../src/core/stacks/ruby/puma-config.js'

const fixture = (name: string): string => readFileSync(new URL(`../../../../fixtures/rails-configs/${name}`, import.meta.url), 'utf8')
const F = 'config/puma.rb'
const env = (variable: string) => ({kind: 'env', variable})
const line = (n: number) => ({kind: 'file', file: F, line: n})
const PROD = {RAILS_ENV: 'production'}

describe('parsePumaConfig on the puma.rb Rails generates', () => {
  it('6.1/7.0: threads from RAILS_MAX_THREADS through two locals; the commented workers and preload_app! are not read', () => {
    const c = parsePumaConfig(fixture('puma-rails-6.1.rb'), {env: {...PROD, RAILS_MAX_THREADS: '8'}})
    expect(c).toEqual({
      workers: null, preload: null, disconnectsBeforeFork: null, uncertainPlugins: [], unreadable: {}, unknown: [],
      threads: {
        min: {value: 8, source: 'RAILS_MAX_THREADS via config/puma.rb:7', lever: env('RAILS_MAX_THREADS')},
        max: {value: 8, source: 'RAILS_MAX_THREADS via config/puma.rb:7', lever: env('RAILS_MAX_THREADS')},
      },
      plugins: [{name: 'tmp_restart', line: 43}],
    })
  })

  it('6.1/7.0 with nothing set: the defaults, each naming the variable that would change it', () => {
    const c = parsePumaConfig(fixture('puma-rails-6.1.rb'), {env: {RAILS_MIN_THREADS: '1'}})
    expect(c.threads).toEqual({
      min: {value: 1, source: 'RAILS_MIN_THREADS via config/puma.rb:8', lever: env('RAILS_MIN_THREADS')},
      max: {value: 5, source: 'config/puma.rb:7 default 5 (RAILS_MAX_THREADS unset)', lever: env('RAILS_MAX_THREADS')},
    })
  })

  it('7.1 in production with WEB_CONCURRENCY=3: workers inside the production block, no preload_app!', () => {
    const c = parsePumaConfig(fixture('puma-rails-7.1.rb'), {env: {...PROD, WEB_CONCURRENCY: '3'}, railsEnv: 'production'})
    expect(c.workers).toEqual({value: 3, source: 'WEB_CONCURRENCY via config/puma.rb:23', lever: env('WEB_CONCURRENCY')})
    expect(c.preload).toBeNull()
    expect(c.threads?.max).toEqual({value: 5, source: 'config/puma.rb:10 default 5 (RAILS_MAX_THREADS unset)', lever: env('RAILS_MAX_THREADS')})
    expect(c.unknown).toEqual([])
  })

  it('7.1 in production with WEB_CONCURRENCY unset: the else branch preloads, no workers statement', () => {
    const c = parsePumaConfig(fixture('puma-rails-7.1.rb'), {env: PROD, railsEnv: 'production'})
    expect(c.workers).toBeNull()
    expect(c.preload).toEqual({value: true, source: 'config/puma.rb:27', lever: line(27)})
    expect(c.unknown).toEqual([])
  })

  it('7.1 outside production: neither branch runs', () => {
    const c = parsePumaConfig(fixture('puma-rails-7.1.rb'), {env: {WEB_CONCURRENCY: '4'}})
    expect([c.workers, c.preload, c.unknown]).toEqual([null, null, []])
  })

  it.each([
    ['puma-rails-7.2.rb', 23], ['puma-rails-8.0.rb', 27], ['puma-rails-8.1.rb', 28],
  ])('%s: threads_count = ENV.fetch("RAILS_MAX_THREADS", 3)', (name, assigned) => {
    const unset = parsePumaConfig(fixture(name), {env: PROD})
    const three = {value: 3, source: `config/puma.rb:${assigned} default 3 (RAILS_MAX_THREADS unset)`, lever: env('RAILS_MAX_THREADS')}
    expect(unset.threads).toEqual({min: three, max: three})
    expect([unset.workers, unset.preload, unset.unknown]).toEqual([null, null, []])
    const set = parsePumaConfig(fixture(name), {env: {...PROD, RAILS_MAX_THREADS: '6'}})
    expect(set.threads?.max).toEqual({value: 6, source: `RAILS_MAX_THREADS via config/puma.rb:${assigned}`, lever: env('RAILS_MAX_THREADS')})
  })

  it('main: one-argument threads (Puma ≥ 6.5) is min = max', () => {
    const c = parsePumaConfig(fixture('puma-rails-main.rb'), {env: {RAILS_MAX_THREADS: '4'}})
    const four = {value: 4, source: 'RAILS_MAX_THREADS via config/puma.rb:28', lever: env('RAILS_MAX_THREADS')}
    expect(c.threads).toEqual({min: four, max: four})
  })

  it.each([
    ['puma-rails-8.0.rb', {}, [{name: 'tmp_restart', line: 34}]],
    ['puma-rails-8.0.rb', {SOLID_QUEUE_IN_PUMA: '1'}, [{name: 'tmp_restart', line: 34}, {name: 'solid_queue', line: 37}]],
    ['puma-rails-8.1.rb', {SOLID_QUEUE_IN_PUMA: 'true'}, [{name: 'tmp_restart', line: 35}, {name: 'solid_queue', line: 38}]],
    ['puma-rails-main.rb', {SOLID_QUEUE_IN_PUMA: 'false'}, [{name: 'tmp_restart', line: 34}]],
    ['puma-rails-main.rb', {SOLID_QUEUE_IN_PUMA: 'yes'}, [{name: 'tmp_restart', line: 34}, {name: 'solid_queue', line: 37}]],
  ])('%s with %j loads plugins %j', (name, e, plugins) => {
    const c = parsePumaConfig(fixture(name), {env: e})
    expect(c.plugins).toEqual(plugins)
    expect(c.unknown).toEqual([])
  })
})

describe('parsePumaConfig on Heroku\'s and the guide\'s puma.rb', () => {
  it('Heroku Dev Center: workers and threads through Integer(ENV[...] || n), preload, re-connect on worker boot', () => {
    const c = parsePumaConfig(fixture('puma-heroku-devcenter.rb'), {env: {WEB_CONCURRENCY: '2', RACK_ENV: 'production'}})
    expect(c).toEqual({
      workers: {value: 2, source: 'WEB_CONCURRENCY via config/puma.rb:2', lever: env('WEB_CONCURRENCY')},
      threads: {
        min: {value: 5, source: 'config/puma.rb:3 default 5 (RAILS_MAX_THREADS unset)', lever: env('RAILS_MAX_THREADS')},
        max: {value: 5, source: 'config/puma.rb:3 default 5 (RAILS_MAX_THREADS unset)', lever: env('RAILS_MAX_THREADS')},
      },
      preload: {value: true, source: 'config/puma.rb:6', lever: line(6)},
      disconnectsBeforeFork: {value: true, source: 'config/puma.rb:14', lever: line(14)},
      plugins: [], uncertainPlugins: [], unreadable: {}, unknown: [],
    })
  })

  it('Heroku Dev Center with WEB_CONCURRENCY unset: the file\'s default 2', () => {
    const c = parsePumaConfig(fixture('puma-heroku-devcenter.rb'), {env: {}})
    expect(c.workers).toEqual({value: 2, source: 'config/puma.rb:2 default 2 (WEB_CONCURRENCY unset)', lever: env('WEB_CONCURRENCY')})
  })

  it('the guide: workers from WEB_CONCURRENCY, a before_fork disconnect guarded by defined?(ActiveRecord)', () => {
    const c = parsePumaConfig(fixture('puma-guide.rb'), {env: {WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5'}})
    expect(c.workers).toEqual({value: 2, source: 'WEB_CONCURRENCY via config/puma.rb:9', lever: env('WEB_CONCURRENCY')})
    expect(c.threads?.max).toEqual({value: 5, source: 'RAILS_MAX_THREADS via config/puma.rb:2', lever: env('RAILS_MAX_THREADS')})
    expect(c.preload).toEqual({value: true, source: 'config/puma.rb:11', lever: line(11)})
    expect(c.disconnectsBeforeFork).toEqual({value: true, source: 'config/puma.rb:14', lever: line(14)})
    expect(c.unknown).toEqual([])
  })

  it('the guide with WEB_CONCURRENCY=auto', () => {
    const c = parsePumaConfig(fixture('puma-guide.rb'), {env: {WEB_CONCURRENCY: 'auto'}})
    expect(c.workers).toEqual({value: 'auto', source: 'WEB_CONCURRENCY via config/puma.rb:9', lever: env('WEB_CONCURRENCY')})
  })
})

describe('parsePumaConfig on other forms', () => {
  it('reads literals, :auto, preload_app! false, one-line hooks and a modifier on workers', () => {
    const text = [
      'workers :auto', 'threads 2, 16', 'preload_app! false', 'before_fork { ActiveRecord::Base.clear_all_connections! }',
      'workers 4 if ENV["BIG"]',
    ].join('\n')
    expect(parsePumaConfig(text, {env: {}})).toMatchObject({
      workers: {value: 'auto', source: 'config/puma.rb:1', lever: line(1)},
      threads: {min: {value: 2, source: 'config/puma.rb:2'}, max: {value: 16, source: 'config/puma.rb:2'}},
      preload: {value: false, source: 'config/puma.rb:3', lever: line(3)},
      disconnectsBeforeFork: {value: true, source: 'config/puma.rb:4'},
      unknown: [],
    })
    expect(parsePumaConfig(text, {env: {BIG: '1'}}).workers).toEqual({value: 4, source: 'config/puma.rb:5', lever: line(5)})
  })

  it('marks what sits under an undecidable condition unknown, never taken or dropped', () => {
    const text = [
      'if File.exist?("tmp/big")', '  workers 8', 'else', '  workers 2', 'end',
      'threads 1, Integer(ENV.fetch("MAX") { 5 }) unless Concurrent.processor_count > 4',
      'plugin :solid_queue if Rails.configuration.x.sq',
    ].join('\n')
    const c = parsePumaConfig(text, {env: {}})
    expect(c.workers).toBeNull()
    expect(c.threads).toBeNull()
    expect(c.plugins).toEqual([])
    expect(c.uncertainPlugins).toEqual([{name: 'solid_queue', line: 7,
      why: 'the condition `Rails.configuration.x.sq` at config/puma.rb:7 (the constant Rails)'}])
    expect(c.unreadable).toEqual({workers: 'workers 2 at config/puma.rb:4', threads: 'threads 1, Integer(ENV.fetch("MAX") { 5 }) at config/puma.rb:6'})
    expect(c.unknown).toEqual([
      'config/puma.rb:2: workers 8 could not be read: it is under the condition `File.exist?("tmp/big")` at config/puma.rb:1 (the constant File)',
      'config/puma.rb:4: workers 2 could not be read: it is under the condition `File.exist?("tmp/big")` at config/puma.rb:1 (the constant File)',
      'config/puma.rb:6: threads 1, Integer(ENV.fetch("MAX") { 5 }) could not be read: it is under the condition `Concurrent.processor_count > 4` at config/puma.rb:6 (the constant Concurrent)',
      'config/puma.rb:7: plugin :solid_queue could not be read: it is under the condition `Rails.configuration.x.sq` at config/puma.rb:7 (the constant Rails)',
    ])
  })

  it('says why a value cannot be read, naming the variable and not its value', () => {
    const c = parsePumaConfig('workers Integer(ENV["WEB_CONCURRENCY"])\nthreads 0, ENV.fetch("T")\n', {env: {WEB_CONCURRENCY: 'postgres://u:SENTINELpumaPW@h/db'}})
    expect(c.unknown).toEqual([
      'config/puma.rb:1: workers Integer(ENV["WEB_CONCURRENCY"]) could not be read: Integer() of the value of WEB_CONCURRENCY raises in Ruby',
      'config/puma.rb:2: threads 0, ENV.fetch("T") could not be read: ENV.fetch("T") raises KeyError in Ruby: T is unset and there is no default',
    ])
    expect(JSON.stringify(c)).not.toContain('SENTINEL')
  })

  it('keeps the last statement of a setting, as Puma does', () => {
    const c = parsePumaConfig('threads 1, 1\nworkers 2\nthreads 3, 3\nworkers ENV.fetch("WEB_CONCURRENCY", 5)\n', {env: {}})
    expect(c.threads?.max).toEqual({value: 3, source: 'config/puma.rb:3', lever: line(3)})
    expect(c.workers).toEqual({value: 5, source: 'config/puma.rb:4 default 5 (WEB_CONCURRENCY unset)', lever: env('WEB_CONCURRENCY')})
  })

  it('ignores comments, =begin blocks, heredocs and DSL calls inside hook blocks', () => {
    const text = ['=begin', 'workers 9', '=end', 'x = <<~TXT', '  workers 7', 'TXT', 'workers 3 # workers 5', 'on_restart do', '  workers 11', 'end'].join('\n')
    const c = parsePumaConfig(text, {env: {}})
    expect(c.workers).toEqual({value: 3, source: 'config/puma.rb:7', lever: line(7)})
  })
})
