// The throwaway servers enforce the limits the other integration tests rely on.
import {connect} from 'node:net'
import {Redis} from 'ioredis'
import pg from 'pg'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {startPostgres, startRedis, type PostgresService, type RedisService} from '../../helpers/services.js'

describe('startRedis', () => {
  // One server per test: a client disconnected in one test may still hold a slot on the server in the next.
  let redis: RedisService
  beforeEach(async () => {
    redis = await startRedis({maxclients: 20})
  })
  afterEach(async () => {
    await redis.stop()
  })

  it('accepts 20 clients and answers the 21st with "-ERR max number of clients reached"', async () => {
    const clients = Array.from({length: 20}, () => new Redis(redis.url, {lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null}))
    for (const c of clients) c.on('error', () => {})
    try {
      for (const c of clients) await c.connect()
      const pings = await Promise.all(clients.map(c => c.ping()))
      expect(pings).toEqual(Array(20).fill('PONG'))
      expect(await rawReply(redis.port, 'PING')).toMatch(/^-ERR max number of clients reached/)
    } finally {
      for (const c of clients) c.disconnect()
    }
  })

  it('restart() drops connections and serves again on the same port', async () => {
    const before = redis.pid
    const client = new Redis(redis.url, {lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null})
    client.on('error', () => {})
    await client.connect()
    const closed = new Promise(resolve => client.once('end', resolve))
    await redis.restart()
    await closed
    expect(redis.pid).not.toBe(before)
    const again = new Redis(redis.url, {lazyConnect: true})
    await again.connect()
    expect(await again.ping()).toBe('PONG')
    again.disconnect()
  })
})

describe('startPostgres', () => {
  let postgres: PostgresService
  beforeAll(async () => {
    postgres = await startPostgres({maxConnections: 20})
  })
  afterAll(async () => {
    await postgres.stop()
  })

  it('accepts 20 superuser connections and refuses the 21st with "too many clients"', async () => {
    const clients = Array.from({length: 21}, () => new pg.Client({connectionString: postgres.url}))
    for (const c of clients) c.on('error', () => {})
    try {
      await Promise.all(clients.slice(0, 20).map(c => c.connect()))
      const refused = await clients[20]!.connect().then(() => 'accepted', (e: Error) => e.message)
      expect(refused).toMatch(/too many clients/)
    } finally {
      await Promise.all(clients.map(c => c.end().catch(() => {})))
    }
  })

  it('terminateBackends() ends only the sessions whose application_name matches', async () => {
    const named = new pg.Client({connectionString: postgres.url, application_name: 'victim'})
    const other = new pg.Client({connectionString: postgres.url, application_name: 'bystander'})
    for (const c of [named, other]) c.on('error', () => {})
    await Promise.all([named.connect(), other.connect()])
    try {
      expect(await postgres.terminateBackends({applicationName: 'victim'})).toBe(1)
      await expect(named.query('SELECT 1')).rejects.toThrow()
      expect((await other.query('SELECT 1 AS one')).rows).toEqual([{one: 1}])
    } finally {
      await Promise.all([named.end().catch(() => {}), other.end().catch(() => {})])
    }
  })

  it('restart() drops connections and serves again on the same port', async () => {
    const client = new pg.Client({connectionString: postgres.url})
    client.on('error', () => {})
    await client.connect()
    await postgres.restart()
    await expect(client.query('SELECT 1')).rejects.toThrow()
    const again = new pg.Client({connectionString: postgres.url})
    await again.connect()
    expect((await again.query('SELECT 1 AS one')).rows).toEqual([{one: 1}])
    await again.end()
  })
})

/** The first reply a fresh TCP connection gets to an inline command (raw, as redis-server sent it). */
function rawReply(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${command}\r\n`))
    socket.once('data', data => {
      socket.destroy()
      resolve(data.toString())
    })
    socket.once('error', reject)
  })
}
