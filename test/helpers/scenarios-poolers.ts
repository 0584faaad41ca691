// Fake-API scenarios with poolers (spec §11): a standard-0 database whose server-side pooler may be attached
// (namespace connection-pooling:default), its settings readable or not, and Key-Value Store eviction policies.
import type {Scenario, ScenarioAddon, ScenarioProcess} from './fake-api-model.js'
import {APP, PG_ADDON, REDIS_ADDON, SENTINELS, URLS} from './scenarios.js'

export interface PooledOptions {
  /** DATABASE_CONNECTION_POOL attached in the pooling namespace. */
  attached?: boolean
  plan?: string
  /** Data API connection limit (`pg:info` Connections). */
  limit?: number
  poolerConfig?: ScenarioAddon['poolerConfig']
  maxmemoryPolicy?: ScenarioAddon['maxmemoryPolicy']
  config?: Record<string, string>
  formation?: ScenarioProcess[]
}

/** web 10 × standard-2x and worker 4 × standard-1x on heroku-tsq: 10×2×5 + 4×1×5 = 120 Postgres connections directly. */
export function pooledDatabase(options: PooledOptions = {}): Scenario {
  const plan = options.plan ?? 'heroku-postgresql:standard-0'
  const limit = options.limit ?? 120
  return {
    token: SENTINELS.apiToken,
    apps: [{
      name: APP,
      config: {NODE_ENV: 'production', SESSION_SECRET: SENTINELS.sessionSecret, ...options.config},
      formation: options.formation ?? [
        {type: 'web', quantity: 10, size: 'Standard-2X', command: 'node dist/web.js'},
        {type: 'worker', quantity: 4, size: 'Standard-1X', command: 'node dist/worker.js'},
      ],
    }],
    addons: [
      {name: REDIS_ADDON, service: 'heroku-redis', plan: 'heroku-redis:premium-2', app: APP, url: URLS.heroku_redis,
        ...(options.maxmemoryPolicy !== undefined ? {maxmemoryPolicy: options.maxmemoryPolicy} : {})},
      {name: PG_ADDON, service: 'heroku-postgresql', plan, app: APP, url: URLS.postgres, connections: {used: 7, limit},
        ...(options.poolerConfig ? {poolerConfig: options.poolerConfig} : {})},
    ],
    attachments: [
      {app: APP, addon: REDIS_ADDON, name: 'REDIS'}, {app: APP, addon: PG_ADDON, name: 'DATABASE'},
      ...(options.attached ? [{app: APP, addon: PG_ADDON, name: 'DATABASE_CONNECTION_POOL', namespace: 'connection-pooling:default'}] : []),
    ],
  }
}
