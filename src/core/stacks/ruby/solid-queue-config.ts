// Reads Solid Queue's config/queue.yml and config/recurring.yml as Solid Queue 1.5.0 loads them
// (lib/solid_queue/configuration.rb `config_from`): the environment's section when it has one, else the whole
// file; its `workers`/`dispatchers`/`scheduler` keys; and when none is there, the built-in default of one
// worker (3 threads) and one dispatcher. Recurring tasks are the entries with a `schedule:`. Pure.
import type {Env} from '../../model/settings.js'
import {type Sourced, assumed, fileLine, known} from '../sourced.js'
import {type YamlNode, nodeAt, readErbYaml, readScalar} from './erb-yaml.js'

/** The Solid Queue release its defaults and formulas were read from. */
export const SOLID_QUEUE_VERSION = '1.5.0'

export interface SolidQueueWorker {
  threads: Sourced<number>
  /** Forked copies of this worker (`processes:`, fork mode only). */
  processes: Sourced<number>
  line: number
}

export interface SolidQueueYml {
  workers: SolidQueueWorker[]
  dispatchers: Array<{line: number}>
  /** Where the processes came from: `config/queue.yml production`, or Solid Queue's default configuration. */
  source: string
  /** The file's processes are Solid Queue's built-in defaults (no file, or no processes in it). */
  fallback: boolean
  unknown: string[]
}

export interface SolidQueueOptions {
  file: string
  env: Env
  railsEnv: string
}

const DEFAULT_THREADS = 3
const DEFAULT_PROCESSES = 1

/** The processes queue.yml configures for `railsEnv`; `text` null when the file is absent (the defaults apply). */
export function parseQueueYml(text: string | null, options: SolidQueueOptions): SolidQueueYml {
  const {file, railsEnv} = options
  const fallback = (why: string, unknown: string[] = []): SolidQueueYml => ({
    workers: [{threads: known(DEFAULT_THREADS, `Solid Queue ${SOLID_QUEUE_VERSION} default threads 3 (${why})`), processes: known(DEFAULT_PROCESSES, `Solid Queue ${SOLID_QUEUE_VERSION} default processes 1`), line: 0}],
    dispatchers: [{line: 0}], source: `Solid Queue ${SOLID_QUEUE_VERSION} default configuration: 1 worker, 1 dispatcher (${why})`, fallback: true, unknown,
  })
  if (text === null) return fallback(`${file} not found`)
  const yaml = readErbYaml(text, {file, env: options.env, railsEnv})
  if (yaml.failed) {
    const out = fallback(`${file} could not be read`, yaml.unknown)
    out.workers[0]!.threads = assumed(DEFAULT_THREADS, out.workers[0]!.threads.source, `${file} could not be read`)
    return out
  }
  const section = nodeAt(yaml.root, [railsEnv], true)
  const config = section && section.kind === 'map' && section.entries.length > 0 ? section : yaml.root
  const where = config === section ? `${file} ${railsEnv}` : file
  const workersNode = nodeAt(config, ['workers'], true)
  const dispatchersNode = nodeAt(config, ['dispatchers'], true)
  const schedulerNode = nodeAt(config, ['scheduler'], true)
  if (!workersNode && !dispatchersNode && !schedulerNode) return fallback(`no workers or dispatchers in ${where}`, yaml.unknown)
  const unknown = [...yaml.unknown]
  const workers = items(workersNode).map(node => ({
    threads: count(node, 'threads', DEFAULT_THREADS, file, unknown),
    processes: count(node, 'processes', DEFAULT_PROCESSES, file, unknown),
    line: node.line,
  }))
  return {workers, dispatchers: items(dispatchersNode).map(node => ({line: node.line})), source: where, fallback: false, unknown}
}

/** The recurring tasks Solid Queue's scheduler runs for `railsEnv` (entries with a `schedule:`); the file's line. */
export function parseRecurringYml(text: string | null, options: SolidQueueOptions): {tasks: number, source: string, unknown: string[]} {
  const {file, railsEnv} = options
  if (text === null) return {tasks: 0, source: `${file} not found`, unknown: []}
  const yaml = readErbYaml(text, {file, env: options.env, railsEnv})
  if (yaml.failed) return {tasks: 0, source: `${file} could not be read`, unknown: yaml.unknown}
  const section = nodeAt(yaml.root, [railsEnv], true)
  const config = section && section.kind === 'map' && section.entries.length > 0 ? section : yaml.root
  const tasks = config?.kind === 'map' ? config.entries.filter(([, v]) => nodeAt(v, ['schedule'], true) !== null).length : 0
  return {tasks, source: `${config === section ? `${file} ${railsEnv}` : file}${config ? `:${config.line}` : ''}`, unknown: yaml.unknown}
}

function items(node: YamlNode | null): YamlNode[] {
  return node?.kind === 'seq' ? node.items.filter(i => i.kind === 'map') : []
}

function count(node: YamlNode, key: string, fallback: number, file: string, unknown: string[]): Sourced<number> {
  const n = nodeAt(node, [key], true)
  if (!n) return known(fallback, `Solid Queue ${SOLID_QUEUE_VERSION} default ${key} ${fallback} (${fileLine(file, node.line)})`)
  const read = readScalar(n, file, v => typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v
    : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? parseInt(v, 10) : null, `${key}:`)
  if (read.ok) return read.value
  unknown.push(read.why)
  return assumed(fallback, `Solid Queue ${SOLID_QUEUE_VERSION} default ${key} ${fallback}`, read.why)
}
