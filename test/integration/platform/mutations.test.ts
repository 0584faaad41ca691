// The mutating calls against the fake: exact request bodies, confirmation, validation before sending.

import {describe, expect, test} from 'vitest'

import {
  attachAddon, getConfigVars, getLatestReleaseVersion, isPlatformError, patchConfigVars, patchFormation,
  promoteRedis,
} from '../../../src/platform/index.js'
import type {Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, REDIS_ADDON, URLS} from '../../helpers/scenarios.js'

const api = useFakeApi()

async function setup(scenario: Scenario) {
  const fake = await api.start(scenario)
  const {platform} = await createFakePlatform(fake)
  return {fake, platform}
}

const RC = 'rediscloud-rigid-67890'

describe('attachAddon', () => {
  test('a free name: one POST in the CLI form, 201, and the app gains REDIS_URL', async () => {
    const {fake: f, platform} = await setup(scenarios.redisCloudOnly())
    const result = await attachAddon(platform, {app: APP, addon: RC, name: 'REDIS'})
    expect(f.mutations().map(r => [r.method, r.path, r.body, r.status])).toEqual([
      ['POST', '/addon-attachments', {addon: {name: RC}, app: {name: APP}, name: 'REDIS'}, 201],
    ])
    expect(result).toMatchObject({confirmed: false, attachment: {name: 'REDIS', addonName: RC, app: APP, configVars: ['REDIS_URL']}})
    expect(await getConfigVars(platform, APP)).toMatchObject({REDIS_URL: URLS.rediscloud, REDISCLOUD_URL: URLS.rediscloud})
  })

  test('confirmation_required: sent again with confirm = app, which replaces the attachment', async () => {
    const s = scenarios.redisCloudOnly()
    s.addons.push({name: 'redis-old-11111', service: 'heroku-redis', plan: 'heroku-redis:mini', app: APP, url: URLS.heroku_redis})
    s.attachments.push({app: APP, addon: 'redis-old-11111', name: 'REDIS'})
    const {fake: f, platform} = await setup(s)
    const result = await attachAddon(platform, {app: APP, addon: RC, name: 'REDIS'})
    expect(f.mutations().map(r => [r.body, r.status])).toEqual([
      [{addon: {name: RC}, app: {name: APP}, name: 'REDIS'}, 400],
      [{addon: {name: RC}, app: {name: APP}, name: 'REDIS', confirm: APP}, 201],
    ])
    expect(result.confirmed).toBe(true)
    expect((await getConfigVars(platform, APP)).REDIS_URL).toBe(URLS.rediscloud)
  })

  test('confirm: false: the confirmation error is thrown and the existing REDIS is kept', async () => {
    const s = scenarios.redisCloudOnly()
    s.addons.push({name: 'redis-old-11111', service: 'heroku-redis', plan: 'heroku-redis:mini', app: APP, url: URLS.heroku_redis})
    s.attachments.push({app: APP, addon: 'redis-old-11111', name: 'REDIS'})
    const {fake: f, platform} = await setup(s)
    const error = await attachAddon(platform, {app: APP, addon: RC, name: 'REDIS', confirm: false}).catch((e: unknown) => e)
    expect(isPlatformError(error) && [error.kind, error.id]).toEqual(['confirmation_required', 'confirmation_required'])
    expect(f.mutations()).toHaveLength(1)
    expect((await getConfigVars(platform, APP)).REDIS_URL).toBe(URLS.heroku_redis)
  })

  test('a 429 on the attach is retried (Heroku did not process it)', async () => {
    const {fake: f, platform} = await setup(scenarios.redisCloudOnly())
    f.failNext({method: 'POST', path: '/addon-attachments', status: 429})
    await attachAddon(platform, {app: APP, addon: RC, name: 'REDIS'})
    expect(f.mutations().map(r => r.status)).toEqual([429, 201])
  })
})

