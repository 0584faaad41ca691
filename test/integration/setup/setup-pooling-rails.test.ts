// tsq:setup --pooling on a Rails checkout (Puma + Sidekiq, rails new's database.yml) against the fake Platform/Data
// API: it sends exactly the planned attach and config change; config/database.yml is pointed at the pooler and
// the Procfile's release line keeps DATABASE_URL, both written only with --force (shown as a diff otherwise);
// --dry-run writes and sends nothing; once deployed, tsq:doctor --dir reads the result back and its Postgres
// budget and postgres.pooler pass; a second run changes nothing.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {railsSetupFiles} from '../../../src/core/plans/setup/rails-templates.js'
import type {FakeApi} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {runCommand} from '../../helpers/run-command.js'
import {APP, PG_ADDON} from '../../helpers/scenarios.js'
import {pooledDatabase} from '../../helpers/scenarios-poolers.js'
import {runSetupJson, useAppDirs} from './run-setup.js'

const FIXTURES = join(import.meta.dirname, '../../fixtures/rails-configs')
const DATABASE_YML = readFileSync(join(FIXTURES, 'database-rails-6.1.yml'), 'utf8')
const LOCK = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (5.6.5)\n    rails (6.1.7.10)\n    sidekiq (6.4.1)\n\nDEPENDENCIES\n  puma\n  rails\n  sidekiq\n'
const WEB = 'bundle exec puma -C config/puma.rb'
const WORKER = 'bundle exec sidekiq -C config/sidekiq.yml'
const PROCFILE = `web: ${WEB}\nworker: ${WORKER}\nrelease: bin/rails db:migrate\n`
const DIRECT_RELEASE = 'release: DATABASE_CONNECTION_POOL_URL=$DATABASE_URL bin/rails db:migrate'
const POOLER = {pgbouncer_default_pool_size: 60, pgbouncer_max_client_conn: 10_000, pgbouncer_max_db_connections: 60}

const api = useFakeApi()
const appDir = useAppDirs()

/** web 10 × 2 Puma workers × 5 threads + worker 4 × Sidekiq 10 = 140 Postgres connections, over standard-0's 120 − 2. */
async function start() {
  const fake = await api.start(pooledDatabase({
    poolerConfig: POOLER,
    config: {RAILS_ENV: 'production', WEB_CONCURRENCY: '2', RAILS_MAX_THREADS: '5', SIDEKIQ_CONCURRENCY: '10'},
    formation: [
      {type: 'web', quantity: 10, size: 'Standard-2X', command: WEB},
      {type: 'worker', quantity: 4, size: 'Standard-1X', command: WORKER},
      {type: 'release', quantity: 0, size: 'Standard-1X', command: 'bin/rails db:migrate'},
    ],
  }))
  const d = appDir({Procfile: PROCFILE, 'Gemfile.lock': LOCK})
  mkdirSync(join(d.dir, 'config/initializers'), {recursive: true})
  mkdirSync(join(d.dir, 'db/migrate'), {recursive: true})
  const files: Record<string, string> = {'config/database.yml': DATABASE_YML}
  for (const f of railsSetupFiles({queues: ['default']})) files[f.path] = f.content
  for (const [path, text] of Object.entries(files)) writeIn(d.dir, path, text)
  return {f: fake, d}
}

/** appDir writes top-level files only. */
function writeIn(dir: string, path: string, text: string): void {
  writeFileSync(join(dir, path), text)
}

const setup = (f: FakeApi, dir: string, ...args: string[]) => runSetupJson(f, ['-a', APP, '--dir', dir, '--pooling', ...args])
const sent = (f: FakeApi) => f.mutations().map(r => ({method: r.method, path: r.path, body: r.body}))
const ATTACH = {method: 'POST', path: `/client/v11/databases/${PG_ADDON}/connection-pooling`, body: {app: APP, credential: 'default', name: 'DATABASE_CONNECTION_POOL'}}

async function doctor(f: FakeApi, dir: string): Promise<DoctorReport> {
  const run = await runCommand(Doctor, ['-a', APP, '--dir', dir, '--json'], {fake: f, checkSentinels: true})
  return JSON.parse(run.stdout) as DoctorReport
}

