// What a Puma process holds besides its request threads' ActiveRecord pool (spec §14): the Sidekiq client
// pool, Action Cable and the cache, GoodJob in async mode (its threads in every Puma process), and Solid Queue's
// supervisor when puma.rb loads `plugin :solid_queue` (forked once per dyno from Puma's master, so counted per
// dyno). A plugin under a condition tsq cannot decide is counted, and marked as assumed. Pure.
import {goodJobHolders, goodJobSettings} from './good-job.js'
import type {Holder, JobBackend, ProcessModel, StackFinding} from './model.js'
import {type RubyWorld, databaseTarget, fileText, sidekiqRedisVar} from './rails.js'
import {railsHolders} from './rails-holders.js'
import type {PumaConfig} from './ruby/puma-config.js'
import {parseSidekiqInitializer} from './ruby/sidekiq-config.js'
import {solidQueueDemand} from './solid-queue.js'
import type {Sourced} from './sourced.js'

export interface PumaExtras {
  holders: Holder[]
  consumes: NonNullable<ProcessModel['consumes']>
  findings: StackFinding[]
}

export function pumaHolders(world: RubyWorld, type: string, puma: PumaConfig | null, file: string, threads: Sourced<number>, db: Sourced<number>, redis: Sourced<number>): PumaExtras {
  const primary = databaseTarget(world, 'primary')
  const holders: Holder[] = []
  const consumes: PumaExtras['consumes'] = []
  const findings: StackFinding[] = []
  if (primary.variable !== null) holders.push({holder: 'activerecord', kind: 'postgres', resourceVar: primary.variable, perProcess: db})
  if (redis.value > 0 || redis.unknown) {
    const init = fileText(world, 'config/initializers/sidekiq.rb', false)
    const parsed = init === null ? null : parseSidekiqInitializer(init, {file: 'config/initializers/sidekiq.rb', env: world.env, railsEnv: world.railsEnv})
    const variable = sidekiqRedisVar(world, parsed?.clientRedisVar)
    holders.push({holder: 'sidekiq-client', kind: 'redis', resourceVar: variable.variable, perProcess: {...redis, source: `${redis.source} on ${variable.source}`}})
  }
  // GoodJob in async mode runs its threads in each Puma process, on the same ActiveRecord pool.
  const goodJob = goodJobSettings(world, [])
  let cacheThreads = threads.value
  if (goodJob.mode.value === 'async' || goodJob.mode.value === 'async_server') {
    const gj = goodJobHolders(world, goodJob, threads.value, `GoodJob async in Puma (${goodJob.mode.source}): `)
    holders.push(...gj.holders)
    findings.push({...gj.finding, message: `${type}: ${gj.finding.message}`})
    consumes.push({backend: 'good_job'})
    cacheThreads += goodJob.threads.value
  }
  holders.push(...railsHolders(world, {web: true, threads: cacheThreads, primaryUsed: db.value}))
  // Solid Queue's supervisor beside Puma: once per dyno.
  const plugin = puma?.plugins.find(p => p.name === 'solid_queue')
  const uncertain = puma?.uncertainPlugins.find(p => p.name === 'solid_queue')
  if (plugin || uncertain) {
    const at = `${file}:${(plugin ?? uncertain)!.line}`
    const sq = solidQueueDemand(world, type, [], {perDyno: true, label: `Solid Queue beside Puma (plugin :solid_queue at ${at}), once per dyno: `})
    const why = uncertain ? `plugin :solid_queue at ${at} is under ${uncertain.why}: counted as if it runs` : null
    holders.push(...sq.holders.map(h => why ? {...h, perProcess: {...h.perProcess, unknown: why}} : h))
    findings.push(...sq.findings.map(f => ({...f, message: `${type} (Solid Queue in Puma): ${f.message}`})))
    consumes.push({backend: 'solid_queue' as JobBackend, ...why ? {uncertain: why} : {}})
  }
  return {holders, consumes, findings}
}
