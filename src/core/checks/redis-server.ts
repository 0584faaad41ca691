// The Redis server itself, as the guide's Linux half warns about it (spec §12): `redis.persistence` (a
// restart without RDB snapshots or AOF loses every queued job) and `redis.auth` (a Redis reachable beyond
// loopback without a password hands the queue to anyone who can reach the port). Judged from what the probe
// read with `CONFIG GET` and an unauthenticated PING. Pure.
import {type Check, type CheckContext, fail, ok, warn} from './common.js'

/** A setting as `CONFIG GET` returned it, or why it could not be read (managed Redis refuses CONFIG). */
export type Setting = {ok: true, value: string} | {ok: false, error: string}

/** What the probe read about the Redis server the app connects to. */
export interface RedisServerReading {
  /** `host:port` the probe connected to. */
  target: string
  /** Why nothing could be read (unreachable, auth failed); the settings are then meaningless. */
  error: string | null
  save: Setting
  appendonly: Setting
  bind: Setting
  protectedMode: Setting
  /** `redis_version` from INFO server; null when INFO was refused. */
  version: string | null
  /** Whether a connection without credentials is refused (NOAUTH): requirepass, or ACL's default user. */
  passwordRequired: {ok: true, value: boolean} | {ok: false, error: string}
  /** maxmemory-policy and memory use (redis.eviction); absent when not read. */
  eviction?: EvictionReading
}

/** What redis.eviction reads: the policy (CONFIG GET, else INFO memory) and used_memory against maxmemory. */
export interface EvictionReading {
  policy: {ok: true, value: string, via: 'CONFIG GET' | 'INFO memory'} | {ok: false, error: string}
  /** Bytes, from INFO memory; null when refused. */
  usedMemory: number | null
  /** Bytes; 0 means no limit; null when unread. */
  maxmemory: number | null
}

const CONF_PERSISTENCE = '`appendonly yes` (with `appendfsync everysec`) or `save 3600 1 300 100 60 10000`'

/** `redis.persistence`: warn when neither RDB snapshots (`save`) nor AOF (`appendonly`) are on. */
export function checkRedisPersistence(ctx: CheckContext): Check | null {
  const r = ctx.redisServer
  if (!r) return null
  const where = ctx.local ? 'in redis.conf' : 'in the Redis provider\'s settings'
  if (r.error) return warn('redis.persistence', `Could not read Redis persistence settings at ${r.target}: ${r.error}`, `make sure Redis keeps its data across a restart: ${where}, ${CONF_PERSISTENCE}`)
  if (!r.save.ok || !r.appendonly.ok) {
    const refused = !r.save.ok ? r.save.error : !r.appendonly.ok ? r.appendonly.error : ''
    return warn('redis.persistence', `Could not read whether Redis at ${r.target} persists queued jobs: CONFIG GET is refused (${refused}), as managed Redis services do`,
      ctx.local ? `check redis.conf has ${CONF_PERSISTENCE}` : 'check that the provider\'s plan persists data (RDB snapshots or AOF): a plan without persistence loses queued jobs on every restart')
  }
  const save = r.save.value.trim()
  const aof = r.appendonly.value.trim().toLowerCase() === 'yes'
  if (aof || save !== '') {
    const on = [...(aof ? ['AOF (appendonly yes)'] : []), ...(save !== '' ? [`RDB snapshots (save ${save})`] : [])]
    return ok('redis.persistence', `Redis at ${r.target} persists queued jobs: ${on.join(' and ')}`)
  }
  return warn('redis.persistence', `Redis at ${r.target} keeps queued jobs only in memory (save "" and appendonly no): a restart of redis-server or of the machine loses every queued job`,
    ctx.local
      ? `in redis.conf set ${CONF_PERSISTENCE}, then restart redis-server (or apply it now: redis-cli CONFIG SET appendonly yes && redis-cli CONFIG REWRITE)`
      : 'choose a Redis plan or setting that persists data (RDB snapshots or AOF)')
}

/** `redis.auth`: fail when Redis accepts connections from beyond loopback without a password. */
export function checkRedisAuth(ctx: CheckContext): Check | null {
  const r = ctx.redisServer
  if (!r) return null
  const fix = 'in redis.conf set `requirepass <a long random password>` (or an ACL user: `user default off` and ' +
    '`user app on >PASSWORD ~* &* +@all`), restart redis-server, and put the password in REDIS_URL (redis://:PASSWORD@host:port)' +
    (ctx.local ? ' in .env' : '') + '; or, if only this machine connects, `bind 127.0.0.1 -::1`'
  if (r.error) return warn('redis.auth', `Could not check Redis access control at ${r.target}: ${r.error}`, fix)
  if (r.passwordRequired.ok && r.passwordRequired.value) return ok('redis.auth', `Redis at ${r.target} refuses clients without a password (requirepass or ACL)`)
  if (!r.bind.ok || !r.protectedMode.ok) {
    const refused = !r.bind.ok ? r.bind.error : !r.protectedMode.ok ? r.protectedMode.error : ''
    const password = r.passwordRequired.ok ? 'it accepts clients without a password' : `whether it needs a password is unknown (${r.passwordRequired.error})`
    return warn('redis.auth', `Could not read which addresses Redis at ${r.target} listens on: CONFIG GET is refused (${refused}); ${password}`, fix)
  }
  const exposure = exposureOf(r.bind.value, r.protectedMode.value, r.version)
  const password = r.passwordRequired.ok ? 'without a password' : `and whether it needs a password is unknown (${r.passwordRequired.error})`
  if (exposure === 'loopback') return ok('redis.auth', `Redis at ${r.target} listens on loopback only (bind ${r.bind.value}): other machines cannot reach it`)
  if (exposure === 'protected') {
    return warn('redis.auth', `Redis at ${r.target} listens beyond loopback (bind ${r.bind.value || '(all addresses)'}) ${password}; only protected-mode keeps other machines out`, fix)
  }
  const message = `Redis at ${r.target} accepts clients from other machines (bind ${r.bind.value || '(all addresses)'}, protected-mode ${r.protectedMode.value}) ${password}: anyone who reaches the port can read, change or delete every queued job`
  return r.passwordRequired.ok ? fail('redis.auth', message, fix) : warn('redis.auth', message, fix)
}

/**
 * Who can connect without a password: `loopback` (bound to loopback addresses only), `protected` (protected-mode
 * refuses other hosts: on Redis ≥ 7 whenever it is on, before 7 only without an explicit bind), or `open`.
 */
export function exposureOf(bind: string, protectedMode: string, version: string | null): 'loopback' | 'protected' | 'open' {
  const addresses = bind.trim().split(/\s+/).filter(a => a !== '').map(a => a.replace(/^-/, ''))
  if (addresses.length > 0 && addresses.every(isLoopback)) return 'loopback'
  const major = version === null ? null : Number.parseInt(version, 10)
  const protects = protectedMode.trim().toLowerCase() === 'yes' && (addresses.length === 0 || (major !== null && major >= 7))
  return protects ? 'protected' : 'open'
}

function isLoopback(address: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(address) || address === '::1' || address === 'localhost'
}
