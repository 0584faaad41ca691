// Checks of the connection budget (spec §3): demand against each limit, worker pools against concurrency,
// workers scaled to 0, and the doubled demand of a restart. Every failure names the largest pool, the
// largest dyno count or the plan that fits. Pure.
import {type ResourceBudget, largerPlan, perDynoOf, restartDemand, restartText} from '../budget/budget.js'
import type {ResourceKind} from '../model/catalogue.js'
import {
  type Check, type CheckContext, TITLE, budgetOf, fail, fixChanges, fixScale, heroku, listJoin, notCountedApps, ok, plural, warn,
} from './common.js'
import {checkPoolerClients, pooledRowText} from './pooler.js'
import {postgresOptions} from '../assess/pooler-advice.js'
import {planPools} from '../assess/pool-plan.js'
import {planRedisPools} from '../assess/redis-plan.js'
import type {LeverChange} from '../stacks/levers.js'

/** `web 2×2×5 = 20, worker 1×1×8 = 8, staging-app 6`; an app that could not be read shows `?`. */
export function breakdown(b: ResourceBudget, app: string, unread: ReadonlyArray<{app: string}> = []): string {
  return b.rows.filter(r => r.app !== app || r.total > 0)
    .map(r => r.app === app ? pooledRowText(r) ?? `${r.type} ${r.dynos}×${r.processesPerDyno}×${r.perProcess} = ${r.total}`
      : `${r.app} ${unread.some(u => u.app === r.app) ? '?' : r.total}`)
    .join(', ') || 'no processes'
}

/**
 * `redis.connections` / `postgres.connections`: demand against limit − reserve, for every resource of the kind
 * (spec §14: a second Redis add-on for the cache is judged on its own); the worst decides, each is named.
 */
export function checkConnections(ctx: CheckContext, kind: ResourceKind): Check | null {
  const budgets = ctx.assessment.resources.filter(r => r.kind === kind)
  if (budgets.length <= 1) return budgets[0] ? checkResource(ctx, kind, budgets[0]) : null
  const checks = budgets.map(b => ({b, c: checkResource(ctx, kind, b)}))
  const worst = checks.find(x => x.c.status === 'fail') ?? checks.find(x => x.c.status === 'warn') ?? checks[0]!
  const name = (b: ResourceBudget) => [b.configVar, b.addon].filter(Boolean).join(' ') || TITLE[kind]
  return {
    id: worst.c.id, status: worst.c.status,
    message: checks.map(x => `${name(x.b)}: ${x.c.message}`).join('; '),
    fix: worst.c.status === 'ok' ? null : checks.filter(x => x.c.fix).map(x => `${name(x.b)}: ${x.c.fix}`).join('; '),
  }
}

function checkResource(ctx: CheckContext, kind: ResourceKind, b: ResourceBudget): Check {
  const id = kind === 'redis' ? 'redis.connections' : 'postgres.connections'
  const unread = notCountedApps(ctx.state, b.addon)
  const parts = breakdown(b, ctx.assessment.app, unread)
  if (b.limit === null || b.available === null) {
    const why = b.plan
      ? `plan ${b.plan} is not in tsq's catalogue and ${ctx.live ? 'neither Heroku nor the server reported' : "Heroku's Data API did not report"} a limit`
      : `${b.configVar} does not come from an add-on${ctx.live ? ' and the server reported no limit' : ''}`
    return warn(id, `${TITLE[kind]} connection limit unknown: ${why}. Demand is ${b.demand} (${parts}); it is not checked against a guess`,
      ctx.live ? `look up the plan's connection limit and keep demand at most that minus the reserve of ${b.reserve}` : `${heroku(ctx, 'tsq:doctor --live')} reads the limit from the server`)
  }
  const clients = checkPoolerClients(ctx, b)
  if (clients) return clients
  const limit = `limit ${b.limit} (source: ${b.limitSource ?? 'the plan'})`
  const uncounted = unread.length > 0 ? `; not counted, could not be read: ${unread.map(u => `${u.app} (${u.error})`).join(', ')}` : ''
  if (b.demand > b.available) {
    return fail(id, `${TITLE[kind]} needs ${b.demand} connections (${parts}) but only ${b.available} are available: ${limit} minus a reserve of ${b.reserve} for one-off dynos, release phase and consoles${uncounted}`,
      fixesForOver(ctx, b, 'limit').join('; or '))
  }
  const fits = `${TITLE[kind]} needs ${b.demand} of ${b.available} available connections (${parts}; ${limit}, reserve ${b.reserve})`
  if (b.assumptions.length > 0) {
    return warn(id, `${fits}, but that demand assumes what tsq could not read: ${b.assumptions.join('; ')}`,
      'write those values in a form tsq reads (see the settings check), so the demand is known rather than assumed')
  }
  if (unread.length > 0) {
    return warn(id, `${fits}, but ${unread.map(u => `${u.app} (${u.error})`).join(', ')} could not be read, so its connections are not counted`,
      `someone with access runs ${unread.map(u => `heroku tsq:doctor -a ${u.app}`).join(' and ')}; or ask for access: heroku access -a ${unread[0]!.app}`)
  }
  return ok(id, fits)
}

