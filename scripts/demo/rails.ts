// The Rails story: examples/rails-sidekiq (Rails 6.1, Puma, Sidekiq from Debian's packages) copied to a
// scratch dir and bundled offline, with the guide's settings (Puma 2 × 5, Sidekiq concurrency 20 over an
// ActiveRecord pool of 16); those settings under a burst of slow jobs and a short load; tsq:setup --local
// --force on the copy; the copy with what setup wrote under the same short load.
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseDotenv} from '../../src/core/model/procfile.js'
import {Formation} from '../lib/formation.js'
import {type LoadOptions, driveLoad} from '../lib/load.js'
import {copyBundled, migrateRails, railsJobStats, readProcfile, secretKeyBase} from '../lib/rails-app.js'
import {ConnectionSampler} from '../lib/sampler.js'
import {startServers} from '../lib/servers.js'
import {type DemoContext, ROOT, type Scope, StoryError, countErrors, describeServers, doctorJson, dynoTypes, failingChecks, flushRedis,
  printAttribution, printErrors, printPredictedVsMeasured, tsq, untilAborted, waitUntil, webPort} from './story.js'
import {command, detail, printDoctor, printSetup, say, stageHeader, title, verdict} from './ui.js'

const EXAMPLE_DIR = join(ROOT, 'examples/rails-sidekiq')
export const RUBY_PACKAGES = 'ruby ruby-rails puma ruby-sidekiq ruby-pg ruby-redis'
export const RUBY_INSTALL = `apt-get install -y --no-install-recommends ${RUBY_PACKAGES}`
/** 80 requests, 8 at a time: 20 POST /jobs of 10 jobs (200 jobs of 20 ms), the rest reads. */
const LOAD: Omit<LoadOptions, 'ports' | 'prefix'> = {requests: 80, concurrency: 8, postEvery: 4, jobsPerPost: 10, jobMs: 20, deadlineMs: 60_000}
const JOBS = (LOAD.requests / LOAD.postEvery) * LOAD.jobsPerPost
/** Jobs that keep their database connection longer than ActiveRecord's 5 s checkout timeout. */
const SLOW = {count: 20, ms: 7000}
const PUMA_BOOTED = /Worker \d+ \(PID: \d+\) booted/
const SIDEKIQ_STARTED = /Starting processing|Booted Rails/
const TSQ_WEB_FORKED = /tsq web\.1\[\d+\] forked type=web/
const TSQ_WORKER_READY = /tsq worker\.1\[\d+\] ready type=worker/
const TIMEOUT_ERROR = /ActiveRecord::ConnectionTimeoutError/

/** Why the Rails story cannot run here, or null when ruby and bundle are on PATH. */
export function missingRuby(): string | null {
  for (const program of ['ruby', 'bundle']) {
    try {
      execFileSync(program, ['--version'], {stdio: 'ignore'})
    } catch {
      return `${program} is not installed`
    }
  }
  return null
}

