import {describe, expect, it} from 'vitest'
import {type RedisServerReading, exposureOf} from '../../../../src/core/checks/redis-server.js'
import {CHECK_IDS} from '../../../../src/core/checks/index.js'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {appState, measurement} from './fixtures.js'

const setting = (value: string) => ({ok: true as const, value})
const refused = {ok: false as const, error: 'ERR unknown command \'CONFIG\''}

function reading(over: Partial<RedisServerReading> = {}): RedisServerReading {
  return {target: '127.0.0.1:6379', error: null, save: setting(''), appendonly: setting('no'), bind: setting('127.0.0.1 -::1'),
    protectedMode: setting('yes'), version: '7.0.15', passwordRequired: {ok: true, value: false}, ...over}
}

function checks(r: RedisServerReading | null, options: {local?: boolean, live?: boolean} = {}) {
  const live = options.live ?? true
  const {report} = diagnose(appState(), {local: options.local ?? true, live, measurements: {redis: measurement(), postgres: measurement()}, redisServer: r})
  return Object.fromEntries(report.checks.filter(c => c.id === 'redis.persistence' || c.id === 'redis.auth').map(c => [c.id, c]))
}

describe('redis.persistence and redis.auth', () => {
  it('come after the ids that were there before, in the stable id order', () => {
    expect(CHECK_IDS.slice(CHECK_IDS.indexOf('postgres.live') + 1, CHECK_IDS.indexOf('postgres.live') + 3)).toEqual(['redis.persistence', 'redis.auth'])
  })

  it('run only when the server was read (live or local)', () => {
    expect(checks(null)).toEqual({})
    expect(Object.keys(checks(reading()))).toEqual(['redis.persistence', 'redis.auth'])
  })

  it('judge persistence: either RDB or AOF passes, neither warns with the redis.conf lines locally', () => {
    expect(checks(reading({save: setting('3600 1')}))['redis.persistence']!.status).toBe('ok')
    expect(checks(reading({appendonly: setting('yes')}))['redis.persistence']!.status).toBe('ok')
    const none = checks(reading())['redis.persistence']!
    expect(none.status).toBe('warn')
    expect(none.fix).toMatch(/^in redis\.conf set `appendonly yes`/)
    expect(checks(reading(), {local: false})['redis.persistence']!.fix).not.toContain('redis.conf')
  })

  it('warn, never fail, when CONFIG is refused or the server was not reached', () => {
    const blocked = checks(reading({save: refused, appendonly: refused, bind: refused, protectedMode: refused}))
    expect([blocked['redis.persistence']!.status, blocked['redis.auth']!.status]).toEqual(['warn', 'warn'])
    expect(blocked['redis.persistence']!.message).toContain('CONFIG GET is refused (ERR unknown command \'CONFIG\')')
    const down = checks(reading({error: 'connect ECONNREFUSED 127.0.0.1:6379'}))
    expect([down['redis.persistence']!.status, down['redis.auth']!.status]).toEqual(['warn', 'warn'])
  })

  it('pass auth whenever a password is required, whatever the bind', () => {
    const open = {bind: setting('*'), protectedMode: setting('no')}
    expect(checks(reading({...open, passwordRequired: {ok: true, value: true}}))['redis.auth']!.status).toBe('ok')
    expect(checks(reading({...open, passwordRequired: {ok: true, value: true}, bind: refused}))['redis.auth']!.status).toBe('ok')
  })

  it('fail auth for an open Redis without a password; warn when whether it needs one is unknown', () => {
    const open = {bind: setting('0.0.0.0'), protectedMode: setting('no')}
    const check = checks(reading(open))['redis.auth']!
    expect(check.status).toBe('fail')
    expect(check.fix).toContain('`requirepass <a long random password>`')
    expect(checks(reading({...open, passwordRequired: {ok: false, error: 'ETIMEDOUT'}}))['redis.auth']!.status).toBe('warn')
  })
})

describe('exposureOf', () => {
  it.each([
    ['127.0.0.1 -::1', 'no', '7.0.15', 'loopback'],
    ['127.0.0.2', 'no', '7.0.15', 'loopback'],
    ['* -::*', 'yes', '7.0.15', 'protected'],
    ['* -::*', 'no', '7.0.15', 'open'],
    ['10.0.0.5 127.0.0.1', 'no', '7.2.4', 'open'],
    // Before Redis 7, protected-mode applies only without an explicit bind.
    ['', 'yes', '6.0.16', 'protected'],
    ['0.0.0.0', 'yes', '6.0.16', 'open'],
    ['0.0.0.0', 'yes', null, 'open'],
    ['', 'no', '6.0.16', 'open'],
  ])('bind %j, protected-mode %s, Redis %s: %s', (bind, protectedMode, version, expected) => {
    expect(exposureOf(bind, protectedMode, version)).toBe(expected)
  })
})
