// The `good_job` stack (spec §14): `good_job start`, `bin/good_job`, `bundle exec good_job`, and GoodJob's async
// mode inside Puma. Threads from `--max-threads`, config.good_job.max_threads, GOOD_JOB_MAX_THREADS, then
// RAILS_MAX_THREADS (GoodJob 4.19.2 configuration.rb reads it next), else 5; `--queues`/GOOD_JOB_QUEUES pools
// (`mice:2;elephants:1`) sum their own thread counts. Per process: the execution threads + 2 utility
// connections, from ActiveRecord::Base's pool (which caps them), + 1 LISTEN connection that notifier.rb checks
// out and removes from the pool. Needs a session (LISTEN, advisory locks): spec §11. Pure.
import {type ReadCommand, flagValue} from './command.js'
import type {Holder, ModelInput, ProcessModel, StackFinding, StackName} from './model.js'
import {mergeHolders} from './holders.js'
import {type RubyWorld, databaseTarget, lockedVersion, railsEnvConfig} from './rails.js'
import {railsHolders} from './rails-holders.js'
import {type Sourced, known} from './sourced.js'

/** The GoodJob release whose configuration.rb, notifier.rb and README the formulas were read from. */
export const GOOD_JOB_VERSION = '4.19.2'

export interface GoodJobSettings {
  threads: Sourced<number>
  /** `external` (its own process), `async`/`async_server` (inside the web server), or another mode. */
  mode: Sourced<string>
  version: string
}

/** GoodJob's threads and execution mode as configuration.rb resolves them: CLI option > config.good_job > env. */
export function goodJobSettings(world: RubyWorld, args: readonly string[]): GoodJobSettings {
  const v = lockedVersion(world, 'good_job')
  const version = `GoodJob ${GOOD_JOB_VERSION}${v && v !== GOOD_JOB_VERSION ? `; ${v} in Gemfile.lock` : ''}`
  const config = railsEnvConfig(world).goodJob
  const env = world.env
  const flag = flagValue(args, ['--max-threads', '--max_threads'])
  let max: Sourced<number>
  if (flag && /^\d+$/.test(flag.value)) max = known(Number(flag.value), flag.written, {kind: 'flag', flag: '--max-threads'})
  else if (config.maxThreads) max = config.maxThreads
  else {
    const variable = ['GOOD_JOB_MAX_THREADS', 'RAILS_MAX_THREADS'].find(x => /^\s*\d+\s*$/.test(env[x] ?? ''))
    max = variable ? known(Number(env[variable]), `${variable} (${version} configuration.rb)`, {kind: 'env', variable})
      : known(5, `${version} default max_threads 5`, {kind: 'env', variable: 'GOOD_JOB_MAX_THREADS'})
  }
  const queues = flagValue(args, ['--queues', '-q'])?.value ?? config.queues?.value ?? env.GOOD_JOB_QUEUES ?? '*'
  const pools = queues.split(';').map(p => p.trim()).filter(p => p !== '')
  const counts = pools.map(p => /:(\d+)$/.exec(p)?.[1]).map(n => n === undefined ? max.value : Number(n))
  const threads = pools.length > 1 || counts[0] !== max.value
    ? known(counts.reduce((a, b) => a + b, 0), `queues "${queues}": ${counts.join(' + ')} threads (${version}; max_threads ${max.value} from ${max.source})`, max.lever)
    : max
  const modeRaw = config.executionMode ?? (env.GOOD_JOB_EXECUTION_MODE ? known(env.GOOD_JOB_EXECUTION_MODE, 'GOOD_JOB_EXECUTION_MODE', {kind: 'env', variable: 'GOOD_JOB_EXECUTION_MODE'}) : null)
  const mode = modeRaw ?? known(world.railsEnv === 'development' ? 'async' : world.railsEnv === 'test' ? 'inline' : 'external', `${version} default for ${world.railsEnv}`)
  return {threads, mode, version}
}

/**
 * GoodJob's holders in one process whose other threads (`shared`: Puma's, in async mode) use the same pool:
 * min(pool, shared + threads + 2) less what those threads hold, + 1 LISTEN outside the pool.
 */
export function goodJobHolders(world: RubyWorld, s: GoodJobSettings, shared: number, label: string): {holders: Holder[], finding: StackFinding} {
  const primary = databaseTarget(world, 'primary')
  const pool = primary.pool.value
  const t = s.threads.value
  const inPool = Math.min(pool, shared + t + 2) - Math.min(pool, shared)
  const jobs = Math.min(inPool, shared === 0 ? Math.min(pool, t) : 0)
  const holders: Holder[] = []
  if (primary.variable !== null) {
    if (jobs > 0) holders.push({holder: 'activerecord', kind: 'postgres', resourceVar: primary.variable, perProcess: known(jobs, `${label}job threads min(pool ${pool}, ${t}) (${primary.pool.source})`)})
    holders.push({holder: 'good-job', kind: 'postgres', resourceVar: primary.variable, perProcess: known(inPool - jobs + 1,
      `${label}${s.version}: min(pool ${pool}, ${shared ? `${shared} web threads + ` : ''}${t} threads (${s.threads.source}) + 2 utility)${shared ? ` − ${Math.min(pool, shared)} the web threads hold` : jobs ? ` − ${jobs} job threads` : ''} + 1 LISTEN (notifier.rb removes it from the pool)`, s.threads.lever)})
  }
  const need = shared + t + 2
  const finding: StackFinding = pool >= need
    ? {id: 'postgres.pool', status: 'ok', message: `${label}pool ${pool} ≥ ${shared ? `${shared} + ` : ''}${t} GoodJob threads + 2`, set: []}
    : {id: 'postgres.pool', status: pool < shared + t ? 'fail' : 'warn', set: [{value: 'dbPoolSetting', to: need}],
      message: `${label}GoodJob runs ${t} threads${shared ? ` beside ${shared} web threads` : ''} + 2 utility connections on an ActiveRecord pool of ${pool}: jobs wait for connections and report ActiveRecord::ConnectionTimeoutError (${s.version} README "Database connections")`}
  return {holders, finding}
}

export function modelGoodJob(input: ModelInput, stack: Sourced<StackName>, command: ReadCommand | null, world: RubyWorld): ProcessModel {
  const s = goodJobSettings(world, command?.args ?? [])
  const {holders, finding} = goodJobHolders(world, s, 0, '')
  const primary = databaseTarget(world, 'primary')
  const all = mergeHolders([...holders, ...railsHolders(world, {web: false, threads: s.threads.value, primaryUsed: Math.min(primary.pool.value, s.threads.value)})])
  const zero = known(0, 'filled from its holders')
  return {
    type: input.type, stack, role: 'worker', processesPerDyno: known(1, 'GoodJob: one process per command'),
    concurrency: s.threads, threads: null, dbPool: zero, dbPoolSetting: primary.pool, redisConnections: zero, queues: ['good_job'],
    holders: all, consumes: [{backend: 'good_job'}], findings: [{...finding, message: `${input.type}: ${finding.message}`}], problems: [],
    leverFor: value => value === 'concurrency' ? s.threads.lever : value === 'dbPoolSetting' ? primary.pool.lever : null,
    capDb: n => s.threads.value > Math.max(1, n - 3) ? [{value: 'concurrency', to: Math.max(1, n - 3)}] : [],
    capRedis: () => [],
  }
}
