// The `puma` stack (spec §9): a Rails app served by Puma. Processes per dyno are Puma's workers (the cluster
// master holds no connection: Rails closes boot-time connections before Puma forks — measured 0), each with
// `threads` threads; Postgres is min(ActiveRecord pool, threads); Redis is the Sidekiq client pool when the
// app bundles Sidekiq, lazy, so at most min(threads, its size). Pure.
import {type DynoSize, findDynoSize} from '../model/dyno-sizes.js'
import {type ReadCommand, flagValue} from './command.js'
import type {ModelInput, ProcessModel, StackFinding, StackName} from './model.js'
import {type RubyWorld, TSQ_INITIALIZER, activeRecordPool, atLeast, bundles, fileText, gemVersion, hasTsqInitializer} from './rails.js'
import {pumaHolders} from './puma-holders.js'
import {parsePumaConfig} from './ruby/puma-config.js'
import {parseSidekiqInitializer} from './ruby/sidekiq-config.js'
import {type Lever, type Sourced, assumed, known} from './sourced.js'

const PUMA_RB = 'config/puma.rb'

export function modelPuma(input: ModelInput, stack: Sourced<StackName>, command: ReadCommand | null, world: RubyWorld, sidekiqType: boolean): ProcessModel {
  const o = input.overrides ?? {}
  const args = command?.args ?? []
  const configFlag = flagValue(args, ['-C', '--config'])
  const file = configFlag?.value ?? PUMA_RB
  const text = fileText(world, file)
  const puma = text === null ? null : parsePumaConfig(text, {file, env: world.env, railsEnv: world.railsEnv})
  for (const u of puma?.unknown ?? []) world.unknowns.push({variable: file, value: u, allowed: 'a form tsq reads (spec §9)', kind: 'unknown'})

  const workers = o.processesPerDyno !== undefined ? known(o.processesPerDyno, 'proposed', null)
    : unreadable(pumaWorkers(args, puma?.workers ?? null, world, findDynoSize(input.sizes, input.size), input.size), puma?.unreadable.workers, args, ['-w', '--workers'])
  const threads = o.threads !== undefined ? known(o.threads, 'proposed', null)
    : unreadable(pumaThreads(args, puma?.threads?.max ?? null, world, text !== null), puma?.unreadable.threads, args, ['-t', '--threads'])
  const tsqInit = hasTsqInitializer(world)
  const pool = o.dbPoolSetting !== undefined ? known(o.dbPoolSetting, 'proposed', null)
    : tsqInit ? {...threads, source: `${TSQ_INITIALIZER}: the pool is the threads (${threads.source})`} : activeRecordPool(world)
  const db = pool.value <= threads.value
    ? {...pool, source: `ActiveRecord pool ${pool.value} ≤ threads ${threads.value}: ${pool.source}`}
    : {...threads, source: `threads ${threads.value} < ActiveRecord pool ${pool.value}: ${threads.source}`}
  const {redis, size: clientSize} = sidekiqClient(world, threads, sidekiqType, tsqInit, o.redisPoolSetting)
  const findings: StackFinding[] = [pool.value >= threads.value
    ? {id: 'postgres.pool', status: 'ok', message: `${input.type} pool ${pool.value} ≥ ${threads.value} threads`, set: []}
    : {id: 'postgres.pool', status: 'warn', set: [{value: 'dbPoolSetting', to: threads.value}],
      message: `${input.type} runs ${threads.value} Puma threads per process on an ActiveRecord pool of ${pool.value}: a busy thread can wait for a connection (ActiveRecord::ConnectionTimeoutError after 5 s)`}]
  const threadsLever: Lever = threads.lever ?? {kind: 'file', file, line: 0, text: 'threads {n}, {n}'}
  const levers: Record<'processesPerDyno' | 'threads' | 'dbPoolSetting' | 'redisPoolSetting', Lever | null> = {
    processesPerDyno: workers.lever ?? {kind: 'env', variable: 'WEB_CONCURRENCY'},
    threads: threadsLever,
    dbPoolSetting: pool.lever,
    // tsq's initializer makes the client pool the threads; otherwise what sets its size, if anything does.
    redisPoolSetting: tsqInit ? threadsLever : clientSize?.lever ?? null,
  }
  const extras = pumaHolders(world, input.type, puma, file, threads, db, redis)
  return {
    type: input.type, stack, role: 'web', processesPerDyno: workers, concurrency: null, threads, dbPool: db, dbPoolSetting: pool,
    redisConnections: redis, queues: [], findings: [...findings, ...extras.findings], problems: [], holders: extras.holders, consumes: extras.consumes,
    leverFor: value => value === 'concurrency' ? null : levers[value],
    // Never below 1 thread (spec §2: 0 is invalid; a Puma with 0 threads serves nothing): the caller re-judges.
    capDb: n => Math.min(pool.value, threads.value) > Math.max(1, n) ? [{value: 'threads', to: Math.max(1, n)}] : [],
    // The Sidekiq client pool is lazy, min(threads, size): its size is lowered where the app sets it (a web
    // process pushes a job in milliseconds, so fewer connections than threads only queue the pushes), else the threads.
    capRedis: n => redis.value <= Math.max(1, n) || clientSize === null ? []
      : [{value: !tsqInit && clientSize.lever ? 'redisPoolSetting' : 'threads', to: Math.max(1, n)}],
  }
}

