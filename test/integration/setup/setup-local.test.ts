// tsq:setup --local against throwaway Redis and Postgres servers with tight limits: no Heroku at all. The
// values it writes into .env are judged by tsq:doctor --local, which measures the same servers.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {parseDotenv} from '../../../src/core/model/procfile.js'
import {type PostgresService, type RedisService, startPostgres, startRedis} from '../../helpers/services.js'
import {useThrowawayServers} from '../../helpers/throwaway-servers.js'
import {PACKAGE_JSON, PROCFILE, runCommand, runSetup, runSetupJson, useAppDirs} from './run-setup.js'

const PASSWORD = 'SENTINELlocalPW3318'
const servers = useThrowawayServers()
const dir = useAppDirs()

describe('tsq:setup --local', () => {
  it('writes the Procfile and .env values that the local doctor then passes, keeping other .env lines', async () => {
    // max_connections 12 − 3 superuser slots = 9, − reserve 2 = 7: the default pools (web 5 + worker 5) do not fit.
    const pg = await servers.postgres({maxConnections: 12, password: PASSWORD})
    const redis = await servers.redis({maxclients: 20, password: PASSWORD})
    const d = dir({'package.json': PACKAGE_JSON, '.env': `# local settings\nDATABASE_URL=${pg.url}\nREDIS_URL=${redis.url}\n`})
    const before = await runCommand(Doctor, ['--local', '--dir', d.dir], null)
    expect(before.code).toBe(1)

    const run = await runSetupJson(null, ['--local', '--dir', d.dir])
    expect(run.code).toBe(0)
    expect(run.stdout + run.stderr).not.toContain(PASSWORD)
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['config', 'applied'], ['procfile', 'applied']])
    expect(d.read('Procfile')).toBe(PROCFILE)
    const env = parseDotenv(d.read('.env')!)
    expect(env).toMatchObject({DATABASE_URL: pg.url, REDIS_URL: redis.url})
    expect(d.read('.env')!.startsWith(`# local settings\nDATABASE_URL=${pg.url}\n`)).toBe(true)
    expect(d.list()).toEqual(['.env', 'Procfile', 'package.json'])

    const after = await runCommand(Doctor, ['--local', '--dir', d.dir], null)
    expect(after.stdout + after.stderr + before.stdout + before.stderr).not.toContain(PASSWORD)
    expect(after.code).toBe(0)
    const again = await runSetup(null, ['--local', '--dir', d.dir])
    expect(again.stdout).toContain('Nothing to change')
  })
})

describe('tsq:setup --local --formation', () => {
  // Heroku's smallest limits. WEB_CONCURRENCY=2 is app-wide, so web=2,worker=2 runs 8 processes: pools sized
  // for one dyno per type (4 processes) do not fit it.
  const FORMATION = 'web=2,worker=2'
  let pg: PostgresService
  let redis: RedisService
  beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres({maxConnections: 20, password: PASSWORD}), startRedis({maxclients: 20, password: PASSWORD})])
  })
  afterAll(async () => {
    await Promise.all([pg?.stop(), redis?.stop()])
  })
  const dotenv = () => `DATABASE_URL=${pg.url}\nREDIS_URL=${redis.url}\nWEB_CONCURRENCY=2\n`
  const statusOf = (report: DoctorReport, id: string) => report.checks.find(c => c.id === id)?.status
  async function doctorJson(dir: string): Promise<{code: number, report: DoctorReport}> {
    const run = await runCommand(Doctor, ['--local', '--dir', dir, '--formation', FORMATION, '--json'], null)
    return {code: run.code, report: JSON.parse(run.stdout) as DoctorReport}
  }

  it('sizes the pools for that formation: tsq:doctor --local with the same --formation passes both connection checks', async () => {
    const d = dir({'package.json': PACKAGE_JSON, '.env': dotenv()})
    const setup = await runSetupJson(null, ['--local', '--dir', d.dir, '--formation', FORMATION])
    expect(setup.code).toBe(0)
    expect(setup.json.changes.map(c => [c.kind, c.status])).toEqual([['config', 'applied'], ['procfile', 'applied']])

    const {code, report} = await doctorJson(d.dir)
    expect(code).toBe(0)
    expect(report.checks.filter(c => c.status === 'fail')).toEqual([])
    expect([statusOf(report, 'postgres.connections'), statusOf(report, 'redis.connections')]).not.toContain('fail')
    expect(report.processes.map(p => [p.type, p.dynos, p.processesPerDyno])).toEqual([['web', 2, 2], ['worker', 2, 2]])
    // Setup judged the very formation the doctor judges.
    const demand = (rs: ReadonlyArray<{kind: string, demand: number}>) => rs.map(r => [r.kind, r.demand])
    expect(demand(setup.json.budget)).toEqual(demand(report.resources))
  })

  it('without --formation sizes for one dyno per type, and the same doctor call fails postgres.connections', async () => {
    const d = dir({'package.json': PACKAGE_JSON, '.env': dotenv()})
    const setup = await runSetupJson(null, ['--local', '--dir', d.dir])
    expect(setup.code).toBe(0)

    const {code, report} = await doctorJson(d.dir)
    expect(code).toBe(1)
    expect(statusOf(report, 'postgres.connections')).toBe('fail')
  })

  it.each(['worker=abc', 'clock=1'])('--formation %s: the doctor\'s error, and no file written', async formation => {
    const d = dir({'package.json': PACKAGE_JSON, 'Procfile': PROCFILE, '.env': dotenv()})
    const doctor = await runCommand(Doctor, ['--local', '--dir', d.dir, '--formation', formation], null)
    const setup = await runSetup(null, ['--local', '--dir', d.dir, '--formation', formation])
    expect(setup.code).toBe(1)
    expect(setup.error?.message).toContain(`"${formation}"`)
    expect([setup.error?.code, setup.error?.message]).toEqual([doctor.error?.code, doctor.error?.message])
    expect(setup.stdout).toBe('')
    expect(d.list()).toEqual(['.env', 'Procfile', 'package.json'])
    expect([d.read('.env'), d.read('Procfile')]).toEqual([dotenv(), PROCFILE])
  })

  it('--formation without --local is refused by the flag parser', async () => {
    const run = await runSetup(null, ['-a', 'example-app', '--formation', FORMATION])
    expect(run.code).not.toBe(0)
    expect(run.error?.message).toContain('must be provided when using --formation: --local')
  })
})
