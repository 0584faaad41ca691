// What would fit when a requested formation is over a connection limit: the largest dyno counts, the Postgres
// pools (planPools), the Sidekiq concurrency and Redis pools (planRedisPools) and, where no pool size can help,
// a larger plan or a pooler. Pure.
import type {Assessment} from '../../assess/assess.js'
import {type ResourceBudget, largerPlan, perDynoOf} from '../../budget/budget.js'
import {postgresOptions} from '../../assess/pooler-advice.js'
import type {ScaleChange} from '../../model/formation.js'
import {type PoolPlan, planPools} from '../../assess/pool-plan.js'
import {type RedisPoolPlan, planRedisPools} from '../../assess/redis-plan.js'
import {editsOf} from '../../stacks/levers.js'

export interface CountSuggestion {
  type: string
  requested: number
  size: string
  /** The most dynos of this type that keep every resource within limit − reserve, the other types as
   *  requested; null when no count of this type alone does (the excess comes from elsewhere). */
  largest: number | null
  /** `heroku tsq:scale TYPE=N[:SIZE] -a APP`; null when `largest` is null or 0 (scaling a type away is no fix to suggest). */
  command: string | null
}

export interface PoolSuggestion {
  /** planPools' verdict: `overlap` fits even during a restart, `limit` only limit − reserve, `none` nothing. */
  fits: PoolPlan['fits']
  /** Per process type, the Postgres pool it would have. */
  pools: Record<string, number>
  /** Config vars the app reads (TSQ_<TYPE>_DB_POOL for heroku-tsq, RAILS_MAX_THREADS for Rails...) that make the requested formation fit. */
  vars: Record<string, string>
  /** `heroku config:set ... -a APP`, or null when no pool size can or no variable is involved. */
  command: string | null
  /** File lines and command flags to edit as well (`config/sidekiq.yml:2: \`:concurrency: 8\``). */
  edits: string[]
}

/** The Sidekiq concurrency and Redis pool sizes that make the requested formation fit Redis. */
export interface RedisPoolSuggestion {
  /** planRedisPools' verdict: `overlap`, `limit`, `none` (not even concurrency 1 fits), `unknown`. */
  fits: RedisPoolPlan['fits']
  /** Per process type, the Redis connections one process would hold. */
  connections: Record<string, number>
  /** Config vars the app reads (SIDEKIQ_CONCURRENCY, RAILS_MAX_THREADS...) that make the requested formation fit. */
  vars: Record<string, string>
  /** `heroku config:set ... -a APP`, or null when no value can or no variable is involved. */
  command: string | null
  edits: string[]
  /** The values include the Postgres pools above: they are planned together, so either set fits both. */
  withPostgres: boolean
  /** The Redis demand with these values (with the lowest values for `none`). */
  demand: number | null
}

export interface ResourceAlternative {
  kind: ResourceBudget['kind']
  addon: string | null
  /** Why no pool size brings this resource within its limit; null when the pools above do. */
  noPoolFix: string | null
  /** Other ways out: a larger plan, a pooler, fewer processes. */
  fixes: string[]
}

export interface ScaleSuggestions {
  counts: CountSuggestion[]
  /** Only when Postgres is what fails. */
  pools: PoolSuggestion | null
  /** Only when Redis is what fails and a Sidekiq process's or a web process's Redis connections can be turned down. */
  redisPools: RedisPoolSuggestion | null
  alternatives: ResourceAlternative[]
}

