// The `solid_queue` stack (spec §14): `bin/jobs`, `rails solid_queue:start`, or Solid Queue's supervisor beside
// Puma (`plugin :solid_queue`). From config/queue.yml's environment section: each worker × its processes ×
// min(pool, threads + 2) (poller + heartbeat), each dispatcher ≤ 3 (poller, heartbeat, concurrency
// maintenance), the supervisor ≤ 2 (heartbeat, maintenance), the scheduler when config/recurring.yml has tasks
// (≤ 2 + 1 per task firing at once); every one of these OS processes has its own pool, which caps it. They
// connect with the database `config.solid_queue.connects_to` names (else primary); jobs also use primary up to
// their threads when that is another database. Formulas read from Solid Queue 1.5.0. Pure.
import {type ReadCommand, flagValue} from './command.js'
import type {Holder, ModelInput, ProcessModel, StackFinding, StackName} from './model.js'
import {type RubyWorld, databaseTarget, fileText, lockedVersion, railsEnvConfig} from './rails.js'
import {mergeHolders} from './holders.js'
import {railsHolders} from './rails-holders.js'
import {SOLID_QUEUE_VERSION, parseQueueYml, parseRecurringYml} from './ruby/solid-queue-config.js'
import {type Sourced, known} from './sourced.js'

export interface SolidQueueDemand {
  holders: Holder[]
  /** Jobs in flight: Σ worker threads × processes. */
  concurrency: Sourced<number>
  findings: StackFinding[]
  /** The lever of the first worker's threads (config/queue.yml). */
  threadsLever: Sourced<number>['lever']
  poolLever: Sourced<number>['lever']
}