/** The ways to bring demand within `limit − reserve` (`limit`) or within half the limit (`overlap`). */
function fixesForOver(ctx: CheckContext, b: ResourceBudget, target: 'limit' | 'overlap'): string[] {
  const fixes: string[] = []
  const {assessment, local} = ctx
  // Pools are planned on the primary Postgres resource; a second database's holders are lowered where they are set.
  if (b.kind === 'postgres' && b === assessment.resources.find(r => r.kind === 'postgres')) {
    const plan = planPools(assessment)
    const reaches = target === 'limit' ? plan.fits === 'limit' || plan.fits === 'overlap' : plan.fits === 'overlap'
    const label = plan.fits === 'overlap' ? 'the largest pools that fit, even while old and new dynos overlap' : 'the largest pools that fit'
    if (reaches && plan.changes.length > 0) fixes.push(`${fixChanges(ctx, plan.changes)} (${label})`)
  }
  // Sidekiq's concurrency and Redis pools, judged with every other resource (spec §9).
  if (b.kind === 'redis') fixes.push(...redisPoolFix(ctx, b, target))
  const room = target === 'limit' ? b.available ?? 0 : Math.floor((b.limit ?? 0) / 2)
  for (const p of assessment.processes) {
    const row = b.rows.find(r => r.app === assessment.app && r.type === p.type)
    const perDyno = row ? perDynoOf(row) : 0
    if (!row || perDyno === 0 || p.dynos <= 1) continue
    const most = Math.floor((room - (b.demand - row.total)) / perDyno)
    if (most >= 1 && most < p.dynos) fixes.push(`${fixScale(ctx, p.type, most)} (the most ${p.type} dynos that fit)`)
  }
  const lines = holderLines(b)
  if (lines.length > 0) fixes.push(`fewer connections where they are set: ${lines.join(', ')}`)
  if (!local && b.kind === 'postgres') {
    // Poolers and plans, each with the budget it leaves: what reaches the target first, the rest after the counts.
    const options = postgresOptions(assessment, b, ctx.state, {poolingForce: ctx.poolingForce})
    const reaches = (fits: string) => target === 'overlap' ? fits === 'overlap' : fits !== 'no'
    const counts = fixes.splice(firstCount(fixes))
    fixes.push(...options.filter(o => reaches(o.fits)).map(o => o.text), ...counts, ...options.filter(o => !reaches(o.fits)).map(o => o.text))
    if (!options.some(o => o.kind === 'plan')) fixes.push(`a ${b.service ?? TITLE[b.kind]} plan with at least ${target === 'limit' ? b.demand + b.reserve : 2 * b.demand} connections`)
    return fixes
  }
  const plan = largerPlan(b, {overlap: target === 'overlap'})?.plan
  if (local) fixes.push(`a server that allows more connections (${b.kind === 'postgres' ? 'max_connections' : 'maxclients'})`)
  else if (plan && b.addon) fixes.push(heroku(ctx, `addons:upgrade ${b.addon} ${plan}`))
  else fixes.push(`a ${b.service ?? TITLE[b.kind]} plan with at least ${target === 'limit' ? b.demand + b.reserve : 2 * b.demand} connections`)
  return fixes
}

