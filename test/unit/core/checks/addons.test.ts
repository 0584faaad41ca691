import {describe, expect, it} from 'vitest'
import {diagnose} from '../../../../src/core/checks/doctor.js'
import {APP} from '../../../helpers/app-state.js'
import {SECRET, URL, appState, check, checksOf, kvs, pg} from './fixtures.js'

describe('settings check', () => {
  it('is ok when every TSQ_* value is valid', () => {
    expect(check(appState({config: {TSQ_CONCURRENCY: '8'}}), 'settings').status).toBe('ok')
  })

  it('fails naming every invalid variable with its value, and the fix unsets them', () => {
    const c = check(appState({config: {TSQ_CONCURRENCY: 'abc', TSQ_WORKER_DB_POOL: '0'}}), 'settings')
    expect(c.status).toBe('fail')
    expect(c.message).toContain('TSQ_CONCURRENCY="abc"')
    expect(c.message).toContain('TSQ_WORKER_DB_POOL="0"')
    expect(c.fix).toContain(`heroku config:unset TSQ_CONCURRENCY TSQ_WORKER_DB_POOL -a ${APP}`)
  })

  it('fails on a malformed Redis URL without echoing its password', () => {
    const c = check(appState({addons: [pg('standard-0')], config: {REDIS_URL: `not a url ${SECRET}@host`}}), 'settings')
    expect(c.status).toBe('fail')
    expect(c.message).toContain('REDIS_URL is not a URL (value hidden)')
    expect(JSON.stringify(c)).not.toContain(SECRET)
  })

  it('warns that the process count is assumed for a dyno size tsq does not know (mystery-9x), naming the size and the variable that settles it', () => {
    const formation = [{type: 'web', quantity: 2, size: 'mystery-9x'}, {type: 'worker', quantity: 1, size: 'standard-1x'}]
    const {report} = diagnose(appState({formation}))
    const c = report.checks.find(x => x.id === 'settings')!
    expect(c.status).toBe('warn')
    expect(c.message).toContain('mystery-9x is not a dyno size tsq knows, so 1 process per web dyno is assumed (set WEB_CONCURRENCY or TSQ_WEB_PROCESSES)')
    const web = report.processes.find(p => p.type === 'web')!
    expect(web.processesPerDyno).toBe(1)
    expect(web.sources.processesPerDyno).toContain('not a size tsq knows')
    // Known sizes, and an unknown size whose count is set, assume nothing.
    expect(check(appState({formation: [{type: 'web', quantity: 2, size: 'standard-2x'}]}), 'settings').status).toBe('ok')
    expect(check(appState({formation, config: {WEB_CONCURRENCY: '3'}}), 'settings').status).toBe('ok')
    expect(check(appState({formation: [{type: 'web', quantity: 1, size: 'dyno-2c-4gb'}]}), 'settings').status).toBe('ok')
  })

  it('phrases the fix for .env with --local', () => {
    const c = check(appState({addons: [], config: {TSQ_ROLE: 'x', TSQ_WEB_ROLE: 'bogus'}}), 'settings', {local: true})
    expect(c.fix).toContain('.env')
    expect(c.fix).not.toContain('heroku')
  })
})

describe('redis.addon check', () => {
  it.each([
    ['Heroku KVS attached as REDIS', {addons: [kvs(), pg()]}, 'ok'],
    ['a Redis add-on still provisioning', {addons: [kvs('mini', {state: 'provisioning'}), pg()]}, 'warn'],
    ['REDIS_URL set by hand, no add-on', {addons: [pg()], config: {REDIS_URL: URL.kvs}}, 'warn'],
    ['REDIS_URL set by hand beside a Redis Cloud add-on', {addons: [pg(), kvs('30', {service: 'rediscloud', plan: 'rediscloud:30', as: 'REDISCLOUD', url: URL.rediscloud})],
      config: {REDIS_URL: URL.kvs}}, 'warn'],
    ['no Redis at all', {addons: [pg()]}, 'fail'],
  ] as const)('with %s is %s', (_title, spec, status) => {
    expect(check(appState(spec), 'redis.addon').status).toBe(status)
  })

  it('names the add-on and its plan when ok', () => {
    expect(check(appState(), 'redis.addon').message).toContain('redis-curved-1 (Heroku Key-Value Store, plan heroku-redis:mini)')
  })

  it('fixes a missing Redis by provisioning one, then tsq:setup', () => {
    expect(check(appState({addons: [pg()]}), 'redis.addon').fix).toBe(`heroku addons:create heroku-redis:mini -a ${APP}, then heroku tsq:setup -a ${APP}`)
  })

  it('fixes a hand-set REDIS_URL by unsetting it and attaching the add-on', () => {
    const c = check(appState({addons: [kvs('30', {service: 'rediscloud', plan: 'rediscloud:30', as: 'REDISCLOUD', url: URL.rediscloud})],
      config: {REDIS_URL: URL.kvs}}), 'redis.addon')
    expect(c.fix).toBe(`heroku config:unset REDIS_URL -a ${APP}, then heroku tsq:setup -a ${APP}`)
  })

  it('is ok locally, naming where Redis is without its password', () => {
    const c = check(appState({addons: [], config: {REDIS_URL: `redis://:${SECRET}@127.0.0.1:6379`}}), 'redis.addon', {local: true})
    expect(c.status).toBe('ok')
    expect(c.message).toContain('127.0.0.1:6379')
    expect(c.message).not.toContain(SECRET)
  })
})

