// Scenario builders for the fake Platform API: the situations the issue describes. Every URL and
// secret-looking value holds a SENTINEL string, so a test can assert that none reaches any output.

import type {Scenario, ScenarioAddon, ScenarioApp} from './fake-api-model.js'

export const SENTINELS = {
  apiToken: 'SENTINELapiTOKEN6620',
  pgPassword: 'SENTINELpgPW7731',
  stagingPgPassword: 'SENTINELpgStagePW2290',
  redisPassword: 'SENTINELrdPW4402',
  redisCloudPassword: 'SENTINELrcPW9120',
  redisToGoPassword: 'SENTINELr2gPW5561',
  sessionSecret: 'SENTINELsessionSECRET0042',
} as const

/** Every sentinel, to scan an output for. */
export const SENTINEL_VALUES: readonly string[] = Object.values(SENTINELS)

export const APP = 'example-app'
export const STAGING = 'example-app-staging'
export const REDIS_ADDON = 'redis-curved-12345'
export const PG_ADDON = 'postgresql-curved-12345'

export const URLS = {
  heroku_redis: `rediss://:${SENTINELS.redisPassword}@ec2-3-218-44-10.compute-1.amazonaws.com:24880`,
  postgres: `postgres://u4k2j9xq:${SENTINELS.pgPassword}@ec2-52-7-11-88.compute-1.amazonaws.com:5432/d8f3k2l1m0n9`,
  stagingPostgres: `postgres://u7s1a2b3:${SENTINELS.stagingPgPassword}@ec2-52-7-11-89.compute-1.amazonaws.com:5432/d1s2t3a4g5e6`,
  rediscloud: `redis://default:${SENTINELS.redisCloudPassword}@redis-14012.c12.us-east-1-4.ec2.cloud.redislabs.com:14012`,
  redistogo: `redis://redistogo:${SENTINELS.redisToGoPassword}@soapfish.redistogo.com:10123/`,
} as const

function exampleApp(overrides: Partial<ScenarioApp> = {}): ScenarioApp {
  return {
    name: APP,
    config: {NODE_ENV: 'production', SESSION_SECRET: SENTINELS.sessionSecret},
    formation: [
      {type: 'web', quantity: 2, size: 'Standard-2X', command: 'node dist/web.js'},
      {type: 'worker', quantity: 1, size: 'Standard-1X', command: 'node dist/worker.js'},
    ],
    ...overrides,
  }
}

const herokuRedis = (app = APP): ScenarioAddon =>
  ({name: REDIS_ADDON, service: 'heroku-redis', plan: 'heroku-redis:mini', app, url: URLS.heroku_redis})
const herokuPostgres = (app = APP, plan = 'heroku-postgresql:essential-0'): ScenarioAddon =>
  ({name: PG_ADDON, service: 'heroku-postgresql', plan, app, url: URLS.postgres, connections: {used: 7, limit: 20}})

function scenario(parts: Partial<Scenario> & Pick<Scenario, 'apps'>): Scenario {
  return {token: SENTINELS.apiToken, addons: [], attachments: [], ...parts}
}

/** The app: Heroku Redis mini + Postgres essential-0, web 2 × standard-2x without WEB_CONCURRENCY, a worker. */
export function herokuRedisAndPostgres(): Scenario {
  return scenario({
    apps: [exampleApp()],
    addons: [herokuRedis(), herokuPostgres()],
    attachments: [{app: APP, addon: REDIS_ADDON, name: 'REDIS'}, {app: APP, addon: PG_ADDON, name: 'DATABASE'}],
  })
}

/** Adds the Heroku Postgres (essential-0, Data API limit 20), attached as DATABASE, to `s`; returns `s`. */
export function withPostgres(s: Scenario): Scenario {
  s.addons.push(herokuPostgres())
  s.attachments.push({app: APP, addon: PG_ADDON, name: 'DATABASE'})
  return s
}

/** Redis Cloud only: REDISCLOUD_URL is set, REDIS_URL is not. */
export function redisCloudOnly(): Scenario {
  return scenario({
    apps: [exampleApp()],
    addons: [{name: 'rediscloud-rigid-67890', service: 'rediscloud', plan: 'rediscloud:30', app: APP, url: URLS.rediscloud}],
    attachments: [{app: APP, addon: 'rediscloud-rigid-67890', name: 'REDISCLOUD'}],
  })
}

