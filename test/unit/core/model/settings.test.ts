import {describe, expect, it} from 'vitest'
import {SettingsError, findRedisUrl, resolveMany, resolveSettings, typeFromDyno, typeKey} from '../../../../src/core/model/settings.js'

const SENTINEL = 'SENTINELsettingsPW4411'

function problemsOf(env: Record<string, string>, type?: string): Array<{variable: string, value: string, allowed: string}> {
  try {
    resolveSettings(env, type ? {type} : {})
  } catch (error) {
    if (error instanceof SettingsError) return error.problems
    throw error
  }
  return []
}

describe('typeKey', () => {
  it.each([
    ['web', 'WEB'], ['worker', 'WORKER'], ['urgent-worker', 'URGENT_WORKER'], ['mail.v2', 'MAIL_V2'],
  ])('turns process type %s into %s', (type, key) => {
    expect(typeKey(type)).toBe(key)
  })
})

describe('resolveSettings defaults (spec §2)', () => {
  it.each([
    // [type, role, processes, concurrency, dbPool, redisConnections]
    ['web', 'web', 1, null, 5, 1],
    ['worker', 'worker', 1, 5, 5, 3],
    ['urgent-worker', 'worker', 1, 5, 5, 3],
    ['release', 'none', 1, null, 0, 0],
  ] as const)('type %s defaults to role %s, %i process, concurrency %s, pool %i, %i redis connections',
    (type, role, processes, concurrency, dbPool, redis) => {
      const s = resolveSettings({}, {type})
      expect([s.role, s.processesPerDyno, s.concurrency, s.dbPool, s.redisConnections]).toEqual([role, processes, concurrency, dbPool, redis])
      expect([s.queues, s.dbReserve, s.redisReserve, s.shutdownTimeout]).toEqual([['default'], 2, 2, 25_000])
    })

  it.each([
    ['eco', 1], ['basic', 1], ['standard-1x', 1], ['Standard-2X', 2], ['performance-m', 5], ['performance-l', 28],
    ['performance-l-ram', 15], ['unknown-size', 1], [null, 1],
  ] as const)('dyno size %s gives %i processes per dyno when WEB_CONCURRENCY is unset', (size, processes) => {
    expect(resolveSettings({}, {type: 'web', size}).processesPerDyno).toBe(processes)
  })

  it('takes the type from DYNO before TSQ_PROCESS_TYPE and names the dyno after it', () => {
    const s = resolveSettings({DYNO: 'urgent-worker.3', TSQ_PROCESS_TYPE: 'web'})
    expect([s.type, s.dyno, s.role]).toEqual(['urgent-worker', 'urgent-worker.3', 'worker'])
  })

  it('takes the type from TSQ_PROCESS_TYPE locally and names the dyno <type>.local', () => {
    const s = resolveSettings({TSQ_PROCESS_TYPE: 'worker'})
    expect([s.type, s.dyno]).toEqual(['worker', 'worker.local'])
  })
})

describe('resolveSettings precedence', () => {
  it('lets a per-type variable win over the general one', () => {
    const env = {TSQ_CONCURRENCY: '8', TSQ_WORKER_CONCURRENCY: '3', TSQ_DB_POOL: '4', TSQ_WORKER_DB_POOL: '2', WEB_CONCURRENCY: '3', TSQ_WORKER_PROCESSES: '2'}
    const s = resolveSettings(env, {type: 'worker', size: 'performance-l'})
    expect([s.concurrency, s.dbPool, s.processesPerDyno, s.processesSource]).toEqual([3, 2, 2, 'TSQ_WORKER_PROCESSES'])
  })

  it('uses WEB_CONCURRENCY over the dyno size default for every process type', () => {
    const s = resolveSettings({WEB_CONCURRENCY: '3'}, {type: 'worker', size: 'standard-2x'})
    expect([s.processesPerDyno, s.processesSource]).toEqual([3, 'WEB_CONCURRENCY'])
  })

  it('defaults a worker pool to its concurrency and counts one blocking connection per queue', () => {
    const s = resolveSettings({TSQ_WORKER_CONCURRENCY: '12', TSQ_WORKER_QUEUES: 'mail, billing,reports'}, {type: 'worker'})
    expect([s.dbPool, s.queues, s.redisConnections]).toEqual([12, ['mail', 'billing', 'reports'], 5])
  })

  it('lets TSQ_<TYPE>_ROLE make a non-web type serve web or open nothing', () => {
    expect(resolveSettings({TSQ_API_ROLE: 'web'}, {type: 'api'}).redisConnections).toBe(1)
    expect(resolveSettings({TSQ_CLOCK_ROLE: 'none'}, {type: 'clock'}).dbPool).toBe(0)
  })

  it('picks the first Redis variable of the catalogue that is set', () => {
    const env = {REDISTOGO_URL: 'redis://h:p@togo:1', REDISCLOUD_URL: 'redis://h:p@cloud:2'}
    expect(findRedisUrl(env)).toEqual({variable: 'REDISCLOUD_URL', url: 'redis://h:p@cloud:2'})
    expect(resolveSettings({...env, REDIS_URL: 'rediss://h:p@kvs:3'}).redisUrlVar).toBe('REDIS_URL')
  })

  it('returns null URLs when none is set instead of failing', () => {
    const s = resolveSettings({})
    expect([s.redisUrl, s.redisUrlVar, s.databaseUrl]).toEqual([null, null, null])
  })
})

