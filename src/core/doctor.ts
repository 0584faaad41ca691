// tsq:doctor's core: AppState (+ live measurements) → assessment → checks → the report of spec §4, which
// is both the `--json` document and what the human renderer draws. Pure.
import type {AppState} from './app-state.js'
import {type Assessment, assess} from './assess.js'
import type {BudgetRow, LiveMeasurement, ProcessPlan, Status} from './budget.js'
import type {ResourceKind} from './catalogue.js'
import {type Check, runChecks} from './checks.js'

/** One resource of the report: the keys spec §4 binds, then extras that explain the numbers. */
export interface DoctorResource {
  kind: ResourceKind
  addon: string | null
  service: string | null
  plan: string | null
  configVar: string | null
  limit: number | null
  reserve: number
  demand: number
  status: Status
  sharedWith: string[]
  /** What `--live` measured; null without it. */
  live: LiveMeasurement | null
  /** Where `limit` came from: the catalogue entry (source, date), the Data API, or the live server. */
  limitSource: string | null
  /** limit − reserve. */
  available: number | null
  /** Postgres: the largest pool every process could have and still fit. */
  largestPool: number | null
  /** Per process type: the most dynos that fit, others unchanged. */
  largestDynos: Record<string, number | null>
  /** The budget table: per process type of this app, and per app sharing the add-on. */
  rows: BudgetRow[]
}

export interface DoctorReport {
  app: string
  /** False when any check fails (the command then exits 1). */
  ok: boolean
  processes: ProcessPlan[]
  resources: DoctorResource[]
  checks: Check[]
  /** `heroku` (the app's state from the Platform API) or `local` (a directory's Procfile and .env). */
  mode: 'heroku' | 'local'
}

export interface DiagnoseOptions {
  local?: boolean
  /** `--live` was asked for (implied by local); the measurements, where taken. */
  live?: boolean
  measurements?: Partial<Record<ResourceKind, LiveMeasurement | null>>
}

/** Runs the whole diagnosis of one app state. */
export function diagnose(state: AppState, options: DiagnoseOptions = {}): {assessment: Assessment, report: DoctorReport} {
  const local = options.local ?? false
  const live = local || (options.live ?? false)
  const assessment = assess(state, live ? {live: options.measurements ?? {}} : {})
  const checks = runChecks({assessment, state, local, live})
  return {assessment, report: buildDoctorReport(assessment, checks, local ? 'local' : 'heroku')}
}

/** The spec §4 report of an assessment and its checks. */
export function buildDoctorReport(assessment: Assessment, checks: readonly Check[], mode: 'heroku' | 'local' = 'heroku'): DoctorReport {
  return {
    app: assessment.app,
    ok: !checks.some(c => c.status === 'fail'),
    processes: assessment.processes.map(p => ({...p})),
    resources: assessment.resources.map(r => ({
      kind: r.kind, addon: r.addon, service: r.service, plan: r.plan, configVar: r.configVar, limit: r.limit,
      reserve: r.reserve, demand: r.demand, status: r.status, sharedWith: [...r.sharedWith], live: r.live,
      limitSource: r.limitSource, available: r.available, largestPool: r.largestPool, largestDynos: {...r.largestDynos},
      rows: r.rows.map(row => ({...row})),
    })),
    checks: checks.map(c => ({...c})),
    mode,
  }
}