/** What one Solid Queue supervisor and its processes hold; `perDyno` when it runs beside Puma (once per dyno). */
export function solidQueueDemand(world: RubyWorld, type: string, args: readonly string[], options: {perDyno?: boolean, label?: string} = {}): SolidQueueDemand {
  const env = world.env
  const v = lockedVersion(world, 'solid_queue')
  const version = `Solid Queue ${SOLID_QUEUE_VERSION}${v && v !== SOLID_QUEUE_VERSION ? `; ${v} in Gemfile.lock` : ''}`
  const configFile = flagValue(args, ['-c', '--config_file', '--config-file'])?.value ?? env.SOLID_QUEUE_CONFIG ?? 'config/queue.yml'
  const recurringFile = flagValue(args, ['--recurring_schedule_file', '--recurring-schedule-file'])?.value ?? env.SOLID_QUEUE_RECURRING_SCHEDULE ?? 'config/recurring.yml'
  const mode = flagValue(args, ['--mode'])?.value ?? env.SOLID_QUEUE_SUPERVISOR_MODE ?? 'fork'
  const skipRecurring = args.includes('--skip_recurring') || args.includes('--skip-recurring') || /^(1|true|t|yes|on)$/i.test(env.SOLID_QUEUE_SKIP_RECURRING ?? '')
  const queue = parseQueueYml(fileText(world, configFile, false), {file: configFile, env, railsEnv: world.railsEnv})
  const recurring = skipRecurring ? {tasks: 0, source: 'recurring tasks skipped', unknown: []} : parseRecurringYml(fileText(world, recurringFile, false), {file: recurringFile, env, railsEnv: world.railsEnv})
  for (const u of [...queue.unknown, ...recurring.unknown]) world.unknowns.push({variable: configFile, value: u, allowed: 'a form tsq reads (spec §14)', kind: 'unknown'})

  const connectsTo = railsEnvConfig(world).solidQueueDatabase
  const dbName = connectsTo?.value ?? 'primary'
  const db = databaseTarget(world, dbName)
  const primary = databaseTarget(world, 'primary')
  // Another config is another pool, even when it reaches the same server.
  const separate = dbName !== 'primary'
  const pool = db.pool.value
  const on = `${db.variable ?? 'a literal url:'} (${dbName}${connectsTo ? `, config.solid_queue.connects_to at ${connectsTo.source}` : ', no config.solid_queue.connects_to'})`
  const perDyno = options.perDyno
  const who = options.label ?? ''

  // Each OS process of the supervisor: its wants on the queue database and its job threads.
  const parts: Array<{what: string, count: number, want: number, jobThreads: number}> = []
  for (const w of queue.workers) parts.push({what: `worker (${w.threads.source}; processes ${w.processes.value} from ${w.processes.source})`, count: mode === 'async' ? 1 : w.processes.value, want: w.threads.value + 2, jobThreads: w.threads.value})
  for (const d of queue.dispatchers) parts.push({what: `dispatcher${d.line ? ` (${configFile}:${d.line})` : ''}`, count: 1, want: 3, jobThreads: 0})
  if (recurring.tasks > 0) parts.push({what: `scheduler (${recurring.tasks} recurring tasks in ${recurring.source})`, count: 1, want: 2 + recurring.tasks, jobThreads: 0})
  parts.push({what: 'supervisor', count: 1, want: 2, jobThreads: 0})

  const jobs = parts.reduce((n, p) => n + p.count * p.jobThreads, 0)
  const concurrency = known(jobs, `${queue.source}: ${queue.workers.map(w => `${w.processes.value} × ${w.threads.value} threads`).join(' + ') || 'no workers'} (${version})`, queue.workers[0]?.threads.lever ?? null)
  const list = parts.map(p => `${p.count > 1 ? `${p.count} × ` : ''}${p.what} min(pool ${pool}, ${p.want})`).join(' + ')
  let queueTotal: number
  let primaryTotal = 0
  if (mode === 'async') {
    // One process: every thread shares the queue database's pool.
    queueTotal = Math.min(pool, parts.reduce((n, p) => n + p.count * p.want, 0))
    if (separate) primaryTotal = Math.min(primary.pool.value, jobs)
  } else {
    queueTotal = parts.reduce((n, p) => n + p.count * Math.min(pool, p.want), 0)
    if (separate) primaryTotal = parts.reduce((n, p) => n + p.count * Math.min(primary.pool.value, p.jobThreads), 0)
  }
  const modeText = mode === 'async' ? 'async mode: one process, one pool' : 'fork mode: each process its own pool'
  const holders: Holder[] = []
  if (db.variable !== null) {
    // When Solid Queue shares primary, its job threads' own connections are the activerecord holder's.
    const own = separate ? queueTotal : queueTotal - Math.min(queueTotal, jobsWithinPool(parts, pool, mode))
    if (!separate) holders.push({holder: 'activerecord', kind: 'postgres', resourceVar: db.variable, perDyno, perProcess: known(queueTotal - own, `${who}job threads on the shared pool ${pool} (${db.pool.source})`)})
    holders.push({holder: 'solid-queue', kind: 'postgres', resourceVar: db.variable, perDyno,
      perProcess: known(own, `${who}${version} (${modeText}): ${list}${separate ? '' : ', less the job threads'} on ${on}`, queue.workers[0]?.threads.lever ?? null)})
  }
  if (separate && primary.variable !== null) {
    holders.push({holder: 'activerecord', kind: 'postgres', resourceVar: primary.variable, perDyno,
      perProcess: known(primaryTotal, `${who}jobs use primary up to their threads: ${jobs} threads, pool ${primary.pool.value} (${primary.pool.source})`)})
  }
  const workerProcesses = parts.filter(p => p.jobThreads > 0).reduce((n, p) => n + p.count, 0)
  const maxThreads = Math.max(0, ...queue.workers.map(w => w.threads.value))
  holders.push(...railsHolders(world, {web: false, threads: maxThreads, processes: mode === 'async' ? 1 : workerProcesses, perDyno, label: who || 'Solid Queue workers: ', primaryUsed: maxThreads}))

  const findings: StackFinding[] = queue.workers.map(w => {
    const t = w.threads.value
    if (pool >= t + 2) return {id: 'postgres.pool', status: 'ok', message: `${type} Solid Queue pool ${pool} ≥ threads ${t} + 2`, set: []}
    return {id: 'postgres.pool', status: pool < t ? 'fail' : 'warn', set: [{value: 'dbPoolSetting', to: t + 2}],
      message: `${type} runs Solid Queue workers of ${t} threads on a ${dbName} pool of ${pool}: each needs threads + 2 (poller, heartbeat); Solid Queue warns "Increase it in \`config/database.yml\`" and jobs wait for connections (ActiveRecord::ConnectionTimeoutError)`}
  })
  return {holders: mergeHolders(holders), concurrency, findings, threadsLever: queue.workers[0]?.threads.lever ?? null, poolLever: db.pool.lever}
}

/** The job threads' own connections within each process's pool, when the queue shares it. */
function jobsWithinPool(parts: ReadonlyArray<{count: number, jobThreads: number}>, pool: number, mode: string): number {
  const jobs = parts.reduce((n, p) => n + p.count * p.jobThreads, 0)
  return mode === 'async' ? Math.min(pool, jobs) : parts.reduce((n, p) => n + p.count * Math.min(pool, p.jobThreads), 0)
}

export function modelSolidQueue(input: ModelInput, stack: Sourced<StackName>, command: ReadCommand | null, world: RubyWorld): ProcessModel {
  const demand = solidQueueDemand(world, input.type, command?.args ?? [])
  const zero = known(0, 'filled from its holders')
  return {
    type: input.type, stack, role: 'worker', processesPerDyno: known(1, 'Solid Queue: one supervisor per command; the processes it forks are counted in its connections'),
    concurrency: demand.concurrency, threads: null, dbPool: zero, dbPoolSetting: null, redisConnections: zero, queues: ['solid_queue'],
    holders: demand.holders, consumes: [{backend: 'solid_queue'}], findings: demand.findings, problems: [],
    leverFor: value => value === 'concurrency' ? demand.threadsLever : value === 'dbPoolSetting' ? demand.poolLever : null,
    capDb: () => [],
    capRedis: () => [],
  }
}