describe('resolveSettings invalid values', () => {
  it.each([
    ['TSQ_CONCURRENCY', 'abc'], ['TSQ_CONCURRENCY', '0'], ['TSQ_CONCURRENCY', '-3'], ['TSQ_CONCURRENCY', '2.5'],
    ['TSQ_WORKER_DB_POOL', '0'], ['WEB_CONCURRENCY', 'many'], ['TSQ_WORKER_PROCESSES', '0'], ['TSQ_DB_RESERVE', '-1'],
    ['TSQ_SHUTDOWN_TIMEOUT', '27001'], ['TSQ_WORKER_ROLE', 'janitor'], ['TSQ_QUEUES', 'a,,b'], ['TSQ_QUEUES', 'bull:x'],
    ['TSQ_QUEUES', 'a,a'],
  ])('rejects %s=%s naming the variable, the value and what is allowed', (variable, value) => {
    const problems = problemsOf({[variable]: value}, 'worker')
    expect(problems).toHaveLength(1)
    expect(problems[0]!.variable).toBe(variable)
    expect(problems[0]!.value).toBe(value)
    expect(problems[0]!.allowed.length).toBeGreaterThan(5)
  })

  it('reports every problem at once in one error message', () => {
    const env = {TSQ_CONCURRENCY: 'abc', TSQ_WORKER_DB_POOL: '0', TSQ_WORKER_ROLE: 'boss'}
    expect(() => resolveSettings(env, {type: 'worker'})).toThrowError(/TSQ_WORKER_ROLE[\s\S]*TSQ_CONCURRENCY[\s\S]*TSQ_WORKER_DB_POOL/)
    expect(problemsOf(env, 'worker').map(p => p.variable).sort()).toEqual(['TSQ_CONCURRENCY', 'TSQ_WORKER_DB_POOL', 'TSQ_WORKER_ROLE'])
  })

  it.each([
    ['REDIS_URL', `http://h:${SENTINEL}@host:6379`],
    ['REDISCLOUD_URL', `redis//h:${SENTINEL}@host:6379`],
    ['DATABASE_URL', `mysql://u:${SENTINEL}@host/db`],
    ['DATABASE_URL', `postgres://u:${SENTINEL}@`],
  ])('rejects a malformed %s without echoing its password', (variable, value) => {
    const env = {[variable]: value}
    const problems = problemsOf(env)
    expect(problems.map(p => p.variable)).toEqual([variable])
    expect(JSON.stringify(problems)).not.toContain(SENTINEL)
    expect(() => resolveSettings(env)).toThrowError(variable)
    try {
      resolveSettings(env)
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(SENTINEL)
    }
  })

  it('names an sslmode libpq does not know in DATABASE_URL, without the password', () => {
    const env = {DATABASE_URL: `postgres://u:${SENTINEL}@db.example.org:5432/d?sslmode=verify_full`}
    const problems = problemsOf(env)
    expect(problems.map(p => p.variable)).toEqual(['DATABASE_URL'])
    expect(problems[0]!.value).toContain('sslmode=verify_full')
    expect(problems[0]!.allowed).toContain('disable, allow, prefer, require, verify-ca, verify-full')
    expect(JSON.stringify(problems)).not.toContain(SENTINEL)
  })

  it.each(['prefer', 'allow', 'no-verify', 'VERIFY-FULL'])('accepts sslmode=%s', mode => {
    expect(problemsOf({DATABASE_URL: `postgres://u:p@db.example.org:5432/d?sslmode=${mode}`})).toEqual([])
  })

  it('accepts a DATABASE_URL whose host is a Unix socket directory in ?host=, as libpq does', () => {
    expect(problemsOf({DATABASE_URL: 'postgres:///app?host=/var/run/postgresql'})).toEqual([])
    expect(resolveSettings({DATABASE_URL: 'postgres:///app?host=/var/run/postgresql'}).databaseUrl).toBe('postgres:///app?host=/var/run/postgresql')
  })

  it('reports a variable shared by several process types once when resolving them together', () => {
    const {problems, settings} = resolveMany({TSQ_CONCURRENCY: 'x'}, [{type: 'worker'}, {type: 'mailer'}])
    expect(problems.map(p => p.variable)).toEqual(['TSQ_CONCURRENCY'])
    expect(settings.map(s => s.concurrency)).toEqual([5, 5])
  })
})

describe('a URL variable that does not parse (issue 16 item 7)', () => {
  const BARE = 'SENTINELbarePW8812'

  it('is named, its value hidden: "REDIS_URL is not a URL (value hidden)"', () => {
    let error: unknown
    try {
      resolveSettings({DYNO: 'web.1', REDIS_URL: BARE, DATABASE_URL: `pg ${BARE}`})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(SettingsError)
    const message = (error as SettingsError).message
    expect(message).toContain('REDIS_URL is not a URL (value hidden)')
    expect(message).toContain('DATABASE_URL is not a URL (value hidden)')
    expect(message).not.toContain(BARE)
    expect(JSON.stringify((error as SettingsError).problems)).not.toContain(BARE)
  })
})

describe('Fir dyno names (issue 16 item 14)', () => {
  it.each([
    ['web-7d9f8c6b5-x2k4q', 'web', 'web'],
    ['urgent-worker-5c8d7f9b4-ab12c', 'urgent-worker', 'worker'],
    ['worker-66b8d9c7f5-9zq2m', 'worker', 'worker'],
    ['web.3', 'web', 'web'],
    ['urgent-worker.2', 'urgent-worker', 'worker'],
    ['run.4242', 'run', 'worker'],
  ])('DYNO=%s resolves to type %s (role %s), as on Cedar', (dyno, type, role) => {
    expect(typeFromDyno(dyno)).toBe(type)
    expect(resolveSettings({DYNO: dyno})).toMatchObject({type, role})
  })
})
