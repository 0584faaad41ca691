// The Redis fix for Rails, proven on real Puma 5.6 and Sidekiq 6.4 (spec section 9): the example Rails app with
// the guide's settings (Puma 2 × 5 threads, Sidekiq concurrency 20) against a throwaway Redis at maxclients 20.
// `tsq:doctor --local` fails redis.connections and names the Sidekiq sizes that fit; applied exactly as it says
// them (the .env variables and the sidekiq.yml line), the doctor passes redis.connections, and the app under
// waves of requests and jobs holds at most the doctor's Redis demand (CLIENT LIST), with no Redis refusal.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Formation} from '../../helpers/formation.js'
import {type Servers, startServers} from '../proof/lib/servers.js'
import {type RailsApp, SECRET_KEY_BASE, prepareRailsApp, readDotenv, readProcfile, release, writeDotenv} from './lib/rails-app.js'
import {RailsSampler} from './lib/rails-sampler.js'
import {railsJobStats} from '../../../scripts/lib/rails-app.js'
import {TsqCli} from './lib/tsq-cli.js'
import {driveWaves} from './lib/waves.js'

const hasRuby = await import('node:child_process').then(cp => {
  try {
    cp.execFileSync('bundle', ['--version'], {stdio: 'ignore'})
    cp.execFileSync('ruby', ['-e', 'gem "rails", "~> 6.1"; gem "sidekiq"; gem "puma"; gem "pg"'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})

const FORMATION = 'web=1,worker=1'
const CONNECTION_ERROR = /max number of clients|too many clients|remaining connection slots|ActiveRecord::ConnectionTimeoutError/i

let servers: Servers
let cli: TsqCli
let app: RailsApp | undefined
let formation: Formation | undefined
let sampler: RailsSampler | undefined

beforeAll(async () => {
  ;[servers, cli] = await Promise.all([startServers({maxclients: 20, maxConnections: 20}), TsqCli.create()])
}, 120_000)

afterAll(async () => {
  await formation?.stopAll(5000).catch(() => {})
  await sampler?.stop().catch(() => {})
  await servers?.stop()
  cli?.cleanup()
  app?.remove()
}, 60_000)

/** Applies the doctor's fix as written: `set A=1 B=2 in .env` and `config/sidekiq.yml:N: \`LINE\``. */
function applyFix(target: RailsApp, fix: string): {vars: Record<string, string>, lines: string[]} {
  const vars = Object.fromEntries([...(/set ((?:[A-Z_][A-Z0-9_]*=\d+ ?)+) in \.env/.exec(fix)?.[1] ?? '').matchAll(/([A-Z_][A-Z0-9_]*)=(\d+)/g)].map(m => [m[1]!, m[2]!]))
  writeDotenv(target, {...readDotenv(target), ...vars})
  const lines: string[] = []
  for (const m of fix.matchAll(/(config\/sidekiq\.yml):(\d+): `([^`]+)`/g)) {
    const path = join(target.dir, m[1]!)
    const text = readFileSync(path, 'utf8').split('\n')
    text[Number(m[2]) - 1] = m[3]!
    writeFileSync(path, text.join('\n'))
    lines.push(`${m[1]}:${m[2]}: ${m[3]}`)
  }
  return {vars, lines}
}

describe.skipIf(!hasRuby)('Rails on Puma + Sidekiq 6.4 at Redis maxclients 20', () => {
  it('the guide\'s settings fail redis.connections; with the doctor\'s Sidekiq sizes applied it passes, and the peak CLIENT LIST under load stays within the doctor\'s demand with no Redis refusal', async () => {
    app = await prepareRailsApp('redis-fit')
    writeDotenv(app, {RAILS_ENV: 'production', SECRET_KEY_BASE, DATABASE_URL: servers.databaseUrl, REDIS_URL: servers.redisUrl,
      LANG: 'C.UTF-8', RAILS_LOG_LEVEL: 'info', WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5'})

    // web 2 × min(5 threads, client pool RAILS_MAX_THREADS 5) = 10 + worker 20 + 1 = 21 → 31 > 20 − reserve 2.
    const before = await cli.doctor(app.dir, FORMATION)
    const failing = before.report.checks.find(c => c.id === 'redis.connections')!
    expect(failing.status, failing.message).toBe('fail')
    expect(before.report.resources.find(r => r.kind === 'redis')).toMatchObject({demand: 31, limit: 20})
    // Cap 3: web 2 × 3 + worker (2 + 1) = 9 ≤ 10, half the limit.
    const applied = applyFix(app, failing.fix!)
    expect(applied).toEqual({vars: {RAILS_MAX_THREADS: '3'}, lines: ['config/sidekiq.yml:2: :concurrency: 2']})

    const after = await cli.doctor(app.dir, FORMATION)
    expect(after.report.checks.find(c => c.id === 'redis.connections')!.status).toBe('ok')
    const demand = after.report.resources.find(r => r.kind === 'redis')!.demand
    expect(demand).toBe(9)

    const env = readDotenv(app)
    await release(app, env)
    sampler = await new RailsSampler(servers.admin, servers.redisUrl).start()
    formation = new Formation({procfile: {web: readProcfile(app).web!, worker: readProcfile(app).worker!}, cwd: app.dir, env})
    const [web] = await formation.scale('web', 1)
    await formation.scale('worker', 1)
    await formation.waitFor('web.1', /Worker \d+ \(PID: \d+\) booted/, 2, 120_000)
    await formation.waitFor('worker.1', /Starting processing|Booted Rails/, 1, 120_000)
    // Three waves: requests on every web thread, job pushes from each, and jobs on each Sidekiq processor.
    const load = await driveWaves({port: web!.port!, requests: 12, holdMs: 300, jobs: [{count: 8, ms: 100}, {count: 30, ms: 5}],
      prefix: 'fit', minWaves: 3, maxWaves: 3, saturated: () => true})
    const deadline = Date.now() + 120_000
    while ((await railsJobStats(servers.admin, 'fit')).finished < load.accepted.length && Date.now() < deadline) await new Promise(r => setTimeout(r, 250))
    const stats = await railsJobStats(servers.admin, 'fit')
    await sampler.stop()

    console.log(`REDIS_FIT_MEASUREMENTS ${JSON.stringify({demand, peak: sampler.peaks.redis, jobs: stats, waves: load.waves})}`)
    expect(formation.output().filter(l => CONNECTION_ERROR.test(l))).toEqual([])
    expect(load.failures).toEqual([])
    expect(stats).toEqual({rows: load.accepted.length, finished: load.accepted.length, attempts: load.accepted.length, notOnce: 0})
    expect(sampler.peaks.redis.total).toBeGreaterThan(0)
    expect(sampler.peaks.redis.total).toBeLessThanOrEqual(demand)
  }, 360_000)
})
