// The BullMQ queue reading against real BullMQ on the machine's Redis (a unique key prefix per test): the
// counts BullMQ's own getJobCounts reports, and latency from the jobs' own timestamps.
import {randomUUID} from 'node:crypto'
import {Queue, Worker} from 'bullmq'
import {Redis} from 'ioredis'
import {afterEach, describe, expect, it} from 'vitest'
import type {QueueReading} from '../../../../src/core/model/queue-readings.js'
import {type QueueReader, createQueueReader} from '../../../../src/probe/queues/reader.js'

const URL = process.env.TSQ_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const connection = {url: URL}

let cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined)
  cleanup = []
})

function setup(): {prefix: string, queue: (name: string) => Queue, reader: QueueReader} {
  const prefix = `tsqtest-${randomUUID().slice(0, 8)}`
  const reader = createQueueReader(URL, {connectionName: `tsq:test:${process.pid}:autoscale`, prefix})
  cleanup.push(() => reader.close())
  const queue = (name: string) => {
    const q = new Queue(name, {connection, prefix})
    cleanup.push(async () => {
      await q.obliterate({force: true})
      await q.close()
    })
    return q
  }
  return {prefix, queue, reader}
}

async function readOne(reader: QueueReader, names: string[], now: number): Promise<QueueReading[]> {
  const [typeQueues] = await reader.read([{type: 'worker', backend: 'bullmq', queues: names}], now)
  expect(typeQueues!.error).toBeNull()
  return typeQueues!.queues
}

async function expectCounts(q: Queue, reading: QueueReading): Promise<void> {
  const c = await q.getJobCounts('waiting', 'paused', 'prioritized', 'active', 'delayed')
  expect({waiting: reading.waiting, active: reading.active, delayed: reading.delayed})
    .toEqual({waiting: c.waiting! + c.paused! + c.prioritized!, active: c.active, delayed: c.delayed})
}

describe('BullMQ queue readings', () => {
  it('an empty queue reads as zeros', async () => {
    const {queue, reader} = setup()
    const q = queue('empty')
    const [r] = await readOne(reader, ['empty'], Date.now())
    expect(r).toEqual({name: 'empty', backend: 'bullmq', waiting: 0, active: 0, delayed: 0, latencyMs: 0})
    await expectCounts(q, r!)
  })

  it('waiting, prioritized and due delayed jobs: counts as getJobCounts, latency from the longest-waiting ready job', async () => {
    const {queue, reader} = setup()
    const q = queue('mixed')
    const first = await q.add('a', {n: 1})
    await q.add('b', {n: 2})
    const urgent = await q.add('c', {n: 3}, {priority: 1})
    const due = await q.add('d', {n: 4}, {delay: 5})
    await q.add('e', {n: 5}, {delay: 3_600_000})
    await new Promise(resolve => setTimeout(resolve, 20))
    const now = Date.now() + 10_000
    const [r] = await readOne(reader, ['mixed'], now)
    await expectCounts(q, r!)
    expect(r).toMatchObject({waiting: 3, active: 0, delayed: 2})
    const oldest = Math.min(first.timestamp, urgent.timestamp, due.timestamp + 5)
    expect(r!.latencyMs).toBe(now - oldest)
  })

  it('a delayed job counts from when it became due, not from when it was added', async () => {
    const {queue, reader} = setup()
    const q = queue('later')
    const job = await q.add('x', {}, {delay: 60_000})
    const before = await readOne(reader, ['later'], job.timestamp + 59_000)
    expect(before[0]).toMatchObject({waiting: 0, delayed: 1, latencyMs: 0})
    const after = await readOne(reader, ['later'], job.timestamp + 61_000)
    expect(after[0]).toMatchObject({waiting: 0, delayed: 1, latencyMs: 1000})
    await expectCounts(q, after[0]!)
  })

  it('active jobs and a paused queue count as getJobCounts does', async () => {
    const {queue, reader} = setup()
    const q = queue('busy')
    let release!: () => void
    const held = new Promise<void>(resolve => {
      release = resolve
    })
    let started!: () => void
    const running = new Promise<void>(resolve => {
      started = resolve
    })
    const worker = new Worker('busy', async () => {
      started()
      await held
    }, {connection, prefix: (q.opts.prefix ?? 'bull'), concurrency: 1})
    cleanup.push(() => worker.close(true))
    await q.add('held', {})
    await running
    await q.pause()
    await q.add('parked', {})
    const [r] = await readOne(reader, ['busy'], Date.now())
    await expectCounts(q, r!)
    expect(r).toMatchObject({active: 1, waiting: 1})
    release()
  })

  it('reads several queues in one call over one named connection kept from one step to the next', async () => {
    const {queue, reader} = setup()
    queue('one')
    const two = queue('two')
    await two.add('x', {})
    const spy = new Redis(URL)
    cleanup.push(async () => spy.disconnect())
    const readings = await readOne(reader, ['one', 'two'], Date.now())
    expect(readings.map(r => [r.name, r.waiting])).toEqual([['one', 0], ['two', 1]])
    const named = (list: string) => list.split('\n').filter(l => l.includes(`name=tsq:test:${process.pid}:autoscale`))
    const first = named(await spy.client('LIST') as string)
    await readOne(reader, ['one', 'two'], Date.now())
    const second = named(await spy.client('LIST') as string)
    expect(first).toHaveLength(1)
    expect(second.map(l => l.split(' ')[0])).toEqual(first.map(l => l.split(' ')[0]))
  })
})
