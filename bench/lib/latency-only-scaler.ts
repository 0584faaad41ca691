// What a latency-only autoscaler does (Judoscale's and HireFire's job-queue-latency rule, as the bench's third
// column): every interval it reads the worker type's BullMQ latency, asks the Platform API for the formation and
// PATCHes `ceil(current × latency / target)` dynos, bounded only by --max. It scales down by the same rule as
// tsq:autoscale (one fewer after the queue was empty for down-after), so only the connection budget differs.
import {type QueueReader, createQueueReader} from '../../src/probe/queues/reader.js'
import {isEmpty, latencyOf} from '../../src/core/model/queue-readings.js'
import type {AutoscaleWorld} from '../../test/e2e/proof/lib/autoscale-harness.js'
import {AUTOSCALE_APP} from '../../test/e2e/proof/lib/autoscale-harness.js'

export interface LatencyOnlySettings {
  intervalMs: number
  targetMs: number
  min: number
  max: number
  downAfterMs: number
}

export interface LatencyOnlyStep {
  at: number
  from: number
  to: number
  latencyMs: number
}

/** Runs until stop(); its own Redis connection is named like an app process's, so the bench counts it as tsq's is counted. */
export class LatencyOnlyScaler {
  readonly steps: LatencyOnlyStep[] = []
  private readonly reader: QueueReader
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private quietSince: number | null = null
  private stopped = false

  constructor(private readonly world: AutoscaleWorld, private readonly settings: LatencyOnlySettings) {
    this.reader = createQueueReader(world.servers.redisUrl, {connectionName: `tsq:latency-autoscaler:${process.pid}:autoscale`})
  }

  /** Takes the first step now, then one every interval. */
  async start(): Promise<this> {
    const tick = () => {
      this.running = this.step().catch(error => {
        process.stderr.write(`  latency-only step failed: ${error instanceof Error ? error.message : String(error)}\n`)
      }).then(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.settings.intervalMs)
      })
    }
    tick()
    await this.running
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
    await this.reader.close()
  }

  private async step(): Promise<void> {
    const s = this.settings
    const now = Date.now()
    const [formation, [readings]] = await Promise.all([
      this.request<Array<{type: string, quantity: number}>>('GET'),
      this.reader.read([{type: 'worker', backend: 'bullmq', queues: ['default']}], now),
    ])
    if (!readings || readings.error !== null) throw new Error(readings?.error ?? 'no reading')
    const from = formation.find(p => p.type === 'worker')!.quantity
    const latencyMs = latencyOf(readings.queues)
    let to = from
    if (latencyMs > s.targetMs) {
      this.quietSince = null
      to = Math.min(s.max, Math.ceil(from * latencyMs / s.targetMs))
    } else if (isEmpty(readings.queues) && latencyMs < s.targetMs / 4) {
      this.quietSince ??= now
      if (from > s.min && now - this.quietSince >= s.downAfterMs) {
        to = from - 1
        this.quietSince = now
      }
    } else this.quietSince = null
    if (to !== from) await this.request('PATCH', {updates: [{type: 'worker', quantity: to}]})
    this.steps.push({at: now, from, to, latencyMs})
  }

  private async request<T>(method: 'GET' | 'PATCH', body?: unknown): Promise<T> {
    const response = await fetch(`${this.world.api.url}/apps/${AUTOSCALE_APP}/formation`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${this.world.token}`, 'Content-Type': 'application/json'},
    })
    if (!response.ok) throw new Error(`${method} /apps/${AUTOSCALE_APP}/formation answered ${response.status}`)
    return await response.json() as T
  }
}
