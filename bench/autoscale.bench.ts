// tsq:autoscale under one load step, against what a user has without it (a fixed formation, worker=1) and
// against a latency-only autoscaler (Judoscale's and HireFire's rule, bounded only by --max), in one run,
// alternating: throwaway Redis and Postgres at Heroku's smallest limits (20/20), where only 2 worker dynos fit
// (pool 8: 2 × 8 = 16 of the 17 slots the app's role gets), the fake Platform API, and a dyno manager that
// starts and stops real worker processes when the formation is PATCHed (test/e2e/proof/lib/autoscale-harness.ts).
import {Redis} from 'ioredis'
import {Queue} from 'bullmq'
import {createQueueReader} from '../src/probe/queues/reader.js'
import {latencyOf} from '../src/core/model/queue-readings.js'
import {AUTOSCALE_APP, DynoManager, spawnAutoscaler, startAutoscaleWorld, wantedWorkers} from '../test/e2e/proof/lib/autoscale-harness.js'
import {TSQ_READY} from '../test/e2e/proof/lib/boot.js'
import {CONNECTION_ERROR, TABLE} from '../test/e2e/proof/lib/results.js'
import {ConnectionSampler} from '../test/e2e/proof/lib/sampler.js'
import {APP_ROLE, HARNESS_NAME} from '../test/e2e/proof/lib/servers.js'
import {LatencyOnlyScaler} from './lib/latency-only-scaler.js'
import {type Row, median, progress, round, writeResult} from './lib/report.js'

const CONFIG = {TSQ_QUEUES: 'default', TSQ_WORKER_CONCURRENCY: '8', TSQ_WORKER_DB_POOL: '8', TSQ_WORKER_PROCESSES: '1',
  EXAMPLE_JOB_MS: '200', TSQ_SHUTDOWN_TIMEOUT: '5000'}
const LIMITS = {maxclients: 20, maxConnections: 20}
const TARGET_S = 2
const INTERVAL_S = 2
const MAX = 5
const DOWN_AFTER_S = 4
// The load step: a burst of 240 jobs (a batch import, a cron fan-out), then 60 jobs a second for 10 s: 840 jobs
// of 200 ms. One worker takes 40 a second (8 at a time), two take 80.
const BURST = 240
const RATE = 60
const LOAD_S = 10
const JOBS = BURST + RATE * LOAD_S
/** Every variant is measured over the same window from the load's start; one worker has done all by ~21 s. */
const WINDOW_MS = 30_000
/** The second, reversed pass runs only while the whole bench stays near this. */
const BUDGET_MS = 230_000

type Variant = 'fixed' | 'tsq' | 'latencyOnly'
const LABEL: Record<Variant, string> = {fixed: 'fixed worker=1', tsq: 'tsq:autoscale', latencyOnly: 'latency-only autoscaler'}

interface RunMetrics {
  /** s from the load's start until queue latency went under the target and stayed there (to the window's end); null: never. */
  toTargetS: number | null
  peakLatencyS: number
  /** s from the load's start until the last job finished (Postgres clock). */
  allDoneS: number | null
  dynoMinutes: number
  peakWanted: number
  peakAlive: number
  /** Most worker dynos the formation asked for × the worker's Postgres pool (TSQ_WORKER_DB_POOL). */
  postgresNeeded: number
  peakPostgres: number
  peakRedis: number
  connectionErrors: number
  crashes: number
  failed: number
  unfinished: number
  /** failed + unfinished. */
  lost: number
  patches: number
}

const world = await startAutoscaleWorld({token: 'autoscale-bench-token', config: CONFIG, limits: LIMITS})
const admin = world.servers.admin
const producerConnection = new Redis(world.servers.redisUrl, {connectionName: HARNESS_NAME, maxRetriesPerRequest: null})
const producer = new Queue('default', {connection: producerConnection})
const probe = createQueueReader(world.servers.redisUrl, {connectionName: HARNESS_NAME})

/** Connections the app's (non-superuser) role can open: max_connections − superuser_reserved_connections − the harness's superuser ones. */
async function postgresLimit(): Promise<{max: number, reserved: number, harness: number, app: number}> {
  const {rows: [r]} = await admin.query<{max: number, reserved: number, harness: number}>(`SELECT current_setting('max_connections')::int AS max,
    current_setting('superuser_reserved_connections')::int AS reserved,
    (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename <> $1) AS harness`, [APP_ROLE])
  return {...r!, app: r!.max - r!.reserved - r!.harness}
}

const sleepUntil = (at: number) => new Promise(resolve => setTimeout(resolve, Math.max(0, at - Date.now())))

