// measureRedis against throwaway redis-servers with Heroku mini's limit of 20 clients.
import {createServer, type Server} from 'node:net'
import {Redis} from 'ioredis'
import {afterEach, describe, expect, it} from 'vitest'
import {measureRedis} from '../../../src/probe/index.js'
import {startRedis, type RedisService} from '../../helpers/services.js'

const SENTINEL = 'sentinel-pw-5f1c9e'

// A fresh server per test: connections closed by one test may still hold slots while the next one measures.
let servers: RedisService[] = []
let clients: Redis[] = []
afterEach(async () => {
  for (const c of clients) c.disconnect()
  await Promise.all(servers.map(s => s.stop()))
  servers = []
  clients = []
})

async function server(options: Parameters<typeof startRedis>[0] = {}): Promise<RedisService> {
  const s = await startRedis({maxclients: 20, ...options})
  servers.push(s)
  return s
}

/** Opens one connection per name (undefined: no name) and waits until each is ready. */
async function open(url: string, names: Array<string | undefined>): Promise<void> {
  // No ready check: it runs INFO, which some tests disable.
  const opened = names.map(connectionName =>
    new Redis(url, {lazyConnect: true, connectionName, enableReadyCheck: false, retryStrategy: () => null}))
  clients.push(...opened)
  for (const c of opened) c.on('error', () => {})
  await Promise.all(opened.map(c => c.connect()))
}

const APP_NAMES = [
  'tsq:web.1:111:producer', 'tsq:web.2:112:producer',
  'tsq:worker.1:222:producer', 'tsq:worker.1:222:consumer', 'bull:ZGVmYXVsdA==:w:tsq:worker.1:222:blocking',
  undefined, 'redis-cli',
]

