// tsq:scale's decision (spec §6): the formation after the requested changes, its budget for every resource,
// whether to apply it, and — when a resource would be over its limit — the counts and pools that would fit.
// Pure: judged through the same assess() as the doctor, so the processes per dyno follow a size change.
import type {AppState, FormationEntry} from '../../model/app-state.js'
import {type Assessment, assess} from '../../assess/assess.js'
import {type ResourceBudget, type Status, restartDemand, restartText} from '../../budget/budget.js'
import {type ScaleChange, applyScale} from '../../model/formation.js'
import {type ScaleSuggestions, suggestFixes} from './suggest.js'

export type {CountSuggestion, PoolSuggestion, ScaleSuggestions} from './suggest.js'

export interface ScaleOptions {
  /** Apply even when a resource would fail (`--force`). */
  force?: boolean
}

/** One entry of the batch `PATCH /apps/{app}/formation`: absolute quantity, and the size only when it changes. */
export interface FormationUpdate {
  type: string
  quantity: number
  size?: string
}

/**
 * `apply`: send the updates. `refuse`: a resource would be over its limit and the change adds to it.
 * `unchanged`: the formation already is what was asked; nothing to send.
 */
export type ScaleVerdict = 'apply' | 'refuse' | 'unchanged'

export interface ScalePlan {
  app: string
  current: FormationEntry[]
  /** The formation as it would be after the change. */
  formation: FormationEntry[]
  /** Only the entries that change, in formation order. */
  updates: FormationUpdate[]
  /** The requested formation judged as the doctor judges it. */
  assessment: Assessment
  /** One budget per resource for the requested formation (the doctor's resources). */
  budgets: ResourceBudget[]
  /** The worst budget status of the requested formation. */
  status: Status
  verdict: ScaleVerdict
  /** True when the verdict is `apply` only because of --force. */
  forced: boolean
  /** Resources that would fail and whose demand the change raises: the reason for a refusal. */
  blocking: ResourceBudget[]
  warnings: string[]
  /** What would fit, whenever a resource of the requested formation fails; null otherwise. */
  suggestions: ScaleSuggestions | null
}

/**
 * Judges a scale request. Throws ScaleArgumentError (naming the known types) for a type the app does not run.
 * A change that leaves a failing resource no worse (e.g. scaling down an app already over its limit) is
 * applied with a warning rather than refused: refusing it would keep the app over the limit.
 */
export function planScale(state: AppState, changes: readonly ScaleChange[], options: ScaleOptions = {}): ScalePlan {
  const formation = applyScale(state.formation, changes)
  const before = assess(state)
  const assessment = assess(state, {formation})
  const budgets = assessment.resources
  const updates = diffFormation(state.formation, formation)
  const failing = budgets.filter(b => b.status === 'fail')
  const blocking = failing.filter(b => b.demand > (before.resources.find(r => r.kind === b.kind && r.configVar === b.configVar && r.addon === b.addon)?.demand ?? 0))
  const status: Status = failing.length > 0 ? 'fail' : budgets.some(b => b.status === 'warn') ? 'warn' : 'ok'

  let verdict: ScaleVerdict = updates.length === 0 ? 'unchanged' : 'apply'
  const forced = verdict === 'apply' && blocking.length > 0 && options.force === true
  if (verdict === 'apply' && blocking.length > 0 && !forced) verdict = 'refuse'

  const warnings = budgetWarnings(state, assessment, blocking)
  if (forced) warnings.unshift(`--force: scaling although ${blocking.map(b => describeOverLimit(b)).join(' and ')}; connections will be refused once the dynos start`)
  const suggestions = failing.length > 0 ? suggestFixes(assessment, changes) : null
  return {app: state.app, current: state.formation, formation, updates, assessment, budgets, status, verdict, forced, blocking, warnings, suggestions}
}

/** The entries of `next` whose quantity or size differs from `current`. */
export function diffFormation(current: readonly FormationEntry[], next: readonly FormationEntry[]): FormationUpdate[] {
  const updates: FormationUpdate[] = []
  for (const entry of next) {
    const was = current.find(c => c.type === entry.type)
    const sizeChanged = !was || was.size !== entry.size
    if (was && was.quantity === entry.quantity && !sizeChanged) continue
    updates.push({type: entry.type, quantity: entry.quantity, ...(sizeChanged ? {size: entry.size} : {})})
  }
  return updates
}

/** `Postgres postgresql-curved-1`, for messages. */
export function resourceName(b: Pick<ResourceBudget, 'kind' | 'addon' | 'configVar'>): string {
  return `${b.kind === 'postgres' ? 'Postgres' : 'Redis'} ${b.addon ?? b.configVar ?? ''}`.trim()
}

/** `Postgres postgresql-curved-1 would need 26 connections, over the 18 available (limit 20 − reserve 2)`. */
export function describeOverLimit(b: ResourceBudget): string {
  const name = resourceName(b)
  if (b.limit === null || b.available === null) return `${name} would need ${b.demand} connections (limit unknown)`
  return `${name} would need ${b.demand} connections, over the ${b.available} available (limit ${b.limit} − reserve ${b.reserve})`
}

function budgetWarnings(state: AppState, assessment: Assessment, blocking: readonly ResourceBudget[]): string[] {
  const warnings: string[] = []
  for (const b of assessment.resources) {
    const name = resourceName(b)
    if (b.status === 'fail' && !blocking.includes(b)) warnings.push(`${describeOverLimit(b)}; this change does not add to it, so it is not refused`)
    if (b.status === 'warn' && b.limit === null) warnings.push(`${name}: the plan's connection limit is unknown (${b.plan ?? 'no add-on'}), so ${b.demand} connections could not be checked`)
    if (b.status === 'warn' && b.limit !== null && restartDemand(b.rows) > b.limit) {
      warnings.push(`${name}: ${b.demand} connections fit the limit of ${b.limit}, but not a restart's overlap (${restartText(b)} > ${b.limit}): while old and new dynos overlap during a restart (up to 30 s) the app can hit the limit`)
    }
  }
  for (const b of assessment.resources) {
    const addon = state.addons.find(a => a.name === b.addon)
    for (const s of addon ? state.sharing[addon.id] ?? [] : []) {
      if (s.error && s.app !== state.app) warnings.push(`${b.addon} is shared with ${s.app}, whose connections could not be counted (${s.error})`)
    }
  }
  for (const p of assessment.problems) {
    warnings.push(`${p.variable}=${JSON.stringify(p.value)} is invalid (${p.allowed}); the budget assumes the default`)
  }
  return warnings
}
