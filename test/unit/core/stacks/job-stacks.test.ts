// Solid Queue and GoodJob (spec §14) read from real apps' shapes of queue.yml, recurring.yml, production.rb and
// GoodJob settings: every number, and the version its formula was read from.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {Checkout} from '../../../../src/core/model/app-state.js'
import {modelProcess} from '../../../../src/core/stacks/index.js'
import type {Holder} from '../../../../src/core/stacks/model.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/rails-configs', name), 'utf8')
const LOCK_8 = `GEM
  remote: https://rubygems.org/
  specs:
    good_job (4.10.0)
    puma (6.6.0)
    rails (8.0.2)
    solid_queue (1.1.5)

PLATFORMS
  ruby
`
const DB = 'postgres://u:p@h:5432/app'

function checkout(files: Record<string, string>): Checkout {
  return {dir: '.', files: {'Gemfile.lock': {text: LOCK_8}, ...Object.fromEntries(Object.entries(files).map(([k, v]) => [k, {text: v}]))}}
}

function model(command: string, files: Record<string, string>, config: Record<string, string> = {}, type = 'jobs') {
  return modelProcess({type, size: 'standard-1x', config: {DATABASE_URL: DB, ...config}, command, checkout: checkout(files)})
}

const on = (holders: Holder[], holder: string, variable?: string) => holders.filter(h => h.holder === holder && (variable === undefined || h.resourceVar === variable))
const sum = (holders: Holder[]) => holders.reduce((n, h) => n + h.perProcess.value, 0)

const RAILS_8 = {
  'config/queue.yml': fixture('queue-rails-8.yml'),
  'config/recurring.yml': fixture('recurring-rails-8.yml'),
  'config/database.yml': fixture('database-rails-8.0.yml'),
  'config/environments/production.rb': fixture('production-rails-8.rb'),
}

