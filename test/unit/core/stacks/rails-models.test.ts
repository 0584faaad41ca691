// The guide's Rails app (Puma + Sidekiq) judged through the doctor's own diagnosis: every number of the
// process model read from its files, flags and config vars, with its source, and the fixes in its own terms.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {AppState, Checkout, FormationEntry} from '../../../../src/core/model/app-state.js'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {planScale} from '../../../../src/core/plans/scale/scale-plan.js'
import {parseScaleArgs} from '../../../../src/core/model/formation.js'
import {URL, appState, pg} from '../checks/fixtures.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/rails-configs', name), 'utf8')
const LOCK = `GEM
  remote: https://rubygems.org/
  specs:
    puma (5.6.5)
      nio4r (~> 2.0)
    rails (6.1.7.10)
    sidekiq (6.4.1)
      connection_pool (>= 2.2.2)

PLATFORMS
  ruby

DEPENDENCIES
  puma
  rails
  sidekiq
`
const GUIDE: Checkout = {dir: '.', files: {
  'Gemfile.lock': {text: LOCK},
  'config/puma.rb': {text: fixture('puma-guide.rb')},
  'config/sidekiq.yml': {text: fixture('sidekiq-guide.yml')},
  'config/database.yml': {text: fixture('database-rails-6.1.yml')},
  'config/initializers/sidekiq.rb': {error: 'config/initializers/sidekiq.rb: not found'},
}}
const FORMATION: FormationEntry[] = [
  {type: 'web', quantity: 1, size: 'standard-1x', command: 'bundle exec puma -C config/puma.rb'},
  {type: 'worker', quantity: 1, size: 'standard-1x', command: 'bundle exec sidekiq -e production -C config/sidekiq.yml'},
]
const rediscloud = {name: 'rediscloud-flat-3', service: 'rediscloud', plan: 'rediscloud:30', as: 'REDISCLOUD', url: URL.rediscloud}

