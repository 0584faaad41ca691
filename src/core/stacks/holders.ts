// Holders of connections (spec §14) as a stack builds them: the totals a model shows as `dbPool` and
// `redisConnections` on the primary Postgres and Redis variables, and holders of one kind merged. Pure.
import type {Env} from '../model/settings.js'
import {findRedisUrl} from '../model/settings.js'
import {ANY_RESOURCE, type Holder, type ProcessModel} from './model.js'
import {type Sourced, known} from './sourced.js'

/** Holders of the same kind, name, variable and per-dyno-ness summed into one, sources joined. */
export function mergeHolders(holders: readonly Holder[]): Holder[] {
  const out: Holder[] = []
  for (const h of holders) {
    const same = out.find(o => o.holder === h.holder && o.kind === h.kind && o.resourceVar === h.resourceVar && !!o.perDyno === !!h.perDyno)
    if (!same) { out.push({...h}); continue }
    const a = same.perProcess
    const b = h.perProcess
    same.perProcess = {value: a.value + b.value, source: `${a.source}; ${b.source}`, lever: a.lever ?? b.lever,
      ...(a.unknown || b.unknown ? {unknown: [a.unknown, b.unknown].filter(Boolean).join('; ')} : {})}
  }
  return out
}

/** The variables whose resources are the primary ones: DATABASE_URL (and the one database.yml's primary reads), and the app's Redis variable. */
export function primaryVars(env: Env, primaryDb: string | null): {postgres: string[], redis: string[]} {
  return {postgres: [...new Set(['DATABASE_URL', ...primaryDb ? [primaryDb] : []])], redis: [findRedisUrl(env)?.variable ?? 'REDIS_URL']}
}

/** A per-process total of a kind's holders on the primary variables, as `dbPool`/`redisConnections` show it. */
export function totalOn(holders: readonly Holder[], kind: Holder['kind'], vars: readonly string[]): Sourced<number> {
  const on = holders.filter(h => h.kind === kind && !h.perDyno && (vars.includes(h.resourceVar) || h.resourceVar === ANY_RESOURCE))
  if (on.length === 1) return on[0]!.perProcess
  if (on.length === 0) return known(0, `no ${kind === 'postgres' ? 'Postgres' : 'Redis'} holder on ${vars.join(', ')}`)
  const unknown = on.flatMap(h => h.perProcess.unknown ? [h.perProcess.unknown] : [])
  return {value: on.reduce((n, h) => n + h.perProcess.value, 0), source: on.map(h => `${h.holder} ${h.perProcess.value} (${h.perProcess.source})`).join(' + '),
    lever: on[0]!.perProcess.lever, ...(unknown.length ? {unknown: unknown.join('; ')} : {})}
}

/** The model with its holders, and `dbPool`/`redisConnections` recomputed as their totals on the primary variables. */
export function withHolders(model: ProcessModel, holders: readonly Holder[], vars: {postgres: string[], redis: string[]}): ProcessModel {
  const merged = mergeHolders(holders)
  return {...model, holders: merged, dbPool: totalOn(merged, 'postgres', vars.postgres), redisConnections: totalOn(merged, 'redis', vars.redis)}
}