describe('stack solid_queue (bin/jobs)', () => {
  it('is detected from bin/jobs, rails solid_queue:start and rake solid_queue:start', () => {
    for (const command of ['bin/jobs', './bin/jobs start', 'bundle exec rails solid_queue:start', 'bundle exec rake solid_queue:start']) {
      expect(model(command, RAILS_8).model.stack.value, command).toBe('solid_queue')
    }
  })

  it('Rails 8 template: worker 3 + 2, dispatcher 3, scheduler for one recurring task, supervisor 2 on QUEUE_DATABASE_URL; jobs on primary up to 3', () => {
    const {model: m} = model('bin/jobs', RAILS_8, {QUEUE_DATABASE_URL: 'postgres://u:p@h:5432/queue'})
    const sq = on(m.holders, 'solid-queue')
    expect(sq).toHaveLength(1)
    // pool 5 (database.yml default, RAILS_MAX_THREADS unset): worker min(5, 3+2) = 5, dispatcher 3, scheduler min(5, 2+1) = 3, supervisor 2
    expect(sq[0]).toMatchObject({kind: 'postgres', resourceVar: 'QUEUE_DATABASE_URL', perProcess: {value: 13}})
    expect(sq[0]!.perProcess.source).toContain('Solid Queue 1.5.0; 1.1.5 in Gemfile.lock')
    expect(sq[0]!.perProcess.source).toContain('1 recurring tasks in config/recurring.yml production')
    expect(sq[0]!.perProcess.source).toContain('config.solid_queue.connects_to at config/environments/production.rb:45')
    expect(on(m.holders, 'activerecord', 'DATABASE_URL')[0]!.perProcess.value).toBe(3)
    expect(m.concurrency).toMatchObject({value: 3})
    // Solid Cache without config/cache.yml is on ActiveRecord::Base's pool: its expiry thread adds 1 to the 3 job threads.
    expect(on(m.holders, 'cache')[0]).toMatchObject({resourceVar: 'DATABASE_URL', perProcess: {value: 1}})
    expect(m.dbPool.value).toBe(4)
    expect(m.consumes).toEqual([{backend: 'solid_queue'}])
  })

  it('two worker entries × processes, a 2-thread bulk lane from its ERB default, three recurring tasks, on a pool of 8', () => {
    const {model: m} = model('bin/jobs', {...RAILS_8, 'config/queue.yml': fixture('queue-two-workers.yml'), 'config/recurring.yml': fixture('recurring-three.yml')},
      {QUEUE_DATABASE_URL: 'postgres://u:p@h:5432/queue', RAILS_MAX_THREADS: '8'})
    // 2 × min(8, 5+2) + min(8, 2+2) + dispatcher 3 + scheduler min(8, 2+3) + supervisor 2 = 14 + 4 + 3 + 5 + 2
    expect(sum(on(m.holders, 'solid-queue'))).toBe(28)
    expect(m.concurrency!.value).toBe(12)
    expect(m.concurrency!.source).toContain('2 × 5 threads + 1 × 2 threads')
    // Jobs on primary: 2 × min(8, 5) + min(8, 2)
    expect(sum(on(m.holders, 'activerecord'))).toBe(12)
    expect(m.findings.every(f => f.status === 'ok')).toBe(true)
  })

  it('JOB_CONCURRENCY forks more workers; a pool under threads + 2 warns, under threads fails postgres.pool', () => {
    const three = model('bin/jobs', RAILS_8, {QUEUE_DATABASE_URL: DB, JOB_CONCURRENCY: '3', RAILS_MAX_THREADS: '4'}).model
    // 3 × min(4, 5) + 3 + min(4, 3) + 2
    expect(sum(on(three.holders, 'solid-queue'))).toBe(20)
    expect(three.findings[0]).toMatchObject({id: 'postgres.pool', status: 'warn'})
    const two = model('bin/jobs', RAILS_8, {QUEUE_DATABASE_URL: DB, RAILS_MAX_THREADS: '2'}).model
    expect(two.findings[0]).toMatchObject({id: 'postgres.pool', status: 'fail'})
  })

  it('without connects_to it shares primary: each process is capped by the one pool, job threads counted as activerecord', () => {
    const files = {...RAILS_8, 'config/environments/production.rb': 'Rails.application.configure do\n  config.active_job.queue_adapter = :solid_queue\nend\n'}
    const {model: m} = model('bin/jobs', files)
    expect(m.holders.every(h => h.resourceVar === 'DATABASE_URL')).toBe(true)
    expect(sum(on(m.holders, 'activerecord'))).toBe(3)
    expect(sum(on(m.holders, 'solid-queue'))).toBe(10)
    expect(m.dbPool.value).toBe(13)
  })

  it('no queue.yml: Solid Queue\'s default configuration (1 worker of 3 threads, 1 dispatcher), said so', () => {
    const {model: m} = model('bin/jobs', {'config/database.yml': fixture('database-rails-8.0.yml')})
    expect(sum(on(m.holders, 'solid-queue')) + sum(on(m.holders, 'activerecord'))).toBe(5 + 3 + 2)
    expect(on(m.holders, 'solid-queue')[0]!.perProcess.source).toContain('Solid Queue 1.5.0 default')
  })

  it('SOLID_QUEUE_SKIP_RECURRING drops the scheduler; async mode puts every thread in one pool', () => {
    const skip = model('bin/jobs', RAILS_8, {QUEUE_DATABASE_URL: DB, SOLID_QUEUE_SKIP_RECURRING: 'true'}).model
    expect(sum(on(skip.holders, 'solid-queue'))).toBe(10)
    const async = model('bin/jobs --mode async', RAILS_8, {QUEUE_DATABASE_URL: DB}).model
    expect(sum(on(async.holders, 'solid-queue'))).toBe(5)
  })
})

describe('Solid Queue inside Puma (plugin :solid_queue)', () => {
  const files = {...RAILS_8, 'config/puma.rb': fixture('puma-rails-8.0.rb'), 'config/environments/production.rb': 'config.active_job.queue_adapter = :solid_queue\n'}

  it('SOLID_QUEUE_IN_PUMA set: the supervisor and its processes are counted once per dyno beside the Puma process', () => {
    const {model: m} = model('bundle exec puma -C config/puma.rb', files, {SOLID_QUEUE_IN_PUMA: '1'}, 'web')
    expect(m.stack.value).toBe('puma')
    const perDyno = m.holders.filter(h => h.perDyno)
    expect(perDyno.length).toBeGreaterThan(0)
    expect(sum(perDyno)).toBe(13)
    expect(perDyno[0]!.perProcess.source).toContain('plugin :solid_queue at config/puma.rb:37')
    // Puma's own threads: min(pool 5, 3 threads)
    expect(m.dbPool.value).toBe(3)
    expect(m.consumes).toEqual([{backend: 'solid_queue'}])
  })

  it('SOLID_QUEUE_IN_PUMA unset: no supervisor, nothing consumes the jobs', () => {
    const {model: m} = model('bundle exec puma -C config/puma.rb', files, {}, 'web')
    expect(m.holders.some(h => h.perDyno)).toBe(false)
    expect(m.consumes).toEqual([])
  })

  it('a condition tsq cannot decide counts the supervisor and marks it assumed', () => {
    const puma = 'threads 3, 3\nplugin :solid_queue if Rails.application.credentials.jobs_in_web\n'
    const {model: m} = model('bundle exec puma', {...files, 'config/puma.rb': puma}, {}, 'web')
    const perDyno = m.holders.filter(h => h.perDyno)
    expect(sum(perDyno)).toBe(13)
    expect(perDyno[0]!.perProcess.unknown).toContain('counted as if it runs')
    expect(m.consumes![0]!.uncertain).toBeDefined()
  })
})

