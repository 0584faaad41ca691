// The job: record the attempt, "work" for EXAMPLE_JOB_MS (or the job's own `ms`), record the result.
import {setTimeout as sleep} from 'node:timers/promises'
import {recordFinish, recordStart} from './db.js'

/** BullMQ Worker options from the environment, so fault tests can shorten lock and stall checks. */
export function workerOptions(env = process.env) {
  const options = {}
  if (env.EXAMPLE_LOCK_MS) options.lockDuration = Number(env.EXAMPLE_LOCK_MS)
  if (env.EXAMPLE_STALLED_MS) options.stalledInterval = Number(env.EXAMPLE_STALLED_MS)
  return options
}

/** The processor for every queue this worker consumes. */
export function processor(ctx, table, defaultMs) {
  return async job => {
    await recordStart(ctx.pool, table, job)
    await sleep(job.data.ms ?? defaultMs)
    // `fail: N` makes the first N attempts throw, to show BullMQ's retries (attempts/backoff set by the web).
    if (job.attemptsMade < (job.data.fail ?? 0)) throw new Error(`planned failure on attempt ${job.attemptsMade + 1}`)
    const result = {queue: job.queueName, dyno: ctx.settings.dyno, pid: process.pid}
    await recordFinish(ctx.pool, table, job, result, `${ctx.settings.dyno}:${process.pid}`)
    return result
  }
}
