import {describe, expect, it} from 'vitest'
import {type ProcessPlan, type ResourceSpec, evaluateResource, fitPoolCap, statusOf} from '../../../../src/core/budget/budget.js'

function proc(type: string, role: ProcessPlan['role'], dynos: number, processesPerDyno: number, dbPool: number, redisConnections: number): ProcessPlan {
  const sources = {processesPerDyno: 'test', concurrency: 'test', threads: 'test', dbPool: 'test', redisConnections: 'test'}
  return {type, role, dynos, size: null, processesPerDyno, concurrency: role === 'worker' ? dbPool : null, dbPool, redisConnections, stack: 'tsq', threads: null, sources}
}

function spec(kind: ResourceSpec['kind'], limit: number | null, otherApps: ResourceSpec['otherApps'] = []): ResourceSpec {
  return {kind, addon: 'a', service: 's', plan: 'p', configVar: 'V', limit, limitSource: 'test', reserve: 2, otherApps}
}

describe('statusOf (spec §3)', () => {
  it.each([
    // limit, reserve, demand, status
    [20, 2, 19, 'fail'], [20, 2, 18, 'warn'], [20, 2, 11, 'warn'], [20, 2, 10, 'ok'], [20, 2, 0, 'ok'], [null, 2, 1, 'warn'],
  ] as const)('limit %s reserve %i demand %i is %s', (limit, reserve, demand, status) => {
    expect(statusOf(limit, reserve, demand)).toBe(status)
  })
})

describe('evaluateResource', () => {
  const processes = [proc('web', 'web', 2, 2, 5, 1), proc('worker', 'worker', 1, 1, 5, 3), proc('release', 'none', 0, 1, 0, 0)]

  it('sums dynos × processes × per-process connections for Postgres and Redis', () => {
    expect(evaluateResource(spec('postgres', 20), 'app', processes).demand).toBe(2 * 2 * 5 + 5)
    expect(evaluateResource(spec('redis', 20), 'app', processes).demand).toBe(2 * 2 * 1 + 3)
  })

  it('adds the demand of other apps sharing the add-on and lists them', () => {
    const b = evaluateResource(spec('postgres', 40, [{app: 'staging', demand: 7, error: null}]), 'app', processes)
    expect([b.demand, b.sharedWith, b.status]).toEqual([32, ['staging'], 'warn'])
  })

  it('gives the largest uniform pool and largest dyno counts that still fit with the reserve', () => {
    const b = evaluateResource(spec('postgres', 20), 'app', processes)
    // 5 processes share 18 available connections: a pool of 3 fits (15), 4 does not (20).
    expect(b.largestPool).toBe(3)
    // web: 18 - 5 (worker) = 13 left, 10 per web dyno → 1; worker: 18 - 20 < 0 → 0.
    expect(b.largestDynos).toEqual({web: 1, worker: 0, release: null})
  })

  it('gives no largest pool or dyno count when the limit is unknown', () => {
    const b = evaluateResource(spec('postgres', null), 'app', processes)
    expect([b.status, b.available, b.largestPool, b.largestDynos.web]).toEqual(['warn', null, null, null])
  })
})

describe('fitPoolCap', () => {
  it('returns the largest cap whose total fits the room', () => {
    // 4 web processes wanting 5 and 2 worker processes wanting 10: cap 3 → 12 + 6 = 18.
    expect(fitPoolCap(18, [{processes: 4, want: 5}, {processes: 2, want: 10}])).toBe(3)
    expect(fitPoolCap(40, [{processes: 4, want: 5}, {processes: 2, want: 10}])).toBe(10)
  })

  it('returns null when even a pool of one each does not fit', () => {
    expect(fitPoolCap(5, [{processes: 6, want: 5}])).toBeNull()
  })
})
