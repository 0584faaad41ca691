// tsq:setup against the fake Platform API over real HTTP, recording every request. Each run's stdout and
// stderr are checked for SENTINEL secrets (run-setup.ts); the chosen settings are judged by re-inspecting
// the fake app and running the doctor's own checks on it.
import {describe, expect, it} from 'vitest'
import {diagnose} from '../../../src/core/checks/doctor.js'
import {inspectApp} from '../../../src/platform/index.js'
import type {FakeApi, Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, PG_ADDON, REDIS_ADDON, SENTINEL_VALUES, URLS, withPostgres} from '../../helpers/scenarios.js'
import {PACKAGE_JSON, PROCFILE, runSetup, runSetupJson, useAppDirs} from './run-setup.js'

const RC_ADDON = 'rediscloud-rigid-67890'
const R2G_ADDON = 'redistogo-shaped-24680'

const {start} = useFakeApi()
/** An app directory whose Procfile already says what setup would write, unless given other files. */
const dir = useAppDirs({'package.json': PACKAGE_JSON, Procfile: PROCFILE})

function withRedisCloud(s: Scenario, attachAs = 'REDISCLOUD'): Scenario {
  s.addons.push({name: RC_ADDON, service: 'rediscloud', plan: 'rediscloud:30', app: APP, url: URLS.rediscloud})
  s.attachments.push({app: APP, addon: RC_ADDON, name: attachAs})
  return s
}

const posts = (f: FakeApi) => f.mutations().filter(r => r.method === 'POST').map(r => r.body)
const setup = (f: FakeApi | null, d: {dir: string}, ...args: string[]) => runSetupJson(f, ['-a', APP, '--dir', d.dir, ...args])

/** The doctor's verdict on the fake app as it is now, read back through the Platform API. */
async function doctorNow(f: FakeApi) {
  const {platform} = await createFakePlatform(f)
  return diagnose(await inspectApp(platform, APP)).report
}

