// BullMQ queues read in O(1) per queue, whatever their length (spec §10). BullMQ keeps, under
// `<prefix>:<queue>:` (node_modules/bullmq/dist/esm/commands, 5.x): `wait`, `paused` and `active` lists of job
// ids (new jobs LPUSHed, the next to run at the tail), `prioritized` (zset, score priority × 2^32 + counter:
// the lowest runs next), `delayed` (zset, score = due time in ms × 0x1000 + counter) and one hash per job
// (`timestamp`, `opts` with the job's `delay`, `processedOn`). Finding a job's enqueue time takes its id first,
// so one small Lua script per queue reads both in a single call: every queue of every type goes in one
// pipelined round trip, and the script runs the same fixed commands at 10 jobs as at 100,000.
import type {QueueReading} from '../../core/model/queue-readings.js'

/** The ioredis command name the script is defined under. */
export const BULLMQ_COMMAND = 'tsqBullmqQueue'

/**
 * KEYS: wait, paused, active, prioritized, delayed. ARGV[1]: the job key prefix (`bull:emails:`), ARGV[2]: the
 * highest delayed score already due ((now + 1) × 0x1000 − 1, as BullMQ's promoteDelayedJobs computes it).
 * A `0:` entry at the tail of `wait` is a BullMQ < 5 marker, not a job (getCounts-1.lua skips it too).
 */
export const BULLMQ_SCRIPT = `
local function fields(id)
  if not id then return {false, false, false} end
  local f = redis.call('HMGET', ARGV[1] .. id, 'timestamp', 'opts', 'processedOn')
  return {f[1] or false, f[2] or false, f[3] or false}
end
local waitLen = redis.call('LLEN', KEYS[1])
local tail = redis.call('LINDEX', KEYS[1], -1)
local marker = 0
if tail and string.sub(tail, 1, 2) == '0:' then
  marker = 1
  tail = redis.call('LINDEX', KEYS[1], -2)
end
local prio = redis.call('ZRANGE', KEYS[4], 0, 0)
local delayed = redis.call('ZRANGE', KEYS[5], 0, 0, 'WITHSCORES')
local w = fields(tail)
local p = fields(prio[1])
return {waitLen, marker, redis.call('LLEN', KEYS[2]), redis.call('LLEN', KEYS[3]), redis.call('ZCARD', KEYS[4]),
  redis.call('ZCARD', KEYS[5]), w[1], w[2], w[3], p[1], p[2], p[3], delayed[2] or false,
  redis.call('ZCOUNT', KEYS[5], 0, ARGV[2])}
`

/** The five keys the script reads, in its KEYS order. */
export function bullmqKeys(prefix: string, queue: string): string[] {
  return ['wait', 'paused', 'active', 'prioritized', 'delayed'].map(k => `${prefix}:${queue}:${k}`)
}

/** The script's arguments for a step at `now` (ms). */
export function bullmqArgs(prefix: string, queue: string, now: number): string[] {
  return [`${prefix}:${queue}:`, String((Math.floor(now) + 1) * 0x1000 - 1)]
}

/**
 * The reading of one queue from the script's reply at `now` (ms). Latency is the age of the job that has
 * waited longest among those that would run next: the tail of `wait`, the head of `prioritized`, and the
 * earliest delayed job already due (from its due time). A waiting job is ready from its `timestamp` plus the
 * delay it was added with, or from the start of its last attempt when it is a retry. Throws on a reply that
 * is not the script's (a caller reports it and skips the queue, never crashes).
 */
export function parseBullmqReply(name: string, reply: unknown, now: number): QueueReading {
  if (!Array.isArray(reply) || reply.length < 14) throw new Error(`unexpected reply for BullMQ queue ${name}`)
  const n = (i: number) => count(reply[i], name)
  const waiting = Math.max(0, n(0) - n(1)) + n(2) + n(4)
  const ready = [readySince(reply[6], reply[7], reply[8]), readySince(reply[9], reply[10], reply[11])]
  const delayedHead = num(reply[12])
  if (delayedHead !== null && n(13) > 0) ready.push(Math.floor(delayedHead / 0x1000))
  const since = ready.filter((t): t is number => t !== null)
  const latencyMs = since.length === 0 ? 0 : Math.max(0, Math.round(now - Math.min(...since)))
  return {name, backend: 'bullmq', waiting, active: n(3), delayed: n(5), latencyMs}
}

/** When a job (from its hash fields) became ready to run; null without a readable timestamp. */
function readySince(timestamp: unknown, opts: unknown, processedOn: unknown): number | null {
  const created = num(timestamp)
  if (created === null) return null
  let delay = 0
  if (typeof opts === 'string' || Buffer.isBuffer(opts)) {
    try {
      const parsed = JSON.parse(String(opts)) as {delay?: unknown}
      if (typeof parsed.delay === 'number' && parsed.delay > 0) delay = parsed.delay
    } catch {
      // Unreadable options: count from creation.
    }
  }
  return Math.max(created + delay, num(processedOn) ?? 0)
}

function num(value: unknown): number | null {
  if (value === null || value === undefined || value === false) return null
  const n = Number(String(value))
  return Number.isFinite(n) ? n : null
}

function count(value: unknown, name: string): number {
  const n = num(value)
  if (n === null || n < 0 || !Number.isInteger(n)) throw new Error(`unexpected count ${String(value)} for BullMQ queue ${name}`)
  return n
}
