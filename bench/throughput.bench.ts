// Throughput and latency of the example app with tsq's settings against the same app wired with the
// libraries' defaults (test/fixtures/naive-app), in one run, alternating: on servers with high limits
// (where the defaults do not fail), and at Heroku's smallest limits (20/20), where only one should finish
// without errors.
import {EXAMPLE_DIR, NAIVE_DIR, type AppDir, makeAppDir, runCli} from '../test/e2e/proof/lib/app-dir.js'
import {NAIVE_READY, TSQ_READY} from '../test/e2e/proof/lib/boot.js'
import type {LoadOptions} from '../test/e2e/proof/lib/load.js'
import {migrate} from '../test/e2e/proof/lib/results.js'
import {type Servers, startServers} from '../test/e2e/proof/lib/servers.js'
import {type RunMetrics, measure} from './lib/measure.js'
import {type Row, median, progress, round, writeResult} from './lib/report.js'

// 3,000 requests, 32 at a time: 750 POSTs of 10 jobs (7,500 jobs of 5 ms) and 2,250 reads from Postgres.
const LOAD: Omit<LoadOptions, 'ports' | 'prefix'> = {requests: 3000, concurrency: 32, postEvery: 4, jobsPerPost: 10, jobMs: 5, deadlineMs: 120_000}
const REPS = 3

const tsqVars = (s: Servers) => ({REDIS_URL: s.redisUrl, DATABASE_URL: s.databaseUrl, TSQ_QUEUES: 'default', WEB_CONCURRENCY: '2', TSQ_WORKER_PROCESSES: '1'})
const naiveVars = (s: Servers) => ({REDIS_URL: s.redisUrl, DATABASE_URL: s.databaseUrl, WEB_CONCURRENCY: '2', WORKER_CONCURRENCY: '5'})

async function setUp(app: AppDir): Promise<Record<string, string>> {
  const run = await runCli<{ok: boolean}>(['tsq:setup', '--local', '--dir', app.dir])
  if (!run.json.ok) throw new Error(`tsq:setup --local failed: ${run.stderr}`)
  return Object.fromEntries(Object.entries(app.env()).filter(([k]) => /^TSQ_\w+_(DB_POOL|CONCURRENCY)$/.test(k)))
}

const big = await startServers({maxclients: 10_000, maxConnections: 300})
const small = await startServers({maxclients: 20, maxConnections: 20})
const dirs: AppDir[] = []
const dir = (code: string, vars: Record<string, string>) => {
  const d = makeAppDir(code, vars)
  dirs.push(d)
  return d
}
try {
  await Promise.all([migrate(EXAMPLE_DIR, tsqVars(big)), migrate(EXAMPLE_DIR, tsqVars(small))])
  const tsqBig = dir(EXAMPLE_DIR, tsqVars(big))
  const chosenBig = await setUp(tsqBig)
  const tsqSmall = dir(EXAMPLE_DIR, tsqVars(small))
  const chosenSmall = await setUp(tsqSmall)
  const configs = {
    tsq: {app: tsqBig, code: EXAMPLE_DIR, ready: TSQ_READY},
    naive: {app: dir(NAIVE_DIR, naiveVars(big)), code: NAIVE_DIR, ready: NAIVE_READY},
    tsqSized20: {app: dir(EXAMPLE_DIR, {...tsqVars(big), ...chosenSmall}), code: EXAMPLE_DIR, ready: TSQ_READY},
  }
  const runs: Record<keyof typeof configs, RunMetrics[]> = {tsq: [], naive: [], tsqSized20: []}
  const order = Object.keys(configs) as Array<keyof typeof configs>
  // Not measured: the first runs pay for cold caches (module compilation, Postgres buffers).
  for (const name of ['tsq', 'naive'] as const) {
    const c = configs[name]
    await measure(big.admin, c.app, c.code, c.ready, `warmup-${name}`, {...LOAD, requests: 400})
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const name of [...order.slice(rep % order.length), ...order.slice(0, rep % order.length)]) {
      const c = configs[name]
      const m = await measure(big.admin, c.app, c.code, c.ready, `${name}-${rep}`, LOAD)
      progress(`high limits, ${name} #${rep + 1}: ${round(m.rps)} req/s, p99 ${m.p99} ms, ${round(m.jobsPerS)} jobs/s, ${m.errors} errors`)
      runs[name].push(m)
    }
  }
  const limited = {
    tsq: await measure(small.admin, tsqSmall, EXAMPLE_DIR, TSQ_READY, 'limited-tsq', LOAD),
    naive: await measure(small.admin, dir(NAIVE_DIR, naiveVars(small)), NAIVE_DIR, NAIVE_READY, 'limited-naive', LOAD),
  }
  progress(`20/20 limits: tsq ${limited.tsq.errors} errors, naive ${limited.naive.errors} errors`)

  const med = (name: keyof typeof configs, key: keyof RunMetrics) => round(median(runs[name].map(r => r[key])), 1)
  const pair = (metric: string, unit: string, key: keyof RunMetrics, tsq: keyof typeof configs): Row =>
    ({metric, unit, tsq: med(tsq, key), alternative: med('naive', key)})
  const done = (m: RunMetrics) => `${m.finished}/${m.accepted} jobs, ${m.errors} errors`
  writeResult({
    title: 'Example app with tsq settings vs the same app with pg/BullMQ defaults (2 web × 2 processes, 2 workers)',
    rows: [
      pair('high limits: HTTP throughput, tsq:setup\'s pools', 'req/s', 'rps', 'tsq'),
      pair('high limits: p99 latency, tsq:setup\'s pools', 'ms', 'p99', 'tsq'),
      pair('high limits: job throughput, tsq:setup\'s pools', 'jobs/s', 'jobsPerS', 'tsq'),
      pair('high limits: HTTP throughput, pools sized for 20/20', 'req/s', 'rps', 'tsqSized20'),
      pair('high limits: p99 latency, pools sized for 20/20', 'ms', 'p99', 'tsqSized20'),
      pair('high limits: job throughput, pools sized for 20/20', 'jobs/s', 'jobsPerS', 'tsqSized20'),
      {metric: '20/20 limits: errors (failed requests + refused/timeout lines)', tsq: limited.tsq.errors, alternative: limited.naive.errors, ratio: null},
      {metric: '20/20 limits: outcome', tsq: done(limited.tsq), alternative: done(limited.naive), ratio: null},
      {metric: '20/20 limits: HTTP throughput', unit: 'req/s', tsq: round(limited.tsq.rps), alternative: round(limited.naive.rps)},
    ],
    notes: [
      `medians of ${REPS} alternating runs after one warm-up run each; load: ${LOAD.requests} requests, ${LOAD.concurrency} concurrent, ${LOAD.requests / LOAD.postEvery * LOAD.jobsPerPost} jobs of ${LOAD.jobMs} ms`,
      `tsq:setup's choice at high limits: ${JSON.stringify(chosenBig)} (defaults: pool 5, concurrency 5); at 20/20: ${JSON.stringify(chosenSmall)}`,
      'alternative: pg Pool max 10 per process, one ioredis per BullMQ class, worker concurrency 5',
    ],
    meta: {runs, limited},
  })
} finally {
  for (const d of dirs) d.remove()
  await Promise.allSettled([big.stop(), small.stop()])
}
