// tsq:autoscale's I/O shell (spec §10): each step reads the formation (the whole app every `refreshMs`), the
// queues over one Redis connection kept for the whole run, decides with the pure core, and sends at most ONE
// formation PATCH. `--once` is one step whose errors end the command; with an interval the loop survives API
// errors (bounded backoff), Redis outages (the step is skipped and logged) and bad answers, and stops within
// a few seconds of its signal.
import type {AppState} from '../core/model/app-state.js'
import {dynoSizesFallbackWarning} from '../core/model/dyno-sizes.js'
import {assess} from '../core/assess/assess.js'
import {type AutoscaleSettings, decideAutoscale} from '../core/plans/autoscale/decide.js'
import type {TypeQueues} from '../core/model/queue-readings.js'
import {selectTargets} from '../core/plans/autoscale/targets.js'
import {findRedisUrl} from '../core/model/settings.js'
import {type Platform, getFormation, inspectApp, isPlatformError, patchFormation} from '../platform/index.js'
import {type QueueReader, createQueueReader} from '../probe/queues/reader.js'
import {type StepDocument, stepDocument} from '../render/autoscale.js'
import {sleep, within} from '../runtime/time.js'

export interface AutoscaleRun {
  app: string
  platform: Platform
  /** `--type`s; empty: every worker type whose queues are in Redis. */
  types: string[]
  settings: AutoscaleSettings
  /** BullMQ key prefix (`--prefix`). */
  prefix: string
  dryRun: boolean
  /** null: one step (`--once`). */
  intervalMs: number | null
  /** Name of the Redis connection (`tsq:<dyno>:<pid>:autoscale`). */
  connectionName: string
  signal: AbortSignal
  onStep(doc: StepDocument): void
  onWarn(message: string): void
  /** Read the whole app again this often (config vars, add-ons, sharing apps), ms. Default 600 000. */
  refreshMs?: number
  /** Longest wait after failed steps, ms. Default 300 000 (never less than the interval). */
  maxBackoffMs?: number
  now?: () => number
}

