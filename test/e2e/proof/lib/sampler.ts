// Counts the app's connections on each server every ~100 ms, the way the doctor's probes see them
// (Redis CLIENT LIST, Postgres pg_stat_activity client backends), leaving out the harness's own
// connections and any doctor probe. Keeps the peak and every sample.
import {Redis} from 'ioredis'
import type pg from 'pg'
import {parseClientList} from '../../../../src/probe/parse.js'
import {HARNESS_NAME} from './servers.js'

export interface Sample {
  at: number
  /** App connections on Redis; null when this sample could not read it (server down). */
  redis: number | null
  postgres: number | null
  /** The Redis connections counted (`name age cmd lib-name`), to tell what an unexpected one was. */
  redisClients?: string[]
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

  /** One reading now: app connections on each server. */
  async read(): Promise<Sample> {
    const [redisClients, postgres] = await Promise.all([this.redisAppClients(), this.countPostgres()])
    return {at: Date.now(), redis: redisClients?.length ?? null, postgres, ...(redisClients ? {redisClients} : {})}
  }

  /** The samples where Redis held more app connections than `limit`, with what they were. */
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

  private async redisAppClients(): Promise<string[] | null> {
    if (!this.redis) return null
    try {
      const list = parseClientList(await this.redis.client('LIST') as string)
      return list.filter(c => !NOT_APP.test(c.name ?? ''))
        .map(c => `name=${c.name ?? ''} age=${c.age ?? ''} cmd=${c.cmd ?? ''} lib=${c['lib-name'] ?? ''} addr=${c.addr ?? ''}`)
    } catch {
      return null
    }
  }

  private async countPostgres(): Promise<number | null> {
    try {
      const {rows} = await this.admin.query<{name: string}>(PG_SESSIONS)
      return rows.filter(r => !NOT_APP.test(r.name)).length
    } catch {
      return null
    }
  }
}
