// `tsq:setup --pooling` (spec §11): attach Heroku's server-side pooler to the app's database — the Data API call
// `heroku pg:connection-pooling:attach DATABASE_URL --as DATABASE_CONNECTION_POOL` makes — when the plan has it and
// the formation, at the pools it runs today, cannot fit the plan otherwise, and only when the processes are pointed
// at it in the same run (a Rails app whose database.yml must change: with --force); then point the processes at it:
// TSQ_DATABASE_URL_VAR for heroku-tsq/runtime processes, and for a Rails app config/database.yml's primary config
// (database-yml.ts). A process that needs a session stays direct: the release phase (migrations take an advisory
// lock) and GoodJob types start with `<pooler var>=$DATABASE_URL` in the Procfile, which Rails then reads. Pure.
import type {AppState} from '../../model/app-state.js'
import {type AssessOptions, assess} from '../../assess/assess.js'
import {POOLING_ATTACHMENT, POOLING_NAMESPACE, serverPoolersOf} from '../../budget/poolers.js'
import {planHasPooling} from '../../assess/pooler-advice.js'
import type {AttachChange, SetupNote, SkippedStep} from './types.js'
import {DATABASE_YML, type DatabaseYmlPlan, planPoolerDatabaseYml} from './database-yml.js'
import {unifiedDiff} from '../../model/text-diff.js'

export const POOLING_VAR = `${POOLING_ATTACHMENT}_URL`
/** Stands in for the pooler's URL until Heroku creates it: judged in memory, never sent or printed. */
const PLACEHOLDER_URL = 'postgres://attached-by-tsq-setup.invalid:5432/pooler'

export interface PoolingPlan {
  /** The attach, when one is needed. */
  change: AttachChange | null
  /** Config vars that point processes at the pooler (TSQ_DATABASE_URL_VAR). */
  vars: Record<string, string>
  skipped: SkippedStep[]
  /** For a Rails app without a database.yml setup can edit: the lines to change by hand. */
  notes: SetupNote[]
  /** For a Rails app: the database.yml edit, and the Procfile types that keep a direct URL. */
  rails: RailsPooling | null
  /** The app as it will be once attached and pointed: what the settings are sized against. */
  predicted: AppState
  /** A Rails app's database.yml must change and --force was not given: nothing is attached or pointed (the skipped step says why). */
  needsForce: boolean
}

export interface RailsPooling {
  database: DatabaseYmlPlan
  /** Procfile types started with `variable=$DATABASE_URL`: the release phase, and GoodJob (LISTEN/NOTIFY, advisory locks). */
  direct: {variable: string, types: string[]}
}

/**
 * Plans server-side pooling for `state` (`--pooling`); `live` limits win over the plan's as in planSettings. The
 * pooler is attached only when the processes will be pointed at it in the same run: for a Rails app whose
 * database.yml must change that takes `force` (setup writes the app's own file only with --force); without it
 * nothing is attached, and the skipped step shows the edit and names --force.
 */
