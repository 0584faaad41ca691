// The cluster primary replaces a child that dies, and keeps processesPerDyno processes serving.
import {createServer} from 'node:net'
import {describe, expect, it} from 'vitest'
import {dynoEnv, pidOf, redisNames, uid, until, useRuntimeFixtures} from './harness.js'

const suite = useRuntimeFixtures()

function freePort(): Promise<number> {
  return new Promise(resolve => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('cluster primary', () => {
  it('a child killed with SIGKILL is replaced by a new process that serves HTTP and holds its own producer connection', async () => {
    const id = uid()
    const dyno = `web.${id}`
    const port = await freePort()
    suite.queues.push(`${id}-q`)
    const app = suite.start(dynoEnv({DYNO: dyno, WEB_CONCURRENCY: '2', PORT: String(port), TSQ_QUEUES: `${id}-q`}))
    const [victim, survivor] = (await app.waitFor(/ ready /, 2)).map(pidOf) as [number, number]

    process.kill(victim, 'SIGKILL')
    await app.waitFor(/process exited unexpectedly; restarting/)
    const replacement = pidOf((await app.waitFor(/ ready /, 3))[2]!)

    expect(replacement).not.toBe(victim)
    expect(alive(victim)).toBe(false)
    expect(alive(survivor)).toBe(true)
    expect(alive(app.pid)).toBe(true)
    // Redis drops the dead child's connection with its socket; the dyno again holds one producer per process.
    await until(async () => (await redisNames(suite.redis, dyno)).length === 2, 5000, 'the dead child\'s connection to go')
    expect(await redisNames(suite.redis, dyno)).toEqual([survivor, replacement].map(pid => `tsq:${dyno}:${pid}:producer`).sort())
    const served = new Set<number>()
    for (let i = 0; i < 20 && served.size < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/health`, {headers: {connection: 'close'}})
      served.add(((await res.json()) as {pid: number}).pid)
    }
    expect(served).toEqual(new Set([survivor, replacement]))

    app.child.kill('SIGTERM')
    expect(await app.exited).toEqual({code: 0, signal: null})
  })
})
