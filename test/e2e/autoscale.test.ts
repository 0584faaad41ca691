// tsq:autoscale --interval end to end: the standalone CLI (bin/run.js) against the fake Platform API, whose
// formation a small dyno manager turns into real worker processes (the example app on heroku-tsq/runtime) on
// throwaway Redis and Postgres (20 connections each, as Heroku's smallest plans). A load step of 60 jobs/s
// that one worker (8 jobs of 200 ms at a time: 40/s) cannot keep up with; Postgres fits only 2 workers
// (pool 8: 2 × 8 = 16 of 18, 3 would need 24). Timing is counted in the autoscaler's own steps, never in
// wall-clock time, and every wait is bounded generously.
import {Queue} from 'bullmq'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {AUTOSCALE_APP as APP, type AutoscaleWorld, type AutoscalerProcess, DynoManager, type StepDoc, spawnAutoscaler, startAutoscaleWorld} from './proof/lib/autoscale-harness.js'
import {LIMIT_ERROR} from './proof/lib/results.js'
import {ConnectionSampler} from './proof/lib/sampler.js'

const TOKEN = 'autoscale-e2e-token'
const TICK_MS = 2000
const TARGET_S = 2

let world: AutoscaleWorld
let dynos: DynoManager
let sampler: ConnectionSampler
let autoscaler: AutoscalerProcess
let docs: StepDoc[] = []

async function waitFor<T>(what: string, find: () => T | undefined, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const found = find()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; steps so far:\n${docs.map(d => JSON.stringify(d.decisions.map(x => [x.from, x.to, x.latencyMs, x.reason]))).join('\n')}\nstderr:\n${autoscaler.stderr()}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

beforeAll(async () => {
  world = await startAutoscaleWorld({token: TOKEN, config: {TSQ_QUEUES: 'default', TSQ_WORKER_CONCURRENCY: '8',
    TSQ_WORKER_DB_POOL: '8', TSQ_WORKER_PROCESSES: '1', EXAMPLE_JOB_MS: '200', TSQ_SHUTDOWN_TIMEOUT: '5000'}})
  dynos = new DynoManager(world)
  sampler = await new ConnectionSampler(world.servers.admin, world.servers.redisUrl).start(200)
})

afterAll(async () => {
  if (autoscaler && autoscaler.child.exitCode === null) autoscaler.child.kill('SIGKILL')
  await sampler?.stop()
  await dynos?.close(10_000)
  await world?.close()
})

describe('tsq:autoscale --interval against a simulated dyno manager', () => {
  it('scales up under load to the 2 workers Postgres fits, gets latency under target, scales back down, exits 0 on SIGTERM', async () => {
    autoscaler = spawnAutoscaler(world, ['--interval', '1', '--target', String(TARGET_S), '--down-after', '4', '--min', '1', '--max', '5'],
      {TSQ_AUTOSCALE_TICK_MS: String(TICK_MS)})
    docs = autoscaler.docs
    await waitFor('first step', () => docs[0])

    // The load step: 60 jobs a second for 20 seconds.
    const producer = new Queue('default', {connection: {url: world.servers.redisUrl}})
    const loadSteps = docs.length
    for (let second = 0; second < 20; second++) {
      await producer.addBulk(Array.from({length: 60}, (_, i) => ({name: 'example', data: {n: second * 60 + i}})))
      await new Promise(resolve => setTimeout(resolve, 1000))
    }

    const up = await waitFor('scale-up', () => docs.findIndex((d, i) => i >= loadSteps && d.decisions[0]!.to > d.decisions[0]!.from) + 1 || undefined) - 1
    const upDoc = docs[up]!.decisions[0]!
    expect(upDoc).toMatchObject({from: 1, to: 2, budgetMax: 2})
    expect(docs[up]!.applied).toBe(true)
    // Latency under the target within 2 intervals of the scale-up.
    await waitFor('steps after the scale-up', () => docs[up + 2])
    expect(docs.slice(up + 1, up + 3).some(d => d.decisions[0]!.latencyMs < TARGET_S * 1000),
      JSON.stringify(docs.slice(up, up + 3).map(d => d.decisions[0]))).toBe(true)

    // A burst more than 2 workers can take at once: latency asks for more, Postgres stops it at 2.
    const burst = docs.length
    await producer.addBulk(Array.from({length: 1500}, (_, i) => ({name: 'example', data: {n: 100_000 + i}})))
    const capped = await waitFor('a step capped by the budget', () => docs.find((d, i) => i >= burst && /connection budget stops it at 2 /.test(d.decisions[0]!.reason)))
    expect(capped.decisions[0]).toMatchObject({from: 2, to: 2, budgetMax: 2})
    expect(capped.decisions[0]!.reason).toMatch(/Postgres postgresql-e2e-1 would use 16 of 18 available/)

    // After the load: back down to --min.
    const down = await waitFor('scale-down', () => docs.find((d, i) => i > up && d.decisions[0]!.from === 2 && d.decisions[0]!.to === 1))
    expect(down.applied).toBe(true)
    await producer.close()

    autoscaler.child.kill('SIGTERM')
    const code = await Promise.race([autoscaler.exited, new Promise<'late'>(resolve => setTimeout(resolve, 10_000, 'late'))])
    expect(code, autoscaler.stderr()).toBe(0)

    expect(Math.max(...docs.map(d => d.decisions[0]!.to))).toBe(2)
    expect(Math.max(...world.api.state.app(APP).formation.map(p => p.quantity))).toBeLessThanOrEqual(2)
    // One compact JSON document per step and nothing else on stdout.
    expect(autoscaler.lines.length).toBe(docs.length)
    for (const line of autoscaler.lines) expect(Object.keys(JSON.parse(line) as object)).toEqual(['app', 'at', 'applied', 'decisions'])
    // Every change in one PATCH, and only when the count changed.
    const patches = world.api.mutations().filter(r => r.method === 'PATCH')
    expect(patches.length).toBe(docs.filter(d => d.decisions[0]!.from !== d.decisions[0]!.to).length)
    // The servers never saw more connections than their limits, and no dyno was refused one.
    const peak = sampler.peak()
    expect(peak.postgres).toBeLessThanOrEqual(17)
    expect(peak.redis).toBeLessThanOrEqual(18)
    expect(dynos.formation.output().filter(l => LIMIT_ERROR.test(l))).toEqual([])
  }, 300_000)
})
