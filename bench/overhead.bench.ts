// Runtime overhead: how long `import('heroku-tsq/runtime')` takes against importing pg, ioredis and bullmq
// directly, and how long a web or worker process takes from spawn to serving its first request or job,
// against the same app wiring the libraries by hand (test/fixtures/naive-app). Fresh processes, alternating.
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {join} from 'node:path'
import {Queue} from 'bullmq'
import {EXAMPLE_DIR, NAIVE_DIR, ROOT} from '../test/e2e/proof/lib/app-dir.js'
import {TABLE, migrate} from '../test/e2e/proof/lib/results.js'
import {startServers} from '../test/e2e/proof/lib/servers.js'
import {freePort} from '../test/helpers/services-common.js'
import {median, progress, round, writeResult} from './lib/report.js'

const IMPORT_RUNS = 21
const BOOT_RUNS = 9

function importMs(code: string): number {
  const script = `const t = performance.now(); ${code}; process.stdout.write(String(performance.now() - t))`
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], {cwd: ROOT, encoding: 'utf8'}))
}

const servers = await startServers({maxclients: 10_000, maxConnections: 300})
const env = (dyno: string, port: number) => ({PATH: process.env.PATH ?? '', DYNO: dyno, PORT: String(port), REDIS_URL: servers.redisUrl,
  DATABASE_URL: servers.databaseUrl, WEB_CONCURRENCY: '1', EXAMPLE_JOB_MS: '0'})
const queue = new Queue('default', {connection: {url: servers.redisUrl}})
const children: ChildProcess[] = []

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** Polls `ready` every 10 ms for up to 30 s; ms from `started`. */
async function until(started: number, ready: () => Promise<boolean>): Promise<number> {
  while (Date.now() - started < 30_000) {
    if (await ready().catch(() => false)) return performance.now()
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error('not ready within 30 s')
}

/** Spawn → first POST /jobs (202) and GET /results (200) both answered. */
async function webReady(dir: string, n: number): Promise<number> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(process.execPath, ['app.js'], {cwd: dir, env: env('web.1', port), stdio: 'ignore'})
  children.push(child)
  const base = `http://127.0.0.1:${port}`
  const done = await until(Date.now(), async () => {
    const [post, get] = await Promise.all([fetch(`${base}/jobs?count=1&ms=0&id=web-${n}`, {method: 'POST'}), fetch(`${base}/results`)])
    return post.status === 202 && get.status === 200
  })
  await stop(child)
  return done - t0
}

/** Spawn → a job enqueued beforehand has its result in Postgres. */
async function workerReady(dir: string, n: number): Promise<number> {
  const id = `worker-${n}`
  await queue.add('example', {ms: 0}, {jobId: id})
  const t0 = performance.now()
  const child = spawn(process.execPath, ['app.js'], {cwd: dir, env: env('worker.1', 0), stdio: 'ignore'})
  children.push(child)
  const done = await until(Date.now(), async () => {
    const {rows} = await servers.admin.query(`SELECT 1 FROM ${TABLE} WHERE job_id = $1 AND finished_at IS NOT NULL`, [id])
    return rows.length === 1
  })
  await stop(child)
  return done - t0
}

try {
  await migrate(EXAMPLE_DIR, env('release.1', 0))
  const imports = {tsq: [] as number[], alt: [] as number[]}
  for (let i = 0; i < IMPORT_RUNS; i++) {
    imports.tsq.push(importMs(`await import('heroku-tsq/runtime')`))
    imports.alt.push(importMs(`await Promise.all([import('pg'), import('ioredis'), import('bullmq')])`))
  }
  progress(`import: tsq ${round(median(imports.tsq))} ms, pg+ioredis+bullmq ${round(median(imports.alt))} ms`)
  const boots = {web: {tsq: [] as number[], alt: [] as number[]}, worker: {tsq: [] as number[], alt: [] as number[]}}
  for (let i = 0; i < BOOT_RUNS; i++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const pairs: Array<[keyof typeof boots, 'tsq' | 'alt']> = i % 2 === 0
      ? [['web', 'tsq'], ['web', 'alt'], ['worker', 'tsq'], ['worker', 'alt']]
      : [['web', 'alt'], ['web', 'tsq'], ['worker', 'alt'], ['worker', 'tsq']]
    for (const [role, who] of pairs) {
      const dir = who === 'tsq' ? EXAMPLE_DIR : NAIVE_DIR
      boots[role][who].push(role === 'web' ? await webReady(dir, i * 2 + (who === 'tsq' ? 0 : 1)) : await workerReady(dir, i * 2 + (who === 'tsq' ? 0 : 1)))
    }
    progress(`boot run ${i + 1}: web ${round(boots.web.tsq.at(-1)!)} / ${round(boots.web.alt.at(-1)!)} ms, worker ${round(boots.worker.tsq.at(-1)!)} / ${round(boots.worker.alt.at(-1)!)} ms`)
  }
  const row = (metric: string, xs: {tsq: number[], alt: number[]}) => ({metric, unit: 'ms', tsq: round(median(xs.tsq)), alternative: round(median(xs.alt))})
  writeResult({
    title: 'Runtime overhead against wiring pg, ioredis and BullMQ by hand',
    rows: [
      row('import(\'heroku-tsq/runtime\') vs import pg + ioredis + bullmq', imports),
      row('web process: spawn → first enqueue and first Postgres read served', boots.web),
      row('worker process: spawn → first job\'s result in Postgres', boots.worker),
    ],
    notes: [`medians: ${IMPORT_RUNS} fresh processes per import, ${BOOT_RUNS} boots per process kind; one process per dyno (WEB_CONCURRENCY=1)`,
      `tsq opens its whole pool (5 Postgres connections) and its Redis connections before serving; the hand-wired app connects on first use`],
    meta: {imports, boots, script: join('bench', 'overhead.bench.ts')},
  })
} finally {
  await Promise.allSettled(children.map(stop))
  await queue.close()
  await servers.stop()
}
