// Choosing Postgres pool sizes that make a formation fit its plan: what tsq:setup sets, what tsq:scale
// proposes when it refuses, and what the doctor's fixes name. Pure.
import type {Assessment} from './assess.js'
import {fitPoolCap} from './budget.js'
import {typeKey} from './settings.js'

export interface PoolPlan {
  /** `overlap`: fits even while old and new dynos overlap on restart; `limit`: fits limit − reserve only;
   *  `none`: not even a pool of 1 per process fits; `unknown`: no limit known or no Postgres. */
  fits: 'overlap' | 'limit' | 'none' | 'unknown'
  /** The cap applied to every process's pool, when one was found. */
  cap: number | null
  /** Per process type: the pool it would have. */
  pools: Record<string, number>
  /** Config vars to set so the app gets those pools (only the ones that change), and for a worker whose
   *  pool falls below its concurrency, the concurrency to match it (otherwise jobs wait for connections). */
  vars: Record<string, string>
}

/** The largest pools (never above what each process wants now) that make the assessed formation fit. */
export function planPools(assessment: Assessment): PoolPlan {
  const budget = assessment.resources.find(r => r.kind === 'postgres')
  const active = assessment.processes.filter(p => p.role !== 'none' && p.dynos > 0)
  const unknown: PoolPlan = {fits: 'unknown', cap: null, pools: {}, vars: {}}
  if (!budget || budget.limit === null || budget.available === null) return unknown
  const others = budget.rows.filter(r => r.app !== assessment.app).reduce((sum, r) => sum + r.total, 0)
  const wants = active.map(p => ({processes: p.dynos * p.processesPerDyno, want: p.dbPool}))
  const overlapCap = fitPoolCap(Math.min(budget.available, Math.floor(budget.limit / 2)) - others, wants)
  const limitCap = overlapCap ?? fitPoolCap(budget.available - others, wants)
  const cap = overlapCap ?? limitCap
  const fits = overlapCap !== null ? 'overlap' : limitCap !== null ? 'limit' : 'none'
  if (cap === null) return {fits, cap: null, pools: {}, vars: {}}
  const pools: Record<string, number> = {}
  const vars: Record<string, string> = {}
  for (const p of active) {
    const pool = Math.min(p.dbPool, cap)
    pools[p.type] = pool
    if (pool !== p.dbPool) vars[`TSQ_${typeKey(p.type)}_DB_POOL`] = String(pool)
    if (p.role === 'worker' && p.concurrency !== null && pool < p.concurrency) vars[`TSQ_${typeKey(p.type)}_CONCURRENCY`] = String(pool)
  }
  return {fits, cap, pools, vars}
}
