// Which stack a process type runs (spec §8) and its model: the one entry point the budget uses. Pure.
import {type SettingsProblem, typeKey} from '../settings.js'
import type {ModelInput, ModelProblem, ProcessModel, StackName} from './model.js'
import {STACKS} from './model.js'
import {type Sourced, known} from './sourced.js'
import {modelTsq} from './tsq.js'

export type {ModelInput, ProcessModel, StackName} from './model.js'

/** The model of one process type and the problems of its inputs (invalid variables, values that could not be read). */
export function modelProcess(input: ModelInput): {model: ProcessModel, problems: SettingsProblem[], unknowns: ModelProblem[]} {
  const problems: SettingsProblem[] = []
  const stack = detectStack(input, problems)
  if (stack.value === 'none') return {model: noneModel(input.type, stack), problems, unknowns: []}
  const tsq = modelTsq(input, stack)
  return {model: tsq.model, problems: [...problems, ...tsq.problems], unknowns: []}
}

/** `TSQ_<TYPE>_STACK` wins; then the release phase is `none`; then the command says; no command: heroku-tsq/runtime. */
export function detectStack(input: ModelInput, problems: SettingsProblem[]): Sourced<StackName> {
  const variable = `TSQ_${typeKey(input.type)}_STACK`
  const declared = input.config[variable]?.trim().toLowerCase()
  if (declared) {
    if ((STACKS as readonly string[]).includes(declared)) return known(declared as StackName, variable, {kind: 'env', variable})
    problems.push({variable, value: declared.slice(0, 40), allowed: `one of ${STACKS.join(', ')}`})
  }
  if (input.type === 'release') return known('none', 'the release phase (its migrations are counted in the reserve)', {kind: 'env', variable})
  return known('tsq', input.command === undefined ? 'no command known: heroku-tsq/runtime assumed' : `command \`${input.command.slice(0, 80)}\``, {kind: 'env', variable})
}

function noneModel(type: string, stack: Sourced<StackName>): ProcessModel {
  const zero = known(0, `stack none (${stack.source}): opens no connection`)
  return {
    type, stack, role: 'none', processesPerDyno: known(1, 'stack none'), concurrency: null, threads: null,
    dbPool: zero, dbPoolSetting: null, redisConnections: zero, queues: [], findings: [], problems: [],
    leverFor: () => null, capDb: () => [],
  }
}
