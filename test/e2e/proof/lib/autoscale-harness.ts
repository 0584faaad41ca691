// The Heroku side of tsq:autoscale, simulated, shared by its end-to-end test and its benchmark: throwaway
// Redis and Postgres, a fake Platform API holding one app (a worker type, its add-ons on those servers), a
// dyno manager that turns the fake's worker formation into real worker processes of the example app (on
// heroku-tsq/runtime), and the real command (bin/run.js tsq:autoscale --json) as a child process.
import {type ChildProcess, spawn} from 'node:child_process'
import {join} from 'node:path'
import {type FakeApi, startFakeApi} from '../../../helpers/fake-api.js'
import {fakeApiEnv} from '../../../helpers/fake-api-client.js'
import {type Dyno, Formation} from '../../../helpers/formation.js'
import {EXAMPLE_DIR, ROOT} from './app-dir.js'
import {migrate} from './results.js'
import {type Servers, startServers} from './servers.js'

export const AUTOSCALE_APP = 'autoscale-demo'
export const POSTGRES_ADDON = 'postgresql-e2e-1'

/** One `--json` line of `tsq:autoscale --interval` (spec §10). */
export interface StepDoc {
  app: string
  at: string
  applied: boolean
  decisions: Array<{type: string, from: number, to: number, reason: string, latencyMs: number, budgetMax: number | null,
    queues: Array<{name: string, waiting: number, active: number | null, delayed: number, latencyMs: number}>}>
}

export interface AutoscaleWorld {
  servers: Servers
  api: FakeApi
  /** What every worker dyno gets: the add-ons' URLs and the app's config vars. */
  env: Record<string, string>
  token: string
  close(): Promise<void>
}

/**
 * Servers at `limits` (default Heroku's smallest, 20/20), the example's table migrated, and a fake API whose app
 * has `web` 0 and `worker` 1 with `config` (TSQ_*, EXAMPLE_*) and a Redis and a Postgres add-on on those servers.
 */
export async function startAutoscaleWorld(options: {config: Record<string, string>, token: string, limits?: {maxclients: number, maxConnections: number}}): Promise<AutoscaleWorld> {
  const limits = options.limits ?? {maxclients: 20, maxConnections: 20}
  const servers = await startServers(limits)
  try {
    const env = {REDIS_URL: servers.redisUrl, DATABASE_URL: servers.databaseUrl, ...options.config}
    await migrate(EXAMPLE_DIR, env)
    const api = await startFakeApi({
      token: options.token,
      apps: [{name: AUTOSCALE_APP, config: options.config, formation: [
        {type: 'web', quantity: 0, size: 'standard-1x', command: 'node app.js'},
        {type: 'worker', quantity: 1, size: 'standard-1x', command: 'node app.js'},
      ]}],
      addons: [
        {name: 'redis-e2e-1', service: 'heroku-redis', plan: 'heroku-redis:mini', app: AUTOSCALE_APP, url: servers.redisUrl},
        {name: POSTGRES_ADDON, service: 'heroku-postgresql', plan: 'heroku-postgresql:essential-0', app: AUTOSCALE_APP, url: servers.databaseUrl,
          connections: {used: 0, limit: limits.maxConnections}},
      ],
      attachments: [{app: AUTOSCALE_APP, addon: 'redis-e2e-1', name: 'REDIS'}, {app: AUTOSCALE_APP, addon: POSTGRES_ADDON, name: 'DATABASE'}],
    })
    return {servers, api, env, token: options.token, async close() {
      await api.close()
      await servers.stop()
    }}
  } catch (error) {
    await servers.stop()
    throw error
  }
}

/** The worker count the fake's formation asks for now. */
export function wantedWorkers(api: FakeApi): number {
  return api.state.app(AUTOSCALE_APP).formation.find(p => p.type === 'worker')!.quantity
}

/**
 * Heroku's dyno manager for the worker type: every `tickMs` it starts and stops worker dynos (real processes)
 * until the running ones match the fake's formation. A dyno that crashes is restarted once, at once; after a
 * second crash Heroku waits a cool-off of many minutes, longer than any run here, so it stays crashed (and
 * keeps its place in the count, as a crashed dyno does in `heroku ps`). Keeps a timeline of live dynos.
 */
