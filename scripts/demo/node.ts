// The Node story: examples/web-worker (heroku-tsq/runtime, BullMQ) copied to a scratch dir, judged with the
// guide's settings (pools and concurrency as a hand-wired app has them), those settings run by the same app
// wired by hand (test/fixtures/naive-app: same endpoints, jobs and table) under a short load, tsq:setup
// --local on the copy, and the copy run on the runtime under the same load.
import {cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseDotenv} from '../../src/core/model/procfile.js'
import {Formation} from '../lib/formation.js'
import {type LoadOptions, type LoadReport, driveLoad} from '../lib/load.js'
import {readProcfile} from '../lib/rails-app.js'
import {batchStats, migrate, waitFinished} from '../lib/results.js'
import {ConnectionSampler} from '../lib/sampler.js'
import {type Servers, startServers} from '../lib/servers.js'
import {type DemoContext, ROOT, type Scope, StoryError, countErrors, describeServers, doctorJson, dynoTypes, failingChecks, flushRedis,
  printAttribution, printErrors, printPredictedVsMeasured, tsq, untilAborted, webPort} from './story.js'
import {command, detail, printDoctor, printSetup, say, stageHeader, title, verdict} from './ui.js'

const EXAMPLE_DIR = join(ROOT, 'examples/web-worker')
const NAIVE_DIR = join(ROOT, 'test/fixtures/naive-app')
const FORMATION = 'web=1,worker=1'
/** 240 requests, 32 at a time: 60 POST /jobs of 10 jobs (600 jobs of 20 ms) and 180 reads from Postgres. */
const LOAD: Omit<LoadOptions, 'ports' | 'prefix'> = {requests: 240, concurrency: 32, postEvery: 4, jobsPerPost: 10, jobMs: 20, deadlineMs: 60_000}
const JOBS = (LOAD.requests / LOAD.postEvery) * LOAD.jobsPerPost
/** The runtime's line once a process holds its connections: `ready role=web redis=1/1 db=2/2` (held/predicted). */
const TSQ_READY = / ready role=\w+ redis=\d+\/\d+ db=\d+\/\d+/
/** The hand-wired app's line once a process listens or works (it opens connections lazily). */
const NAIVE_READY = /\] (listening|working on)/

const GUIDE_SETTINGS = `# The guide's settings, as a hand-wired app has them (test/fixtures/naive-app): 2 web processes per dyno,
# one worker process, pg's default pool of 10 connections in every process, 5 jobs at a time per worker.
WEB_CONCURRENCY=2
TSQ_WORKER_PROCESSES=1
TSQ_DB_POOL=10
TSQ_CONCURRENCY=5
`

