// Shared by the runtime integration tests: a built runtime, child processes running the example app, and
// what the real Redis and Postgres see of them. Every test uses its own dyno names, queues and table.
import {execFileSync, spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {readdirSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Queue} from 'bullmq'
import {Redis} from 'ioredis'
import pg from 'pg'
import {afterAll, beforeAll} from 'vitest'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const EXAMPLE_DIR = join(ROOT, 'examples/web-worker')
export const REDIS_URL = 'redis://127.0.0.1:6379'
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** Builds dist/ when the runtime or core sources are newer, since child processes run the built runtime. */
export function ensureBuilt(): void {
  const built = join(ROOT, 'dist/src/runtime/index.js')
  const mtime = (p: string) => statSync(p, {throwIfNoEntry: false})?.mtimeMs ?? 0
  const newest = ['src/runtime', 'src/core'].flatMap(d => readdirSync(join(ROOT, d)).map(f => mtime(join(ROOT, d, f))))
  if (mtime(built) >= Math.max(...newest)) return
  // tsc emits even when files elsewhere in the tree (other work in progress) fail to typecheck: judge by output.
  const result = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {cwd: ROOT, encoding: 'utf8'})
  if (mtime(built) < Math.max(...newest)) throw new Error(`could not build the runtime:\n${result.stdout}${result.stderr}`)
}

/** A short random id for names that must not collide with other tests or helpers sharing the servers. */
export function uid(): string {
  return `rt${randomBytes(4).toString('hex')}`
}

/** The environment of a fake dyno: nothing inherited that could change its settings. */
export function dynoEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) =>
    !/^(TSQ_|EXAMPLE_|REDIS|DATABASE_URL|DYNO$|WEB_CONCURRENCY$|PORT$|PG)/.test(k)))
  return {...base, REDIS_URL, DATABASE_URL, ...vars}
}

export interface AppProcess {
  child: ChildProcess
  pid: number
  lines: string[]
  /** Resolves with the first `count` lines matching `pattern` (waiting up to `ms`). */
  waitFor(pattern: RegExp, count?: number, ms?: number): Promise<string[]>
  exited: Promise<{code: number | null, signal: NodeJS.Signals | null}>
}

