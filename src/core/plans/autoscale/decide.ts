// tsq:autoscale's decision (spec §10): queue readings + the app's state → the dyno count of every worker
// type, decided together so that together they fit every connection limit. Pure: the clock is an input,
// and so is the memory of how long each type's queues have been quiet.
import type {AppState, FormationEntry} from '../../model/app-state.js'
import {type Assessment, assess} from '../../assess/assess.js'
import {type ResourceBudget, perDynoOf, statusOf} from '../../budget/budget.js'
import {type FormationUpdate, describeOverLimit, diffFormation, resourceName} from '../scale/scale-plan.js'
import {largestCount, suggestFixes} from '../scale/suggest.js'
import {commandRunsAutoscale} from '../../stacks/index.js'
import {type QueueReading, type TypeQueues, hasReadyJob, isEmpty, latencyOf} from '../../model/queue-readings.js'

export interface AutoscaleSettings {
  /** Fewest dynos per type (`--min`, default 1; 0 allowed). */
  min: number
  /** Most dynos per type (`--max`). */
  max: number
  /** Latency above which a type scales up, ms (`--target`, default 30 s). */
  targetMs: number
  /** How long queues must be quiet before one dyno less, ms (`--down-after`, default 300 s). */
  downAfterMs: number
}

export interface DecideInput {
  state: AppState
  /** One entry per type to decide, as the probe read it this step. */
  readings: readonly TypeQueues[]
  settings: AutoscaleSettings
  /** ms since the epoch. */
  now: number
  /** Per type, since when (ms) its queues have been quiet: empty and latency under a quarter of the target. */
  quietSince: Readonly<Record<string, number>>
  /** Redis connections the autoscaler itself holds on the app's Redis beyond what the formation already counts.
   *  Default: 0 when a process type of the formation with dynos runs tsq:autoscale (the assessment counts its one
   *  connection: stack `none` + 1 Redis); else 1 — the autoscaler of record is then a `--once` from Heroku Scheduler
   *  or cron, a one-off dyno outside the formation. A `--once` beside such a type is a one-off like `heroku run`,
   *  which the reserve is for. */
  ownRedisConnections?: number
}

/** One type's decision, as the `--json` document shows it (spec §10). */
export interface Decision {
  type: string
  from: number
  to: number
  reason: string
  latencyMs: number
  queues: QueueReading[]
  /** The largest count the budget fits for this type, the others as decided; null when no limit applies. */
  budgetMax: number | null
}

export interface AutoscalePlan {
  decisions: Decision[]
  /** The formation after the decisions. */
  formation: FormationEntry[]
  /** Only what changes: the ONE formation PATCH's updates; empty when nothing does. */
  updates: FormationUpdate[]
  /** The quiet clocks to keep for the next step. */
  quietSince: Record<string, number>
  /** The decided formation judged as the doctor judges it (an autoscaler outside the formation not included). */
  assessment: Assessment
}

interface Wanted {
  type: string
  from: number
  to: number
  reason: string
  /** False when the type was not decided this step (its queues could not be read). */
  decided: boolean
}

/** Decides every type of `input.readings` together. */
export function decideAutoscale(input: DecideInput): AutoscalePlan {
  const {state, settings, now} = input
  const quietSince: Record<string, number> = {...input.quietSince}
  const wanted = input.readings.map(r => applyRule(r, current(state.formation, r.type), settings, now, quietSince))
  const own = input.ownRedisConnections ?? (formationRunsAutoscaler(state) ? 0 : 1)
  const capped = capToBudget(state, wanted, own)
  const formation = withCounts(state.formation, capped.counts)
  const assessment = assess(state, {formation})
  const withOwn = withExtraRedis(assessment, own)
  const decisions = input.readings.map((r, i): Decision => {
    const w = wanted[i]!
    const to = capped.counts[r.type] ?? w.from
    const note = capped.notes[r.type]
    return {type: r.type, from: w.from, to, reason: note ? `${w.reason}; ${note}` : w.reason,
      latencyMs: latencyOf(r.queues), queues: r.queues, budgetMax: budgetMaxOf(withOwn, r.type)}
  })
  return {decisions, formation, updates: diffFormation(state.formation, formation), quietSince, assessment}
}