/** One run of `variant` from a fresh worker=1 formation; leaves nothing running and the queue and table empty. */
async function runOnce(variant: Variant, label: string): Promise<RunMetrics> {
  world.api.state.app(AUTOSCALE_APP).formation.find(p => p.type === 'worker')!.quantity = 1
  const dynos = new DynoManager(world)
  let stopScaler = async () => {}
  try {
    await dynos.formation.waitFor('worker.1', TSQ_READY, 1, 120_000)
    const firstRequest = world.api.requests.length
    if (variant === 'tsq') {
      const run = spawnAutoscaler(world, ['--interval', String(INTERVAL_S), '--target', String(TARGET_S),
        '--down-after', String(DOWN_AFTER_S), '--min', '1', '--max', String(MAX)])
      stopScaler = async () => {
        run.child.kill('SIGTERM')
        const code = await Promise.race([run.exited, sleepUntil(Date.now() + 15_000).then(() => 'late' as const)])
        if (code !== 0) progress(`tsq:autoscale exited ${code}: ${run.stderr().slice(-500)}`)
      }
      for (const deadline = Date.now() + 60_000; run.docs.length === 0;) {
        if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`tsq:autoscale took no step: ${run.stderr().slice(-500)}`)
        await sleepUntil(Date.now() + 100)
      }
    } else if (variant === 'latencyOnly') {
      const scaler = await new LatencyOnlyScaler(world, {intervalMs: INTERVAL_S * 1000, targetMs: TARGET_S * 1000, min: 1, max: MAX,
        downAfterMs: DOWN_AFTER_S * 1000}).start()
      stopScaler = () => scaler.stop()
    }
    const sampler = await new ConnectionSampler(admin, world.servers.redisUrl).start(200)
    const latencies: Array<{at: number, ms: number}> = []
    let sampling = true
    const latencyLoop = (async () => {
      while (sampling) {
        const [reading] = await probe.read([{type: 'worker', backend: 'bullmq', queues: ['default']}], Date.now())
        if (reading && reading.error === null) latencies.push({at: Date.now(), ms: latencyOf(reading.queues)})
        await sleepUntil(Date.now() + 250)
      }
    })()

    const {rows: [clock]} = await admin.query<{now: Date}>('SELECT clock_timestamp() AS now')
    const start = Date.now()
    await producer.addBulk(Array.from({length: BURST}, (_, i) => ({name: 'example', data: {n: i}})))
    for (let second = 1; second <= LOAD_S; second++) {
      await sleepUntil(start + second * 1000)
      await producer.addBulk(Array.from({length: RATE}, (_, i) => ({name: 'example', data: {n: BURST + (second - 1) * RATE + i}})))
    }
    await sleepUntil(start + WINDOW_MS)
    const end = Date.now()
    for (const deadline = end + 120_000; Date.now() < deadline;) {
      const counts = await producer.getJobCounts('completed', 'failed')
      if ((counts.completed ?? 0) + (counts.failed ?? 0) >= JOBS) break
      await sleepUntil(Date.now() + 250)
    }
    sampling = false
    await latencyLoop
    await stopScaler()
    stopScaler = async () => {}
    await sampler.stop()

    const inWindow = latencies.filter(l => l.at >= start && l.at <= end)
    const lastOver = inWindow.findLastIndex(l => l.ms >= TARGET_S * 1000)
    const toTargetS = lastOver === -1 ? 0 : lastOver === inWindow.length - 1 ? null : (inWindow[lastOver + 1]!.at - start) / 1000
    const counts = await producer.getJobCounts('completed', 'failed')
    const {rows: [done]} = await admin.query<{s: number | null}>(
      `SELECT extract(epoch FROM max(finished_at) - $1::timestamptz)::float AS s FROM ${TABLE}`, [clock!.now])
    const timeline = dynos.timeline.filter(t => t.at >= start && t.at <= end)
    const peak = sampler.peak()
    const peakWanted = Math.max(...timeline.map(t => t.wanted))
    const failed = counts.failed ?? 0
    const unfinished = JOBS - (counts.completed ?? 0) - failed
    const m: RunMetrics = {
      toTargetS, peakLatencyS: Math.max(0, ...inWindow.map(l => l.ms)) / 1000, allDoneS: done!.s,
      dynoMinutes: dynos.dynoSeconds(start, end) / 60,
      peakWanted, peakAlive: Math.max(...timeline.map(t => t.alive)), postgresNeeded: peakWanted * Number(CONFIG.TSQ_WORKER_DB_POOL),
      peakPostgres: peak.postgres, peakRedis: peak.redis,
      connectionErrors: dynos.formation.output().filter(l => CONNECTION_ERROR.test(l)).length,
      crashes: dynos.crashes.length, failed, unfinished, lost: failed + unfinished,
      patches: world.api.requests.slice(firstRequest).filter(r => r.method === 'PATCH').length,
    }
    progress(`${label}: latency under ${TARGET_S} s after ${m.toTargetS ?? 'never'} s (peak ${round(m.peakLatencyS)} s), ` +
      `${round(m.dynoMinutes, 2)} dyno-min, dynos ≤ ${m.peakWanted} asked / ${m.peakAlive} alive, Postgres ≤ ${m.peakPostgres}, ` +
      `Redis ≤ ${m.peakRedis}, ${m.connectionErrors} connection errors, ${m.crashes} crashes, ${m.failed} failed, ${m.unfinished} unfinished`)
    return m
  } finally {
    await stopScaler()
    await dynos.close(10_000)
    world.api.state.app(AUTOSCALE_APP).formation.find(p => p.type === 'worker')!.quantity = 1
    await producer.obliterate({force: true})
    await admin.query(`TRUNCATE ${TABLE}`)
  }
}