describe('tsq:setup --pooling on a Rails app', () => {
  it('--dry-run plans the attach, database.yml and the release line, and neither sends nor writes anything', async () => {
    const {f, d} = await start()
    const run = await setup(f, d.dir, '--dry-run', '--force')
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['attach', 'planned'], ['file', 'planned'], ['procfile', 'planned']])
    const yml = run.json.changes[1] as {file: string, diff: string[]}
    expect(yml.file).toBe('config/database.yml')
    expect(yml.diff.filter(l => /^[+-]/.test(l))).toEqual(['--- a/config/database.yml', '+++ b/config/database.yml',
      '+  url: <%= ENV[\'DATABASE_CONNECTION_POOL_URL\'] %>', '+  prepared_statements: false'])
    expect(f.mutations()).toEqual([])
    expect(d.read('config/database.yml')).toBe(DATABASE_YML)
    expect(d.read('Procfile')).toBe(PROCFILE)
  })

  it('without --force: database.yml and the Procfile are shown as a diff and left alone, so the pools still direct are shrunk to fit', async () => {
    const {f, d} = await start()
    const run = await setup(f, d.dir)
    // Rails still reads DATABASE_URL: web 10×2×2 + worker 4×2 = 48 direct connections of the 118 available.
    expect(sent(f)).toEqual([ATTACH, {method: 'PATCH', path: `/apps/${APP}/config-vars`, body: {RAILS_MAX_THREADS: '2', SIDEKIQ_CONCURRENCY: '2'}}])
    expect(run.json.changes.map(c => c.kind)).toEqual(['attach', 'config'])
    const left = run.json.skipped.filter(s => s.kind === 'procfile' || s.reason.startsWith('config/database.yml'))
    expect(left.map(s => s.reason)).toEqual([
      expect.stringMatching(/^Procfile differs from what setup would write and is left alone; run again with --force/),
      expect.stringMatching(/^config\/database\.yml would connect through the pooler \(url: added to production; prepared_statements: added to production\) and is left alone; run again with --force/),
    ])
    expect(left[0]!.diff).toContain(`+${DIRECT_RELEASE}`)
    expect(left[1]!.diff).toContain('+  prepared_statements: false')
    expect(d.read('config/database.yml')).toBe(DATABASE_YML)
    expect(d.read('Procfile')).toBe(PROCFILE)
  })

  it('with --force: the attach is sent and both files written; once deployed the doctor\'s Postgres budget and postgres.pooler pass; a second run changes nothing', async () => {
    const {f, d} = await start()
    const first = await setup(f, d.dir, '--force')
    expect(first.code).toBe(0)
    expect(sent(f)).toEqual([ATTACH])
    expect(d.read('config/database.yml')).toBe(DATABASE_YML.replace(/\n$/, '\n  url: <%= ENV[\'DATABASE_CONNECTION_POOL_URL\'] %>\n  prepared_statements: false\n'))
    expect(d.read('Procfile')).toBe(`web: ${WEB}\nworker: ${WORKER}\n${DIRECT_RELEASE}\n`)
    expect(d.list()).toEqual(['Gemfile.lock', 'Procfile', 'config', 'db'])

    // Until the new Procfile is deployed, the release phase still migrates through the pooler.
    const undeployed = await doctor(f, d.dir)
    expect(undeployed.checks.find(c => c.id === 'postgres.pooler')).toMatchObject({status: 'fail', message: expect.stringContaining('release: Rails migrations')})
    // `git push heroku`: the formation runs the new Procfile.
    f.state.app(APP).formation.find(p => p.type === 'release')!.command = DIRECT_RELEASE.replace(/^release: /, '')
    const report = await doctor(f, d.dir)
    const pg = report.resources.find(r => r.kind === 'postgres')!
    expect(pg.status).toBe('ok')
    expect(pg.demand).toBe(60)
    expect(report.checks.find(c => c.id === 'postgres.pooler')).toMatchObject({status: 'ok'})
    expect(report.ok).toBe(true)

    const before = f.mutations().length
    const second = await setup(f, d.dir, '--force')
    expect(second.json.changes).toEqual([])
    expect(second.json.skipped.map(s => s.reason)).toEqual(expect.arrayContaining([
      expect.stringContaining('DATABASE_CONNECTION_POOL already pools'),
      'config/database.yml already connects through DATABASE_CONNECTION_POOL_URL with prepared_statements: false',
    ]))
    expect(f.mutations().length).toBe(before)
    expect(second.code).toBe(0)
  })
})
