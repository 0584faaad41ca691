// tsq:export systemd end to end, as the "done when" runs it: the built CLI (standalone and through the
// real heroku CLI) with the spec's spelling `tsq:export systemd`, units verified by systemd-analyze, and the
// units' ExecStart run with the units' own environment (DYNO, PORT, the .env): the example app's release,
// web and worker start against the local Redis (127.0.0.1:6379) and Postgres (127.0.0.1:5432), process a job,
// and drain within TimeoutStopSec on SIGTERM sent to the main process only (KillMode=mixed).
import {type ChildProcess, execFile, spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {Redis} from 'ioredis'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseDotenv} from '../../src/core/model/procfile.js'
import type {ExportResult} from '../../src/render/export.js'
import {type HerokuSandbox, REPO_ROOT, createHerokuSandbox} from '../helpers/heroku-cli.js'
import {freePort, guard} from '../helpers/services-common.js'

const SECRET = 'SENTINELexportE2Esecret9917'
const RUN_ID = `${process.pid}_${Date.now().toString(36)}`
const QUEUE = `tsq-export-proof-${RUN_ID}`
const TABLE = `tsq_export_proof_${RUN_ID}`.toLowerCase()
const LOCAL_REDIS = 'redis://127.0.0.1:6379'
const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432/postgres'
/** The units' TimeoutStopSec: a process still running this long after SIGTERM would be killed. */
const STOP_TIMEOUT_MS = 30_000

let sandbox: HerokuSandbox
let app: string
let out: string
const tempDirs: string[] = []
const exec = promisify(execFile)

beforeAll(async () => {
  sandbox = await createHerokuSandbox({apiUrl: 'http://127.0.0.1:9', apiKey: 'unused', env: {NO_COLOR: '1'}})
  // A copy of the example inside the repository's ignored .tmp/, so `heroku-tsq/runtime` resolves by package
  // self-reference; its own queue and table keep it apart from anything else using the local servers.
  mkdirSync(join(REPO_ROOT, '.tmp'), {recursive: true})
  app = mkdtempSync(join(REPO_ROOT, '.tmp', 'export-app-'))
  out = mkdtempSync(join(tmpdir(), 'tsq-export-units-'))
  tempDirs.push(app, out)
  const example = join(REPO_ROOT, 'examples/web-worker')
  for (const f of readdirSync(example).filter(n => n.endsWith('.js'))) copyFileSync(join(example, f), join(app, f))
  // The worker's command needs a shell (an expansion), so both kinds of ExecStart are run below.
  writeFileSync(join(app, 'Procfile'), 'web: node app.js\nworker: ${NODE:-node} app.js\nrelease: node migrate.js\n')
  writeFileSync(join(app, '.env'), [`REDIS_URL=${LOCAL_REDIS}`, `DATABASE_URL=${LOCAL_PG}`, `TSQ_QUEUES=${QUEUE}`, `EXAMPLE_TABLE=${TABLE}`,
    `TSQ_PROOF_SECRET=${SECRET}`, ''].join('\n'))
})

afterAll(async () => {
  sandbox?.cleanup()
  for (const d of tempDirs) rmSync(d, {recursive: true, force: true})
  const client = new pg.Client({connectionString: LOCAL_PG})
  await client.connect().then(() => client.query(`DROP TABLE IF EXISTS ${TABLE}`)).finally(() => client.end()).catch(() => {})
  const redis = new Redis(LOCAL_REDIS, {lazyConnect: true, maxRetriesPerRequest: 1})
  await redis.connect().then(async () => {
    const keys = await redis.keys(`bull:${QUEUE}:*`)
    if (keys.length > 0) await redis.del(...keys)
  }).finally(() => redis.disconnect()).catch(() => {})
})

function units(): Record<string, string> {
  return Object.fromEntries(readdirSync(out).sort().map(n => [n, readFileSync(join(out, n), 'utf8')]))
}

