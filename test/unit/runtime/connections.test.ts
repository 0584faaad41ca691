// Connections beyond what tsq:doctor counts are refused before anything connects.
import {describe, expect, it} from 'vitest'
import {resolveSettings, RuntimeError, TsqConnections} from '../../../src/runtime/index.js'

const REDIS_URL = 'redis://127.0.0.1:1' // never reached: every case here throws before connecting
const noop = async () => undefined

describe('TsqConnections refuses connections the budget does not count', () => {
  it('a Worker for a queue outside TSQ_QUEUES', () => {
    const connections = new TsqConnections(resolveSettings({DYNO: 'worker.1', REDIS_URL, TSQ_QUEUES: 'a,b'}))
    expect(() => connections.createWorker('c', noop)).toThrow(/TSQ_QUEUES/)
  })

  it('a Worker in a web process', () => {
    const connections = new TsqConnections(resolveSettings({DYNO: 'web.1', REDIS_URL}))
    expect(() => connections.createWorker('default', noop)).toThrow(/role web/)
  })

  it('any connection in a process with role none', () => {
    const connections = new TsqConnections(resolveSettings({DYNO: 'release.1', REDIS_URL}))
    expect(() => connections.createQueue('default')).toThrow(RuntimeError)
    expect(connections.redisConnections).toBe(0)
  })
})
