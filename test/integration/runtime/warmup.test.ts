// The boot warm-up against a Postgres at its limit: during a deploy the old dynos still hold their
// connections for up to 30 s, so a new process retries what the server refuses instead of crashing.
import pg from 'pg'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {createPgPool, warmPgPool} from '../../../src/runtime/postgres.js'
import {startPostgres} from '../../helpers/services.js'

const PASSWORD = 'SENTINELwarmupPW5150'
let server: Awaited<ReturnType<typeof startPostgres>>

beforeAll(async () => {
  server = await startPostgres({maxConnections: 20, password: PASSWORD})
})
afterAll(async () => {
  await server?.stop()
})

const held: pg.Client[] = []
afterEach(async () => {
  await Promise.all(held.splice(0).map(c => c.end().catch(() => undefined)))
})

/** Takes every slot the server will give (as old dynos would), then frees `keep` of them for the new process. */
async function occupyAllBut(keep: number): Promise<pg.Client[]> {
  const clients: pg.Client[] = []
  for (;;) {
    const c = new pg.Client({connectionString: server.url, application_name: 'old-dyno'})
    c.on('error', () => undefined)
    try {
      await c.connect()
    } catch {
      break
    }
    clients.push(c)
  }
  await Promise.all(clients.splice(0, keep).map(c => c.end()))
  held.push(...clients)
  return clients
}

describe('warmPgPool at the connection limit', () => {
  it('retries the refused connections and fills the pool once old connections close', async () => {
    const old = await occupyAllBut(2) // 2 of the 5 this pool wants are free
    const pool = createPgPool({dyno: 'web.9', databaseUrl: server.url, dbPool: 5})
    const retries: Array<[number, number]> = []
    const warming = warmPgPool(pool, undefined, {retryForMs: 20_000, retryEveryMs: 100, onRetry: (held, size) => retries.push([held, size])})
    // Old dynos exit a moment later.
    await new Promise(resolve => setTimeout(resolve, 600))
    await Promise.all(old.splice(0, 3).map(c => c.end()))
    await warming
    expect(retries.length).toBeGreaterThan(0)
    expect(retries[0]).toEqual([2, 5])
    expect(pool.totalCount).toBe(5)
    await pool.end()
  })

  it('gives up after retryForMs with an error naming how many were refused and no password', async () => {
    await occupyAllBut(1)
    const pool = createPgPool({dyno: 'web.9', databaseUrl: server.url, dbPool: 3})
    const error = await warmPgPool(pool, undefined, {retryForMs: 300, retryEveryMs: 100}).catch((e: unknown) => e as Error & {code?: string})
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({code: 'TSQ_PG_WARMUP'})
    expect(String(error)).toMatch(/refused 2 of the 3 connections/)
    expect(String(error)).not.toContain(PASSWORD)
    expect(pool.totalCount).toBe(1)
    await pool.end()
  })

  it('stops retrying at once when the process starts shutting down', async () => {
    await occupyAllBut(0)
    const pool = createPgPool({dyno: 'web.9', databaseUrl: server.url, dbPool: 2})
    const controller = new AbortController()
    const warming = warmPgPool(pool, undefined, {retryForMs: 60_000, retryEveryMs: 100, signal: controller.signal})
    setTimeout(() => controller.abort(), 300)
    await expect(warming).rejects.toMatchObject({code: 'TSQ_PG_WARMUP'})
    await pool.end()
  })
})
