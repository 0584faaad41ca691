// Choosing Sidekiq concurrency and Redis pool sizes that make a formation fit its Redis plan: the Redis
// counterpart of planPools. Each process's Redis connections are capped through its own stack's `capRedis`
// (Sidekiq's concurrency and `size:`, a web process's Sidekiq client pool; heroku-tsq's own counts are fixed)
// and every candidate is judged by assessing the app again with those values, so lowering a value for Redis
// never leaves another resource, or a pool check, failing that did not fail before. Pure.
import type {Assessment} from './assess.js'
import type {ResourceBudget} from '../budget/budget.js'
import {LABEL} from './pool-plan.js'
import {type LeverChange, varsOf} from '../stacks/levers.js'
import type {Overrides, SettableValue} from '../stacks/model.js'
import type {Lever} from '../stacks/sourced.js'

export interface RedisPoolPlan {
  /** `overlap`: fits even while old and new dynos overlap on restart; `limit`: fits limit − reserve only;
   *  `none`: not even the lowest values fit (or break another resource); `unknown`: no Redis or no limit known. */
  fits: 'overlap' | 'limit' | 'none' | 'unknown'
  /** The cap applied to every process's Redis connections, when one was found. */
  cap: number | null
  /** Per process type on the resource: the Redis connections one process would hold with the changes. */
  connections: Record<string, number>
  /** Every value to change (with the base plan's), where the app reads it; empty unless `fits` is overlap or limit. */
  changes: LeverChange[]
  /** The config vars among `changes`. */
  vars: Record<string, string>
  /** The file and flag edits among `changes`, as values per type. */
  overrides: Record<string, Overrides>
  /** Processes whose Redis connections would need lowering but that nothing tsq can name sets. */
  unsettable: string[]
  /** The resource's demand with the changes; for `none`, with the lowest values tried. */
  demand: number | null
  /** The resource's demand with the lowest values every process can go to (concurrency 1, pools of 1). */
  floor: number | null
  /** Whether any process's Redis connections depend on a value the user can turn. */
  adjustable: boolean
  /** The app judged with the changes; null for `unknown`. */
  after: Assessment | null
}

/** A set of values to judge: the base plan's changes and the Redis caps, merged, the lowest per lever. */
interface Candidate {
  changes: LeverChange[]
  vars: Record<string, string>
  overrides: Record<string, Overrides>
  unsettable: string[]
}

export interface RedisPlanOptions {
  /** The Redis resource to fit (the one whose check failed); default the app's primary Redis. */
  budget?: ResourceBudget
  /** Changes already planned (planPools' for Postgres): kept, and lowered further where Redis needs it. */
  base?: {changes: readonly LeverChange[], overrides: Readonly<Record<string, Overrides>>}
}

