// tsq:setup for a Rails app on Puma + Sidekiq (spec §9): the Procfile commands, the config files tsq generates
// (config/puma.rb, config/sidekiq.yml, config/initializers/tsq.rb) and the config vars they read, chosen so the
// formation fits every limit. A file the app already has and that differs is shown as a diff and written only
// with --force; the app's own Ruby is never edited beyond these files. Pure.
import type {AppState, Checkout} from '../../model/app-state.js'
import type {Assessment} from '../../assess/assess.js'
import {parseGemfileLock} from '../../stacks/ruby/gemfile-lock.js'
import {lineDiff, unifiedDiff} from '../../model/text-diff.js'
import {DATABASE_YML, type DatabaseYmlPlan} from './database-yml.js'
import type {SetupFileChange, SkippedStep} from './types.js'
import {RAILS_PROCFILE, RAILS_VARIABLES, railsSetupFiles} from './rails-templates.js'

/** Whether the checkout is a Rails app: Gemfile.lock bundles rails (or railties). */
export function isRailsApp(checkout: Checkout | undefined): boolean {
  const lock = checkout?.files['Gemfile.lock']
  if (!lock || !('text' in lock)) return false
  const gems = parseGemfileLock(lock.text).gems
  return gems.has('rails') || gems.has('railties')
}

/** The Procfile commands setup offers a Rails app when the type is missing; `release` only with migrations. */
export function railsProcfileDefaults(hasMigrations: boolean): Partial<Record<'web' | 'worker' | 'release', string>> {
  return {web: RAILS_PROCFILE.web, worker: RAILS_PROCFILE.worker, ...(hasMigrations ? {release: RAILS_PROCFILE.release} : {})}
}

export interface RailsFilesPlan {
  changes: SetupFileChange[]
  skipped: SkippedStep[]
  /** The checkout as it will be once the changes are written: what the after-assessment reads. */
  checkout: Checkout
}

/** The generated files: created when missing, rewritten only with `force` when they differ. */
export function planRailsFiles(checkout: Checkout, force: boolean, queues: readonly string[]): RailsFilesPlan {
  const plan: RailsFilesPlan = {changes: [], skipped: [], checkout: {dir: checkout.dir, files: {...checkout.files}}}
  for (const {path, content} of railsSetupFiles({queues: queues.length > 0 ? queues : undefined})) {
    const existing = checkout.files[path]
    const before = existing && 'text' in existing ? existing.text : null
    if (existing && 'error' in existing && !/not found/.test(existing.error)) {
      plan.skipped.push({kind: 'file', reason: `${path} is left alone: ${existing.error}`})
      continue
    }
    if (before === content) {
      plan.skipped.push({kind: 'file', reason: `${path} is already tsq's`})
      continue
    }
    const change: SetupFileChange = {kind: 'file', file: path, action: before === null ? 'create' : 'update', before, after: content, diff: lineDiff(before ?? '', content)}
    if (before !== null && !force) {
      plan.skipped.push({kind: 'file', reason: `${path} differs from what setup would write and is left alone; run again with --force to write it`, diff: change.diff})
      continue
    }
    plan.changes.push(change)
    plan.checkout.files[path] = {text: content}
  }
  return plan
}

/**
 * The config vars the generated files read, seeded with what the app runs today (its Puma workers and threads,
 * its Sidekiq concurrency), so setup keeps the app's sizes and only lowers them where a limit needs it.
 */
export function seedRailsVars(before: Assessment, state: AppState, written: ReadonlySet<string>): Record<string, string> {
  const seeds: Record<string, string> = {}
  for (const p of before.processes.filter(x => x.dynos > 0)) {
    if (p.stack === 'puma' && written.has('config/puma.rb')) {
      seeds[RAILS_VARIABLES.webProcesses] ??= String(p.processesPerDyno)
      if (p.threads !== null) seeds[RAILS_VARIABLES.webThreads] ??= String(p.threads)
    }
    if (p.stack === 'sidekiq' && written.has('config/sidekiq.yml') && p.concurrency !== null) seeds[RAILS_VARIABLES.workerConcurrency] ??= String(p.concurrency)
  }
  return Object.fromEntries(Object.entries(seeds).filter(([k, v]) => state.config[k] !== v))
}

/** database.yml pointed at the pooler (`--pooling`): an edit of the app's own file, so written only with `force`. */
export function planDatabaseFile(plan: DatabaseYmlPlan, checkout: Checkout, force: boolean): {change: SetupFileChange | null, skipped: SkippedStep | null} {
  if (plan.kind !== 'edit') return {change: null, skipped: {kind: 'file', reason: plan.reason}}
  const existing = checkout.files[DATABASE_YML]
  const before = existing && 'text' in existing ? existing.text : ''
  const diff = unifiedDiff(DATABASE_YML, before, plan.after)
  if (!force) {
    return {change: null, skipped: {kind: 'file', diff,
      reason: `${DATABASE_YML} would connect through the pooler (${plan.edits.join('; ')}) and is left alone; run again with --force to write it`}}
  }
  return {change: {kind: 'file', file: DATABASE_YML, action: 'update', before, after: plan.after, diff}, skipped: null}
}
