// tsq:doctor end to end, the ways users run it: through the real `heroku` CLI with the plugin linked, and
// standalone through bin/run.js; both against the fake Platform API, fully offline.
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {DoctorReport} from '../../src/core/checks/doctor.js'
import {type FakeApi, startFakeApi} from '../helpers/fake-api.js'
import {type CliResult, type HerokuSandbox, createHerokuSandbox} from '../helpers/heroku-cli.js'
import * as scenarios from '../helpers/scenarios.js'
import {APP, PG_ADDON, SENTINEL_VALUES} from '../helpers/scenarios.js'

let failing: FakeApi
let passing: FakeApi
let sandbox: HerokuSandbox
let standalone: HerokuSandbox

beforeAll(async () => {
  failing = await startFakeApi(scenarios.herokuRedisAndPostgres())
  const fits = scenarios.herokuRedisAndPostgres()
  fits.addons.find(a => a.name === PG_ADDON)!.connections = {used: 7, limit: 120}
  passing = await startFakeApi(fits)
  sandbox = await createHerokuSandbox({apiUrl: failing.url, apiKey: failing.state.token, env: {NO_COLOR: '1'}})
  standalone = await createHerokuSandbox({apiUrl: failing.url, apiKey: failing.state.token, link: false, env: {NO_COLOR: '1'}})
})

afterAll(async () => {
  sandbox?.cleanup()
  standalone?.cleanup()
  await Promise.all([failing?.close(), passing?.close()])
})

function noSecrets(run: CliResult): void {
  for (const secret of SENTINEL_VALUES) {
    expect(run.stdout).not.toContain(secret)
    expect(run.stderr).not.toContain(secret)
  }
}

const on = (api: FakeApi) => ({env: {HEROKU_HOST: api.url, HEROKU_PARTICLEBOARD_URL: api.url, HEROKU_DATA_HOST: api.url}})

describe('heroku tsq:doctor through the real heroku CLI', () => {
  it('prints exactly one JSON document and exits 1 when a check fails', async () => {
    const run = await sandbox.heroku(['tsq:doctor', '-a', APP, '--json'], on(failing))
    noSecrets(run)
    expect(run.exitCode).toBe(1)
    const report = JSON.parse(run.stdout) as DoctorReport
    expect(report).toMatchObject({app: APP, ok: false})
    expect(report.resources.find(r => r.kind === 'postgres')).toMatchObject({demand: 25, limit: 20, status: 'fail'})
    expect(failing.mutations()).toEqual([])
  })

  it('exits 0 with ok true when nothing fails', async () => {
    const run = await sandbox.heroku(['tsq:doctor', '-a', APP, '--json'], on(passing))
    noSecrets(run)
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({app: APP, ok: true})
  })

  it('prints the human report with the failing check first and exits 1', async () => {
    const run = await sandbox.heroku(['tsq:doctor', '-a', APP], on(failing))
    noSecrets(run)
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/^=== tsq:doctor ⬢ example-app {2}1 failing/)
    expect(run.stdout.split('\n')[2]).toMatch(/^✖ fail {2}postgres\.connections/)
  })

  it('takes the app from HEROKU_APP as heroku commands do', async () => {
    const run = await sandbox.heroku(['tsq:doctor', '--json'], {env: {...on(passing).env, HEROKU_APP: APP}})
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({app: APP})
  })
})

describe('tsq:doctor standalone through bin/run.js', () => {
  it('prints the same JSON and exit code as through heroku', async () => {
    const run = await standalone.standalone(['tsq:doctor', '-a', APP, '--json'], on(failing))
    noSecrets(run)
    expect(run.exitCode).toBe(1)
    const report = JSON.parse(run.stdout) as DoctorReport
    expect(report).toMatchObject({app: APP, ok: false})
    expect(report.checks.find(c => c.id === 'postgres.connections')!.status).toBe('fail')
  })

  it('exits 0 when nothing fails', async () => {
    const run = await standalone.standalone(['tsq:doctor', '-a', APP, '--json'], on(passing))
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ok: true})
  })

  it('takes the app from a git remote named with -r, as heroku commands do', async () => {
    const repo = join(standalone.workDir, 'repo')
    mkdirSync(repo)
    const git = (...args: string[]) => execFileSync('git', args, {cwd: repo, env: standalone.env, stdio: 'ignore'})
    git('init', '-q')
    git('remote', 'add', 'staging', `https://git.heroku.com/${APP}.git`)
    git('remote', 'add', 'other', 'https://git.heroku.com/some-other-app.git')
    // HEROKU_HOST points at the fake, so name the git host Heroku's own (it is otherwise derived from HEROKU_HOST).
    const env = {...on(passing).env, HEROKU_GIT_HOST: 'git.heroku.com'}
    const run = await standalone.standalone(['tsq:doctor', '-r', 'staging', '--json'], {env, cwd: repo})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({app: APP, ok: true})
  })

  it('runs --local with no Heroku at all: no API key, no request, servers it cannot reach reported as warnings', async () => {
    const dir = join(standalone.workDir, 'local-app')
    mkdirSync(dir)
    writeFileSync(join(dir, 'Procfile'), 'web: node web.js\nworker: node worker.js\n')
    // Port 9 (discard) refuses connections: the probes fail fast and say so.
    writeFileSync(join(dir, '.env'), 'REDIS_URL=redis://127.0.0.1:9\nDATABASE_URL=postgres://app@127.0.0.1:9/app\n')
    const before = failing.requests.length + passing.requests.length
    const run = await standalone.standalone(['tsq:doctor', '--local', '--dir', dir, '--json'], {env: {HEROKU_API_KEY: undefined}})
    expect(failing.requests.length + passing.requests.length).toBe(before)
    const report = JSON.parse(run.stdout) as DoctorReport
    expect(report).toMatchObject({app: 'local-app', mode: 'local'})
    expect(report.checks.filter(c => c.id.endsWith('.live')).map(c => c.status)).toEqual(['warn', 'warn'])
    expect(report.resources.map(r => r.limit)).toEqual([null, null])
    expect(run.exitCode).toBe(report.ok ? 0 : 1)
  })

  it('exits 1 with an error naming the flag when no app is given', async () => {
    const run = await standalone.standalone(['tsq:doctor'], on(passing))
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('No app specified')
  })
})