export function planPooling(state: AppState, live: AssessOptions['live'] = {}, force = false): PoolingPlan {
  const none = (reason: string, diff?: string[]): PoolingPlan => ({change: null, vars: {}, skipped: [{kind: 'attach', reason, ...diff ? {diff} : {}}], notes: [],
    rails: null, predicted: state, needsForce: diff !== undefined})
  const before = assess(state, {live})
  const pg = before.resources.find(r => r.kind === 'postgres')
  const addon = before.postgres.used
  if (!pg || !addon) return none('--pooling: no Heroku Postgres add-on behind DATABASE_URL to pool')
  if (!planHasPooling(addon.plan)) {
    return none(`--pooling: ${addon.plan} has no server-side pooling (Standard, Premium, Private and Shield plans have it); the doctor's fixes name the pgbouncer buildpack and the plans that fit`)
  }
  const attached = serverPoolersOf(state, state.config, addon.id).find(p => p.attachment !== null)
  const variable = attached?.variables[0] ?? POOLING_VAR
  const pooled = pg.poolers?.some(p => p.kind === 'server') ?? false
  if (!attached && pg.status !== 'fail') {
    return none(`--pooling: the formation already fits ${addon.name} (${pg.demand} of ${pg.available ?? '?'} available) without a pooler`)
  }
  // Point every heroku-tsq process at the pooler unless one needs a session; Rails reads database.yml.
  const tsq = before.models.filter(m => m.stack.value === 'tsq' && m.role !== 'none')
  const rails = before.models.filter(m => ['puma', 'sidekiq', 'solid_queue', 'good_job', 'app'].includes(m.stack.value))
  const vars: Record<string, string> = {}
  if (tsq.length > 0 && !pooled && state.config.TSQ_DATABASE_URL_VAR !== variable) vars.TSQ_DATABASE_URL_VAR = variable
  const predictedAttachment = attached ? [] : [{id: 'tsq-setup-pooling', name: POOLING_ATTACHMENT, addonId: addon.id, addonName: addon.name, app: state.app,
    namespace: POOLING_NAMESPACE, configVars: [variable]}]
  const predicted: AppState = {...state, attachments: [...state.attachments, ...predictedAttachment],
    config: {...state.config, ...(state.config[variable] ? {} : {[variable]: PLACEHOLDER_URL}), ...vars}}
  const change: AttachChange | null = attached ? null : {kind: 'attach', addon: addon.name, service: addon.service, as: POOLING_ATTACHMENT, confirm: false,
    configVar: variable, pooling: true,
    reason: `the formation needs ${pg.demand} Postgres connections, over the ${pg.available ?? '?'} ${addon.plan} leaves; through Heroku's server-side pooler its processes hold the pooler's server pool instead (heroku pg:connection-pooling:attach)`}
  const skipped: SkippedStep[] = attached ? [{kind: 'attach', reason: `--pooling: ${attached.attachment} already pools ${addon.name} (${variable})`}] : []
  const notes: SetupNote[] = []
  let railsPlan: RailsPooling | null = null
  const yml = state.checkout?.files[DATABASE_YML]
  if (rails.length > 0 && yml && 'text' in yml) {
    const env = predicted.config
    const database = planPoolerDatabaseYml(yml.text, {variable, env, railsEnv: env.RAILS_ENV || env.RACK_ENV || 'production'})
    const goodJob = before.models.filter(m => m.stack.value === 'good_job').map(m => m.type)
    railsPlan = {database, direct: {variable, types: ['release', ...goodJob]}}
    if (!attached && !force && database.kind === 'edit') {
      return none(`--pooling: ${addon.name}'s pooler is not attached, as nothing would connect through it yet: ${rails.map(m => m.type).join(', ')} read${rails.length === 1 ? 's' : ''} ` +
        `${DATABASE_YML}, whose change below (${database.edits.join('; ')}) setup writes only with --force. With --force it attaches ${POOLING_ATTACHMENT}, ` +
        `points ${DATABASE_YML} at ${variable} and keeps the release phase on DATABASE_URL, in one run: heroku tsq:setup --pooling --force -a ${state.app}`,
      unifiedDiff(DATABASE_YML, yml.text, database.after))
    }
    if (database.kind !== 'skip') notes.push(oneOffNote(variable, state.app))
  } else if (rails.some(m => m.dbRoute?.variable.value !== variable)) {
    const direct = rails.filter(m => m.dbRoute?.variable.value !== variable)
    notes.push({id: 'postgres.pooler', message: `${direct.map(m => m.type).join(', ')} read${direct.length === 1 ? 's' : ''} ${direct[0]!.dbRoute?.variable.value ?? 'DATABASE_URL'} through ${DATABASE_YML}, which is not in --dir`,
      fix: `run setup in the app's checkout (--dir), or in ${DATABASE_YML}'s production section: url: <%= ENV["${variable}"] %> and prepared_statements: false (keep the release phase direct: release: ${variable}=$DATABASE_URL bin/rails db:migrate); ${oneOffNote(variable, state.app).fix}`})
  }
  return {change, vars, skipped, notes, rails: railsPlan, predicted, needsForce: false}
}

/**
 * What --pooling does not cover: a one-off dyno reads database.yml too, so `heroku run rails db:migrate` and a
 * console that takes an advisory lock go through the transaction pooler; only the Procfile's release line is
 * kept direct. `heroku run` sends one quoted argument as it is, and the dyno's shell expands `$DATABASE_URL`.
 */
function oneOffNote(variable: string, app: string): SetupNote {
  return {id: 'setup.pooling', message: `Once ${DATABASE_YML} reads ${variable}, one-off dynos connect through the transaction pooler too: ` +
    `\`heroku run rails db:migrate\` and consoles that take advisory locks (migrations, with_advisory_lock) fail or misbehave there; only the Procfile's release line is kept on DATABASE_URL`,
  fix: `run them on the direct URL: heroku run '${variable}=$DATABASE_URL bin/rails db:migrate' -a ${app} (single quotes, so $DATABASE_URL is expanded on the dyno, not by your shell)`}
}
