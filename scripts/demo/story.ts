// What both stories (Node, Rails) share: the repository's root, the tsq CLI run as a user runs it, what
// they started and must stop (a scope per story), the connection errors counted from the logs, who holds
// each connection, and the predicted-vs-measured table.
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Redis} from 'ioredis'
import type {DoctorReport} from '../../src/core/checks/doctor.js'
import {parseTsqName} from '../../src/probe/parse.js'
import type {Formation} from '../lib/formation.js'
import type {ConnectionSampler, Sample} from '../lib/sampler.js'
import {HARNESS_NAME, type Servers} from '../lib/servers.js'
import {say, table} from './ui.js'

/** The checkout: the nearest directory up from here with bin/run.js (from scripts/demo and dist/scripts/demo alike). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))

/** What a story needs from the run: stop when told, keep things running when asked, where to put its copies. */
export interface DemoContext {
  signal: AbortSignal
  keep: boolean
  /** The run's temp dir (removed at the end). */
  tempRoot: string
}

/** What one story started, stopped in reverse order. */
export class Scope {
  private readonly stops: Array<{what: string, stop: () => Promise<unknown> | unknown, listed: boolean}> = []

  constructor(readonly name: string) {}

  private closed = false

  /**
   * `stop` runs at close; `listed` false leaves it out of what --keep lists (a helper, or stopped already).
   * After close (the demo was stopped while a story was still starting something), it runs at once.
   */
  defer(what: string, stop: () => Promise<unknown> | unknown, listed = true): void {
    if (this.closed) void Promise.resolve().then(stop).catch(() => {})
    else this.stops.push({what, stop, listed})
  }

  /** What is left running, by what it is (for --keep). */
  running(): string[] {
    return this.stops.filter(s => s.listed).map(s => s.what)
  }

  /** Stops everything deferred, last first; a failure to stop one does not keep the others running. */
  async close(): Promise<void> {
    this.closed = true
    for (let s = this.stops.pop(); s; s = this.stops.pop()) {
      try {
        await s.stop()
      } catch (error) {
        say(`   (stopping ${s.what}: ${error instanceof Error ? error.message : String(error)})`)
      }
    }
  }
}

/** The story did not hold, or could not be played (a server did not start, an app did not boot). */
export class StoryError extends Error {}

export interface TsqRun<T> {
  code: number
  stdout: string
  stderr: string
  json: T | null
}

/** `bin/run.js <args>` (the standalone CLI: the same commands and flags as `heroku tsq:*`) with only PATH and HOME. */
export function tsq<T = unknown>(args: readonly string[], signal: AbortSignal): Promise<TsqRun<T>> {
  return new Promise(resolve => {
    const env = {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1'}
    execFile(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {cwd: ROOT, env, timeout: 90_000, maxBuffer: 16 << 20, signal},
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        let json: T | null = null
        if (args.includes('--json')) {
          try {
            json = JSON.parse(stdout) as T
          } catch {
            json = null
          }
        }
        resolve({code, stdout, stderr, json})
      })
  })
}

/** tsq:doctor --json, failing the story when it gives no report (it could not run at all). */
export async function doctorJson(args: readonly string[], signal: AbortSignal): Promise<{code: number, report: DoctorReport}> {
  const run = await tsq<DoctorReport>(['tsq:doctor', ...args, '--json'], signal)
  if (!run.json) throw new StoryError(`tsq:doctor ${args.join(' ')} exited ${run.code} without a report:\n${run.stdout}${run.stderr}`)
  return {code: run.code, report: run.json}
}

export function failingChecks(report: DoctorReport): string[] {
  return report.checks.filter(c => c.status === 'fail').map(c => c.id)
}

/** The connection errors the doctor predicts, as the apps log them. */
export const ERROR_KINDS = [
  {label: 'Postgres refused a connection (too many clients)', pattern: /too many clients|remaining connection slots/i},
  {label: 'Redis refused a connection (max number of clients reached)', pattern: /max number of clients/i},
  {label: 'ActiveRecord::ConnectionTimeoutError (more threads than pool)', pattern: /ActiveRecord::ConnectionTimeoutError|could not obtain a (database )?connection/},
  {label: 'a pg pool gave up waiting for a connection', pattern: /timeout exceeded when trying to connect|Connection terminated due to connection timeout/i},
  {label: 'heroku-tsq/runtime: the server refused connections at boot', pattern: /refused \d+ of the/},
] as const

export interface ErrorCount {
  label: string
  count: number
  /** The first such line, as `<dyno>: <line>`. */
  example: string
}

/** Log lines that are connection errors, by kind (a line counts once, for its first kind). */
export function countErrors(lines: readonly string[]): {total: number, kinds: ErrorCount[]} {
  const kinds: ErrorCount[] = []
  let total = 0
  for (const line of lines) {
    const kind = ERROR_KINDS.find(k => k.pattern.test(line))
    if (!kind) continue
    total++
    const found = kinds.find(k => k.label === kind.label)
    if (found) found.count++
    else kinds.push({label: kind.label, count: 1, example: line})
  }
  return {total, kinds}
}

