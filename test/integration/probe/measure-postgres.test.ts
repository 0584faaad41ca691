// measurePostgres against throwaway Postgres clusters with essential-0's max_connections of 20.
import {createServer, type Server} from 'node:net'
import pg from 'pg'
import {afterEach, describe, expect, it} from 'vitest'
import {measurePostgres, measureRedis} from '../../../src/probe/index.js'
import {startPostgres, startRedis, type PostgresService, type RedisService} from '../../helpers/services.js'

const SENTINEL = 'sentinel-pw-8d2b4a'
const SERVER_LIMIT_SOURCE = 'SHOW max_connections (20) − superuser_reserved_connections (3)'

// A fresh cluster per test: a closed session can linger in pg_stat_activity while the next test measures.
let services: Array<PostgresService | RedisService> = []
let clients: pg.Client[] = []
afterEach(async () => {
  await Promise.all(clients.map(c => c.end().catch(() => {})))
  await Promise.all(services.map(s => s.stop()))
  services = []
  clients = []
})

async function cluster(options: Parameters<typeof startPostgres>[0] = {}): Promise<PostgresService> {
  const s = await startPostgres({maxConnections: 20, ...options})
  services.push(s)
  return s
}

/** Opens one connection per application_name (undefined: none) as the URL's role. */
async function open(url: string, names: Array<string | undefined>): Promise<pg.Client[]> {
  const opened = names.map(application_name => new pg.Client({connectionString: url, application_name}))
  clients.push(...opened)
  for (const c of opened) c.on('error', () => {})
  await Promise.all(opened.map(c => c.connect()))
  return opened
}

/** The same server as another role or database (trust auth). */
function as(url: string, role: string, database = 'postgres'): string {
  const u = new URL(url)
  u.username = role
  u.pathname = `/${database}`
  return u.toString()
}

async function sql(url: string, ...statements: string[]): Promise<void> {
  const [admin] = await open(url, ['test-admin'])
  for (const s of statements) await admin!.query(s)
  await admin!.end()
  clients = clients.filter(c => c !== admin)
}