/** A default standing in for a puma.rb setting that could not be read (a flag still wins: Puma applies it). */
function unreadable(value: Sourced<number>, form: string | undefined, args: readonly string[], flags: string[]): Sourced<number> {
  if (!form || flagValue(args, flags)) return value
  const why = `${form} could not be read`
  return {...value, source: `default (${why}): ${value.source}`, unknown: why}
}

/** `-w`/`--workers`, else `workers` in puma.rb, else WEB_CONCURRENCY (Puma ≥ 5 reads it), else single mode. */
function pumaWorkers(args: readonly string[], fromFile: Sourced<number | 'auto'> | null, world: RubyWorld, size: DynoSize | undefined, sizeName: string | null): Sourced<number> {
  const flag = flagValue(args, ['-w', '--workers'])
  const n = flag ? Number(flag.value) : Number.NaN
  if (flag && Number.isInteger(n) && n >= 0) return known(Math.max(1, n), `${flag.written}${n === 0 ? ' (single mode: 1 process)' : ''}`, {kind: 'flag', flag: flag.written.split(/[ =]/)[0]!})
  let value: Sourced<number | 'auto'> | null = fromFile
  if (!value && world.env.WEB_CONCURRENCY) {
    const raw = world.env.WEB_CONCURRENCY.trim()
    value = raw === 'auto' ? known('auto', 'WEB_CONCURRENCY=auto', {kind: 'env', variable: 'WEB_CONCURRENCY'})
      : /^\d+$/.test(raw) ? known(Number(raw), 'WEB_CONCURRENCY', {kind: 'env', variable: 'WEB_CONCURRENCY'})
        : assumed(0, 'Puma single mode', `WEB_CONCURRENCY is not a number`, {kind: 'env', variable: 'WEB_CONCURRENCY'})
  }
  if (!value) return known(1, 'Puma single mode (no workers, WEB_CONCURRENCY unset): 1 process', {kind: 'env', variable: 'WEB_CONCURRENCY'})
  if (value.value === 'auto') {
    // Puma counts the processors it sees; the size's vCPUs stand for them (an assumption either way, spec §9).
    const why = size?.cpus != null ? `dyno size ${size.name}: ${size.cpus} vCPUs assumed (${size.source})`
      : `dyno size ${sizeName || 'unknown'}: its CPUs are not known, 1 assumed`
    return assumed(size?.cpus ?? 1, `${value.source}: the dyno's CPUs`, why, value.lever)
  }
  return {...value, value: Math.max(1, value.value), source: value.value === 0 ? `${value.source} (0: single mode, 1 process)` : value.source}
}