/** Plays the story; what it starts is deferred to `scope`, which the caller closes. Returns what did not hold. */
export async function nodeStory(ctx: DemoContext, scope: Scope): Promise<string[]> {
  const failures: string[] = []
  title('Node: examples/web-worker (BullMQ), web=1 dyno × 2 processes and worker=1')
  const servers = await startServers({maxclients: 20, maxConnections: 20})
  scope.defer(`Postgres on 127.0.0.1:${servers.postgres.port} and Redis on 127.0.0.1:${servers.redis.port}`, () => servers.stop())
  detail(describeServers(servers))
  const dir = join(ctx.tempRoot, 'web-worker')
  cpSync(EXAMPLE_DIR, dir, {recursive: true})
  // The example imports heroku-tsq/runtime; from the copy, that is this checkout.
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(ROOT, join(dir, 'node_modules/heroku-tsq'), 'dir')
  const urls = `REDIS_URL=${servers.redisUrl}\nDATABASE_URL=${servers.databaseUrl}\nTSQ_QUEUES=default\n`
  writeFileSync(join(dir, '.env'), urls + GUIDE_SETTINGS)
  const dotenv = () => parseDotenv(readFileSync(join(dir, '.env'), 'utf8'))
  detail(`a scratch copy of the example: ${dir} (Procfile, .env with the servers' URLs)`)
  await migrate(dir, dotenv(), ctx.signal)

  stageHeader(1, 'The guide\'s settings: tsq:doctor --local')
  detail(GUIDE_SETTINGS.trim().split('\n').filter(l => !l.startsWith('#')).join(' '))
  command(['tsq:doctor', '--local', '--dir', dir, '--formation', FORMATION])
  const before = await doctorJson(['--local', '--dir', dir, '--formation', FORMATION], ctx.signal)
  printDoctor(before.code, before.report)
  verdict(failures, before.code === 1 && failingChecks(before.report).includes('postgres.connections'),
    'tsq:doctor fails: the pools do not fit Postgres', `stage 1: tsq:doctor --local was expected to fail postgres.connections; it exited ${before.code} failing ${failingChecks(before.report).join(', ') || 'nothing'}`)

  stageHeader(2, 'What that costs: the hand-wired app with those settings under a short load')
  detail(`test/fixtures/naive-app (the same app wired by hand: new pg.Pool() per process, BullMQ defaults), ${FORMATION}`)
  detail(`load: ${LOAD.requests} HTTP requests, ${LOAD.concurrency} at a time: ${LOAD.requests / LOAD.postEvery} POST /jobs (${JOBS} jobs) and reads from Postgres`)
  const naiveFormation = await boot(ctx, scope, {procfile: {web: 'node app.js', worker: 'node app.js'}, cwd: NAIVE_DIR, env: dotenv(),
    ready: NAIVE_READY, name: 'the hand-wired app', listed: false})
  let naive = await load(ctx, scope, naiveFormation, servers, 'before', 5000)
  // A short load does not reach the limit every time on a slow or busy machine: a second and a third wave, no more.
  for (let wave = 2; wave <= 3 && countErrors(naive.formation.output()).total === 0; wave++) {
    await naive.sampler.stop()
    naive = await load(ctx, scope, naiveFormation, servers, `before-w${wave}`, 5000)
  }
  // The guide's app stops before tsq's starts: each alone against the limits.
  await naive.formation.stopAll(5000)
  await naive.sampler.stop()
  printLoad(naive.load, naive.jobs)
  detail(`peak connections: Postgres ${naive.sampler.peak().postgres} (the app's role may hold 17), Redis ${naive.sampler.peak().redis} of 20`)
  const costs = countErrors(naive.formation.output())
  printErrors(costs)
  verdict(failures, costs.total > 0, 'the connection errors tsq:doctor predicted happen',
    'stage 2: the guide\'s settings ran without a connection error in the logs; the load did not reach the limit')
  await flushRedis(servers.redisUrl)

  stageHeader(3, 'tsq:setup --local: what it changes')
  const setupArgs = ['tsq:setup', '--local', '--dir', dir, '--force', '--formation', FORMATION]
  command(setupArgs)
  const setup = await tsq(setupArgs, ctx.signal)
  printSetup(setup.stdout)
  verdict(failures, setup.code === 0, 'tsq:setup applied its changes', `stage 3: tsq:setup --local exited ${setup.code}: ${setup.stderr.trim()}`)

  stageHeader(4, 'After: the same app on heroku-tsq/runtime with what setup wrote, the same load')
  command(['tsq:doctor', '--local', '--dir', dir, '--formation', FORMATION])
  // The app boots meanwhile (the doctor's verdict does not depend on it).
  const [after, formation] = await Promise.all([doctorJson(['--local', '--dir', dir, '--formation', FORMATION], ctx.signal),
    boot(ctx, scope, {procfile: dynoTypes(readProcfile(dir)), cwd: dir, env: dotenv(), ready: TSQ_READY,
      name: `examples/web-worker on heroku-tsq/runtime (in ${dir})`, listed: true})])
  printDoctor(after.code, after.report)
  verdict(failures, after.code === 0, 'tsq:doctor passes', `stage 4: tsq:doctor --local still fails: ${failingChecks(after.report).join(', ')}`)
  detail(`the app: ${dir} (its Procfile and .env), on heroku-tsq/runtime; the same load`)
  const tsqRun = await load(ctx, scope, formation, servers, 'after', 60_000)
  printLoad(tsqRun.load, tsqRun.jobs)
  const errors = countErrors(tsqRun.formation.output())
  printErrors(errors)
  verdict(failures, errors.total === 0 && tsqRun.load.failures.length === 0, 'no connection error, every request answered',
    `stage 4: ${errors.total} connection errors and ${tsqRun.load.failures.length} failed requests with tsq's settings`)
  const once = tsqRun.jobs.rows === JOBS && tsqRun.jobs.finished === JOBS && tsqRun.jobs.retried === 0 && tsqRun.jobs.completedTwice === 0
  verdict(failures, once && tsqRun.load.accepted.length === JOBS, `every job done once (${JOBS} of ${JOBS})`,
    `stage 4: jobs ${JSON.stringify(tsqRun.jobs)} of ${tsqRun.load.accepted.length} accepted, ${JOBS} sent`)

  // Who holds what, while the app runs: the demo's own counting connections closed first, so every
  // connection the doctor sees is the app's.
  const reading = await tsqRun.sampler.read()
  await tsqRun.sampler.stop()
  await servers.admin.end().catch(() => {})
  say()
  detail('every connection by process and purpose, from the names heroku-tsq/runtime gives them:')
  const {unnamed} = printAttribution(reading)
  const live = await doctorJson(['--local', '--dir', dir, '--formation', FORMATION], ctx.signal)
  for (const id of ['postgres.live', 'redis.live']) detail(`tsq:doctor --local (--live) ${id}: ${live.report.checks.find(c => c.id === id)?.message ?? 'not reported'}`)
  const unattributed = live.report.resources.reduce((n, r) => n + (r.live?.unattributed ?? 0), 0)
  verdict(failures, unnamed === 0 && unattributed === 0, 'every connection is attributed to its process and purpose',
    `stage 4: ${unnamed + unattributed} connections carry no tsq name`)
  say()
  const peaks = printPredictedVsMeasured(after.report, tsqRun.sampler)
  verdict(failures, peaks.every(p => p.measured <= p.predicted), 'the measured peaks are within the prediction',
    `stage 4: measured above predicted: ${peaks.filter(p => p.measured > p.predicted).map(p => `${p.server} ${p.measured} > ${p.predicted}`).join(', ')}`)
  scope.defer(`Node web.1 answers on http://127.0.0.1:${webPort(tsqRun.formation)}/results`, () => {})
  return failures
}

