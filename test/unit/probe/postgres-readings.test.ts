import {describe, expect, it} from 'vitest'
import {measurementFromPostgres, type PostgresSession, type PostgresSettings} from '../../../src/probe/postgres-readings.js'

const SETTINGS: PostgresSettings = {
  maxConnections: 20, superuserReserved: 3, reserved: null, role: 'app', database: 'd1', roleLimit: -1, databaseLimit: -1,
}
const session = (applicationName: string, own: Partial<PostgresSession> = {}): PostgresSession =>
  ({applicationName, ownRole: true, ownDatabase: true, hidden: false, ...own})
const SESSIONS = [
  session('tsq:web.1:1'), session('tsq:web.1:1'), session('tsq:worker.1:2'),
  session('', {ownRole: false}), session('psql', {ownDatabase: false, ownRole: false, hidden: true}),
]

describe('measurementFromPostgres', () => {
  it('limits to max_connections − superuser_reserved_connections and counts every session server-wide', () => {
    expect(measurementFromPostgres(SETTINGS, SESSIONS)).toEqual({
      connections: 5, limit: 17, limitSource: 'SHOW max_connections (20) − superuser_reserved_connections (3)',
      attributed: [{dyno: 'web.1', purpose: 'db', count: 2}, {dyno: 'worker.1', purpose: 'db', count: 1}],
      unattributed: 2, error: null,
      notes: ['1 session(s) of other roles are counted from their role and database; Postgres hides their type from this role'],
    })
  })

  it('also subtracts reserved_connections (PG 16+)', () => {
    const m = measurementFromPostgres({...SETTINGS, maxConnections: 100, reserved: 5}, [])
    expect(m).toMatchObject({limit: 92, limitSource: 'SHOW max_connections (100) − superuser_reserved_connections (3) − reserved_connections (5)'})
  })

  it('takes a tighter role CONNECTION LIMIT and counts only the role\'s sessions', () => {
    const m = measurementFromPostgres({...SETTINGS, roleLimit: 4}, SESSIONS)
    expect(m).toMatchObject({connections: 3, limit: 4, limitSource: 'CONNECTION LIMIT of role "app"', unattributed: 0})
    expect(m.notes).toEqual(['only the role "app"\'s connections are counted: its CONNECTION LIMIT (4) is tighter than the server\'s (17)'])
  })

  it('takes a tighter database CONNECTION LIMIT and counts only the database\'s sessions', () => {
    const m = measurementFromPostgres({...SETTINGS, databaseLimit: 10, roleLimit: 12}, SESSIONS)
    expect(m).toMatchObject({connections: 4, limit: 10, limitSource: 'CONNECTION LIMIT of database "d1"'})
  })

  it('keeps the server scope when a role limit equals the server limit', () => {
    expect(measurementFromPostgres({...SETTINGS, roleLimit: 17}, SESSIONS)).toMatchObject({connections: 5, limit: 17})
  })

  it('measures 0 connections and no notes when the probe is alone', () => {
    expect(measurementFromPostgres(SETTINGS, [])).toMatchObject({connections: 0, attributed: [], unattributed: 0, notes: []})
  })
})