describe('promotion to REDIS', () => {
  // Which steps a promotion needs is setup's pure planner's decision (src/core/plans/setup/redis.ts); this runs them.
  test('promoteRedis re-attaches the old owner under its default name, then the new add-on as REDIS, each confirmed', async () => {
    const s = scenarios.herokuRedisAndPostgres()
    s.addons.push({name: RC, service: 'rediscloud', plan: 'rediscloud:30', app: APP, url: URLS.rediscloud})
    s.attachments.push({app: APP, addon: RC, name: 'REDISCLOUD'})
    const {fake: f, platform} = await setup(s)
    await promoteRedis(platform, APP, [{addon: REDIS_ADDON}, {addon: RC, name: 'REDIS'}])
    expect(f.mutations().map(r => r.body)).toEqual([
      {addon: {name: REDIS_ADDON}, app: {name: APP}, confirm: APP},
      {addon: {name: RC}, app: {name: APP}, confirm: APP, name: 'REDIS'},
    ])
    const config = await getConfigVars(platform, APP)
    expect([config.REDIS_URL, config.HEROKU_REDIS_AQUA_URL]).toEqual([URLS.rediscloud, URLS.heroku_redis])
  })

})

describe('config vars', () => {
  test('one PATCH with the values and nulls as given; returns the config afterwards', async () => {
    const {fake: f, platform} = await setup(scenarios.herokuRedisAndPostgres())
    const config = await patchConfigVars(platform, APP, {TSQ_DB_POOL: '4', NODE_ENV: null})
    expect(f.mutations().map(r => [r.method, r.path, r.body])).toEqual([['PATCH', `/apps/${APP}/config-vars`, {TSQ_DB_POOL: '4', NODE_ENV: null}]])
    expect(config.TSQ_DB_POOL).toBe('4')
    expect('NODE_ENV' in config).toBe(false)
    expect(await getLatestReleaseVersion(platform, APP)).toBe(2)
  })

  test('an invalid name is refused before any request', async () => {
    const {fake: f, platform} = await setup(scenarios.herokuRedisAndPostgres())
    await expect(patchConfigVars(platform, APP, {'TSQ-POOL': '4'})).rejects.toThrow('Invalid config var name(s) "TSQ-POOL"')
    expect(f.mutations()).toEqual([])
  })

  test('overwriting an add-on var: Heroku\'s refusal is passed through', async () => {
    const {platform} = await setup(scenarios.herokuRedisAndPostgres())
    await expect(patchConfigVars(platform, APP, {REDIS_URL: 'redis://localhost'})).rejects.toThrow('Cannot overwrite attachment values REDIS_URL.')
  })
})

describe('formation', () => {
  test('one PATCH batch in the schema form: integer quantity and dyno_size name', async () => {
    const {fake: f, platform} = await setup(scenarios.herokuRedisAndPostgres())
    const result = await patchFormation(platform, APP, [{type: 'web', quantity: 1}, {type: 'worker', quantity: 3, size: 'standard-2x'}])
    expect(f.mutations().map(r => [r.method, r.path, r.body])).toEqual([['PATCH', `/apps/${APP}/formation`,
      {updates: [{type: 'web', quantity: 1}, {type: 'worker', quantity: 3, dyno_size: {name: 'standard-2x'}}]}]])
    expect(result).toEqual([{type: 'web', quantity: 1, size: 'standard-2x', command: 'node dist/web.js'}, {type: 'worker', quantity: 3, size: 'standard-2x', command: 'node dist/worker.js'}])
  })

  test('a negative or fractional count is refused before any request', async () => {
    const {fake: f, platform} = await setup(scenarios.herokuRedisAndPostgres())
    await expect(patchFormation(platform, APP, [{type: 'web', quantity: 1.5}])).rejects.toThrow('Invalid dyno count for web=1.5')
    expect(f.mutations()).toEqual([])
  })

  test('an unknown process type: Heroku\'s 404 names it and nothing changes', async () => {
    const {fake: f, platform} = await setup(scenarios.herokuRedisAndPostgres())
    const error = await patchFormation(platform, APP, [{type: 'web', quantity: 5}, {type: 'clock', quantity: 1}]).catch((e: unknown) => e)
    expect(isPlatformError(error) && error.message).toContain("Couldn't find that process type (clock).")
    expect(f.state.app(APP).formation.map(p => p.quantity)).toEqual([2, 1])
  })
})
