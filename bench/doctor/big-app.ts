// The benchmark's large app: 50 add-ons (Heroku Redis, Heroku Postgres and 48 others), 20 process types,
// and the database attached to 10 other apps, each with its own formation and config.
import type {Scenario, ScenarioProcess} from '../../test/helpers/fake-api.js'
import {APP, PG_ADDON, REDIS_ADDON, SENTINELS, URLS} from '../../test/helpers/scenarios.js'

export const BIG = {addons: 50, processTypes: 20, sharingApps: 10}

export function bigAppScenario(): Scenario {
  const formation: ScenarioProcess[] = [{type: 'web', quantity: 4, size: 'Standard-2X'}]
  for (let i = 1; i < BIG.processTypes; i++) formation.push({type: `worker-${i}`, quantity: 1, size: 'Standard-1X'})
  const others = Array.from({length: BIG.sharingApps}, (_x, i) => ({
    name: `${APP}-review-${i + 1}`, config: {TSQ_CONCURRENCY: '2'},
    formation: [{type: 'web', quantity: 1, size: 'Basic'}, {type: 'worker', quantity: 1, size: 'Basic'}],
  }))
  const extras = Array.from({length: BIG.addons - 2}, (_x, i) => ({
    name: `papertrail-quiet-${1000 + i}`, service: 'papertrail', plan: 'papertrail:choklad', app: APP, url: `https://logs.example.com/${i}`,
  }))
  return {
    token: SENTINELS.apiToken,
    apps: [{name: APP, config: {NODE_ENV: 'production', TSQ_CONCURRENCY: '2'}, formation}, ...others],
    addons: [
      {name: REDIS_ADDON, service: 'heroku-redis', plan: 'heroku-redis:premium-5', app: APP, url: URLS.heroku_redis},
      {name: PG_ADDON, service: 'heroku-postgresql', plan: 'heroku-postgresql:standard-2', app: APP, url: URLS.postgres, connections: {used: 40, limit: 400}},
      ...extras,
    ],
    attachments: [
      {app: APP, addon: REDIS_ADDON, name: 'REDIS'},
      {app: APP, addon: PG_ADDON, name: 'DATABASE'},
      ...extras.map((x, i) => ({app: APP, addon: x.name, name: i === 0 ? 'PAPERTRAIL' : `PAPERTRAIL_${i + 1}`})),
      ...others.map(o => ({app: o.name, addon: PG_ADDON, name: 'DATABASE'})),
    ],
  }
}
