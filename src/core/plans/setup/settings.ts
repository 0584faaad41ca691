// Choosing TSQ_* values so the formation fits every connection limit with the reserve, and where possible
// the restart overlap. Values the user set are kept unless the formation does not fit with them. Pure.
import type {AppState} from '../../model/app-state.js'
import {type AssessOptions, type Assessment, assess} from '../../assess/assess.js'
import {type ProcessPlan, type ResourceBudget, restartDemand, restartText} from '../../budget/budget.js'
import {type PoolPlan, planPools} from '../../assess/pool-plan.js'
import {planRedisPools} from '../../assess/redis-plan.js'
import {typeKey} from '../../model/settings.js'
import {editsOf} from '../../stacks/levers.js'
import type {SetupProblem, SkippedStep} from './types.js'

export interface SettingsPlan {
  /** Only the variables whose value changes. */
  vars: Record<string, string>
  previous: Record<string, string | null>
  reasons: string[]
  /** Values the pools need that live in files or flags setup does not write: the edits, in the app's terms. */
  edits: string[]
  skipped: SkippedStep[]
  problems: SetupProblem[]
  before: Assessment
  /** The assessment with `vars` applied: what the doctor will see. */
  after: Assessment
}

export function planSettings(state: AppState, live: AssessOptions['live'] = {}): SettingsPlan {
  const app = state.app
  const before = assess(state, {live})
  const plan: SettingsPlan = {vars: {}, previous: {}, reasons: [], edits: [], skipped: [], problems: [], before, after: before}
  if (before.problems.length > 0) {
    const list = before.problems.map(p => `${p.variable}=${JSON.stringify(p.value)} (allowed: ${p.allowed})`).join('; ')
    plan.problems.push({id: 'settings', blocking: true, message: `Invalid tsq settings on ${app}: ${list}.`,
      fix: `Correct them with \`heroku config:set VAR=VALUE -a ${app}\` or remove them with \`heroku config:unset VAR -a ${app}\`, then run setup again.`})
    return plan
  }
  const pg = before.resources.find(r => r.kind === 'postgres')
  const pools = planPools(before)
  if (!pg) {
    plan.skipped.push({kind: 'config', reason: 'no Postgres (DATABASE_URL is not set): no pool to size'})
  } else if (pools.fits === 'unknown') {
    plan.skipped.push({kind: 'config', reason: `the connection limit of ${pg.plan ?? pg.configVar ?? 'the database'} is not known, so the pools are left as they are`})
  } else if (pools.fits === 'none') {
    plan.skipped.push({kind: 'config', reason: `even a Postgres pool of 1 per process does not fit ${describe(pg)}: pools alone cannot make it fit, so they are left as they are (smaller ones would slow the app without making it fit; fewer dynos, a pooler or a larger plan can, as tsq:doctor says)`})
  } else {
    const kept = pg.status === 'fail' ? [] : before.processes.filter(p => userSet(state.config, p))
    const keptNames = new Set(kept.flatMap(p => [`TSQ_${typeKey(p.type)}_DB_POOL`, `TSQ_${typeKey(p.type)}_CONCURRENCY`]))
    plan.edits = editsOf(pools.changes.filter(c => c.lever.kind !== 'env'), state.checkout)
    for (const [name, value] of Object.entries(pools.vars)) {
      if (keptNames.has(name) || state.config[name] === value) continue
      plan.vars[name] = value
      plan.previous[name] = state.config[name] ?? null
    }
    for (const p of kept.filter(p => pools.vars[`TSQ_${typeKey(p.type)}_DB_POOL`] !== undefined)) {
      const overlap = pools.fits === 'overlap' ? `; a pool of ${pools.pools[p.type]} would also fit a restart's overlap` : ''
      plan.skipped.push({kind: 'config', reason: `kept your ${p.type} Postgres pool of ${p.dbPool}: it fits the limit with the reserve${overlap}`})
    }
  }
  planSidekiqSizes(plan, state, before, pools)
  plan.after = assess(state, {live, config: {...state.config, ...plan.vars}})
  plan.reasons = reasonsFor(plan, before)
  return plan
}

/**
 * Sidekiq's concurrency and Redis pools (spec §9): when the app's Redis is over its limit, lowered, on top of the
 * Postgres pools, to the largest values that fit (a restart's overlap too where possible), so the values fit
 * every resource together. A Redis within its limit is left as it is: its overlap is the doctor's warning, not a
 * reason to slow an app that fits. Only stacks whose Redis connections follow a setting take part (heroku-tsq's
 * own counts are fixed), so a Node app's plan is unchanged.
 */
