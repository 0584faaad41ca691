// Human output and the --json document of tsq:scale. Pure: plan in, text or data out.
import type {AppState, FormationEntry} from '../core/model/app-state.js'
import type {Assessment} from '../core/assess/assess.js'
import {type DoctorResource, buildDoctorReport} from '../core/checks/doctor.js'
import {renderFormation} from '../core/model/formation.js'
import {type ScalePlan, describeOverLimit, resourceName} from '../core/plans/scale/scale-plan.js'
import {renderResource} from './doctor.js'
import {type Style, paint} from './style.js'

/** The --json document (spec §6); `suggestions` is present when a resource of the requested formation fails. */
export interface ScaleResult {
  app: string
  applied: boolean
  /** `--dry-run`: nothing was sent. */
  dryRun: boolean
  /** `apply`, `refuse` or `unchanged`; null without arguments. */
  verdict: ScalePlan['verdict'] | null
  /** Applied only because of --force. */
  forced: boolean
  /** The formation the budget is for: after the change, whether applied or not. */
  formation: Array<{type: string, quantity: number, size: string}>
  /** The formation before the command ran. */
  previous: Array<{type: string, quantity: number, size: string}>
  /** The doctor's resources, for `formation`. */
  budget: DoctorResource[]
  warnings: string[]
  suggestions?: ScalePlan['suggestions']
}

/**
 * The --json document for an assessed formation; `plan` is null when no change was asked for. `state` (the app
 * as read) names the sharing apps that could not be read, as the doctor's resources do.
 */
export function scaleResult(input: {applied: boolean, dryRun: boolean, assessment: Assessment, previous: readonly FormationEntry[],
  plan: ScalePlan | null, state?: AppState}): ScaleResult {
  const {plan, assessment} = input
  const entries = (formation: readonly FormationEntry[]) => formation.map(f => ({type: f.type, quantity: f.quantity, size: f.size}))
  return {
    app: assessment.app, applied: input.applied, dryRun: input.dryRun, verdict: plan?.verdict ?? null, forced: input.applied && (plan?.forced ?? false),
    formation: entries(assessment.formation), previous: entries(input.previous),
    budget: buildDoctorReport(assessment, [], 'heroku', input.state).resources,
    warnings: plan ? [...plan.warnings] : [],
    ...(plan?.suggestions ? {suggestions: plan.suggestions} : {}),
  }
}

/** One budget table per resource, as the doctor prints them. */
export function renderBudgets(style: Style, result: ScaleResult): string {
  return result.budget.map(r => renderResource(r, result.app, style)).join('\n\n')
}

/** `worker to 3, web to 1:performance-m`: what the spinner says is being changed. */
export function describeUpdates(plan: ScalePlan): string {
  return plan.updates.map(u => `${u.type} to ${u.quantity}${u.size ? `:${u.size}` : ''}`).join(', ')
}

/** The line above the budget tables: what happened to the formation. */
export function renderHeadline(style: Style, plan: ScalePlan, outcome: Pick<ScaleResult, 'applied' | 'dryRun' | 'formation'>): string {
  const app = paint(style, 'cyan', `⬢ ${plan.app}`)
  const text = renderFormation(outcome.formation)
  if (plan.verdict === 'unchanged') return `${app} already runs ${text}; nothing to change.`
  if (outcome.applied) return `${app} now runs ${text}`
  if (outcome.dryRun) return `Dry run: ${app} would run ${text} — ${plan.verdict === 'refuse' ? 'refused' : 'allowed'}, nothing sent.`
  return `Not scaled: ${app} would run ${text}`
}

/** Why a scale is refused, for the error oclif prints (and the hint to override it). */
export function renderRefusal(plan: ScalePlan): string {
  return `Not scaled: ${plan.blocking.map(b => describeOverLimit(b)).join('; ')}.`
}

/** The largest counts, the pools and the other ways out, for a requested formation that fails. */
export function renderSuggestions(style: Style, plan: ScalePlan): string {
  const s = plan.suggestions
  if (!s) return ''
  const out: string[] = []
  const counts = s.counts.map(c => c.largest === null
    ? `  ${c.type}: no count fits while the rest stays as requested; the excess is elsewhere`
    : c.largest === 0 ? `  ${c.type}: not even one ${c.size} dyno fits (asked ${c.requested})`
      : `  ${paint(style, 'bold', `${c.type}=${c.largest}`)}  (asked ${c.requested})  ${c.command ?? ''}`.trimEnd())
  out.push('Largest counts that fit, the other process types as requested:', ...counts)
  const redis = s.redisPools && (s.redisPools.command || s.redisPools.edits.length > 0) ? s.redisPools : null
  if (s.pools && (s.pools.command || s.pools.edits.length > 0) && !redis?.withPostgres) {
    const when = s.pools.fits === 'overlap' ? 'even while old and new dynos overlap on restart' : 'within the limit, though not during restart overlap'
    out.push('', `Or keep ${renderFormation(plan.formation)} with smaller Postgres pools (fits ${when}):`,
      ...(s.pools.command ? [`  ${s.pools.command}`] : []), ...s.pools.edits.map(e => `  ${e}`),
      `  then run this command again (${s.pools.command ? 'setting config vars restarts the dynos' : 'after deploying the edit'})`)
  }
  if (redis) {
    const when = redis.fits === 'overlap' ? 'even while old and new dynos overlap on restart' : 'within the limit, though not during restart overlap'
    const what = redis.withPostgres ? 'smaller Postgres pools and Sidekiq sizes' : 'a smaller Sidekiq concurrency and Redis pools'
    const per = Object.entries(redis.connections).map(([type, n]) => `${type} ${n}`).join(', ')
    out.push('', `Or keep ${renderFormation(plan.formation)} with ${what} (Redis connections per process ${per}; fits ${when}):`,
      ...(redis.command ? [`  ${redis.command}`] : []), ...redis.edits.map(e => `  ${e}`),
      `  then run this command again (${redis.command ? 'setting config vars restarts the dynos' : 'after deploying the edit'})`)
  }
  for (const alt of s.alternatives) {
    const name = resourceName({kind: alt.kind, addon: alt.addon, configVar: null})
    out.push('', alt.noPoolFix ? `${name}: ${alt.noPoolFix}. Instead:` : `${name}: other ways out:`, ...alt.fixes.map(f => `  - ${f}`))
  }
  if (plan.verdict === 'refuse') out.push('', 'Or pass --force to scale anyway.')
  return out.join('\n')
}