/**
 * The guide's Rails app (issue 10): Puma + Sidekiq commands, WEB_CONCURRENCY=2 RAILS_MAX_THREADS=5, Redis Cloud
 * only (REDISCLOUD_URL), Postgres essential-0; one web and one worker dyno.
 */
export function railsGuide(): Scenario {
  return scenario({
    apps: [exampleApp({
      config: {RAILS_ENV: 'production', WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5', SECRET_KEY_BASE: SENTINELS.sessionSecret},
      formation: [
        {type: 'web', quantity: 1, size: 'Standard-1X', command: 'bundle exec puma -C config/puma.rb'},
        {type: 'worker', quantity: 1, size: 'Standard-1X', command: 'bundle exec sidekiq -e production -C config/sidekiq.yml'},
      ],
    })],
    addons: [{name: 'rediscloud-rigid-67890', service: 'rediscloud', plan: 'rediscloud:30', app: APP, url: URLS.rediscloud}, herokuPostgres()],
    attachments: [{app: APP, addon: 'rediscloud-rigid-67890', name: 'REDISCLOUD'}, {app: APP, addon: PG_ADDON, name: 'DATABASE'}],
  })
}

/** Redis To Go: REDISTOGO_URL only. */
export function redisToGo(): Scenario {
  return scenario({
    apps: [exampleApp()],
    addons: [{name: 'redistogo-shaped-24680', service: 'redistogo', plan: 'redistogo:nano', app: APP, url: URLS.redistogo}],
    attachments: [{app: APP, addon: 'redistogo-shaped-24680', name: 'REDISTOGO'}],
  })
}

/** The app with its worker type scaled to 0 dynos. */
export function workerScaledToZero(): Scenario {
  const s = herokuRedisAndPostgres()
  s.apps[0]!.formation = [
    {type: 'web', quantity: 2, size: 'Standard-2X', command: 'node dist/web.js'},
    {type: 'worker', quantity: 0, size: 'Standard-1X', command: 'node dist/worker.js'},
  ]
  return s
}

function stagingApp(overrides: Partial<ScenarioApp> = {}): ScenarioApp {
  return {
    name: STAGING,
    config: {NODE_ENV: 'staging', TSQ_CONCURRENCY: '3'},
    formation: [{type: 'web', quantity: 1, size: 'Basic'}, {type: 'worker', quantity: 1, size: 'Basic'}],
    ...overrides,
  }
}

/** The app whose Postgres is also attached to a staging app (which shares its connection limit). */
export function sharedDatabase(): Scenario {
  const s = herokuRedisAndPostgres()
  s.apps.push(stagingApp())
  s.attachments.push({app: STAGING, addon: PG_ADDON, name: 'DATABASE'})
  return s
}

/** As sharedDatabase, but the token has no access to the staging app (403 on its config vars and formation). */
export function forbiddenSharingApp(): Scenario {
  const s = sharedDatabase()
  s.apps[1]!.forbidden = true
  return s
}

/** Postgres billed to another app and attached here: absent from /apps/{app}/addons, present in attachments. */
export function databaseBilledElsewhere(): Scenario {
  const owner = 'example-app-db-owner'
  return scenario({
    apps: [exampleApp(), {name: owner, config: {}, formation: []}],
    addons: [herokuRedis(), herokuPostgres(owner)],
    attachments: [
      {app: APP, addon: REDIS_ADDON, name: 'REDIS'},
      {app: owner, addon: PG_ADDON, name: 'DATABASE'},
      {app: APP, addon: PG_ADDON, name: 'DATABASE'},
    ],
  })
}

/** The app on Postgres and Redis plans the catalogue does not know. */
export function unknownPlans(): Scenario {
  const s = herokuRedisAndPostgres()
  s.addons = [{...herokuRedis(), plan: 'heroku-redis:premium-42'}, herokuPostgres(APP, 'heroku-postgresql:mystery-9')]
  return s
}

/** The app plus `extra` unrelated add-ons, listed `pageSize` per page, so listing takes several pages. */
export function manyAddons(extra = 6, pageSize = 3): Scenario {
  const s = herokuRedisAndPostgres()
  s.pageSize = pageSize
  for (let i = 1; i <= extra; i++) {
    const name = `papertrail-quiet-${1000 + i}`
    s.addons.push({name, service: 'papertrail', plan: 'papertrail:choklad', app: APP, url: `https://papertrailapp.com/systems/${i}`})
    s.attachments.push({app: APP, addon: name, name: i === 1 ? 'PAPERTRAIL' : `PAPERTRAIL_${i}`})
  }
  return s
}
