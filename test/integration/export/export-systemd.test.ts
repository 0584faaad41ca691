// tsq:export systemd in-process against throwaway Redis and Postgres servers: the formation is judged with
// the limits they report, units are written (and verified by systemd-analyze), refused, diffed, replaced.
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import Export from '../../../commands/tsq/export.js'
import type {ExportResult} from '../../../src/render/export.js'
import {type CommandRun, runCommand} from '../../helpers/run-command.js'
import {type PostgresService, type RedisService, startPostgres, startRedis} from '../../helpers/services.js'

const PASSWORD = 'SENTINELexportPW7731'
const SECRET = 'SENTINELsecretKEYbase0042'
let pg: PostgresService
let redis: RedisService
const dirs: string[] = []

beforeAll(async () => {
  // 40 − 3 superuser slots = 37; less the reserve of 2, 35 connections: web=2,worker=1 (15) fits, web=40,worker=40 does not.
  [pg, redis] = await Promise.all([startPostgres({maxConnections: 40, password: PASSWORD}), startRedis({maxclients: 20, password: PASSWORD})])
})
afterAll(async () => {
  await Promise.all([pg?.stop(), redis?.stop()])
})
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** An app directory: a Procfile whose worker needs a shell, and a .env with the servers and a secret. */
function appDir(): string {
  const dir = tempDir('tsq-export-app-')
  writeFileSync(join(dir, 'Procfile'), 'web: node app.js\nworker: ${NODE:-node} app.js --queues=default\nrelease: node migrate.js\n')
  writeFileSync(join(dir, '.env'), `DATABASE_URL=${pg.url}\nREDIS_URL=${redis.url}\nSECRET_KEY_BASE=${SECRET}\n`)
  return dir
}

function files(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {}
  return Object.fromEntries(readdirSync(dir).sort().map(n => [n, readFileSync(join(dir, n), 'utf8')]))
}

function noSecrets(run: CommandRun, out: string): void {
  for (const secret of [PASSWORD, SECRET]) {
    expect(run.stdout).not.toContain(secret)
    expect(run.stderr).not.toContain(secret)
    for (const [name, text] of Object.entries(files(out))) expect(text, name).not.toContain(secret)
  }
}

async function exportJson(argv: string[]): Promise<CommandRun & {json: ExportResult}> {
  const run = await runCommand(Export, ['systemd', ...argv, '--json'])
  return {...run, json: JSON.parse(run.stdout) as ExportResult}
}

const exec = promisify(execFile)

