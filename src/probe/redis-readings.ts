// What the Redis probe read, turned into a measurement. Pure, so every fallback (old Redis without
// maxclients in INFO, CONFIG or CLIENT disabled as on Heroku and ElastiCache) is testable without a server.
import {type ProbeMeasurement, probeName} from './common.js'
import {attribute, parseClientList, parseInfo} from './parse.js'

/** A command's reply, or the server's error message when it refused it. */
export type Reading<T> = {ok: true, value: T} | {ok: false, error: string}

export interface RedisReadings {
  /** `CLIENT ID` of the probe's own connection. */
  probeId: Reading<number>
  /** `INFO clients` text. */
  info: Reading<string>
  /** `CLIENT LIST` text. */
  clientList: Reading<string>
  /** `CONFIG GET maxclients` value; null when not asked (INFO already had maxclients). */
  configMaxclients: Reading<string | null> | null
  /** The probe's connection name, used to find it in CLIENT LIST when CLIENT ID failed. */
  probeName?: string
}

/** The measurement for these readings; throws when neither INFO nor CLIENT LIST answered (nothing to count). */
export function measurementFromRedis(r: RedisReadings): ProbeMeasurement {
  if (!r.info.ok && !r.clientList.ok) throw new Error(r.info.error)
  const notes: string[] = []
  const info = r.info.ok ? parseInfo(r.info.value) : {}
  if (!r.info.ok) notes.push(`INFO is unavailable (${r.info.error}): connections are counted from CLIENT LIST`)

  let connections: number
  let attribution: ReturnType<typeof attribute>
  if (r.clientList.ok) {
    const others = withoutProbe(parseClientList(r.clientList.value), r.probeId, r.probeName ?? probeName())
    connections = others.length
    attribution = attribute(others.map(c => c.name), 'unknown')
  } else {
    const connected = toCount(info.connected_clients)
    if (connected === null) throw new Error('INFO clients has no connected_clients and CLIENT LIST is unavailable')
    // The probe's own connection is one of connected_clients.
    connections = Math.max(0, connected - 1)
    attribution = {attributed: [], unattributed: connections}
    notes.push(`CLIENT LIST is unavailable (${r.clientList.error}): connections are INFO's connected_clients ` +
      'without this probe and cannot be attributed to dynos')
  }

  const {limit, limitSource} = limitOf(info, r.configMaxclients, notes)
  return {connections, limit, limitSource, ...attribution, error: null, notes}
}

function limitOf(info: Record<string, string>, config: RedisReadings['configMaxclients'], notes: string[]):
  {limit: number | null, limitSource: string | null} {
  const fromInfo = toCount(info.maxclients)
  if (fromInfo !== null) return {limit: fromInfo, limitSource: 'INFO clients'}
  if (config?.ok) {
    const fromConfig = toCount(config.value ?? undefined)
    if (fromConfig !== null) return {limit: fromConfig, limitSource: 'CONFIG GET maxclients'}
  }
  const why = config === null ? 'was not asked' : config.ok ? 'returned no number' : `is refused (${config.error})`
  const limitSource = `not readable: INFO clients has no maxclients (Redis < 6.2) and CONFIG GET maxclients ${why}; ` +
    'the plan catalogue applies'
  notes.push(limitSource)
  return {limit: null, limitSource}
}

/** The clients other than the probe: by CLIENT ID, else the first client carrying the probe's name. */
function withoutProbe(clients: Array<Record<string, string>>, probeId: Reading<number>, name: string): Array<Record<string, string>> {
  const index = probeId.ok ? clients.findIndex(c => c.id === String(probeId.value)) : clients.findIndex(c => c.name === name)
  return index < 0 ? clients : clients.filter((_c, i) => i !== index)
}

function toCount(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null
  return Number(value.trim())
}
