// Which stack a process type runs (spec §8) and its model: the one entry point the budget uses. Pure.
import type {Checkout} from '../model/app-state.js'
import {type Env, type SettingsProblem, findRedisUrl, typeKey} from '../model/settings.js'
import {type ProgramKind, type ReadCommand, classifyProgram, readCommand} from './command.js'
import {type ModelInput, type ModelProblem, type ProcessModel, STACKS, type StackName} from './model.js'
import {modelApp} from './app.js'
import {modelGoodJob} from './good-job.js'
import {primaryVars, withHolders} from './holders.js'
import {modelSolidQueue} from './solid-queue.js'
import {modelPuma} from './puma.js'
import {databaseTarget, fileText, railsEnvConfig, rubyWorld} from './rails.js'
import {modelSidekiq} from './sidekiq.js'
import {type Sourced, assumed, known} from './sourced.js'
import {type DbRoute, routeOf} from './pooler.js'
import {modelTsq} from './tsq.js'

export type {ModelInput, ProcessModel, StackName} from './model.js'

export interface ModelOptions {
  /** Whether any process type of the formation runs Sidekiq (a web process then holds a Sidekiq client pool). */
  sidekiqType?: boolean
}

/** The model of one process type and the problems of its inputs (invalid variables, values that could not be read). */
export function modelProcess(input: ModelInput, options: ModelOptions = {}): {model: ProcessModel, problems: SettingsProblem[], unknowns: ModelProblem[]} {
  const problems: SettingsProblem[] = []
  const command = input.command === undefined ? null : readCommand(input.command, input.config, {isWrapperScript: path => wrapperScript(input.checkout, path)})
  const stack = detectStack(input, command, problems)
  const route = (tsqVariable?: {name: string, source: string}): DbRoute =>
    routeOf({type: input.type, stack: stack.value, config: input.config, command, checkout: input.checkout, tsqVariable})
  if (stack.value === 'none') {
    // tsq:autoscale as its own process type holds exactly one Redis connection, for its queue readings.
    const autoscaler = command !== null && runsAutoscale(command)
    return {model: {...noneModel(input.type, stack, autoscaler ? 1 : 0, findRedisUrl(input.config)?.variable), dbRoute: route()}, problems, unknowns: []}
  }
  if (stack.value === 'tsq') {
    const tsq = modelTsq(input, stack)
    const key = typeKey(input.type)
    const named = [`TSQ_${key}_DATABASE_URL_VAR`, 'TSQ_DATABASE_URL_VAR'].find(v => input.config[v] === tsq.settings.databaseUrlVar)
    const dbRoute = route({name: tsq.settings.databaseUrlVar, source: named ?? 'heroku-tsq default DATABASE_URL'})
    // Its Postgres holder connects with the variable the runtime reads (TSQ_DATABASE_URL_VAR, spec §11).
    const holders = tsq.model.holders.map(h => h.kind === 'postgres' ? {...h, resourceVar: tsq.settings.databaseUrlVar} : h)
    return {model: {...tsq.model, dbRoute, holders}, problems: [...problems, ...tsq.problems], unknowns: tsq.unknowns}
  }
  const world = rubyWorld(input.config, command, input.checkout)
  for (const u of command?.unknown ?? []) world.unknowns.push({variable: `${input.type} command`, value: u, allowed: 'a command tsq reads (spec §8)', kind: 'unknown'})
  const built = stack.value === 'puma' ? modelPuma(input, stack, command, world, options.sidekiqType ?? false)
    : stack.value === 'sidekiq' ? modelSidekiq(input, stack, command, world)
      : stack.value === 'solid_queue' ? modelSolidQueue(input, stack, command, world)
        : stack.value === 'good_job' ? modelGoodJob(input, stack, command, world)
          : modelApp(input, stack, world)
  const model = withHolders(built, built.holders, primaryVars(world.env, databaseTarget(world, 'primary').variable))
  const role = roleOverride(input, problems)
  return {model: {...model, ...(role ? {role} : {}), dbRoute: route()}, problems, unknowns: world.unknowns}
}

