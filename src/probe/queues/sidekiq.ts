// Sidekiq queues read in O(1) per queue (spec §10), as Sidekiq's own API reads them: a queue is the list
// `queue:<name>` (the client LPUSHes, the server takes from the right), its size is LLEN, and its latency
// is `Sidekiq::Queue#latency`: now − the `enqueued_at` of the job at the right end (LINDEX -1; Sidekiq ≤ 7
// writes float seconds, Sidekiq 8 integer ms). Jobs scheduled for later and retries wait in the `schedule`
// and `retry` sorted sets (score: when due, float seconds) until a Sidekiq process moves them to their queue,
// so their due jobs need a running worker too: ZCOUNT -inf now, and the earliest score for their latency.

import type {QueueReading} from '../../core/model/queue-readings.js'

/** The sets Sidekiq keeps jobs in until they are due. */
export const SIDEKIQ_SETS = ['schedule', 'retry'] as const

/** One command of a pipeline: name and arguments. */
export type Command = [name: string, ...args: string[]]

/** The commands that read queue `name`, in the order parseSidekiqQueue takes their replies. */
export function sidekiqQueueCommands(name: string): Command[] {
  return [['llen', `queue:${name}`], ['lindex', `queue:${name}`, '-1']]
}

/** The commands that read a `schedule`/`retry` set at `now` (ms), in the order parseSidekiqSet takes their replies. */
export function sidekiqSetCommands(set: string, now: number): Command[] {
  return [['zcard', set], ['zcount', set, '-inf', String(now / 1000)], ['zrange', set, '0', '0', 'WITHSCORES']]
}

/** A queue's reading from LLEN and LINDEX -1 at `now` (ms). A payload without a readable `enqueued_at` counts as 0 s, as Sidekiq does. */
export function parseSidekiqQueue(name: string, length: unknown, last: unknown, now: number): QueueReading {
  const waiting = toCount(length, `queue:${name}`)
  let latencyMs = 0
  if (last !== null && last !== undefined) {
    const enqueued = enqueuedAtMs(String(last))
    if (enqueued !== null) latencyMs = Math.max(0, Math.round(now - enqueued))
  }
  return {name, backend: 'sidekiq', waiting, active: null, delayed: 0, latencyMs}
}

/** A set's reading from ZCARD, ZCOUNT -inf now and ZRANGE 0 0 WITHSCORES at `now` (ms): due jobs wait, the rest are delayed. */
export function parseSidekiqSet(set: string, size: unknown, due: unknown, head: unknown, now: number): QueueReading {
  const total = toCount(size, set)
  const ready = Math.min(total, toCount(due, set))
  const score = Array.isArray(head) && head.length >= 2 ? Number(String(head[1])) : Number.NaN
  const latencyMs = ready > 0 && Number.isFinite(score) ? Math.max(0, Math.round(now - score * 1000)) : 0
  return {name: set, backend: 'sidekiq', waiting: ready, active: null, delayed: total - ready, latencyMs}
}

/** `enqueued_at` in ms: Sidekiq ≤ 7 writes float seconds, Sidekiq 8 integer milliseconds. */
export function enqueuedAtMs(payload: string): number | null {
  let job: unknown
  try {
    job = JSON.parse(payload)
  } catch {
    return null
  }
  const at = typeof job === 'object' && job !== null ? (job as {enqueued_at?: unknown}).enqueued_at : undefined
  if (typeof at !== 'number' || !Number.isFinite(at) || at <= 0) return null
  return at > 1e11 ? at : at * 1000
}

function toCount(value: unknown, key: string): number {
  const n = Number(String(value))
  if (value === null || value === undefined || !Number.isInteger(n) || n < 0) throw new Error(`unexpected count ${String(value)} for Sidekiq ${key}`)
  return n
}
