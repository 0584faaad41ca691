// O(1) per queue (spec §10): the Redis commands one step runs, counted by the server itself (INFO
// commandstats before and after), are the same for queues of 10 jobs and of 100,000. A throwaway
// redis-server, so nobody else's commands are counted.
import {Queue} from 'bullmq'
import {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type QueueTarget, createQueueReader} from '../../../../src/probe/queues/reader.js'
import {type RedisService, startRedis} from '../../../helpers/services.js'

let redis: RedisService
let admin: Redis
beforeAll(async () => {
  redis = await startRedis({maxclients: 50})
  admin = new Redis(redis.url)
})
afterAll(async () => {
  admin?.disconnect()
  await redis?.stop()
})

/** `cmdstat_llen:calls=3,...` → {llen: 3}. */
async function commandCalls(): Promise<Record<string, number>> {
  const info = await admin.info('commandstats')
  return Object.fromEntries([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map(m => [m[1]!, Number(m[2])]))
}

/** Commands run by one read of `targets` (after a first read that loads the script and names the connection). */
async function commandsOfOneStep(targets: QueueTarget[]): Promise<Record<string, number>> {
  const reader = createQueueReader(redis.url, {connectionName: 'tsq:test:1:autoscale'})
  try {
    await reader.read(targets, Date.now())
    const before = await commandCalls()
    const [bull, sidekiq] = await reader.read(targets, Date.now())
    const after = await commandCalls()
    expect(bull!.error).toBeNull()
    expect(sidekiq!.error).toBeNull()
    const delta: Record<string, number> = {}
    for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) delta[k] = v - (before[k] ?? 0)
    return delta
  } finally {
    await reader.close()
  }
}

/** A BullMQ queue and a Sidekiq queue with `n` jobs waiting (and some prioritized and delayed), written as each library writes them. */
async function fill(name: string, n: number): Promise<void> {
  const queue = new Queue(name, {connection: {url: redis.url}})
  await queue.addBulk(Array.from({length: 10}, (_, i) => ({name: 'job', data: {i}})))
  await queue.add('urgent', {}, {priority: 1})
  await queue.add('later', {}, {delay: 60_000})
  // Beyond the first 10, more ids ahead of them in `wait` and in `delayed`: the lists' lengths are what
  // could make a reading grow, and the oldest job is still one BullMQ wrote.
  const chunk = 10_000
  for (let done = 10; done < n; done += chunk) {
    const ids = Array.from({length: Math.min(chunk, n - done)}, (_, i) => `x${done + i}`)
    await admin.lpush(`bull:${name}:wait`, ...ids)
    await admin.zadd(`bull:${name}:delayed`, ...ids.flatMap((id, i) => [String((Date.now() + 3_600_000) * 0x1000 + i), id]))
  }
  await queue.close()
  const payload = (i: number) => JSON.stringify({queue: name, class: 'Job', args: [i], jid: `j${i}`, enqueued_at: Date.now() / 1000 - 5})
  for (let done = 0; done < n; done += chunk) {
    await admin.lpush(`queue:${name}`, ...Array.from({length: Math.min(chunk, n - done)}, (_, i) => payload(done + i)))
  }
  await admin.sadd('queues', name)
}

describe('the Redis commands of one step', () => {
  it('are the same, command by command, at 10 and at 100,000 jobs per queue', async () => {
    await fill('small', 10)
    await fill('large', 100_000)
    const targets = (name: string): QueueTarget[] => [
      {type: 'worker', backend: 'bullmq', queues: [name]},
      {type: 'sidekiq', backend: 'sidekiq', queues: [name]},
    ]
    const small = await commandsOfOneStep(targets('small'))
    const large = await commandsOfOneStep(targets('large'))
    expect(await admin.llen('bull:large:wait')).toBeGreaterThanOrEqual(100_000)
    expect(await admin.llen('queue:large')).toBe(100_000)
    expect(large).toEqual(small)
    // One script call per BullMQ queue, two commands per Sidekiq queue, three per Sidekiq set; never a scan.
    expect(small.evalsha).toBe(1)
    for (const forbidden of ['keys', 'scan', 'lrange', 'zrangebyscore', 'smembers']) expect(small[forbidden]).toBeUndefined()
  }, 120_000)
})
