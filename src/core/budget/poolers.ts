// The Postgres budget with its poolers (spec §11). A process whose URL a pgbouncer in its dyno rewrites takes
// client connections of that pgbouncer (PGBOUNCER_MAX_CLIENT_CONN per dyno) and the dyno holds
// (PGBOUNCER_DEFAULT_POOL_SIZE + PGBOUNCER_RESERVE_POOL_SIZE) × the URLs it rewrites against the plan; a process
// that connects through Heroku's server-side pooler takes its client connections (10,000, or the Data API's
// pgbouncer_max_client_conn) and the pooler holds at most its server pool against the plan (the Data API's
// pgbouncer_max_db_connections, else the documented share of the plan limit, marked as assumed). Processes that
// connect directly count as before. Pure.
import type {AppState, ServerPoolerConfig} from '../model/app-state.js'
import {
  type BudgetRow, type PoolerBudget, type ProcessPlan, type ResourceBudget, type Status, perDynoOf, restartDemand, statusOf,
} from './budget.js'
import type {ProcessModel} from '../stacks/model.js'

/** Heroku's pooler namespace on an attachment (heroku/cli pg:promote). */
export const POOLING_NAMESPACE = 'connection-pooling:default'
/** The attachment name Heroku's docs use: it gives DATABASE_CONNECTION_POOL_URL. */
export const POOLING_ATTACHMENT = 'DATABASE_CONNECTION_POOL'
/** Client connections of the server-side pooler when its config cannot be read. */
export const SERVER_POOLER_CLIENTS = {value: 10_000, source: 'Heroku: up to 10,000 client connections (blog.heroku.com/connection-pooling, 2021-01-20)'}
/** The share of the plan limit the server-side pooler's own connections take when its config cannot be read. */
export const SERVER_POOLER_SHARE = {value: 0.75, source: 'Heroku Dev Center (postgres-connection-pooling): the pooler uses up to 75% of the plan\'s connection limit'}

/** Heroku's server-side pooler of one database, as the app sees it. */
export interface ServerPooler {
  /** The config vars it gives the app (`DATABASE_CONNECTION_POOL_URL`). */
  variables: string[]
  /** Its attachment name; null when only a `*_CONNECTION_POOL_URL` variable says it is there. */
  attachment: string | null
  /** The database add-on's id, when known. */
  addonId: string | null
  config: ServerPoolerConfig | null
}

/** The server-side poolers of the database add-on `addonId` on the app: attachments in Heroku's pooling namespace,
 *  else (no attachment says, as in a local directory) any `*_CONNECTION_POOL_URL` variable. */
export function serverPoolersOf(state: AppState, config: Readonly<Record<string, string>>, addonId: string | null): ServerPooler[] {
  const attached = state.attachments.filter(t => t.app === state.app && t.namespace === POOLING_NAMESPACE && (addonId === null || t.addonId === addonId))
  const poolers: ServerPooler[] = attached.map(t => ({variables: t.configVars, attachment: t.name, addonId: t.addonId, config: state.poolerConfig?.[t.addonId] ?? null}))
  const covered = new Set(poolers.flatMap(p => p.variables))
  const byName = Object.keys(config).filter(v => /(^|_)CONNECTION_POOL_URL$/.test(v) && !covered.has(v)
    && !state.attachments.some(t => t.configVars.includes(v)))
  return [...poolers, ...byName.map(v => ({variables: [v], attachment: null, addonId: null, config: null}))]
}

export interface PoolerInput {
  app: string
  processes: readonly ProcessPlan[]
  models: readonly ProcessModel[]
  /** The resource's own URL (the value of its config var), to tell which URLs a pgbouncer rewrites point at it. */
  url: string | null
  servers: readonly ServerPooler[]
}

