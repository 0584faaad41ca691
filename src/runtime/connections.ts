// The connections one process shares, opened exactly as the spec's formula counts them (spec §2):
// one producer for every Queue; for a worker also one consumer shared by every Worker, plus the one
// blocking duplicate BullMQ makes per Worker; and one pg Pool of dbPool connections.
import {Queue, Worker, type Processor, type QueueOptions, type RedisClient, type WorkerOptions} from 'bullmq'
import type {Redis} from 'ioredis'
import type pg from 'pg'
import {typeKey, type Settings} from '../core/model/settings.js'
import {createLogger, type Logger} from './log.js'
import {redisClientName, RuntimeError} from './names.js'
import {createPgPool} from './postgres.js'
import {createRedis} from './redis.js'
import {within} from './time.js'

export type TsqQueueOptions = Omit<QueueOptions, 'connection'>
/** Connection, name and concurrency come from the settings (the doctor's prediction depends on them). */
export type TsqWorkerOptions = Omit<WorkerOptions, 'connection' | 'name' | 'concurrency'>

export interface DrainReport {
  /** Every in-flight job finished before the deadline. */
  drained: boolean
  /** Jobs still running at the deadline: BullMQ's stalled-job check gives them to another worker. */
  abandoned: string[]
}

/** Per-step bound on closing queues, clients and the pool (after the drain deadline). */
const CLOSE_STEP_MS = 1000

/**
 * A Queue on the fail-fast producer connection. BullMQ makes a new Queue wait for its connection's next
 * 'ready' before any command, however long that takes, so a Queue created while Redis is down would hang
 * every call until Redis is back. Here a call fails instead while the producer is reconnecting, or as soon
 * as the connection attempt in progress fails. waitUntilReady() still waits, and the Queue works once
 * Redis is back.
 *
 * Every command of a Queue, in BullMQ 5 and 6 alike, reads the `client` promise of the Queue's one
 * RedisConnection (BullMQ 5 keeps it as `queue.connection`, BullMQ 6 on its backend); the gate is put on
 * that object, so the runtime works with whichever major the app installed.
 */
class ProducerQueue extends Queue {
  private readonly readyClient: () => Promise<RedisClient>

  constructor(name: string, options: QueueOptions & {connection: Redis}) {
    super(name, options)
    const connection = redisConnectionOf(this)
    const producer = options.connection
    const ready = reinitializing(connection, clientGetterOf(connection).bind(connection), producer)
    this.readyClient = ready
    Object.defineProperty(connection, 'client', {
      configurable: true,
      get: () => gated(ready(), producer),
    })
  }

  // BullMQ 5 resolves it to the client, BullMQ 6 to nothing: the client fits both.
  override waitUntilReady(): ReturnType<Queue['waitUntilReady']> {
    // BullMQ 5 calls this from its constructor, before `readyClient` is set (nothing is gated yet then).
    return (this.readyClient ? this.readyClient() : redisConnectionOf(this).client) as unknown as ReturnType<Queue['waitUntilReady']>
  }
}

interface ConnectionLike {
  client: Promise<RedisClient>
}

/** What BullMQ 5 and 6 alike keep on a RedisConnection to initialize it, as reinitializing() uses it. */
interface InitializingConnection extends ConnectionLike {
  initializing?: Promise<RedisClient>
  init?: () => Promise<RedisClient>
  closing?: boolean
  handleClientError?: (...args: unknown[]) => void
  handleClientClose?: (...args: unknown[]) => void
  handleClientReady?: (...args: unknown[]) => void
}

/**
 * BullMQ initializes a RedisConnection once: it waits for the client's 'ready', asks the server's version
 * (INFO) and keeps that promise as `client` for every later command. On the fail-fast producer that INFO
 * fails when the connection drops again just after 'ready' (a failover that flaps), and a Queue created
 * during the outage would then reject every call for ever, though the producer is back. Here a failed
 * initialization runs again (BullMQ's own init(), which waits for 'ready' again) on the next call.
 */
function reinitializing(connection: ConnectionLike, ready: () => Promise<RedisClient>, producer: Redis): () => Promise<RedisClient> {
  const c = connection as InitializingConnection
  const watched = new WeakSet<Promise<RedisClient>>()
  const failed = new WeakSet<Promise<RedisClient>>()
  const watch = (promise: Promise<RedisClient>) => {
    if (!watched.has(promise)) {
      watched.add(promise)
      promise.catch(() => failed.add(promise))
    }
    return promise
  }
  let current = watch(ready())
  return () => {
    if (failed.has(current) && !c.closing && producer.status !== 'end' && typeof c.init === 'function') {
      // init() adds BullMQ's listeners to the client again: take the ones of the failed run off first.
      if (c.handleClientError) producer.off('error', c.handleClientError)
      if (c.handleClientClose) producer.off('close', c.handleClientClose)
      if (c.handleClientReady) producer.off('ready', c.handleClientReady)
      c.initializing = c.init()
    }
    current = watch(ready())
    return current
  }
}