describe('tsq:setup attaches the Redis add-on as REDIS', () => {
  it.each([
    ['Redis Cloud', scenarios.redisCloudOnly, RC_ADDON, URLS.rediscloud],
    ['Redis To Go', scenarios.redisToGo, R2G_ADDON, URLS.redistogo],
  ])('%s only: exactly one attachment POST named REDIS, then REDIS_URL is the add-on\'s URL', async (_name, build, addon, url) => {
    const f = await start(build())
    const run = await setup(f, dir())
    expect(run.code).toBe(0)
    expect(run.json).toMatchObject({app: APP, dryRun: false, ok: true})
    expect(f.mutations().map(r => [r.method, r.path, r.body])).toEqual([
      ['POST', '/addon-attachments', {addon: {name: addon}, app: {name: APP}, name: 'REDIS'}],
    ])
    expect(f.state.configVars(APP).REDIS_URL).toBe(url)
    // Read back after the attach, not trusted from the POST.
    const last = f.requests.filter(r => r.method === 'GET').at(-1)!
    expect(last.path).toBe(`/apps/${APP}/config-vars`)
    expect(run.json.changes).toEqual([expect.objectContaining({kind: 'attach', addon, as: 'REDIS', status: 'applied'})])
  })

  it('sends the attach again with confirm when Heroku answers confirmation_required', async () => {
    const f = await start(scenarios.redisCloudOnly())
    f.failNext({method: 'POST', path: '/addon-attachments', status: 400,
      body: {id: 'confirmation_required', message: 'REDIS on example-app is taken. Confirm with the app name.'}})
    const run = await setup(f, dir())
    expect(run.code).toBe(0)
    expect(posts(f)).toEqual([
      {addon: {name: RC_ADDON}, app: {name: APP}, name: 'REDIS'},
      {addon: {name: RC_ADDON}, app: {name: APP}, name: 'REDIS', confirm: APP},
    ])
    expect(f.state.configVars(APP).REDIS_URL).toBe(URLS.rediscloud)
  })

  it('--redis moves REDIS_URL like redis:promote: the old owner is re-attached under its default name first', async () => {
    const f = await start(withRedisCloud(scenarios.herokuRedisAndPostgres()))
    const run = await setup(f, dir(), '--redis', RC_ADDON)
    expect(run.code).toBe(0)
    expect(posts(f)).toEqual([
      {addon: {name: REDIS_ADDON}, app: {name: APP}, confirm: APP},
      {addon: {name: RC_ADDON}, app: {name: APP}, name: 'REDIS', confirm: APP},
    ])
    const vars = f.state.configVars(APP)
    expect(vars.REDIS_URL).toBe(URLS.rediscloud)
    // The old add-on keeps a URL of its own.
    expect(Object.entries(vars).filter(([k, v]) => k !== 'REDIS_URL' && v === URLS.heroku_redis)).toHaveLength(1)
  })

  it('stops with no mutation when there are two Redis add-ons and no --redis, and lists both', async () => {
    const f = await start(withRedisCloud(scenarios.redisToGo()))
    const run = await setup(f, dir())
    expect(run.code).toBe(1)
    expect(f.mutations()).toEqual([])
    expect(run.json.problems[0]).toMatchObject({id: 'redis.addon', blocking: true})
    expect(run.json.problems[0]!.message).toContain(RC_ADDON)
    expect(run.json.problems[0]!.message).toContain(R2G_ADDON)
    expect(run.json.changes.every(c => c.status === 'not-attempted')).toBe(true)
  })

  it('stops with no mutation when there is no Redis add-on, naming the command that provisions one', async () => {
    const s = scenarios.herokuRedisAndPostgres()
    s.addons = s.addons.filter(a => a.name !== REDIS_ADDON)
    s.attachments = s.attachments.filter(a => a.addon !== REDIS_ADDON)
    const f = await start(s)
    const run = await runSetup(f, ['-a', APP, '--dir', dir().dir])
    expect(run.code).toBe(1)
    expect(f.mutations()).toEqual([])
    expect(run.stderr).toContain(`heroku addons:create heroku-redis:mini -a ${APP}`)
  })

  it.each([
    ['an add-on that is not Redis', PG_ADDON, 'is not a Redis add-on'],
    ['an add-on that is not attached', 'redis-elsewhere-1', 'No add-on named redis-elsewhere-1'],
  ])('--redis naming %s is a clear error with no mutation', async (_what, name, says) => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    const run = await runSetup(f, ['-a', APP, '--dir', dir().dir, '--redis', name])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(says)
    expect(run.stderr).toContain(RC_ADDON)
    expect(f.mutations()).toEqual([])
  })
})

describe('tsq:setup chooses settings that fit', () => {
  it('a formation that fails with defaults gets settings the doctor passes, in one PATCH of only changed vars', async () => {
    const f = await start(scenarios.herokuRedisAndPostgres())
    expect((await doctorNow(f)).checks.find(c => c.id === 'postgres.connections')?.status).toBe('fail')
    const before = f.state.configVars(APP)
    const run = await setup(f, dir())
    expect(run.code).toBe(0)
    const patches = f.mutations().filter(r => r.method === 'PATCH')
    expect(patches.map(r => r.path)).toEqual([`/apps/${APP}/config-vars`])
    const sent = patches[0]!.body as Record<string, string>
    for (const [k, v] of Object.entries(sent)) {
      expect(k).toMatch(/^TSQ_/)
      expect(before[k]).not.toBe(v)
    }
    const report = await doctorNow(f)
    expect(report.checks.filter(c => c.status === 'fail')).toEqual([])
    expect(report.resources.find(r => r.kind === 'postgres')!.status).not.toBe('fail')
  })

  it('keeps values the user set when they fit, sending no mutation', async () => {
    const s = scenarios.herokuRedisAndPostgres()
    Object.assign(s.apps[0]!.config!, {TSQ_DB_POOL: '2', TSQ_CONCURRENCY: '2'})
    const f = await start(s)
    const run = await setup(f, dir())
    expect(run.code).toBe(0)
    expect(f.mutations()).toEqual([])
    expect(f.state.configVars(APP)).toMatchObject({TSQ_DB_POOL: '2', TSQ_CONCURRENCY: '2'})
  })

  it('with --json still prints the doctor\'s warnings about kept values on stderr, and stdout stays one document', async () => {
    const s = scenarios.herokuRedisAndPostgres()
    // Pools of 3 fit limit − reserve but not a restart's overlap, and are below the worker's concurrency of 5.
    Object.assign(s.apps[0]!.config!, {TSQ_DB_POOL: '3'})
    const f = await start(s)
    const run = await runSetupJson(f, ['-a', APP, '--dir', dir().dir])
    expect(run.json.notes.map(n => n.id)).toContain('restart.overlap')
    // oclif wraps warnings to the terminal width and prefixes continuation lines with ›.
    const flat = (text: string) => text.replace(/\s*\n\s*(›\s*)?/g, ' ').replace(/\s+/g, ' ')
    for (const note of run.json.notes) expect(flat(run.stderr)).toContain(flat(`${note.id}: ${note.message}`))
  })
})

