// tsq:setup --pooling against the fake Platform/Data API (spec §11): on a plan with server-side pooling and a
// formation that cannot fit otherwise, it sends exactly the Data API attach `heroku pg:connection-pooling:attach`
// sends and one config PATCH pointing the runtime at the pooler; --dry-run sends nothing; a second run changes
// nothing; an API failure is reported with its status and stops before the config change.
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../../src/core/checks/doctor.js'
import {inspectApp} from '../../../src/platform/index.js'
import type {FakeApi, Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import {APP, PG_ADDON} from '../../helpers/scenarios.js'
import {type PooledOptions, pooledDatabase} from '../../helpers/scenarios-poolers.js'
import {runSetupJson, useAppDirs} from './run-setup.js'

const api = useFakeApi()
const appDir = useAppDirs()

const PROCFILE = 'web: node dist/web.js\nworker: node dist/worker.js\n'
const POOLER = {pgbouncer_default_pool_size: 60, pgbouncer_max_client_conn: 10_000, pgbouncer_max_db_connections: 60}

async function start(options: PooledOptions = {}): Promise<{f: FakeApi, dir: string}> {
  const scenario: Scenario = pooledDatabase({poolerConfig: POOLER, ...options})
  const f = await api.start(scenario)
  return {f, dir: appDir({Procfile: PROCFILE}).dir}
}

const setup = (f: FakeApi, dir: string, ...args: string[]) => runSetupJson(f, ['-a', APP, '--dir', dir, '--pooling', ...args])
const sent = (f: FakeApi) => f.mutations().map(r => ({method: r.method, path: r.path, body: r.body}))

async function doctorNow(f: FakeApi) {
  const {platform} = await createFakePlatform(f)
  return diagnose(await inspectApp(platform, APP)).report
}

describe('tsq:setup --pooling', () => {
  it('--dry-run plans the attach and the config var, and sends nothing', async () => {
    const {f, dir} = await start()
    const run = await setup(f, dir, '--dry-run')
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['attach', 'planned'], ['config', 'planned']])
    expect(run.json.changes[0]).toMatchObject({addon: PG_ADDON, as: 'DATABASE_CONNECTION_POOL', configVar: 'DATABASE_CONNECTION_POOL_URL', pooling: true})
    expect(run.json.changes[1]).toMatchObject({vars: {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}})
    expect(f.mutations()).toEqual([])
  })

  it('sends exactly the planned calls, after which the doctor passes; a second run changes nothing', async () => {
    const {f, dir} = await start()
    const first = await setup(f, dir)
    expect(first.code).toBe(0)
    expect(sent(f)).toEqual([
      {method: 'POST', path: `/client/v11/databases/${PG_ADDON}/connection-pooling`, body: {app: APP, credential: 'default', name: 'DATABASE_CONNECTION_POOL'}},
      {method: 'PATCH', path: `/apps/${APP}/config-vars`, body: {TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'}},
    ])
    const report = await doctorNow(f)
    expect(report.resources.find(r => r.kind === 'postgres')).toMatchObject({demand: 60, status: 'ok'})
    expect(report.ok).toBe(true)

    const before = f.mutations().length
    const second = await setup(f, dir)
    expect(second.json.changes).toEqual([])
    expect(second.json.skipped.map(s => s.reason)).toContainEqual(expect.stringContaining('DATABASE_CONNECTION_POOL already pools'))
    expect(f.mutations().length).toBe(before)
    expect(second.code).toBe(0)
  })

  it('an API failure is reported with its status, and the config change is not attempted', async () => {
    const {f, dir} = await start()
    f.failNext({method: 'POST', path: `/client/v11/databases/${PG_ADDON}/connection-pooling`, status: 500})
    const run = await setup(f, dir)
    expect(run.code).toBe(1)
    expect(run.json.changes.map(c => c.status)).toEqual(['failed', 'not-attempted'])
    expect(run.json.changes[0]!.error).toMatch(/\b500\b/)
    // A POST is never sent again after a 5xx: it may have been applied.
    expect(f.mutations().filter(r => r.method === 'POST')).toHaveLength(1)
    expect(f.mutations().filter(r => r.method === 'PATCH')).toEqual([])
  })

  it('a plan without server-side pooling: nothing is attached, and setup says why', async () => {
    const {f, dir} = await start({plan: 'heroku-postgresql:essential-2', limit: 40})
    const run = await setup(f, dir, '--dry-run')
    expect(run.json.changes.some(c => c.kind === 'attach')).toBe(false)
    expect(run.json.skipped.map(s => s.reason)).toContainEqual(expect.stringContaining('essential-2 has no server-side pooling'))
    expect(f.mutations()).toEqual([])
  })

  it('a formation that already fits: no pooler', async () => {
    const {f, dir} = await start({formation: [{type: 'web', quantity: 2, size: 'Standard-1X', command: 'node dist/web.js'}, {type: 'worker', quantity: 1, size: 'Standard-1X', command: 'node dist/worker.js'}]})
    const run = await setup(f, dir, '--dry-run')
    expect(run.json.changes.some(c => c.kind === 'attach')).toBe(false)
    expect(run.json.skipped.map(s => s.reason)).toContainEqual(expect.stringContaining('already fits'))
  })
})
