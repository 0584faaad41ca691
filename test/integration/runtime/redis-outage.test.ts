// A Redis outage, on a throwaway server (never the shared 6379): a web process's producer connection fails
// fast (an enqueue rejects instead of hanging the request), and once Redis is back the same queue enqueues
// again and a worker created before the outage takes new jobs, without anyone opening new clients (spec §7).
import type {Queue} from 'bullmq'
import {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {closeConnections, connectionsFor, createQueue, createWorker, resolveSettings, type Settings} from '../../../src/runtime/index.js'
import {startRedis, type RedisService} from '../../helpers/services.js'
import {redisNames, uid, until} from './harness.js'

/** Put in the Redis URL: no error a caller sees may carry it. */
const PASSWORD = 'tsq-outage-S3NTINEL-pw'
/** Generous: "fails fast" means well within this, where a hang would never settle. */
const BOUND_MS = 5000
const PENDING = Symbol('still pending after the bound')

type Outcome<T> = {value: T} | {error: unknown} | typeof PENDING

/** How `promise` settles within `ms`, or PENDING: a hang shows as PENDING rather than as the test timing out. */
async function settleWithin<T>(promise: Promise<T>, ms = BOUND_MS): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined
  const bound = new Promise<typeof PENDING>(resolve => {
    timer = setTimeout(() => resolve(PENDING), ms)
  })
  try {
    return await Promise.race([promise.then(value => ({value}), (error: unknown) => ({error})), bound])
  } finally {
    clearTimeout(timer)
  }
}

function expectRejectedWithoutPassword(outcome: Outcome<unknown>): void {
  expect(outcome).not.toBe(PENDING)
  expect(outcome).toHaveProperty('error')
  const {error} = outcome as {error: unknown}
  expect(error).toBeInstanceOf(Error)
  expect((error as Error).message).not.toContain(PASSWORD)
  expect(String(error)).not.toContain(PASSWORD)
}

const id = uid()
const queueName = `${id}-jobs`
const prefix = `tsq-${id}`
let server: RedisService
let admin: Redis
let web: Settings
let worker: Settings
let webQueue: Queue
const processed: string[] = []

/** The tsq-named clients of both processes the server sees. */
async function tsqClients(): Promise<string[]> {
  return [...await redisNames(admin, web.dyno), ...await redisNames(admin, worker.dyno)].sort()
}

beforeAll(async () => {
  server = await startRedis({password: PASSWORD, maxclients: 50})
  expect(server.url).toContain(PASSWORD)
  admin = new Redis(server.url, {maxRetriesPerRequest: null})
  admin.on('error', () => {}) // it reconnects by itself after the restart
  web = resolveSettings({DYNO: `web.${id}`, REDIS_URL: server.url, TSQ_QUEUES: queueName})
  worker = resolveSettings({DYNO: `worker.${id}`, REDIS_URL: server.url, TSQ_QUEUES: queueName, TSQ_CONCURRENCY: '1'})
  expect([web.role, worker.role]).toEqual(['web', 'worker'])
  expect(web.redisUrl).toBe(server.url)

  createWorker(worker, queueName, async job => {
    processed.push(job.id!)
  }, {prefix})
  webQueue = createQueue(web, queueName, {prefix})
  await Promise.all([connectionsFor(worker).ready(), connectionsFor(web).ready()])
  // Both work before the outage.
  await webQueue.add('job', {}, {jobId: 'before'})
  await until(async () => processed.includes('before'), 10_000, 'the job added before the outage')
})

afterAll(async () => {
  await Promise.allSettled([web && closeConnections(web, 1000), worker && closeConnections(worker, 1000)])
  admin?.disconnect()
  await server?.stop()
})