describe('tsq:setup budget for an add-on shared with an app it cannot read', () => {
  it('names the unreadable app in the --json budget\'s notCounted, as the doctor does', async () => {
    const f = await start(scenarios.forbiddenSharingApp())
    const run = await setup(f, dir(), '--dry-run')
    const pg = run.json.budget.find(b => b.kind === 'postgres')!
    expect(pg.sharedWith).toEqual([scenarios.STAGING])
    expect(pg.notCounted).toEqual([{app: scenarios.STAGING, error: expect.stringContaining('403')}])
  })
})

describe('tsq:setup when no setting can fit', () => {
  it('applies what is safe (attach, Procfile), leaves the pools, names the fixes and exits 1 when even pools of 1 exceed Postgres', async () => {
    const s = withPostgres(scenarios.redisCloudOnly())
    s.apps[0]!.formation = [{type: 'web', quantity: 10, size: 'Standard-2X'}, {type: 'worker', quantity: 1, size: 'Standard-1X'}]
    const f = await start(s)
    const d = dir({'package.json': PACKAGE_JSON})
    const run = await setup(f, d)
    expect(run.code).toBe(1)
    expect(f.mutations().map(r => `${r.method} ${r.path}`)).toEqual(['POST /addon-attachments'])
    expect(d.read('Procfile')).toBe(PROCFILE)
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['attach', 'applied'], ['procfile', 'applied']])
    expect(run.json.skipped).toContainEqual({kind: 'config', reason: expect.stringContaining('pool of 1')})
    const problem = run.json.problems.find(p => p.id === 'postgres.connections')!
    expect(problem.blocking).toBe(false)
    expect(problem.fix).toMatch(/heroku tsq:scale web=\d+ -a example-app/)
    expect(problem.fix).toContain('heroku addons:upgrade postgresql-curved-12345')
  })
})

describe('tsq:setup plans before it changes anything', () => {
  it('--dry-run sends no mutating request and writes no file', async () => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    const d = dir({'package.json': PACKAGE_JSON})
    const run = await setup(f, d, '--dry-run')
    expect(run.code).toBe(0)
    expect(f.mutations()).toEqual([])
    expect(d.list()).toEqual(['package.json'])
    expect(run.json.dryRun).toBe(true)
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['attach', 'planned'], ['config', 'planned'], ['procfile', 'planned']])
  })

  it('a second run sends no mutating request and says there is nothing to change', async () => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    const d = dir({'package.json': PACKAGE_JSON})
    expect((await setup(f, d)).code).toBe(0)
    const count = f.mutations().length
    const again = await runSetup(f, ['-a', APP, '--dir', d.dir])
    expect(again.code).toBe(0)
    expect(f.mutations()).toHaveLength(count)
    expect(again.stdout).toContain('Nothing to change')
  })

  it('human output lists each change before the spinners (on stderr) apply it', async () => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    const run = await runSetup(f, ['-a', APP, '--dir', dir().dir])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/1\. Attaching rediscloud-rigid-67890 as REDIS to ⬢ example-app \(sets REDIS_URL\)\n[\s\S]*2\. Setting TSQ_/)
    expect(run.stderr).toContain('Attaching rediscloud-rigid-67890 as REDIS to ⬢ example-app (sets REDIS_URL)... done')
  })
})

