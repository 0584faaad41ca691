// Poolers in the checks (spec §11): how a pooled row reads in a budget's breakdown, a pooler's client limit
// (part of `postgres.connections`), and `postgres.pooler`: transaction pooling keeps no session, so LISTEN/NOTIFY,
// advisory locks (Rails migrations, GoodJob), session SET and named prepared statements break behind it. A
// consumer that needs them warns; one shown to break (migrations taking their advisory lock, GoodJob) fails,
// with the fix: a direct URL for that process, or doing without the feature. Pure.
import type {BudgetRow, ResourceBudget} from '../budget/budget.js'
import {serverPoolersOf} from '../budget/poolers.js'
import {type Check, type CheckContext, budgetOf, fail, fixSetVars, listJoin, ok, warn} from './common.js'
import type {ProcessModel} from '../stacks/model.js'
import type {SessionNeed} from '../stacks/pooler.js'

/** `web 3×(pgbouncer 2) = 6 [clients 3×1×20 = 60]`, `(pooler DATABASE_CONNECTION_POOL_URL) 12 [of 60 clients]`. */
export function pooledRowText(r: BudgetRow): string | null {
  if (r.via === 'pgbouncer') return `${r.type} ${r.dynos}×(pgbouncer ${r.serverPerDyno}) = ${r.total} [clients ${r.dynos}×${r.processesPerDyno}×${r.perProcess} = ${r.clients}]`
  if (r.via === 'pooler') return `${r.type} ${r.total} [for ${r.clients} clients]`
  return null
}

/** A pooler over its client limit: connections beyond it are refused whatever the plan allows. */
export function checkPoolerClients(ctx: CheckContext, b: ResourceBudget): Check | null {
  const over = (b.poolers ?? []).filter(p => p.status === 'fail')
  if (over.length === 0) return null
  const message = over.map(p => p.kind === 'pgbouncer'
    ? `each ${listJoin(p.types)} dyno opens ${p.clients} client connections to its pgbouncer, which accepts ${p.clientLimit} (${p.clientLimitSource})`
    : `${p.clients} client connections go through ${p.configVar}, which accepts ${p.clientLimit} (${p.clientLimitSource})`).join('; ')
  const fixes = over.map(p => p.kind === 'pgbouncer'
    ? `${fixSetVars(ctx, {PGBOUNCER_MAX_CLIENT_CONN: String(p.clients)})} (a pgbouncer client is cheap: its server side stays ${p.server})`
    : `smaller pools for ${listJoin(p.types)}: ${p.clientLimit} clients in all`)
  return fail('postgres.connections', `Postgres pooler over its client limit: ${message}`, fixes.join('; and '))
}

interface Consumer {
  type: string
  dynos: number
  via: 'pgbouncer' | 'server-pooler'
  variable: string
  need: SessionNeed
  directLever: string
}

/** `postgres.pooler`: what breaks behind a transaction-mode pooler, per process type that connects through one. */
export function checkPooler(ctx: CheckContext): Check | null {
  const b = budgetOf(ctx, 'postgres')
  const {processes, models, app} = ctx.assessment
  const viaOf = (type: string) => b?.rows.find(r => r.app === app && r.type === type)?.via
  const pooled = processes.map((p, i) => ({p, m: models[i]!, via: viaOf(p.type)}))
    .filter((x): x is {p: typeof x.p, m: ProcessModel, via: 'pgbouncer' | 'server-pooler'} =>
      (x.via === 'pgbouncer' || x.via === 'server-pooler' || releaseThroughPooler(x.m, ctx)) && x.m.dbRoute !== undefined)
    .map(x => ({...x, via: x.via === 'pgbouncer' || x.m.dbRoute?.dynoPooler ? 'pgbouncer' as const : 'server-pooler' as const}))
    .filter(x => !(x.via === 'pgbouncer' && x.m.dbRoute!.dynoPooler?.poolMode === 'session'))
  if (pooled.length === 0) return b?.poolers?.length ? ok('postgres.pooler', 'No process connects through a pooler') : null
  const consumers: Consumer[] = pooled.flatMap(({p, m, via}) => m.dbRoute!.needs.map(need =>
    ({type: p.type, dynos: p.dynos, via, variable: m.dbRoute!.variable.value, need, directLever: m.dbRoute!.directLever})))
  const names = pooled.map(x => `${x.p.type} (${x.via === 'pgbouncer' ? 'pgbouncer in the dyno' : x.m.dbRoute!.variable.value})`)
  if (consumers.length === 0) {
    return ok('postgres.pooler', `Behind a transaction-mode pooler: ${listJoin(names)}; none needs a session (LISTEN/NOTIFY, advisory locks, SET, named prepared statements)${
      pooled.some(x => x.m.stack.value === 'tsq') ? '; heroku-tsq/runtime\'s pg pool uses unnamed statements only' : ''}`)
  }
  const line = (c: Consumer) => `${c.type}: ${c.need.who} ${c.need.breaks ? 'takes' : 'uses'} ${c.need.feature} (${c.need.source}) through ${c.via === 'pgbouncer' ? 'the pgbouncer in its dyno' : c.variable}`
  const breaking = consumers.filter(c => c.need.breaks)
  const message = `Transaction pooling keeps no session: ${consumers.map(line).join('; ')}${breaking.length > 0 ? ' — this breaks' : ''}`
  const fixes = [...new Set(consumers.map(c => fixFor(ctx, c)))]
  return breaking.length > 0 ? fail('postgres.pooler', message, fixes.join('; and ')) : warn('postgres.pooler', message, fixes.join('; and '))
}

/** The release phase is not in the budget (its connections are the reserve), but its migrations still go through the pooler. */
function releaseThroughPooler(m: ProcessModel, ctx: CheckContext): boolean {
  const route = m.dbRoute
  if (!route || m.stack.value !== 'none' || route.needs.length === 0) return false
  if (route.dynoPooler) return true
  const pg = ctx.assessment.postgres
  if (route.url !== null && route.url === pg.url) return false
  const addonId = pg.used?.id ?? null
  return serverPoolersOf(ctx.state, ctx.assessment.config, addonId).some(s => s.variables.includes(route.variable.value))
}

/** A direct URL for that process, or doing without the feature. */
function fixFor(ctx: CheckContext, c: Consumer): string {
  const direct = c.via === 'pgbouncer'
    ? `in the Procfile, start ${c.type} without bin/start-pgbouncer (a direct URL for ${c.type})`
    : c.directLever.startsWith('TSQ_') ? `${fixSetVars(ctx, {[c.directLever]: 'DATABASE_URL'})} (a direct URL for ${c.type})`
      : `in the Procfile, start ${c.type} with ${c.variable}=$DATABASE_URL before its command (a direct URL for ${c.type} only)`
  return c.need.without ? `${direct}; or ${c.need.without}` : direct
}
