// What every check shares: the check and context types, constructors, and how a fix is phrased for an app
// on Heroku or a local directory. Pure.
import type {AppState} from '../model/app-state.js'
import type {Assessment} from '../assess/assess.js'
import type {ResourceKind} from '../model/catalogue.js'
import type {ResourceBudget, Status} from '../budget/budget.js'
import type {RedisServerReading} from './redis-server.js'
import type {TypeQueues} from '../model/queue-readings.js'
import {type LeverChange, editsOf, varsOf} from '../stacks/levers.js'

/** Check ids of spec §4, plus `settings` (invalid TSQ_* / URL variables), which the spec leaves open. */
export const CHECK_IDS = [
  'settings', 'redis.addon', 'redis.url', 'redis.connections', 'postgres.addon', 'postgres.connections',
  'postgres.pool', 'redis.pool', 'worker.dynos', 'restart.overlap', 'redis.tls', 'postgres.tls', 'redis.live', 'postgres.live',
  'redis.persistence', 'redis.auth', 'worker.latency', 'postgres.pooler', 'redis.eviction', 'jobs.consumer',
] as const
export type CheckId = typeof CHECK_IDS[number]

export interface Check {
  id: CheckId
  status: Status
  message: string
  /** What to run or change; null when the check is ok. */
  fix: string | null
}

export interface CheckContext {
  assessment: Assessment
  state: AppState
  /** `--local`: no add-ons, and fixes name `.env` and `--formation` instead of `heroku` commands. */
  local: boolean
  /** `--live` (implied by `--local`): the live checks run, and a missing measurement is reported. */
  live: boolean
  /** The Redis server's persistence and access settings, read live; absent without a Redis URL or `--live`. */
  redisServer?: RedisServerReading | null
  /** `--live`: each worker type's queues as read in Redis (worker.latency). */
  queues?: readonly TypeQueues[]
  /** tsq:setup --pooling left the pooler and a Rails app's database.yml for want of --force: the pooling fix names --force. */
  poolingForce?: boolean
}

export function ok(id: CheckId, message: string): Check {
  return {id, status: 'ok', message, fix: null}
}

export function warn(id: CheckId, message: string, fix: string): Check {
  return {id, status: 'warn', message, fix}
}

export function fail(id: CheckId, message: string, fix: string): Check {
  return {id, status: 'fail', message, fix}
}

export function budgetOf(ctx: CheckContext, kind: ResourceKind): ResourceBudget | undefined {
  return ctx.assessment.resources.find(r => r.kind === kind)
}

export {RESOURCE_TITLE as TITLE} from '../model/catalogue.js'

// How a fix is phrased: `heroku` commands for an app, `.env` and `--formation` for a local directory.

/** `heroku config:set A=1 B=2 -a APP`, or `set A=1 B=2 in .env` locally. */
export function fixSetVars(ctx: CheckContext, vars: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(' ')
  return ctx.local ? `set ${pairs} in .env` : `heroku config:set ${pairs} -a ${ctx.assessment.app}`
}

/**
 * Changes where the app reads them: one `heroku config:set` (or `.env`) for the variables, then each file line
 * or command flag to edit (spec §9: never a variable the app does not read).
 */
export function fixChanges(ctx: CheckContext, changes: readonly LeverChange[]): string {
  const vars = varsOf(changes)
  const parts = [...(Object.keys(vars).length > 0 ? [fixSetVars(ctx, vars)] : []), ...editsOf(changes, ctx.state.checkout)]
  return parts.join(' and ')
}

/** `heroku tsq:scale worker=3 -a APP`, or the `--formation` to try locally. */
export function fixScale(ctx: CheckContext, type: string, quantity: number): string {
  return ctx.local ? `run at most ${quantity} ${type} dyno(s): --formation ${type}=${quantity}` : `heroku tsq:scale ${type}=${quantity} -a ${ctx.assessment.app}`
}

/**
 * The heroku/pgbouncer buildpack's pooler in each dyno, in one phrase (pooler-advice.ts ranks it, with its budget,
 * beside server-side pooling and a larger plan).
 */
export function fixPooler(app: string): string {
  return `a connection pooler in each dyno: heroku buildpacks:add heroku/pgbouncer -a ${app}, then start each Procfile command with bin/start-pgbouncer (DATABASE_URL then points at it)`
}

export function fixSetup(ctx: CheckContext): string {
  return `heroku tsq:setup -a ${ctx.assessment.app}`
}

/** `heroku <command> -a APP`. */
export function heroku(ctx: CheckContext, command: string): string {
  return `heroku ${command} -a ${ctx.assessment.app}`
}

/** `a, b and c`. */
export function listJoin(items: readonly string[], last = 'and'): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`
}

/** Apps sharing an add-on whose demand could not be read, per add-on name. */
export function notCountedApps(state: AppState, addonName: string | null): Array<{app: string, error: string}> {
  const addon = state.addons.find(a => a.name === addonName)
  const sharing = addon ? state.sharing[addon.id] ?? [] : []
  return sharing.filter(s => s.app !== state.app && (s.error !== null || !s.config || !s.formation))
    .map(s => ({app: s.app, error: s.error ?? 'not read'}))
}