interface Run {
  formation: Formation
  sampler: ConnectionSampler
  load: LoadReport
  jobs: Awaited<ReturnType<typeof batchStats>>
}

/** Starts web.1 and worker.1 and waits until every process is up. */
async function boot(ctx: DemoContext, scope: Scope, o: {procfile: Record<string, string>, cwd: string, env: Record<string, string>,
  ready: RegExp, name: string, listed: boolean}): Promise<Formation> {
  ctx.signal.throwIfAborted()
  const formation = new Formation({procfile: o.procfile, cwd: o.cwd, env: o.env})
  scope.defer(o.name, () => formation.stopAll(10_000), o.listed)
  await Promise.all([formation.scale('web', 1), formation.scale('worker', 1)])
  const web = Number(o.env.WEB_CONCURRENCY ?? 1)
  await untilAborted(ctx.signal, Promise.all([formation.waitFor('web.1', o.ready, web, 60_000), formation.waitFor('worker.1', o.ready, 1, 60_000)]))
    .catch(error => {
      throw ctx.signal.aborted ? error : new StoryError(`${o.name} did not start: ${String(error)}`)
    })
  return formation
}

/** Drives LOAD on the formation's web dyno while counting connections; waits up to `settleMs` for its jobs. */
async function load(ctx: DemoContext, scope: Scope, formation: Formation, servers: Servers, prefix: string, settleMs: number): Promise<Run> {
  const sampler = await new ConnectionSampler(servers.admin, servers.redisUrl).start()
  scope.defer('the connection sampler', () => sampler.stop(), false)
  const report = await driveLoad({...LOAD, ports: () => [webPort(formation)], prefix})
  ctx.signal.throwIfAborted()
  await untilAborted(ctx.signal, waitFinished(servers.admin, report.accepted, settleMs))
  return {formation, sampler, load: report, jobs: await batchStats(servers.admin, prefix)}
}

function printLoad(load: LoadReport, jobs: {rows: number, finished: number, retried: number, completedTwice: number}): void {
  const failed = load.failures.length
  detail(`${load.ok} of ${LOAD.requests} requests answered${failed ? `, ${failed} failed (${[...new Set(load.failures.map(f => f.status))].map(s => (s === 0 ? 'network error' : `HTTP ${s}`)).join(', ')})` : ''}; ` +
    `${load.accepted.length} jobs accepted, ${jobs.finished} finished, ${jobs.retried} retried, ${jobs.completedTwice} completed twice`)
}
