// tsq:doctor --local --json on a Rails 8 checkout whose Procfile has no job process (spec §14): jobs.consumer
// fails and exits 1; adding the Procfile line makes it pass. The resources list every holder with its source.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {runCommand} from '../../helpers/run-command.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/rails-configs', name), 'utf8')
const temps: string[] = []
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, {recursive: true, force: true})
})

function rails8(procfile: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsq-rails8-'))
  temps.push(dir)
  const files: Record<string, string> = {
    'Procfile': procfile,
    'Gemfile.lock': 'GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (6.6.0)\n    rails (8.0.2)\n    solid_queue (1.5.0)\n\nPLATFORMS\n  ruby\n',
    'config/puma.rb': fixture('puma-rails-8.0.rb'),
    'config/database.yml': fixture('database-rails-8.0.yml'),
    'config/queue.yml': fixture('queue-rails-8.yml'),
    'config/recurring.yml': fixture('recurring-rails-8.yml'),
    'config/cable.yml': fixture('cable-redis.yml'),
    'config/environments/production.rb': fixture('production-redis-cache.rb'),
    // Unreachable local servers keep the run quick; their measurements are warnings.
    '.env': 'DATABASE_URL=postgres://127.0.0.1:9/app\nQUEUE_DATABASE_URL=postgres://127.0.0.1:9/app\nREDIS_URL=redis://127.0.0.1:9/0\nREDIS_CACHE_URL=redis://127.0.0.1:10/1\n',
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), {recursive: true})
    writeFileSync(join(dir, name), text)
  }
  return dir
}

async function doctor(dir: string): Promise<{report: DoctorReport, code: number | undefined}> {
  const run = await runCommand(Doctor, ['--local', '--dir', dir, '--json'], {env: {HEROKU_APP: undefined, DATABASE_URL: undefined, REDIS_URL: undefined}})
  return {report: JSON.parse(run.stdout) as DoctorReport, code: run.code}
}

describe('tsq:doctor --local on a Rails 8 checkout', () => {
  it('fails jobs.consumer without a job process, and passes once the Procfile has `jobs: bin/jobs`', async () => {
    const without = await doctor(rails8('release: bin/rails db:prepare\nweb: bundle exec puma -C config/puma.rb\ncss: bin/rails tailwindcss:watch\n'))
    const failing = without.report.checks.find(c => c.id === 'jobs.consumer')!
    expect(failing.status).toBe('fail')
    expect(failing.fix).toContain('set SOLID_QUEUE_IN_PUMA=true in .env')
    expect(failing.fix).toContain('add `jobs: bin/jobs` to the Procfile')
    expect(without.code).toBe(1)

    const withJobs = await doctor(rails8('release: bin/rails db:prepare\nweb: bundle exec puma -C config/puma.rb\njobs: bin/jobs\n'))
    expect(withJobs.report.checks.find(c => c.id === 'jobs.consumer')).toMatchObject({status: 'ok'})
    // Every holder on the resource its variable reaches: Solid Queue on QUEUE_DATABASE_URL (the same server as
    // DATABASE_URL), Action Cable on REDIS_URL, the cache on REDIS_CACHE_URL.
    const holders = withJobs.report.resources.map(r => [r.configVar, r.holders.map(h => `${h.type} ${h.holder} ${h.perProcess ?? h.perDyno}`)])
    expect(holders).toEqual([
      ['DATABASE_URL', ['web activerecord 3', 'jobs solid-queue 13', 'jobs activerecord 3']],
      ['REDIS_URL', ['web action-cable 2', 'jobs action-cable 1']],
      ['REDIS_CACHE_URL', ['web cache 3', 'jobs cache 3']],
    ])
  })
})
