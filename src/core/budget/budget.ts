// The connection budget (spec §3): demand = Σ dynos × processes × connections per process, over every app an
// add-on is attached to, against the plan limit minus the reserve. Pure.
import {type PlanLimit, type ResourceKind, PLAN_LIMITS} from '../model/catalogue.js'
import type {Checkout, FormationEntry} from '../model/app-state.js'
import type {DynoSizes} from '../model/dyno-sizes.js'
import type {Env, Role, SettingsProblem} from '../model/settings.js'
import {modelProcess} from '../stacks/index.js'
import {type ModelProblem, type ModelValue, type Overrides, type ProcessModel, type StackName, assumptionsOf, sourcesOf} from '../stacks/model.js'
import type {ResourceHolder} from './holders.js'

export type Status = 'ok' | 'warn' | 'fail'

/** One process type of a formation as the doctor's JSON shows it (spec §4, §8). */
export interface ProcessPlan {
  type: string
  role: Role
  dynos: number
  size: string | null
  processesPerDyno: number
  concurrency: number | null
  dbPool: number
  redisConnections: number
  /** The program its dynos run (spec §8). */
  stack: StackName
  /** Puma threads per process; null for other stacks. */
  threads: number | null
  /** Where each number came from (spec §8). */
  sources: Record<ModelValue, string>
}

/** What a formation is judged with besides the config vars: the checkout's files and proposed values per type. */
export interface PlanContext {
  checkout?: Checkout
  overrides?: Readonly<Record<string, Overrides>>
  /** Heroku's dyno sizes (or the built-in table): the processes per dyno follow a size's memory. */
  sizes?: DynoSizes
}

export interface PlannedProcesses {
  processes: ProcessPlan[]
  /** The model behind each entry of `processes`, same order. */
  models: ProcessModel[]
  /** Invalid variables, each once. */
  problems: SettingsProblem[]
  /** Values that could not be read and were assumed, each once. */
  unknowns: ModelProblem[]
}

/** Models every formation entry against one environment (an app's config vars) and the app's checkout. */
export function planProcesses(env: Env, formation: readonly FormationEntry[], context: PlanContext = {}): PlannedProcesses {
  const problems: SettingsProblem[] = []
  const unknowns: ModelProblem[] = []
  const inputs = formation.map(f => ({type: f.type, size: f.size || null, sizes: context.sizes, config: env, command: f.command, checkout: context.checkout, overrides: context.overrides?.[f.type]}))
  // A web process holds a Sidekiq client pool when the app runs Sidekiq: known only once every type is read.
  const first = inputs.map(input => modelProcess(input))
  const sidekiqType = first.some(r => r.model.stack.value === 'sidekiq')
  const results = sidekiqType ? inputs.map((input, i) => first[i]!.model.stack.value === 'puma' ? modelProcess(input, {sidekiqType}) : first[i]!) : first
  const models = results.map(result => {
    problems.push(...result.problems)
    unknowns.push(...result.unknowns)
    return result.model
  })
  const processes = models.map((m, i) => toProcessPlan(m, formation[i]!))
  const seen = new Set<string>()
  const seenUnknown = new Set<string>()
  return {
    processes, models,
    problems: problems.filter(p => !seen.has(p.variable) && seen.add(p.variable)),
    unknowns: unknowns.filter(u => !seenUnknown.has(u.value) && seenUnknown.add(u.value)),
  }
}

export function toProcessPlan(m: ProcessModel, f: FormationEntry): ProcessPlan {
  return {
    type: m.type, role: m.role, dynos: f.quantity, size: f.size || null, processesPerDyno: m.processesPerDyno.value,
    concurrency: m.concurrency?.value ?? null, dbPool: m.dbPool.value, redisConnections: m.redisConnections.value,
    stack: m.stack.value, threads: m.threads?.value ?? null, sources: sourcesOf(m),
  }
}

/** Connections one process of this plan holds to a resource of this kind. */
export function perProcess(kind: ResourceKind, p: ProcessPlan): number {
  return kind === 'postgres' ? p.dbPool : p.redisConnections
}