/** Suggestions for a requested formation (already assessed) that fails at least one resource. */
export function suggestFixes(assessment: Assessment, changes: readonly ScaleChange[]): ScaleSuggestions {
  const app = assessment.app
  const counts = changes.map(c => {
    const entry = assessment.formation.find(f => f.type === c.type)!
    const largest = largestCount(assessment, c.type)
    const size = c.size ? `:${entry.size}` : ''
    return {type: c.type, requested: entry.quantity, size: entry.size, largest,
      command: !largest ? null : `heroku tsq:scale ${c.type}=${largest}${size} -a ${app}`}
  })
  const failing = assessment.resources.filter(b => b.status === 'fail')
  const pg = failing.find(b => b.kind === 'postgres')
  let pools: PoolSuggestion | null = null
  if (pg) {
    const plan = planPools(assessment)
    const vars = Object.entries(plan.vars).map(([k, v]) => `${k}=${v}`)
    const usable = plan.fits === 'overlap' || plan.fits === 'limit'
    pools = {fits: plan.fits, pools: plan.pools, vars: plan.vars, edits: usable ? editsOf(plan.changes, assessment.checkout) : [],
      command: usable && vars.length > 0 ? `heroku config:set ${vars.join(' ')} -a ${app}` : null}
  }
  const redis = failing.find(b => b.kind === 'redis')
  let redisPools: RedisPoolSuggestion | null = null
  if (redis) {
    // Planned on top of the Postgres pools when those fit, so one set of values fits both resources.
    const pgPlan = pg ? planPools(assessment) : null
    const base = pgPlan && (pgPlan.fits === 'overlap' || pgPlan.fits === 'limit') && pgPlan.changes.length > 0 ? pgPlan : undefined
    const plan = planRedisPools(assessment, {budget: redis, base})
    if (plan.adjustable) {
      const usable = plan.fits === 'overlap' || plan.fits === 'limit'
      const vars = Object.entries(plan.vars).map(([k, v]) => `${k}=${v}`)
      redisPools = {fits: plan.fits, connections: plan.connections, vars: plan.vars, edits: usable ? editsOf(plan.changes, assessment.checkout) : [],
        command: usable && vars.length > 0 ? `heroku config:set ${vars.join(' ')} -a ${app}` : null, withPostgres: usable && base !== undefined, demand: plan.demand}
    }
  }
  const alternatives = failing.map(b => alternativesFor(assessment, b, b === pg ? pools : null, b === redis ? redisPools : null))
  return {counts, pools, redisPools, alternatives}
}

/**
 * The most dynos of `type` such that no resource fails, every other type as in the assessed formation:
 * per resource, the room left by everything else divided by what one dyno of the type holds.
 */
export function largestCount(assessment: Assessment, type: string): number | null {
  let largest = Number.POSITIVE_INFINITY
  for (const b of assessment.resources) {
    if (b.available === null) continue
    const row = b.rows.find(r => r.app === assessment.app && r.type === type)
    if (!row) continue
    const room = b.available - (b.demand - row.total)
    if (room < 0) return null
    const perDyno = perDynoOf(row)
    if (perDyno > 0) largest = Math.min(largest, Math.floor(room / perDyno))
  }
  return Number.isFinite(largest) ? largest : null
}

function alternativesFor(assessment: Assessment, b: ResourceBudget, pools: PoolSuggestion | null, redisPools: RedisPoolSuggestion | null): ResourceAlternative {
  const fixes: string[] = []
  const bigger = largerPlan(b)
  const options = b.kind === 'postgres' ? postgresOptions(assessment, b) : []
  if (options.length > 0) fixes.push(...options.map(o => o.text))
  else if (bigger) fixes.push(`heroku addons:upgrade ${b.addon ?? '<add-on>'} ${bigger.plan} (${bigger.limit} connections)`)
  if (!bigger) fixes.push(`a plan with at least ${b.demand + b.reserve} connections${b.service ? ` (\`heroku addons:plans ${b.service}\`)` : ''}`)
  let noPoolFix: string | null = null
  if (b.kind === 'postgres') {
    if (!pools || pools.command === null) {
      const active = assessment.processes.filter(p => p.role !== 'none').reduce((n, p) => n + p.dynos * p.processesPerDyno, 0)
      const others = b.rows.filter(r => r.app !== assessment.app).reduce((n, r) => n + r.total, 0)
      noPoolFix = `no pool size can: even a pool of 1 per process needs ${active + others} connections, over the ${b.available} available`
    }
  } else {
    const holders = assessment.processes.filter(p => p.redisConnections > 0 && p.dynos > 0)
    noPoolFix = redisPools?.command || redisPools?.edits.length ? null
      : redisPools?.fits === 'none' ? `no Sidekiq concurrency or Redis pool size can: even at concurrency 1 the processes need ${redisPools.demand} Redis connections, over the ${b.available} available`
        : `no pool size can: Redis connections do not depend on a pool (${holders.map(p => `${p.type}: ${p.sources.redisConnections}`).join('; ') || 'no process holds one'})`
    const levers = holders.map(p => {
      const lever = assessment.models.find(m => m.type === p.type)?.leverFor(p.stack === 'sidekiq' ? 'concurrency' : 'processesPerDyno')
      return lever?.kind === 'env' ? lever.variable : lever?.kind === 'file' ? `${lever.file}:${lever.line}` : null
    }).filter((l): l is string => l !== null)
    if (levers.length > 0) fixes.push(`fewer Redis connections per dyno: lower ${[...new Set(levers)].join(', ')}`)
  }
  return {kind: b.kind, addon: b.addon, noPoolFix, fixes}
}

/** The smallest catalogued plan of the same service that fits the demand, preferring one that also survives a restart. */
