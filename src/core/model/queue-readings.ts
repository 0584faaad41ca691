// What the autoscaler and `tsq:doctor --live` know of a worker type's queues (spec §10): per queue its depth
// and the age of the job that has waited longest to run. Read by src/probe/queues, judged here. Pure data.

/** The job system a queue belongs to. */
export type QueueBackend = 'bullmq' | 'sidekiq'

/** One queue as the `--json` document shows it (spec §10), plus what the decision needs besides. */
export interface QueueReading {
  name: string
  backend: QueueBackend
  /** Jobs ready to run: BullMQ wait + paused + prioritized; Sidekiq the queue's length (LLEN), or for the
   *  `schedule`/`retry` sets the jobs already due. */
  waiting: number
  /** Jobs running now (BullMQ `active`); null for Sidekiq, whose running jobs are kept per process, not per queue. */
  active: number | null
  /** Jobs scheduled for later, due ones included (BullMQ `delayed`; Sidekiq `schedule`/`retry` set size). */
  delayed: number
  /** ms since the longest-waiting job became ready to run (a delayed job from when it became due); 0 when none. */
  latencyMs: number
}

/** The queues of one worker type to read. */
export interface QueueTarget {
  type: string
  backend: QueueBackend
  /** Queue names; for Sidekiq, null reads the names from Sidekiq's `queues` set. */
  queues: string[] | null
}

/** The readings of one worker type: its queues, or why they could not be read this step. */
export interface TypeQueues {
  type: string
  backend: QueueBackend
  queues: QueueReading[]
  /** Set when Redis could not be read (unreachable, refused): the type is not decided this step. */
  error: string | null
}

/** Latency of a type: the worst of its queues. */
export function latencyOf(queues: readonly QueueReading[]): number {
  return queues.reduce((worst, q) => Math.max(worst, q.latencyMs), 0)
}

/** Nothing waiting and nothing running (spec §10: "queue empty"). */
export function isEmpty(queues: readonly QueueReading[]): boolean {
  return queues.every(q => q.waiting === 0 && (q.active ?? 0) === 0)
}

/** A job is ready to run: one waiting, or one delayed and already due (its latency is above 0). */
export function hasReadyJob(queues: readonly QueueReading[]): boolean {
  return queues.some(q => q.waiting > 0 || q.latencyMs > 0)
}