/** The RedisConnection behind a Queue: `queue.connection` in BullMQ 5, `queue.getBackend().connection` in 6. */
function redisConnectionOf(queue: Queue): ConnectionLike {
  const q = queue as unknown as {connection?: ConnectionLike, getBackend?: () => {connection?: ConnectionLike}}
  const connection = q.getBackend?.().connection ?? q.connection
  if (!connection || !('client' in connection)) {
    throw new RuntimeError('This BullMQ version keeps its Redis connection where heroku-tsq does not look: heroku-tsq supports BullMQ 5 and 6', 'TSQ_BULLMQ_VERSION')
  }
  return connection
}

/** BullMQ's own `client` getter of a RedisConnection (found on its class). */
function clientGetterOf(connection: ConnectionLike): () => Promise<RedisClient> {
  for (let proto = Object.getPrototypeOf(connection); proto; proto = Object.getPrototypeOf(proto)) {
    const getter = Object.getOwnPropertyDescriptor(proto, 'client')?.get
    if (getter) return getter as () => Promise<RedisClient>
  }
  throw new RuntimeError('BullMQ\'s RedisConnection has no client getter: heroku-tsq supports BullMQ 5 and 6', 'TSQ_BULLMQ_VERSION')
}

/** The connection's client promise when the producer is ready; a fast failure while it is not. */
function gated(ready: Promise<RedisClient>, producer: Redis): Promise<RedisClient> {
  if (producer.status === 'ready') return ready
  if (producer.status === 'reconnecting' || producer.status === 'close' || producer.status === 'end') return observed(Promise.reject(unavailable()))
  // Connecting: an initialized connection wins the race (ioredis then rejects the command itself).
  return observed(Promise.race([ready, attemptFailure(producer)]))
}

/**
 * BullMQ reads `client` in its constructor and keeps the promise without awaiting it; a rejection nobody
 * observes would be an unhandled rejection, which ends a Node process. Whoever awaits it still gets the error.
 */
function observed<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}

function unavailable(): RuntimeError {
  return new RuntimeError('Redis is unreachable (producer connections fail fast rather than wait): try again later', 'TSQ_REDIS_UNAVAILABLE')
}

// One watcher per connection attempt, shared by every call made during it (not one listener per call).
const attempts = new WeakMap<Redis, Promise<never>>()

/** Rejects when the producer's connection attempt in progress fails; never settles if it succeeds. */
function attemptFailure(producer: Redis): Promise<never> {
  let attempt = attempts.get(producer)
  if (!attempt) {
    attempt = new Promise<never>((_resolve, reject) => {
      const done = () => {
        producer.off('close', fail)
        producer.off('ready', done)
        attempts.delete(producer)
      }
      const fail = () => {
        done()
        reject(unavailable())
      }
      producer.once('close', fail)
      producer.once('ready', done)
    })
    // Nobody may be waiting on it any more when it fails: that is not an unhandled rejection.
    attempt.catch(() => undefined)
    attempts.set(producer, attempt)
  }
  return attempt
}

export class TsqConnections {
  readonly log: Logger
  private producerClient: Redis | undefined
  private consumerClient: Redis | undefined
  private pgPool: pg.Pool | undefined
  private readonly queues: Queue[] = []
  private readonly workers = new Map<string, Worker>()
  private readonly inFlight = new Set<string>()
  private closed = false

  constructor(readonly settings: Settings, log?: Logger) {
    this.log = log ?? createLogger(settings)
  }

  /** The fail-fast producer connection every Queue of this process shares (opened on first use). */
  get producer(): Redis {
    this.assertOpen('a Redis connection', false)
    return this.producerClient ??= createRedis(this.settings, 'producer', this.log)
  }

  /** The consumer connection every Worker of this process shares (opened on first use). */
  get consumer(): Redis {
    this.assertOpen('a Redis connection', true)
    return this.consumerClient ??= createRedis(this.settings, 'consumer', this.log)
  }

  /** The process's pg Pool of `settings.dbPool` connections (created on first use; see warmPgPool). */
  get pool(): pg.Pool {
    this.assertOpen('a Postgres pool', false)
    return this.pgPool ??= createPgPool(this.settings, this.log)
  }

  /** Redis connections this process holds now: compare with `settings.redisConnections`. */
  get redisConnections(): number {
    return (this.producerClient ? 1 : 0) + (this.consumerClient ? 1 : 0) + this.workers.size
  }

  /** Postgres connections the process's pool holds now: compare with `settings.dbPool`. */
  get pgConnections(): number {
    return this.pgPool?.totalCount ?? 0
  }