/** Plays the story; what it starts is deferred to `scope`, which the caller closes. Returns what did not hold, or null when Ruby's gems are missing. */
export async function railsStory(ctx: DemoContext, scope: Scope): Promise<string[] | null> {
  const failures: string[] = []
  title('Rails: examples/rails-sidekiq (Puma + Sidekiq), web=1 dyno × 2 Puma processes and worker=1')
  const dir = join(ctx.tempRoot, 'rails-sidekiq')
  const starting = startServers({maxclients: 20, maxConnections: 20}).then(servers => {
    scope.defer(`Postgres on 127.0.0.1:${servers.postgres.port} and Redis on 127.0.0.1:${servers.redis.port}`, () => servers.stop())
    return servers
  })
  try {
    await copyBundled(EXAMPLE_DIR, dir, ctx.signal)
  } catch (error) {
    await starting.catch(() => {})
    if (ctx.signal.aborted) throw error
    const reason = String(error instanceof Error ? error.message : error).split('\n').filter(Boolean).slice(0, 3).join(' / ')
    say(`   skipped: \`bundle install --local\` cannot resolve the example's gems from the installed ones (${reason})`)
    say(`   to play it: ${RUBY_INSTALL}`)
    return null
  }
  const servers = await starting
  detail(describeServers(servers))
  // The guide's pool of 16 for the worker only (database.yml's pool is RAILS_MAX_THREADS), as the guide sizes it.
  const procfile = readFileSync(join(dir, 'Procfile'), 'utf8').replace(/^worker: /m, 'worker: RAILS_MAX_THREADS=16 ')
  writeFileSync(join(dir, 'Procfile'), procfile)
  writeFileSync(join(dir, '.env'), [`DATABASE_URL=${servers.databaseUrl}`, `REDIS_URL=${servers.redisUrl}`, 'RAILS_ENV=production',
    `SECRET_KEY_BASE=${secretKeyBase()}`, 'RAILS_LOG_LEVEL=info', '# The guide\'s settings: 2 Puma processes × 5 threads per web dyno',
    'WEB_CONCURRENCY=2', 'RAILS_MAX_THREADS=5', ''].join('\n'))
  const dotenv = (): Record<string, string> => ({...parseDotenv(readFileSync(join(dir, '.env'), 'utf8')), LANG: 'C.UTF-8'})
  detail(`a scratch copy of the example, bundled offline: ${dir}`)

  stageHeader(1, 'The guide\'s settings: tsq:doctor --local')
  detail('Procfile: worker: RAILS_MAX_THREADS=16 bundle exec sidekiq … (pool 16); config/sidekiq.yml: :concurrency: 20; .env: WEB_CONCURRENCY=2 RAILS_MAX_THREADS=5')
  command(['tsq:doctor', '--local', '--dir', dir])
  // The release phase (db:migrate) meanwhile: it takes a few seconds.
  const [before] = await Promise.all([doctorJson(['--local', '--dir', dir], ctx.signal), migrateRails(dir, dotenv(), ctx.signal)])
  printDoctor(before.code, before.report)
  const predicted = failingChecks(before.report)
  verdict(failures, before.code === 1 && predicted.includes('postgres.pool'),
    'tsq:doctor fails: more Sidekiq threads than pool, more connections than either server allows',
    `stage 1: tsq:doctor --local was expected to fail postgres.pool; it exited ${before.code} failing ${predicted.join(', ') || 'nothing'}`)

  stageHeader(2, 'What that costs: Puma and Sidekiq with those settings under load')
  detail(`${SLOW.count} jobs that hold their connection ${SLOW.ms / 1000} s (ActiveRecord waits 5 s for one), then ${LOAD.requests} HTTP requests ` +
    `(${LOAD.requests / LOAD.postEvery} POST /jobs: ${JOBS} jobs of ${LOAD.jobMs} ms) while the worker runs`)
  ctx.signal.throwIfAborted()
  const guide = new Formation({procfile: dynoTypes(readProcfile(dir)), cwd: dir, env: dotenv()})
  scope.defer('the guide\'s formation', () => guide.stopAll(3000), false)
  await guide.scale('web', 1)
  await booted(ctx, guide, 'web.1', PUMA_BOOTED, 2)
  const sampler = await new ConnectionSampler(servers.admin, servers.redisUrl).start()
  scope.defer('the connection sampler', () => sampler.stop(), false)
  const burst = await post(webPort(guide), `/jobs?count=${SLOW.count}&ms=${SLOW.ms}&id=slow`)
  if (burst !== 202) throw new StoryError(`stage 2: POST /jobs answered ${burst}:\n${guide.output().slice(-10).join('\n')}`)
  await guide.scale('worker', 1)
  await booted(ctx, guide, 'worker.1', SIDEKIQ_STARTED, 1)
  const load = await driveLoad({...LOAD, ports: () => [webPort(guide)], prefix: 'before'})
  // The slow jobs' threads beyond the pool give up after 5 s.
  await waitUntil('ActiveRecord::ConnectionTimeoutError in the worker\'s log', async () =>
    (guide.output().some(l => TIMEOUT_ERROR.test(l)) ? true : undefined), 30_000, ctx.signal).catch(error => {
    if (ctx.signal.aborted) throw error
  })
  await guide.stopAll(3000)
  await sampler.stop()
  const done = await railsJobStats(servers.admin, 'before')
  detail(`${load.ok} of ${LOAD.requests} requests answered${load.failures.length ? `, ${load.failures.length} failed (${[...new Set(load.failures.map(f => (f.status === 0 ? 'network error' : `HTTP ${f.status}`)))].join(', ')})` : ''}; ` +
    `${load.accepted.length} of ${JOBS} short jobs accepted, ${done.finished} finished`)
  detail(`peak connections: Postgres ${sampler.peak().postgres} (the app's role may hold 17), Redis ${sampler.peak().redis} of 20`)
  const costs = countErrors(guide.output())
  printErrors(costs)
  verdict(failures, costs.total > 0, 'the connection errors tsq:doctor predicted happen',
    'stage 2: the guide\'s settings ran without a connection error in the logs')
  await flushRedis(servers.redisUrl)

  stageHeader(3, 'tsq:setup --local --force: what it changes')
  const setupArgs = ['tsq:setup', '--local', '--dir', dir, '--force']
  command(setupArgs)
  const setup = await tsq(setupArgs, ctx.signal)
  printSetup(setup.stdout)
  verdict(failures, setup.code === 0, 'tsq:setup applied its changes', `stage 3: tsq:setup --local exited ${setup.code}: ${setup.stderr.trim()}`)

  stageHeader(4, 'After: what setup wrote, the same short load')
  command(['tsq:doctor', '--local', '--dir', dir])
  // The app boots meanwhile (the doctor's verdict does not depend on it).
  ctx.signal.throwIfAborted()
  const tsqRun = new Formation({procfile: dynoTypes(readProcfile(dir)), cwd: dir, env: dotenv()})
  scope.defer(`examples/rails-sidekiq with tsq's files (in ${dir})`, () => tsqRun.stopAll(10_000))
  const [after] = await Promise.all([doctorJson(['--local', '--dir', dir], ctx.signal), (async () => {
    await Promise.all([tsqRun.scale('web', 1), tsqRun.scale('worker', 1)])
    await Promise.all([booted(ctx, tsqRun, 'web.1', TSQ_WEB_FORKED, Number(dotenv().WEB_CONCURRENCY ?? 2)),
      booted(ctx, tsqRun, 'worker.1', TSQ_WORKER_READY, 1)])
  })()])
  printDoctor(after.code, after.report)
  verdict(failures, after.code === 0, 'tsq:doctor passes', `stage 4: tsq:doctor --local still fails: ${failingChecks(after.report).join(', ')}`)
  detail(`the app with what setup wrote: web.1 (Puma) and worker.1 (Sidekiq) from ${dir}; the same ${LOAD.requests} requests`)
  const sampled = await new ConnectionSampler(servers.admin, servers.redisUrl).start()
  scope.defer('the connection sampler', () => sampled.stop(), false)
  const load2 = await driveLoad({...LOAD, ports: () => [webPort(tsqRun)], prefix: 'after'})
  const jobs = await untilAborted(ctx.signal, waitUntil('every job finished', async () => {
    const stats = await railsJobStats(servers.admin, 'after')
    return stats.finished >= load2.accepted.length ? stats : undefined
  }, 60_000, ctx.signal).catch(async error => {
    if (ctx.signal.aborted) throw error
    return railsJobStats(servers.admin, 'after')
  }))
  detail(`${load2.ok} of ${LOAD.requests} requests answered${load2.failures.length ? `, ${load2.failures.length} failed` : ''}; ` +
    `${load2.accepted.length} jobs accepted, ${jobs.finished} finished, ${jobs.attempts} runs, ${jobs.notOnce} not completed exactly once`)
  const errors = countErrors(tsqRun.output())
  printErrors(errors)
  verdict(failures, errors.total === 0 && load2.failures.length === 0, 'no connection error, every request answered',
    `stage 4: ${errors.total} connection errors and ${load2.failures.length} failed requests with tsq's settings`)
  verdict(failures, load2.accepted.length === JOBS && jobs.rows === JOBS && jobs.finished === JOBS && jobs.attempts === JOBS && jobs.notOnce === 0,
    `every job done once (${JOBS} of ${JOBS})`, `stage 4: jobs ${JSON.stringify(jobs)} of ${load2.accepted.length} accepted, ${JOBS} sent`)

  const reading = await sampled.read()
  await sampled.stop()
  await servers.admin.end().catch(() => {})
  say()
  detail('every connection by process and purpose, from the names config/initializers/tsq.rb gives them:')
  const {unnamed} = printAttribution(reading)
  const live = await doctorJson(['--local', '--dir', dir], ctx.signal)
  for (const id of ['postgres.live', 'redis.live']) detail(`tsq:doctor --local (--live) ${id}: ${live.report.checks.find(c => c.id === id)?.message ?? 'not reported'}`)
  const unattributed = live.report.resources.reduce((n, r) => n + (r.live?.unattributed ?? 0), 0)
  verdict(failures, unnamed === 0 && unattributed === 0, 'every connection is attributed to its process and purpose',
    `stage 4: ${unnamed + unattributed} connections carry no tsq name`)
  say()
  const peaks = printPredictedVsMeasured(after.report, sampled)
  verdict(failures, peaks.every(p => p.measured <= p.predicted), 'the measured peaks are within the prediction',
    `stage 4: measured above predicted: ${peaks.filter(p => p.measured > p.predicted).map(p => `${p.server} ${p.measured} > ${p.predicted}`).join(', ')}`)
  scope.defer(`Rails web.1 answers on http://127.0.0.1:${webPort(tsqRun)}/ (GET / totals the jobs)`, () => {})
  return failures
}

async function booted(ctx: DemoContext, formation: Formation, dyno: string, pattern: RegExp, count: number): Promise<void> {
  await untilAborted(ctx.signal, formation.waitFor(dyno, pattern, count, 90_000)).catch(error => {
    throw ctx.signal.aborted ? error : new StoryError(`${dyno} did not start: ${String(error)}`)
  })
}

async function post(port: number, path: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {method: 'POST', signal: AbortSignal.timeout(30_000)})
  await res.text()
  return res.status
}
