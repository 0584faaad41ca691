// tsq:doctor and tsq:scale on the guide's Rails app (issue 10's "done when") against the fake Platform API, run
// in-process from a checkout of the app (its Gemfile.lock, config/puma.rb, config/sidekiq.yml, database.yml)
// and from a directory that is not its checkout.
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {type FakeApi, startFakeApi} from '../../helpers/fake-api.js'
import {runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP} from '../../helpers/scenarios.js'
import {runScale} from '../scale/run-scale.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/rails-configs')
const LOCK = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (5.6.5)\n    rails (6.1.7.10)\n    sidekiq (6.4.1)\n\nDEPENDENCIES\n  puma\n  rails\n  sidekiq\n'
const checkout = mkdtempSync(join(tmpdir(), 'tsq-rails-guide-'))
const elsewhere = mkdtempSync(join(tmpdir(), 'tsq-not-a-checkout-'))
mkdirSync(join(checkout, 'config'))
writeFileSync(join(checkout, 'Gemfile.lock'), LOCK)
copyFileSync(join(FIXTURES, 'puma-guide.rb'), join(checkout, 'config/puma.rb'))
copyFileSync(join(FIXTURES, 'sidekiq-guide.yml'), join(checkout, 'config/sidekiq.yml'))
copyFileSync(join(FIXTURES, 'database-rails-6.1.yml'), join(checkout, 'config/database.yml'))

let fake: FakeApi | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})
afterAll(() => {
  rmSync(checkout, {recursive: true, force: true})
  rmSync(elsewhere, {recursive: true, force: true})
})

async function doctor(dir: string): Promise<{report: DoctorReport, code: number}> {
  fake = await startFakeApi(scenarios.railsGuide())
  const run = await runCommand(Doctor, ['-a', APP, '--dir', dir, '--json'], {fake, checkSentinels: true})
  return {report: JSON.parse(run.stdout) as DoctorReport, code: run.code}
}

describe('tsq:doctor on the guide\'s Rails app (Redis Cloud only, Postgres essential-0)', () => {
  it('from its checkout: web puma 2 × 5 threads, worker sidekiq at concurrency 20 from config/sidekiq.yml:2, Redis 31 over 30, exit 1', async () => {
    const {report, code} = await doctor(checkout)
    expect(code).toBe(1)
    expect(report.processes.map(p => ({type: p.type, stack: p.stack, processes: p.processesPerDyno, threads: p.threads, concurrency: p.concurrency, db: p.dbPool, redis: p.redisConnections})))
      .toEqual([
        {type: 'web', stack: 'puma', processes: 2, threads: 5, concurrency: null, db: 5, redis: 5},
        {type: 'worker', stack: 'sidekiq', processes: 1, threads: null, concurrency: 20, db: 5, redis: 21},
      ])
    expect(report.processes[1]!.sources.concurrency).toBe('config/sidekiq.yml:2')
    expect(report.resources.find(r => r.kind === 'redis')).toMatchObject({configVar: 'REDISCLOUD_URL', demand: 31, limit: 30, status: 'fail'})
    const pool = report.checks.find(c => c.id === 'postgres.pool')!
    expect(pool.status).toBe('fail')
    expect(pool.fix).toContain('config/sidekiq.yml:2')
    expect(JSON.stringify(report.checks)).not.toMatch(/TSQ_(WEB|WORKER)_/)
  })

  it('from its checkout: redis.connections fixes with config/sidekiq.yml:2 concurrency 4 (web 2 × 5 + worker 4 + 1 = 15, half of Redis Cloud 30) and nothing is sent', async () => {
    const {report} = await doctor(checkout)
    const check = report.checks.find(c => c.id === 'redis.connections')!
    expect(check.status).toBe('fail')
    // Cap 5: web 2 × min(5, 5) = 10, worker concurrency 5 − 1 = 4 → 5; 15 ≤ 15. Cap 6 would be 10 + 6 = 16 > 15.
    expect(check.fix!.split('; or ')[0]).toBe('config/sidekiq.yml:2: `:concurrency: 4` (worker concurrency; now `:concurrency: 20`) '
      + '(the largest Sidekiq sizes that fit, even while old and new dynos overlap: Redis connections per process web 5, worker 5; 31 → 15)')
    expect(fake!.mutations()).toEqual([])
  })

  it('without its checkout: the stacks from the commands, numbers from the config vars and the latest versions\' defaults, named as assumed', async () => {
    const {report} = await doctor(elsewhere)
    expect(report.processes.map(p => [p.type, p.stack, p.processesPerDyno, p.threads ?? p.concurrency])).toEqual([['web', 'puma', 2, 5], ['worker', 'sidekiq', 1, 5]])
    expect(report.processes[1]!.sources.concurrency).toContain('RAILS_MAX_THREADS')
    expect(report.checks.find(c => c.id === 'settings')!.status).toBe('ok')
    for (const r of report.resources) expect(r.assumptions.length).toBeGreaterThan(0)
    for (const r of report.resources) expect(r.status).not.toBe('ok')
  })
})

describe('tsq:scale on the guide\'s Rails app', () => {
  it('refuses worker=3, sends nothing, and names Rails-language fixes', async () => {
    fake = await startFakeApi(scenarios.railsGuide())
    const run = await runScale(fake, ['worker=3', '-a', APP, '--dir', checkout])
    expect(run.code).toBe(1)
    expect(fake.mutations()).toEqual([])
    const out = run.stdout + run.stderr
    expect(out).toMatch(/RAILS_MAX_THREADS=\d/)
    expect(out).toContain('config/sidekiq.yml:2')
    expect(out).not.toMatch(/TSQ_(WEB|WORKER)_/)
  })

  it('refuses worker=2 over Redis and Postgres, sends nothing, and names one set of sizes that fits both', async () => {
    fake = await startFakeApi(scenarios.railsGuide())
    const run = await runScale(fake, ['worker=2', '-a', APP, '--dir', checkout])
    expect(run.code).toBe(1)
    expect(fake.mutations()).toEqual([])
    // Postgres (18 available, 10 on restart): pools of 2 → 2 × 2 + 2 × 2 = 8. With them Redis is 2 × 2 + 2 × (2 + 1) = 10 ≤ 15.
    expect(run.stdout + run.stderr).toContain([
      'Or keep web=1:standard-1x worker=2:standard-1x with smaller Postgres pools and Sidekiq sizes (Redis connections per process web 2, worker 3; fits even while old and new dynos overlap on restart):',
      `  heroku config:set RAILS_MAX_THREADS=2 -a ${APP}`,
      '  config/sidekiq.yml:2: `:concurrency: 2` (worker concurrency; now `:concurrency: 20`)',
    ].join('\n'))
  })
})