describe('tsq:setup after a failure midway', () => {
  it('reports exactly what was applied when the config PATCH fails after retries, and a re-run finishes', async () => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    const d = dir({'package.json': PACKAGE_JSON})
    f.failNext({method: 'PATCH', path: `/apps/${APP}/config-vars`, status: 503, times: 4})
    const run = await setup(f, d)
    expect(run.code).toBe(1)
    expect(run.json.ok).toBe(false)
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['attach', 'applied'], ['config', 'failed'], ['procfile', 'not-attempted']])
    expect(run.json.changes[1]!.error).toContain('503')
    expect(f.state.configVars(APP).REDIS_URL).toBe(URLS.rediscloud)
    expect(d.read('Procfile')).toBeNull()

    const human = await runSetup(f, ['-a', APP, '--dir', d.dir, '--dry-run'])
    expect(human.stdout).not.toContain('Attaching')

    const again = await setup(f, d)
    expect(again.code).toBe(0)
    expect(again.json.changes.map(c => [c.kind, c.status])).toEqual([['config', 'applied'], ['procfile', 'applied']])
    expect(posts(f)).toHaveLength(1)
    expect(d.read('Procfile')).toBe(PROCFILE)
    expect((await doctorNow(f)).ok).toBe(true)
  })

  it('says in human output which change failed, which were applied and how to finish', async () => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    f.failNext({method: 'PATCH', path: `/apps/${APP}/config-vars`, status: 503, times: 4})
    const run = await runSetup(f, ['-a', APP, '--dir', dir({'package.json': PACKAGE_JSON}).dir])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/✔ applied\s+Attaching rediscloud-rigid-67890/)
    expect(run.stdout).toMatch(/✖ failed\s+Setting TSQ_/)
    expect(run.stdout).toMatch(/- not attempted\s+Creating Procfile/)
    expect(run.stderr).toContain(`Run \`heroku tsq:setup -a ${APP}\` again to finish`)
  })
})

describe('tsq:setup writes the Procfile', () => {
  const DIFFERENT = '# ours\nweb: node server.js\n'

  it('leaves a different Procfile intact without --force and shows the diff', async () => {
    const f = await start(scenarios.redisCloudOnly())
    const d = dir({'package.json': PACKAGE_JSON, Procfile: DIFFERENT})
    const run = await runSetup(f, ['-a', APP, '--dir', d.dir, '--worker', 'node dist/worker.js'])
    expect(run.code).toBe(0)
    expect(d.read('Procfile')).toBe(DIFFERENT)
    expect(run.stdout).toContain('+worker: node dist/worker.js')
    expect(run.stdout).toContain('--force')
    expect(d.list()).toEqual(['Procfile', 'package.json'])
  })

  it('with --force merges into the existing Procfile atomically, leaving no temporary file', async () => {
    const f = await start(scenarios.redisCloudOnly())
    const d = dir({'package.json': PACKAGE_JSON, Procfile: DIFFERENT})
    const run = await setup(f, d, '--web', 'node dist/web.js', '--force')
    expect(run.code).toBe(0)
    expect(d.read('Procfile')).toBe('# ours\nweb: node dist/web.js\nworker: npm run worker\n')
    expect(d.list()).toEqual(['Procfile', 'package.json'])
    expect(run.json.changes.find(c => c.kind === 'procfile')).toMatchObject({action: 'update', status: 'applied',
      diff: [' # ours', '-web: node server.js', '+web: node dist/web.js', '+worker: npm run worker']})
  })
})

describe('tsq:setup keeps secrets out of every output', () => {
  it('prints no sentinel secret in the JSON document of a run that attaches and sets config', async () => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    const run = await setup(f, dir())
    expect(run.code).toBe(0)
    for (const secret of SENTINEL_VALUES) expect(JSON.stringify(run.json)).not.toContain(secret)
    for (const r of f.mutations()) expect(JSON.stringify(r.body)).not.toMatch(/:\/\//)
  })
})