function planSidekiqSizes(plan: SettingsPlan, state: AppState, before: Assessment, pools: PoolPlan): void {
  const budget = before.resources.find(r => r.kind === 'redis')
  if (!budget || budget.available === null || budget.demand <= budget.available) return
  const usable = (pools.fits === 'overlap' || pools.fits === 'limit') && pools.changes.length > 0
  const redis = planRedisPools(before, {budget, base: usable ? pools : undefined})
  if (!redis.adjustable || redis.fits === 'unknown') return
  if (redis.fits === 'none') {
    plan.skipped.push({kind: 'config', reason: `even Sidekiq concurrency 1 and the smallest Redis pools need ${redis.demand} Redis connections, over the ${budget.available} available on ${describe(budget)}, so the Sidekiq sizes are left as they are`})
    return
  }
  plan.edits = editsOf(redis.changes.filter(c => c.lever.kind !== 'env'), state.checkout)
  for (const [name, value] of Object.entries(redis.vars)) {
    if (state.config[name] === value) {
      delete plan.vars[name]
      continue
    }
    plan.vars[name] = value
    plan.previous[name] = state.config[name] ?? null
  }
}

/** Whether the user chose this process's pool: set directly, or (for a worker) through its concurrency. */
function userSet(config: Readonly<Record<string, string>>, p: ProcessPlan): boolean {
  const key = typeKey(p.type)
  const names = [`TSQ_${key}_DB_POOL`, 'TSQ_DB_POOL', ...(p.role === 'worker' ? [`TSQ_${key}_CONCURRENCY`, 'TSQ_CONCURRENCY'] : [])]
  return names.some(n => config[n] !== undefined && config[n] !== '')
}

function describe(r: ResourceBudget): string {
  return `${r.addon ?? r.configVar} (${r.plan ?? 'unknown plan'}, limit ${r.limit ?? 'unknown'}, reserve ${r.reserve})`
}

/** Why each value changes: the processes after the plan against `before` (the app as it runs today). */
export function reasonsFor(plan: SettingsPlan, before: Assessment): string[] {
  const reasons: string[] = []
  for (const p of plan.after.processes) {
    const was = before.processes.find(b => b.type === p.type)
    if (!was) continue
    if (p.dbPool !== was.dbPool) {
      reasons.push(`${p.type}: Postgres pool ${was.dbPool} → ${p.dbPool} per process (${count(p.dynos, 'dyno')} × ${count(p.processesPerDyno, 'process', 'processes')} × ${p.dbPool} = ${p.dynos * p.processesPerDyno * p.dbPool} connections)`)
    }
    if (p.threads !== was.threads) reasons.push(`${p.type}: Puma threads ${was.threads} → ${p.threads} per process, each with its own connection`)
    if (p.concurrency !== was.concurrency) reasons.push(`${p.type}: concurrency ${was.concurrency} → ${p.concurrency}, so no job waits for a Postgres connection`)
    if (p.redisConnections !== was.redisConnections) {
      reasons.push(`${p.type}: Redis connections ${was.redisConnections} → ${p.redisConnections} per process`)
    }
  }
  const pgBefore = before.resources.find(r => r.kind === 'postgres')
  const pgAfter = plan.after.resources.find(r => r.kind === 'postgres')
  if (reasons.length > 0 && pgBefore && pgAfter && pgAfter.limit !== null && pgAfter.demand !== pgBefore.demand) reasons.push(`Postgres ${describe(pgAfter)}: ${demandChange(pgBefore, pgAfter)}`)
  const redisBefore = before.resources.find(r => r.kind === 'redis')
  const redisAfter = plan.after.resources.find(r => r.kind === 'redis')
  if (redisBefore && redisAfter && redisAfter.limit !== null && redisAfter.demand !== redisBefore.demand) {
    reasons.push(`Redis ${describe(redisAfter)}: ${demandChange(redisBefore, redisAfter)}`)
  }
  return reasons
}

/** `190 (over the 118 available) → 152 connections, still over the 118 available`: the demand before and after, and
 *  what the after demand fits — the limit with the reserve, and a restart's overlap (a server-side pooler's connections
 *  at most its pool) — never more than it does. */
export function demandChange(before: ResourceBudget, after: ResourceBudget): string {
  const was = before.available !== null && before.demand > before.available ? ` (over the ${before.available} available)` : ''
  const restart = restartDemand(after.rows)
  const verdict = after.limit === null || after.available === null ? 'against a limit that is not known'
    : after.demand > after.available ? `still over the ${after.available} available`
      : restart <= after.limit ? `which fits even while old and new dynos overlap on restart (${restartText(after)} ≤ ${after.limit})`
        : `which fits the ${after.available} available, though not a restart's overlap (${restartText(after)} > ${after.limit})`
  return `${before.demand}${was} → ${after.demand} connections, ${verdict}`
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}
