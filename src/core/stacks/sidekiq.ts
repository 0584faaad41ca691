// The `sidekiq` stack (spec §9): one process per command; concurrency from the initializer, `-c`, the
// environment section of the `-C` file (else config/sidekiq.yml), its top level, RAILS_MAX_THREADS, then the
// version's default; capsules summed. Postgres: min(ActiveRecord pool, concurrency). Redis: ≤ 6 the one
// server pool (measured on 6.4.1: concurrency + 1 held of its concurrency + 5); ≥ 7 each capsule's
// concurrency plus the internal pool. Pure.
import {type ReadCommand, flagValue} from './command.js'
import type {Holder, ModelInput, ProcessModel, SettableValue, StackFinding, StackName} from './model.js'
import {railsHolders} from './rails-holders.js'
import {type RubyWorld, databaseTarget, sidekiqRedisVar, TSQ_INITIALIZER, activeRecordPool, atLeast, fileText, gemVersion, hasTsqInitializer} from './rails.js'
import {parseSidekiqInitializer, parseSidekiqYml} from './ruby/sidekiq-config.js'
import {type Lever, type Sourced, assumed, known} from './sourced.js'

const SIDEKIQ_YML = 'config/sidekiq.yml'
const INITIALIZER = 'config/initializers/sidekiq.rb'

