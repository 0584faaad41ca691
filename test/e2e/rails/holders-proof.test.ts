// The proof of spec §14 for Action Cable's Redis adapter and the Redis cache store, on Debian's Rails 6.1: the
// example app with both (test/e2e/rails/lib/holders-app.ts) runs as web=1 (2 Puma workers × 3 threads) and
// worker=1 (Sidekiq at concurrency 5) under load — WebSocket clients subscribed, broadcasts from Sidekiq jobs and
// from the web, cache reads from every thread — and the peak Redis connections of each holder in each process,
// read from CLIENT LIST, equal what tsq:doctor predicts from the same files and config vars, never more.
import {readFileSync} from 'node:fs'
import {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {readCheckout} from '../../../src/cli/checkout.js'
import type {FormationEntry} from '../../../src/core/model/app-state.js'
import {planProcesses} from '../../../src/core/budget/budget.js'
import {parseClientList} from '../../../src/probe/parse.js'
import {Formation} from '../../helpers/formation.js'
import {HARNESS_NAME, type Servers, startServers} from '../proof/lib/servers.js'
import {addCableAndCache} from './lib/holders-app.js'
import {type TextSocket, connectWebSocket} from './lib/ws-client.js'
import {type RailsApp, SECRET_KEY_BASE, prepareRailsApp, readProcfile, release} from './lib/rails-app.js'

const hasRuby = await import('node:child_process').then(cp => {
  try {
    cp.execFileSync('ruby', ['-e', 'gem "rails", "~> 6.1"; gem "actioncable", "~> 6.1"; gem "sidekiq"; gem "puma"; gem "pg"'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})

let servers: Servers
let app: RailsApp | undefined
let formation: Formation | undefined

beforeAll(async () => {
  servers = await startServers({maxclients: 100, maxConnections: 40})
}, 120_000)

afterAll(async () => {
  await formation?.stopAll(5000).catch(() => {})
  await servers?.stop()
  app?.remove()
}, 60_000)

/** `web.1` of a process, from the DYNO its environment has (Action Cable names its connections by pid only). */
function dynoOf(pid: string): string {
  try {
    return /(?:^|\0)DYNO=([^\0]+)/.exec(readFileSync(`/proc/${pid}/environ`, 'latin1'))?.[1] ?? 'unknown'
  } catch {
    return 'gone'
  }
}

/** Peak Redis connections per process and holder, from CLIENT LIST every 50 ms. */
class HolderSampler {
  readonly peaks = new Map<string, number>()
  peakTotal = 0
  private timer: NodeJS.Timeout | undefined
  private readonly redis: Redis

  constructor(url: string) {
    this.redis = new Redis(url, {connectionName: HARNESS_NAME, maxRetriesPerRequest: 1})
  }

  start(): this {
    const tick = async () => {
      const clients = parseClientList(String(await this.redis.call('CLIENT', 'LIST')))
      const counts = new Map<string, number>()
      let total = 0
      for (const c of clients) {
        const name = c.name ?? ''
        if (name === HARNESS_NAME) continue
        total++
        const tsq = /^tsq:([\w.-]+):(\d+):([\w-]+)$/.exec(name)
        const cable = /^ActionCable-PID-(\d+)$/.exec(name)
        const key = tsq ? `${tsq[1]}:${tsq[2]} ${tsq[3]}` : cable ? `${dynoOf(cable[1]!)}:${cable[1]} action-cable` : `unnamed ${name}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
      for (const [k, n] of counts) this.peaks.set(k, Math.max(this.peaks.get(k) ?? 0, n))
      this.peakTotal = Math.max(this.peakTotal, total)
      this.timer = setTimeout(() => void tick(), 50)
    }
    void tick()
    return this
  }

  stop(): void {
    clearTimeout(this.timer)
    this.redis.disconnect()
  }

  /** Peak per holder for each process of a type: `{web.1:4242: {cache: 3, action-cable: 2}}`. */
  of(type: string): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {}
    for (const [k, n] of this.peaks) {
      const [proc, holder] = k.split(' ') as [string, string]
      if (!proc.startsWith(`${type}.`)) continue
      out[proc] = {...out[proc], [holder]: n}
    }
    return out
  }
}

/** A WebSocket client subscribed to LoadChannel (resolves on Action Cable's confirm_subscription). */
async function subscribe(port: number): Promise<TextSocket> {
  const ws = await connectWebSocket(`ws://127.0.0.1:${port}/cable`, {Origin: `http://127.0.0.1:${port}`})
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no confirm_subscription within 15 s')), 15_000)
    ws.onText(text => {
      if (text.includes('"welcome"')) ws.send(JSON.stringify({command: 'subscribe', identifier: JSON.stringify({channel: 'LoadChannel'})}))
      if (text.includes('confirm_subscription')) { clearTimeout(timer); resolve(ws) }
    })
  })
}

const step = (what: string) => process.stderr.write(`[holders-proof ${new Date().toISOString()}] ${what}\n`)

describe.skipIf(!hasRuby)('Action Cable (Redis adapter) and the Redis cache store on Rails 6.1, under load', () => {
  it('each process\'s peak Redis connections per holder equal the doctor\'s prediction', async () => {
    try {
      await proof()
    } catch (error) {
      process.stderr.write(`${formation?.output().slice(-60).join('\n') ?? ''}\n`)
      throw error
    }
  }, 240_000)
})

async function proof(): Promise<void> {
  {
    step('preparing the app')
    app = await prepareRailsApp('holders')
    await addCableAndCache(app)
    const procfile = readProcfile(app)
    step('bundled with actioncable')
    const settings = {WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '3', SIDEKIQ_CONCURRENCY: '5'}
    const env = {RAILS_ENV: 'production', SECRET_KEY_BASE, DATABASE_URL: servers.databaseUrl, REDIS_URL: servers.redisUrl, LANG: 'C.UTF-8', ...settings}
    await release(app, env, procfile.release)

    // What the doctor predicts from the same checkout, formation and config vars.
    const entries: FormationEntry[] = [
      {type: 'web', quantity: 1, size: 'standard-1x', command: procfile.web!},
      {type: 'worker', quantity: 1, size: 'standard-1x', command: procfile.worker!},
    ]
    const checkout = await readCheckout(app.dir, entries)
    const plan = planProcesses(env, entries, {checkout})
    const predicted = (type: string) => Object.fromEntries(plan.models.find(m => m.type === type)!.holders
      .filter(h => h.kind === 'redis' && (h.holder === 'action-cable' || h.holder === 'cache')).map(h => [h.holder, h.perProcess.value]))
    expect(predicted('web')).toEqual({'action-cable': 2, 'cache': 3})
    expect(predicted('worker')).toEqual({'action-cable': 1, 'cache': 5})

    const sampler = new HolderSampler(servers.redisUrl).start()
    formation = new Formation({procfile: {web: procfile.web!, worker: procfile.worker!}, cwd: app.dir, env})
    const [web] = await formation.scale('web', 1)
    await formation.scale('worker', 1)
    await formation.waitFor('web.1', /tsq web\.1\[\d+\] forked type=web/, 2, 60_000)
    await formation.waitFor('worker.1', /tsq worker\.1\[\d+\] ready type=worker/, 1, 60_000)
    const port = web!.port!
    step('dynos up')

    // Broadcasts from Sidekiq jobs that read the cache from all 5 processor threads at once (each read held 200 ms).
    const burst = await fetch(`http://127.0.0.1:${port}/broadcasts?count=40&ms=200`, {method: 'POST'})
    expect(burst.status).toBe(202)
    // Rounds of load until every process has shown its holders (Puma's workers take connections unevenly, so a
    // round may miss one): WebSocket clients subscribing, cache reads from every Puma thread (held 30 ms each),
    // each web request also broadcasting. The peaks are never above the prediction at any point.
    const clients: TextSocket[] = []
    let received = 0
    const reached = () => {
      const procs = Object.values(sampler.of('web'))
      return procs.length === 2 && procs.every(h => h['action-cable'] === 2 && h.cache === 3)
    }
    for (let round = 0; round < 10 && !reached(); round++) {
      const more = await Promise.all(Array.from({length: 8}, () => subscribe(port)))
      for (const ws of more) ws.onText(text => { if (text.includes('"message"')) received++ })
      clients.push(...more)
      const reads = Array.from({length: 24}, () => fetch(`http://127.0.0.1:${port}/cache?n=20&ms=30`).then(r => r.status))
      expect(new Set(await Promise.all(reads))).toEqual(new Set([200]))
      await new Promise(r => setTimeout(r, 300))
      step(`round ${round + 1}: ${clients.length} clients, web peaks ${JSON.stringify(sampler.of('web'))}`)
    }
    await new Promise(r => setTimeout(r, 2000))
    sampler.stop()
    for (const ws of clients) ws.close()

    const webPeaks = sampler.of('web')
    const workerPeaks = sampler.of('worker')
    const report = {webPeaks, workerPeaks, peakTotal: sampler.peakTotal, received, clients: clients.length,
      unnamed: [...sampler.peaks].filter(([k]) => k.startsWith('unnamed'))}
    console.log(`HOLDERS_PROOF ${JSON.stringify(report)}`)
    expect(received).toBeGreaterThan(0)
    expect(Object.keys(webPeaks)).toHaveLength(2)
    for (const holders of Object.values(webPeaks)) expect({'action-cable': holders['action-cable'], 'cache': holders.cache}).toEqual(predicted('web'))
    for (const holders of Object.values(workerPeaks)) expect({'action-cable': holders['action-cable'], 'cache': holders.cache}).toEqual(predicted('worker'))
    // The doctor's Redis demand for the formation bounds the server's peak.
    const demand = plan.models.reduce((n, m, i) => n + plan.processes[i]!.processesPerDyno * m.redisConnections.value, 0)
    expect(sampler.peakTotal).toBeLessThanOrEqual(demand)
  }
}