describe('measurePostgres', () => {
  it('counts every opened client connection but not the probe, grouped by application_name', async () => {
    const s = await cluster()
    await open(s.url, ['tsq:web.1:111', 'tsq:web.1:111', 'tsq:web.1:111', 'tsq:worker.1:222', 'tsq:worker.1:222', undefined, undefined, 'psql'])
    expect(await measurePostgres(s.url)).toEqual({
      connections: 8, limit: 17, limitSource: SERVER_LIMIT_SOURCE,
      attributed: [{dyno: 'web.1', purpose: 'db', count: 3}, {dyno: 'worker.1', purpose: 'db', count: 2}],
      unattributed: 3, error: null, notes: [],
    })
  })

  it('counts client connections to every database of the server: max_connections is server-wide', async () => {
    const s = await cluster()
    await sql(s.url, 'CREATE DATABASE other')
    await open(as(s.url, 'postgres', 'other'), ['tsq:web.2:333', undefined])
    await open(s.url, ['tsq:web.1:111'])
    expect(await measurePostgres(s.url)).toMatchObject({
      connections: 3, limit: 17,
      attributed: [{dyno: 'web.1', purpose: 'db', count: 1}, {dyno: 'web.2', purpose: 'db', count: 1}], unattributed: 1,
    })
  })

  it('takes a tighter role CONNECTION LIMIT as the limit and counts only that role\'s connections', async () => {
    const s = await cluster()
    await sql(s.url, 'CREATE ROLE app LOGIN CONNECTION LIMIT 5')
    await open(as(s.url, 'app'), ['tsq:web.1:111', 'tsq:web.1:111'])
    await open(s.url, [undefined, undefined, undefined])
    const m = await measurePostgres(as(s.url, 'app'))
    expect(m).toMatchObject({
      connections: 2, limit: 5, limitSource: 'CONNECTION LIMIT of role "app"',
      attributed: [{dyno: 'web.1', purpose: 'db', count: 2}], unattributed: 0, error: null,
    })
    expect(m.notes).toEqual([expect.stringMatching(/^only the role "app"'s connections are counted/)])
  })

  it('counts other roles\' sessions that Postgres hides from an unprivileged role, with their application_name', async () => {
    const s = await cluster()
    await sql(s.url, 'CREATE ROLE viewer LOGIN')
    await open(s.url, ['tsq:worker.1:222', 'tsq:worker.1:222', undefined])
    const m = await measurePostgres(as(s.url, 'viewer'))
    expect(m).toMatchObject({
      connections: 3, limit: 17, limitSource: SERVER_LIMIT_SOURCE,
      attributed: [{dyno: 'worker.1', purpose: 'db', count: 2}], unattributed: 1, error: null,
    })
    expect(m.notes).toEqual([expect.stringMatching(/^3 session\(s\) of other roles are counted/)])
  })

  it('reports a server with every slot taken as "too many clients"', async () => {
    const s = await cluster()
    await open(s.url, Array<undefined>(20).fill(undefined))
    const m = await measurePostgres(s.url)
    expect(m).toMatchObject({connections: null, limit: null})
    expect(m.error).toMatch(new RegExp(`^cannot measure Postgres at 127\\.0\\.0\\.1:${s.port}: .*too many clients`))
  })

  it('runs side by side with measureRedis and both measure', async () => {
    const [p, r] = await Promise.all([cluster(), startRedis({maxclients: 20})])
    services.push(r)
    await open(p.url, ['tsq:web.1:111'])
    const [pm, rm] = await Promise.all([measurePostgres(p.url), measureRedis(r.url)])
    expect(pm).toMatchObject({connections: 1, limit: 17, error: null})
    expect(rm).toMatchObject({connections: 0, limit: 20, error: null})
  })
})

describe('measurePostgres failures never carry the password', () => {
  it('names host and port of an unreachable server', async () => {
    const silent: Server = createServer()
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    const {port} = silent.address() as {port: number}
    await new Promise(resolve => silent.close(resolve))
    const m = await measurePostgres(`postgres://app:${SENTINEL}@127.0.0.1:${port}/db`)
    expect(m).toMatchObject({connections: null, limit: null, attributed: [], unattributed: 0})
    expect(m.error).toMatch(new RegExp(`^cannot measure Postgres at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`))
    expect(JSON.stringify(m)).not.toContain(SENTINEL)
  })

  it('reports a wrong password as failed authentication, and measures with the right one without echoing it', async () => {
    const s = await cluster({password: SENTINEL})
    const wrong = new URL(s.url)
    wrong.password = `${SENTINEL}-wrong`
    const refused = await measurePostgres(wrong.toString())
    expect(refused.connections).toBeNull()
    expect(refused.error).toMatch(/password authentication failed for user "postgres"/)
    expect(JSON.stringify(refused)).not.toContain(SENTINEL)
    const measured = await measurePostgres(s.url)
    expect(measured).toMatchObject({connections: 0, limit: 17, error: null})
    expect(JSON.stringify(measured)).not.toContain(SENTINEL)
  })

  it('reports a TLS failure (sslmode=verify-full to a server without TLS) with host and port', async () => {
    const s = await cluster({password: SENTINEL})
    const m = await measurePostgres(`${s.url}?sslmode=verify-full`)
    expect(m.connections).toBeNull()
    expect(m.error).toMatch(new RegExp(`^cannot measure Postgres at 127\\.0\\.0\\.1:${s.port}: .*SSL`))
    expect(JSON.stringify(m)).not.toContain(SENTINEL)
  })

  it('gives up on a server that accepts TCP but never answers, within timeoutMs', async () => {
    const silent: Server = createServer(() => {})
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    const {port} = silent.address() as {port: number}
    try {
      const m = await measurePostgres(`postgres://app:${SENTINEL}@127.0.0.1:${port}/db`, {timeoutMs: 300})
      expect(m.error).toMatch(new RegExp(`^cannot measure Postgres at 127\\.0\\.0\\.1:${port}: `))
      expect(JSON.stringify(m)).not.toContain(SENTINEL)
    } finally {
      silent.close()
    }
  })

  it('rejects a malformed URL without echoing it', async () => {
    const m = await measurePostgres(`postgres://app:${SENTINEL}@127.0.0.1:notaport/db`)
    expect(m.error).toBe('cannot measure Postgres: the URL is not valid')
  })
})
