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

/** The processor for every queue this worker consumes; `queues` (on the producer connection) take follow-ups. */
export function processor(ctx, table, defaultMs, queues) {
  return async job => {
    await recordStart(ctx.pool, table, job)
    await sleep(job.data.ms ?? defaultMs)
    // `fail: N` makes the first N attempts throw, to show BullMQ's retries (attempts/backoff set by the web).
    if (job.attemptsMade < (job.data.fail ?? 0)) throw new Error(`planned failure on attempt ${job.attemptsMade + 1}`)
    // `next: <queue>` enqueues a follow-up job; its id derives from this one, so a retry does not add a second.
    if (job.data.next) {
      const next = queues.get(job.data.next)
      if (!next) throw new Error(`unknown follow-up queue ${job.data.next}`)
      await next.add('example', {ms: job.data.ms}, {jobId: `${job.id}-next`})
    }
    const result = {queue: job.queueName, dyno: ctx.settings.dyno, pid: process.pid}
    await recordFinish(ctx.pool, table, job, result, `${ctx.settings.dyno}:${process.pid}`)
    return result
  }
}