export function printErrors(errors: {total: number, kinds: ErrorCount[]}): void {
  say(`   ${errors.total} connection error${errors.total === 1 ? '' : 's'} in the apps' logs${errors.total > 0 ? ':' : ''}`)
  for (const k of errors.kinds) {
    say(`     ${String(k.count).padStart(4)}  ${k.label}`)
    say(`           e.g. ${k.example.length > 150 ? `${k.example.slice(0, 150)}…` : k.example}`)
  }
}

/** The Procfile types a formation runs (the release phase runs once, before). */
export function dynoTypes(procfile: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(procfile).filter(([type]) => type !== 'release'))
}

export function webPort(formation: Formation): number {
  const port = formation.dynos.get('web.1')?.port
  if (port === undefined || port === null) throw new StoryError('web.1 has no port')
  return port
}

/** Empties the story's Redis (jobs left from the stage before, retries included), as the harness. */
export async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url, {connectionName: HARNESS_NAME, maxRetriesPerRequest: 1, lazyConnect: true})
  redis.on('error', () => {})
  try {
    await redis.connect()
    await redis.flushall()
  } finally {
    redis.disconnect()
  }
}

/**
 * Who holds each connection now, by process (`web.1[4242]`) and purpose, from the names tsq gives them
 * (`tsq:<dyno>:<pid>[:<purpose>]`), the way tsq:doctor --live reads them; a name without one counts as unnamed.
 */
export function printAttribution(reading: Sample): {unnamed: number} {
  const rows = new Map<string, {postgres: Map<string, number>, redis: Map<string, number>}>()
  let unnamed = 0
  for (const server of ['postgres', 'redis'] as const) {
    for (const name of reading.names[server] ?? []) {
      const parsed = parseTsqName(name)
      const key = parsed ? `${parsed.dyno}[${parsed.pid}]` : '(no tsq name)'
      if (!parsed) unnamed++
      const row = rows.get(key) ?? {postgres: new Map<string, number>(), redis: new Map<string, number>()}
      const purpose = parsed?.purpose ?? (server === 'postgres' ? 'db' : 'unnamed')
      row[server].set(purpose, (row[server].get(purpose) ?? 0) + 1)
      rows.set(key, row)
    }
  }
  const cell = (m: Map<string, number>) => [...m].map(([purpose, n]) => `${n} ${purpose}`).join(', ') || '-'
  const sorted = [...rows].sort(([a], [b]) => a.localeCompare(b, 'en', {numeric: true}))
  table([['process', 'Postgres', 'Redis'], ...sorted.map(([key, row]) => [key, cell(row.postgres), cell(row.redis)])], 5)
  return {unnamed}
}

export interface PeakComparison {
  server: 'postgres' | 'redis'
  predicted: number
  measured: number
}

/** Predicted (the doctor's demand, per type and in all) next to the measured peak of each; returns the totals. */
export function printPredictedVsMeasured(report: DoctorReport, sampler: ConnectionSampler): PeakComparison[] {
  const rows: string[][] = [['server', 'type', 'predicted by tsq:doctor', 'measured peak']]
  const peak = sampler.peak()
  const out: PeakComparison[] = []
  for (const server of ['postgres', 'redis'] as const) {
    const resource = report.resources.find(r => r.kind === server)
    if (!resource) continue
    const byType = sampler.peakByType(server)
    const label = server === 'postgres' ? 'Postgres' : 'Redis'
    resource.rows.forEach((row, i) => rows.push([i === 0 ? label : '', row.type, String(row.total), String(byType[row.type] ?? 0)]))
    if (byType.unnamed) rows.push(['', 'unnamed', '0', String(byType.unnamed)])
    rows.push(['', 'all', `${resource.demand} (limit ${resource.limit ?? '?'})`, String(peak[server])])
    out.push({server, predicted: resource.demand, measured: peak[server]})
  }
  table(rows)
  return out
}

/** Starts the servers of a story, announcing them. */
export function describeServers(servers: Servers): string {
  return `Postgres max_connections 20 (17 for the app's role, as on Heroku) on 127.0.0.1:${servers.postgres.port}, ` +
    `Redis maxclients 20 on 127.0.0.1:${servers.redis.port}`
}

/** `work`, or the abort's reason as soon as the demo is stopped. */
export function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), {once: true})
  })])
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, ms: number, signal: AbortSignal): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    signal.throwIfAborted()
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new StoryError(`${what}: not within ${ms / 1000} s`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin/run.js'))) return dir
    if (dirname(dir) === dir) throw new Error(`no bin/run.js above ${from}`)
  }
}
