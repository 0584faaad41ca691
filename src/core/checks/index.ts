// The doctor's check engine: an Assessment (and the AppState it came from) in, a list of checks with stable
// ids out. Every `fail` and `warn` carries a concrete fix. Pure: no env, no I/O, no clock, no colours.
import type {Status} from '../budget/budget.js'
import {checkPostgresAddon, checkRedisAddon, checkRedisUrl, checkSettings} from './addons.js'
import {checkConnections, checkPools, checkRestartOverlap, checkWorkerDynos} from './budget.js'
import {type Check, type CheckContext} from './common.js'
import {checkJobsConsumer} from './jobs.js'
import {checkWorkerLatency} from './latency.js'
import {checkLive} from './live.js'
import {checkPooler} from './pooler.js'
import {checkRedisEviction} from './redis-eviction.js'
import {checkRedisAuth, checkRedisPersistence} from './redis-server.js'
import {checkPostgresTls, checkRedisTls} from './tls.js'

export {CHECK_IDS, type Check, type CheckContext, type CheckId} from './common.js'

/**
 * Runs every check that applies, in the order of CHECK_IDS. A check whose subject is absent is left out
 * (no `redis.tls` without a Redis URL, no live checks without `--live`); the absence itself is reported by
 * the `*.addon`/`*.url` checks.
 */
export function runChecks(ctx: CheckContext): Check[] {
  const checks: Array<Check | null> = [
    checkSettings(ctx),
    checkRedisAddon(ctx),
    checkRedisUrl(ctx),
    checkConnections(ctx, 'redis'),
    checkPostgresAddon(ctx),
    checkConnections(ctx, 'postgres'),
    checkPools(ctx, 'postgres.pool'),
    checkPools(ctx, 'redis.pool'),
    checkWorkerDynos(ctx),
    checkRestartOverlap(ctx),
    checkRedisTls(ctx),
    checkPostgresTls(ctx),
    ctx.live ? checkLive(ctx, 'redis') : null,
    ctx.live ? checkLive(ctx, 'postgres') : null,
    ctx.live ? checkRedisPersistence(ctx) : null,
    ctx.live ? checkRedisAuth(ctx) : null,
    ctx.live ? checkWorkerLatency(ctx) : null,
    checkPooler(ctx),
    checkRedisEviction(ctx),
    checkJobsConsumer(ctx),
  ]
  return checks.filter((c): c is Check => c !== null)
}

const SEVERITY: Record<Status, number> = {fail: 0, warn: 1, ok: 2}

/** Checks ordered fail → warn → ok, keeping the engine's order within each status. */
export function sortChecks(checks: readonly Check[]): Check[] {
  return checks.map((c, i) => ({c, i})).sort((a, b) => SEVERITY[a.c.status] - SEVERITY[b.c.status] || a.i - b.i).map(x => x.c)
}
