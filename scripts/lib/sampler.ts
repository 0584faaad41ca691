// Counts the app's connections on each server every ~100 ms, the way the doctor's probes see them
// (Redis CLIENT LIST, Postgres pg_stat_activity client backends), leaving out the harness's own
// connections and any doctor probe. Keeps every sample with the connections' names, the peak of each
// server, and the peak of each process type (from the tsq names: `tsq:<dyno>:<pid>[:<purpose>]`).
import {Redis} from 'ioredis'
import type pg from 'pg'
import {parseClientList, parseTsqName} from '../../src/probe/parse.js'
import {HARNESS_NAME} from './servers.js'

export interface Sample {
  at: number
  /** App connections on Redis; null when this sample could not read it (server down). */
  redis: number | null
  postgres: number | null
  /** The connections' names (client name, application_name; '' for none), null like the counts. */
  names: {redis: string[] | null, postgres: string[] | null}
}

export type ServerKind = 'redis' | 'postgres'

/** The process type a connection name carries (`web` of `tsq:web.1:4242:producer`), else `unnamed`. */
export function typeOfName(name: string): string {
  const dyno = parseTsqName(name)?.dyno
  return dyno === undefined ? 'unnamed' : dyno.replace(/\.[^.]*$/, '')
}

/** Connections per process type in one list of names. */
export function countByType(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of names) counts[typeOfName(name)] = (counts[typeOfName(name)] ?? 0) + 1
  return counts
}

// The harness, the doctor's probes (`tsq:doctor:<pid>:probe`) and the service helper's admin client.
const NOT_APP = new RegExp(`^(${HARNESS_NAME}|tsq:doctor:\\d+:probe|tsq-test-services)$`)

const PG_SESSIONS = `SELECT coalesce(application_name, '') AS name FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`

export class ConnectionSampler {
  readonly samples: Sample[] = []
  private readonly redis: Redis | null
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()

  /** `redisUrl` null: do not hold a Redis connection (a test where every slot counts). */
  constructor(private readonly admin: pg.Client, redisUrl: string | null) {
    this.redis = redisUrl === null ? null : new Redis(redisUrl, {
      connectionName: HARNESS_NAME, enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true,
      retryStrategy: () => 200,
    })
    this.redis?.on('error', () => {})
  }

  async start(intervalMs = 100): Promise<this> {
    await this.redis?.connect()
    const tick = () => {
      this.running = this.read().then(sample => {
        this.samples.push(sample)
        this.timer = setTimeout(tick, intervalMs)
      })
    }
    tick()
    return this
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
    clearTimeout(this.timer)
    this.redis?.disconnect()
  }

  /** Highest count seen on each server so far (samples that failed are skipped). */
  peak(): {redis: number, postgres: number} {
    const max = (xs: Array<number | null>) => Math.max(0, ...xs.filter((x): x is number => x !== null))
    return {redis: max(this.samples.map(s => s.redis)), postgres: max(this.samples.map(s => s.postgres))}
  }

  /** Highest simultaneous count of each process type on `server` so far (all its dynos and processes together). */
  peakByType(server: ServerKind): Record<string, number> {
    const peaks: Record<string, number> = {}
    for (const sample of this.samples) {
      for (const [type, n] of Object.entries(countByType(sample.names[server] ?? []))) peaks[type] = Math.max(peaks[type] ?? 0, n)
    }
    return peaks
  }

  /** One reading now: app connections on each server. */
  async read(): Promise<Sample> {
    const [redis, postgres] = await Promise.all([this.redisNames(), this.postgresNames()])
    return {at: Date.now(), redis: redis?.length ?? null, postgres: postgres?.length ?? null, names: {redis, postgres}}
  }

  /** The samples where Redis held more app connections than `limit`, with their names (what an unexpected one was). */
  over(limit: number): Sample[] {
    return this.samples.filter(s => s.redis !== null && s.redis > limit)
  }

  /** Polls until the counts equal `expected` (null: either), or `ms` passes; returns the last reading. */
  async settle(expected: {redis: number | null, postgres: number | null}, ms = 30_000): Promise<Sample> {
    const deadline = Date.now() + ms
    for (;;) {
      const sample = await this.read()
      const fits = (expected.redis === null || sample.redis === expected.redis) &&
        (expected.postgres === null || sample.postgres === expected.postgres)
      if (fits || Date.now() > deadline) return sample
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }

  private async redisNames(): Promise<string[] | null> {
    if (!this.redis) return null
    try {
      const list = parseClientList(await this.redis.client('LIST') as string)
      return list.map(c => c.name ?? '').filter(name => !NOT_APP.test(name))
    } catch {
      return null
    }
  }

  private async postgresNames(): Promise<string[] | null> {
    try {
      const {rows} = await this.admin.query<{name: string}>(PG_SESSIONS)
      return rows.map(r => r.name).filter(name => !NOT_APP.test(name))
    } catch {
      return null
    }
  }
}