describe('stack good_job', () => {
  const db = {'config/database.yml': fixture('database-rails-6.1.yml')}

  it('is detected from good_job start, bin/good_job and bundle exec good_job', () => {
    for (const command of ['bundle exec good_job start', 'bin/good_job start', 'bundle exec good_job']) {
      expect(model(command, db).model.stack.value, command).toBe('good_job')
    }
  })

  it('--max-threads 10 on a pool of 12: 10 job threads + 2 utility within the pool + 1 LISTEN outside it = 13', () => {
    const {model: m} = model('bundle exec good_job start --max-threads=10', db, {RAILS_MAX_THREADS: '12'})
    expect(on(m.holders, 'activerecord')[0]!.perProcess.value).toBe(10)
    expect(on(m.holders, 'good-job')[0]!.perProcess.value).toBe(3)
    expect(on(m.holders, 'good-job')[0]!.perProcess.source).toContain('GoodJob 4.19.2; 4.10.0 in Gemfile.lock')
    expect(m.dbPool.value).toBe(13)
    expect(m.concurrency).toMatchObject({value: 10, source: '--max-threads=10'})
    expect(m.findings[0]).toMatchObject({status: 'ok'})
  })

  it('threads from GOOD_JOB_MAX_THREADS, else RAILS_MAX_THREADS (as configuration.rb reads them), else 5', () => {
    expect(model('bundle exec good_job start', db, {GOOD_JOB_MAX_THREADS: '7', RAILS_MAX_THREADS: '12'}).model.concurrency!.source).toContain('GOOD_JOB_MAX_THREADS')
    expect(model('bundle exec good_job start', db, {RAILS_MAX_THREADS: '12'}).model.concurrency!.value).toBe(12)
    const d = model('bundle exec good_job start', db).model
    expect(d.concurrency).toMatchObject({value: 5, source: 'GoodJob 4.19.2; 4.10.0 in Gemfile.lock default max_threads 5'})
    // pool 5 (database.yml default) < 5 threads + 2: capped by the pool, + 1 LISTEN; postgres.pool warns
    expect(d.dbPool.value).toBe(6)
    expect(d.findings[0]).toMatchObject({id: 'postgres.pool', status: 'warn'})
  })

  it('GOOD_JOB_QUEUES pools sum their own threads: "mice:2;elephants:1" is 3', () => {
    const {model: m} = model('bundle exec good_job start', db, {GOOD_JOB_QUEUES: 'mice:2;elephants:1', RAILS_MAX_THREADS: '10'})
    expect(m.concurrency!.value).toBe(3)
    expect(m.dbPool.value).toBe(3 + 2 + 1)
  })

  it('async mode from application.rb runs GoodJob\'s threads in every Puma process, on the same pool', () => {
    const files = {...db, 'config/application.rb': fixture('good-job-application.rb'), 'config/puma.rb': 'threads 5, 5\nworkers 2\n'}
    const {model: m} = model('bundle exec puma -C config/puma.rb', files, {RAILS_MAX_THREADS: '12'}, 'web')
    const gj = on(m.holders, 'good-job')[0]!
    // min(pool 12, 5 web + 4 GoodJob + 2 utility) − 5 the web threads hold, + 1 LISTEN
    expect(gj.perProcess.value).toBe(7)
    expect(gj.perProcess.source).toContain('GOOD_JOB_THREADS')
    expect(gj.perProcess.source).toContain('config/application.rb:12')
    expect(m.dbPool.value).toBe(12)
    expect(m.consumes).toEqual([{backend: 'good_job'}])
  })

  it('GOOD_JOB_EXECUTION_MODE=async works the same; external (the production default) adds nothing to Puma', () => {
    const files = {...db, 'config/puma.rb': 'threads 5, 5\n'}
    expect(on(model('bundle exec puma', files, {GOOD_JOB_EXECUTION_MODE: 'async'}, 'web').model.holders, 'good-job')).toHaveLength(1)
    expect(on(model('bundle exec puma', files, {}, 'web').model.holders, 'good-job')).toHaveLength(0)
  })
})
