// tsq:setup's plan: from what the app is (AppState) and what the user asked (flags, files in --dir) to the
// list of changes, in the order they are applied: attachments, then config vars, then the Procfile. Pure:
// the command gathers, this decides, src/cli/setup-apply.ts applies.
import type {AppState} from './app-state.js'
import type {AssessOptions, Assessment} from './assess.js'
import {type ScaleChange, applyScale} from './formation.js'
import {DOTENV, PROCFILE, type ProcfileIntent, planDotenv, planProcfile} from './setup-plan-files.js'
import {type RedisPlan, planRedis} from './setup-plan-redis.js'
import {planSettings} from './setup-plan-settings.js'
import type {ConfigChange, SetupChange, SetupNote, SetupProblem, SkippedStep} from './setup-plan-types.js'
import {localFormation} from './procfile.js'
import {runChecks} from './checks.js'

export type * from './setup-plan-types.js'

export interface SetupIntent {
  /** `--redis ADDON`: the add-on to attach as REDIS; null to find the one Redis add-on. */
  redis: string | null
  procfile: ProcfileIntent
  /**
   * `--local`: no Heroku. The state's config is the local environment, its formation is one dyno per type of
   * the planned Procfile changed by `formation` (`--formation`, as tsq:doctor --local applies it), and TSQ_*
   * values go to `.env` (its text here; null when there is none).
   */
  local: {dotenv: string | null, formation?: readonly ScaleChange[]} | null
  /** Limits measured on the servers themselves, which win over the plan catalogue when tighter. */
  live?: AssessOptions['live']
}

export interface SetupPlan {
  app: string
  local: boolean
  changes: SetupChange[]
  skipped: SkippedStep[]
  problems: SetupProblem[]
  notes: SetupNote[]
  /** A blocking problem: nothing may be changed. */
  blocked: boolean
  /** The app as the doctor will assess it once every change is applied. */
  after: Assessment
}

/**
 * The changes that set the app up. Throws ScaleArgumentError when `--local`'s formation names a process type
 * the planned Procfile does not have (as tsq:doctor --local and tsq:scale do).
 */
export function planSetup(state: AppState, intent: SetupIntent): SetupPlan {
  const procfile = planProcfile(intent.procfile)
  const local = intent.local !== null
  const base = intent.local
    ? {...state, formation: applyScale(localFormation(procfile.types.map(type => ({type, command: ''}))), intent.local.formation ?? [])}
    : state
  const redis: RedisPlan = local
    ? {changes: [], problems: [], predicted: base,
      skipped: [{kind: 'attach', reason: '--local: no add-ons to attach; the app reads Redis from .env or the environment'}]}
    : planRedis(base, intent.redis)
  const settings = planSettings(redis.predicted, intent.live)

  const changes: SetupChange[] = [...redis.changes]
  const skipped: SkippedStep[] = [...redis.skipped, ...settings.skipped, ...procfile.skipped]
  if (Object.keys(settings.vars).length > 0) {
    const config: ConfigChange = {kind: 'config', target: local ? DOTENV : 'config-vars', vars: settings.vars, previous: settings.previous, reasons: settings.reasons}
    if (intent.local) config.file = {name: DOTENV, before: intent.local.dotenv, after: planDotenv(intent.local.dotenv, settings.vars).text}
    changes.push(config)
  } else if (!skipped.some(s => s.kind === 'config') && settings.problems.length === 0) {
    skipped.push({kind: 'config', reason: 'the TSQ_* settings already fit every limit: nothing to set'})
  }
  if (procfile.change) changes.push(procfile.change)
  const problems = [...redis.problems, ...settings.problems, ...procfile.problems]
  const blocked = problems.some(p => p.blocking)
  const notes: SetupNote[] = procfile.warnings.map(message => ({id: 'procfile.duplicate', message,
    fix: `remove the earlier definition from ${PROCFILE}`}))
  // Judge the result with the doctor's own checks: a `fail` left after setup is a problem (setup exits 1),
  // a `warn` a note. A blocked plan is not judged: nothing will change, and its problem says why.
  if (!blocked) {
    const checks = runChecks({assessment: settings.after, state: redis.predicted, local, live: local || intent.live !== undefined})
    for (const c of checks) {
      if (c.status === 'fail' && !problems.some(p => p.id === c.id)) problems.push({id: c.id, message: c.message, fix: c.fix ?? '', blocking: false})
      if (c.status === 'warn') notes.push({id: c.id, message: c.message, fix: c.fix})
    }
  }
  return {app: state.app, local, changes, skipped, problems, notes, blocked, after: settings.after}
}
