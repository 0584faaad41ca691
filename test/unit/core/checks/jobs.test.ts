// jobs.consumer (spec §14): the production Active Job adapter must have a consuming process type above 0.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {AppState, FormationEntry} from '../../../../src/core/model/app-state.js'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {appState, kvs, pg} from './fixtures.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../fixtures/rails-configs', name), 'utf8')
const LOCK = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    good_job (4.19.2)\n    puma (6.6.0)\n    rails (8.0.2)\n    sidekiq (7.3.9)\n    solid_queue (1.5.0)\n\nPLATFORMS\n  ruby\n'
const prod = (adapter: string) => `Rails.application.configure do\n  config.active_job.queue_adapter = :${adapter}\nend\n`
const WEB: FormationEntry = {type: 'web', quantity: 1, size: 'basic', command: 'bundle exec puma -C config/puma.rb'}
const RELEASE: FormationEntry = {type: 'release', quantity: 0, size: 'basic', command: 'bin/rails db:prepare'}
const CSS: FormationEntry = {type: 'css', quantity: 1, size: 'basic', command: 'bin/rails tailwindcss:watch'}

function app(formation: FormationEntry[], adapter: string, config: Record<string, string> = {}, files: Record<string, string> = {}): AppState {
  const state = appState({addons: [pg('standard-0'), kvs('premium-0')], config, formation})
  const all = {'Gemfile.lock': LOCK, 'config/puma.rb': fixture('puma-rails-8.0.rb'), 'config/database.yml': fixture('database-rails-6.1.yml'),
    'config/environments/production.rb': prod(adapter), ...files}
  return {...state, checkout: {dir: '.', files: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, {text: v}]))}}
}
const jobsCheck = (state: AppState) => diagnose(state).report.checks.find(c => c.id === 'jobs.consumer')

describe('jobs.consumer', () => {
  it('Solid Queue with a Procfile of release, web and css and SOLID_QUEUE_IN_PUMA unset: fails, naming both fixes', () => {
    const check = jobsCheck(app([RELEASE, WEB, CSS], 'solid_queue'))!
    expect(check.status).toBe('fail')
    expect(check.message).toContain('config.active_job.queue_adapter = :solid_queue (config/environments/production.rb:2)')
    expect(check.message).toContain('no process type runs Solid Queue at a quantity above 0: every job it enqueues waits forever')
    expect(check.fix).toContain('run Solid Queue inside Puma (config/puma.rb:37): heroku config:set SOLID_QUEUE_IN_PUMA=true -a demo')
    expect(check.fix).toContain('add `jobs: bin/jobs` to the Procfile, deploy, then heroku ps:scale jobs=1 -a demo')
  })

  it('adding `jobs: bin/jobs` makes it pass', () => {
    const jobs: FormationEntry = {type: 'jobs', quantity: 1, size: 'basic', command: 'bin/jobs'}
    expect(jobsCheck(app([RELEASE, WEB, CSS, jobs], 'solid_queue'))).toMatchObject({status: 'ok', message: expect.stringContaining('consumed by jobs (1 dyno)')})
  })

  it('SOLID_QUEUE_IN_PUMA set makes Puma the consumer', () => {
    expect(jobsCheck(app([RELEASE, WEB, CSS], 'solid_queue', {SOLID_QUEUE_IN_PUMA: '1'}))).toMatchObject({status: 'ok', message: expect.stringContaining('consumed by web (1 dyno)')})
  })

  it('a consumer type scaled to 0 fails with the ps:scale that fixes it', () => {
    const jobs: FormationEntry = {type: 'jobs', quantity: 0, size: 'basic', command: 'bin/jobs'}
    const check = jobsCheck(app([WEB, jobs], 'solid_queue'))!
    expect(check).toMatchObject({status: 'fail'})
    expect(check.message).toContain('(jobs at 0)')
    expect(check.fix!.split('; or ')[0]).toBe('heroku ps:scale jobs=1 -a demo')
  })

  it('a Puma plugin under a condition tsq cannot decide only warns', () => {
    const check = jobsCheck(app([WEB], 'solid_queue', {}, {'config/puma.rb': 'threads 3, 3\nplugin :solid_queue if Rails.application.credentials.jobs_in_web\n'}))!
    expect(check.status).toBe('warn')
    expect(check.message).toContain('counted as if it runs')
  })

  it('the Sidekiq adapter needs a Sidekiq type', () => {
    expect(jobsCheck(app([WEB], 'sidekiq'))).toMatchObject({status: 'fail', fix: expect.stringContaining('add `worker: bundle exec sidekiq -C config/sidekiq.yml` to the Procfile')})
    const worker: FormationEntry = {type: 'worker', quantity: 1, size: 'basic', command: 'bundle exec sidekiq'}
    expect(jobsCheck(app([WEB, worker], 'sidekiq'))!.status).toBe('ok')
  })

  it('GoodJob in external mode needs a GoodJob type; in async mode Puma consumes', () => {
    expect(jobsCheck(app([WEB], 'good_job'))).toMatchObject({status: 'fail', fix: expect.stringContaining('worker: bundle exec good_job start')})
    expect(jobsCheck(app([WEB], 'good_job', {GOOD_JOB_EXECUTION_MODE: 'async'}))!.status).toBe('ok')
    const worker: FormationEntry = {type: 'worker', quantity: 1, size: 'basic', command: 'bundle exec good_job start'}
    expect(jobsCheck(app([WEB, worker], 'good_job'))!.status).toBe('ok')
  })

  it('an adapter tsq does not model is not judged, and no adapter (or no checkout) means no check', () => {
    expect(jobsCheck(app([WEB], 'resque'))).toMatchObject({status: 'ok', message: expect.stringContaining('not a backend tsq models')})
    const none = app([WEB], 'solid_queue', {}, {'config/environments/production.rb': 'Rails.application.configure do\nend\n'})
    expect(jobsCheck(none)).toBeUndefined()
    expect(jobsCheck({...none, checkout: undefined})).toBeUndefined()
  })
})
