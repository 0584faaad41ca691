// Proof of the pooler budget (spec §11, issue 13) with a real pgbouncer run as the heroku/pgbouncer buildpack runs
// it (transaction mode, default pool 1, reserve 1), one per "dyno", in front of a throwaway Postgres with
// max_connections 14: the formation web=3 (pool 20) + worker=3 (pool 10) passes tsq:doctor --local only because
// of the pooler (demand 12 of 12 available), runs under load through heroku-tsq/runtime's pg pools with no
// connection error, and Postgres never sees more than the predicted 12 server connections. The same formation
// without the pooler fails the doctor (90) and, under the same load, Postgres refuses connections.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {createPgPool, resolveSettings} from '../../../src/runtime/index.js'
import {runCommand} from '../../helpers/run-command.js'
import {type PgbouncerService, pgbouncerBin, startPgbouncer} from '../../helpers/services-pgbouncer.js'
import {type PostgresService, type RedisService, startPostgres, startRedis} from '../../helpers/services.js'

// Postgres keeps 3 of them for superusers (superuser_reserved_connections): the app's limit is 14, 12 with the reserve.
const MAX_CONNECTIONS = 17
const LIMIT = MAX_CONNECTIONS - 3
const FORMATION = [{type: 'web', dynos: 3, pool: 20}, {type: 'worker', dynos: 3, pool: 10}] as const

let postgres: PostgresService
let redis: RedisService
let dir: string

beforeAll(async () => {
  ;[postgres, redis] = await Promise.all([startPostgres({maxConnections: MAX_CONNECTIONS}), startRedis({directives: {'maxmemory-policy': 'noeviction'}})])
  dir = mkdtempSync(join(tmpdir(), 'tsq-pgbouncer-proof-'))
  writeFileSync(join(dir, '.env'), `DATABASE_URL=${postgres.url}\nREDIS_URL=${redis.url}\nTSQ_WEB_DB_POOL=20\nTSQ_WORKER_DB_POOL=10\n`)
})

afterAll(async () => {
  await Promise.all([postgres?.stop(), redis?.stop()])
  if (dir) rmSync(dir, {recursive: true, force: true})
})

async function doctor(procfile: string): Promise<DoctorReport> {
  writeFileSync(join(dir, 'Procfile'), procfile)
  const run = await runCommand(Doctor, ['--local', '--dir', dir, '--formation', 'web=3,worker=3', '--json'])
  return JSON.parse(run.stdout) as DoctorReport
}

/** A sampler connected before the load: `peak(done)` polls the client backends other than its own until `done`. */
async function sampler(): Promise<{peak(done: Promise<unknown>): Promise<number>}> {
  const client = new pg.Client({connectionString: postgres.url, application_name: 'tsq-proof-sampler'})
  await client.connect()
  return {async peak(done) {
    let finished = false
    void done.finally(() => {
      finished = true
    })
    let peak = 0
    try {
      while (!finished) {
        const {rows} = await client.query<{n: string}>(
          "select count(*) as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")
        peak = Math.max(peak, Number(rows[0]!.n))
        await new Promise(resolve => setTimeout(resolve, 10))
      }
    } finally {
      await client.end()
    }
    return peak
  }}
}

/** Each dyno's one process runs `rounds` × its pool size of concurrent short queries through its URL. */
async function load(urlOf: (type: string, n: number) => string, rounds = 3): Promise<{errors: string[], peak: number}> {
  const pools = FORMATION.flatMap(f => Array.from({length: f.dynos}, (_, i) => createPgPool(
    resolveSettings({DYNO: `${f.type}.${i + 1}`, DATABASE_URL: urlOf(f.type, i), [`TSQ_${f.type.toUpperCase()}_DB_POOL`]: String(f.pool), TSQ_WORKER_CONCURRENCY: String(f.pool)}))))
  const errors: string[] = []
  const watch = await sampler()
  const work = Promise.all(pools.map(async pool => {
    for (let r = 0; r < rounds; r++) {
      await Promise.all(Array.from({length: pool.options.max}, () => pool.query('select pg_sleep(0.02)').catch((e: Error) => void errors.push(e.message))))
    }
  }))
  const [peak] = await Promise.all([watch.peak(work), work])
  await Promise.all(pools.map(p => p.end()))
  return {errors, peak}
}

describe.skipIf(pgbouncerBin() === null)('the pgbouncer in each dyno, for real', () => {
  it('with bin/start-pgbouncer: the doctor passes at the predicted 12, and under load no error and at most 12 server connections', async () => {
    const report = await doctor('web: bin/start-pgbouncer node web.js\nworker: bin/start-pgbouncer node worker.js\n')
    const pgBudget = report.resources.find(r => r.kind === 'postgres')!
    expect(pgBudget).toMatchObject({limit: LIMIT, reserve: 2, demand: 12})
    expect(pgBudget.rows.map(r => [r.type, r.via, r.clients, r.total])).toEqual([['web', 'pgbouncer', 60, 6], ['worker', 'pgbouncer', 30, 6]])
    expect(report.checks.filter(c => c.status === 'fail')).toEqual([])
    expect(report.ok).toBe(true)

    const bouncers = new Map<string, PgbouncerService>()
    try {
      for (const f of FORMATION) {
        for (let i = 0; i < f.dynos; i++) bouncers.set(`${f.type}.${i}`, await startPgbouncer({serverUrl: postgres.url}))
      }
      const {errors, peak} = await load((type, n) => bouncers.get(`${type}.${n}`)!.url)
      expect(errors).toEqual([])
      expect(peak).toBeLessThanOrEqual(pgBudget.demand)
      // Every dyno's pgbouncer held a server connection: the load went through all six.
      expect(peak).toBeGreaterThanOrEqual(FORMATION.reduce((n, f) => n + f.dynos, 0))
    } finally {
      await Promise.all([...bouncers.values()].map(b => b.stop()))
    }
  })

  it('without the pooler: the doctor fails at 90, and under the same load Postgres refuses connections', async () => {
    const report = await doctor('web: node web.js\nworker: node worker.js\n')
    expect(report.resources.find(r => r.kind === 'postgres')).toMatchObject({demand: 90, status: 'fail'})
    expect(report.checks.find(c => c.id === 'postgres.connections')).toMatchObject({status: 'fail'})
    const {errors, peak} = await load(() => postgres.url, 1)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.every(e => /too many clients|remaining connection slots/.test(e))).toBe(true)
    expect(peak).toBeLessThanOrEqual(MAX_CONNECTIONS)
  })
})