describe('tsq:export systemd', () => {
  it('writes <app>.target and one unit per instance that systemd-analyze verifies, with the .env by reference only', async () => {
    const dir = appDir()
    const out = join(tempDir('tsq-export-out-'), 'units')
    const run = await exportJson(['--dir', dir, '--formation', 'web=2,worker=1', '--app', 'myapp', '--user', 'deploy', '--out', out])
    noSecrets(run, out)
    expect(run.code, run.stderr).toBe(0)
    expect(run.json).toMatchObject({app: 'myapp', format: 'systemd', out, dryRun: false, written: true, stale: [], blocked: null})
    expect(run.json.files).toEqual(['myapp-release.1.service', 'myapp-web.1.service', 'myapp-web.2.service', 'myapp-worker.1.service', 'myapp.target']
      .map(name => ({path: join(out, name), action: 'create'})))
    expect(run.json.formation.map(f => [f.type, f.quantity, f.ports])).toEqual([['release', 1, [5200]], ['web', 2, [5000, 5001]], ['worker', 1, [5100]]])
    const units = files(out)
    expect(Object.keys(units)).toEqual(run.json.files.map(f => f.path.slice(out.length + 1)).sort())
    for (const [name, port] of [['myapp-web.1.service', 5000], ['myapp-web.2.service', 5001], ['myapp-worker.1.service', 5100]] as const) {
      const text = units[name]!
      const dyno = name.slice('myapp-'.length, -'.service'.length)
      for (const line of ['User=deploy', `WorkingDirectory=${dir}`, `EnvironmentFile=${dir}/.env`, `Environment=PORT=${port}`, `Environment=DYNO=${dyno}`,
        'Restart=always', 'KillSignal=SIGTERM', 'KillMode=mixed', 'TimeoutStopSec=30', 'Requires=myapp-release.1.service',
        'After=network.target redis-server.service postgresql.service myapp-release.1.service', 'Wants=redis-server.service postgresql.service']) {
        expect(text.split('\n'), `${name}: ${line}`).toContain(line)
      }
    }
    expect(units['myapp-worker.1.service']).toContain('\nExecStart=/bin/sh -c "exec $${NODE:-node} app.js --queues=default"\n')
    expect(units['myapp.target']).toContain('\nWants=myapp-release.1.service myapp-web.1.service myapp-web.2.service myapp-worker.1.service\n')
    const verify = await exec('systemd-analyze', ['verify', '--man=no', ...Object.keys(units).map(n => join(out, n))], {timeout: 30_000})
      .then(r => ({code: 0, stderr: r.stderr}), (error: {code?: number, stderr?: string}) => ({code: error.code ?? -1, stderr: error.stderr ?? ''}))
    expect(verify).toEqual({code: 0, stderr: ''})
  })

  it('reports every file unchanged on a second export of the same formation', async () => {
    const dir = appDir()
    const out = tempDir('tsq-export-out-')
    const argv = ['--dir', dir, '--formation', 'web=2,worker=1', '--app', 'myapp', '--out', out]
    expect((await exportJson(argv)).code).toBe(0)
    const before = files(out)
    const again = await exportJson(argv)
    expect(again.code).toBe(0)
    expect(again.json.files.map(f => f.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'])
    expect(files(out)).toEqual(before)
  })

  it('refuses a formation over the Postgres limit: exit 1, nothing written, the fix named', async () => {
    const dir = appDir()
    const out = join(tempDir('tsq-export-out-'), 'units')
    const run = await exportJson(['--dir', dir, '--formation', 'web=40,worker=40', '--app', 'myapp', '--out', out])
    noSecrets(run, out)
    expect(run.code).toBe(1)
    expect(run.json).toMatchObject({written: false, blocked: {code: 'TSQ_EXPORT_OVER_LIMIT'}})
    expect(run.json.blocked!.message).toContain('postgres.connections: Postgres needs 400 connections')
    expect(run.json.blocked!.suggestions).toContain('pass --force to export it anyway')
    expect(existsSync(out)).toBe(false)

    const human = await runCommand(Export, ['systemd', '--dir', dir, '--formation', 'web=40,worker=40', '--app', 'myapp', '--out', out])
    expect(human.code).toBe(1)
    expect(human.error).toMatchObject({code: 'TSQ_EXPORT_OVER_LIMIT'})
    expect(existsSync(out)).toBe(false)

    const forced = await exportJson(['--dir', dir, '--formation', 'web=40,worker=40', '--app', 'myapp', '--out', out, '--force'])
    expect(forced.code).toBe(0)
    expect(Object.keys(files(out))).toHaveLength(82)
  })

  it('notes the .env lines systemd reads otherwise than Node (export, backticks), by line and name only', async () => {
    const dir = appDir()
    writeFileSync(join(dir, '.env'), `export DATABASE_URL=${pg.url}\nREDIS_URL=${redis.url}\nSECRET_KEY_BASE=\`${SECRET}\nTSQ_WORKER_CONCURRENCY=3\n\`\n`)
    const out = join(tempDir('tsq-export-out-'), 'units')
    const run = await exportJson(['--dir', dir, '--app', 'myapp', '--out', out, '--dry-run'])
    noSecrets(run, out)
    expect(run.code).toBe(0)
    expect(run.json.notes.filter(n => n.startsWith('.env line'))).toEqual([
      '.env line 1 (DATABASE_URL): "export " before the name, which systemd\'s EnvironmentFile= does not take: systemd ignores the assignment; remove "export "',
      expect.stringMatching(/^\.env line 3 \(SECRET_KEY_BASE\): backtick quotes, which systemd does not treat as quotes/),
    ])
    const human = await runCommand(Export, ['systemd', '--dir', dir, '--app', 'myapp', '--out', out, '--dry-run'])
    expect(human.stdout).toContain('note: .env line 1 (DATABASE_URL): "export " before the name')
  })

  it('writes nothing under --dry-run, and shows the units it would write', async () => {
    const dir = appDir()
    const out = join(tempDir('tsq-export-out-'), 'units')
    const run = await runCommand(Export, ['systemd', '--dir', dir, '--app', 'myapp', '--out', out, '--dry-run'])
    noSecrets(run, out)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('(dry run: nothing is written)')
    expect(run.stdout).toContain(`create     ${out}/myapp-web.1.service\n`)
    expect(run.stdout).toContain('    Environment=DYNO=web.1\n')
    expect(existsSync(out)).toBe(false)
  })

  it('shows files that differ as a diff and writes nothing without --force; with it replaces them and removes stale units', async () => {
    const dir = appDir()
    const out = tempDir('tsq-export-out-')
    expect((await exportJson(['--dir', dir, '--formation', 'web=2,worker=1', '--app', 'myapp', '--out', out])).code).toBe(0)
    const before = files(out)
    writeFileSync(join(out, 'other-web.1.service'), '[Unit]\nPartOf=other.target\n')

    const argv = ['systemd', '--dir', dir, '--formation', 'web=1,worker=1', '--app', 'myapp', '--user', 'deploy', '--out', out]
    const run = await runCommand(Export, argv)
    expect(run.code).toBe(1)
    expect(run.error).toMatchObject({code: 'TSQ_EXPORT_FILES_DIFFER'})
    expect(run.stdout).toContain(`update     ${out}/myapp.target\n`)
    expect(run.stdout).toContain('    -Wants=myapp-release.1.service myapp-web.1.service myapp-web.2.service myapp-worker.1.service\n')
    expect(run.stdout).toContain('    +Wants=myapp-release.1.service myapp-web.1.service myapp-worker.1.service\n')
    expect(run.stdout).toContain('    -User=myapp\n    +User=deploy\n')
    expect(run.stdout).toContain(`stale      ${out}/myapp-web.2.service: not in the formation any more`)
    expect(files(out)).toEqual({...before, 'other-web.1.service': '[Unit]\nPartOf=other.target\n'})

    const forced = await exportJson([...argv.slice(1), '--force'])
    expect(forced.code).toBe(0)
    expect(forced.json.files.map(f => f.action)).toEqual(['update', 'update', 'update', 'update'])
    expect(forced.json.stale).toEqual([{path: join(out, 'myapp-web.2.service'), removed: true}])
    expect(Object.keys(files(out))).toEqual(['myapp-release.1.service', 'myapp-web.1.service', 'myapp-worker.1.service', 'myapp.target', 'other-web.1.service'])
    expect(readdirSync(out).filter(n => n.includes('.tmp'))).toEqual([])
  })

  it('refuses bad input with every problem named, before measuring anything', async () => {
    const dir = appDir()
    const run = await runCommand(Export, ['systemd', '--dir', dir, '--formation', 'web=1,clock=2', '--out', tempDir('tsq-export-out-')])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('no process type clock in the formation (known: web, worker)')
    const format = await runCommand(Export, ['launchd', '--dir', dir])
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('Expected launchd to be one of: systemd')
  })
})