export function demandOf(kind: ResourceKind, processes: readonly ProcessPlan[]): number {
  return processes.reduce((sum, p) => sum + p.dynos * p.processesPerDyno * perProcess(kind, p), 0)
}

/** What another app attached to the same add-on adds to its demand; null demand = could not be read. */
export interface OtherAppDemand {
  app: string
  demand: number | null
  error: string | null
  /** Attached, but its processes read another server: not counted, and why. */
  notCounted?: string
  /** Client connections its processes open through the add-on's server-side pooler (not in `demand`), and its variables. */
  pooled?: {clients: number, variables: string[]}
}

/** What identifies a resource and bounds it: the fields a spec and its evaluated budget share. */
export interface ResourceLimit {
  kind: ResourceKind
  addon: string | null
  service: string | null
  plan: string | null
  configVar: string | null
  /** Plan connection limit; null when unknown (never guessed). */
  limit: number | null
  /** Where the limit came from: a catalogue source, `Data API`, or a live server. */
  limitSource: string | null
  reserve: number
}

export interface ResourceSpec extends ResourceLimit {
  otherApps: OtherAppDemand[]
}

/** What `--live` measured on the server itself. */
export interface LiveMeasurement {
  connections: number | null
  limit: number | null
  /** How the limit was read (`INFO clients`, `CONFIG GET maxclients`, `SHOW max_connections`, `catalogue`). */
  limitSource: string | null
  /** Connections carrying a tsq name, grouped by dyno and purpose. */
  attributed: Array<{dyno: string, purpose: string, count: number}>
  /** Connections without a tsq name (psql, other clients, the probe itself excluded). */
  unattributed: number
  /** Of those, the ones whose name is a process title that tells the program (`puma`, `sidekiq`). */
  unnamedBy?: Record<string, number>
  error: string | null
  /** What the measurement could not see or had to assume (a blocked command, hidden sessions). */
  notes?: string[]
}

export interface BudgetRow {
  app: string
  type: string
  dynos: number
  processesPerDyno: number
  perProcess: number
  /** Connections held once per dyno besides its processes' (Solid Queue's supervisor beside Puma, spec §14);
   *  absent: none. */
  dynoExtra?: number
  /** Connections against the plan limit: dynos × processes × perProcess directly, dynos × serverPerDyno through
   *  a pgbouncer in each dyno, 0 through the server-side pooler (whose own row holds its connections). */
  total: number
  /** How the type reaches the resource (spec §11); absent: directly. `pooler`: the server-side pooler's own row. */
  via?: 'direct' | 'pgbouncer' | 'server-pooler' | 'pooler'
  /** Through a pooler: the client connections (dynos × processes × perProcess) it takes instead. */
  clients?: number
  /** Through a pooler: the server connections one dyno holds against the plan (0 through the server-side pooler). */
  serverPerDyno?: number
  /** Where serverPerDyno (or the pooler row's total) came from. */
  serverSource?: string
  /** Connections against the plan while old and new dynos overlap on a restart, when not 2 × total: the server-side
   *  pooler's row, min(2 × clients, its server pool) — it never holds more than its pool, whatever its clients. */
  restartTotal?: number
}

/** Connections against the plan while old and new dynos overlap on a restart or deploy (up to 30 s): every direct
 *  and in-dyno pgbouncer connection twice (each new dyno opens its own), a server-side pooler's at most its pool. */
export function restartDemand(rows: readonly BudgetRow[]): number {
  return rows.reduce((sum, r) => sum + (r.restartTotal ?? 2 * r.total), 0)
}

/** Connections one more dyno of a row's type adds against the plan limit. */
export function perDynoOf(row: BudgetRow): number {
  return row.serverPerDyno ?? row.processesPerDyno * row.perProcess + (row.dynoExtra ?? 0)
}

