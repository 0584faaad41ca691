// tsq:setup on the guide's Rails app (spec §9): the generated files, the config vars they read chosen to fit
// Postgres essential-0, judged by the doctor's own checks, and a second run that changes nothing.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {AppState, Checkout, FormationEntry} from '../../../../../src/core/model/app-state.js'
import {diagnose} from '../../../../../src/core/checks/doctor.js'
import {type SetupIntent, planSetup} from '../../../../../src/core/plans/setup/setup-plan.js'
import {appState, kvs, pg} from '../../checks/fixtures.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../../../fixtures/rails-configs', name), 'utf8')
const LOCK = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (5.6.5)\n    rails (6.1.7.10)\n    sidekiq (6.4.1)\n\nDEPENDENCIES\n  rails\n'
const PROCFILE = 'web: bundle exec puma -C config/puma.rb\nworker: bundle exec sidekiq -e production -C config/sidekiq.yml\n'
const CHECKOUT: Checkout = {dir: '.', files: {
  'Gemfile.lock': {text: LOCK},
  'config/puma.rb': {text: fixture('puma-guide.rb')},
  'config/sidekiq.yml': {text: fixture('sidekiq-guide.yml')},
  'config/database.yml': {text: fixture('database-rails-6.1.yml')},
  'config/initializers/tsq.rb': {error: 'config/initializers/tsq.rb: not found'},
}}
const FORMATION: FormationEntry[] = [
  {type: 'web', quantity: 1, size: 'standard-1x', command: 'bundle exec puma -C config/puma.rb'},
  {type: 'worker', quantity: 1, size: 'standard-1x', command: 'bundle exec sidekiq -e production -C config/sidekiq.yml'},
]

function guide(config: Record<string, string> = {WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5'}, checkout = CHECKOUT): AppState {
  return {...appState({addons: [kvs('premium-0'), pg('essential-0')], config, formation: FORMATION}), checkout}
}
const intent = (force: boolean, existing = PROCFILE): SetupIntent =>
  ({redis: null, local: null, migrations: true, procfile: {existing, scripts: null, commands: {}, force}})

/** The app as it is once the plan's config vars are set and its files written (the dyno then runs them). */
function applied(state: AppState, plan: ReturnType<typeof planSetup>): AppState {
  const config = {...state.config}
  const files = {...state.checkout!.files}
  let formation = state.formation
  for (const c of plan.changes) {
    if (c.kind === 'config') Object.assign(config, c.vars)
    if (c.kind === 'file') files[c.file] = {text: c.after}
    if (c.kind === 'procfile') {
      const commands = Object.fromEntries(c.after.trim().split('\n').map(l => [l.split(':')[0]!, l.slice(l.indexOf(':') + 1).trim()]))
      formation = formation.map(f => ({...f, command: commands[f.type] ?? f.command}))
    }
  }
  return {...state, config, formation, checkout: {...state.checkout!, files}}
}

describe('tsq:setup for the guide\'s Rails app (spec §9)', () => {
  it('with --force writes puma.rb, sidekiq.yml, tsq.rb and the Procfile, and sets RAILS_MAX_THREADS and SIDEKIQ_CONCURRENCY that fit essential-0 even on restart', () => {
    const plan = planSetup(guide(), intent(true))
    expect(plan.changes.map(c => c.kind === 'config' ? 'config' : c.kind === 'file' || c.kind === 'procfile' ? c.file : c.kind))
      .toEqual(['config', 'config/puma.rb', 'config/sidekiq.yml', 'config/initializers/tsq.rb', 'Procfile'])
    const config = plan.changes.find(c => c.kind === 'config')!
    expect(config.kind === 'config' && config.vars).toEqual({RAILS_MAX_THREADS: '3', SIDEKIQ_CONCURRENCY: '3'})
    const procfile = plan.changes.find(c => c.kind === 'procfile')!
    expect(procfile.kind === 'procfile' && procfile.after).toBe(`${PROCFILE}release: bin/rails db:migrate\n`)
    expect(plan.problems).toEqual([])
    // The doctor, on the app as it will be, agrees: web 2 × 3 + worker 3 = 9 ≤ 10 (half of 20).
    const {report} = diagnose(applied(guide(), plan))
    expect(report.ok).toBe(true)
    expect(report.processes.map(p => [p.type, p.stack, p.processesPerDyno, p.threads ?? p.concurrency, p.dbPool])).toEqual([['web', 'puma', 2, 3, 3], ['worker', 'sidekiq', 1, 3, 3]])
    expect(report.processes[1]!.sources.dbPool).toContain('config/initializers/tsq.rb')
    expect(report.resources.find(r => r.kind === 'postgres')!.demand).toBe(9)
    expect(report.checks.find(c => c.id === 'restart.overlap')!.status).toBe('ok')
  })

  it('changes nothing on a second run', () => {
    const once = applied(guide(), planSetup(guide(), intent(true)))
    const twice = planSetup(once, intent(true, 'web: bundle exec puma -C config/puma.rb\nworker: bundle exec sidekiq -e production -C config/sidekiq.yml\nrelease: bin/rails db:migrate\n'))
    expect(twice.changes).toEqual([])
  })

  it('without --force leaves the app\'s own puma.rb and sidekiq.yml alone, shows their diffs, and names the line to change', () => {
    const plan = planSetup(guide(), intent(false))
    expect(plan.changes.map(c => c.kind === 'file' ? c.file : c.kind)).toEqual(['config', 'config/initializers/tsq.rb'])
    const left = plan.skipped.filter(s => s.kind === 'file').map(s => s.reason)
    expect(left).toEqual([
      'config/puma.rb differs from what setup would write and is left alone; run again with --force to write it',
      'config/sidekiq.yml differs from what setup would write and is left alone; run again with --force to write it',
    ])
    expect(plan.notes.find(n => n.id === 'setup.edit')?.fix).toContain('config/sidekiq.yml:2: `:concurrency: 3`')
  })
})
