import {describe, expect, it} from 'vitest'
import {parseBullmqReply} from '../../../../src/probe/queues/bullmq.js'
import {enqueuedAtMs, parseSidekiqQueue, parseSidekiqSet} from '../../../../src/probe/queues/sidekiq.js'

const NOW = 1_800_000_000_000
/** The script's reply: counts, then wait tail and prioritized head fields, delayed head score, due count. */
function reply(over: Partial<Record<number, unknown>> = {}): unknown[] {
  const base: unknown[] = [0, 0, 0, 0, 0, 0, false, false, false, false, false, false, false, 0]
  for (const [i, v] of Object.entries(over)) base[Number(i)] = v
  return base
}

describe('parseBullmqReply', () => {
  it('sums wait (less a legacy marker), paused and prioritized as waiting', () => {
    expect(parseBullmqReply('q', reply({0: 4, 1: 1, 2: 2, 3: 3, 4: 5, 5: 6}), NOW))
      .toEqual({name: 'q', backend: 'bullmq', waiting: 10, active: 3, delayed: 6, latencyMs: 0})
  })

  it('counts a waiting job from its timestamp plus the delay it was added with, a retry from its last start', () => {
    expect(parseBullmqReply('q', reply({0: 1, 6: String(NOW - 9000), 7: '{"delay":4000}'}), NOW).latencyMs).toBe(5000)
    expect(parseBullmqReply('q', reply({0: 1, 6: String(NOW - 9000), 7: '{}', 8: String(NOW - 2000)}), NOW).latencyMs).toBe(2000)
    expect(parseBullmqReply('q', reply({0: 1, 6: String(NOW - 9000), 7: 'not json'}), NOW).latencyMs).toBe(9000)
  })

  it('takes the longest wait of the wait tail, the prioritized head and a due delayed job', () => {
    const r = {0: 1, 4: 1, 5: 1, 6: String(NOW - 1000), 9: String(NOW - 3000), 12: String((NOW - 7000) * 0x1000 + 5), 13: 1}
    expect(parseBullmqReply('q', reply(r), NOW).latencyMs).toBe(7000)
    // The delayed head is ignored while nothing in the set is due.
    expect(parseBullmqReply('q', reply({...r, 13: 0}), NOW).latencyMs).toBe(3000)
  })

  it('throws on a reply that is not the script\'s, naming the queue', () => {
    expect(() => parseBullmqReply('emails', 'OK', NOW)).toThrow(/emails/)
    expect(() => parseBullmqReply('emails', reply({0: 'x'}), NOW)).toThrow(/count x/)
  })
})

describe('Sidekiq parsers', () => {
  it('reads enqueued_at in float seconds (Sidekiq ≤ 7) and integer ms (Sidekiq 8)', () => {
    expect(enqueuedAtMs('{"enqueued_at":1800000000.5}')).toBe(1_800_000_000_500)
    expect(enqueuedAtMs('{"enqueued_at":1800000000500}')).toBe(1_800_000_000_500)
    expect(enqueuedAtMs('{"class":"X"}')).toBeNull()
    expect(enqueuedAtMs('garbage')).toBeNull()
  })

  it('a queue: LLEN is waiting, latency from the last element', () => {
    expect(parseSidekiqQueue('default', 3, JSON.stringify({enqueued_at: (NOW - 4000) / 1000}), NOW))
      .toEqual({name: 'default', backend: 'sidekiq', waiting: 3, active: null, delayed: 0, latencyMs: 4000})
    expect(parseSidekiqQueue('default', 0, null, NOW).latencyMs).toBe(0)
    expect(() => parseSidekiqQueue('default', 'WRONGTYPE', null, NOW)).toThrow(/queue:default/)
  })

  it('a set: due jobs wait, later ones are delayed, latency from the earliest score', () => {
    expect(parseSidekiqSet('retry', 5, 2, ['payload', String((NOW - 30_000) / 1000)], NOW))
      .toEqual({name: 'retry', backend: 'sidekiq', waiting: 2, active: null, delayed: 3, latencyMs: 30_000})
    expect(parseSidekiqSet('schedule', 1, 0, ['payload', String((NOW + 30_000) / 1000)], NOW).latencyMs).toBe(0)
  })
})