/** The largest values (never above what each process holds now) that bring the Redis resource within its limit. */
export function planRedisPools(assessment: Assessment, options: RedisPlanOptions = {}): RedisPoolPlan {
  const b = options.budget ?? assessment.resources.find(r => r.kind === 'redis')
  const empty = {cap: null, connections: {}, changes: [], vars: {}, overrides: {}, unsettable: [], demand: null, floor: null, adjustable: false, after: null}
  if (!b || b.kind !== 'redis' || b.limit === null || b.available === null) return {fits: 'unknown', ...empty}
  const same = (r: ResourceBudget) => r.kind === b.kind && r.configVar === b.configVar && r.addon === b.addon
  const on = (type: string) => (b.rows.find(r => r.app === assessment.app && r.type === type)?.perProcess ?? 0) > 0
  const active = assessment.processes.map((p, i) => ({p, m: assessment.models[i]!})).filter(({p}) => p.role !== 'none' && p.dynos > 0 && on(p.type))
  const base = options.base ?? {changes: [], overrides: {}}
  const baseline = base.changes.length > 0 ? assessment.rejudge(merge(base, [])) : assessment
  const failing = new Set(failures(baseline))
  const top = Math.max(0, ...active.map(({m}) => m.redisConnections.value))
  const adjustable = active.some(({m}) => m.capRedis(0).length > 0)

  const judged = new Map<string, {verdict: 'overlap' | 'limit' | 'no', after: Assessment, candidate: Candidate}>()
  const judge = (n: number) => {
    const caps = active.flatMap(({p, m}) => m.capRedis(n).map(({value, to}) => ({type: p.type, value, to, lever: m.leverFor(value)})))
    const candidate = merge(base, caps)
    const key = JSON.stringify([candidate.vars, candidate.overrides])
    const seen = judged.get(key)
    if (seen) return seen
    const after = candidate.changes.length === 0 && base.changes.length === 0 ? assessment : assessment.rejudge(candidate)
    const target = after.resources.find(same)
    // Lowering a value must not make anything fail that did not fail with the base plan alone.
    const broken = failures(after).some(f => !failing.has(f))
    const verdict = !target || target.available === null || target.limit === null || broken || target.demand > target.available ? 'no' as const
      : 2 * target.demand <= target.limit ? 'overlap' as const : 'limit' as const
    const result = {verdict, after, candidate}
    judged.set(key, result)
    return result
  }
  // Demand only falls as the cap does, so the largest cap of each verdict is found by bisection.
  const largest = (ok: (n: number) => boolean): number | null => {
    if (top < 1 || !ok(1)) return null
    let [lo, hi] = [1, top]
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (ok(mid)) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const overlap = largest(n => judge(n).verdict === 'overlap')
  if (overlap !== null) return planOf('overlap', overlap, judge(overlap))
  const limit = largest(n => judge(n).verdict !== 'no')
  if (limit !== null) return planOf('limit', limit, judge(limit))
  const lowest = top >= 1 ? judge(1) : null
  const after = lowest?.after ?? assessment
  const floor = after.resources.find(same)?.demand ?? b.demand
  return {fits: 'none', ...empty, adjustable, unsettable: lowest?.candidate.unsettable ?? [], demand: floor, floor, after}

  function planOf(fits: 'overlap' | 'limit', cap: number, result: ReturnType<typeof judge>): RedisPoolPlan {
    const target = result.after.resources.find(same)!
    const connections = Object.fromEntries(active.map(({p}) => [p.type, target.rows.find(r => r.app === assessment.app && r.type === p.type)?.perProcess ?? 0]))
    const floor = top >= 1 ? judge(1).after.resources.find(same)?.demand ?? null : null
    return {fits, cap, connections, ...result.candidate, demand: target.demand, floor, adjustable, after: result.after}
  }
}

/** What fails in an assessment: each resource over its limit, and each stack's failing pool check per type. */
function failures(a: Assessment): string[] {
  return [
    ...a.resources.filter(r => r.status === 'fail').map(r => `${r.kind} ${r.configVar} ${r.addon}`),
    ...a.models.flatMap(m => m.findings.filter(f => f.status === 'fail').map(f => `${m.type} ${f.id}`)),
  ]
}

/** The base plan's changes and the caps as one set of values: one per lever (the lowest), overrides per type. */
function merge(base: NonNullable<RedisPlanOptions['base']>, caps: ReadonlyArray<{type: string, value: SettableValue, to: number, lever: Lever | null}>): Candidate {
  const unsettable: string[] = []
  const byLever = new Map<string, LeverChange>()
  const add = (c: LeverChange) => {
    const l = c.lever
    // A flag is a word of one type's command; a variable or a file line is shared by every type that reads it.
    const key = l.kind === 'env' ? `env ${l.variable}` : l.kind === 'file' ? `file ${l.file}:${l.line}:${l.text ?? ''}` : `flag ${c.what} ${l.flag}`
    const was = byLever.get(key)
    if (!was || c.to < was.to) byLever.set(key, was ? {...was, to: c.to} : c)
  }
  base.changes.forEach(add)
  const overrides: Record<string, Overrides> = Object.fromEntries(Object.entries(base.overrides).map(([t, o]) => [t, {...o}]))
  for (const c of caps) {
    const what = `${c.type} ${LABEL[c.value]}`
    if (!c.lever) {
      unsettable.push(what)
      continue
    }
    add({lever: c.lever, to: c.to, what})
    if (c.lever.kind !== 'env') overrides[c.type] = {...overrides[c.type], [c.value]: Math.min(c.to, overrides[c.type]?.[c.value] ?? c.to)}
  }
  const changes = [...byLever.values()]
  return {changes, vars: varsOf(changes), overrides, unsettable}
}