export function modelSidekiq(input: ModelInput, stack: Sourced<StackName>, command: ReadCommand | null, world: RubyWorld): ProcessModel {
  const o = input.overrides ?? {}
  const args = command?.args ?? []
  const version = gemVersion(world, 'sidekiq')
  const v7 = atLeast(version, '7.0.0')
  const environment = flagValue(args, ['-e', '--environment'])?.value ?? world.env.APP_ENV ?? world.env.RAILS_ENV ?? world.env.RACK_ENV ?? 'development'
  const configFlag = flagValue(args, ['-C', '--config'])
  const ymlPath = configFlag?.value ?? SIDEKIQ_YML
  const ymlText = fileText(world, ymlPath, configFlag !== null)
  const yml = ymlText === null ? null : parseSidekiqYml(ymlText, {file: ymlPath, env: world.env, environment})
  const initText = fileText(world, INITIALIZER, false)
  const init = initText === null ? null : parseSidekiqInitializer(initText, {file: INITIALIZER, env: world.env, railsEnv: world.railsEnv})
  for (const u of [...yml?.unknown ?? [], ...init?.unknown ?? []]) world.unknowns.push({variable: 'sidekiq', value: u, allowed: 'a form tsq reads (spec §9)', kind: 'unknown'})

  const base = o.concurrency !== undefined ? known(o.concurrency, 'proposed', null) : sidekiqConcurrency(args, yml?.concurrency ?? null, init?.concurrency ?? null, world, version, yml?.unreadable.concurrency ?? init?.unreadable.concurrency)
  const capsules = v7 ? [...(yml?.capsules ?? []), ...(init?.capsules ?? [])].filter(c => c.concurrency) : []
  const capsuleSum = capsules.reduce((n, c) => n + c.concurrency!.value, 0)
  const concurrency = capsuleSum === 0 ? base
    : {...base, value: base.value + capsuleSum, source: `${base.source} + capsules ${capsules.map(c => `${c.name} ${c.concurrency!.value} (${c.concurrency!.source})`).join(', ')}`}
  const tsqInit = hasTsqInitializer(world)
  const pool = o.dbPoolSetting !== undefined ? known(o.dbPoolSetting, 'proposed', null)
    : tsqInit ? {...concurrency, source: `${TSQ_INITIALIZER}: the pool is the concurrency (${concurrency.source})`} : init?.serverDbPool ?? activeRecordPool(world)
  const db = pool.value <= concurrency.value
    ? {...pool, source: `ActiveRecord pool ${pool.value} ≤ concurrency ${concurrency.value}: ${pool.source}`}
    : {...concurrency, source: `concurrency ${concurrency.value} < ActiveRecord pool ${pool.value}: ${concurrency.source}`}
  const serverSize = o.redisPoolSetting !== undefined ? known(o.redisPoolSetting, 'proposed', null)
    : tsqInit && !v7 ? {...concurrency, value: concurrency.value + 2, source: `${TSQ_INITIALIZER}: concurrency + 2`, lever: null} : init?.serverRedisSize ?? null
  const redis = sidekiqServerRedis(version, concurrency, capsules.length, serverSize)
  const findings: StackFinding[] = [pool.value >= concurrency.value
    ? {id: 'postgres.pool', status: 'ok', message: `${input.type} pool ${pool.value} ≥ concurrency ${concurrency.value}`, set: []}
    : {id: 'postgres.pool', status: 'fail', set: [{value: 'dbPoolSetting', to: concurrency.value}],
      message: `${input.type} runs ${concurrency.value} Sidekiq jobs per process on an ActiveRecord pool of ${pool.value}: up to ${concurrency.value - pool.value} jobs fail with ActiveRecord::ConnectionTimeoutError ("could not obtain a database connection within 5.000 seconds")`}]
  if (!v7 && serverSize) {
    findings.push(serverSize.value >= concurrency.value + 2
      ? {id: 'redis.pool', status: 'ok', message: `${input.type} Redis pool ${serverSize.value} ≥ concurrency ${concurrency.value} + 2`, set: []}
      : {id: 'redis.pool', status: 'fail', set: [{value: 'concurrency', to: Math.max(1, serverSize.value - 2)}],
        message: `${input.type}'s Sidekiq Redis pool of ${serverSize.value} (${serverSize.source}) is under concurrency ${concurrency.value} + 2: Sidekiq ${version.value} refuses to boot ("Your Redis connection pool is too small")`})
  }
  const concurrencyLever: Lever = base.lever ?? (ymlText !== null || configFlag ? {kind: 'file', file: ymlPath, line: 0, text: ':concurrency: {n}'} : {kind: 'flag', flag: '-c'})
  const redisVar = sidekiqRedisVar(world, init?.serverRedisVar)
  const primary = databaseTarget(world, 'primary').variable
  const holders: Holder[] = [
    ...primary === null ? [] : [{holder: 'activerecord' as const, kind: 'postgres' as const, resourceVar: primary, perProcess: db}],
    {holder: 'sidekiq', kind: 'redis', resourceVar: redisVar.variable, perProcess: {...redis, source: `${redis.source} on ${redisVar.source}`}},
    ...railsHolders(world, {web: false, threads: concurrency.value, primaryUsed: db.value}),
  ]
  return {
    type: input.type, stack, role: 'worker', processesPerDyno: known(1, 'Sidekiq: one process per command'), concurrency, threads: null,
    dbPool: db, dbPoolSetting: pool, redisConnections: redis, queues: yml?.queues?.length ? yml.queues.map(q => q.name) : ['default'], findings, problems: [],
    holders, consumes: [{backend: 'sidekiq'}],
    leverFor: value => value === 'concurrency' ? concurrencyLever : value === 'dbPoolSetting' ? pool.lever : value === 'redisPoolSetting' ? serverSize?.lever ?? null : null,
    // Never below concurrency 1 (a Sidekiq at 0 runs no job): the caller re-judges.
    capDb: n => Math.min(pool.value, concurrency.value) > Math.max(1, n) ? [{value: 'concurrency', to: Math.max(1, n)}] : [],
    capRedis: n => capSidekiqRedis(n, {version, redis: redis.value, base: base.value, capsules: capsules.length, capsuleSum, size: serverSize?.value ?? null}),
  }
}

/**
 * The values that bring one Sidekiq server's Redis connections (the formulas of sidekiqServerRedis) to at most `n`,
 * lowest first where `n` is out of reach: ≤ 6 holds min(size, concurrency + 1), so concurrency n − 1; ≥ 7.0.3
 * with `size:` holds size × (capsules + 2), so size ⌊n / (capsules + 2)⌋ and a default capsule no larger than its
 * pool; otherwise concurrency + capsules + the internal pool (5 before 7.1.1, else 10), so n − internal − capsules.
 * Concurrency is the default capsule's (the one `-c`, sidekiq.yml and SIDEKIQ_CONCURRENCY set); never below 1.
 */
