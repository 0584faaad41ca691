// When Postgres cannot fit (spec §11, issue 13): the ways out, each with the budget it leaves — server-side
// pooling (where the plan has it), a pgbouncer in each dyno, a larger plan — ranked so what fits comes first.
// The budgets are the doctor's own arithmetic (budget-poolers.ts) applied to the formation as it would be, so
// following a fix makes the doctor pass. Pure.
import type {AppState} from '../model/app-state.js'
import type {Assessment} from './assess.js'
import {type ResourceBudget, largerPlan} from '../budget/budget.js'
import {POOLING_ATTACHMENT, SERVER_POOLER_SHARE} from '../budget/poolers.js'
import {PGBOUNCER_DEFAULTS} from '../stacks/pooler.js'

/** One way out, with the Postgres demand it leaves and the limit it is judged against. */
export interface PostgresOption {
  kind: 'server-pooling' | 'pgbouncer' | 'plan'
  /** What to run, in `heroku` terms. */
  action: string
  demand: number
  limit: number
  /** `overlap`: fits even while old and new dynos overlap on a restart; `limit`: fits limit − reserve; `no`. */
  fits: 'overlap' | 'limit' | 'no'
  /** The action with its numbers: `… (Postgres demand then 12 of 18 available)`. */
  text: string
}

/** Whether a Heroku Postgres plan offers server-side pooling (Standard, Premium, Private, Shield: not Essential or Advanced). */
export function planHasPooling(plan: string | null): boolean {
  return plan !== null && /^heroku-postgresql:(standard|premium|private|shield)-/.test(plan)
}

/**
 * The pooler and plan options for Postgres budget `b`, best first: what fits a restart, then what fits, then the rest.
 * `poolingForce`: tsq:setup --pooling just left a Rails app's database.yml (and so the pooler) for want of --force,
 * so its command names --force rather than the command just run.
 */
export function postgresOptions(assessment: Assessment, b: ResourceBudget, state?: Pick<AppState, 'generation' | 'poolerConfig'>,
  options: {poolingForce?: boolean} = {}): PostgresOption[] {
  if (b.kind !== 'postgres' || b.limit === null || b.available === null) return []
  const {app} = assessment
  const limit = b.limit
  const available = b.available
  // `restart`: connections while old and new dynos overlap (default every one twice; a server-side pooler's at most its pool).
  const judge = (demand: number, restart = 2 * demand): PostgresOption['fits'] => demand > available ? 'no' : restart > limit ? 'limit' : 'overlap'
  const others = b.rows.filter(r => r.app !== app).reduce((sum, r) => sum + r.total, 0)
  const own = assessment.processes.map((p, i) => ({p, m: assessment.models[i]!, row: b.rows.find(r => r.app === app && r.type === p.type)}))
    .filter(x => x.row && x.p.dynos > 0 && x.row.perProcess > 0)
  // A process that cannot work behind transaction pooling keeps its direct connections.
  const session = (x: typeof own[number]) => x.m.dbRoute?.needs.some(n => n.breaks) ?? false
  const clientsOf = (x: typeof own[number]) => x.row!.clients ?? x.row!.total
  const found: PostgresOption[] = []
  const text = (action: string, demand: number, restart = 2 * demand, what = 'Postgres demand then') =>
    `${action} (${what} ${demand} of ${available} available${judge(demand, restart) === 'no' ? ': still over' : judge(demand, restart) === 'limit' ? ', but a restart\'s overlap would pass the limit' : ''})`

  const serverUsed = (b.poolers ?? []).some(p => p.kind === 'server')
  if (planHasPooling(b.plan) && !serverUsed && b.addon) {
    const config = state?.poolerConfig ? Object.values(state.poolerConfig)[0] : undefined
    const cap = config?.maxDbConnections ?? config?.defaultPoolSize ?? Math.floor(limit * SERVER_POOLER_SHARE.value)
    const pooled = own.filter(x => !session(x)).reduce((sum, x) => sum + clientsOf(x), 0)
    const direct = own.filter(session).reduce((sum, x) => sum + x.row!.total, 0)
    const demand = others + direct + Math.min(pooled, cap)
    // On a restart the direct connections double; the pooler's clients do too, its server side only up to its pool.
    const restart = 2 * (others + direct) + Math.min(2 * pooled, cap)
    const kept = own.filter(session).map(x => x.p.type)
    const action = `server-side pooling: heroku tsq:setup --pooling${options.poolingForce ? ' --force' : ''} -a ${app} (attaches ${POOLING_ATTACHMENT} and points ${kept.length > 0 ? `every type but ${kept.join(', ')}` : 'the processes'} at ${POOLING_ATTACHMENT}_URL; its server side is at most ${cap}${config ? '' : `, ${SERVER_POOLER_SHARE.value * 100}% of the plan assumed`})`
    found.push({kind: 'server-pooling', action, demand, limit, fits: judge(demand, restart), text: text(action, demand, restart)})
  }

  const unpooled = own.filter(x => x.row!.via !== 'pgbouncer' && x.row!.via !== 'server-pooler' && !session(x))
  if (state?.generation !== 'fir' && unpooled.length > 0) {
    const perDyno = PGBOUNCER_DEFAULTS.defaultPoolSize + PGBOUNCER_DEFAULTS.reservePoolSize
    const demand = others + own.reduce((sum, x) => sum + (unpooled.includes(x) ? x.p.dynos * perDyno : x.row!.total), 0)
    const types = unpooled.map(x => x.p.type)
    const every = types.length === assessment.processes.filter(p => p.role !== 'none').length
    const action = `a connection pooler in each dyno: heroku buildpacks:add heroku/pgbouncer -a ${app}, then start ${every ? 'each Procfile command' : types.join(' and ')} with bin/start-pgbouncer (DATABASE_URL then points at it; ${perDyno} server connections per dyno)`
    found.push({kind: 'pgbouncer', action, demand, limit, fits: judge(demand), text: text(action, demand)})
  }

  const bigger = largerPlan(b)
  if (bigger && b.addon) {
    const action = `heroku addons:upgrade ${b.addon} ${bigger.plan} -a ${app}`
    const fits = b.demand > bigger.limit - b.reserve ? 'no' : 2 * b.demand > bigger.limit ? 'limit' : 'overlap'
    found.push({kind: 'plan', action, demand: b.demand, limit: bigger.limit, fits,
      text: `${action} (${bigger.limit} connections: demand ${b.demand} of ${bigger.limit - b.reserve} available)`})
  }
  const rank = {overlap: 0, limit: 1, no: 2}
  return found.map((o, i) => ({o, i})).sort((x, y) => rank[x.o.fits] - rank[y.o.fits] || x.i - y.i).map(x => x.o)
}
