// The Sidekiq queue reading against jobs pushed by Debian's ruby-sidekiq itself (a throwaway redis-server:
// Sidekiq's keys have no prefix), compared with what Sidekiq's own API reports.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type QueueReader, createQueueReader} from '../../../../src/probe/queues/reader.js'
import {type RedisService, startRedis} from '../../../helpers/services.js'
import {hasSidekiq, sidekiqRuby} from '../../../helpers/sidekiq-ruby.js'

let redis: RedisService
let reader: QueueReader
const ruby = await hasSidekiq()

beforeAll(async () => {
  redis = await startRedis({maxclients: 50})
  reader = createQueueReader(redis.url, {connectionName: `tsq:test:${process.pid}:autoscale`})
})
afterAll(async () => {
  await reader?.close()
  await redis?.stop()
})

interface Seen {
  t0: number
  t1: number
  latency: Record<string, number>
  size: Record<string, number>
  scheduled: number
  retries: number
}

describe.runIf(ruby)('Sidekiq queue readings (ruby-sidekiq)', () => {
  it('size and latency as Sidekiq::Queue reports them, and the schedule and retry sets\' due jobs', async () => {
    const seen = await sidekiqRuby<Seen>(redis.url, `
      Sidekiq::Client.push("queue" => "mailers", "class" => "Mailer", "args" => [1])
      sleep 0.05
      Sidekiq::Client.push("queue" => "mailers", "class" => "Mailer", "args" => [2])
      Sidekiq::Client.push("queue" => "default", "class" => "Report", "args" => [3])
      Sidekiq::Client.push("queue" => "default", "class" => "Report", "args" => [4], "at" => Time.now.to_f + 0.2)
      Sidekiq::Client.push("queue" => "default", "class" => "Report", "args" => [5], "at" => Time.now.to_f + 3600)
      # A retry as Sidekiq's retry handler stores it: the payload in the retry set, scored by when it is due.
      Sidekiq.redis { |c| c.zadd("retry", Time.now.to_f - 2, JSON.generate({"queue" => "mailers", "class" => "Mailer", "args" => [6], "jid" => "r1", "enqueued_at" => Time.now.to_f - 60, "retry_count" => 0})) }
      sleep 0.3
      t0 = Time.now.to_f
      latency = {"mailers" => Sidekiq::Queue.new("mailers").latency, "default" => Sidekiq::Queue.new("default").latency}
      t1 = Time.now.to_f
      puts JSON.generate({t0: t0, t1: t1, latency: latency,
        size: {"mailers" => Sidekiq::Queue.new("mailers").size, "default" => Sidekiq::Queue.new("default").size},
        scheduled: Sidekiq::ScheduledSet.new.size, retries: Sidekiq::RetrySet.new.size})
    `)
    const read = async (now: number) => {
      const [t] = await reader.read([{type: 'worker', backend: 'sidekiq', queues: null}], now)
      expect(t!.error).toBeNull()
      return Object.fromEntries(t!.queues.map(q => [q.name, q]))
    }
    const early = await read(seen.t0 * 1000)
    const late = await read(seen.t1 * 1000)
    expect(Object.keys(early)).toEqual(['default', 'mailers', 'schedule', 'retry'])
    for (const name of ['mailers', 'default']) {
      expect(early[name]!.waiting).toBe(seen.size[name])
      // Sidekiq computed its latency between t0 and t1; ours at t0 and t1 bracket it (to the ms we round to).
      expect(early[name]!.latencyMs).toBeLessThanOrEqual(Math.round(seen.latency[name]! * 1000) + 1)
      expect(late[name]!.latencyMs).toBeGreaterThanOrEqual(Math.round(seen.latency[name]! * 1000) - 1)
    }
    expect(early.schedule).toMatchObject({waiting: 1, delayed: 1})
    expect(early.schedule!.waiting + early.schedule!.delayed).toBe(seen.scheduled)
    expect(early.retry).toMatchObject({waiting: 1, delayed: 0})
    expect(early.retry!.waiting).toBe(seen.retries)
    expect(early.retry!.latencyMs).toBeGreaterThanOrEqual(2000)
  })

  it('reads the queues named by the worker model instead of the queues set', async () => {
    const [t] = await reader.read([{type: 'worker', backend: 'sidekiq', queues: ['mailers', 'nothing-here']}], Date.now())
    expect(t!.queues.map(q => [q.name, q.waiting])).toEqual([['mailers', 2], ['nothing-here', 0], ['schedule', 1], ['retry', 1]])
    expect(t!.queues[1]!.latencyMs).toBe(0)
  })
})
