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
import {runSetup, runSetupJson, useAppDirs} from './run-setup.js'

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

  it('without --force: no attach (nothing would use it), only the direct pools shrunk to fit; the attach step shows the database.yml diff and names --force', async () => {
    const {f, d} = await start()
    const run = await setup(f, d.dir)
    // Rails still reads DATABASE_URL: web 10×2×2 + worker 4×2 = 48 direct connections of the 118 available.
    expect(sent(f)).toEqual([{method: 'PATCH', path: `/apps/${APP}/config-vars`, body: {RAILS_MAX_THREADS: '2', SIDEKIQ_CONCURRENCY: '2'}}])
    expect(run.json.changes.map(c => c.kind)).toEqual(['config'])
    const attach = run.json.skipped.find(s => s.kind === 'attach' && s.reason.startsWith('--pooling'))!
    expect(attach.reason).toBe(`--pooling: ${PG_ADDON}'s pooler is not attached, as nothing would connect through it yet: web, worker read config/database.yml, ` +
      'whose change below (url: added to production; prepared_statements: added to production) setup writes only with --force. With --force it attaches ' +
      `DATABASE_CONNECTION_POOL, points config/database.yml at DATABASE_CONNECTION_POOL_URL and keeps the release phase on DATABASE_URL, in one run: heroku tsq:setup --pooling --force -a ${APP}`)
    expect(attach.diff!.filter(l => /^[+-]/.test(l))).toEqual(['--- a/config/database.yml', '+++ b/config/database.yml',
      '+  url: <%= ENV[\'DATABASE_CONNECTION_POOL_URL\'] %>', '+  prepared_statements: false'])
    // Nothing about the pooler is planned: no database.yml step of its own, no release line kept direct.
    expect(run.json.skipped.filter(s => s.reason.startsWith('config/database.yml') || s.diff?.some(l => l.includes('=$DATABASE_URL')))).toEqual([])
    expect(JSON.stringify(run.json)).not.toMatch(/tsq:setup --pooling -a/)
    expect(d.read('config/database.yml')).toBe(DATABASE_YML)
    expect(d.read('Procfile')).toBe(PROCFILE)
  })

  it('without --force, when the pools cannot be shrunk to fit (sidekiq.yml is the app\'s own), the Postgres problem\'s pooling fix names --force, not the command just run', async () => {
    const {f, d} = await start()
    writeIn(d.dir, 'config/sidekiq.yml', ':concurrency: 20\n:queues:\n  - default\n')
    const run = await setup(f, d.dir)
    expect(run.code).toBe(1)
    expect(sent(f)).toEqual([{method: 'PATCH', path: `/apps/${APP}/config-vars`, body: {RAILS_MAX_THREADS: '2'}}])
    const pg = run.json.problems.find(p => p.id === 'postgres.connections')!
    expect(pg.fix).toContain(`server-side pooling: heroku tsq:setup --pooling --force -a ${APP} (attaches DATABASE_CONNECTION_POOL`)
    expect(JSON.stringify(run.json)).not.toContain('tsq:setup --pooling -a')
  })

  it('a literal password in database.yml is masked in the diffs of --dry-run (JSON and human output); the changed lines still show', async () => {
    const {f, d} = await start()
    const secret = 'production:\n  <<: *default\n  # moved from postgres://app:SENTINELurlYML@old-db.example.com:5432/app\n  username: app\n  password: SENTINELliteralYML\n  url: |\n    <%= ENV["DATABASE_URL"] %>\n'
    const yml = DATABASE_YML.replace(/\nproduction:\n[^]*$/, `\n${secret}`)
    writeIn(d.dir, 'config/database.yml', yml)
    const json = await setup(f, d.dir, '--dry-run')
    const human = await runSetup(f, ['-a', APP, '--dir', d.dir, '--pooling', '--dry-run'])
    for (const out of [json.stdout, human.stdout, json.stderr, human.stderr]) {
      expect(out).not.toContain('SENTINELliteralYML')
      expect(out).not.toContain('SENTINELurlYML')
    }
    const diff = json.json.skipped.find(s => s.kind === 'attach' && s.diff)!.diff!
    expect(diff.slice(-7)).toEqual(['   # moved from postgres://app:*****@old-db.example.com:5432/app', '   username: app', '   password: *****', '-  url: |',
      '-    <%= ENV["DATABASE_URL"] %>', '+  url: <%= ENV["DATABASE_CONNECTION_POOL_URL"] %>', '+  prepared_statements: false'])
    expect(human.stdout).toContain('         password: *****')
    expect(f.mutations()).toEqual([])
    expect(d.read('config/database.yml')).toBe(yml)
  })

  it('with --force, a url: written as a block scalar (url: | then the ERB line) is replaced with its ERB line, and the doctor then reads the pooler', async () => {
    const {f, d} = await start()
    const yml = `${DATABASE_YML}  url: |\n    <%= ENV["DATABASE_URL"] %>\n`
    writeIn(d.dir, 'config/database.yml', yml)
    const run = await setup(f, d.dir, '--force')
    expect(run.code).toBe(0)
    expect(sent(f)).toEqual([ATTACH])
    expect(d.read('config/database.yml')).toBe(`${DATABASE_YML}  url: <%= ENV["DATABASE_CONNECTION_POOL_URL"] %>\n  prepared_statements: false\n`)
    f.state.app(APP).formation.find(p => p.type === 'release')!.command = DIRECT_RELEASE.replace(/^release: /, '')
    const report = await doctor(f, d.dir)
    expect(report.resources.find(r => r.kind === 'postgres')).toMatchObject({status: 'ok', demand: 60})
    const second = await setup(f, d.dir, '--force')
    expect(second.json.changes).toEqual([])
    expect(second.json.skipped.map(s => s.reason)).toContain('config/database.yml already connects through DATABASE_CONNECTION_POOL_URL with prepared_statements: false')
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