/** `TSQ_<TYPE>_STACK` wins; then the release phase is `none`; then the command says; no command: heroku-tsq/runtime. */
export function detectStack(input: ModelInput, command: ReadCommand | null, problems: SettingsProblem[]): Sourced<StackName> {
  const variable = `TSQ_${typeKey(input.type)}_STACK`
  const lever = {kind: 'env', variable} as const
  const declared = input.config[variable]?.trim().toLowerCase()
  if (declared) {
    if ((STACKS as readonly string[]).includes(declared)) return known(declared as StackName, variable, lever)
    problems.push({variable, value: declared.slice(0, 40), allowed: `one of ${STACKS.join(', ')}`})
  }
  if (input.type === 'release') return known('none', 'the release phase (its migrations are counted in the reserve)', lever)
  if (!command) return known('tsq', 'no command known: heroku-tsq/runtime assumed', lever)
  if (runsAutoscale(command)) return known('none', 'command: tsq:autoscale (opens no pool)', lever)
  const kind = classifyProgram(command)
  const via = command.wrappers.length > 0 ? ` through ${command.wrappers.join(', ')}` : ''
  const source = `command: ${command.program ?? '?'}${via}`
  const stack = STACK_OF[kind ?? 'other']
  if (kind === null) return assumed('none', 'command', `no program could be read from the ${input.type} command`, lever)
  return stack === 'app' && kind !== 'app'
    ? assumed('app', source, `${kind} is not modelled yet: counted as an app process`, lever)
    : known(stack, source, lever)
}

const STACK_OF: Record<ProgramKind, StackName> = {
  'node': 'tsq', 'puma': 'puma', 'rails-server': 'puma', 'sidekiq': 'sidekiq', 'release-like': 'none', 'other': 'none',
  'solid_queue': 'solid_queue', 'good_job': 'good_job', 'app': 'app',
}

/** Whether the command runs `tsq:autoscale` (as `npx heroku-tsq tsq:autoscale …` or `heroku tsq:autoscale …`). */
function runsAutoscale(command: ReadCommand): boolean {
  return [command.program ?? '', ...command.args].includes('tsq:autoscale')
}

/** Whether a Procfile command runs `tsq:autoscale`, read as the dyno's shell reads it (the stack it gets: `none` + 1 Redis). */
export function commandRunsAutoscale(command: string, env: Env = {}): boolean {
  return runsAutoscale(readCommand(command, env))
}

/** `TSQ_<TYPE>_ROLE` still overrides the stack's role (spec §8). */
function roleOverride(input: ModelInput, problems: SettingsProblem[]): ProcessModel['role'] | null {
  const variable = `TSQ_${typeKey(input.type)}_ROLE`
  const raw = input.config[variable]?.trim().toLowerCase()
  if (!raw) return null
  if (raw === 'web' || raw === 'worker' || raw === 'none') return raw
  problems.push({variable, value: raw.slice(0, 40), allowed: 'one of web, worker, none'})
  return null
}

/** A checkout script that ends by running its arguments (`exec "$@"`) is a wrapper; null without a checkout. */
function wrapperScript(checkout: Checkout | undefined, path: string): boolean | null {
  const file = checkout?.files[path.replace(/^\.\//, '')]
  if (!file || !('text' in file)) return null
  return /exec\s+"\$@"\s*$/m.test(file.text.trimEnd())
}

function noneModel(type: string, stack: Sourced<StackName>, redis = 0, redisVar = 'REDIS_URL'): ProcessModel {
  const zero = known(0, `stack none (${stack.source}): opens no connection`)
  const autoscaler = known(redis, 'tsq:autoscale: one Redis connection for its queue readings')
  return {
    type, stack, role: 'none', processesPerDyno: known(1, 'stack none'), concurrency: null, threads: null,
    dbPool: zero, dbPoolSetting: null, queues: [], findings: [], problems: [],
    redisConnections: redis > 0 ? autoscaler : zero,
    holders: redis > 0 ? [{holder: 'tsq', kind: 'redis', resourceVar: redisVar, perProcess: autoscaler}] : [],
    leverFor: () => null, capDb: () => [], capRedis: () => [],
  }
}

/** The app's Active Job backend (spec §14 jobs.consumer) and how puma.rb would start Solid Queue, for the fix. */
export interface JobsConfig {
  /** `config.active_job.queue_adapter` of application.rb / the environment's file; null when not set or no checkout. */
  adapter: Sourced<string> | null
  /** `plugin :solid_queue if ENV["X"]` in config/puma.rb: the variable that starts Solid Queue inside Puma. */
  pumaPlugin: {variable: string | null, line: number} | null
}

export function jobsConfig(env: Env, checkout: Checkout | undefined): JobsConfig {
  if (!checkout) return {adapter: null, pumaPlugin: null}
  const world = rubyWorld(env, null, checkout)
  const puma = fileText(world, 'config/puma.rb', false)
  const lines = puma?.split(/\r?\n/) ?? []
  const index = lines.findIndex(l => /^\s*plugin\s*\(?\s*[:'"]solid_queue\b/.test(l))
  const variable = index < 0 ? null : /ENV(?:\[\s*|\.fetch\(\s*)["']([A-Z0-9_]+)["']/.exec(lines[index]!)?.[1] ?? null
  return {adapter: railsEnvConfig(world).queueAdapter, pumaPlugin: index < 0 ? null : {variable, line: index + 1}}
}
