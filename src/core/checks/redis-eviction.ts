// `redis.eviction` (spec §11): BullMQ and Sidekiq lose jobs when Redis evicts keys, so any maxmemory-policy but
// `noeviction` fails on a Redis the app runs them on; `noeviction` is ok; a policy that could not be read warns
// with the reason. The policy is read live (CONFIG GET, else INFO memory) and, for Heroku Key-Value Store, from
// the Data API. Memory above 80 % of maxmemory warns: with noeviction, a full Redis refuses new jobs. Pure.
import {findService} from '../model/catalogue.js'
import {type Check, type CheckContext, fail, heroku, listJoin, ok, warn} from './common.js'

/** Share of maxmemory above which redis.eviction warns. */
export const MEMORY_WARN_SHARE = 0.8

export function checkRedisEviction(ctx: CheckContext): Check | null {
  const {assessment, state, local} = ctx
  const finding = assessment.redis
  if (!finding.used && !finding.url) return null
  const live = ctx.redisServer?.eviction
  const data = finding.used ? state.redisConfig?.[finding.used.id] : undefined
  if (!live && !data) return null
  const policy = live?.policy.ok ? {value: live.policy.value, via: `${live.policy.via}, live`}
    : data?.maxmemoryPolicy ? {value: data.maxmemoryPolicy, via: 'Heroku Data API (redis:info)'} : null
  const jobs = jobRunners(ctx)
  const where = finding.used ? `${finding.used.name} (${finding.configVar ?? 'its URL'})` : `Redis at ${finding.configVar ?? 'its URL'}`
  const fix = fixNoeviction(ctx)
  if (!policy) {
    const why = [live && !live.policy.ok ? live.policy.error : null, data?.error ? `Data API: ${data.error}` : null].filter(Boolean).join('; ')
    return warn('redis.eviction', `Could not read the maxmemory-policy of ${where}: ${why || 'not reported'}`,
      `make sure it is noeviction${jobs.length > 0 ? ` (${listJoin(jobs)} lose jobs when keys are evicted)` : ''}: ${fix}`)
  }
  const memory = live ? memoryUse(live.usedMemory, live.maxmemory) : null
  if (policy.value !== 'noeviction') {
    const message = `${where} evicts keys under memory pressure (maxmemory-policy ${policy.value}, read by ${policy.via})`
    if (jobs.length > 0) return fail('redis.eviction', `${message}: ${listJoin(jobs)} then silently lose queued jobs${memory ? `; memory ${memory}` : ''}`, fix)
    return warn('redis.eviction', `${message}; no BullMQ or Sidekiq process uses it now, but a queue on it would lose jobs`, fix)
  }
  if (memory && live && live.maxmemory && live.usedMemory !== null && live.usedMemory > MEMORY_WARN_SHARE * live.maxmemory) {
    return warn('redis.eviction', `${where} uses ${memory}: with noeviction a full Redis refuses writes, so new jobs fail (OOM command not allowed)`,
      local ? 'raise maxmemory in redis.conf, or keep fewer finished jobs (BullMQ removeOnComplete/removeOnFail)'
        : `a larger plan (${heroku(ctx, 'addons:plans heroku-redis')} lists them), or keep fewer finished jobs (BullMQ removeOnComplete/removeOnFail)`)
  }
  return ok('redis.eviction', `${where} never evicts keys (maxmemory-policy noeviction, read by ${policy.via})${memory ? `; memory ${memory}` : ''}`)
}

/** `52.4 MB of 100.0 MB (52 %)`; null without a limit. */
function memoryUse(used: number | null, max: number | null): string | null {
  if (used === null || !max) return null
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${mb(used)} of ${mb(max)} (${Math.round((100 * used) / max)} %)`
}

/** The queue libraries the formation runs on this Redis: heroku-tsq/runtime is BullMQ, plus Sidekiq. */
function jobRunners(ctx: CheckContext): string[] {
  const {models, processes} = ctx.assessment
  const names = models.flatMap((m, i) => processes[i]!.redisConnections === 0 ? []
    : m.stack.value === 'sidekiq' ? ['Sidekiq'] : m.stack.value === 'tsq' && m.role !== 'none' ? ['BullMQ'] : [])
  return [...new Set(names)]
}

/** `heroku redis:maxmemory ADDON --policy noeviction -a APP`, redis.conf locally, the provider's dashboard otherwise. */
function fixNoeviction(ctx: CheckContext): string {
  const used = ctx.assessment.redis.used
  if (ctx.local) return 'redis-cli CONFIG SET maxmemory-policy noeviction, and `maxmemory-policy noeviction` in redis.conf so it survives a restart'
  if (used?.service === 'heroku-redis') return heroku(ctx, `redis:maxmemory ${used.name} --policy noeviction`)
  const title = used ? findService(used.service)?.title ?? used.service : 'the Redis provider'
  return `set the eviction policy to noeviction in ${title}'s dashboard`
}