function guideApp(checkout: Checkout | null = GUIDE, config: Record<string, string> = {}): AppState {
  const state = appState({addons: [rediscloud, pg()], config: {WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5', ...config}, formation: FORMATION})
  return checkout ? {...state, checkout} : state
}

describe('the guide\'s Rails app on Puma 5.6 + Sidekiq 6.4 (spec §9)', () => {
  it('models web as puma 2 × 5 threads and worker as one sidekiq process at concurrency 20, each number with its source', () => {
    const {report} = diagnose(guideApp())
    const [web, worker] = report.processes
    expect(web).toMatchObject({type: 'web', stack: 'puma', role: 'web', processesPerDyno: 2, threads: 5, concurrency: null, dbPool: 5, redisConnections: 5})
    expect(web!.sources.processesPerDyno).toBe('WEB_CONCURRENCY via config/puma.rb:9')
    expect(web!.sources.threads).toBe('RAILS_MAX_THREADS via config/puma.rb:2')
    expect(worker).toMatchObject({type: 'worker', stack: 'sidekiq', role: 'worker', processesPerDyno: 1, concurrency: 20, threads: null, dbPool: 5, redisConnections: 21})
    expect(worker!.sources.concurrency).toBe('config/sidekiq.yml:2')
    expect(worker!.sources.processesPerDyno).toBe('Sidekiq: one process per command')
    expect(worker!.sources.redisConnections).toContain('measured on 6.4.1')
    expect(worker!.sources.dbPool).toContain('RAILS_MAX_THREADS via config/database.yml')
  })

  it('fails postgres.pool for the Sidekiq pool under its concurrency and names the sidekiq.yml line, never a TSQ_* variable', () => {
    const {report} = diagnose(guideApp())
    const pool = report.checks.find(c => c.id === 'postgres.pool')!
    expect(pool.status).toBe('fail')
    expect(pool.message).toContain('worker runs 20 Sidekiq jobs per process on an ActiveRecord pool of 5')
    expect(pool.fix).toContain('config/sidekiq.yml:2: `:concurrency: 5`')
    expect(pool.fix).not.toContain('TSQ_')
  })

  it('counts Redis as 2 × 5 (Sidekiq client pool in Puma) + 21 (Sidekiq server) = 31 over Redis Cloud 30, and exits 1', () => {
    const {report} = diagnose(guideApp())
    const redis = report.resources.find(r => r.kind === 'redis')!
    expect(redis).toMatchObject({demand: 31, limit: 30, status: 'fail', configVar: 'REDISCLOUD_URL'})
    expect(report.ok).toBe(false)
    const pgBudget = report.resources.find(r => r.kind === 'postgres')!
    expect(pgBudget).toMatchObject({demand: 15, limit: 20})
  })

  it('reads `-c` in the Procfile over the file, and a VAR=value prefix over the config var for that type only', () => {
    const formation = [FORMATION[0]!, {...FORMATION[1]!, command: 'RAILS_MAX_THREADS=8 bundle exec sidekiq -c ${SIDEKIQ_CONCURRENCY:-8} -C config/sidekiq.yml'}]
    const {report} = diagnose({...guideApp(), formation})
    const [web, worker] = report.processes
    expect(worker).toMatchObject({concurrency: 8, dbPool: 8})
    expect(worker!.sources.concurrency).toBe('-c 8')
    expect(web).toMatchObject({threads: 5, dbPool: 5})
    expect(report.checks.find(c => c.id === 'postgres.pool')!.status).toBe('ok')
  })

  it('without a checkout, takes the flags, config vars and latest versions\' defaults, says so, and never passes on the guess', () => {
    const {report, assessment} = diagnose(guideApp(null, {}))
    const [web, worker] = report.processes
    expect(web).toMatchObject({stack: 'puma', processesPerDyno: 2, threads: 5})
    expect(web!.sources.processesPerDyno).toBe('WEB_CONCURRENCY')
    expect(worker).toMatchObject({stack: 'sidekiq', concurrency: 5})
    expect(worker!.sources.concurrency).toContain('RAILS_MAX_THREADS')
    expect(assessment.unknowns.length + report.resources.flatMap(r => r.assumptions).length).toBeGreaterThan(0)
    for (const r of report.resources) expect(r.status).not.toBe('ok')
  })

  it('makes a Sidekiq ≤ 6 server Redis pool under concurrency + 2 fail redis.pool', () => {
    const init = 'Sidekiq.configure_server do |config|\n  config.redis = { url: ENV["REDISCLOUD_URL"], size: 12 }\nend\n'
    const checkout: Checkout = {dir: '.', files: {...GUIDE.files, 'config/initializers/sidekiq.rb': {text: init}}}
    const {report} = diagnose(guideApp(checkout))
    const check = report.checks.find(c => c.id === 'redis.pool')!
    expect(check.status).toBe('fail')
    expect(check.message).toContain('Redis pool of 12')
    expect(check.message).toContain('under concurrency 20 + 2')
  })

  it('treats a release command as none and a rake worker as an app process that caps Postgres at its pool and leaves Redis unknown', () => {
    const formation = [...FORMATION, {type: 'clock', quantity: 1, size: 'standard-1x', command: 'bundle exec rake scheduler:run'}]
    const {report} = diagnose({...guideApp(), formation})
    const clock = report.processes.find(p => p.type === 'clock')!
    expect(clock).toMatchObject({stack: 'app', dbPool: 5, redisConnections: 0})
    expect(clock.sources.redisConnections).toContain('unknown')
    expect(report.resources.find(r => r.kind === 'redis')!.assumptions.some(a => a.startsWith('clock:'))).toBe(true)
  })

  it('refuses tsq:scale worker=3 over Postgres with fixes in the app\'s terms', () => {
    const state = guideApp(GUIDE, {})
    const plan = planScale({...state, formation: [{...FORMATION[0]!, quantity: 2}, FORMATION[1]!]}, parseScaleArgs(['worker=3']))
    expect(plan.verdict).toBe('refuse')
    const pools = plan.suggestions!.pools!
    const text = [pools.command ?? '', ...pools.edits].join(' ')
    expect(text).not.toContain('TSQ_')
    expect(text).toMatch(/RAILS_MAX_THREADS=\d|config\/sidekiq\.yml:2/)
  })

  it('a binary or unparseable config file never crashes: the defaults stand in, settings warns naming the file, and no resource passes on it', () => {
    const checkout: Checkout = {dir: '.', files: {...GUIDE.files,
      'config/puma.rb': {text: 'workers \u0000\u0001\u0002'},
      'config/sidekiq.yml': {text: ':concurrency: [unclosed\n  - {'},
    }}
    const {report} = diagnose(guideApp(checkout))
    const settings = report.checks.find(c => c.id === 'settings')!
    expect(settings.status).toBe('warn')
    expect(settings.message).toContain('config/puma.rb')
    expect(settings.message).toContain('config/sidekiq.yml')
    expect(report.processes.map(p => p.stack)).toEqual(['puma', 'sidekiq'])
    for (const r of report.resources) expect(r.status).not.toBe('ok')
  })
})