/** The budget `b` of a Postgres resource with the poolers its processes connect through. */
export function withPoolers(b: ResourceBudget, input: PoolerInput): ResourceBudget {
  if (b.kind !== 'postgres') return b
  const {processes, models} = input
  const poolers: PoolerBudget[] = []
  const assumptions = [...b.assumptions]
  const serverClients = new Map<ServerPooler, {clients: number, types: string[]}>()
  const own = b.rows.slice(0, processes.length).map((row, i): BudgetRow => {
    const p = processes[i]!
    const route = models[i]?.dbRoute
    if (!route || row.perProcess === 0) return row
    // A pooler's variable set to the direct URL for this process (`X_POOL_URL=$DATABASE_URL cmd`) is direct.
    const server = route.url !== null && route.url === input.url ? undefined : input.servers.find(s => s.variables.includes(route.variable.value))
    const pgb = route.dynoPooler
    if (pgb) {
      const onResource = pgb.urls.filter(u => u.value !== null && (input.url === null || u.value === input.url)).length
      const urls = Math.max(1, onResource)
      const serverPerDyno = pgb.perUrl.value * urls
      const clientsPerDyno = p.processesPerDyno * row.perProcess
      poolers.push({kind: 'pgbouncer', configVar: route.variable.value, types: [p.type], clients: clientsPerDyno,
        clientLimit: pgb.maxClientConn.value, clientLimitSource: pgb.maxClientConn.source, server: serverPerDyno,
        serverSource: `(${pgb.perUrl.source}) × ${urls} ${urls === 1 ? 'URL' : 'URLs'} rewritten`, status: clientsPerDyno > pgb.maxClientConn.value ? 'fail' : 'ok'})
      if (pgb.perUrl.unknown) assumptions.push(`${p.type}: ${pgb.perUrl.unknown}`)
      return {...row, via: 'pgbouncer', clients: row.total, serverPerDyno, total: p.dynos * serverPerDyno,
        serverSource: `pgbouncer in each dyno: ${poolers.at(-1)!.serverSource}`}
    }
    if (server) {
      const entry = serverClients.get(server) ?? {clients: 0, types: []}
      serverClients.set(server, {clients: entry.clients + row.total, types: [...entry.types, p.type]})
      return {...row, via: 'server-pooler', clients: row.total, serverPerDyno: 0, total: 0, serverSource: `through ${route.variable.value}: counted in the pooler's row`}
    }
    return {...row, via: 'direct'}
  })
  // Apps sharing the add-on that connect through its pooler (their own attachment of it): one pooler per database.
  const shared = b.rows.slice(processes.length)
  for (const row of shared.filter(r => r.via === 'server-pooler' && (r.clients ?? 0) > 0)) {
    const server = input.servers.find(s => s.addonId !== null) ?? input.servers[0]
    if (!server) continue
    const entry = serverClients.get(server) ?? {clients: 0, types: []}
    serverClients.set(server, {clients: entry.clients + row.clients!, types: [...entry.types, `${row.app} (pooled)`]})
  }
  const poolerRows: BudgetRow[] = []
  for (const [server, {clients, types}] of serverClients) {
    const variable = server.variables.find(v => processes.some((_, i) => models[i]?.dbRoute?.variable.value === v)) ?? server.variables[0]!
    const cap = serverCap(server, b.limit)
    const held = cap.value === null ? clients : Math.min(clients, cap.value)
    if (cap.assumed && (cap.value === null || cap.value < clients)) assumptions.push(`${variable}: ${cap.source}`)
    const clientLimit = server.config?.maxClientConn != null
      ? {value: server.config.maxClientConn, source: 'Heroku Data API: pgbouncer_max_client_conn'} : SERVER_POOLER_CLIENTS
    poolers.push({kind: 'server', configVar: variable, types, clients, clientLimit: clientLimit.value, clientLimitSource: clientLimit.source,
      server: held, serverSource: cap.source, status: clients > clientLimit.value ? 'fail' : 'ok'})
    // On a restart its clients double (old and new dynos), its server connections only up to its pool.
    const restartTotal = cap.value === null ? 2 * clients : Math.min(2 * clients, cap.value)
    poolerRows.push({app: input.app, type: `(pooler ${variable})`, dynos: 0, processesPerDyno: 0, perProcess: 0, total: held,
      via: 'pooler', clients, restartTotal, serverSource: `min(${clients} clients, ${cap.value ?? 'unknown'} server connections: ${cap.source})`})
  }
  if (poolers.length === 0) return b
  const rows = [...own, ...poolerRows, ...b.rows.slice(processes.length)]
  const demand = rows.reduce((sum, r) => sum + r.total, 0)
  const base = statusOf(b.limit, b.reserve, demand, restartDemand(rows))
  const status: Status = poolers.some(p => p.status === 'fail') ? 'fail' : assumptions.length > 0 && base === 'ok' ? 'warn' : base
  const others = b.rows.slice(processes.length).reduce((sum, r) => sum + r.total, 0)
  return {...b, rows, demand, status, assumptions: [...new Set(assumptions)], poolers,
    largestPool: largestDirectPool(b, rows, processes, others),
    largestDynos: Object.fromEntries(processes.map((p, i) => [p.type, largestDynos(b, demand, own[i]!, p)]))}
}

/** What the server-side pooler holds against the plan at most, and whether that is the documented share (assumed). */
function serverCap(server: ServerPooler, limit: number | null): {value: number | null, source: string, assumed: boolean} {
  const c = server.config
  const read = [c?.maxDbConnections, c?.defaultPoolSize].filter((v): v is number => typeof v === 'number' && v > 0)
  if (read.length > 0) {
    const names = [c?.maxDbConnections != null ? 'pgbouncer_max_db_connections' : null, c?.defaultPoolSize != null ? 'pgbouncer_default_pool_size' : null].filter(Boolean)
    return {value: Math.min(...read), source: `Heroku Data API: ${names.join(', ')}`, assumed: false}
  }
  const why = c?.error ? `its config could not be read (${c.error})` : server.attachment ? 'its config was not read' : 'no attachment says which database it pools'
  if (limit === null) return {value: null, source: `assumed: server connections unknown (${why}, and the plan limit is unknown)`, assumed: true}
  return {value: Math.floor(limit * SERVER_POOLER_SHARE.value), source: `assumed ${SERVER_POOLER_SHARE.value * 100}% of the plan limit ${limit} (${why}; ${SERVER_POOLER_SHARE.source})`, assumed: true}
}

/** The largest pool the directly connected processes could have: the poolers' connections do not depend on it. */
function largestDirectPool(b: ResourceBudget, rows: readonly BudgetRow[], processes: readonly ProcessPlan[], others: number): number | null {
  if (b.available === null) return null
  const pooled = rows.filter(r => r.via === 'pgbouncer' || r.via === 'pooler').reduce((sum, r) => sum + r.total, 0)
  const direct = processes.filter((p, i) => p.role !== 'none' && (rows[i]?.via ?? 'direct') === 'direct')
  const count = direct.reduce((n, p) => n + p.dynos * p.processesPerDyno, 0)
  return count === 0 ? null : Math.max(0, Math.floor((b.available - others - pooled) / count))
}

function largestDynos(b: ResourceBudget, demand: number, row: BudgetRow, p: ProcessPlan): number | null {
  const perDyno = perDynoOf(row)
  if (b.available === null || perDyno === 0) return null
  return Math.max(0, Math.floor((b.available - (demand - p.dynos * perDyno)) / perDyno))
}
