// The proof at Heroku's smallest limits (Postgres max_connections 20, Redis maxclients 20): the example app
// as a local formation of 2 web dynos × 2 processes and 2 worker dynos, with the pools tsq:setup --local
// chose, under bounded HTTP load and a few thousand jobs. What tsq:doctor predicts is what the servers see,
// nothing is refused and every job runs once. The same app wired with the libraries' defaults is flagged by
// the doctor beforehand and does hit the limit.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Formation} from '../../helpers/formation.js'
import {type AppDir, EXAMPLE_DIR, NAIVE_DIR, checkStatus, doctor, makeAppDir, predicted} from './lib/app-dir.js'
import {NAIVE_READY, TSQ_READY, boot, heldVsPredicted, webPorts} from './lib/boot.js'
import {type LoadOptions, driveLoad} from './lib/load.js'
import {CONNECTION_ERROR, batchStats, waitFinished} from './lib/results.js'
import {ConnectionSampler} from './lib/sampler.js'
import {FORMATION, PROCESSES, SCALE, type Scenario, exampleScenario} from './lib/scenario.js'

// 600 requests, 24 at a time: 200 POSTs of 20 jobs (4,000 jobs of 5 ms) and 400 reads from Postgres.
const LOAD: Omit<LoadOptions, 'ports' | 'prefix'> = {requests: 600, concurrency: 24, postEvery: 3, jobsPerPost: 20, jobMs: 5, deadlineMs: 120_000}
const JOBS = (LOAD.requests / LOAD.postEvery) * LOAD.jobsPerPost

let s: Scenario
let naive: AppDir | undefined
const formations: Formation[] = []
const samplers: ConnectionSampler[] = []

beforeAll(async () => {
  s = await exampleScenario()
}, 120_000)

afterAll(async () => {
  await Promise.allSettled(formations.map(f => f.stopAll(5000)))
  await Promise.allSettled(samplers.map(x => x.stop()))
  await s?.cleanup()
  naive?.remove()
}, 60_000)

describe('proof at 20/20 connection limits', () => {
  it('tsq:setup --local writes TSQ_* pools into .env for which tsq:doctor predicts 2 web × 2 processes + 2 workers fit both limits', async () => {
    expect(s.setup.code).toBe(0)
    const vars = s.setup.json.changes.find(c => c.kind === 'config')?.vars ?? {}
    expect(Object.keys(vars).length).toBeGreaterThan(0)
    expect(s.app.env()).toMatchObject(vars)
    expect(s.report.ok).toBe(true)
    expect([checkStatus(s.report, 'postgres.connections'), checkStatus(s.report, 'redis.connections')]).toEqual(['ok', 'ok'])
  })

  it('under load the servers never see more connections than tsq:doctor predicts, exactly that many once warm, no connection error, every job done once', async () => {
    const {expected, servers} = s
    const sampler = await new ConnectionSampler(servers.admin, servers.redisUrl).start()
    samplers.push(sampler)
    const {formation} = await boot(s.app, {codeDir: EXAMPLE_DIR, scale: SCALE, processes: PROCESSES, ready: TSQ_READY})
    formations.push(formation)

    // Every process holds what it was sized for, and the servers see the doctor's total.
    const ready = heldVsPredicted(formation.output().filter(l => TSQ_READY.test(l)))
    expect(ready).toHaveLength(SCALE.web * PROCESSES.web + SCALE.worker * PROCESSES.worker)
    for (const r of ready) expect([r.redis[0], r.db[0]]).toEqual([r.redis[1], r.db[1]])
    expect(await sampler.settle(expected)).toMatchObject(expected)

    const load = await driveLoad({...LOAD, ports: () => webPorts(formation), prefix: 'proof'})
    expect(load.failures).toEqual([])
    expect(load.accepted).toHaveLength(JOBS)
    expect(await waitFinished(servers.admin, load.accepted, 180_000)).toEqual([])
    expect(await batchStats(servers.admin, 'proof')).toEqual({rows: JOBS, finished: JOBS, retried: 0, completedTwice: 0})
    expect(await sampler.settle(expected)).toMatchObject(expected)

    // SIGTERM to every process of every dyno: each drains and exits 0 before Heroku's SIGKILL.
    await formation.stopAll()
    expect(await Promise.all(formation.history.map(d => d.exited))).toEqual(formation.history.map(() => ({code: 0, signal: null})))
    await sampler.stop()
    expect(sampler.samples.length).toBeGreaterThan(10)
    expect(sampler.peak()).toEqual(expected)
    expect(formation.output().filter(l => CONNECTION_ERROR.test(l))).toEqual([])
  }, 400_000)

  it('the same app with the libraries\' defaults: tsq:doctor exits 1 on postgres.connections for TSQ_DB_POOL=10, and under the same load Postgres refuses it', async () => {
    const {servers} = s
    naive = makeAppDir(NAIVE_DIR, {REDIS_URL: servers.redisUrl, DATABASE_URL: servers.databaseUrl, WEB_CONCURRENCY: '2',
      // What the doctor reads (pg's default max 10, concurrency 5) and what the naive app reads.
      TSQ_DB_POOL: '10', TSQ_CONCURRENCY: '5', TSQ_WORKER_PROCESSES: '1', WORKER_CONCURRENCY: '5'})
    const flagged = await doctor(naive.dir, FORMATION)
    expect(flagged.code).toBe(1)
    expect(checkStatus(flagged.json, 'postgres.connections')).toBe('fail')
    expect(predicted(flagged.json, 'postgres')).toBe(SCALE.web * PROCESSES.web * 10 + SCALE.worker * PROCESSES.worker * 10)

    const {formation} = await boot(naive, {codeDir: NAIVE_DIR, scale: SCALE, processes: PROCESSES, ready: NAIVE_READY})
    formations.push(formation)
    const load = await driveLoad({...LOAD, ports: () => webPorts(formation), prefix: 'naive'})
    // Let the workers run into the limit too; their jobs need not all finish.
    await waitFinished(servers.admin, load.accepted, 10_000)
    await formation.stopAll(10_000)
    const refused = [...formation.output(), ...load.failures.map(f => f.error)].filter(l => CONNECTION_ERROR.test(l))
    expect(refused.length).toBeGreaterThan(0)
  }, 300_000)
})
