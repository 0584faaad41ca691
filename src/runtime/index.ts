// heroku-tsq/runtime (spec §7): what an app imports at boot. Importing opens nothing and starts nothing;
// every connection, timer and signal handler comes from a call below.
import type {Processor, Queue, Worker} from 'bullmq'
import type {Settings} from '../core/model/settings.js'
import {connectionsFor, type DrainReport, type TsqQueueOptions, type TsqWorkerOptions} from './connections.js'

export {resolveSettings, SettingsError, type Env, type Role, type Settings, type SettingsProblem} from '../core/model/settings.js'
export {createPgClient, createPgPool, pgClientConfig, pgPoolConfig, warmPgPool} from './postgres.js'
export type {WarmOptions} from './postgres.js'
export {createRedis, redisOptions} from './redis.js'
export {connectionsFor, TsqConnections, type DrainReport, type TsqQueueOptions, type TsqWorkerOptions} from './connections.js'
export {createLogger, type Logger, type LogFields} from './log.js'
export {processName, redisClientName, RuntimeError, type RedisPurpose} from './names.js'
export {run, type RunApp, type RunOptions} from './run.js'
export type {AppCallback, RunContext, ServerLike} from './process.js'
export type {RestartPolicy} from './restart.js'

/** A BullMQ Queue on the process's shared producer connection (one connection for every queue). */
export function createQueue(settings: Settings, queue: string, options?: TsqQueueOptions): Queue {
  return connectionsFor(settings).createQueue(queue, options)
}

/**
 * A BullMQ Worker for `queue` (one of settings.queues) on the process's shared consumer connection, with
 * settings.concurrency; BullMQ adds its one blocking connection.
 */
export function createWorker<DataType = unknown, ResultType = unknown>(
  settings: Settings, queue: string, processor: Processor<DataType, ResultType>, options?: TsqWorkerOptions): Worker<DataType, ResultType> {
  return connectionsFor(settings).createWorker(queue, processor, options)
}

/**
 * Closes what createQueue/createWorker opened for `settings`: stops the workers, waits up to `timeoutMs`
 * (default settings.shutdownTimeout) for jobs in flight, then closes queues, Redis clients and the pool.
 */
export async function closeConnections(settings: Settings, timeoutMs: number = settings.shutdownTimeout): Promise<DrainReport> {
  const connections = connectionsFor(settings)
  const report = await connections.drainWorkers(Date.now() + timeoutMs)
  await connections.close({force: !report.drained, until: Date.now() + 3000})
  return report
}
