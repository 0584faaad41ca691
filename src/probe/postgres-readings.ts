// What the Postgres probe read, turned into a measurement. Pure.
//
// Which limit binds the app's role: max_connections is server-wide, less the slots kept for superusers
// (superuser_reserved_connections, and reserved_connections from PG 16); a role or database CONNECTION LIMIT
// can be tighter (a multi-tenant server caps each role). The tightest limit wins, and connections are
// counted over what that limit covers: the whole server, the app's database, or the app's role.
import type {ProbeMeasurement} from './common.js'
import {attribute} from './parse.js'

export interface PostgresSettings {
  maxConnections: number
  superuserReserved: number
  /** `reserved_connections` (PG 16+); null on older servers. */
  reserved: number | null
  role: string
  database: string
  /** `rolconnlimit` of the session's role; -1 = no limit. */
  roleLimit: number
  /** `datconnlimit` of the current database; -1 = no limit. */
  databaseLimit: number
}

/** One other client session (the probe's own is left out by the query). */
export interface PostgresSession {
  applicationName: string
  ownRole: boolean
  ownDatabase: boolean
  /** Another role's session whose details Postgres hides from this role (counted from its role and database). */
  hidden: boolean
}

type Scope = 'server' | 'database' | 'role'

export function measurementFromPostgres(s: PostgresSettings, sessions: readonly PostgresSession[]): ProbeMeasurement {
  const reserved = s.reserved ?? 0
  const serverLimit = Math.max(0, s.maxConnections - s.superuserReserved - reserved)
  const serverSource = `SHOW max_connections (${s.maxConnections}) − superuser_reserved_connections (${s.superuserReserved})` +
    (reserved > 0 ? ` − reserved_connections (${reserved})` : '')
  const candidates: Array<{scope: Scope, limit: number, source: string}> = [
    {scope: 'server', limit: serverLimit, source: serverSource},
    {scope: 'database', limit: s.databaseLimit, source: `CONNECTION LIMIT of database "${s.database}"`},
    {scope: 'role', limit: s.roleLimit, source: `CONNECTION LIMIT of role "${s.role}"`},
  ]
  // Ties keep the wider scope: it counts at least as many connections, so it is the cautious reading.
  const binding = candidates.filter(c => c.limit >= 0).reduce((best, c) => (c.limit < best.limit ? c : best))
  const counted = sessions.filter(x => binding.scope === 'server' || (binding.scope === 'role' ? x.ownRole : x.ownDatabase))
  const notes: string[] = []
  if (binding.scope !== 'server') {
    notes.push(`only the ${binding.scope === 'role' ? `role "${s.role}"` : `database "${s.database}"`}'s connections ` +
      `are counted: its CONNECTION LIMIT (${binding.limit}) is tighter than the server's (${serverLimit})`)
  }
  const hidden = counted.filter(x => x.hidden).length
  if (hidden > 0) {
    notes.push(`${hidden} session(s) of other roles are counted from their role and database; ` +
      'Postgres hides their type from this role')
  }
  return {
    connections: counted.length,
    limit: binding.limit,
    limitSource: binding.source,
    ...attribute(counted.map(x => x.applicationName), 'db'),
    error: null,
    notes,
  }
}
