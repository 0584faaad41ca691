import {describe, expect, it} from 'vitest'
import {measurementFromRedis, type RedisReadings} from '../../../src/probe/redis-readings.js'

const PROBE = 'tsq:doctor:999:probe'
const list = (...clients: Array<[number, string]>): string => clients.map(([id, name]) => `id=${id} addr=x name=${name} age=1`).join('\n')
const INFO_62 = '# Clients\r\nconnected_clients:4\r\nmaxclients:20\r\nblocked_clients:1\r\n'
// Redis 6.0 has no maxclients in INFO clients.
const INFO_60 = '# Clients\r\nconnected_clients:4\r\nblocked_clients:1\r\n'
const UNKNOWN_CONFIG = "ERR unknown command 'CONFIG', with args beginning with: 'GET' 'maxclients'"
const UNKNOWN_CLIENT = "ERR unknown command 'CLIENT', with args beginning with: 'LIST'"

function readings(overrides: Partial<RedisReadings>): RedisReadings {
  return {
    probeId: {ok: true, value: 9},
    info: {ok: true, value: INFO_62},
    clientList: {ok: true, value: list([5, 'tsq:web.1:1:producer'], [9, PROBE], [6, 'bull:ZGVm:w:tsq:worker.1:2:blocking'], [7, ''])},
    configMaxclients: null,
    probeName: PROBE,
    ...overrides,
  }
}

describe('measurementFromRedis', () => {
  it('counts CLIENT LIST without the probe (found by CLIENT ID) and takes maxclients from INFO', () => {
    expect(measurementFromRedis(readings({}))).toEqual({
      connections: 3, limit: 20, limitSource: 'INFO clients',
      attributed: [{dyno: 'web.1', purpose: 'producer', count: 1}, {dyno: 'worker.1', purpose: 'blocking', count: 1}],
      unattributed: 1, error: null, notes: [],
    })
  })

  it('finds the probe by its name when CLIENT ID failed', () => {
    const m = measurementFromRedis(readings({probeId: {ok: false, error: 'NOPERM'}}))
    expect(m).toMatchObject({connections: 3, unattributed: 1})
  })

  it('takes the limit from CONFIG GET maxclients when INFO has none (Redis < 6.2)', () => {
    const m = measurementFromRedis(readings({info: {ok: true, value: INFO_60}, configMaxclients: {ok: true, value: '10000'}}))
    expect(m).toMatchObject({limit: 10000, limitSource: 'CONFIG GET maxclients', notes: []})
  })

  it('returns limit null and says why when INFO has no maxclients and CONFIG is refused', () => {
    const m = measurementFromRedis(readings({info: {ok: true, value: INFO_60}, configMaxclients: {ok: false, error: UNKNOWN_CONFIG}}))
    expect(m.limit).toBeNull()
    expect(m.limitSource).toBe('not readable: INFO clients has no maxclients (Redis < 6.2) and CONFIG GET maxclients ' +
      `is refused (${UNKNOWN_CONFIG}); the plan catalogue applies`)
    expect(m.notes).toEqual([m.limitSource])
    expect(m.connections).toBe(3)
  })

  it('uses connected_clients minus the probe, unattributed, when CLIENT is refused', () => {
    const m = measurementFromRedis(readings({probeId: {ok: false, error: UNKNOWN_CLIENT}, clientList: {ok: false, error: UNKNOWN_CLIENT}}))
    expect(m).toMatchObject({connections: 3, limit: 20, attributed: [], unattributed: 3})
    expect(m.notes).toEqual([`CLIENT LIST is unavailable (${UNKNOWN_CLIENT}): connections are INFO's connected_clients ` +
      'without this probe and cannot be attributed to dynos'])
  })

  it('counts from CLIENT LIST and notes it when INFO is refused', () => {
    const m = measurementFromRedis(readings({info: {ok: false, error: "ERR unknown command 'INFO'"}, configMaxclients: {ok: true, value: '30'}}))
    expect(m).toMatchObject({connections: 3, limit: 30, limitSource: 'CONFIG GET maxclients'})
    expect(m.notes[0]).toBe("INFO is unavailable (ERR unknown command 'INFO'): connections are counted from CLIENT LIST")
  })

  it('throws with INFO\'s error when neither INFO nor CLIENT LIST answered', () => {
    expect(() => measurementFromRedis(readings({info: {ok: false, error: 'NOPERM info'}, clientList: {ok: false, error: 'NOPERM client'}})))
      .toThrow('NOPERM info')
  })
})
