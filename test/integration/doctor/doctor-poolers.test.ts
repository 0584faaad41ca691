// tsq:doctor against the fake Platform/Data API with Heroku's server-side pooler (spec §11): attached and used
// through TSQ_DATABASE_URL_VAR, the processes count against the pooler and its server pool (read from the Data
// API's database config) against the plan; with that config unreadable, the documented share is used and marked
// as assumed, without a crash.
import {describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import type {FakeApi, Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {APP, PG_ADDON, REDIS_ADDON, SENTINEL_VALUES} from '../../helpers/scenarios.js'
import {pooledDatabase} from '../../helpers/scenarios-poolers.js'
import {runInProcess} from './run-in-process.js'

const api = useFakeApi()

async function doctorJson(scenario: Scenario): Promise<{report: DoctorReport, exitCode: number | undefined, fake: FakeApi}> {
  const fake = await api.start(scenario)
  const run = await runInProcess(Doctor, ['-a', APP, '--json'], {
    HEROKU_HOST: fake.url, HEROKU_DATA_HOST: fake.url, HEROKU_API_KEY: fake.state.token, HEROKU_APP: undefined, NO_COLOR: '1', FORCE_COLOR: undefined,
  })
  for (const secret of SENTINEL_VALUES) expect(run.stdout + run.stderr).not.toContain(secret)
  return {report: JSON.parse(run.stdout) as DoctorReport, exitCode: run.exitCode, fake}
}

const pg = (r: DoctorReport) => r.resources.find(x => x.kind === 'postgres')!
const check = (r: DoctorReport, id: string) => r.checks.find(c => c.id === id)

describe('tsq:doctor with Heroku server-side pooling', () => {
  it('without the pooler: 120 direct connections over standard-0\'s 120 − 2 fail', async () => {
    const {report, exitCode} = await doctorJson(pooledDatabase())
    expect(pg(report)).toMatchObject({demand: 120, status: 'fail'})
    expect(exitCode).toBe(1)
  })

  it('attached and used (TSQ_DATABASE_URL_VAR): its 120 clients hold the Data API\'s pool of 30 against the plan; the doctor passes', async () => {
    const {report, exitCode, fake: f} = await doctorJson(pooledDatabase({attached: true, config: {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'},
      poolerConfig: {pgbouncer_default_pool_size: 30, pgbouncer_max_client_conn: 10_000, pgbouncer_max_db_connections: 30}}))
    expect(pg(report)).toMatchObject({demand: 30, status: 'ok', assumptions: []})
    expect(pg(report).rows.map(r => [r.type, r.via, r.total])).toEqual([
      ['web', 'server-pooler', 0], ['worker', 'server-pooler', 0], ['(pooler DATABASE_CONNECTION_POOL_URL)', 'pooler', 30]])
    expect(pg(report).poolers).toEqual([expect.objectContaining({kind: 'server', clients: 120, clientLimit: 10_000, server: 30,
      clientLimitSource: 'Heroku Data API: pgbouncer_max_client_conn'})])
    expect(check(report, 'postgres.pooler')).toMatchObject({status: 'ok'})
    expect(report.ok).toBe(true)
    expect(exitCode).toBe(0)
    expect(f.requests.some(r => r.path === `/postgres/v0/databases/${f.state.addon(PG_ADDON).id}/config`)).toBe(true)
    expect(f.mutations()).toEqual([])
  })

  it('the config endpoint unreadable (403): 75% of the plan limit, marked as assumed; no crash', async () => {
    const {report, exitCode} = await doctorJson(pooledDatabase({attached: true, poolerConfig: 'unreadable', config: {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}}))
    expect(pg(report)).toMatchObject({demand: 90, status: 'warn'})
    expect(pg(report).assumptions).toEqual([expect.stringMatching(/^DATABASE_CONNECTION_POOL_URL: assumed 75% of the plan limit 120 \(its config could not be read \(You do not have access/)])
    expect(pg(report).poolers![0]!.serverSource).toMatch(/^assumed 75%/)
    expect(check(report, 'postgres.connections')).toMatchObject({status: 'warn'})
    expect(exitCode).toBe(0)
  })

  it('attached but unused (the runtime still reads DATABASE_URL): counted as before, and its config is not needed', async () => {
    const {report} = await doctorJson(pooledDatabase({attached: true}))
    expect(pg(report)).toMatchObject({demand: 120, status: 'fail'})
    expect(pg(report).poolers).toBeUndefined()
  })
})

describe('tsq:doctor reads Key-Value Store\'s eviction policy from the Data API (redis.eviction)', () => {
  it('allkeys-lru fails for a BullMQ app with heroku redis:maxmemory … --policy noeviction', async () => {
    const {report, exitCode} = await doctorJson(pooledDatabase({maxmemoryPolicy: 'allkeys-lru', attached: true,
      config: {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}}))
    expect(check(report, 'redis.eviction')).toMatchObject({status: 'fail',
      fix: `heroku redis:maxmemory ${REDIS_ADDON} --policy noeviction -a ${APP}`})
    expect(check(report, 'redis.eviction')!.message).toContain('maxmemory-policy allkeys-lru, read by Heroku Data API (redis:info)')
    expect(exitCode).toBe(1)
  })

  it('noeviction is ok; no maxmemory row warns with the reason', async () => {
    expect(check((await doctorJson(pooledDatabase())).report, 'redis.eviction')).toMatchObject({status: 'ok'})
    await api.current?.close()
    const unread = check((await doctorJson(pooledDatabase({maxmemoryPolicy: null}))).report, 'redis.eviction')!
    expect(unread).toMatchObject({status: 'warn'})
    expect(unread.message).toContain('Data API: the answer has no maxmemory row')
  })
})