  /** A BullMQ Queue on the shared producer connection: no new connection, however many queues. */
  createQueue(name: string, options: TsqQueueOptions = {}): Queue {
    const queue: Queue = new ProducerQueue(name, {...options, connection: this.producer})
    queue.on('error', error => this.log.error('queue error', {queue: name, err: error}))
    this.queues.push(queue)
    return queue
  }

  /**
   * A BullMQ Worker for one of `settings.queues`, on the shared consumer connection, with the resolved
   * concurrency. BullMQ adds one blocking connection, named `bull:<base64 queue>:w:tsq:<dyno>:<pid>:blocking`.
   */
  createWorker<DataType = unknown, ResultType = unknown>(
    name: string, processor: Processor<DataType, ResultType>, options: TsqWorkerOptions = {}): Worker<DataType, ResultType> {
    const {settings} = this
    if (!settings.queues.includes(name)) {
      throw new RuntimeError(`Queue "${name}" is not one this process consumes (${settings.queues.join(', ')}): add it to TSQ_QUEUES, where tsq:doctor counts its connection`, 'TSQ_UNKNOWN_QUEUE')
    }
    if (this.workers.has(name)) {
      throw new RuntimeError(`A worker for queue "${name}" already exists in this process: one Worker per queue, with concurrency from TSQ_CONCURRENCY`, 'TSQ_DUPLICATE_WORKER')
    }
    const worker = new Worker<DataType, ResultType>(name, processor, {
      ...options,
      connection: this.consumer,
      concurrency: settings.concurrency ?? 1,
      name: redisClientName(settings, 'blocking'),
    })
    worker.on('error', error => this.log.error('worker error', {queue: name, err: error}))
    worker.on('active', job => this.inFlight.add(`${name}/${job.id}`))
    worker.on('completed', job => this.inFlight.delete(`${name}/${job.id}`))
    worker.on('failed', (job, error) => {
      if (job) this.inFlight.delete(`${name}/${job.id}`)
      this.log.warn('job failed', {queue: name, job: job?.id, attempt: job?.attemptsMade, err: error})
    })
    this.workers.set(name, worker as unknown as Worker)
    return worker
  }

  /** Resolves when every Queue, Worker and client opened so far is connected and ready. */
  async ready(): Promise<void> {
    await Promise.all([...this.queues, ...this.workers.values()].map(q => q.waitUntilReady()))
  }

  /**
   * Stops every Worker from taking jobs and waits until `deadline` (epoch ms) for the jobs in flight.
   * A job still running then keeps its Redis lock until it expires, and another worker retries it.
   */
  async drainWorkers(deadline: number): Promise<DrainReport> {
    const closing = Promise.all([...this.workers.values()].map(w => w.close()))
    const drained = await within(closing, deadline - Date.now())
    return {drained, abandoned: drained ? [] : [...this.inFlight]}
  }

  /**
   * Closes queues, then Redis clients, then the pool, in that order (BullMQ does not close connections it
   * was given), each step bounded so that all is done by `until` (epoch ms). After a drain that timed out
   * (`force`), clients are cut rather than quit: a job still running would otherwise keep them busy.
   */
  async close({force = false, until = Date.now() + 3 * CLOSE_STEP_MS}: {force?: boolean, until?: number} = {}): Promise<void> {
    if (this.closed) return
    this.closed = true
    const step = () => Math.min(CLOSE_STEP_MS, until - Date.now())
    await within(Promise.allSettled(this.queues.map(q => q.close())), step())
    for (const client of [this.producerClient, this.consumerClient]) {
      if (!client) continue
      if (force || !(await within(client.quit(), step()))) client.disconnect()
    }
    if (this.pgPool && !(await within(this.pgPool.end(), until - Date.now()))) {
      this.log.warn('Postgres pool still had clients checked out at exit')
    }
  }

  private assertOpen(what: string, consumer: boolean): void {
    if (this.closed) throw new RuntimeError(`Cannot open ${what}: this process's tsq connections are closed`, 'TSQ_CLOSED')
    const role = this.settings.role
    if (role === 'none' || (consumer && role !== 'worker')) {
      throw new RuntimeError(`A process with role ${role} holds no ${consumer ? 'consumer' : 'tsq'} connections (tsq:doctor counts none): set TSQ_${typeKey(this.settings.type)}_ROLE`, 'TSQ_ROLE')
    }
  }
}

const byProcess = new WeakMap<Settings, TsqConnections>()

/** The shared connections of the process described by `settings` (one set per settings object). */
export function connectionsFor(settings: Settings): TsqConnections {
  let connections = byProcess.get(settings)
  if (!connections) byProcess.set(settings, connections = new TsqConnections(settings))
  return connections
}
