// Faults under load on the proof's formation (2 web dynos × 2 processes, 2 worker dynos, the pools tsq:setup
// chose, at 20/20 limits). After each, every accepted job has finished in Postgres, retries stay within what
// the fault interrupted (the results table counts every start of a job), and the app serves a fresh batch
// with no error and no manual step. Short BullMQ lock and stall times let interrupted jobs retry quickly.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Formation} from '../../helpers/formation.js'
import {EXAMPLE_DIR} from './lib/app-dir.js'
import {TSQ_READY, boot, webPorts} from './lib/boot.js'
import {type LoadReport, driveLoad} from './lib/load.js'
import {type BatchStats, LIMIT_ERROR, batchStats, waitFinished} from './lib/results.js'
import {ConnectionSampler} from './lib/sampler.js'
import {HARNESS_NAME} from './lib/servers.js'
import {PROCESSES, SCALE, type Scenario, exampleScenario} from './lib/scenario.js'

let s: Scenario
let formation: Formation
let sampler: ConnectionSampler
/** Jobs a fault can interrupt at once: every worker process's concurrency. */
let inFlight: number

beforeAll(async () => {
  s = await exampleScenario()
  // Heroku Redis keeps its data across a restart; the throwaway one saves on shutdown once asked to. Asked
  // now: a harness connection opened while the sampler counts is unnamed until its CLIENT SETNAME.
  const {Redis} = await import('ioredis')
  const client = new Redis(s.servers.redisUrl, {connectionName: HARNESS_NAME})
  await client.config('SET', 'save', '3600 1')
  await client.quit()
  sampler = await new ConnectionSampler(s.servers.admin, s.servers.redisUrl).start()
  const env = {EXAMPLE_LOCK_MS: '4000', EXAMPLE_STALLED_MS: '1000'}
  formation = (await boot(s.app, {codeDir: EXAMPLE_DIR, scale: SCALE, processes: PROCESSES, ready: TSQ_READY, env, restartCrashedAfterMs: 1000})).formation
  const worker = s.report.processes.find(p => p.type === 'worker')!
  inFlight = worker.dynos * worker.processesPerDyno * (worker.concurrency ?? 1)
}, 180_000)

afterAll(async () => {
  await formation?.stopAll(5000)
  await sampler?.stop()
  await s?.cleanup()
}, 60_000)

/**
 * A paced batch of 1,000 jobs (20 ms each) with reads over at least 4 s; `fault` runs once a quarter of the
 * requests are sent and `after` jobs have finished, so it hits both the web traffic and the workers.
 */
async function underLoad(prefix: string, after: number, fault: (progress: {sent: number, failed?: number}) => Promise<void>): Promise<{load: LoadReport, stats: BatchStats}> {
  const progress: {sent: number, failed?: number} = {sent: 0}
  const load = driveLoad({ports: () => webPorts(formation), prefix, requests: 300, concurrency: 6, paceMs: 80, postEvery: 3,
    jobsPerPost: 10, jobMs: 20, retries: 60, deadlineMs: 120_000, progress})
  const due = async () => progress.sent >= 75 && (await batchStats(s.servers.admin, prefix)).finished >= after
  for (let i = 0; i < 600 && !(await due()); i++) await new Promise(r => setTimeout(r, 50))
  expect(progress.sent).toBeLessThan(300)
  await fault(progress)
  const report = await load
  expect(report.gaveUp).toBe(0)
  expect(report.accepted).toHaveLength(1000)
  expect(await waitFinished(s.servers.admin, report.accepted, 120_000)).toEqual([])
  const stats = await batchStats(s.servers.admin, prefix)
  expect(stats).toMatchObject({rows: 1000, finished: 1000})
  expect(stats.completedTwice).toBeLessThanOrEqual(stats.retried)
  return {load: report, stats}
}

/** Back to normal: a fresh batch goes through with no failed request, and every job of it finishes. */
async function servesNormally(prefix: string): Promise<void> {
  const load = await driveLoad({ports: () => webPorts(formation), prefix, requests: 30, concurrency: 3, postEvery: 3,
    jobsPerPost: 5, jobMs: 5, deadlineMs: 60_000})
  expect(load.failures).toEqual([])
  expect(await waitFinished(s.servers.admin, load.accepted, 60_000)).toEqual([])
}

