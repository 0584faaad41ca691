// inspectApp against the fake Platform API over real HTTP: the exact AppState for each of the scenarios.

import {describe, expect, test} from 'vitest'

import type {AppState} from '../../../src/core/model/app-state.js'
import {inspectApp, UNKNOWN_SHARING_APP} from '../../../src/platform/index.js'
import {diagnose} from '../../../src/core/checks/doctor.js'
import type {FakeApi, Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, PG_ADDON, REDIS_ADDON, STAGING, URLS} from '../../helpers/scenarios.js'

const api = useFakeApi()

async function inspect(scenario: Scenario, app = APP): Promise<{state: AppState, fake: FakeApi}> {
  const fake = await api.start(scenario)
  const {platform} = await createFakePlatform(fake)
  return {state: await inspectApp(platform, app), fake}
}

const id = (f: FakeApi, addon: string) => f.state.addon(addon).id
const attachmentId = (f: FakeApi, app: string, name: string) =>
  f.state.attachments.find(t => t.appId === f.state.app(app).id && t.name === name)!.id

function redisAddon(f: FakeApi, plan = 'heroku-redis:mini') {
  return {id: id(f, REDIS_ADDON), name: REDIS_ADDON, service: 'heroku-redis', plan, configVars: ['REDIS_URL'], billingApp: APP, state: 'provisioned'}
}
function pgAddon(f: FakeApi, plan = 'heroku-postgresql:essential-0', billingApp = APP) {
  return {id: id(f, PG_ADDON), name: PG_ADDON, service: 'heroku-postgresql', plan, configVars: ['DATABASE_URL'], billingApp, state: 'provisioned'}
}
function attachment(f: FakeApi, addon: string, name: string, app = APP) {
  return {id: attachmentId(f, app, name), name, addonId: id(f, addon), addonName: addon, app, namespace: null, configVars: [`${name}_URL`]}
}
// The formation keeps each type's command, which decides its stack (spec §8).
const WEB_AND_WORKER = [{type: 'web', quantity: 2, size: 'standard-2x', command: 'node dist/web.js'}, {type: 'worker', quantity: 1, size: 'standard-1x', command: 'node dist/worker.js'}]
const BASE_CONFIG = {NODE_ENV: 'production', SESSION_SECRET: scenarios.SENTINELS.sessionSecret}