export interface ResourceBudget extends ResourceLimit {
  demand: number
  available: number | null
  status: Status
  sharedWith: string[]
  /** Apps the add-on is attached to whose processes read another server: listed, not counted. */
  attachedNotCounted: Array<{app: string, reason: string}>
  live: LiveMeasurement | null
  rows: BudgetRow[]
  /** Postgres: the largest pool every process could have and still fit with the reserve. */
  largestPool: number | null
  /** Per own process type: the most dynos that still fit, others unchanged (null: no limit applies). */
  largestDynos: Record<string, number | null>
  /** Values the demand rests on that tsq could not read (`web: config/puma.rb:7 could not be read`): while any
   *  remain the status is at best `warn` (spec §8: a guess never passes). */
  assumptions: string[]
  /** What holds its connections, per process type (spec §14). */
  holders: ResourceHolder[]
  /** The connection poolers in front of it (spec §11): their client side against their own limit, their server
   *  side counted in `rows`. Absent or empty: every process connects directly. */
  poolers?: PoolerBudget[]
}

/** A pooler's two sides: clients against its own limit, server connections against the plan. */
export interface PoolerBudget {
  /** `pgbouncer`: the heroku/pgbouncer buildpack in each dyno of `types`; `server`: Heroku's server-side pooler. */
  kind: 'pgbouncer' | 'server'
  /** The variable processes connect through (`DATABASE_URL` rewritten, `DATABASE_CONNECTION_POOL_URL`). */
  configVar: string
  types: string[]
  /** Client connections: per dyno for pgbouncer, in all for the server-side pooler. */
  clients: number
  clientLimit: number
  clientLimitSource: string
  /** Server connections it holds against the plan: per dyno for pgbouncer, in all for the server-side pooler. */
  server: number
  serverSource: string
  /** fail: more clients than it accepts. */
  status: Status
}

/** Connections per process and per dyno of each type on one resource, when its holders decide them (spec §14). */
export type TypeCounts = Readonly<Record<string, {perProcess: number, perDyno: number}>>

/** Evaluates one resource for an app's processes (spec §3). */
export function evaluateResource(spec: ResourceSpec, app: string, processes: readonly ProcessPlan[], counts?: TypeCounts): ResourceBudget {
  const count = (p: ProcessPlan) => counts?.[p.type] ?? {perProcess: perProcess(spec.kind, p), perDyno: p.processesPerDyno * perProcess(spec.kind, p)}
  const rows: BudgetRow[] = processes.map(p => ({
    app, type: p.type, dynos: p.dynos, processesPerDyno: p.processesPerDyno, perProcess: count(p).perProcess,
    ...count(p).perDyno > p.processesPerDyno * count(p).perProcess ? {dynoExtra: count(p).perDyno - p.processesPerDyno * count(p).perProcess} : {},
    total: p.dynos * count(p).perDyno,
  }))
  const counted = spec.otherApps.filter(o => o.notCounted === undefined)
  const others = counted.reduce((sum, o) => sum + (o.demand ?? 0), 0)
  for (const o of counted) {
    rows.push({app: o.app, type: '(all)', dynos: 0, processesPerDyno: 0, perProcess: 0, total: o.demand ?? 0})
    // Through the pooler: its clients, whose server connections the pooler's row holds (budget/poolers.ts).
    if (o.pooled) rows.push({app: o.app, type: '(pooled)', dynos: 0, processesPerDyno: 0, perProcess: 0, total: 0, via: 'server-pooler', clients: o.pooled.clients,
      serverPerDyno: 0, serverSource: `through ${o.pooled.variables.join(', ')}: counted in the pooler's row`})
  }
  const demand = rows.reduce((sum, r) => sum + r.total, 0)
  const available = spec.limit === null ? null : spec.limit - spec.reserve
  return {
    kind: spec.kind, addon: spec.addon, service: spec.service, plan: spec.plan, configVar: spec.configVar,
    limit: spec.limit, limitSource: spec.limitSource, reserve: spec.reserve, demand, available,
    status: statusOf(spec.limit, spec.reserve, demand),
    sharedWith: counted.map(o => o.app),
    attachedNotCounted: spec.otherApps.filter(o => o.notCounted !== undefined).map(o => ({app: o.app, reason: o.notCounted!})),
    live: null,
    rows,
    largestPool: spec.kind === 'postgres' && available !== null ? largestPool(available - others, processes) : null,
    largestDynos: Object.fromEntries(processes.map(p => [p.type, largestDynos(available, demand, p.dynos, count(p).perDyno)])),
    assumptions: [],
    holders: [],
  }
}

