// `redis.live` / `postgres.live`: what the server reports now against what the budget predicts, with the
// difference explained (connections without a tsq name, one-off dynos, dynos outside the formation,
// dynos that hold none). Pure: the measurement was taken by src/probe.
import type {LiveMeasurement, ResourceBudget} from '../budget/budget.js'
import type {ResourceKind} from '../model/catalogue.js'
import {type Check, type CheckContext, TITLE, budgetOf, fail, fixSetVars, heroku, ok, warn} from './common.js'
import {typeFromDyno} from '../model/settings.js'

/** Live connections per process type, from the tsq names the runtime gives its connections. */
export function liveByType(m: LiveMeasurement): Map<string, number> {
  const byType = new Map<string, number>()
  for (const a of m.attributed) byType.set(typeFromDyno(a.dyno), (byType.get(typeFromDyno(a.dyno)) ?? 0) + a.count)
  return byType
}

/** Reasons the live count differs from the prediction, most telling first. */
function explain(ctx: CheckContext, b: ResourceBudget, m: LiveMeasurement, kind: ResourceKind): {notes: string[], over: string[]} {
  const {formation, app} = ctx.assessment
  const notes: string[] = []
  const over: string[] = []
  const byType = liveByType(m)
  const programs = Object.entries(m.unnamedBy ?? {}).map(([program, n]) => `${program} ${n}`).join(', ')
  if (m.unattributed > 0) {
    notes.push(`${m.unattributed} carry no tsq name (psql, ${kind === 'redis' ? 'redis-cli' : 'dataclips'}, other clients, or processes not using heroku-tsq/runtime${programs ? `; by their process titles: ${programs}` : ''})`)
  }
  const outside = new Set<string>()
  for (const a of m.attributed) {
    const type = typeFromDyno(a.dyno)
    const entry = formation.find(f => f.type === type)
    const index = Number(a.dyno.slice(type.length + 1))
    if (!entry) outside.add(/^(run|scheduler|release)$/.test(type) ? `${a.dyno} (one-off dyno)` : `${a.dyno} (type not in the formation)`)
    else if (Number.isInteger(index) && index > entry.quantity) outside.add(`${a.dyno} (beyond ${entry.quantity} ${type} dynos: an old dyno still stopping, or just scaled down)`)
  }
  if (outside.size > 0) notes.push(`from dynos outside the formation: ${[...outside].join(', ')}`)
  for (const r of b.rows.filter(row => row.app === app)) {
    const seen = byType.get(r.type) ?? 0
    const stack = ctx.assessment.processes.find(p => p.type === r.type)?.stack
    const unnamed = stack === 'tsq' ? 'its dynos are not running heroku-tsq/runtime yet'
      : `its ${stack} processes do not name their connections: tsq:setup's config/initializers/tsq.rb names them`
    if (r.total > 0 && seen === 0) notes.push(`none from ${r.type} (${kind === 'postgres' || stack !== 'tsq' ? 'pools open connections only when needed, or ' : ''}${unnamed})`)
    else if (seen > r.total && r.dynos > 0) over.push(`${r.type} holds ${seen}, more than the ${r.total} predicted`)
  }
  if (b.sharedWith.length > 0) notes.push(`connections of ${b.sharedWith.join(', ')} are counted too`)
  if (kind === 'postgres' && m.attributed.length > 0) notes.push('pools hold fewer connections than their maximum until busy')
  return {notes, over}
}

export function checkLive(ctx: CheckContext, kind: ResourceKind): Check | null {
  const id = kind === 'redis' ? 'redis.live' : 'postgres.live'
  const b = budgetOf(ctx, kind)
  if (!b) return null
  const m = b.live
  const name = TITLE[kind]
  const where = b.configVar ?? 'its URL'
  if (!m || m.error) {
    const reason = m?.error ?? `${where} could not be measured`
    return warn(id, `Could not measure ${name} live: ${reason}`, ctx.local
      ? `start ${kind === 'redis' ? 'redis-server' : 'Postgres'} or point ${kind === 'redis' ? 'REDIS_URL' : 'DATABASE_URL'} in .env at a running server`
      : `check that ${name} accepts connections from this machine with ${where} (add-ons in a Private Space do not)`)
  }
  const tsq = m.attributed.reduce((sum, a) => sum + a.count, 0)
  const types = [...liveByType(m)].map(([t, n]) => `${t} ${n}`).join(', ')
  const {notes, over} = explain(ctx, b, m, kind)
  const limit = m.limit === null ? 'limit not reported' : `server limit ${m.limit} (${m.limitSource ?? 'measured'})`
  const summary = `Live: ${m.connections ?? '?'} connections (${tsq} tsq-named${types ? `: ${types}` : ''}; ${m.unattributed} unattributed) against ${b.demand} predicted at full pools; ${limit}`
  const message = notes.length > 0 ? `${summary}. Why they differ: ${notes.join('; ')}` : summary
  if (m.limit !== null && m.connections !== null && m.connections >= m.limit) {
    return fail(id, `${name} is full now: ${m.connections} of ${m.limit}. ${message}`, kind === 'postgres'
      ? `see who holds them: ${heroku(ctx, 'pg:ps')}; then lower the pools as postgres.connections suggests`
      : `see who holds them: ${heroku(ctx, 'redis:cli')}, then CLIENT LIST`)
  }
  if (over.length > 0) {
    return warn(id, `The runtime holds more than the budget predicts: ${over.join('; ')}. ${message}`,
      ctx.local ? 'make sure every process runs the same heroku-tsq version and settings' : `deploy one heroku-tsq version to every process type, then ${heroku(ctx, 'ps:restart')}`)
  }
  const reserveVar = kind === 'postgres' ? 'TSQ_DB_RESERVE' : 'TSQ_REDIS_RESERVE'
  if (m.unattributed > b.reserve) {
    return warn(id, `${m.unattributed} connections come from outside tsq, more than the reserve of ${b.reserve}. ${message}`,
      `${fixSetVars(ctx, {[reserveVar]: String(m.unattributed)})} so the budget keeps room for them`)
  }
  return ok(id, message)
}