/** `-t min:max`/`--threads`, else `threads` in puma.rb, else PUMA_MAX_THREADS/MAX_THREADS, else Puma's default 5 (MRI, Puma ≥ 5). */
function pumaThreads(args: readonly string[], fromFile: Sourced<number> | null, world: RubyWorld, haveFile: boolean): Sourced<number> {
  const flag = flagValue(args, ['-t', '--threads'])
  if (flag) {
    const max = Number(flag.value.split(':').pop())
    if (Number.isInteger(max) && max > 0) return known(max, flag.written, {kind: 'flag', flag: flag.written.split(/[ =]/)[0]!})
  }
  if (fromFile) return fromFile
  for (const variable of ['PUMA_MAX_THREADS', 'MAX_THREADS']) {
    const raw = world.env[variable]
    if (raw && /^\d+$/.test(raw.trim())) return known(Number(raw), variable, {kind: 'env', variable})
  }
  const version = gemVersion(world, 'puma')
  const source = `Puma ${version.value.split('.')[0]}+ default 5 (MRI)`
  if (!haveFile && world.checkout === undefined) return assumed(5, source, 'no checkout: config/puma.rb not read')
  return version.unknown ? assumed(5, source, version.unknown) : known(5, source)
}

/**
 * The Sidekiq client pool of a web process (spec §9): ≤ 6 `size` of configure_client, else RAILS_MAX_THREADS,
 * else 5; 7.0–7.1.0: 5; ≥ 7.1.1: 10; `config.redis = {size: n}` (≥ 7.0.3). Lazy: at most min(threads, size).
 */
function sidekiqClient(world: RubyWorld, threads: Sourced<number>, sidekiqType: boolean, tsqInit: boolean, proposed: number | undefined):
  {redis: Sourced<number>, size: Sourced<number> | null} {
  const bundled = bundles(world, 'sidekiq')
  if (bundled === false) return {redis: known(0, 'no sidekiq in Gemfile.lock: no Redis client'), size: null}
  if (bundled === null && !sidekiqType) return {redis: assumed(0, 'no Redis client', world.checkout ? 'no Gemfile.lock' : 'no checkout, and no Sidekiq process type'), size: null}
  const version = gemVersion(world, 'sidekiq')
  const text = fileText(world, 'config/initializers/sidekiq.rb', false)
  const init = text === null ? null : parseSidekiqInitializer(text, {file: 'config/initializers/sidekiq.rb', env: world.env, railsEnv: world.railsEnv})
  let size: Sourced<number>
  if (proposed !== undefined) size = known(proposed, 'proposed', null)
  else if (tsqInit && (!atLeast(version, '7.0.0') || atLeast(version, '7.0.3'))) size = {...threads, source: `${TSQ_INITIALIZER}: the threads`}
  else if (init?.clientRedisSize && (!atLeast(version, '7.0.0') || atLeast(version, '7.0.3'))) size = init.clientRedisSize
  else if (!atLeast(version, '7.0.0')) {
    const raw = world.env.RAILS_MAX_THREADS
    size = raw && /^\d+$/.test(raw.trim()) ? known(Number(raw), 'RAILS_MAX_THREADS (Sidekiq ≤ 6 client pool)', {kind: 'env', variable: 'RAILS_MAX_THREADS'})
      : known(5, 'Sidekiq ≤ 6 client pool default 5')
  } else size = known(atLeast(version, '7.1.1') ? 10 : 5, `Sidekiq ${atLeast(version, '7.1.1') ? '≥ 7.1.1 client pool 10' : '7.0–7.1.0 client pool 5'}`)
  const value = Math.min(size.value, threads.value)
  const source = `Sidekiq client pool (${version.source}), lazy: min(threads ${threads.value}, pool ${size.value} from ${size.source})`
  return {redis: version.unknown ? assumed(value, source, version.unknown) : known(value, source, size.lever), size}
}

