// tsq:setup --autoscale against the fake Platform API over real HTTP (every request recorded), and with --local
// against throwaway Redis and Postgres servers: the Procfile gains the autoscale line through the same
// merge/diff/--force path as the other types, the only request is the config PATCH that names the app for the
// autoscaler, the budget counts its dyno, and nothing is sent or written when it must not be.
import {describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {parseDotenv} from '../../../src/core/model/procfile.js'
import type {FakeApi, Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, SENTINELS} from '../../helpers/scenarios.js'
import {useThrowawayServers} from '../../helpers/throwaway-servers.js'
import {PROCFILE, runCommand, runSetup, runSetupJson, useAppDirs} from './run-setup.js'

const LINE = 'autoscale: npx heroku-tsq tsq:autoscale --interval 30'
// heroku-tsq as a dependency: what `npx heroku-tsq` on a dyno needs (no note about it).
const PACKAGE_JSON = JSON.stringify({name: 'example-app', scripts: {start: 'node dist/web.js', worker: 'node dist/worker.js'},
  dependencies: {'heroku-tsq': '^0.1.0'}})

const api = useFakeApi()
const dir = useAppDirs({'package.json': PACKAGE_JSON, Procfile: PROCFILE})
const servers = useThrowawayServers()

/** The app with pools that already fit (so setup has no TSQ_* to set), and HEROKU_API_KEY when `token`. */
async function start(token: boolean): Promise<FakeApi> {
  const s: Scenario = scenarios.herokuRedisAndPostgres()
  Object.assign(s.apps[0]!.config!, {TSQ_DB_POOL: '2', TSQ_CONCURRENCY: '2'}, token ? {HEROKU_API_KEY: SENTINELS.apiToken} : {})
  return api.start(s)
}

const sent = (f: FakeApi) => f.mutations().map(r => [r.method, r.path, r.body])

describe('tsq:setup --autoscale on Heroku', () => {
  it('--force sends exactly one config PATCH (HEROKU_APP), appends the autoscale line, and counts its dyno in the Redis budget', async () => {
    const f = await start(true)
    const d = dir()
    const run = await runSetupJson(f, ['-a', APP, '--dir', d.dir, '--autoscale', '--force'])
    expect(run.code).toBe(0)
    expect(sent(f)).toEqual([['PATCH', `/apps/${APP}/config-vars`, {HEROKU_APP: APP}]])
    expect(f.state.configVars(APP).HEROKU_APP).toBe(APP)
    expect(d.read('Procfile')).toBe(`${PROCFILE}${LINE}\n`)
    expect(d.list()).toEqual(['Procfile', 'package.json'])
    expect(run.json.changes).toEqual([
      expect.objectContaining({kind: 'config', target: 'config-vars', vars: {HEROKU_APP: APP}, previous: {HEROKU_APP: null}, status: 'applied'}),
      expect.objectContaining({kind: 'procfile', file: 'Procfile', action: 'update', status: 'applied',
        diff: [' web: npm start', ' worker: npm run worker', `+${LINE}`]}),
    ])
    // web 2 dynos × 2 processes × 1 + worker 1 × 1 × 3, and the autoscaler's 1 on the dyno setup plans for.
    const redis = run.json.budget.find(r => r.kind === 'redis')!
    expect(redis.rows.filter(r => r.type === 'autoscale')).toEqual([expect.objectContaining({dynos: 1, perProcess: 1, total: 1})])
    expect(redis.demand).toBe(8)
    // The app has a token: only the scale step is left, and the token's value is in no output (run-setup checks every sentinel).
    expect(run.json.notes.filter(n => n.id.startsWith('autoscale.')).map(n => [n.id, n.fix]))
      .toEqual([['autoscale.dynos', `once deployed: heroku ps:scale autoscale=1 -a ${APP}`]])
  })

  it('a second --autoscale run sends no mutating request, leaves the Procfile as it is and says there is nothing to change', async () => {
    const f = await start(true)
    const d = dir()
    expect((await runSetup(f, ['-a', APP, '--dir', d.dir, '--autoscale', '--force'])).code).toBe(0)
    const count = f.mutations().length
    const again = await runSetup(f, ['-a', APP, '--dir', d.dir, '--autoscale', '--force'])
    expect(again.code).toBe(0)
    expect(f.mutations()).toHaveLength(count)
    expect(d.read('Procfile')).toBe(`${PROCFILE}${LINE}\n`)
    expect(again.stdout).toContain('Nothing to change')
    expect(again.stdout).toContain('Procfile already runs web, worker, autoscale')
  })

  it('--dry-run sends no mutating request and writes no file; --json lists the config and Procfile changes as planned', async () => {
    const f = await start(false)
    const d = dir()
    const run = await runSetupJson(f, ['-a', APP, '--dir', d.dir, '--autoscale', '--force', '--dry-run'])
    expect(run.code).toBe(0)
    expect(f.mutations()).toEqual([])
    expect(d.read('Procfile')).toBe(PROCFILE)
    expect(d.list()).toEqual(['Procfile', 'package.json'])
    expect(run.json.dryRun).toBe(true)
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['config', 'planned'], ['procfile', 'planned']])
    expect(run.json.changes[0]).toMatchObject({vars: {HEROKU_APP: APP}})
    expect(run.json.notes.filter(n => n.id.startsWith('autoscale.')).map(n => n.id)).toEqual(['autoscale.dynos', 'autoscale.token'])
  })

  it('human output shows the new line and names `heroku ps:scale autoscale=1` and `heroku authorizations:create` for the token', async () => {
    const f = await start(false)
    const run = await runSetup(f, ['-a', APP, '--dir', dir().dir, '--autoscale', '--force', '--dry-run'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`1. Setting HEROKU_APP=${APP} on ⬢ ${APP}`)
    expect(run.stdout).toContain(`+${LINE}`)
    expect(run.stdout).toContain(`heroku ps:scale autoscale=1 -a ${APP}`)
    expect(run.stdout).toContain('heroku authorizations:create')
    expect(f.mutations()).toEqual([])
  })

  it('without --force leaves an existing Procfile alone and sends no mutating request (HEROKU_APP only comes with the line)', async () => {
    const f = await start(true)
    const d = dir()
    const run = await runSetupJson(f, ['-a', APP, '--dir', d.dir, '--autoscale'])
    expect(run.code).toBe(0)
    expect(f.mutations()).toEqual([])
    expect(d.read('Procfile')).toBe(PROCFILE)
    expect(run.json.changes).toEqual([])
    expect(run.json.skipped).toContainEqual(expect.objectContaining({kind: 'procfile', diff: expect.arrayContaining([`+${LINE}`])}))
    expect(run.json.budget.find(r => r.kind === 'redis')!.rows.map(r => r.type)).toEqual(['web', 'worker'])
  })
})