describe('inspectApp', () => {
  test('Heroku Redis mini + Postgres essential-0: add-ons, attachments, config, lower-cased sizes, Data API limit', async () => {
    const {state, fake: f} = await inspect(scenarios.herokuRedisAndPostgres())
    expect(state).toEqual({
      app: APP,
      generation: 'cedar',
      addons: [redisAddon(f), pgAddon(f)],
      attachments: [attachment(f, REDIS_ADDON, 'REDIS'), attachment(f, PG_ADDON, 'DATABASE')],
      config: {...BASE_CONFIG, REDIS_URL: URLS.heroku_redis, DATABASE_URL: URLS.postgres},
      formation: WEB_AND_WORKER,
      sharing: {[id(f, REDIS_ADDON)]: [], [id(f, PG_ADDON)]: []},
      dataApi: {[id(f, PG_ADDON)]: {used: 7, limit: 20, error: null}},
      redisConfig: {[id(f, REDIS_ADDON)]: {maxmemoryPolicy: 'noeviction', error: null}},
      dynoSizes: expect.objectContaining({origin: 'api', fallback: null}),
    } satisfies AppState)
  })

  test('asks for add-on service/plan expansion and attachment config vars with the 3.sdk variant', async () => {
    const {fake: f} = await inspect(scenarios.herokuRedisAndPostgres())
    const addons = f.requests.find(r => r.path === `/apps/${APP}/addons`)!
    const attachments = f.requests.find(r => r.path === `/apps/${APP}/addon-attachments`)!
    expect([addons.headers.accept, addons.headers['accept-expansion']])
      .toEqual(['application/vnd.heroku+json; version=3.sdk', 'addon_service,plan'])
    expect([attachments.headers.accept, attachments.headers['accept-inclusion']])
      .toEqual(['application/vnd.heroku+json; version=3.sdk', 'addon:plan,config_vars'])
    expect(f.mutations()).toEqual([])
  })

  test('Redis Cloud only: REDISCLOUD attachment, no REDIS_URL, no Data API call', async () => {
    const {state, fake: f} = await inspect(scenarios.redisCloudOnly())
    const addon = 'rediscloud-rigid-67890'
    expect(state.addons).toEqual([{id: id(f, addon), name: addon, service: 'rediscloud', plan: 'rediscloud:30',
      configVars: ['REDISCLOUD_URL'], billingApp: APP, state: 'provisioned'}])
    expect(state.attachments).toEqual([attachment(f, addon, 'REDISCLOUD')])
    expect(state.config).toEqual({...BASE_CONFIG, REDISCLOUD_URL: URLS.rediscloud})
    expect(state.sharing).toEqual({[id(f, addon)]: []})
    expect(state.dataApi).toEqual({})
    expect(f.requests.some(r => r.path.startsWith('/client/'))).toBe(false)
  })

  test('Redis To Go: REDISTOGO attachment and REDISTOGO_URL', async () => {
    const {state, fake: f} = await inspect(scenarios.redisToGo())
    const addon = 'redistogo-shaped-24680'
    expect(state.addons).toEqual([{id: id(f, addon), name: addon, service: 'redistogo', plan: 'redistogo:nano',
      configVars: ['REDISTOGO_URL'], billingApp: APP, state: 'provisioned'}])
    expect(state.config).toEqual({...BASE_CONFIG, REDISTOGO_URL: URLS.redistogo})
  })

  test('a worker type at 0 dynos is reported with quantity 0', async () => {
    const {state} = await inspect(scenarios.workerScaledToZero())
    expect(state.formation).toEqual([{type: 'web', quantity: 2, size: 'standard-2x', command: 'node dist/web.js'}, {type: 'worker', quantity: 0, size: 'standard-1x', command: 'node dist/worker.js'}])
  })

  test('a database attached to a staging app: the staging app config and formation are read', async () => {
    const {state, fake: f} = await inspect(scenarios.sharedDatabase())
    expect(state.sharing).toEqual({
      [id(f, REDIS_ADDON)]: [],
      [id(f, PG_ADDON)]: [{app: STAGING,
        config: {NODE_ENV: 'staging', TSQ_CONCURRENCY: '3', DATABASE_URL: URLS.postgres},
        formation: [{type: 'web', quantity: 1, size: 'basic', command: 'npm run web'}, {type: 'worker', quantity: 1, size: 'basic', command: 'npm run worker'}],
        error: null}],
    })
  })

  test('a staging app with its own pooler attachment of the database: its pooler variable is read, and the doctor counts it as pooler clients', async () => {
    const scenario = scenarios.sharedDatabase()
    scenario.attachments.push({app: STAGING, addon: PG_ADDON, name: 'DATABASE_CONNECTION_POOL', namespace: 'connection-pooling:default'})
    scenario.apps.find(a => a.name === STAGING)!.config = {NODE_ENV: 'staging', TSQ_CONCURRENCY: '3', TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}
    const {state, fake: f} = await inspect(scenario)
    const staging = state.sharing[id(f, PG_ADDON)]![0]!
    expect(staging.poolerVars).toEqual(['DATABASE_CONNECTION_POOL_URL'])
    expect(staging.config!.DATABASE_CONNECTION_POOL_URL).toMatch(/^postgres:/)
    // Only GETs: reading what is attached changes nothing.
    expect(f.mutations()).toEqual([])
    const pg = diagnose(state).report.resources.find(r => r.kind === 'postgres')!
    // staging: web and worker 1 × basic, pools 5 and 3 (TSQ_CONCURRENCY) = 8 clients of the pooler, none directly.
    expect(pg.rows.filter(r => r.app === STAGING).map(r => [r.type, r.via ?? 'direct', r.clients ?? null, r.total]))
      .toEqual([['(all)', 'direct', null, 0], ['(pooled)', 'server-pooler', 8, 0]])
    expect(pg.rows.find(r => r.via === 'pooler')).toMatchObject({clients: 8})
  })

  test('a 403 on the sharing app becomes a SharingApp error instead of a failure', async () => {
    const {state, fake: f} = await inspect(scenarios.forbiddenSharingApp())
    const shared = state.sharing[id(f, PG_ADDON)]
    expect(shared).toHaveLength(1)
    expect(shared![0]).toMatchObject({app: STAGING, config: null, formation: null})
    expect(shared![0]!.error).toContain(`You do not have access to app ${STAGING} (403)`)
    expect(state.formation).toEqual(WEB_AND_WORKER)
  })

  test('a database billed to another app is included from the attachments, with its owner as billing app', async () => {
    const {state, fake: f} = await inspect(scenarios.databaseBilledElsewhere())
    expect(state.addons).toEqual([redisAddon(f), pgAddon(f, 'heroku-postgresql:essential-0', 'example-app-db-owner')])
    expect(state.sharing[id(f, PG_ADDON)]).toEqual([{app: 'example-app-db-owner', config: {DATABASE_URL: URLS.postgres}, formation: [], error: null}])
    expect(state.dataApi[id(f, PG_ADDON)]).toEqual({used: 7, limit: 20, error: null})
  })

  test('plans the catalogue does not know are passed through unchanged', async () => {
    const {state, fake: f} = await inspect(scenarios.unknownPlans())
    expect(state.addons).toEqual([redisAddon(f, 'heroku-redis:premium-42'), pgAddon(f, 'heroku-postgresql:mystery-9')])
  })

  test('more than one page of add-ons and attachments: every page is fetched through Next-Range', async () => {
    const {state, fake: f} = await inspect(scenarios.manyAddons(6, 3))
    expect(state.addons.map(a => a.name)).toEqual([REDIS_ADDON, PG_ADDON, ...[1, 2, 3, 4, 5, 6].map(i => `papertrail-quiet-${1000 + i}`)])
    expect(state.attachments).toHaveLength(8)
    const addonPages = f.requests.filter(r => r.path === `/apps/${APP}/addons`)
    expect(addonPages.map(r => [r.status, r.headers.range ?? null])).toEqual([
      [206, null],
      [206, `id ]${id(f, 'papertrail-quiet-1001')}..; max=3`],
      [200, `id ]${id(f, 'papertrail-quiet-1004')}..; max=3`],
    ])
  })

  test('an app given by id is reported by name, and its own attachments are not counted as sharing', async () => {
    const f0 = await api.start(scenarios.sharedDatabase())
    const {platform} = await createFakePlatform(f0)
    const state = await inspectApp(platform, f0.state.app(APP).id)
    expect(state.app).toBe(APP)
    expect(state.sharing[id(f0, PG_ADDON)]!.map(s => s.app)).toEqual([STAGING])
  })

  test('a Data API failure is recorded for the database and the rest of the state is still returned', async () => {
    const fake = await api.start(scenarios.herokuRedisAndPostgres())
    fake.failNext({path: `/client/v11/databases/${PG_ADDON}`, status: 404, body: {id: 'not_found', message: 'That database was not found.'}})
    const {platform} = await createFakePlatform(fake)
    const state = await inspectApp(platform, APP)
    const limit = state.dataApi[id(fake, PG_ADDON)]!
    expect([limit.used, limit.limit]).toEqual([null, null])
    expect(limit.error).toContain('That database was not found.')
    expect(state.formation).toEqual(WEB_AND_WORKER)
  })

  test('when the apps sharing an add-on cannot be listed, one unknown SharingApp carries the reason', async () => {
    const fake = await api.start(scenarios.herokuRedisAndPostgres())
    fake.failNext({path: `/addons/${id(fake, REDIS_ADDON)}/addon-attachments`, status: 403,
      body: {id: 'forbidden', message: 'You do not have access to this add-on.'}})
    const {platform} = await createFakePlatform(fake)
    const state = await inspectApp(platform, APP)
    const shared = state.sharing[id(fake, REDIS_ADDON)]!
    expect(shared.map(s => [s.app, s.config, s.formation])).toEqual([[UNKNOWN_SHARING_APP, null, null]])
    expect(shared[0]!.error).toContain('You do not have access to this add-on.')
  })
})
