// One tsq process (a cluster child, or the only process): opens the connections its role needs, runs the
// app's callback, and on SIGTERM drains within settings.shutdownTimeout, then closes everything in order.
import cluster from 'node:cluster'
import type {Processor, Queue, Worker} from 'bullmq'
import type pg from 'pg'
import type {Settings} from '../core/model/settings.js'
import {TsqConnections, type TsqQueueOptions, type TsqWorkerOptions} from './connections.js'
import type {Logger} from './log.js'
import {warmPgPool} from './postgres.js'
import {within} from './time.js'

/** What the app's `web`/`worker` callback gets: everything bound to this process's shared connections. */
export interface RunContext {
  readonly settings: Settings
  readonly log: Logger
  /** The process's pg Pool (settings.dbPool connections, open since boot); throws if DATABASE_URL is unset. */
  readonly pool: pg.Pool
  readonly connections: TsqConnections
  /** Aborted when shutdown begins: stop starting new work. */
  readonly signal: AbortSignal
  /** A Queue on the shared producer connection (enqueue from web requests and from jobs alike). */
  createQueue(name: string, options?: TsqQueueOptions): Queue
  /** A Worker for one of settings.queues, with settings.concurrency. */
  createWorker<DataType = unknown, ResultType = unknown>(
    name: string, processor: Processor<DataType, ResultType>, options?: TsqWorkerOptions): Worker<DataType, ResultType>
  /** Runs `hook` at shutdown, after HTTP and jobs have drained and before connections close. */
  onShutdown(hook: () => unknown): void
}

/** What `web` may return so the runtime stops it at shutdown: an http.Server, or anything like it. */
export interface ServerLike {
  close(callback?: (error?: Error) => void): unknown
  closeIdleConnections?(): void
  closeAllConnections?(): void
}

export type AppCallback = (ctx: RunContext) => unknown

/** Time a shutdown hook may take. */
const HOOK_MS = 1000
/** Time to close hooks, queues, clients and pool after the drain; the cluster primary allows a little more. */
const CLOSE_BUDGET_MS = 2000
/** Whatever the settings, be gone before Heroku's SIGKILL at 30 s. */
const LAST_EXIT_MS = 29_000

export async function runProcess(callback: AppCallback, settings: Settings, log: Logger, exit: (code: number) => never): Promise<void> {
  const connections = new TsqConnections(settings, log)
  const controller = new AbortController()
  const servers: ServerLike[] = []
  const hooks: Array<() => unknown> = []
  let stopping: Promise<void> | undefined

  const stop = async (reason: string): Promise<never> => {
    const started = Date.now()
    const deadline = started + settings.shutdownTimeout
    const closeBy = Math.min(deadline + CLOSE_BUDGET_MS, started + LAST_EXIT_MS)
    log.info('shutting down', {reason, timeout_ms: settings.shutdownTimeout})
    controller.abort()
    const httpClosed = Promise.all(servers.map(s => new Promise<void>(resolve => {
      s.close(() => resolve())
      s.closeIdleConnections?.()
    })))
    const [httpDone, drain] = await Promise.all([within(httpClosed, deadline - Date.now()), connections.drainWorkers(deadline)])
    if (!httpDone) for (const s of servers) s.closeAllConnections?.()
    if (!drain.drained) {
      log.warn('shutdown timeout reached; jobs still running are left to BullMQ stalled-job recovery', {jobs: drain.abandoned.join(',') || undefined})
    }
    for (const hook of hooks) await within(Promise.resolve().then(hook), Math.min(HOOK_MS, closeBy - Date.now()))
    await connections.close({force: !drain.drained, until: closeBy})
    log.info('shutdown complete', {ms: Date.now() - started})
    return exit(0)
  }
  // Heroku may deliver SIGTERM more than once, and a cluster child also gets the primary's copy: stop once.
  const begin = (reason: string) => {
    if (stopping) log.info('already shutting down; ignoring repeated signal', {reason})
    stopping ??= stop(reason).catch(error => {
      log.error('shutdown failed', {err: error})
      return exit(1)
    })
  }
  process.on('SIGTERM', () => begin('SIGTERM'))
  process.on('SIGINT', () => begin('SIGINT'))
  // A child whose primary died (it lost the IPC channel) would otherwise run on unsupervised.
  if (cluster.isWorker) process.on('disconnect', () => begin('primary exited'))

  try {
    // Open what the doctor counts for this role at boot, so a process holds its budget from the start.
    void connections.producer
    if (settings.role === 'worker') void connections.consumer
    if (settings.databaseUrl) {
      await warmPgPool(connections.pool, undefined, {
        signal: controller.signal,
        onRetry: (held, size, reason) => log.warn('Postgres refused connections at boot; retrying (old dynos may still hold theirs)', {held, size, reason}),
      })
    }
    else log.warn('DATABASE_URL is not set: this process has no Postgres pool')
    const result = await callback(contextFor(settings, log, connections, controller.signal, hooks))
    if (isServerLike(result)) servers.push(result)
  } catch (error) {
    // A SIGTERM during boot closes what exists, and the boot then fails on closed connections: not a crash.
    if (stopping) return void (await stopping)
    log.error('boot failed', {err: error})
    await connections.close({force: true})
    return exit(1)
  }
  // Logged once every connection is up (never, while Redis is unreachable; BullMQ keeps retrying).
  connections.ready().then(() => {
    const {redisConnections: redis, pgConnections: db} = connections
    log.info('ready', {role: settings.role, redis: `${redis}/${settings.redisConnections}`, db: `${db}/${settings.dbPool}`})
    if (redis !== settings.redisConnections) {
      log.warn('this process holds a different number of Redis connections than tsq:doctor predicts (one Worker per queue in TSQ_QUEUES)',
        {holds: redis, predicted: settings.redisConnections})
    }
  }).catch(() => undefined)
}

function contextFor(settings: Settings, log: Logger, connections: TsqConnections, signal: AbortSignal, hooks: Array<() => unknown>): RunContext {
  return {
    settings,
    log,
    get pool() {
      return connections.pool
    },
    connections,
    signal,
    createQueue: (name, options) => connections.createQueue(name, options),
    createWorker: (name, processor, options) => connections.createWorker(name, processor, options),
    onShutdown: hook => {
      hooks.push(hook)
    },
  }
}

function isServerLike(value: unknown): value is ServerLike {
  return typeof value === 'object' && value !== null && typeof (value as ServerLike).close === 'function'
}
