// From what the platform (or a local Procfile and .env) says about an app to its processes and the budget
// of every resource tsq connects to. The doctor, setup and scale all assess through this one function, so a
// formation or a setting is judged the same way everywhere. Pure.
import type {AddonInfo, AppState, FormationEntry, SharingApp} from '../model/app-state.js'
import {type ResourceKind, DATABASE_URL_VAR, classifyAddon, findPlanLimit} from '../model/catalogue.js'
import type {DynoSizes} from '../model/dyno-sizes.js'
import {
  type LiveMeasurement, type OtherAppDemand, type PlanContext, type ProcessPlan, type ResourceBudget, type ResourceSpec, demandOf, evaluateResource, planProcesses,
} from '../budget/budget.js'
import {countHolders} from '../budget/holders.js'
import {type ServerPooler, serverPoolersOf, withPoolers} from '../budget/poolers.js'
import {resourceTargets, variablesWithUrl} from './resources.js'
import type {ModelProblem, Overrides, ProcessModel} from '../stacks/model.js'
import {type JobsConfig, jobsConfig} from '../stacks/index.js'
import {type Settings, type SettingsProblem, findRedisUrl, resolveMany} from '../model/settings.js'

export interface AssessOptions {
  /** A formation to judge instead of the app's current one (tsq:scale). */
  formation?: readonly FormationEntry[]
  /** Config vars to judge instead of the app's own (tsq:setup's plan). */
  config?: Readonly<Record<string, string>>
  live?: Partial<Record<ResourceKind, LiveMeasurement | null>>
  /** Values proposed per process type (a fix or plan that edits a file or a flag), judged before anyone applies them. */
  overrides?: PlanContext['overrides']
}

/** What the app has of one kind of resource, and which one the runtime will connect to. */
export interface ResourceFinding {
  kind: ResourceKind
  /** Add-ons of this kind attached to the app. */
  addons: AddonInfo[]
  /** The add-on behind the URL the runtime uses; null when there is none or the URL points elsewhere. */
  used: AddonInfo | null
  /** The variable the runtime reads the URL from; null when none is set. */
  configVar: string | null
  url: string | null
}

export interface Assessment {
  app: string
  config: Readonly<Record<string, string>>
  formation: readonly FormationEntry[]
  processes: ProcessPlan[]
  /** The model behind each process, same order: sources, levers and the stack's own findings. */
  models: ProcessModel[]
  /** Invalid variables (the `settings` check fails). */
  problems: SettingsProblem[]
  /** Values that could not be read and were assumed (the `settings` check warns; a guess never passes). */
  unknowns: ModelProblem[]
  redis: ResourceFinding
  postgres: ResourceFinding
  /** The checkout the Ruby models read, for fixes that name its lines. */
  checkout?: AppState['checkout']
  /** One budget per resource the app uses (an add-on or a URL), Postgres first. */
  resources: ResourceBudget[]
  /** The app's Active Job backend, read from its checkout (jobs.consumer). */
  jobs: JobsConfig
  /** The same app judged again, with the same live readings, after a plan's changes: config vars set and values
   *  proposed per type for the file lines and flags it would edit. */
  rejudge(change: {vars?: Readonly<Record<string, string>>, overrides?: Readonly<Record<string, Overrides>>}): Assessment
}

export function assess(state: AppState, options: AssessOptions = {}): Assessment {
  const config = options.config ?? state.config
  const formation = options.formation ?? state.formation
  const context = {checkout: state.checkout, overrides: options.overrides, sizes: state.dynoSizes}
  const {processes, models, problems, unknowns} = planProcesses(config, formation, context)
  const postgres = findResource(state, config, 'postgres')
  const redis = findResource(state, config, 'redis')
  // The reserves are app-wide: with no process type to resolve, resolve them (and report them) for `web`.
  const appWide = resolveAppWide(config, problems)
  const reserves = {postgres: appWide.dbReserve, redis: appWide.redisReserve}
  const resources: ResourceBudget[] = []
  // Every Redis and Postgres resource of the app, each with the holders whose variable reaches it (spec §14).
  const servers = withSharedPooler(state, postgres, serverPoolersOf(state, config, postgres.used?.id ?? null))
  const {targets, unplaced} = resourceTargets(state, config, [postgres, redis], models, servers.flatMap(s => s.variables))
  for (const u of unplaced) if (!unknowns.some(x => x.value === u.value)) unknowns.push(u)
  for (const target of targets) {
    const {finding} = target
    const kind = finding.kind
    const live = target.primary ? options.live?.[kind] ?? null : null
    const spec = resourceSpec(state, finding, reserves[kind], live, target.primary)
    const counts = countHolders(kind, target.variables, processes, models)
    const evaluated = evaluateResource(spec, state.app, processes, counts.perType)
    const judged = {...evaluated, holders: counts.holders, assumptions: counts.assumptions,
      status: counts.assumptions.length > 0 && evaluated.status === 'ok' ? 'warn' as const : evaluated.status}
    // The poolers in front of the primary Postgres (spec §11) route its rows.
    const budget = kind === 'postgres' && target.primary
      ? withPoolers(judged, {app: state.app, processes, models, url: finding.url, servers})
      : judged
    budget.live = live
    resources.push(budget)
  }
  return {app: state.app, config, formation, processes, models, problems, unknowns, redis, postgres, resources, checkout: state.checkout,
    jobs: jobsConfig(config, state.checkout),
    rejudge: change => assess(state, {...options, config: {...config, ...change.vars}, overrides: mergeOverrides(options.overrides ?? {}, change.overrides ?? {})})}
}