describe('redis.url check', () => {
  const cloud = kvs('30', {name: 'rediscloud-rigid-1', service: 'rediscloud', plan: 'rediscloud:30', as: 'REDISCLOUD', url: URL.rediscloud})

  it('is ok when REDIS_URL comes from the add-on', () => {
    expect(check(appState(), 'redis.url')).toMatchObject({status: 'ok', fix: null})
  })

  it('warns when only REDISCLOUD_URL is set, and the fix is tsq:setup attaching the add-on as REDIS', () => {
    const c = check(appState({addons: [cloud, pg()]}), 'redis.url')
    expect(c.status).toBe('warn')
    expect(c.message).toContain('REDISCLOUD_URL')
    expect(c.fix).toContain(`heroku tsq:setup -a ${APP} (attaches rediscloud-rigid-1 as REDIS`)
  })

  it('fails when the Redis add-on is attached under a name the runtime does not read, naming its variable', () => {
    const c = check(appState({addons: [kvs('mini', {as: 'CACHE'}), pg()]}), 'redis.url')
    expect(c.status).toBe('fail')
    expect(c.message).toContain('CACHE_URL')
    expect(c.fix).toContain(`heroku tsq:setup -a ${APP}`)
  })

  it('fails when REDIS_URL is malformed', () => {
    expect(check(appState({addons: [pg()], config: {REDIS_URL: 'http://example.com'}}), 'redis.url').status).toBe('fail')
  })

  it('fails when there is no Redis URL and no add-on', () => {
    expect(check(appState({addons: [pg()]}), 'redis.url').status).toBe('fail')
  })
})

describe('postgres.addon check', () => {
  it.each([
    ['Heroku Postgres attached as DATABASE', {addons: [kvs(), pg()]}, 'ok'],
    ['a database billed to another app', {addons: [kvs(), pg('essential-0', {billingApp: 'db-owner'})]}, 'ok'],
    ['no database at all', {addons: [kvs()]}, 'warn'],
    ['DATABASE_URL set by hand, no add-on', {addons: [kvs()], config: {DATABASE_URL: URL.postgres}}, 'warn'],
    ['a database attached only as HEROKU_POSTGRESQL_RED', {addons: [kvs(), pg('essential-0', {as: 'HEROKU_POSTGRESQL_RED'})]}, 'fail'],
  ] as const)('with %s is %s', (_title, spec, status) => {
    expect(check(appState(spec), 'postgres.addon').status).toBe(status)
  })

  it('fixes a database without DATABASE_URL with pg:promote', () => {
    expect(check(appState({addons: [kvs(), pg('essential-0', {as: 'HEROKU_POSTGRESQL_RED'})]}), 'postgres.addon').fix)
      .toBe(`heroku pg:promote postgresql-curved-2 -a ${APP}`)
  })

  it('says which app a shared database is billed to', () => {
    expect(check(appState({addons: [kvs(), pg('essential-0', {billingApp: 'db-owner'})]}), 'postgres.addon').message).toContain('billed to db-owner')
  })
})

describe('checks that need a resource', () => {
  it('leaves out the Postgres budget, pool and TLS checks when there is no database', () => {
    const ids = checksOf(appState({addons: [kvs()]})).map(c => c.id)
    expect(ids).not.toContain('postgres.connections')
    expect(ids).not.toContain('postgres.pool')
    expect(ids).not.toContain('postgres.tls')
    expect(ids).toContain('postgres.addon')
  })
})