/** Whether a process type with dynos runs tsq:autoscale: the assessment then counts its Redis connection. */
function formationRunsAutoscaler(state: AppState): boolean {
  return state.formation.some(f => f.quantity > 0 && f.command !== undefined && commandRunsAutoscale(f.command, state.config))
}

function current(formation: readonly FormationEntry[], type: string): number {
  return formation.find(f => f.type === type)?.quantity ?? 0
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/** The latency rule for one type, before the budget; updates its quiet clock. */
function applyRule(r: TypeQueues, from: number, s: AutoscaleSettings, now: number, quiet: Record<string, number>): Wanted {
  const hold = (reason: string): Wanted => ({type: r.type, from, to: from, reason, decided: r.error === null})
  if (r.error !== null) return hold(`step skipped: ${r.error}`)
  const latency = latencyOf(r.queues)
  const calm = isEmpty(r.queues) && latency < s.targetMs / 4
  if (!calm) delete quiet[r.type]
  let to = from
  let reason: string
  if (from === 0 && hasReadyJob(r.queues)) {
    to = 1
    reason = latency > s.targetMs ? `latency ${seconds(latency)} over the ${seconds(s.targetMs)} target with no dyno running` : 'a job is waiting and no dyno runs'
  } else if (latency > s.targetMs) {
    to = Math.max(from + 1, Math.ceil(from * latency / s.targetMs))
    reason = `latency ${seconds(latency)} over the ${seconds(s.targetMs)} target (${from} × ${seconds(latency)} / ${seconds(s.targetMs)}, at least +1)`
  } else if (calm) {
    const since = quiet[r.type] ?? now
    quiet[r.type] = since
    const quietFor = now - since
    if (from <= s.min) reason = `queues empty, at --min ${s.min}`
    else if (quietFor >= s.downAfterMs) {
      to = from - 1
      quiet[r.type] = now
      reason = `queues empty and latency under ${seconds(s.targetMs / 4)} for ${seconds(quietFor)}: one fewer`
    } else reason = `queues empty for ${seconds(quietFor)} of the ${seconds(s.downAfterMs)} before one fewer`
  } else {
    reason = `latency ${seconds(latency)} within the ${seconds(s.targetMs)} target`
  }
  if (to > s.max) {
    to = Math.max(s.max, Math.min(from, s.max))
    reason += `; --max ${s.max}`
  } else if (to < s.min) {
    to = s.min
    reason += `; --min ${s.min}`
  }
  return {type: r.type, from, to, reason, decided: true}
}

function withCounts(formation: readonly FormationEntry[], counts: Readonly<Record<string, number>>): FormationEntry[] {
  return formation.map(f => counts[f.type] === undefined ? {...f} : {...f, quantity: counts[f.type]!})
}

/** The assessment with the autoscaler's own connections added to the Redis demand, statuses recomputed. */
function withExtraRedis(assessment: Assessment, extra: number): Assessment {
  // The autoscaler reads queues through the app's Redis variable: the first Redis resource.
  const first = assessment.resources.find(b => b.kind === 'redis')
  const resources = assessment.resources.map(b => b !== first || extra === 0 ? b
    : {...b, demand: b.demand + extra, status: statusOf(b.limit, b.reserve, b.demand + extra)})
  return {...assessment, resources}
}

/** The budget's largest count for `type`; 0 when even none fits; null when no known limit counts this type. */
function budgetMaxOf(assessment: Assessment, type: string): number | null {
  const applies = assessment.resources.some(b => b.available !== null && b.rows.some(r => r.app === assessment.app && r.type === type && perDynoOf(r) > 0))
  if (!applies) return null
  return Math.max(0, largestCount(assessment, type) ?? 0)
}

interface Capped {
  counts: Record<string, number>
  /** Per type, what the budget did to its count, with the fix. */
  notes: Record<string, string>
}

/**
 * Lowers the wanted counts until every resource with a known limit fits, the autoscaler's connection
 * included: one dyno at a time off the type that grew most. Demand is linear in dyno counts, so one assessment
 * of the wanted formation gives every per-dyno figure. A resource that fails even with every decided type at 0
 * is over because of something else: decided types then only keep from growing.
 */
function capToBudget(state: AppState, wanted: readonly Wanted[], own: number): Capped {
  const counts: Record<string, number> = Object.fromEntries(wanted.map(w => [w.type, w.to]))
  const notes: Record<string, string> = {}
  const decided = wanted.filter(w => w.decided && state.formation.some(f => f.type === w.type))
  const desired = withExtraRedis(assess(state, {formation: withCounts(state.formation, counts)}), own)
  const perDyno = (b: ResourceBudget, type: string) => {
    const row = b.rows.find(r => r.app === state.app && r.type === type)
    return row ? perDynoOf(row) : 0
  }
  // Demand at the current counts: the wanted formation's, moved by each decided type's change since.
  const demandOf = (b: ResourceBudget) => b.demand + decided.reduce((sum, w) => sum + perDyno(b, w.type) * (counts[w.type]! - w.to), 0)
  const binding = new Map<string, ResourceBudget>()
  const overAnyway = new Set<ResourceBudget>()
  for (;;) {
    const failing = desired.resources.find(b => b.available !== null && !overAnyway.has(b) && demandOf(b) > b.available)
    if (!failing) break
    const holders = decided.filter(w => perDyno(failing, w.type) > 0)
    const fixed = demandOf(failing) - holders.reduce((sum, w) => sum + perDyno(failing, w.type) * counts[w.type]!, 0)
    if (fixed > failing.available!) {
      overAnyway.add(failing)
      for (const w of holders.filter(h => counts[h.type]! > h.from)) {
        counts[w.type] = w.from
        notes[w.type] = `${describeOverLimit({...failing, demand: fixed})} even without ${w.type} dynos: not scaling up; ${fixesFor(desired, failing, wanted)}`
      }
      continue
    }
    const movable = holders.filter(w => counts[w.type]! > 0)
    movable.sort((a, b) => (counts[b.type]! - b.from) - (counts[a.type]! - a.from) || counts[b.type]! - counts[a.type]!)
    const cut = movable[0]!
    counts[cut.type]! -= 1
    binding.set(cut.type, failing)
  }
  for (const w of decided) {
    const b = binding.get(w.type)
    if (!b || notes[w.type]) continue
    const used = demandOf(b)
    notes[w.type] = `the connection budget stops it at ${counts[w.type]} (wanted ${w.to}): ${resourceName(b)} would use ${used} of ${b.available} available (limit ${b.limit} − reserve ${b.reserve}${own > 0 && b.kind === 'redis' ? `, the autoscaler's ${own} included` : ''}); for more: ${fixesFor(desired, b, wanted)}`
  }
  return {counts, notes}
}

/** The ways to make more dynos fit a resource: pool sizes (Postgres), a larger plan, a pooler, fewer Redis connections. */
function fixesFor(desired: Assessment, b: ResourceBudget, wanted: readonly Wanted[]): string {
  const changes = wanted.map(w => ({arg: `${w.type}=${w.to}`, type: w.type, op: '=' as const, quantity: w.to, size: null}))
  const failing = {...desired, resources: desired.resources.map(r => r === b ? {...r, status: 'fail' as const} : r)}
  const suggestions = suggestFixes(failing, changes)
  const fixes: string[] = []
  if (b.kind === 'postgres' && suggestions.pools?.command) fixes.push(`smaller pools: ${suggestions.pools.command}`)
  if (b.kind === 'redis' && suggestions.redisPools?.command) fixes.push(`a smaller Sidekiq concurrency and Redis pools: ${suggestions.redisPools.command}`)
  const alternatives = suggestions.alternatives.find(a => a.kind === b.kind)
  fixes.push(...(alternatives?.fixes ?? []))
  return fixes.join('; or ')
}