describe('measureRedis', () => {
  it('counts every opened connection but not the probe, attributed by dyno and purpose, limit from INFO', async () => {
    const s = await server()
    await open(s.url, APP_NAMES)
    expect(await measureRedis(s.url)).toEqual({
      connections: 7, limit: 20, limitSource: 'INFO clients',
      attributed: [
        {dyno: 'web.1', purpose: 'producer', count: 1},
        {dyno: 'web.2', purpose: 'producer', count: 1},
        {dyno: 'worker.1', purpose: 'blocking', count: 1},
        {dyno: 'worker.1', purpose: 'consumer', count: 1},
        {dyno: 'worker.1', purpose: 'producer', count: 1},
      ],
      unattributed: 2, error: null, notes: [],
    })
  })

  it('measures 0 connections on a server where only the probe is connected', async () => {
    const s = await server()
    expect(await measureRedis(s.url)).toMatchObject({connections: 0, attributed: [], unattributed: 0, error: null})
  })

  it('needs no CONFIG when INFO has maxclients (CONFIG disabled as on Heroku)', async () => {
    const s = await server({renameCommands: {CONFIG: ''}})
    await open(s.url, APP_NAMES.slice(0, 2))
    expect(await measureRedis(s.url)).toMatchObject({connections: 2, limit: 20, limitSource: 'INFO clients', notes: []})
  })

  it('falls back to CONFIG GET maxclients and to CLIENT LIST when INFO is refused', async () => {
    const s = await server({maxclients: 17, renameCommands: {INFO: ''}})
    await open(s.url, APP_NAMES)
    const m = await measureRedis(s.url)
    expect(m).toMatchObject({connections: 7, limit: 17, limitSource: 'CONFIG GET maxclients', unattributed: 2, error: null})
    expect(m.notes).toEqual([expect.stringMatching(/^INFO is unavailable \(ERR unknown command/)])
  })

  it('returns limit null with the reason when neither INFO nor CONFIG can give maxclients', async () => {
    const s = await server({renameCommands: {INFO: '', CONFIG: ''}})
    await open(s.url, APP_NAMES.slice(0, 3))
    const m = await measureRedis(s.url)
    expect(m).toMatchObject({connections: 3, limit: null, error: null})
    expect(m.limitSource).toMatch(/CONFIG GET maxclients is refused \(ERR unknown command.*plan catalogue applies/)
  })

  it('counts connected_clients without the probe and attributes nothing when CLIENT is disabled', async () => {
    const s = await server({renameCommands: {CLIENT: ''}})
    await open(s.url, [undefined, undefined, undefined, undefined])
    const m = await measureRedis(s.url)
    expect(m).toMatchObject({connections: 4, limit: 20, attributed: [], unattributed: 4, error: null})
    expect(m.notes).toEqual([expect.stringMatching(/^CLIENT LIST is unavailable \(ERR unknown command.*cannot be attributed/)])
  })

  it('reports the server as full when all 20 slots are taken', async () => {
    const s = await server()
    await open(s.url, Array<undefined>(20).fill(undefined))
    const m = await measureRedis(s.url)
    expect(m).toMatchObject({connections: null, limit: null})
    // Either the server's greeting arrived, or the reset that discarded it did (see measureRedis).
    expect(m.error).toMatch(new RegExp(`^cannot measure Redis at 127\\.0\\.0\\.1:${s.port}: .*(max number of clients reached|maxclients limit)`))
  })
})

describe('measureRedis failures never carry the password', () => {
  it('names host and port of an unreachable server', async () => {
    const s = await server()
    const port = s.port
    await s.stop()
    servers = []
    const m = await measureRedis(`redis://h:${SENTINEL}@127.0.0.1:${port}`)
    expect(m).toMatchObject({connections: null, limit: null, attributed: [], unattributed: 0})
    expect(m.error).toMatch(new RegExp(`^cannot measure Redis at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`))
    expect(JSON.stringify(m)).not.toContain(SENTINEL)
  })

  it('reports a wrong password as an authentication error', async () => {
    const s = await server({password: 'the-right-one'})
    const m = await measureRedis(`redis://:${SENTINEL}@127.0.0.1:${s.port}`)
    expect(m.connections).toBeNull()
    expect(m.error).toMatch(/WRONGPASS|invalid password/i)
    expect(JSON.stringify(m)).not.toContain(SENTINEL)
  })

  it('reports a missing password as NOAUTH', async () => {
    const s = await server({password: SENTINEL})
    const m = await measureRedis(`redis://127.0.0.1:${s.port}`)
    expect(m.error).toMatch(/NOAUTH/)
  })

  it('measures with the right password and does not echo it', async () => {
    const s = await server({password: SENTINEL})
    await open(s.url, ['tsq:web.1:111:producer'])
    const m = await measureRedis(s.url)
    expect(m).toMatchObject({connections: 1, limit: 20, error: null})
    expect(JSON.stringify(m)).not.toContain(SENTINEL)
  })

  it('gives up on a server that accepts TCP but never answers, within timeoutMs', async () => {
    const silent: Server = createServer(() => {})
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    const {port} = silent.address() as {port: number}
    try {
      const m = await measureRedis(`redis://:${SENTINEL}@127.0.0.1:${port}`, {timeoutMs: 300})
      expect(m.error).toMatch(new RegExp(`^cannot measure Redis at 127\\.0\\.0\\.1:${port}: `))
      expect(JSON.stringify(m)).not.toContain(SENTINEL)
    } finally {
      silent.close()
    }
  })

  it('reports a TLS failure (rediss:// to a server without TLS) with host and port', async () => {
    const s = await server({password: SENTINEL})
    const m = await measureRedis(s.url.replace(/^redis:/, 'rediss:'), {timeoutMs: 500})
    expect(m.connections).toBeNull()
    expect(m.error).toMatch(new RegExp(`^cannot measure Redis at 127\\.0\\.0\\.1:${s.port}: `))
    expect(JSON.stringify(m)).not.toContain(SENTINEL)
  })

  it('rejects a malformed URL without echoing it', async () => {
    const m = await measureRedis(`redis://:${SENTINEL}@127.0.0.1:notaport`)
    expect(m.error).toBe('cannot measure Redis: the URL is not valid')
  })
})
