// Live measurement of a Redis server for `tsq:doctor --live`/`--local`: one short-lived, named connection
// reads INFO clients, CLIENT LIST and, when needed, CONFIG GET maxclients. Never throws.
import {Redis} from 'ioredis'
import {redisTlsOptions} from '../core/model/tls.js'
import {DEFAULT_TIMEOUT_MS, type ProbeMeasurement, type ProbeOptions, failed, probeName, scrub, targetOf, withDeadline} from './common.js'
import {type Reading, type RedisReadings, measurementFromRedis} from './redis-readings.js'

/**
 * Connections, limit and attribution of the Redis at `url`, excluding the probe's own connection.
 * Any failure (unreachable, auth, TLS, no answer within `timeoutMs`, default 5000) is returned in `error`.
 */
export async function measureRedis(url: string, options: ProbeOptions = {}): Promise<ProbeMeasurement> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const target = targetOf(url, 6379)
  if (target === null) return failed(url, 'Redis', null, 'the URL is not valid')
  let client: Redis
  try {
    client = new Redis(url, {
      ...redisTlsOptions(url),
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      // One attempt: a doctor reports an unreachable server rather than waiting for it.
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      // The probe runs INFO itself; the ready check's INFO would only add a round trip.
      enableReadyCheck: false,
      disableClientInfo: true,
    })
  } catch (error) {
    return failed(url, 'Redis', target, error)
  }
  // ioredis reports the real cause (ECONNREFUSED, WRONGPASS, a full server's greeting) as an 'error'
  // event and then fails pending work with a bare "Connection is closed."; keep the cause for the message.
  const events: string[] = []
  // Accepted = the TCP connection was up; ready = ioredis finished its setup. ioredis 6 sends HELLO 3 first,
  // and a full server's close can fail it before 'ready', leaving only EPIPE or a bare "Connection is closed."
  let accepted = false
  let ready = false
  client.once('connect', () => {
    accepted = true
  })
  client.once('ready', () => {
    ready = true
  })
  client.on('error', (error: Error) => {
    events.push(error.message.replace(/^Command queue state error\..*Last (error|reply): /, ''))
  })
  try {
    const readings = await withDeadline(read(client), timeoutMs, () => client.disconnect())
    const measurement = measurementFromRedis(readings)
    return {...measurement, limitSource: measurement.limitSource && scrub(url, measurement.limitSource),
      notes: measurement.notes.map(n => scrub(url, n))}
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const cause = causeOf([message, ...events])
    // A full Redis greets with "ERR max number of clients reached" and closes at once; when the probe's
    // first write crosses that close, the reset discards the greeting and only EPIPE or ECONNRESET is left.
    const hint = accepted && !/max number of clients/.test(cause) &&
      (/EPIPE|ECONNRESET/.test(cause) || (!ready && isClosed(cause)))
      ? ': the server closed the connection as soon as it accepted it, as Redis does at its maxclients limit'
      : ''
    return failed(url, 'Redis', target, cause + hint)
  } finally {
    client.disconnect()
  }
}

async function read(client: Redis): Promise<RedisReadings> {
  await client.connect()
  // Sent together, so ioredis pipelines them: one round trip. The name is set here rather than through
  // ioredis's connectionName, which swallows SETNAME's reply, and with it a full server's
  // "ERR max number of clients reached". A server without CLIENT refuses it; the probe goes on unnamed.
  const [setName, probeId, info, clientList] = await Promise.all([
    settle(client.client('SETNAME', probeName())),
    settle(client.client('ID') as Promise<number>),
    settle(client.info('clients')),
    settle(client.client('LIST') as Promise<string>),
  ])
  fatalOf(setName, info, clientList)
  const hasMaxclients = info.ok && /^maxclients:\d+/m.test(info.value)
  const configMaxclients = hasMaxclients ? null : await settle(
    (client.config('GET', 'maxclients') as Promise<string[]>).then(pair => pair[1] ?? null))
  return {probeId, info, clientList, configMaxclients, probeName: probeName()}
}

/** Authentication and connection failures make every reading meaningless: fail the measurement with them. */
function fatalOf(...readings: Array<Reading<unknown>>): void {
  for (const r of readings) {
    if (!r.ok && (/^(NOAUTH|WRONGPASS|ERR max number of clients)/.test(r.error) || isClosed(r.error))) throw new Error(r.error)
  }
}

async function settle<T>(promise: Promise<T>): Promise<Reading<T>> {
  try {
    return {ok: true, value: await promise}
  } catch (error) {
    return {ok: false, error: error instanceof Error ? error.message : String(error)}
  }
}

// The server's own words explain a failure better than what the socket saw afterwards (EPIPE, closed).
const TELLING = [/WRONGPASS|invalid (username-)?password/i, /max number of clients/i, /NOAUTH/, /^ERR |^[A-Z]+ /]

/** The most telling of the messages a failed measurement produced, `messages[0]` being what was thrown. */
function causeOf(messages: string[]): string {
  for (const pattern of TELLING) {
    const found = messages.find(m => pattern.test(m))
    if (found) return found
  }
  const first = messages[0] ?? 'unknown error'
  return isClosed(first) ? (messages.find(m => !isClosed(m)) ?? first) : first
}

/** ioredis's messages for work on a connection that is already gone. */
function isClosed(message: string): boolean {
  return /Connection is closed|Stream isn't writeable/i.test(message)
}