function mergeOverrides(a: Readonly<Record<string, Overrides>>, b: Readonly<Record<string, Overrides>>): Record<string, Overrides> {
  const out: Record<string, Overrides> = {...a}
  for (const [type, values] of Object.entries(b)) out[type] = {...out[type], ...values}
  return out
}

/** The add-on's server-side pooler as an app sharing the add-on reaches it, when this app has no attachment of it:
 *  one pooler per database, whichever app's attachment exposes it. */
function withSharedPooler(state: AppState, postgres: ResourceFinding, servers: ServerPooler[]): ServerPooler[] {
  const addon = postgres.used
  if (!addon || servers.some(s => s.addonId === addon.id)) return servers
  const vars = (state.sharing[addon.id] ?? []).flatMap(s => s.poolerVars ?? [])
  if (vars.length === 0) return servers
  return [...servers, {variables: [...new Set(vars)], attachment: null, addonId: addon.id, config: state.poolerConfig?.[addon.id] ?? null}]
}

/** The reserves are app-wide; their variables are reported once, beside the processes' own problems. */
function resolveAppWide(config: Readonly<Record<string, string>>, problems: SettingsProblem[]): Settings {
  const resolved = resolveMany(config, [{type: 'web'}])
  for (const p of resolved.problems) if (!problems.some(q => q.variable === p.variable)) problems.push(p)
  return resolved.settings[0]!
}

function findResource(state: AppState, config: Readonly<Record<string, string>>, kind: ResourceKind): ResourceFinding {
  const addons = state.addons.filter(a => classifyAddon(a.service, a.configVars) === kind)
  const found = kind === 'redis'
    ? findRedisUrl(config)
    : config[DATABASE_URL_VAR] ? {variable: DATABASE_URL_VAR, url: config[DATABASE_URL_VAR]} : null
  const attachment = found
    ? state.attachments.find(a => a.app === state.app && a.configVars.includes(found.variable) && addons.some(x => x.id === a.addonId))
    : undefined
  const used = attachment ? addons.find(a => a.id === attachment.addonId) ?? null : found ? null : addons.length === 1 ? addons[0]! : null
  return {kind, addons, used, configVar: found?.variable ?? null, url: found?.url ?? null}
}

function resourceSpec(state: AppState, finding: ResourceFinding, reserve: number, live: LiveMeasurement | null, primary = true): ResourceSpec {
  const addon = finding.used
  let limit: number | null = null
  let limitSource: string | null = null
  const data = addon ? state.dataApi[addon.id] : undefined
  const catalogued = addon ? findPlanLimit(addon.plan) : undefined
  if (data?.limit != null) {
    limit = data.limit
    limitSource = 'Heroku Data API (pg:info Connections)'
  } else if (catalogued) {
    limit = catalogued.limit
    limitSource = `${catalogued.source}, ${catalogued.date}${catalogued.confidence === 'third-party' ? ' (third-party)' : ''}`
  }
  // A server that reports a tighter limit than the plan is the one that refuses connections.
  if (live?.limit != null && (limit === null || live.limit < limit)) {
    limit = live.limit
    limitSource = `live server (${live.limitSource ?? 'measured'})`
  }
  const sharing = addon ? (state.sharing[addon.id] ?? []).filter(s => s.app !== state.app) : []
  return {
    kind: finding.kind,
    addon: addon?.name ?? null,
    service: addon?.service ?? null,
    plan: addon?.plan ?? null,
    configVar: finding.configVar,
    limit,
    limitSource,
    reserve,
    otherApps: sharing.map(s => primary ? otherAppDemand(finding, s, state.dynoSizes) : {
      app: s.app,
      demand: s.config && s.formation ? sharedDemand(finding, s.config, s.formation, state.dynoSizes) : null,
      error: s.error,
    }),
  }
}