function capSidekiqRedis(n: number, s: {version: Sourced<string>, redis: number, base: number, capsules: number, capsuleSum: number, size: number | null}):
  Array<{value: SettableValue, to: number}> {
  if (s.redis <= Math.max(1, n)) return []
  const lower = (to: number) => s.base > Math.max(1, to) ? [{value: 'concurrency' as const, to: Math.max(1, to)}] : []
  if (!atLeast(s.version, '7.0.0')) return lower(n - 1)
  if (s.size !== null && atLeast(s.version, '7.0.3')) {
    const size = Math.max(1, Math.floor(n / (s.capsules + 2)))
    return [...size < s.size ? [{value: 'redisPoolSetting' as const, to: size}] : [], ...lower(size)]
  }
  return lower(n - (atLeast(s.version, '7.1.1') ? 10 : 5) - s.capsuleSum)
}

/** Concurrency as Sidekiq's CLI resolves it: initializer > `-c` > env section > top level > RAILS_MAX_THREADS > default. */
function sidekiqConcurrency(args: readonly string[], fromFile: Sourced<number> | null, fromInit: Sourced<number> | null, world: RubyWorld,
  version: Sourced<string>, unreadableForm: string | undefined): Sourced<number> {
  if (fromInit) return fromInit
  const flag = flagValue(args, ['-c', '--concurrency'])
  const n = flag ? Number(flag.value) : Number.NaN
  if (flag && Number.isInteger(n) && n > 0) return known(n, flag.written, {kind: 'flag', flag: flag.written.split(/[ =]/)[0]!})
  if (unreadableForm && !fromFile) {
    const next = sidekiqConcurrency([], null, null, world, version, undefined)
    const why = `${unreadableForm} could not be read`
    return {...next, source: `default (${why}): ${next.source}`, unknown: why}
  }
  if (flag) world.unknowns.push({variable: 'sidekiq', value: `${flag.written}: not a whole number`, allowed: 'a whole number', kind: 'unknown'})
  if (fromFile) return fromFile
  const raw = world.env.RAILS_MAX_THREADS
  if (raw && /^\d+$/.test(raw.trim())) return known(Number(raw), 'RAILS_MAX_THREADS (Sidekiq reads it when no concurrency is configured)', {kind: 'env', variable: 'RAILS_MAX_THREADS'})
  const v7 = atLeast(version, '7.0.0')
  const source = `Sidekiq ${v7 ? '7+ default 5' : '≤ 6 default 10'} (${version.source})`
  return version.unknown ? assumed(v7 ? 5 : 10, source, version.unknown) : known(v7 ? 5 : 10, source)
}

function sidekiqServerRedis(version: Sourced<string>, concurrency: Sourced<number>, capsules: number, size: Sourced<number> | null): Sourced<number> {
  const c = concurrency.value
  let value: number
  let source: string
  if (!atLeast(version, '7.0.0')) {
    // Measured on Sidekiq 6.4.1: concurrency + 1 connections held, idle or busy, of a pool of concurrency + 5.
    value = size ? Math.min(size.value, c + 1) : c + 1
    source = `Sidekiq ≤ 6: concurrency ${c} + 1 held (measured on 6.4.1; the pool ${size ? `${size.value} from ${size.source}` : `of concurrency + 5`} is lazy)`
  } else if (size && atLeast(version, '7.0.3')) {
    value = size.value * (capsules + 2)
    source = `Sidekiq ≥ 7.0.3 with size ${size.value} (${size.source}): every pool is ${size.value} (internal + default capsule${capsules ? ` + ${capsules} capsules` : ''})`
  } else {
    const internal = atLeast(version, '7.1.1') ? 10 : 5
    value = c + internal
    source = `Sidekiq ${atLeast(version, '7.1.1') ? '≥ 7.1.1' : '7.0–7.1.0'}: concurrency ${c} + internal pool ${internal}`
  }
  return version.unknown ? assumed(value, source, version.unknown) : known(value, `${source} (${version.source})`)
}
