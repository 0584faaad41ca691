import {describe, expect, it} from 'vitest'
import {APP} from '../../../helpers/app-state.js'
import {URL, appState, check, checksOf, kvs, measurement, pg} from './fixtures.js'

describe('redis.tls', () => {
  it.each([
    ['rediss:// on Heroku KVS', [kvs(), pg()], 'ok'],
    ['redis:// on Heroku KVS', [kvs('mini', {url: URL.kvsPlain}), pg()], 'fail'],
    ['redis:// on Redis Cloud', [kvs('30', {service: 'rediscloud', plan: 'rediscloud:30', as: 'REDISCLOUD', url: URL.rediscloud}), pg()], 'ok'],
  ] as const)('%s is %s', (_title, addons, status) => {
    expect(check(appState({addons: [...addons]}), 'redis.tls').status).toBe(status)
  })

  it('fixes plain redis:// on Heroku KVS with a Redis version that serves TLS', () => {
    expect(check(appState({addons: [kvs('mini', {url: URL.kvsPlain}), pg()]}), 'redis.tls').fix)
      .toContain(`heroku redis:upgrade redis-curved-1 --version VERSION -a ${APP} (VERSION 6 or later`)
  })
})

describe('postgres.tls', () => {
  const withUrl = (url: string) => appState({addons: [kvs(), pg('essential-0', {url})]})

  it.each([
    ['no sslmode', URL.postgres, 'ok'],
    ['sslmode=require', `${URL.postgres}?sslmode=require`, 'ok'],
    ['sslmode=disable', `${URL.postgres}?sslmode=disable`, 'fail'],
    ['sslmode=verify-full', `${URL.postgres}?sslmode=verify-full`, 'warn'],
    ['sslmode=prefer', `${URL.postgres}?sslmode=prefer`, 'ok'],
    ['sslmode=allow', `${URL.postgres}?sslmode=allow`, 'warn'],
    ['sslmode=verify_full (unknown)', `${URL.postgres}?sslmode=verify_full`, 'fail'],
  ] as const)('Heroku Postgres with %s is %s', (_title, url, status) => {
    expect(check(withUrl(url), 'postgres.tls').status).toBe(status)
  })

  it('warns, not fails, for sslmode=disable to a remote database that is not Heroku\'s', () => {
    const state = appState({addons: [kvs()], config: {DATABASE_URL: 'postgres://u:p@db.example.org:5432/app?sslmode=disable'}})
    expect(check(state, 'postgres.tls').status).toBe('warn')
  })

  it('is ok for a local database without TLS', () => {
    const state = appState({addons: [], config: {REDIS_URL: URL.localRedis, DATABASE_URL: URL.localPostgres}})
    expect(check(state, 'postgres.tls', {local: true}).message).toContain('local database: no TLS')
  })

  it('names an unknown sslmode and what libpq allows, without the password', () => {
    const c = check(withUrl(`${URL.postgres}?sslmode=bogus`), 'postgres.tls')
    expect(c.message).toContain('sslmode=bogus is not an sslmode libpq knows')
    expect(c.fix).toContain('disable, allow, prefer, require, verify-ca, verify-full')
  })

  it('is ok for a Unix socket, which libpq never uses TLS on', () => {
    const state = appState({addons: [kvs()], config: {DATABASE_URL: 'postgres:///app?host=/var/run/postgresql&sslmode=require'}})
    expect(check(state, 'postgres.tls').message).toContain('Unix socket: no TLS')
  })

  it('says how sslmode=disable is fixed', () => {
    expect(check(withUrl(`${URL.postgres}?sslmode=disable`), 'postgres.tls').fix).toContain('remove sslmode=disable from DATABASE_URL')
  })
})

describe('redis.live / postgres.live', () => {
  // Predicted: Redis 7 (web.1 2, web.2 2, worker.1 3), Postgres 25 at full pools (essential-0 fails; use standard-0).
  const state = appState({addons: [kvs(), pg('standard-0')]})
  const exact = measurement({connections: 7, limit: 20, limitSource: 'INFO clients maxclients', attributed: [
    {dyno: 'web.1', purpose: 'producer', count: 2}, {dyno: 'web.2', purpose: 'producer', count: 2},
    {dyno: 'worker.1', purpose: 'producer', count: 1}, {dyno: 'worker.1', purpose: 'consumer', count: 1},
    {dyno: 'worker.1', purpose: 'blocking:default', count: 1},
  ]})

  it('leaves the live checks out without --live', () => {
    expect(checksOf(state).map(c => c.id)).not.toContain('redis.live')
  })

  it('is ok when the live count matches the prediction, listing it per process type', () => {
    const c = check(state, 'redis.live', {live: true, measurements: {redis: exact}})
    expect(c.status).toBe('ok')
    expect(c.message).toContain('Live: 7 connections (7 tsq-named: web 4, worker 3; 0 unattributed) against 7 predicted')
  })

  it('warns with the reason when the server could not be measured', () => {
    const c = check(state, 'postgres.live', {live: true, measurements: {postgres: measurement({connections: null, limit: null, error: 'cannot measure Postgres at host:5432: ECONNREFUSED'})}})
    expect(c.status).toBe('warn')
    expect(c.message).toContain('ECONNREFUSED')
  })

  it('warns when a resource was not measured at all', () => {
    expect(check(state, 'postgres.live', {live: true, measurements: {}}).status).toBe('warn')
  })

  it('explains one-off dynos, dynos beyond the formation and unattributed clients', () => {
    const m = measurement({connections: 11, limit: 20, attributed: [...exact.attributed, {dyno: 'run.4242', purpose: 'producer', count: 1},
      {dyno: 'worker.2', purpose: 'producer', count: 1}], unattributed: 2})
    const c = check(state, 'redis.live', {live: true, measurements: {redis: m}})
    expect(c.message).toContain('2 carry no tsq name')
    expect(c.message).toContain('run.4242 (one-off dyno)')
    expect(c.message).toContain('worker.2 (beyond 1 worker dynos')
    expect(c.status).toBe('warn')
    expect(c.message).toContain('worker holds 4, more than the 3 predicted')
  })

  it('fails when the server is at its limit now', () => {
    const c = check(state, 'redis.live', {live: true, measurements: {redis: measurement({connections: 20, limit: 20, attributed: exact.attributed, unattributed: 13})}})
    expect(c.status).toBe('fail')
    expect(c.message).toContain('Redis is full now: 20 of 20')
  })

  it('warns when clients outside tsq take more than the reserve, and the fix raises the reserve', () => {
    const c = check(state, 'postgres.live', {live: true, measurements: {postgres: measurement({connections: 9, limit: 120, unattributed: 5,
      attributed: [{dyno: 'web.1', purpose: '', count: 4}]})}})
    expect(c.status).toBe('warn')
    expect(c.fix).toBe(`heroku config:set TSQ_DB_RESERVE=5 -a ${APP} so the budget keeps room for them`)
  })

  it('notes process types with no live connection at all', () => {
    const m = measurement({connections: 4, limit: 20, attributed: exact.attributed.filter(a => a.dyno.startsWith('web'))})
    expect(check(state, 'redis.live', {live: true, measurements: {redis: m}}).message).toContain('none from worker')
  })

  it('uses a live limit lower than the plan\'s as the budget limit', () => {
    const c = check(state, 'redis.connections', {live: true, measurements: {redis: measurement({connections: 0, limit: 8, limitSource: 'CONFIG GET maxclients'})}})
    // 7 > 8 − 2.
    expect(c.status).toBe('fail')
    expect(c.message).toContain('live server (CONFIG GET maxclients)')
  })
})
