// The one Redis connection the autoscaler (and `tsq:doctor --live`) reads queues with: named, opened once per
// run and kept across steps (ioredis reconnects it in the background after an outage), and one pipelined
// round trip per step for every queue of every type. A step while Redis is unreachable fails fast with the
// cause instead of waiting: the caller skips that step.
import {Redis} from 'ioredis'
import type {QueueTarget, TypeQueues} from '../../core/model/queue-readings.js'

export type {QueueTarget} from '../../core/model/queue-readings.js'
import {redisTlsOptions} from '../../core/model/tls.js'
import {scrub, withDeadline} from '../common.js'
import {BULLMQ_COMMAND, BULLMQ_SCRIPT, bullmqArgs, bullmqKeys, parseBullmqReply} from './bullmq.js'
import {type Command, SIDEKIQ_SETS, parseSidekiqQueue, parseSidekiqSet, sidekiqQueueCommands, sidekiqSetCommands} from './sidekiq.js'


export interface QueueReaderOptions {
  /** CLIENT SETNAME of the connection (`tsq:<dyno>:<pid>:autoscale`), so `--live` attributes it. */
  connectionName: string
  /** BullMQ key prefix. Default `bull`. */
  prefix?: string
  /** Bound in ms on connecting and on one step's round trip. Default 5000. */
  timeoutMs?: number
}

export interface QueueReader {
  /** Reads every target at `now` (ms). Never throws: a failure comes back as each type's `error`. */
  read(targets: readonly QueueTarget[], now: number): Promise<TypeQueues[]>
  /** The autoscaler's quiet clocks kept in Redis under `key` (type → ms), so `--once` runs share them; null when unreadable. */
  loadClock(key: string): Promise<Record<string, number> | null>
  /** Replaces the clocks under `key`, expiring after `ttlMs`; false when Redis refused. */
  saveClock(key: string, clock: Readonly<Record<string, number>>, ttlMs: number): Promise<boolean>
  close(): Promise<void>
}

type Reply = [Error | null, unknown]

/** A reader over its own connection to `url`; nothing connects until the first read. */
export function createQueueReader(url: string, options: QueueReaderOptions): QueueReader {
  const timeoutMs = options.timeoutMs ?? 5000
  const prefix = options.prefix ?? 'bull'
  const client = new Redis(url, {
    ...redisTlsOptions(url),
    lazyConnect: true,
    connectionName: options.connectionName,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // Commands fail at once while disconnected (the step is skipped); reconnection goes on in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: times => Math.min(250 * times, 5000),
  })
  client.defineCommand(BULLMQ_COMMAND, {numberOfKeys: 5, lua: BULLMQ_SCRIPT})
  let lastError: string | null = null
  client.on('error', (error: Error) => {
    lastError = error.message
  })

  async function ensureConnected(): Promise<void> {
    if (client.status === 'wait' || client.status === 'end') await client.connect()
  }

  async function pipeline(commands: ReadonlyArray<Command | {script: string[]}>): Promise<Reply[]> {
    const p = client.pipeline()
    for (const c of commands) {
      if ('script' in c) (p as unknown as Record<string, (...args: string[]) => unknown>)[BULLMQ_COMMAND]!(...c.script)
      else p.call(...c)
    }
    return (await p.exec()) ?? []
  }

  async function readAll(targets: readonly QueueTarget[], now: number): Promise<TypeQueues[]> {
    await ensureConnected()
    // Sidekiq types with no queue list: their names first (the one case that takes a second round trip).
    let known: string[] = []
    if (targets.some(t => t.backend === 'sidekiq' && t.queues === null)) {
      const [[error, names]] = await pipeline([['smembers', 'queues']]) as [Reply]
      if (error) throw error
      known = Array.isArray(names) ? names.map(String).sort() : []
    }
    const plans = targets.map(t => {
      const queues = t.queues ?? known
      const commands: Array<Command | {script: string[]}> = t.backend === 'bullmq'
        ? queues.map(q => ({script: [...bullmqKeys(prefix, q), ...bullmqArgs(prefix, q, now)]}))
        : [...queues.flatMap(q => sidekiqQueueCommands(q)), ...SIDEKIQ_SETS.flatMap(s => sidekiqSetCommands(s, now))]
      return {target: t, queues, commands}
    })
    const replies = await pipeline(plans.flatMap(p => p.commands))
    let at = 0
    return plans.map(({target, queues, commands}) => {
      const mine = replies.slice(at, at += commands.length)
      try {
        const failed = mine.find(([error]) => error)
        if (failed) throw failed[0]
        const values = mine.map(([, value]) => value)
        const readings = target.backend === 'bullmq'
          ? queues.map((q, i) => parseBullmqReply(q, values[i], now))
          : [...queues.map((q, i) => parseSidekiqQueue(q, values[2 * i], values[2 * i + 1], now)),
            ...SIDEKIQ_SETS.map((s, i) => {
              const base = 2 * queues.length + 3 * i
              return parseSidekiqSet(s, values[base], values[base + 1], values[base + 2], now)
            })]
        return {type: target.type, backend: target.backend, queues: readings, error: null}
      } catch (error) {
        return {type: target.type, backend: target.backend, queues: [], error: describe(error)}
      }
    })
  }

  /** What a failed read says, with the connection's own error when the command only saw it closed. */
  function describe(error: unknown): string {
    const closed = /Stream isn't writeable|Connection is closed/.test(message(error))
    return scrub(url, `cannot read the queues in Redis: ${closed ? lastError ?? 'not connected' : message(error)}`)
  }

  return {
    async read(targets, now) {
      if (targets.length === 0) return []
      try {
        return await withDeadline(readAll(targets, now), timeoutMs, () => undefined)
      } catch (error) {
        return targets.map(t => ({type: t.type, backend: t.backend, queues: [], error: describe(error)}))
      }
    },
    async loadClock(key) {
      try {
        await ensureConnected()
        const raw = await client.hgetall(key)
        return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]).filter(([, v]) => Number.isFinite(v)))
      } catch {
        return null
      }
    },
    async saveClock(key, clock, ttlMs) {
      try {
        await ensureConnected()
        const m = client.multi().del(key)
        if (Object.keys(clock).length > 0) m.hset(key, Object.fromEntries(Object.entries(clock).map(([k, v]) => [k, String(v)]))).pexpire(key, Math.max(1, Math.round(ttlMs)))
        await m.exec()
        return true
      } catch {
        return false
      }
    },
    async close() {
      if (client.status === 'wait' || client.status === 'end') return client.disconnect()
      try {
        await withDeadline(client.quit(), timeoutMs, () => client.disconnect())
      } catch {
        client.disconnect()
      }
    },
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
