// tsq:setup's plan: from what the app is (AppState) and what the user asked (flags, files in --dir) to the
// list of changes, in the order they are applied: attachments, then config vars, then the Procfile. Pure:
// the command gathers, this decides, src/cli/setup-apply.ts applies.
import type {AppState} from '../../model/app-state.js'
import type {AssessOptions, Assessment} from '../../assess/assess.js'
import {type ScaleChange, applyScale} from '../../model/formation.js'
import {DOTENV, PROCFILE, type ProcfileIntent, planDotenv, planProcfile} from './files.js'
import {type RedisPlan, planRedis} from './redis.js'
import {planPooling} from './pooling.js'
import {planSettings, reasonsFor} from './settings.js'
import type {ConfigChange, SetupChange, SetupNote, SetupProblem, SkippedStep} from './types.js'
import {localFormation} from '../../model/procfile.js'
import {runChecks} from '../../checks/index.js'
import {assess} from '../../assess/assess.js'
import type {ProcfilePlan} from './files.js'
import {isRailsApp, planDatabaseFile, planRailsFiles, railsProcfileDefaults, seedRailsVars} from './rails.js'
import {DATABASE_YML} from './database-yml.js'
import {type AutoscaleIntent, autoscalerType, planAutoscaleSetup, withAutoscaler} from './autoscale.js'