export class DynoManager {
  readonly formation: Formation
  /** At every tick: ms since the epoch, workers the formation asks for, worker processes alive (stopping ones too). */
  readonly timeline: Array<{at: number, wanted: number, alive: number}> = []
  /** Dynos that exited without being stopped, in order. */
  readonly crashes: Array<{name: string, code: number | null}> = []
  private readonly exited = new Set<Dyno>()
  private readonly crashCount = new Map<string, number>()
  private readonly timer: NodeJS.Timeout

  constructor(private readonly world: AutoscaleWorld, options: {tickMs?: number, graceMs?: number} = {}) {
    this.formation = new Formation({procfile: {worker: 'node app.js'}, cwd: EXAMPLE_DIR, env: world.env})
    const graceMs = options.graceMs ?? 10_000
    this.timer = setInterval(() => this.tick(graceMs), options.tickMs ?? 100)
    this.tick(graceMs)
  }

  /** Worker processes alive now. */
  alive(): Dyno[] {
    return [...this.formation.dynos.values()].filter(d => d.type === 'worker' && !this.exited.has(d))
  }

  /** ∫ live worker dynos dt over [from, to] (ms since the epoch), in dyno-seconds, from the timeline's steps. */
  dynoSeconds(from: number, to: number): number {
    let total = 0
    for (let i = 0; i < this.timeline.length; i++) {
      const start = Math.max(from, this.timeline[i]!.at)
      const end = Math.min(to, this.timeline[i + 1]?.at ?? to)
      if (end > start) total += this.timeline[i]!.alive * (end - start)
    }
    return total / 1000
  }

  /** Stops managing and stops every dyno (SIGTERM, SIGKILL after `graceMs`). */
  async close(graceMs = 10_000): Promise<void> {
    clearInterval(this.timer)
    await this.formation.stopAll(graceMs)
  }

  private tick(graceMs: number): void {
    const wanted = wantedWorkers(this.world.api)
    const placed = [...this.formation.dynos.values()].filter(d => d.type === 'worker' && !d.stopped)
      .sort((a, b) => Number(a.name.slice(7)) - Number(b.name.slice(7)))
    for (const d of placed.slice(wanted)) void this.formation.stop(d.name, graceMs)
    for (const d of placed.slice(0, wanted)) {
      if (!this.exited.has(d) || (this.crashCount.get(d.name) ?? 0) > 1) continue
      this.track(this.formation.start(d.name))
    }
    const taken = new Set(placed.map(d => d.name))
    for (let n = 1, count = Math.min(placed.length, wanted); count < wanted; n++) {
      if (taken.has(`worker.${n}`)) continue
      this.track(this.formation.start(`worker.${n}`))
      count++
    }
    this.timeline.push({at: Date.now(), wanted, alive: this.alive().length})
  }

  private track(started: Promise<Dyno>): void {
    void started.then(dyno => dyno.exited.then(exit => {
      this.exited.add(dyno)
      if (dyno.stopped) return
      this.crashes.push({name: dyno.name, code: exit.code})
      this.crashCount.set(dyno.name, (this.crashCount.get(dyno.name) ?? 0) + 1)
    }), () => undefined)
  }
}

export interface AutoscalerProcess {
  child: ChildProcess
  /** Every stdout line, and each parsed as a step document. */
  lines: string[]
  docs: StepDoc[]
  stderr(): string
  /** Its exit code once it exits. */
  exited: Promise<number | null>
}

/** Starts `bin/run.js tsq:autoscale -a <app> --json <args>` authorised against the fake (HEROKU_API_KEY), nothing else of this environment. */
export function spawnAutoscaler(world: AutoscaleWorld, args: readonly string[], env: Record<string, string> = {}): AutoscalerProcess {
  const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'tsq:autoscale', '-a', AUTOSCALE_APP, '--json', ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...fakeApiEnv(world.api), ...env},
  })
  const run: AutoscalerProcess = {child, lines: [], docs: [], stderr: () => stderr,
    exited: new Promise(resolve => child.once('exit', code => resolve(code)))}
  let rest = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n')
    rest = parts.pop() ?? ''
    for (const line of parts) {
      run.lines.push(line)
      run.docs.push(JSON.parse(line) as StepDoc)
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  return run
}
