// Choosing Postgres pool sizes that make a formation fit its plan: what tsq:setup sets, what tsq:scale
// proposes when it refuses, and what the doctor's fixes name. Each process's pool is lowered through its own
// stack's levers (TSQ_* for heroku-tsq, RAILS_MAX_THREADS or a sidekiq.yml line for Rails), and the result
// is re-judged with those values before it is offered. Pure.
import type {Assessment} from './assess.js'
import {fitPoolCap, restartDemand} from '../budget/budget.js'
import {type LeverChange, varsOf} from '../stacks/levers.js'
import type {Overrides, SettableValue} from '../stacks/model.js'

export interface PoolPlan {
  /** `overlap`: fits even while old and new dynos overlap on restart; `limit`: fits limit − reserve only;
   *  `none`: not even a pool of 1 per process fits; `unknown`: no limit known or no Postgres. */
  fits: 'overlap' | 'limit' | 'none' | 'unknown'
  /** The cap applied to every process's Postgres connections, when one was found. */
  cap: number | null
  /** Per process type: the Postgres connections one process would hold. */
  pools: Record<string, number>
  /** Every value to change, where the app reads it. */
  changes: LeverChange[]
  /** The config vars among `changes` (only the ones that change). */
  vars: Record<string, string>
  /** The file and flag edits among `changes`, as values per type, to judge them before they are made. */
  overrides: Record<string, Overrides>
  /** Processes whose pool would need lowering but that no variable, line or flag tsq can name sets. */
  unsettable: string[]
}

/** How a value is named in a fix: `worker concurrency`, `web Sidekiq Redis pool`. */
export const LABEL: Record<SettableValue, string> = {
  processesPerDyno: 'processes per dyno', concurrency: 'concurrency', threads: 'threads', dbPoolSetting: 'Postgres pool', redisPoolSetting: 'Sidekiq Redis pool',
}

/** The largest pools (never above what each process holds now) that make the assessed formation fit. */
export function planPools(assessment: Assessment): PoolPlan {
  const budget = assessment.resources.find(r => r.kind === 'postgres')
  const rowOf = (type: string) => budget?.rows.find(r => r.app === assessment.app && r.type === type)
  // Only processes that hold connections on this resource, directly, are sized here: one behind a pooler holds the
  // pooler's connections whatever its pool, and one whose database.yml points elsewhere holds none of this one's.
  const sized = (type: string) => {
    const row = rowOf(type)
    return row !== undefined && row.perProcess > 0 && (row.via ?? 'direct') === 'direct'
  }
  const active = assessment.processes.map((p, i) => ({p, m: assessment.models[i]!})).filter(({p}) => p.role !== 'none' && p.dynos > 0 && p.dbPool > 0 && sized(p.type))
  const empty = {cap: null, pools: {}, changes: [], vars: {}, overrides: {}, unsettable: []}
  if (!budget || budget.limit === null || budget.available === null) return {fits: 'unknown', ...empty}
  const activeTypes = new Set(active.map(({p}) => p.type))
  const fixedRows = budget.rows.filter(r => r.app !== assessment.app || !activeTypes.has(r.type))
  const others = fixedRows.reduce((sum, r) => sum + r.total, 0)
  // A restart doubles every direct connection, but a server-side pooler's at most up to its server pool.
  const othersRestart = restartDemand(fixedRows)
  // Nothing to size: the verdict is the budget's own, and no pool is touched.
  if (active.length === 0) {
    const fits = budget.demand > budget.available ? 'none' : restartDemand(budget.rows) > budget.limit ? 'limit' : 'overlap'
    return {fits, ...empty}
  }
  const wants = active.map(({p}) => ({processes: p.dynos * p.processesPerDyno, want: p.dbPool}))
  // 2 × pools + othersRestart ≤ limit, and pools + others ≤ available.
  const overlapCap = fitPoolCap(Math.min(budget.available - others, Math.floor((budget.limit - othersRestart) / 2)), wants)
  const limitCap = overlapCap ?? fitPoolCap(budget.available - others, wants)
  const cap = overlapCap ?? limitCap
  const fits = overlapCap !== null ? 'overlap' : limitCap !== null ? 'limit' : 'none'
  if (cap === null) return {fits, ...empty}
  const plan: PoolPlan = {fits, cap, pools: {}, changes: [], vars: {}, overrides: {}, unsettable: []}
  for (const {p, m} of active) {
    const pool = Math.min(p.dbPool, cap)
    plan.pools[p.type] = pool
    for (const {value, to} of m.capDb(pool)) {
      const lever = m.leverFor(value)
      if (!lever) {
        plan.unsettable.push(`${p.type} ${LABEL[value]}`)
        continue
      }
      plan.changes.push({lever, to, what: `${p.type} ${LABEL[value]}`})
      if (lever.kind !== 'env') plan.overrides[p.type] = {...plan.overrides[p.type], [value]: to}
    }
  }
  plan.vars = varsOf(plan.changes)
  return plan
}