export type * from './types.js'

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
  /** The checkout has `db/migrate` (a Rails app then gets a `release` line). */
  migrations?: boolean
  /** `--pooling`: attach Heroku's server-side pooler when the plan has it and the formation cannot fit otherwise. */
  pooling?: boolean
  /** `--autoscale`: run tsq:autoscale as its own process type, counted at one dyno; null or absent: not asked. */
  autoscale?: AutoscaleIntent | null
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
  const rails = isRailsApp(state.checkout)
  const procfileIntent = {...intent.procfile, autoscale: Boolean(intent.autoscale), ...rails ? {defaults: railsProcfileDefaults(intent.migrations ?? false)} : {}}
  let procfile = planProcfile(procfileIntent)
  const local = intent.local !== null
  // Only an autoscaler the Procfile will run is counted and configured: one left out (no --force) is not.
  const autoscaler = intent.autoscale ? autoscalerType(procfile.entries) : null
  const auto = intent.autoscale && autoscaler !== null
    ? planAutoscaleSetup({app: state.app, local, type: autoscaler, config: state.config, formation: state.formation, rails, tsqDependency: intent.autoscale.tsqDependency})
    : null
  const base = {...state, formation: plannedFormation(state, intent, procfile, autoscaler)}
  const redis: RedisPlan = local
    ? {changes: [], problems: [], predicted: base,
      skipped: [{kind: 'attach', reason: '--local: no add-ons to attach; the app reads Redis from .env or the environment'}]}
    : planRedis(base, intent.redis)
  const pooling = intent.pooling && !local ? planPooling(redis.predicted, intent.live, intent.procfile.force) : null
  let predicted = pooling?.predicted ?? redis.predicted
  // Behind the pooler, the release phase (and GoodJob) keep a direct URL through their Procfile line.
  if (pooling?.rails) {
    procfile = planProcfile({...procfileIntent, direct: pooling.rails.direct})
    predicted = {...predicted, formation: plannedFormation({...state, formation: predicted.formation}, intent, procfile, autoscaler)}
  }
  const files = rails && state.checkout ? planRailsFiles(state.checkout, intent.procfile.force, sidekiqQueues(predicted)) : null
  const database = pooling?.rails && files ? planDatabaseFile(pooling.rails.database, state.checkout!, intent.procfile.force) : null
  if (database?.change && files) {
    files.changes.push(database.change)
    files.checkout.files[DATABASE_YML] = {text: database.change.after}
  }
  if (database?.skipped && files) files.skipped.push(database.skipped)
  // The config vars the generated files read start at what the app runs today; planSettings lowers them where a limit needs it.
  const today = files ? assess(predicted, {live: intent.live}) : null
  const seeds = files && today ? seedRailsVars(today, state, new Set(files.changes.map(c => c.file))) : {}
  const settings = planSettings({...predicted, config: {...predicted.config, ...seeds}, checkout: files?.checkout ?? state.checkout}, intent.live)
  // A Rails app's reasons compare with what it runs today, not with the generated files' starting values.
  if (today) settings.reasons = reasonsFor(settings, today)
  const vars = {...seeds, ...pooling?.vars, ...settings.vars, ...auto?.vars}
  const previous = Object.fromEntries(Object.keys(vars).map(k => [k, state.config[k] ?? null]))

  const changes: SetupChange[] = [...redis.changes, ...(pooling?.change ? [pooling.change] : [])]
  const dotenvProblems: SetupProblem[] = []
  const skipped: SkippedStep[] = [...redis.skipped, ...pooling?.skipped ?? [], ...settings.skipped, ...procfile.skipped, ...files?.skipped ?? []]
  if (Object.keys(vars).length > 0) {
    const reasons = [...Object.keys(seeds).filter(k => settings.vars[k] === undefined).map(k => `${k}=${seeds[k]}: what the app runs today, now read from the generated files`),
      ...Object.entries(pooling?.vars ?? {}).map(([k, v]) => `${k}=${v}: heroku-tsq/runtime connects through the server-side pooler`), ...settings.reasons,
      ...auto?.reasons ?? []]
    const config: ConfigChange = {kind: 'config', target: local ? DOTENV : 'config-vars', vars, previous, reasons}
    const dotenv = intent.local ? planDotenv(intent.local.dotenv, vars) : null
    if (intent.local && dotenv) config.file = {name: DOTENV, before: intent.local.dotenv, after: dotenv.text}
    // An edit Node would not read as meant is refused before anything is written (names only: .env holds secrets).
    dotenvProblems.push(...dotenv?.problems.map(message => ({id: 'setup.dotenv', blocking: true, message: `${DOTENV}: ${message}`,
      fix: `Make each variable in ${DOTENV} one KEY=value line (or a quoted value), then run setup again`})) ?? [])
    if (dotenvProblems.length === 0) changes.push(config)
  } else if (!skipped.some(s => s.kind === 'config') && settings.problems.length === 0) {
    skipped.push({kind: 'config', reason: `the ${rails ? 'pool' : 'TSQ_*'} settings already fit every limit: nothing to set`})
  }
  changes.push(...files?.changes ?? [])
  if (procfile.change) changes.push(procfile.change)
  const problems = [...redis.problems, ...settings.problems, ...procfile.problems, ...dotenvProblems]
  const blocked = problems.some(p => p.blocking)
  const notes: SetupNote[] = [...procfile.warnings.map(message => ({id: 'procfile.duplicate', message,
    fix: `remove the earlier definition from ${PROCFILE}`})), ...pooling?.notes ?? [], ...auto?.notes ?? []]
  if (settings.edits.length > 0) {
    notes.push({id: 'setup.edit', message: 'Some sizes are set in files setup does not write, so it does not change them', fix: settings.edits.join('; and ')})
  }
  // Judge the result with the doctor's own checks: a `fail` left after setup is a problem (setup exits 1),
  // a `warn` a note. A blocked plan is not judged: nothing will change, and its problem says why.
  if (!blocked) {
    const checks = runChecks({assessment: settings.after, state: predicted, local, live: local || intent.live !== undefined, poolingForce: pooling?.needsForce})
    for (const c of checks) {
      if (c.status === 'fail' && !problems.some(p => p.id === c.id)) problems.push({id: c.id, message: c.message, fix: c.fix ?? '', blocking: false})
      if (c.status === 'warn') notes.push({id: c.id, message: c.message, fix: c.fix})
    }
  }
  return {app: state.app, local, changes, skipped, problems, notes, blocked, after: settings.after}
}

/**
 * The formation setup judges: locally one dyno per type of the planned Procfile (changed by --formation); on
 * Heroku the app's formation, each type running the planned Procfile's command once it is deployed, and the
 * autoscaler's type (when asked for) at one dyno at least, as the user is told to scale it.
 */
function plannedFormation(state: AppState, intent: SetupIntent, procfile: ProcfilePlan, autoscaler: string | null): AppState['formation'] {
  if (intent.local) return applyScale(localFormation(procfile.entries), intent.local.formation ?? [])
  const deployed = !procfile.change ? state.formation : state.formation.map(f => {
    const command = procfile.entries.find(e => e.type === f.type)?.command
    return command ? {...f, command} : f
  })
  const command = procfile.entries.find(e => e.type === autoscaler)?.command
  return autoscaler !== null && command !== undefined ? withAutoscaler(deployed, autoscaler, command) : deployed
}

/** The queues the Sidekiq types consume today, for the generated sidekiq.yml. */
function sidekiqQueues(state: AppState): string[] {
  const assessment = assess(state)
  return [...new Set(assessment.models.filter(m => m.stack.value === 'sidekiq').flatMap(m => m.queues))]
}