describe('tsq:setup --autoscale when the Procfile\'s autoscale type runs something else', () => {
  const OWN = `${PROCFILE}autoscale: node my-own-autoscaler.js\n`

  it('--force keeps the user\'s autoscale line byte for byte, sends nothing, and exits 1 with a problem naming the line, what it runs and the way out', async () => {
    const f = await start(true)
    const d = dir({'package.json': PACKAGE_JSON, Procfile: OWN})
    const run = await runSetupJson(f, ['-a', APP, '--dir', d.dir, '--autoscale', '--force'])
    expect(run.code).toBe(1)
    expect(f.mutations()).toEqual([])
    expect(d.read('Procfile')).toBe(OWN)
    expect(run.json.changes).toEqual([])
    expect(run.json.problems).toEqual([{id: 'setup.autoscale', blocking: false,
      message: '--autoscale: Procfile already has an autoscale process type that runs `node my-own-autoscaler.js`, not tsq:autoscale; setup does not replace a process type of yours, so no autoscaler was set up',
      fix: 'rename that type in Procfile and run setup again, or run tsq\'s autoscaler under another type name yourself: add `tsq-autoscale: npx heroku-tsq tsq:autoscale --interval 30` ' +
        'to Procfile, then run setup with --autoscale again (it keeps a line that runs tsq:autoscale under any name)'}])
    expect(run.json.notes.filter(n => n.id.startsWith('autoscale.'))).toEqual([])
  })

  it('a Procfile that runs tsq:autoscale under another type name beside the user\'s autoscale type is kept as it is, with no problem', async () => {
    const f = await start(true)
    const existing = `${OWN}scaler: npx heroku-tsq tsq:autoscale --interval 60\n`
    const d = dir({'package.json': PACKAGE_JSON, Procfile: existing})
    const run = await runSetupJson(f, ['-a', APP, '--dir', d.dir, '--autoscale', '--force'])
    expect(run.json.problems).toEqual([])
    expect(d.read('Procfile')).toBe(existing)
    expect(sent(f)).toEqual([['PATCH', `/apps/${APP}/config-vars`, {HEROKU_APP: APP}]])
    expect(run.code).toBe(0)
  })
})

describe('tsq:setup --local --autoscale', () => {
  it('writes the autoscale line and no HEROKU_APP into .env, and tsq:doctor --local then counts the autoscaler\'s Redis connection', async () => {
    const [pg, redis] = await Promise.all([servers.postgres({maxConnections: 20}), servers.redis({maxclients: 20})])
    const d = dir({'package.json': PACKAGE_JSON, '.env': `DATABASE_URL=${pg.url}\nREDIS_URL=${redis.url}\n`})
    const run = await runSetupJson(null, ['--local', '--dir', d.dir, '--autoscale'])
    expect(run.code).toBe(0)
    expect(d.read('Procfile')).toBe(`${PROCFILE}${LINE}\n`)
    expect(parseDotenv(d.read('.env')!)).not.toHaveProperty('HEROKU_APP')
    const planned = run.json.budget.find(r => r.kind === 'redis')!

    const doctor = await runCommand(Doctor, ['--local', '--dir', d.dir, '--json'], null)
    const report = JSON.parse(doctor.stdout) as DoctorReport
    expect(report.processes.find(p => p.type === 'autoscale')).toMatchObject({stack: 'none', dynos: 1, redisConnections: 1, dbPool: 0})
    expect(report.resources.find(r => r.kind === 'redis')!.demand).toBe(planned.demand)
    expect(planned.rows.find(r => r.type === 'autoscale')).toMatchObject({dynos: 1, total: 1})
  })
})
