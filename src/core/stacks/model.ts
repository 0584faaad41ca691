// One model of a process per stack (spec §8), behind one interface: what a process of a type holds, each
// number with its source and lever. The budget, the checks, scale and setup read a ProcessModel and never ask
// which stack produced it. Pure.
import type {Checkout} from '../model/app-state.js'
import type {DynoSizes} from '../model/dyno-sizes.js'
import type {Env, Role} from '../model/settings.js'
import type {DbRoute} from './pooler.js'
import type {Lever, Sourced} from './sourced.js'

/** The program a process type runs (spec §8, §14). */
export type StackName = 'tsq' | 'puma' | 'sidekiq' | 'solid_queue' | 'good_job' | 'app' | 'none'
export const STACKS: readonly StackName[] = ['tsq', 'puma', 'sidekiq', 'solid_queue', 'good_job', 'app', 'none']

/** What opens connections inside a process (spec §14 `holders`). Solid Cable counts as `action-cable`, Solid Cache as `cache`. */
export type HolderName = 'activerecord' | 'sidekiq' | 'sidekiq-client' | 'action-cable' | 'cache' | 'solid-queue' | 'good-job' | 'tsq' | 'unknown'

/** Any resource of the kind: a holder whose resource is not known (an app process's Redis). */
export const ANY_RESOURCE = '*'

/**
 * One holder of connections in a process of a type: how many it holds at most, on the resource whose config var
 * its configuration reads (spec §14). The budget sums holders per resource by variable.
 */
export interface Holder {
  holder: HolderName
  kind: 'postgres' | 'redis'
  /** The config var it connects with (`REDIS_URL`, `QUEUE_DATABASE_URL`); ANY_RESOURCE when not known. */
  resourceVar: string
  /** Connections per process; with `perDyno`, per dyno (Solid Queue's supervisor beside Puma). */
  perProcess: Sourced<number>
  /** Counted once per dyno rather than once per process of the type. */
  perDyno?: boolean
}

/** The values of a model a fix can change, by name (the keys of `--json`'s `sources`). */
export type ModelValue = 'processesPerDyno' | 'concurrency' | 'threads' | 'dbPool' | 'redisConnections'

/** Values proposed for a type (by a fix or a plan), judged before anyone edits a file: they win over every source. */
export type Overrides = Partial<Record<SettableValue, number>>

/** What a model is built from: one process type, the config vars its dynos see, its command and the checkout. */
export interface ModelInput {
  type: string
  /** Dyno size, lower-cased; null or '' when unknown (local). */
  size: string | null
  /** What each size has (memory, vCPUs) and where that comes from; absent: the built-in table. */
  sizes?: DynoSizes
  config: Env
  /** The command its dynos run; undefined when not known. */
  command?: string
  checkout?: Checkout
  overrides?: Overrides
}

/** A problem of a model's inputs: an invalid variable (`settings` fails) or a value that could not be read (`settings` warns). */
export interface ModelProblem {
  variable: string
  /** The offending value, redacted; for an unreadable file form, the form and where. */
  value: string
  allowed: string
  /** `invalid`: a value the app would reject; `unknown`: tsq could not read it and assumed a default. */
  kind: 'invalid' | 'unknown'
}

export interface ProcessModel {
  type: string
  stack: Sourced<StackName>
  role: Role
  processesPerDyno: Sourced<number>
  /** Jobs in flight per process (worker stacks); null otherwise. */
  concurrency: Sourced<number> | null
  /** Puma threads per process; null otherwise. */
  threads: Sourced<number> | null
  /** Postgres connections one process holds at most. */
  dbPool: Sourced<number>
  /** The pool the app configures (ActiveRecord pool, pg max): what a too-small pool check compares with concurrency. */
  dbPoolSetting: Sourced<number> | null
  /** Redis connections one process holds at most. */
  redisConnections: Sourced<number>
  /** Queues a worker process consumes (worker.dynos). */
  queues: string[]
  /** Every holder of connections of this process, on the resource it reads (spec §14); `dbPool` and
   *  `redisConnections` are their totals on the primary Postgres and Redis variables. */
  holders: Holder[]
  /** The Active Job backends this process consumes jobs of (jobs.consumer); `uncertain` says why it may not. */
  consumes?: Array<{backend: JobBackend, uncertain?: string}>
  /** Checks that belong to this stack's own rules (`postgres.pool`, `redis.pool`), judged by the model. */
  findings: StackFinding[]
  /** Variables and file forms that could not be read or are invalid. */
  problems: ModelProblem[]
  /** How to change a value of this process, in the app's own terms; null when nothing tsq can name sets it. */
  leverFor(value: SettableValue): Lever | null
  /** The values to set so that one process holds at most `n` Postgres connections and no job waits for one. Never
   *  below 1 (spec §2: a pool, thread count or concurrency of 0 is invalid): at 1 when `n` is out of reach, [] when
   *  already there; the caller re-judges. */
  capDb(n: number): Array<{value: SettableValue, to: number}>
  /** The values to set so that one process holds at most `n` connections on its Redis (`redisConnections`), where
   *  a setting the user can turn decides them (Sidekiq's concurrency and Redis pool sizes); [] when none does or
   *  it already holds at most `n`. At the lowest values it can (never below 1), when `n` is out of reach: the caller re-judges. */
  capRedis(n: number): Array<{value: SettableValue, to: number}>
  /** How it reaches Postgres: the URL variable, a pgbouncer in its dyno, the session features it needs (spec §11). */
  dbRoute?: DbRoute
}

/** An Active Job backend a process may consume (spec §14 jobs.consumer). */
export type JobBackend = 'sidekiq' | 'solid_queue' | 'good_job'

/** The values of a model a plan or fix sets. `redisPoolSetting`: the Redis pool size the app configures (Sidekiq's
 *  `config.redis = {size: n}`, or a web process's Sidekiq client pool). */
export type SettableValue = 'processesPerDyno' | 'concurrency' | 'threads' | 'dbPoolSetting' | 'redisPoolSetting'

/** A stack's own judgement of one of its processes: a pool too small for its concurrency, a Redis pool Sidekiq refuses. */
export interface StackFinding {
  id: 'postgres.pool' | 'redis.pool'
  status: 'ok' | 'warn' | 'fail'
  message: string
  /** The values that would fix it, per lever. */
  set: Array<{value: SettableValue, to: number}>
}

/** The JSON `sources` object of spec §8. */
export function sourcesOf(m: ProcessModel): Record<ModelValue, string> {
  return {
    processesPerDyno: m.processesPerDyno.source,
    concurrency: m.concurrency?.source ?? `not a worker (${m.stack.value})`,
    threads: m.threads?.source ?? `not a threaded web server (${m.stack.value})`,
    dbPool: m.dbPool.source,
    redisConnections: m.redisConnections.source,
  }
}

/** Whether a number of the model stands on a value tsq could not read (a guess never passes, spec §8). */
export function assumptionsOf(m: ProcessModel): string[] {
  const values = [m.stack, m.processesPerDyno, m.concurrency, m.threads, m.dbPool, m.redisConnections, m.dbPoolSetting]
  return [...new Set(values.flatMap(v => v?.unknown ? [v.unknown] : []))]
}