describe('tsq:export systemd through the built CLI', () => {
  it('writes myapp.target and a verified unit per instance with the stop contract, DYNO, PORT 5000, 5001, 5100 and the .env by reference', async () => {
    const run = await sandbox.standalone(['tsq:export', 'systemd', '--dir', app, '--formation', 'web=2,worker=1', '--app', 'myapp',
      '--user', 'deploy', '--out', out, '--json'], {timeoutMs: 60_000})
    expect(run.exitCode, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout) as ExportResult
    expect(result.files.map(f => [f.path.slice(out.length + 1), f.action])).toEqual([
      ['myapp-release.1.service', 'create'], ['myapp-web.1.service', 'create'], ['myapp-web.2.service', 'create'],
      ['myapp-worker.1.service', 'create'], ['myapp.target', 'create'],
    ])
    const written = units()
    expect(Object.keys(written)).toEqual(['myapp-release.1.service', 'myapp-web.1.service', 'myapp-web.2.service', 'myapp-worker.1.service', 'myapp.target'])
    expect(['myapp-web.1.service', 'myapp-web.2.service', 'myapp-worker.1.service'].map(n => unitOf(written[n]!).environment))
      .toEqual([{PORT: '5000', DYNO: 'web.1'}, {PORT: '5001', DYNO: 'web.2'}, {PORT: '5100', DYNO: 'worker.1'}])
    for (const text of Object.values(written)) expect(text).not.toContain(SECRET)
    expect(run.stdout + run.stderr).not.toContain(SECRET)
    const verify = await exec('systemd-analyze', ['verify', '--man=no', ...Object.keys(written).map(n => join(out, n))], {timeout: 30_000})
    expect(verify.stderr).toBe('')
  })

  it('is the same command through the real heroku CLI, with the spec\'s spelling', async () => {
    const run = await sandbox.heroku(['tsq:export', 'systemd', '--dir', app, '--formation', 'web=2,worker=1', '--app', 'myapp',
      '--user', 'deploy', '--out', out, '--json'], {timeoutMs: 60_000})
    expect(run.exitCode, run.stderr).toBe(0)
    expect((JSON.parse(run.stdout) as ExportResult).files.map(f => f.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'])
  })

  it('refuses web=40,worker=40 against the local Postgres limit with nothing written', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tsq-export-refused-'))
    tempDirs.push(empty)
    const run = await sandbox.standalone(['tsq:export', 'systemd', '--dir', app, '--formation', 'web=40,worker=40', '--app', 'myapp',
      '--out', empty], {timeoutMs: 60_000})
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('postgres.connections')
    expect(readdirSync(empty)).toEqual([])
  })
})

describe('the units\' ExecStart, run with the units\' environment', () => {
  const started: Array<{child: ChildProcess, disarm: () => void}> = []
  afterAll(() => {
    for (const {child, disarm} of started) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      disarm()
    }
  })

  it('runs release, then web and worker, which serve and process a job and drain on SIGTERM within TimeoutStopSec', async () => {
    const base = await freePort()
    const run = await sandbox.standalone(['tsq:export', 'systemd', '--dir', app, '--formation', 'web=1,worker=1', '--app', 'proof',
      '--user', 'deploy', '--port', String(base), '--out', out], {timeoutMs: 60_000})
    expect(run.exitCode, run.stderr).toBe(0)
    const start = (name: string) => {
      const unit = unitOf(readFileSync(join(out, name), 'utf8'))
      expect(unit.workingDirectory).toBe(app)
      expect(unit.environmentFile).toBe(join(app, '.env'))
      // systemd applies Environment= first and EnvironmentFile= over it; PATH stands in for systemd's own.
      const env = {PATH: process.env.PATH ?? '/usr/bin:/bin', ...unit.environment, ...parseDotenv(readFileSync(unit.environmentFile, 'utf8'))}
      const child = spawn(unit.execStart[0]!, unit.execStart.slice(1), {cwd: unit.workingDirectory, env, stdio: ['ignore', 'pipe', 'pipe']})
      const guardDir = mkdtempSync(join(tmpdir(), 'tsq-export-guard-'))
      tempDirs.push(guardDir)
      started.push({child, disarm: guard(guardDir, {pid: child.pid!, signal: 'SIGKILL'})})
      return {child, ...lines(child), unit}
    }

    const release = start('proof-release.1.service')
    expect(await exited(release.child, 60_000)).toEqual({code: 0, signal: null})
    expect(release.text()).toContain(`migrate: table ${TABLE} is ready`)

    const web = start('proof-web.1.service')
    const worker = start('proof-worker.1.service')
    expect(worker.unit.execStart.slice(0, 2)).toEqual(['/bin/sh', '-c'])
    await Promise.all([web.waitFor(/web\.1\[\d+\] ready role=web/, 60_000), worker.waitFor(/worker\.1\[\d+\] ready role=worker/, 60_000)])
    expect(web.text() + worker.text()).not.toContain(SECRET)
    // The worker runs through /bin/sh -c "exec …": node itself is the process systemd would signal.
    expect(worker.text()).toContain(`worker.1[${worker.child.pid}] ready`)
    const health = await (await fetch(`http://127.0.0.1:${base}/health`)).json() as {dyno: string}
    expect(health.dyno).toBe('web.1')

    // A job still running when the worker gets SIGTERM: the drain lets it finish.
    const job = `slow-${RUN_ID}`
    expect((await fetch(`http://127.0.0.1:${base}/jobs?ms=3000&id=${job}`, {method: 'POST'})).status).toBe(202)
    await until(async () => ((await result(base, job))?.attempts ?? 0) >= 1, 30_000)
    worker.child.kill('SIGTERM')
    expect(await exited(worker.child, STOP_TIMEOUT_MS)).toEqual({code: 0, signal: null})
    expect(await result(base, job)).toMatchObject({attempts: 1, completions: 1, finished_by: `worker.1:${worker.child.pid}`})

    web.child.kill('SIGTERM')
    expect(await exited(web.child, STOP_TIMEOUT_MS)).toEqual({code: 0, signal: null})
  }, 180_000)
})

