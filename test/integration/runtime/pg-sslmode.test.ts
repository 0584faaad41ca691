// libpq's sslmode on a real Postgres without TLS (spec §7, issue 16 item 15): prefer and allow end in
// plaintext, an unknown mode is an error naming it, a Unix-socket host works; the pool holds dbPool.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createPgClient, createPgPool, pgClientConfig, resolveSettings, RuntimeError, warmPgPool} from '../../../src/runtime/index.js'
import {startPostgres, type PostgresService} from '../../helpers/services.js'
import {uid} from './harness.js'

let server: PostgresService

beforeAll(async () => {
  server = await startPostgres({maxConnections: 20})
})

afterAll(async () => {
  await server?.stop()
})

const settingsFor = (databaseUrl: string, dyno = `web.${uid()}`) =>
  resolveSettings({DYNO: dyno, DATABASE_URL: databaseUrl, TSQ_DB_POOL: '3'})

describe('sslmode against a server without TLS', () => {
  it.each(['prefer', 'allow'])('sslmode=%s: the pool connects in plaintext and holds its dbPool connections', async mode => {
    const settings = settingsFor(`${server.url}?sslmode=${mode}`)
    const pool = createPgPool(settings)
    try {
      await warmPgPool(pool, settings.dbPool, {retryForMs: 0})
      const {rows} = await pool.query<{ssl: boolean}>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')
      expect(rows[0]!.ssl).toBe(false)
      expect(pool.totalCount).toBe(3)
    } finally {
      await pool.end()
    }
  })

  it('sslmode=prefer with a single client (createPgClient, as a release-phase script uses it)', async () => {
    const client = createPgClient(settingsFor(`${server.url}?sslmode=prefer`))
    await client.connect()
    try {
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{one: 1}])
    } finally {
      await client.end()
    }
  })

  it('sslmode=require still fails there (TLS is required, no fallback), saying the server has no TLS', async () => {
    const client = createPgClient(settingsFor(`${server.url}?sslmode=require`))
    await expect(client.connect()).rejects.toThrow('The server does not support SSL connections')
  })

  it('an unknown sslmode is an error naming DATABASE_URL and the value, before anything connects', () => {
    // resolveSettings refuses it too; a caller that built settings another way gets it at pool creation.
    expect(() => settingsFor(`${server.url}?sslmode=preferred`)).toThrow(/DATABASE_URL/)
    const settings = {...settingsFor(server.url), databaseUrl: `${server.url}?sslmode=preferred`}
    expect(() => createPgPool(settings)).toThrow(RuntimeError)
    expect(() => createPgPool(settings)).toThrow('DATABASE_URL: sslmode=preferred is not an sslmode libpq knows')
  })

  it('a Unix-socket host (?host=<dir>) connects without TLS even with sslmode=require, and its connections carry the tsq name', async () => {
    const dyno = `web.${uid()}`
    const settings = settingsFor(`postgres://postgres@localhost:${server.port}/postgres?host=${encodeURIComponent(server.socketDir)}&sslmode=require`, dyno)
    const pool = createPgPool(settings)
    try {
      await warmPgPool(pool, settings.dbPool, {retryForMs: 0})
      const {rows} = await pool.query<{addr: string | null}>('SELECT client_addr::text AS addr FROM pg_stat_activity WHERE pid = pg_backend_pid()')
      expect(rows[0]!.addr).toBeNull() // a Unix-socket session has no client address
      const admin = createPgClient(settingsFor(server.url))
      await admin.connect()
      try {
        const {rows: names} = await admin.query<{name: string, n: number}>(
          'SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 GROUP BY 1', [`tsq:${dyno}:%`])
        expect(names).toEqual([{name: `tsq:${dyno}:${process.pid}`, n: 3}])
      } finally {
        await admin.end()
      }
    } finally {
      await pool.end()
    }
  })

  it('sslrootcert is read into the TLS options (verify-full), and a file that cannot be read is an error naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsq-ca-'))
    try {
      writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n')
      const config = pgClientConfig(settingsFor(`postgres://u:p@db.example.org:5432/d?sslmode=verify-full&sslrootcert=${join(dir, 'ca.pem')}`))
      expect(config.ssl).toEqual({rejectUnauthorized: true, ca: '-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n'})
      expect(config.connectionString).not.toContain('sslrootcert')
      expect(() => pgClientConfig(settingsFor(`postgres://u:p@db.example.org:5432/d?sslmode=verify-ca&sslrootcert=${join(dir, 'missing.pem')}`)))
        .toThrow(`DATABASE_URL: sslrootcert=${join(dir, 'missing.pem')} cannot be read`)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