/** Marks a budget whose demand rests on values that could not be read: at best `warn`. */
export function withAssumptions(b: ResourceBudget, processes: readonly ProcessPlan[], models: readonly ProcessModel[]): ResourceBudget {
  const assumptions = models.flatMap((m, i) => {
    const own = b.kind === 'postgres' ? m.dbPool : m.redisConnections
    // A count of 0 that is itself assumed (an app process's Redis) still rests on a guess.
    const rests = perProcess(b.kind, processes[i]!) > 0 ? assumptionsOf(m) : own.unknown ? [own.unknown] : []
    return processes[i]!.dynos > 0 ? rests.map(a => `${m.type}: ${a}`) : []
  })
  return {...b, assumptions, status: assumptions.length > 0 && b.status === 'ok' ? 'warn' : b.status}
}

/** `2 × 40 = 80`; behind a server-side pooler `2 × 10 + 90 (the pooler: min(2 × 70 clients, its pool 90)) = 110`. */
export function restartText(b: Pick<ResourceBudget, 'demand' | 'rows'>): string {
  const pooled = b.rows.filter(r => r.restartTotal !== undefined)
  if (pooled.length === 0) return `2 × ${b.demand} = ${2 * b.demand}`
  const doubled = b.demand - pooled.reduce((sum, r) => sum + r.total, 0)
  const poolers = pooled.map(r => `${r.restartTotal} (${r.type}: min(2 × ${r.clients ?? 0} clients, its server pool), counted once)`)
  return `2 × ${doubled} + ${poolers.join(' + ')} = ${restartDemand(b.rows)}`
}

/** fail: demand over limit − reserve; warn: fits, but a restart's old + new dynos (`restart`, default 2 × demand)
 *  would not; unknown limit: warn. */
export function statusOf(limit: number | null, reserve: number, demand: number, restart = 2 * demand): Status {
  if (limit === null) return 'warn'
  if (demand > limit - reserve) return 'fail'
  if (restart > limit) return 'warn'
  return 'ok'
}

function largestPool(room: number, processes: readonly ProcessPlan[]): number | null {
  const count = processes.filter(p => p.role !== 'none').reduce((n, p) => n + p.dynos * p.processesPerDyno, 0)
  return count === 0 ? null : Math.max(0, Math.floor(room / count))
}

function largestDynos(available: number | null, demand: number, dynos: number, perDyno: number): number | null {
  if (available === null || perDyno === 0) return null
  return Math.max(0, Math.floor((available - (demand - dynos * perDyno)) / perDyno))
}

/**
 * The largest cap c such that giving every process min(its wanted pool, c) connections keeps the total
 * within `room`; never below 1 (a pool of 0 serves nothing, spec §2): null when even a pool of 1 each does not
 * fit, or when no process wants a pool (there is nothing to cap). Used to choose pools that fit (setup, scale).
 */
export function fitPoolCap(room: number, wants: ReadonlyArray<{processes: number, want: number}>): number | null {
  const active = wants.filter(w => w.processes > 0 && w.want > 0)
  const top = Math.max(0, ...active.map(w => w.want))
  for (let cap = top; cap >= 1; cap--) {
    const total = active.reduce((sum, w) => sum + w.processes * Math.min(w.want, cap), 0)
    if (total <= room) return cap
  }
  return null
}

/**
 * The smallest catalogued plan of the same service that fits the demand with its reserve, preferring one that
 * also fits a restart's 2× (required with `overlap`). Legacy hobby plans and private/shield plans (which need
 * a Private Space) are never proposed.
 */
export function largerPlan(b: ResourceBudget, options: {overlap?: boolean} = {}): PlanLimit | undefined {
  if (!b.service || b.limit === null) return undefined
  const current = b.limit
  const fits = PLAN_LIMITS
    .filter(p => p.plan.startsWith(`${b.service}:`) && !/:(hobby|private|shield)-/.test(p.plan) && p.limit > current && b.demand <= p.limit - b.reserve)
    .sort((x, y) => x.limit - y.limit)
  const overlap = fits.find(p => 2 * b.demand <= p.limit)
  return options.overlap ? overlap : overlap ?? fits[0]
}