/**
 * What an app the add-on is shared with adds to its demand: the processes that read the add-on, i.e. whose
 * Postgres variable (DATABASE_URL, or what TSQ_DATABASE_URL_VAR names) or resolved Redis variable holds the
 * add-on's server. One attached under another name while its processes read another server adds nothing
 * and is listed as attached but not counted. When this app's own URL is unknown, every process counts.
 */
function otherAppDemand(finding: ResourceFinding, s: SharingApp, sizes: DynoSizes | undefined): OtherAppDemand {
  if (!s.config || !s.formation) return {app: s.app, demand: null, error: s.error}
  const planned = planProcesses(s.config, s.formation, {sizes})
  const target = finding.url ? serverOf(finding.url) : null
  if (target === null) return {app: s.app, demand: demandOf(finding.kind, planned.processes), error: s.error}
  const readsTarget = (url: string | null | undefined) => !!url && serverOf(url) === target
  if (finding.kind === 'redis') {
    const read = findRedisUrl(s.config)
    return readsTarget(read?.url) ? {app: s.app, demand: demandOf('redis', planned.processes), error: s.error}
      : {app: s.app, demand: 0, error: s.error, notCounted: `its processes read ${read ? `${read.variable}, another Redis` : 'no Redis URL variable'}`}
  }
  const variables = new Set<string>()
  // Through its own attachment of the add-on's pooler (unless its command sets that variable to the direct URL).
  const throughPooler = (i: number) => {
    const route = planned.models[i]?.dbRoute
    return route !== undefined && (s.poolerVars ?? []).includes(route.variable.value) && route.url !== null && route.url !== finding.url
  }
  const pooledIndexes = planned.processes.flatMap((_, i) => throughPooler(i) ? [i] : [])
  const reading = planned.processes.filter((_, i) => {
    if (pooledIndexes.includes(i)) return false
    const variable = planned.models[i]?.dbRoute?.variable.value ?? DATABASE_URL_VAR
    const url = planned.models[i]?.dbRoute?.url ?? s.config![variable]
    if (readsTarget(url)) return true
    variables.add(variable)
    return false
  })
  if (pooledIndexes.length > 0) {
    const pooledProcesses = pooledIndexes.map(i => planned.processes[i]!)
    const pooled = {clients: demandOf('postgres', pooledProcesses), variables: [...new Set(pooledIndexes.map(i => planned.models[i]!.dbRoute!.variable.value))]}
    return {app: s.app, demand: demandOf('postgres', reading), error: s.error, pooled}
  }
  // No process type at all: judged by the variable a process would read by default.
  if (planned.processes.length === 0 && readsTarget(s.config[DATABASE_URL_VAR])) return {app: s.app, demand: 0, error: s.error}
  if (reading.length === 0) {
    return {app: s.app, demand: 0, error: s.error, notCounted: `its processes read ${[...variables].join(', ') || DATABASE_URL_VAR}, another database`}
  }
  return {app: s.app, demand: demandOf('postgres', reading), error: s.error}
}

/** The server a URL points at (host, port and database), credentials and parameters aside; null if no URL. */
function serverOf(raw: string): string | null {
  try {
    const url = new URL(raw)
    return `${url.hostname.toLowerCase()}:${url.port}${url.pathname}`
  } catch {
    return null
  }
}

/** What an app sharing a non-primary resource adds (spec §14): its holders on the variables that hold the same URL.
 *  (On a primary resource, otherAppDemand counts the processes that read it.) */
function sharedDemand(finding: ResourceFinding, config: Record<string, string>, formation: readonly FormationEntry[], sizes: DynoSizes | undefined): number {
  const plan = planProcesses(config, formation, {sizes})
  const counts = countHolders(finding.kind, variablesWithUrl(config, finding.url), plan.processes, plan.models)
  return plan.processes.reduce((sum, p) => sum + p.dynos * (counts.perType[p.type]?.perDyno ?? 0), 0)
}