try {
  const pg = await postgresLimit()
  const pgLimit = `${pg.app} = max_connections ${pg.max} − ${pg.reserved} reserved − ${pg.harness} harness`
  const runs: Record<Variant, RunMetrics[]> = {fixed: [], tsq: [], latencyOnly: []}
  const pass: Variant[] = ['fixed', 'tsq', 'latencyOnly']
  const began = Date.now()
  for (const v of pass) runs[v].push(await runOnce(v, `${LABEL[v]} #1`))
  const onePass = Date.now() - began
  if (onePass * 2 <= BUDGET_MS) for (const v of [...pass].reverse()) runs[v].push(await runOnce(v, `${LABEL[v]} #2`))
  else progress(`one pass took ${Math.round(onePass / 1000)} s: no reversed pass within ${BUDGET_MS / 1000} s`)
  if (wantedWorkers(world.api) !== 1) throw new Error('the formation was not reset')

  const med = (v: Variant, key: keyof RunMetrics): number | null => {
    const values = runs[v].map(r => r[key])
    return values.some(x => x === null) ? null : round(median(values as number[]), 2)
  }
  const cell = (v: Variant, key: keyof RunMetrics, never = 'never'): number | string => med(v, key) ?? never
  const versus = (other: Variant): Row[] => {
    const prefix = `vs ${LABEL[other]}:`
    const row = (metric: string, unit: string, key: keyof RunMetrics): Row => ({metric: `${prefix} ${metric}`, unit, tsq: cell('tsq', key), alternative: cell(other, key)})
    return [
      row(`time until latency stays under the ${TARGET_S} s target`, 's', 'toTargetS'),
      row('peak latency', 's', 'peakLatencyS'),
      row(`all ${JOBS} jobs done after`, 's', 'allDoneS'),
      row(`worker dyno-minutes in the ${WINDOW_MS / 1000} s window`, 'dyno-min', 'dynoMinutes'),
      row('most worker dynos in the formation', '', 'peakWanted'),
      row(`Postgres connections that formation needs (× pool ${CONFIG.TSQ_WORKER_DB_POOL}; app can open ${pg.app})`, '', 'postgresNeeded'),
      row(`peak Postgres connections measured (app can open ${pgLimit})`, '', 'peakPostgres'),
      row(`peak Redis connections measured (maxclients ${LIMITS.maxclients}, 3 held by the harness)`, '', 'peakRedis'),
      row('refused-connection / pool-timeout log lines', '', 'connectionErrors'),
      row('dynos crashed', '', 'crashes'),
      row('jobs failed + unfinished', '', 'lost'),
      row('formation PATCHes', '', 'patches'),
    ]
  }
  const rows = [...versus('fixed'), ...versus('latencyOnly')]
  writeResult({
    title: `tsq:autoscale vs a fixed worker=1 and vs a latency-only autoscaler, one load step at 20/20 limits`,
    rows,
    notes: [
      `${runs.tsq.length === 1 ? 'one run each' : `medians of ${runs.tsq.length} runs each`}, alternating (fixed, tsq, latency-only${runs.tsq.length > 1 ? ', then reversed' : ''}); ` +
        `load: ${BURST} jobs at once, then ${RATE}/s for ${LOAD_S} s (${JOBS} jobs of ${CONFIG.EXAMPLE_JOB_MS} ms; one worker takes 40/s)`,
      `both autoscalers: --interval ${INTERVAL_S} --target ${TARGET_S} --down-after ${DOWN_AFTER_S} --min 1 --max ${MAX}; ` +
        `latency-only: ceil(current × latency / target), bounded by --max only`,
      `worker: concurrency ${CONFIG.TSQ_WORKER_CONCURRENCY}, Postgres pool ${CONFIG.TSQ_WORKER_DB_POOL} (config vars); a crashed dyno is restarted once, as Heroku restarts at once before its cool-off`,
    ],
    meta: {runs},
  })
} finally {
  await producer.close()
  producerConnection.disconnect()
  await probe.close()
  await world.close()
}