/** The Sidekiq concurrency and Redis pool sizes that bring `b` within its target, or why none does. */
function redisPoolFix(ctx: CheckContext, b: ResourceBudget, target: 'limit' | 'overlap'): string[] {
  const plan = planRedisPools(ctx.assessment, {budget: b})
  if (!plan.adjustable) return []
  const reaches = target === 'limit' ? plan.fits === 'limit' || plan.fits === 'overlap' : plan.fits === 'overlap'
  if (reaches && plan.changes.length > 0) {
    const sizes = Object.entries(plan.connections).map(([type, n]) => `${type} ${n}`).join(', ')
    const label = plan.fits === 'overlap' ? 'the largest Sidekiq sizes that fit, even while old and new dynos overlap' : 'the largest Sidekiq sizes that fit'
    return [`${fixChanges(ctx, plan.changes)} (${label}: Redis connections per process ${sizes}; ${b.demand} → ${plan.demand})`]
  }
  if (plan.fits !== 'none' && !(target === 'overlap' && plan.fits === 'limit')) return []
  const room = target === 'limit' ? `the ${b.available} available` : `half the limit of ${b.limit} (a restart's overlap)`
  const roomSize = target === 'limit' ? b.available ?? 0 : Math.floor((b.limit ?? 0) / 2)
  if (plan.floor !== null && plan.floor <= roomSize) return ['no Sidekiq concurrency or Redis pool size on its own: the values that would fit make another resource or pool check fail']
  return [`no Sidekiq concurrency or Redis pool size is enough on its own: even at Sidekiq concurrency 1 and the smallest Redis pools the processes need ${plan.floor} Redis connections, over ${room}`
    + (plan.unsettable.length > 0 ? ` (not settable: ${plan.unsettable.join(', ')})` : '')]
}

/** The lines that set what Action Cable, the cache and the job backends hold on a resource (spec §14), largest first. */
function holderLines(b: ResourceBudget): string[] {
  const own = new Set(['activerecord', 'sidekiq', 'sidekiq-client', 'tsq'])
  const by = new Map<string, string[]>()
  for (const h of [...b.holders].sort((x, y) => y.perDyno - x.perDyno)) {
    if (!h.setBy || own.has(h.holder) || h.perDyno === 0) continue
    by.set(h.setBy, [...by.get(h.setBy) ?? [], `${h.type} ${h.holder} ${h.perProcess ?? `${h.perDyno}/dyno`}`])
  }
  return [...by].map(([line, what]) => `${line} (${what.join(', ')})`)
}

/** Index of the first dyno-count fix (they follow the pools fix). */
function firstCount(fixes: readonly string[]): number {
  const i = fixes.findIndex(f => f.endsWith('dynos that fit)'))
  return i < 0 ? fixes.length : i
}

/**
 * `postgres.pool` / `redis.pool`: each stack judges its own pools (a Sidekiq pool under its concurrency fails,
 * a Puma or heroku-tsq one warns; Sidekiq ≤ 6 refuses to boot on a Redis pool under concurrency + 2). The fix
 * raises the pool where the larger demand still fits a restart's overlap, else lowers the concurrency to it.
 */
export function checkPools(ctx: CheckContext, id: 'postgres.pool' | 'redis.pool'): Check | null {
  const b = budgetOf(ctx, id === 'postgres.pool' ? 'postgres' : 'redis')
  if (!b) return null
  const {processes, models} = ctx.assessment
  const found = models.flatMap((m, i) => m.findings.filter(f => f.id === id).map(f => ({m, p: processes[i]!, f})))
  if (found.length === 0) return id === 'postgres.pool' ? ok(id, 'No worker process types, so no worker pools to size') : null
  const bad = found.filter(x => x.f.status !== 'ok')
  if (bad.length === 0) return ok(id, `Every ${id === 'postgres.pool' ? "worker's pool covers its concurrency" : 'Redis pool is large enough'}: ${found.map(x => x.f.message).join(', ')}`)
  const changes: LeverChange[] = []
  let demand = b.demand
  let restart = restartDemand(b.rows)
  for (const {m, p, f} of bad) {
    const raise = f.set.find(s => s.value === 'dbPoolSetting')
    const extra = raise ? p.dynos * p.processesPerDyno * Math.max(0, raise.to - p.dbPool) : 0
    const fits = b.available !== null && b.limit !== null && demand + extra <= b.available && restart + 2 * extra <= b.limit
    // Otherwise the work per process comes down to the pool: Sidekiq's concurrency, Puma's threads, the runtime's concurrency.
    const lower = m.concurrency ? {value: 'concurrency' as const, to: p.dbPool} : m.threads ? {value: 'threads' as const, to: p.dbPool} : null
    const set = fits || !raise ? f.set : lower ? [lower] : []
    if (fits) {
      demand += extra
      restart += 2 * extra
    }
    for (const s of set) {
      const lever = m.leverFor(s.value)
      if (lever) changes.push({lever, to: s.to, what: `${p.type} ${s.value === 'dbPoolSetting' ? 'pool' : s.value}`})
    }
  }
  const message = bad.map(x => x.f.message).join('; ')
  const fix = changes.length > 0 ? `${fixChanges(ctx, changes)} (a pool that fits, or a concurrency that matches the pool)` : 'make each pool at least its concurrency'
  return bad.some(x => x.f.status === 'fail') ? fail(id, message, fix) : warn(id, message, fix)
}

