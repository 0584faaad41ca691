// Counts the Rails app's connections every ~100 ms: Postgres client backends (pg_stat_activity) and Redis
// clients (CLIENT LIST), leaving out the harness's own. Each connection is attributed by its name — what
// config/initializers/tsq.rb gives it: `tsq:<dyno>:<pid>` (Postgres) and `tsq:<dyno>:<pid>:<purpose>` (Redis)
// — to its process type and process; unnamed ones (the guide's app) count as `unnamed`. A Redis client that
// has sent no command yet (`cmd=NULL`) is one being opened, before its CLIENT SETNAME: it counts as `opening`
// (redis-rb names a connection with its first command). Keeps, per server, the peak of the total, of each type
// and of each process, and a few descriptions of the unnamed connections seen.
import {Redis} from 'ioredis'
import type pg from 'pg'
import {parseClientList} from '../../../../src/probe/parse.js'
import {HARNESS_NAME} from '../../proof/lib/servers.js'

const NOT_APP = new RegExp(`^(${HARNESS_NAME}|tsq-test-services)$`)
const TSQ_NAME = /^tsq:([a-z][\w-]*)\.[\w.]+:(\d+)(?::([\w-]+))?$/
/** The name `tally` gives a Redis client that has not sent its first command (so not its CLIENT SETNAME) yet. */
export const OPENING = '(opening)'

export type Server = 'postgres' | 'redis'

/** One server's reading: connections by process type (`web`, `worker`, `unnamed`) and by process (`web.1:4242`). */
export interface Count {
  total: number
  byType: Record<string, number>
  byProcess: Record<string, number>
  /** Redis only: by purpose (`sidekiq-server`, `sidekiq-client`). */
  byPurpose: Record<string, number>
}

export interface Peaks {
  total: number
  /** Highest simultaneous count of each process type (all its processes together). */
  byType: Record<string, number>
  /** Highest count of each process, keyed `web.1:4242`. */
  byProcess: Record<string, number>
}

export class RailsSampler {
  readonly peaks: Record<Server, Peaks> = {postgres: emptyPeaks(), redis: emptyPeaks()}
  samples = 0
  /** Up to 10 descriptions of unnamed connections (Redis: addr, age, cmd; Postgres: backend start, state). */
  readonly unnamedSeen: Record<Server, string[]> = {postgres: [], redis: []}
  private readonly redis: Redis
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(private readonly admin: pg.Client, redisUrl: string) {
    this.redis = new Redis(redisUrl, {connectionName: HARNESS_NAME, enableOfflineQueue: false, maxRetriesPerRequest: 0,
      lazyConnect: true, retryStrategy: () => 200})
    this.redis.on('error', () => {})
  }

  async start(intervalMs = 100): Promise<this> {
    await this.redis.connect()
    const tick = () => {
      this.running = this.read().then(reading => {
        this.record(reading)
        if (!this.stopped) this.timer = setTimeout(tick, intervalMs)
      })
    }
    tick()
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    clearTimeout(this.timer)
    this.redis.disconnect()
  }

  /** Forgets the peaks so far (e.g. after boot, to measure a phase). */
  reset(): void {
    this.peaks.postgres = emptyPeaks()
    this.peaks.redis = emptyPeaks()
  }

  async read(): Promise<Record<Server, Count>> {
    const [postgres, redis] = await Promise.all([this.readPostgres(), this.readRedis()])
    return {postgres, redis}
  }

  private record(reading: Record<Server, Count>): void {
    this.samples++
    for (const server of ['postgres', 'redis'] as const) {
      const peak = this.peaks[server]
      const count = reading[server]
      peak.total = Math.max(peak.total, count.total)
      for (const [k, v] of Object.entries(count.byType)) peak.byType[k] = Math.max(peak.byType[k] ?? 0, v)
      for (const [k, v] of Object.entries(count.byProcess)) peak.byProcess[k] = Math.max(peak.byProcess[k] ?? 0, v)
    }
  }

  private async readPostgres(): Promise<Count> {
    try {
      const {rows} = await this.admin.query<{name: string, what: string}>(`SELECT coalesce(application_name, '') AS name,
          concat_ws(' ', usename, state, backend_start::text, left(query, 60)) AS what FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`)
      this.noteUnnamed('postgres', rows.filter(r => !NOT_APP.test(r.name) && !TSQ_NAME.test(r.name)).map(r => r.what))
      return tally(rows.map(r => r.name))
    } catch {
      return tally([])
    }
  }

  private async readRedis(): Promise<Count> {
    try {
      const clients = parseClientList(await this.redis.client('LIST') as string)
      const names = clients.map(c => (!c.name && c.cmd === 'NULL' ? OPENING : c.name ?? ''))
      this.noteUnnamed('redis', clients.filter((_, i) => names[i] === '').map(c => `addr=${c.addr} age=${c.age} cmd=${c.cmd}`))
      return tally(names)
    } catch {
      return tally([])
    }
  }

  private noteUnnamed(server: Server, descriptions: string[]): void {
    const seen = this.unnamedSeen[server]
    for (const d of descriptions) if (seen.length < 10 && !seen.includes(d)) seen.push(d)
  }
}

function emptyPeaks(): Peaks {
  return {total: 0, byType: {}, byProcess: {}}
}

/** Counts connection names by type, process and purpose; the harness's own are left out. */
export function tally(names: readonly string[]): Count {
  const count: Count = {total: 0, byType: {}, byProcess: {}, byPurpose: {}}
  const add = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1
  }
  for (const name of names) {
    if (NOT_APP.test(name)) continue
    count.total++
    if (name === OPENING) {
      add(count.byType, 'opening')
      continue
    }
    const m = TSQ_NAME.exec(name)
    if (!m) {
      add(count.byType, 'unnamed')
      continue
    }
    const dyno = name.split(':')[1]!
    add(count.byType, m[1]!)
    add(count.byProcess, `${dyno}:${m[2]}`)
    if (m[3]) add(count.byPurpose, m[3])
  }
  return count
}
