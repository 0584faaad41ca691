// The `tsq` stack: a Node process on heroku-tsq/runtime. Its numbers are exactly what the runtime resolves at
// boot (spec §2), so this model only re-labels resolveSettings' answer with sources and levers. Pure.
import {DEFAULTS, type Settings, type SettingsProblem, findRedisUrl, resolveMany, typeKey} from '../model/settings.js'
import {type DynoSize, allowedDynoSizes, describeDynoSizes, findDynoSize, webConcurrencyFor, webMemoryFor} from '../model/dyno-sizes.js'
import type {ModelInput, ModelProblem, ProcessModel, StackFinding, StackName} from './model.js'
import {type Lever, type Sourced, assumed, known} from './sourced.js'

const env = (variable: string): Lever => ({kind: 'env', variable})

/** The model of a heroku-tsq/runtime process, and the settings the runtime itself would resolve. */
export function modelTsq(input: ModelInput, stack: Sourced<StackName>): {model: ProcessModel, settings: Settings, problems: SettingsProblem[], unknowns: ModelProblem[]} {
  const dynoSize = findDynoSize(input.sizes, input.size)
  const {settings: [s], problems} = resolveMany(input.config, [{type: input.type, size: input.size, memoryMb: dynoSize?.memoryMb ?? null}])
  const settings = s!
  const key = typeKey(input.type)
  const o = input.overrides ?? {}
  // Levers are the per-type variables: they win over the general ones, so setting one changes exactly this type.
  // A size tsq does not know (`mystery-9x`): the runtime, like the buildpack, falls back to 1 process per dyno;
  // say it is assumed rather than read, so the doctor warns and names the variable that settles it.
  const unknownSize = o.processesPerDyno === undefined && settings.processesSource === 'dyno size' && input.size !== null && !dynoSize
  const unknowns: ModelProblem[] = unknownSize ? [{variable: `${input.type} dyno size`, kind: 'unknown',
    value: `${input.size} is not a dyno size tsq knows, so ${settings.processesPerDyno} process per ${input.type} dyno is assumed (set WEB_CONCURRENCY or TSQ_${key}_PROCESSES)`,
    allowed: `a size of ${describeDynoSizes(input.sizes)} (${allowedDynoSizes(input.sizes).join(', ')})`}] : []
  const processes = unknownSize
    ? assumed(settings.processesPerDyno, `dyno size ${input.size}`, `not a size tsq knows: ${settings.processesPerDyno} process per dyno assumed`, env(`TSQ_${key}_PROCESSES`))
    : known(o.processesPerDyno ?? settings.processesPerDyno, o.processesPerDyno !== undefined ? 'proposed' : processesSource(settings, dynoSize), env(`TSQ_${key}_PROCESSES`))
  const concurrency = settings.concurrency === null ? null : o.concurrency !== undefined
    ? known(o.concurrency, 'proposed', env(`TSQ_${key}_CONCURRENCY`))
    : known(settings.concurrency, settings.variables.concurrency ?? `heroku-tsq default ${DEFAULTS.concurrency}`, env(`TSQ_${key}_CONCURRENCY`))
  const poolDefault = settings.role === 'worker' ? `the worker's concurrency (heroku-tsq default)` : `heroku-tsq web default ${DEFAULTS.webDbPool}`
  const poolValue = o.dbPoolSetting ?? (concurrency && !settings.variables.dbPool && settings.role === 'worker' ? concurrency.value : settings.dbPool)
  const dbPoolSetting = settings.role === 'none' ? null
    : known(poolValue, o.dbPoolSetting !== undefined ? 'proposed' : settings.variables.dbPool ?? poolDefault, env(`TSQ_${key}_DB_POOL`))
  const queues = settings.queues.length
  const redis = settings.role === 'web' ? known(1, 'heroku-tsq/runtime: 1 producer connection')
    : settings.role === 'worker' ? known(settings.redisConnections, `heroku-tsq/runtime: 1 producer + 1 consumer + 1 blocking per queue (${queues} ${queues === 1 ? 'queue' : 'queues'}${settings.variables.queues ? ` from ${settings.variables.queues}` : ''})`)
      : known(0, 'role none: opens no connection')
  const model: ProcessModel = {
    type: input.type,
    stack,
    role: settings.role,
    processesPerDyno: processes,
    concurrency,
    threads: null,
    dbPool: dbPoolSetting ?? known(0, 'role none: opens no connection'),
    dbPoolSetting,
    redisConnections: redis,
    queues: settings.queues,
    // The runtime reads DATABASE_URL and the first Redis variable of spec §2's catalogue.
    holders: [
      ...settings.role === 'none' ? [] : [{holder: 'tsq' as const, kind: 'postgres' as const, resourceVar: 'DATABASE_URL', perProcess: dbPoolSetting ?? known(0, 'role none')}],
      ...redis.value > 0 ? [{holder: 'tsq' as const, kind: 'redis' as const, resourceVar: findRedisUrl(input.config)?.variable ?? 'REDIS_URL', perProcess: redis}] : [],
    ],
    findings: poolFindings(input.type, concurrency, dbPoolSetting),
    problems: [],
    leverFor: value => value === 'processesPerDyno' ? processes.lever
      : value === 'concurrency' ? concurrency?.lever ?? null
        : value === 'dbPoolSetting' ? dbPoolSetting?.lever ?? null : null,
    // The runtime's pool is its max: a smaller pool caps it; a worker's concurrency follows so no job waits.
    // Never below 1 (spec §2: a pool or concurrency of 0 is invalid).
    capDb: n => [
      ...(dbPoolSetting && dbPoolSetting.value !== Math.max(1, n) ? [{value: 'dbPoolSetting' as const, to: Math.max(1, n)}] : []),
      ...(concurrency && concurrency.value > Math.max(1, n) ? [{value: 'concurrency' as const, to: Math.max(1, n)}] : []),
    ],
    // The runtime's Redis connections per process are fixed by its role (spec §2), not by a setting.
    capRedis: () => [],
  }
  return {model, settings, problems, unknowns}
}

function processesSource(s: Settings, size: DynoSize | undefined): string {
  if (s.processesSource === 'dyno size' && size) {
    return `dyno size ${size.name} (the Node buildpack's WEB_CONCURRENCY: ${size.memoryMb} MB ÷ ${webMemoryFor(size.memoryMb)} MB = ${webConcurrencyFor(size.memoryMb)}; ${size.source})`
  }
  if (s.processesSource === 'default') return 'default 1 (dyno size unknown)'
  return s.processesSource
}

/** A worker whose pool is under its concurrency makes jobs wait for a connection (warn: the runtime queues them). */
function poolFindings(type: string, concurrency: Sourced<number> | null, pool: Sourced<number> | null): StackFinding[] {
  if (!concurrency || !pool) return []
  if (pool.value >= concurrency.value) return [{id: 'postgres.pool', status: 'ok', message: `${type} pool ${pool.value} ≥ ${concurrency.value}`, set: []}]
  return [{id: 'postgres.pool', status: 'warn', set: [{value: 'dbPoolSetting', to: concurrency.value}],
    message: `${type} runs ${concurrency.value} jobs per process on a pool of ${pool.value}, so up to ${concurrency.value - pool.value} wait for a connection`}]
}