interface Unit {
  environment: Record<string, string>
  environmentFile: string
  workingDirectory: string
  execStart: string[]
}

/** The [Service] settings a test runs a unit with, read back from its text as systemd reads them. */
function unitOf(text: string): Unit {
  const values = (key: string) => text.split('\n').filter(l => l.startsWith(`${key}=`)).map(l => l.slice(key.length + 1))
  return {
    environment: Object.fromEntries(values('Environment').map(v => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)])),
    environmentFile: values('EnvironmentFile')[0]!.replace(/^-/, '').replaceAll('%%', '%'),
    workingDirectory: values('WorkingDirectory')[0]!.replaceAll('%%', '%'),
    execStart: systemdWords(values('ExecStart')[0]!),
  }
}

/** ExecStart's words: double quotes with backslash escapes, then `$$` and `%%` unescaped. */
function systemdWords(line: string): string[] {
  const words: string[] = []
  let i = 0
  while (i < line.length) {
    if (line[i] === ' ') {
      i++
      continue
    }
    let word = ''
    if (line[i] === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) word += line[i] === '\\' ? line[++i] : line[i]
      i++
    } else {
      while (i < line.length && line[i] !== ' ') word += line[i++]
    }
    words.push(word.replaceAll('$$', '$').replaceAll('%%', '%'))
  }
  return words
}

function lines(child: ChildProcess): {text(): string, waitFor(pattern: RegExp, ms: number): Promise<void>} {
  let text = ''
  const waiters: Array<() => void> = []
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8')
    for (const w of waiters.splice(0)) w()
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  return {
    text: () => text,
    waitFor: (pattern, ms) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms} ms; output:\n${text}`)), ms)
      const check = () => {
        if (pattern.test(text)) {
          clearTimeout(timer)
          resolve()
        } else if (child.exitCode !== null) {
          clearTimeout(timer)
          reject(new Error(`exited ${child.exitCode} before ${pattern}; output:\n${text}`))
        } else waiters.push(check)
      }
      check()
    }),
  }
}

/** How the process ended; rejects when it is still running after `ms`. */
function exited(child: ChildProcess, ms: number): Promise<{code: number | null, signal: NodeJS.Signals | null}> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({code: child.exitCode, signal: child.signalCode})
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running ${ms} ms later`)), ms)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal})
    })
  })
}

async function result(port: number, id: string): Promise<{attempts: number, completions: number, finished_by: string | null} | null> {
  const response = await fetch(`http://127.0.0.1:${port}/results/${id}`)
  return response.status === 404 ? null : await response.json() as {attempts: number, completions: number, finished_by: string | null}
}

async function until(condition: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
