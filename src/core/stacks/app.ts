// The `app` stack (spec §8, §14): a process that boots the Rails app but is neither Puma nor Sidekiq (`rake …`,
// `rails runner`, `clockwork`). Postgres is bounded by its ActiveRecord pool (a fact: the pool caps it);
// what it opens on Redis is not known, so any Redis budget it touches is at best `warn` until the type is
// declared with TSQ_<TYPE>_STACK=none. Pure.
import {ANY_RESOURCE, type Holder, type ModelInput, type ProcessModel, type StackName} from './model.js'
import {type RubyWorld, activeRecordPool, databaseTarget} from './rails.js'
import {railsHolders} from './rails-holders.js'
import {type Sourced, assumed, known} from './sourced.js'

export function modelApp(input: ModelInput, stack: Sourced<StackName>, world: RubyWorld): ProcessModel {
  const pool = input.overrides?.dbPoolSetting !== undefined ? known(input.overrides.dbPoolSetting, 'proposed', null) : activeRecordPool(world)
  const redis = assumed(0, 'Redis not counted', `what ${input.type} opens on Redis is unknown; declare TSQ_${input.type.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_STACK=none if it opens nothing`)
  const dbPool = {...pool, source: `at most its ActiveRecord pool: ${pool.source}`}
  const primary = databaseTarget(world, 'primary').variable
  const holders: Holder[] = [
    ...primary === null ? [] : [{holder: 'activerecord' as const, kind: 'postgres' as const, resourceVar: primary, perProcess: dbPool}],
    // Which Redis it opens, if any, is not known: every Redis resource is at best `warn` until the type is declared.
    {holder: 'unknown', kind: 'redis', resourceVar: ANY_RESOURCE, perProcess: redis},
    ...railsHolders(world, {web: false, threads: null, primaryUsed: pool.value}),
  ]
  return {
    type: input.type, stack, role: 'worker', processesPerDyno: known(1, 'one process per command'), concurrency: null, threads: null,
    dbPool, dbPoolSetting: pool, redisConnections: redis, queues: [],
    findings: [], problems: [], holders,
    leverFor: value => value === 'dbPoolSetting' ? pool.lever : null,
    capDb: n => pool.value > Math.max(1, n) ? [{value: 'dbPoolSetting', to: Math.max(1, n)}] : [],
    capRedis: () => [],
  }
}