/** Starts `node <script>` (default: the example app) in its directory with `env`, collecting its log lines. */
export function startApp(env: NodeJS.ProcessEnv, script = join(EXAMPLE_DIR, 'app.js')): AppProcess {
  const child = spawn(process.execPath, [script], {cwd: dirname(script), env, stdio: ['ignore', 'pipe', 'pipe']})
  const lines: string[] = []
  const waiters = new Set<() => void>()
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean))
    for (const w of waiters) w()
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const exited = new Promise<{code: number | null, signal: NodeJS.Signals | null}>(done =>
    child.on('exit', (code, signal) => done({code, signal})))
  const waitFor = (pattern: RegExp, count = 1, ms = 20_000) => new Promise<string[]>((resolveLines, reject) => {
    const check = () => {
      const found = lines.filter(l => pattern.test(l))
      if (found.length < count) return
      cleanup()
      resolveLines(found.slice(0, count))
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no ${count}× ${pattern} within ${ms} ms; log:\n${lines.join('\n')}`))
    }, ms)
    const cleanup = () => {
      clearTimeout(timer)
      waiters.delete(check)
    }
    waiters.add(check)
    check()
  })
  return {child, pid: child.pid!, lines, waitFor, exited}
}

/** The pid in a runtime log line `tsq <dyno>[<pid>] ...`. */
export function pidOf(line: string): number {
  return Number(/\[(\d+)\]/.exec(line)?.[1])
}

/** Stops a process still running at the end of a test (SIGKILL: it is not what the test checks). */
function kill(app: AppProcess): void {
  if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL')
}

function redis(): Redis {
  return new Redis(REDIS_URL, {lazyConnect: false})
}

/** Client names on the Redis server that carry `tsq:<dyno>:` anywhere (BullMQ puts a prefix before it). */
export async function redisNames(client: Redis, dyno: string): Promise<string[]> {
  const list = await client.client('LIST') as string
  return list.split('\n').map(l => /(?:^| )name=(\S*)/.exec(l)?.[1] ?? '').filter(n => n.includes(`tsq:${dyno}:`)).sort()
}

/** Postgres connections per application_name for a dyno. */
export async function pgCounts(pool: pg.Pool, dyno: string): Promise<Record<string, number>> {
  const {rows} = await pool.query<{name: string, n: number}>(
    `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 GROUP BY 1`,
    [`tsq:${dyno}:%`])
  return Object.fromEntries(rows.map(r => [r.name, r.n]))
}

function pgPool(): pg.Pool {
  return new pg.Pool({connectionString: DATABASE_URL, max: 2, application_name: 'rt-test'})
}

/** Deletes the BullMQ keys of the given queues (default prefix `bull`). */
async function deleteQueueKeys(client: Redis, queues: string[]): Promise<void> {
  for (const queue of queues) {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `bull:${queue}:*`, 'COUNT', 1000)
      if (keys.length > 0) await client.del(...keys)
      cursor = next
    } while (cursor !== '0')
  }
}

/** What a runtime suite shares: handles on the real servers, and what to clean up once all its tests ran. */
export interface RuntimeFixtures {
  /** A client of the test Redis, opened on first use. */
  readonly redis: Redis
  /** A pool on the test database, opened on first use. */
  readonly pool: pg.Pool
  /** Queue names whose BullMQ keys are deleted at the end. */
  readonly queues: string[]
  /** Tables dropped at the end. */
  readonly tables: string[]
  /** Postgres roles dropped at the end. */
  readonly roles: string[]
  /** Starts an app (as startApp does) that is killed at the end if it is still running. */
  start(env: NodeJS.ProcessEnv, script?: string): AppProcess
  /** A BullMQ producer on the test Redis, closed at the end and its keys deleted. */
  queue(name: string): Queue
}

/**
 * Registers the suite's hooks: the runtime is built before its tests (child processes run dist/), and after
 * them the apps are killed, the queues closed and their keys deleted, the tables and roles dropped, and the
 * server handles closed.
 */
export function useRuntimeFixtures(): RuntimeFixtures {
  let client: Redis | undefined
  let pool: pg.Pool | undefined
  const apps: AppProcess[] = []
  const open: Queue[] = []
  const fixtures: RuntimeFixtures = {
    get redis() {
      return client ??= redis()
    },
    get pool() {
      return pool ??= pgPool()
    },
    queues: [],
    tables: [],
    roles: [],
    start(env, script) {
      const app = startApp(env, script)
      apps.push(app)
      return app
    },
    queue(name) {
      const queue = new Queue(name, {connection: {url: REDIS_URL}})
      open.push(queue)
      return queue
    },
  }

  beforeAll(() => {
    ensureBuilt()
  })

  afterAll(async () => {
    apps.forEach(kill)
    await Promise.all(open.map(q => q.close()))
    const queues = [...fixtures.queues, ...open.map(q => q.name)]
    if (queues.length > 0) await deleteQueueKeys(fixtures.redis, queues)
    for (const table of fixtures.tables) await fixtures.pool.query(`DROP TABLE IF EXISTS ${table}`)
    for (const role of fixtures.roles) await fixtures.pool.query(`DROP ROLE IF EXISTS ${role}`)
    client?.disconnect()
    await pool?.end()
  })

  return fixtures
}

/** Polls `probe` every 100 ms until it returns a truthy value, for at most `ms`. */
export async function until<T>(probe: () => Promise<T>, ms = 20_000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value) return value as NonNullable<T>
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 100))
  }
}

/** Runs the example's release-phase migration, which creates EXAMPLE_TABLE. */
export function migrate(env: NodeJS.ProcessEnv): void {
  execFileSync(process.execPath, [join(EXAMPLE_DIR, 'migrate.js')], {cwd: EXAMPLE_DIR, env, stdio: 'ignore'})
}

export interface ResultRow {
  job_id: string
  attempts: number
  completions: number
  finished_by: string | null
  finished_at: Date | null
}

export async function resultRows(pool: pg.Pool, table: string): Promise<ResultRow[]> {
  const {rows} = await pool.query<ResultRow>(`SELECT job_id, attempts, completions, finished_by, finished_at FROM ${table} ORDER BY job_id`)
  return rows
}
