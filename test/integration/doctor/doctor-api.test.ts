// tsq:doctor in-process against the fake Platform API over real HTTP: the scenarios, each checked for
// the JSON report, the exit code, the exact requests sent (all reads), and that no SENTINEL secret reaches
// stdout or stderr.
import {afterEach, describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {type FakeApi, type Scenario, startFakeApi} from '../../helpers/fake-api.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, PG_ADDON, REDIS_ADDON, SENTINEL_VALUES, STAGING} from '../../helpers/scenarios.js'
import {type InProcessResult, runInProcess} from './run-in-process.js'

let fake: FakeApi | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

async function doctor(scenario: Scenario, ...args: string[]): Promise<InProcessResult & {fake: FakeApi}> {
  fake ??= await startFakeApi(scenario)
  const run = await runInProcess(Doctor, ['-a', APP, ...args], {
    HEROKU_HOST: fake.url, HEROKU_DATA_HOST: fake.url, HEROKU_API_KEY: fake.state.token, HEROKU_APP: undefined,
    NO_COLOR: '1', FORCE_COLOR: undefined,
  })
  for (const secret of SENTINEL_VALUES) {
    expect(run.stdout, `stdout of tsq:doctor ${args.join(' ')}`).not.toContain(secret)
    expect(run.stderr, `stderr of tsq:doctor ${args.join(' ')}`).not.toContain(secret)
  }
  return {...run, fake}
}

async function doctorJson(scenario: Scenario, ...args: string[]): Promise<{report: DoctorReport, run: InProcessResult, fake: FakeApi}> {
  const run = await doctor(scenario, '--json', ...args)
  // Exactly one JSON document on stdout.
  const report = JSON.parse(run.stdout) as DoctorReport
  return {report, run, fake: run.fake}
}

/** oclif wraps warnings to the terminal width behind ` ›   `; join the lines back. */
const unwrap = (stderr: string) => stderr.replace(/\n\s*›\s+/g, ' ').replace(/[ \t]+/g, ' ')
const idOf = (f: FakeApi, name: string) => f.state.addon(name).id
const requestsOf = (f: FakeApi) => f.requests.map(r => `${r.method} ${r.path}`).sort()
const checkOf = (report: DoctorReport, id: string) => report.checks.find(c => c.id === id)
const resource = (report: DoctorReport, kind: 'postgres' | 'redis') => report.resources.find(r => r.kind === kind)

/** The reads of stage 1, the same for every scenario: the app itself and Heroku's dyno sizes. */
const APP_READS = ['addon-attachments', 'addons', 'config-vars', 'formation'].map(x => `GET /apps/${APP}/${x}`).concat(`GET /apps/${APP}`, 'GET /dyno-sizes')

describe('tsq:doctor on the issue\'s app (Heroku Redis mini + Postgres essential-0, web 2 × standard-2x)', () => {
  it('reports the exact demands, the Data API limit, a failing Postgres budget and exits 1', async () => {
    const {report, run, fake: f} = await doctorJson(scenarios.herokuRedisAndPostgres())
    expect(run.exitCode).toBe(1)
    expect(report.app).toBe(APP)
    expect(report.ok).toBe(false)
    expect(report.processes).toEqual([
      expect.objectContaining({type: 'web', role: 'web', dynos: 2, size: 'standard-2x', processesPerDyno: 2, concurrency: null, dbPool: 5, redisConnections: 1, stack: 'tsq', threads: null}),
      expect.objectContaining({type: 'worker', role: 'worker', dynos: 1, size: 'standard-1x', processesPerDyno: 1, concurrency: 5, dbPool: 5, redisConnections: 3, stack: 'tsq', threads: null}),
    ])
    expect(report.processes[0]!.sources.processesPerDyno).toBe("dyno size standard-2x (the Node buildpack's WEB_CONCURRENCY: 1024 MB ÷ 512 MB = 2; GET /dyno-sizes: memory 1 GB, 2 vCPUs)")
    expect(resource(report, 'postgres')).toMatchObject({
      kind: 'postgres', addon: PG_ADDON, service: 'heroku-postgresql', plan: 'heroku-postgresql:essential-0', configVar: 'DATABASE_URL',
      limit: 20, reserve: 2, demand: 25, status: 'fail', sharedWith: [], live: null, limitSource: 'Heroku Data API (pg:info Connections)',
    })
    expect(resource(report, 'redis')).toMatchObject({
      kind: 'redis', addon: REDIS_ADDON, service: 'heroku-redis', plan: 'heroku-redis:mini', configVar: 'REDIS_URL',
      limit: 20, reserve: 2, demand: 7, status: 'ok', sharedWith: [], live: null,
    })
    expect(checkOf(report, 'postgres.connections')).toMatchObject({status: 'fail'})
    expect(checkOf(report, 'postgres.connections')!.message).toContain('Heroku Data API')
    expect(checkOf(report, 'postgres.connections')!.fix).toContain(`heroku config:set TSQ_WEB_DB_POOL=2 TSQ_WORKER_DB_POOL=2 TSQ_WORKER_CONCURRENCY=2 -a ${APP}`)
    expect(requestsOf(f)).toEqual([...APP_READS,
      `GET /addons/${idOf(f, REDIS_ADDON)}/addon-attachments`, `GET /addons/${idOf(f, PG_ADDON)}/addon-attachments`,
      `GET /client/v11/databases/${PG_ADDON}`, `GET /redis/v0/databases/${REDIS_ADDON}`].sort())
    expect(f.mutations()).toEqual([])
    expect(run.stderr).not.toContain('Warning')
  })

  it('prints checks fail → warn → ok and the budget tables in human mode, exiting 1', async () => {
    const run = await doctor(scenarios.herokuRedisAndPostgres())
    expect(run.exitCode).toBe(1)
    const firstOk = run.stdout.indexOf('✔ ok')
    expect(run.stdout.indexOf('✖ fail  postgres.connections')).toBeGreaterThan(-1)
    expect(run.stdout.indexOf('✖ fail')).toBeLessThan(firstOk)
    expect(run.stdout.lastIndexOf('▲ warn')).toBeLessThan(firstOk)
    expect(run.stdout).toMatch(/web\s+2\s+2\s+5\s+20/)
    expect(run.stdout).toMatch(/demand\s+25\s+20/)
    expect(run.stdout).not.toContain('{')
    expect(run.fake.mutations()).toEqual([])
  })
})

describe('tsq:doctor on Redis add-ons other than Heroku\'s', () => {
  it('warns that Redis Cloud only sets REDISCLOUD_URL, budgets it against rediscloud:30, and exits 0', async () => {
    const {report, run} = await doctorJson(scenarios.redisCloudOnly())
    expect(run.exitCode).toBe(0)
    expect(report.ok).toBe(true)
    expect(checkOf(report, 'redis.url')).toMatchObject({status: 'warn', fix: expect.stringContaining(`heroku tsq:setup -a ${APP}`)})
    expect(resource(report, 'redis')).toMatchObject({service: 'rediscloud', plan: 'rediscloud:30', configVar: 'REDISCLOUD_URL', limit: 30, demand: 7, status: 'ok'})
    expect(resource(report, 'postgres')).toBeUndefined()
    expect(checkOf(report, 'postgres.addon')!.status).toBe('warn')
  })

  it('warns on Redis To Go nano that a restart (2 × 7 = 14) exceeds its 10 connections', async () => {
    const {report, run, fake: f} = await doctorJson(scenarios.redisToGo())
    expect(run.exitCode).toBe(0)
    expect(resource(report, 'redis')).toMatchObject({plan: 'redistogo:nano', configVar: 'REDISTOGO_URL', limit: 10, demand: 7, status: 'warn'})
    expect(checkOf(report, 'restart.overlap')).toMatchObject({status: 'warn', message: expect.stringContaining('Redis 2 × 7 = 14 > limit 10')})
    expect(checkOf(report, 'redis.url')!.status).toBe('warn')
    expect(requestsOf(f)).toEqual([...APP_READS, `GET /addons/${idOf(f, 'redistogo-shaped-24680')}/addon-attachments`].sort())
  })
})

describe('tsq:doctor on a worker scaled to 0', () => {
  it('fails worker.dynos with a tsq:scale fix', async () => {
    const {report, run} = await doctorJson(scenarios.workerScaledToZero())
    expect(run.exitCode).toBe(1)
    expect(checkOf(report, 'worker.dynos')).toMatchObject({status: 'fail', message: 'worker is scaled to 0: jobs on queue default pile up and never run'})
    expect(checkOf(report, 'worker.dynos')!.fix).toContain(`heroku tsq:scale worker=1 -a ${APP}`)
    // web 2×2×5 = 20 alone; the idle worker adds nothing.
    expect(resource(report, 'postgres')!.demand).toBe(20)
  })
})

describe('tsq:doctor on a database shared with a staging app', () => {
  it('counts the staging app\'s demand (web 1×1×5 + worker 1×1×3 = 8) into the shared limit', async () => {
    const {report, run, fake: f} = await doctorJson(scenarios.sharedDatabase())
    expect(run.exitCode).toBe(1)
    expect(resource(report, 'postgres')).toMatchObject({demand: 33, sharedWith: [STAGING], status: 'fail'})
    expect(checkOf(report, 'postgres.connections')!.message).toContain(`${STAGING} 8`)
    expect(requestsOf(f)).toEqual([...APP_READS,
      `GET /addons/${idOf(f, REDIS_ADDON)}/addon-attachments`, `GET /addons/${idOf(f, PG_ADDON)}/addon-attachments`,
      `GET /client/v11/databases/${PG_ADDON}`, `GET /redis/v0/databases/${REDIS_ADDON}`, `GET /apps/${STAGING}/config-vars`, `GET /apps/${STAGING}/formation`].sort())
    expect(f.mutations()).toEqual([])
  })

  it('does not crash on a 403 from the sharing app: it says the app was not counted, and warns on stderr', async () => {
    const {report, run} = await doctorJson(scenarios.forbiddenSharingApp())
    expect(run.exitCode).toBe(1)
    expect(resource(report, 'postgres')).toMatchObject({demand: 25, sharedWith: [STAGING]})
    expect(checkOf(report, 'postgres.connections')!.message).toContain(`not counted, could not be read: ${STAGING}`)
    expect(unwrap(run.stderr)).toContain(`${STAGING} shares ${PG_ADDON} but could not be read`)
  })

  it('warns (exit 0) when the 403 app is the only thing it could not check', async () => {
    const s = scenarios.forbiddenSharingApp()
    s.addons.find(a => a.name === PG_ADDON)!.connections = {used: 7, limit: 120}
    const {report, run} = await doctorJson(s)
    expect(run.exitCode).toBe(0)
    expect(checkOf(report, 'postgres.connections')).toMatchObject({status: 'warn', fix: expect.stringContaining(`heroku tsq:doctor -a ${STAGING}`)})
  })
})

describe('tsq:doctor on plans it does not know', () => {
  it('reports limit null, warns naming each plan on stderr and in its checks, and never guesses', async () => {
    const s = scenarios.unknownPlans()
    // Without a Data API answer, the Postgres limit can only come from the catalogue, which has no mystery-9.
    s.addons.find(a => a.name === PG_ADDON)!.connections = undefined
    const {report, run} = await doctorJson(s)
    expect(resource(report, 'postgres')).toMatchObject({plan: 'heroku-postgresql:mystery-9', limit: null, status: 'warn'})
    expect(resource(report, 'redis')).toMatchObject({plan: 'heroku-redis:premium-42', limit: null, status: 'warn'})
    expect(checkOf(report, 'postgres.connections')!.message).toContain('heroku-postgresql:mystery-9')
    expect(checkOf(report, 'redis.connections')!.message).toContain('heroku-redis:premium-42')
    expect(unwrap(run.stderr)).toContain('plan heroku-postgresql:mystery-9 has no known connection limit')
    expect(unwrap(run.stderr)).toContain('plan heroku-redis:premium-42 has no known connection limit')
    expect(run.exitCode).toBe(report.ok ? 0 : 1)
  })

  it('takes the limit the Data API reports for a plan the catalogue lacks', async () => {
    const {report} = await doctorJson(scenarios.unknownPlans())
    expect(resource(report, 'postgres')).toMatchObject({limit: 20, limitSource: 'Heroku Data API (pg:info Connections)'})
  })
})

describe('tsq:doctor on invalid settings', () => {
  it('fails the settings check naming each variable and its value, and exits 1', async () => {
    const s = scenarios.herokuRedisAndPostgres()
    s.addons.find(a => a.name === PG_ADDON)!.connections = {used: 7, limit: 120}
    s.apps[0]!.config = {...s.apps[0]!.config, TSQ_CONCURRENCY: 'abc', TSQ_WORKER_DB_POOL: '0'}
    const {report, run} = await doctorJson(s)
    expect(run.exitCode).toBe(1)
    const settings = checkOf(report, 'settings')!
    expect(settings.status).toBe('fail')
    expect(settings.message).toContain('TSQ_CONCURRENCY="abc"')
    expect(settings.message).toContain('TSQ_WORKER_DB_POOL="0"')
    expect(settings.fix).toContain(`heroku config:unset TSQ_CONCURRENCY TSQ_WORKER_DB_POOL -a ${APP}`)
    expect(report.checks.filter(c => c.status === 'fail').map(c => c.id)).toEqual(['settings'])
  })
})

describe('tsq:doctor through API trouble', () => {
  it('retries a 429 and then reports as usual', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    fake.failNext({method: 'GET', path: `/apps/${APP}/formation`, status: 429, headers: {'Retry-After': '0'}})
    const {report, run, fake: f} = await doctorJson(scenarios.herokuRedisAndPostgres())
    expect(run.exitCode).toBe(1)
    expect(resource(report, 'postgres')!.demand).toBe(25)
    expect(f.requests.filter(r => r.path === `/apps/${APP}/formation`).map(r => r.status)).toEqual([429, 200])
    expect(f.mutations()).toEqual([])
  })

  it('reads every page of a long add-on list (Range / Next-Range)', async () => {
    const {report, fake: f} = await doctorJson(scenarios.manyAddons(6, 3))
    const pages = f.requests.filter(r => r.path === `/apps/${APP}/addons`)
    expect(pages.length).toBe(3)
    expect(pages.slice(1).every(r => r.headers.range !== undefined)).toBe(true)
    expect(resource(report, 'redis')!.addon).toBe(REDIS_ADDON)
    expect(resource(report, 'postgres')!.addon).toBe(PG_ADDON)
    expect(f.mutations()).toEqual([])
  })

  it('passes a 403 on the app itself through as an error with exit code 1 and no report', async () => {
    const s = scenarios.herokuRedisAndPostgres()
    s.apps[0]!.forbidden = true
    const run = await doctor(s)
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('You do not have access')
  })
})