/** Runs the steps; resolves with the last step's document (null when none completed). */
export async function runAutoscale(run: AutoscaleRun): Promise<StepDocument | null> {
  const now = run.now ?? Date.now
  const refreshMs = run.refreshMs ?? 600_000
  let state: AppState | null = null
  let inspectedAt = 0
  let reader: QueueReader | null = null
  let quietSince: Record<string, number> = {}
  let last: StepDocument | null = null
  let failures = 0
  const clockKey = `tsq:autoscale:${run.app}:quiet`

  async function step(): Promise<StepDocument> {
    if (!state || now() - inspectedAt >= refreshMs) {
      // Heroku's dyno sizes do not change while the loop runs: read once, asked again only after a fallback.
      const known = state?.dynoSizes?.origin === 'api' ? state.dynoSizes : undefined
      state = await inspectApp(run.platform, run.app, {dynoSizes: known})
      inspectedAt = now()
      if (state.dynoSizes?.fallback) run.onWarn(dynoSizesFallbackWarning(state.dynoSizes.fallback))
    } else {
      state = {...state, formation: await getFormation(run.platform, run.app)}
    }
    const {targets, refused} = selectTargets(assess(state), run.types)
    if (refused.length > 0) throw new UsageError(`Cannot autoscale ${refused.map(r => r.reason).join('; ')}.`)
    if (targets.length === 0) throw new UsageError(`No worker process type on ${state.app} whose queues are in Redis; name one with --type.`)
    const redis = findRedisUrl(state.config)
    if (!redis) throw new UsageError(`${state.app} has no Redis URL (REDIS_URL or another catalogue variable): nothing to read queues from.`)
    if (!reader) {
      reader = createQueueReader(redis.url, {connectionName: run.connectionName, prefix: run.prefix})
      // The quiet clocks outlive a --once run or a restarted dyno: they are kept in the app's Redis.
      quietSince = {...(await reader.loadClock(clockKey) ?? {}), ...quietSince}
    }
    const at = now()
    const readings = await reader.read(targets, at)
    for (const r of readings) if (r.error) run.onWarn(`${r.type}: ${r.error}; step skipped for it`)
    const plan = decideAutoscale({state, readings, settings: run.settings, now: at, quietSince})
    if (!run.dryRun && JSON.stringify(plan.quietSince) !== JSON.stringify(quietSince)) {
      await reader.saveClock(clockKey, plan.quietSince, run.settings.downAfterMs + 3_600_000)
    }
    quietSince = plan.quietSince
    let applied = false
    if (plan.updates.length > 0 && !run.dryRun) applied = await apply(state, plan.updates)
    return stepDocument(state.app, at, applied, plan.decisions)
  }

  async function apply(current: AppState, updates: Parameters<typeof patchFormation>[2]): Promise<boolean> {
    try {
      const updated = await patchFormation(run.platform, run.app, updates)
      state = {...current, formation: current.formation.map(f => updated.find(u => u.type === f.type) ?? f)}
      return true
    } catch (error) {
      if (!answerLost(error)) throw error
      run.onWarn(`the formation change (${updates.map(u => `${u.type}=${u.quantity}`).join(' ')}) may have been applied: ${message(error)}; reading the formation again (heroku ps -a ${run.app} shows it)`)
      const formation = await getFormation(run.platform, run.app)
      state = {...current, formation}
      return updates.every(u => formation.some(f => f.type === u.type && f.quantity === u.quantity))
    }
  }

  try {
    for (;;) {
      let wait = run.intervalMs ?? 0
      try {
        const doc = await untilAborted(step(), run.signal)
        if (doc === null) break
        last = doc
        failures = 0
        run.onStep(doc)
      } catch (error) {
        if (run.intervalMs === null || error instanceof UsageError) throw error
        failures++
        wait = Math.min(run.intervalMs * 2 ** failures, Math.max(run.intervalMs, run.maxBackoffMs ?? 300_000))
        run.onWarn(`step failed (${failures} in a row), next try in ${Math.round(wait / 1000)} s: ${message(error)}`)
      }
      if (run.intervalMs === null || run.signal.aborted) break
      await sleep(wait, run.signal)
      if (run.signal.aborted) break
    }
  } finally {
    const closing: QueueReader | null = reader
    if (closing) await within((closing as QueueReader).close(), 2000)
  }
  return last
}

/**
 * The queues of every worker type of `state` as tsq:autoscale reads them, over one short-lived connection
 * (`tsq:doctor --live`); empty when the app has no Redis URL or no such worker type.
 */
export async function readWorkerQueues(state: AppState, prefix = 'bull'): Promise<TypeQueues[]> {
  const redis = findRedisUrl(state.config)
  const {targets} = selectTargets(assess(state))
  if (!redis || targets.length === 0) return []
  const reader = createQueueReader(redis.url, {connectionName: `tsq:doctor:${process.pid}:queues`, prefix})
  try {
    return await reader.read(targets, Date.now())
  } finally {
    await within(reader.close(), 2000)
  }
}

/** Bad input or an app the autoscaler cannot work on: ends the run whatever the mode. */
export class UsageError extends Error {
  readonly code = 'TSQ_AUTOSCALE'
}

/** The step's result, or null once `signal` aborts (the step is abandoned; its requests are bounded anyway). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) {
    work.catch(() => undefined)
    return null
  }
  let onAbort: () => void = () => undefined
  const aborted = new Promise<null>(resolve => {
    onAbort = () => resolve(null)
    signal.addEventListener('abort', onAbort, {once: true})
  })
  try {
    return await Promise.race([work, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
    work.catch(() => undefined)
  }
}

/** A PATCH that got no readable answer (timeout, reset, 5xx after retries, unreadable body): it may have landed. */
export function answerLost(error: unknown): boolean {
  if (!isPlatformError(error)) return true
  if (error.kind === 'timeout' || error.kind === 'server') return true
  return error.kind === 'unreachable' && !/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|does not resolve/.test(error.message)
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