describe('faults under load', () => {
  it('SIGTERM to a worker dyno mid-batch: it drains and exits 0, its restart takes over, no job retried or lost', async () => {
    const {stats} = await underLoad('sigterm', 50, async () => {
      const exit = await formation.stop('worker.1')
      expect(exit).toEqual({code: 0, signal: null})
      await formation.start('worker.1')
    })
    expect(stats.retried).toBe(0)
    const lines = formation.history.filter(d => d.name === 'worker.1')[0]!.lines
    expect(lines.some(l => l.includes('shutdown complete'))).toBe(true)
    expect(lines.some(l => l.includes('shutdown timeout reached'))).toBe(false)
    await formation.waitFor('worker.1', TSQ_READY, 2)
    expect(await sampler.settle(s.expected)).toMatchObject(s.expected)
    await servesNormally('sigterm-after')
  }, 240_000)

  it('kill -9 of one web cluster process under load: the primary restarts it and the dyno keeps serving, nothing lost', async () => {
    const pidOf = (line: string) => Number(/\[(\d+)\]/.exec(line)?.[1])
    const primary = formation.dynos.get('web.1')!
    const victim = pidOf((await formation.waitFor('web.1', TSQ_READY, 2))[0]!)
    const {stats} = await underLoad('crash-web', 50, async () => {
      process.kill(victim, 'SIGKILL')
      await formation.waitFor('web.1', /process exited unexpectedly; restarting/)
    })
    expect(stats.retried).toBe(0)
    const replacement = pidOf((await formation.waitFor('web.1', TSQ_READY, 3))[2]!)
    expect(replacement).not.toBe(victim)
    expect(formation.dynos.get('web.1')).toBe(primary)
    expect(await sampler.settle(s.expected)).toMatchObject(s.expected)
    await servesNormally('crash-web-after')
  }, 240_000)

  it('kill -9 of a whole worker dyno mid-batch: restarted as Heroku restarts a crashed dyno, its interrupted jobs retried once their lock expires', async () => {
    const {stats} = await underLoad('crash-worker', 50, async () => {
      await formation.crash('worker.2')
    })
    expect(stats.retried).toBeLessThanOrEqual(inFlight)
    await formation.waitFor('worker.2', TSQ_READY, 2)
    expect(await sampler.settle(s.expected)).toMatchObject(s.expected)
    await servesNormally('crash-worker-after')
  }, 240_000)

  it('Redis restarted (data persisted) under load: clients reconnect, enqueues retried after 503s, nothing lost', async () => {
    const {load, stats} = await underLoad('redis-restart', 50, async progress => {
      // Down until the web traffic has felt it (a restart quicker than the gap between enqueues hit nothing).
      const failedBefore = progress.failed ?? 0
      await s.servers.redis.restart(async () => {
        for (let i = 0; i < 100 && (progress.failed ?? 0) === failedBefore; i++) await new Promise(r => setTimeout(r, 50))
      })
    })
    expect(load.failures.length).toBeGreaterThan(0)
    expect(stats.retried).toBeLessThanOrEqual(inFlight)
    expect(await sampler.settle(s.expected)).toMatchObject(s.expected)
    await servesNormally('redis-restart-after')
  }, 240_000)

  it('every app Postgres backend terminated under load: the pools log it, open new connections, no process crashes, nothing lost', async () => {
    const crashes = () => formation.output().filter(l => /process exited unexpectedly/.test(l)).length
    const pids = () => [...formation.dynos.values()].map(d => d.pid)
    const before = {crashes: crashes(), pids: pids()}
    let terminated = 0
    const {stats} = await underLoad('pg-terminate', 50, async () => {
      terminated = await s.servers.postgres.terminateBackends({applicationName: /^tsq:/})
    })
    expect(terminated).toBe(s.expected.postgres)
    expect(stats.retried).toBeLessThanOrEqual(inFlight)
    expect(formation.output().filter(l => l.includes('idle Postgres client failed; the pool replaces it')).length).toBeGreaterThan(0)
    expect(crashes()).toBe(before.crashes)
    expect(pids()).toEqual(before.pids)
    await servesNormally('pg-terminate-after')
  }, 240_000)

  it('through every fault the servers never saw more app connections than tsq:doctor predicts, and none was refused', () => {
    expect(sampler.samples.length).toBeGreaterThan(100)
    const peak = sampler.peak()
    // What the server listed whenever it held more than predicted (empty when it never did).
    expect(sampler.over(s.expected.redis).map(x => x.names.redis)).toEqual([])
    expect(peak.redis).toBeLessThanOrEqual(s.expected.redis)
    expect(peak.postgres).toBeLessThanOrEqual(s.expected.postgres)
    expect(formation.output().filter(l => LIMIT_ERROR.test(l))).toEqual([])
  })
})
