// Live measurement of a Postgres server for `tsq:doctor --live`/`--local`: one short-lived connection named
// `tsq:doctor:<pid>:probe` reads the connection limits and pg_stat_activity. Never throws.
import pg from 'pg'
import {pgTlsConfig} from '../runtime/pg-tls.js'
import {DEFAULT_TIMEOUT_MS, type ProbeMeasurement, type ProbeOptions, failed, probeName, scrub, targetOf, withDeadline} from './common.js'
import {type PostgresSession, type PostgresSettings, measurementFromPostgres} from './postgres-readings.js'

// SHOW as functions, so one statement reads them all; reserved_connections exists from PG 16 only.
const SETTINGS_SQL = `
SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS superuser_reserved,
       current_setting('reserved_connections', true) AS reserved,
       session_user::text AS role, current_database()::text AS database,
       (SELECT rolconnlimit FROM pg_roles WHERE rolname = session_user) AS role_limit,
       (SELECT datconnlimit FROM pg_database WHERE datname = current_database()) AS database_limit`

// Client backends only (not autovacuum, walwriter…), server-wide, without the probe. Another role's session
// shows a NULL backend_type to an unprivileged role; one with a database and a role is a client session.
const SESSIONS_SQL = `
SELECT coalesce(a.application_name, '') AS application_name,
       coalesce(a.usesysid = (SELECT oid FROM pg_roles WHERE rolname = session_user), false) AS own_role,
       coalesce(a.datname = current_database(), false) AS own_database,
       a.backend_type IS NULL AS hidden
FROM pg_stat_activity a
WHERE a.pid <> pg_backend_pid()
  AND (a.backend_type = 'client backend' OR (a.backend_type IS NULL AND a.datid IS NOT NULL AND a.usesysid IS NOT NULL))`

interface SettingsRow {
  max_connections: number
  superuser_reserved: number
  reserved: string | null
  role: string
  database: string
  role_limit: number | null
  database_limit: number | null
}

interface SessionRow {
  application_name: string
  own_role: boolean
  own_database: boolean
  hidden: boolean
}

/**
 * Connections, limit and attribution of the Postgres at `url`, excluding the probe's own connection.
 * Any failure (unreachable, auth, TLS, too many clients, no answer within `timeoutMs`, default 5000) is
 * returned in `error`.
 */
export async function measurePostgres(url: string, options: ProbeOptions = {}): Promise<ProbeMeasurement> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const target = targetOf(url, 5432)
  if (target === null) return failed(url, 'Postgres', null, 'the URL is not valid')
  let client: pg.Client
  try {
    const tls = pgTlsConfig(url)
    client = new (tls.Client ?? pg.Client)({
      ...tls,
      application_name: probeName(),
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    })
  } catch (error) {
    return failed(url, 'Postgres', target, error)
  }
  // A dropped connection is reported through the query that fails; the event must not crash the doctor.
  client.on('error', () => {})
  try {
    const {settings, sessions} = await withDeadline(read(client), timeoutMs, () => void client.end().catch(() => {}))
    const measurement = measurementFromPostgres(settings, sessions)
    return {...measurement, notes: measurement.notes.map(n => scrub(url, n))}
  } catch (error) {
    return failed(url, 'Postgres', target, error)
  } finally {
    await endWithin(client, 1000)
  }
}

async function read(client: pg.Client): Promise<{settings: PostgresSettings, sessions: PostgresSession[]}> {
  await client.connect()
  // pg runs them one after the other on this connection; issuing both at once saves waiting in between.
  const [settingsResult, sessionsResult] = await Promise.all([
    client.query<SettingsRow>(SETTINGS_SQL),
    client.query<SessionRow>(SESSIONS_SQL),
  ])
  const row = settingsResult.rows[0]
  if (!row) throw new Error('the server returned no settings')
  const reserved = row.reserved === null ? null : Number.parseInt(row.reserved, 10)
  const settings: PostgresSettings = {
    maxConnections: row.max_connections, superuserReserved: row.superuser_reserved,
    reserved: Number.isFinite(reserved) ? reserved : null, role: row.role, database: row.database,
    roleLimit: row.role_limit ?? -1, databaseLimit: row.database_limit ?? -1,
  }
  const sessions = sessionsResult.rows.map(r => ({
    applicationName: r.application_name, ownRole: r.own_role, ownDatabase: r.own_database, hidden: r.hidden,
  }))
  return {settings, sessions}
}

/** Closes the connection, giving up after `ms` (a server that stopped answering must not hold the doctor). */
async function endWithin(client: pg.Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    client.end().catch(() => {}),
    new Promise<void>(resolve => {
      timer = setTimeout(resolve, ms)
    }),
  ])
  clearTimeout(timer)
}