/** `worker.dynos`: a worker type at 0 dynos whose queues no running worker consumes: its jobs never run. */
export function checkWorkerDynos(ctx: CheckContext): Check {
  const {processes, models} = ctx.assessment
  const workers = processes.map((p, i) => ({p, queues: models[i]?.queues ?? []})).filter(w => w.p.role === 'worker')
  if (workers.length === 0) return ok('worker.dynos', 'No worker process types in the formation: jobs enqueued here run only if another app consumes them')
  const running = new Set(workers.filter(w => w.p.dynos > 0).flatMap(w => w.queues))
  const idle = workers.filter(w => w.p.dynos === 0)
  const stranded = idle.filter(w => w.queues.some(q => !running.has(q)))
  const summary = workers.map(w => `${w.p.type} ${plural(w.p.dynos, 'dyno')}`).join(', ')
  if (stranded.length === 0) {
    const covered = idle.length > 0 ? `; ${listJoin(idle.map(w => w.p.type))} at 0, but their queues are consumed by running workers` : ''
    return ok('worker.dynos', `Workers: ${summary}${covered}`)
  }
  const message = stranded.map(w => {
    const queues = w.queues.filter(q => !running.has(q))
    return `${w.p.type} is scaled to 0: jobs on ${queues.length === 1 ? 'queue' : 'queues'} ${listJoin(queues)} pile up and never run`
  }).join('; ')
  const fixes = stranded.map(w => {
    const most = Math.min(...ctx.assessment.resources.map(r => r.largestDynos[w.p.type] ?? Number.POSITIVE_INFINITY))
    if (most === 0) return `free connections first (no ${w.p.type} dyno fits the current limits), then ${fixScale(ctx, w.p.type, 1)}`
    return `${fixScale(ctx, w.p.type, 1)}${Number.isFinite(most) ? ` (up to ${most} fit the limits)` : ''}`
  })
  return fail('worker.dynos', message, fixes.join('; and '))
}

/** `restart.overlap`: old and new dynos overlap for up to 30 s on a restart or deploy, so twice the direct demand (a
 *  server-side pooler's connections at most its pool) must fit. */
export function checkRestartOverlap(ctx: CheckContext): Check | null {
  const {resources} = ctx.assessment
  if (resources.length === 0) return null
  const known = resources.filter(b => b.limit !== null)
  if (known.length === 0) {
    return warn('restart.overlap', 'Cannot check restarts: no connection limit is known', ctx.local ? 'make sure the local servers answer' : `${heroku(ctx, 'tsq:doctor --live')} reads the limits from the servers`)
  }
  const over = known.filter(b => restartDemand(b.rows) > b.limit!)
  const line = (b: ResourceBudget) => `${TITLE[b.kind]} ${restartText(b)} ${restartDemand(b.rows) > b.limit! ? '>' : '≤'} limit ${b.limit}`
  const unknown = resources.filter(b => b.limit === null).map(b => `${TITLE[b.kind]} not checked (limit unknown)`)
  if (over.length === 0) return ok('restart.overlap', `Old and new dynos fit together during a restart: ${[...known.map(line), ...unknown].join('; ')}`)
  // A resource already over its limit has its fix in its connections check; repeating it here adds nothing.
  const fixes = over.flatMap(b => b.available !== null && b.demand > b.available
    ? [`first fix ${b.kind}.connections (demand is over the limit even without a restart)`]
    : fixesForOver(ctx, b, 'overlap'))
  return warn('restart.overlap', `During a restart or deploy old and new dynos overlap for up to 30 s and can hit the limit: ${over.map(line).join('; ')}`,
    fixes.join('; or '))
}