describe('a Redis outage', () => {
  let clientsBefore: string[]
  let outageQueue: Queue | undefined

  it('while Redis is down, add() from a web process rejects within 5 s, on its queue from before the outage and on one created during it, no error carries the password, and no rejection goes unhandled', async () => {
    clientsBefore = await tsqClients()
    // The web producer; the worker's consumer and its Worker's blocking connection (it enqueues nothing).
    expect(clientsBefore).toEqual([
      `${prefix}:${Buffer.from(queueName).toString('base64')}:w:tsq:${worker.dyno}:${process.pid}:blocking`,
      `tsq:${web.dyno}:${process.pid}:producer`,
      `tsq:${worker.dyno}:${process.pid}:consumer`,
    ])

    // A rejection nobody observes (BullMQ keeps the client promise it reads in its constructor) would end
    // a user's web process: none may occur.
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => void unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      await server.restart(async () => {
        expectRejectedWithoutPassword(await settleWithin(webQueue.add('job', {}, {jobId: 'during'})))
        outageQueue = createQueue(web, queueName, {prefix})
        expectRejectedWithoutPassword(await settleWithin(outageQueue.add('job', {}, {jobId: 'during-new'})))
        // Stay down a while: every client goes through failed reconnect attempts, not just one dropped socket.
        await new Promise(resolve => setTimeout(resolve, 1500))
      })
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
    expect(unhandled).toEqual([])
  })

  it('once the producer has reconnected, add() succeeds at the first try on the queue from before the outage and on the one created during it, on the same client; the worker created before the outage takes the new jobs, and both processes hold the clients they held before', async () => {
    expect(outageQueue).toBeDefined()
    const producer = connectionsFor(web).producer
    // A web process answers 503 until its connection is ready again; from then on every queue's add succeeds,
    // also on the queue created during the outage (its connection set up while Redis was down).
    await until(async () => producer.status === 'ready', 60_000, 'the producer to reconnect')
    for (const [queue, jobId] of [[webQueue, 'after'], [outageQueue!, 'after-new']] as const) {
      const outcome = await settleWithin(queue.add('job', {}, {jobId}))
      expect(outcome, `add() of ${jobId}`).toHaveProperty('value')
    }
    expect(connectionsFor(web).producer).toBe(producer)
    expect(connectionsFor(web).redisConnections).toBe(web.redisConnections)

    await until(async () => processed.includes('after') && processed.includes('after-new'), 15_000,
      'the worker to process the jobs added after the outage')
    expect(processed.sort()).toEqual(['after', 'after-new', 'before'])
    await until(async () => JSON.stringify(await tsqClients()) === JSON.stringify(clientsBefore), 10_000,
      'the same tsq clients as before the outage')
  })
})

describe('a connection that drops again just as it is ready', () => {
  it('a queue created during an outage whose first version check (INFO) failed, because Redis died again the moment the producer was ready, rejects while Redis is down and adds at the first try on the same client once the producer has reconnected; no rejection goes unhandled', async () => {
    const producer = connectionsFor(web).producer
    const connections = connectionsFor(web).redisConnections
    let flapQueue: Queue | undefined
    let killedPid: number | undefined
    let reconnects = 0
    const countReconnect = () => void reconnects++
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => void unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      await server.restart(async () => {
        flapQueue = createQueue(web, queueName, {prefix})
        // Registered after the queue's own wait for 'ready' (BullMQ adds it in createQueue): BullMQ's INFO is
        // written only after this listener has killed the server, so that INFO never gets an answer.
        producer.once('ready', () => {
          killedPid = server.pid
          process.kill(killedPid, 'SIGKILL')
          producer.on('reconnecting', countReconnect)
        })
      })
      // ioredis fails a command in flight once the producer's reconnect attempts pass maxRetriesPerRequest (1):
      // the INFO has failed once a second attempt is scheduled, i.e. one attempt on the dead server failed.
      await until(async () => reconnects >= 2, 30_000, 'a reconnect attempt of the producer to fail after the server was killed')
      // While Redis is down again the new queue fails fast, as any queue does.
      expectRejectedWithoutPassword(await settleWithin(flapQueue!.add('job', {}, {jobId: 'during-flap'})))
      await server.restart()
      expect(server.pid).not.toBe(killedPid)
      await until(async () => producer.status === 'ready', 60_000, 'the producer to reconnect')
      expect(await settleWithin(flapQueue!.add('job', {}, {jobId: 'after-flap'}))).toHaveProperty('value')
    } finally {
      process.off('unhandledRejection', onUnhandled)
      producer.off('reconnecting', countReconnect)
    }
    expect(unhandled).toEqual([])
    expect(connectionsFor(web).producer).toBe(producer)
    expect(connectionsFor(web).redisConnections).toBe(connections)
    await until(async () => processed.includes('after-flap'), 30_000, 'the worker to process the job added after the flap')
    expect(processed).not.toContain('during-flap')
  })
})
