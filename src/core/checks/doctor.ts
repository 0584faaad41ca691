// tsq:doctor's core: AppState (+ live measurements) → assessment → checks → the report of spec §4, which
// is both the `--json` document and what the human renderer draws. Pure.
import type {AppState} from '../model/app-state.js'
import {type Assessment, assess} from '../assess/assess.js'
import type {LiveMeasurement, ProcessPlan, ResourceBudget} from '../budget/budget.js'
import {RESOURCE_TITLE, type ResourceKind} from '../model/catalogue.js'
import {type Check, runChecks} from './index.js'
import {notCountedApps} from './common.js'
import type {RedisServerReading} from './redis-server.js'
import type {TypeQueues} from '../model/queue-readings.js'

/** One resource of the report: the budget (the keys spec §4 binds, then extras that explain the numbers), and
 *  the apps sharing the add-on that could not be read (403...): their rows count 0, and why. */
export type DoctorResource = ResourceBudget & {notCounted: Array<{app: string, error: string}>}

export interface DoctorReport {
  app: string
  /** False when any check fails (the command then exits 1). */
  ok: boolean
  processes: ProcessPlan[]
  resources: DoctorResource[]
  checks: Check[]
  /** `heroku` (the app's state from the Platform API) or `local` (a directory's Procfile and .env). */
  mode: 'heroku' | 'local'
  /** `--live`: each worker type's queues as tsq:autoscale reads them (spec §10). */
  queues?: TypeQueues[]
}

export interface DiagnoseOptions {
  local?: boolean
  /** `--live` was asked for (implied by local); the measurements, where taken. */
  live?: boolean
  measurements?: Partial<Record<ResourceKind, LiveMeasurement | null>>
  /** The Redis server's settings (redis.persistence, redis.auth), read live. */
  redisServer?: RedisServerReading | null
  /** Worker types' queue readings (`--live`), for worker.latency. */
  queues?: TypeQueues[]
}

/** Runs the whole diagnosis of one app state. */
export function diagnose(state: AppState, options: DiagnoseOptions = {}): {assessment: Assessment, report: DoctorReport} {
  const local = options.local ?? false
  const live = local || (options.live ?? false)
  const assessment = assess(state, live ? {live: options.measurements ?? {}} : {})
  const checks = runChecks({assessment, state, local, live, redisServer: live ? options.redisServer ?? null : null, queues: options.queues})
  const report = buildDoctorReport(assessment, checks, local ? 'local' : 'heroku', state)
  return {assessment, report: live && options.queues ? {...report, queues: options.queues} : report}
}

/** The spec §4 report of an assessment and its checks. */
export function buildDoctorReport(assessment: Assessment, checks: readonly Check[], mode: 'heroku' | 'local' = 'heroku', state?: AppState): DoctorReport {
  return {
    app: assessment.app,
    ok: !checks.some(c => c.status === 'fail'),
    processes: assessment.processes.map(p => ({...p})),
    resources: assessment.resources.map(r => ({
      kind: r.kind, addon: r.addon, service: r.service, plan: r.plan, configVar: r.configVar, limit: r.limit,
      reserve: r.reserve, demand: r.demand, status: r.status, sharedWith: [...r.sharedWith],
      attachedNotCounted: r.attachedNotCounted.map(a => ({...a})), live: r.live,
      limitSource: r.limitSource, available: r.available, largestPool: r.largestPool, largestDynos: {...r.largestDynos},
      rows: r.rows.map(row => ({...row})), assumptions: [...r.assumptions], holders: r.holders.map(h => ({...h})),
      ...(r.poolers && r.poolers.length > 0 ? {poolers: r.poolers.map(p => ({...p, types: [...p.types]}))} : {}),
      notCounted: state ? notCountedApps(state, r.addon) : [],
    })),
    checks: checks.map(c => ({...c})),
    mode,
  }
}

/**
 * What the doctor could not check, one line each, for stderr in `--json` mode (the human output shows the
 * same in its checks): limits it does not know (naming the plan), sharing apps it could not read, servers
 * it could not measure.
 */
export function doctorWarnings(state: AppState, report: DoctorReport): string[] {
  const lines: string[] = []
  for (const r of report.resources) {
    if (r.limit === null) {
      lines.push(r.plan
        ? `${RESOURCE_TITLE[r.kind]} plan ${r.plan} has no known connection limit: limit is null and demand ${r.demand} is not checked`
        : `${RESOURCE_TITLE[r.kind]} at ${r.configVar ?? 'its URL'} is not from an add-on: its connection limit is unknown`)
    }
    if (r.live?.error) lines.push(`${RESOURCE_TITLE[r.kind]} not measured: ${r.live.error}`)
  }
  for (const [addonId, apps] of Object.entries(state.sharing)) {
    const addon = state.addons.find(a => a.id === addonId)?.name ?? addonId
    for (const s of apps) if (s.error) lines.push(`${s.app} shares ${addon} but could not be read, so its connections are not counted: ${s.error}`)
  }
  return lines
}
