// What `redis.persistence` and `redis.auth` need from a Redis server: `CONFIG GET` of save, appendonly, bind and
// protected-mode, the version, and whether a connection without credentials is refused. One short-lived
// connection with the app's credentials (and, when the URL has some, one without). Never throws.
import {Redis, type RedisOptions} from 'ioredis'
import type {EvictionReading, RedisServerReading, Setting} from '../core/checks/redis-server.js'
import {redisTlsOptions} from '../core/model/tls.js'
import {DEFAULT_TIMEOUT_MS, type ProbeOptions, probeName, scrub, targetOf, withDeadline} from './common.js'

const SETTINGS = ['save', 'appendonly', 'bind', 'protected-mode'] as const

/** The server settings of the Redis at `url`; what could not be read says why (CONFIG refused, unreachable). */
export async function readRedisServer(url: string, options: ProbeOptions = {}): Promise<RedisServerReading> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return unreadRedisServer(url, 'the URL is not valid')
  }
  const client = connect(url, timeoutMs)
  const failed = (error: unknown): RedisServerReading => unreadRedisServer(url, causeOf(client, error))
  try {
    const [settings, info, memory] = await withDeadline(Promise.all([
      Promise.all(SETTINGS.map(name => settle((client.config('GET', name) as Promise<string[]>).then(pair => pair[1] ?? '')))),
      settle(client.info('server')),
      Promise.all([settle(client.info('memory')), ...MEMORY_SETTINGS.map(name => settle((client.config('GET', name) as Promise<string[]>).then(pair => pair[1] ?? '')))]),
    ]), timeoutMs, () => client.disconnect())
    const fatal = [...settings, info].find(r => !r.ok && /^(NOAUTH|WRONGPASS)|Connection is closed/.test(r.error))
    // Refused without credentials: a password is required, and nothing else can be read.
    if (fatal && !fatal.ok && /^NOAUTH/.test(fatal.error) && !parsed.username && !parsed.password) {
      return {...unreadRedisServer(url, fatal.error), error: null, passwordRequired: {ok: true, value: true}}
    }
    if (fatal && !fatal.ok) return failed(new Error(fatal.error))
    const [save, appendonly, bind, protectedMode] = settings.map(s => s.ok ? s : {ok: false as const, error: scrub(url, s.error)}) as Setting[]
    const [memoryInfo, policy, maxmemory] = memory
    const eviction = evictionOf(memoryInfo!, policy!, maxmemory!, message => scrub(url, message))
    const version = info.ok ? /^redis_version:(\S+)/m.exec(info.value)?.[1] ?? null : null
    // Connected without credentials, the probe itself shows none are needed.
    const passwordRequired = parsed.username || parsed.password
      ? await anonymousPing(url, timeoutMs)
      : {ok: true as const, value: false}
    return {target: targetOf(url, 6379) ?? url, error: null, save: save!, appendonly: appendonly!, bind: bind!, protectedMode: protectedMode!, version, passwordRequired, eviction}
  } catch (error) {
    return failed(error)
  } finally {
    client.disconnect()
  }
}

/** A reading of nothing, for a server that could not be read (`error` names why; secrets masked). */
export function unreadRedisServer(url: string, error: string): RedisServerReading {
  const unread: Setting = {ok: false, error: scrub(url, error)}
  return {target: targetOf(url, 6379) ?? 'an invalid URL', error: scrub(url, error), save: unread, appendonly: unread, bind: unread,
    protectedMode: unread, version: null, passwordRequired: unread, eviction: {policy: unread, usedMemory: null, maxmemory: null}}
}

const MEMORY_SETTINGS = ['maxmemory-policy', 'maxmemory'] as const

/** The policy from CONFIG GET, else INFO memory's maxmemory_policy (managed Redis often refuses CONFIG). */
export function evictionOf(info: Settled<string>, policy: Settled<string>, maxmemory: Settled<string>, scrubbed: (m: string) => string): EvictionReading {
  const field = (name: string) => info.ok ? new RegExp(`^${name}:(\\S*)`, 'm').exec(info.value)?.[1] : undefined
  const number = (v: string | undefined) => v !== undefined && /^\d+$/.test(v) ? Number(v) : null
  const fromInfo = field('maxmemory_policy')
  const reading: EvictionReading['policy'] = policy.ok && policy.value !== '' ? {ok: true, value: policy.value, via: 'CONFIG GET'}
    : fromInfo ? {ok: true, value: fromInfo, via: 'INFO memory'}
      : {ok: false, error: scrubbed([policy.ok ? 'CONFIG GET maxmemory-policy answered nothing' : `CONFIG GET: ${policy.error}`,
        info.ok ? 'INFO memory has no maxmemory_policy' : `INFO memory: ${info.error}`].join('; '))}
  return {policy: reading, usedMemory: number(field('used_memory')), maxmemory: number(field('maxmemory')) ?? (maxmemory.ok ? number(maxmemory.value) : null)}
}

/** PING without credentials: NOAUTH means a password is required. */
async function anonymousPing(url: string, timeoutMs: number): Promise<RedisServerReading['passwordRequired']> {
  const anonymous = new URL(url)
  anonymous.username = ''
  anonymous.password = ''
  const client = connect(anonymous.toString(), timeoutMs)
  try {
    await withDeadline(client.ping(), timeoutMs, () => client.disconnect())
    return {ok: true, value: false}
  } catch (error) {
    const message = causeOf(client, error)
    if (/^NOAUTH|Authentication required/i.test(message)) return {ok: true, value: true}
    return {ok: false, error: scrub(url, message)}
  } finally {
    client.disconnect()
  }
}

/** ioredis fails pending commands with a bare "Connection is closed."; the 'error' event had the cause. */
const causes = new WeakMap<Redis, string[]>()

function causeOf(client: Redis, error: unknown): string {
  const message = messageOf(error)
  return /Connection is closed/i.test(message) ? causes.get(client)?.find(m => !/Connection is closed/i.test(m)) ?? message : message
}

function connect(url: string, timeoutMs: number): Redis {
  const options: RedisOptions = {
    ...redisTlsOptions(url),
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableReadyCheck: false,
    disableClientInfo: true,
    connectionName: probeName(),
  }
  const client = new Redis(url, options)
  // Failures reach the commands that fail (their cause is kept); the event must not crash the doctor.
  const seen: string[] = []
  causes.set(client, seen)
  client.on('error', (error: Error) => seen.push(error.message))
  return client
}

type Settled<T> = {ok: true, value: T} | {ok: false, error: string}

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return {ok: true, value: await promise}
  } catch (error) {
    return {ok: false, error: messageOf(error)}
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
