// tsq:setup end to end through the REAL `heroku` CLI with this plugin linked, against the fake Platform API:
// the way users run it. A Redis Cloud app over its Postgres limit is set up, a second run changes nothing,
// and the doctor then passes; then --autoscale adds the autoscaler to the set-up app; no secret reaches any output.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {SetupResult} from '../../src/render/setup.js'
import {type FakeApi, startFakeApi} from '../helpers/fake-api.js'
import {type HerokuSandbox, createHerokuSandbox} from '../helpers/heroku-cli.js'
import * as scenarios from '../helpers/scenarios.js'
import {APP, PG_ADDON, SENTINEL_VALUES, URLS} from '../helpers/scenarios.js'
import {PACKAGE_JSON, PROCFILE, appDir} from '../integration/setup/run-setup.js'

let fake: FakeApi
let sandbox: HerokuSandbox
let dir: ReturnType<typeof appDir>

beforeAll(async () => {
  const s = scenarios.redisCloudOnly()
  const pg = scenarios.herokuRedisAndPostgres()
  s.addons.push(pg.addons.find(a => a.name === PG_ADDON)!)
  s.attachments.push({app: APP, addon: PG_ADDON, name: 'DATABASE'})
  fake = await startFakeApi(s)
  sandbox = await createHerokuSandbox({apiUrl: fake.url, apiKey: fake.state.token})
  dir = appDir({'package.json': PACKAGE_JSON})
})

afterAll(async () => {
  sandbox?.cleanup()
  dir?.remove()
  await fake?.close()
})

function expectNoSecrets(...outputs: string[]): void {
  for (const secret of SENTINEL_VALUES) for (const out of outputs) expect(out).not.toContain(secret)
}

describe('heroku tsq:setup (real heroku CLI)', () => {
  it('attaches Redis Cloud as REDIS, sets fitting pools in one PATCH, writes the Procfile; a second run changes nothing', async () => {
    const first = await sandbox.heroku(['tsq:setup', '-a', APP, '--dir', dir.dir, '--json'])
    expectNoSecrets(first.stdout, first.stderr)
    expect(first.exitCode).toBe(0)
    const result = JSON.parse(first.stdout) as SetupResult
    expect(result).toMatchObject({app: APP, dryRun: false, ok: true})
    expect(result.changes.map(c => [c.kind, c.status])).toEqual([['attach', 'applied'], ['config', 'applied'], ['procfile', 'applied']])
    expect(first.stderr).toContain(`Attaching rediscloud-rigid-67890 as REDIS to ⬢ ${APP} (sets REDIS_URL)... done, v2`)
    expect(fake.mutations().map(r => `${r.method} ${r.path}`)).toEqual(['POST /addon-attachments', `PATCH /apps/${APP}/config-vars`])
    expect(fake.state.configVars(APP).REDIS_URL).toBe(URLS.rediscloud)
    expect(dir.read('Procfile')).toBe(PROCFILE)

    const second = await sandbox.heroku(['tsq:setup', '-a', APP, '--dir', dir.dir])
    expectNoSecrets(second.stdout, second.stderr)
    expect(second.exitCode).toBe(0)
    expect(second.stdout).toContain('Nothing to change')
    expect(fake.mutations()).toHaveLength(2)

    const doctor = await sandbox.heroku(['tsq:doctor', '-a', APP, '--json'])
    expectNoSecrets(doctor.stdout, doctor.stderr)
    expect(doctor.exitCode).toBe(0)
    expect((JSON.parse(doctor.stdout) as {checks: Array<{status: string}>}).checks.filter(c => c.status === 'fail')).toEqual([])
  })

  it('then --autoscale --force sends one config PATCH (HEROKU_APP), appends the autoscale line and names `heroku ps:scale autoscale=1`', async () => {
    const before = fake.mutations().length
    const run = await sandbox.heroku(['tsq:setup', '-a', APP, '--dir', dir.dir, '--autoscale', '--force', '--json'])
    expectNoSecrets(run.stdout, run.stderr)
    expect(run.exitCode).toBe(0)
    expect(fake.mutations().slice(before).map(r => [r.method, r.path, r.body])).toEqual([['PATCH', `/apps/${APP}/config-vars`, {HEROKU_APP: APP}]])
    expect(dir.read('Procfile')).toBe(`${PROCFILE}autoscale: npx heroku-tsq tsq:autoscale --interval 30\n`)
    const result = JSON.parse(run.stdout) as SetupResult
    expect(result.changes.map(c => [c.kind, c.status])).toEqual([['config', 'applied'], ['procfile', 'applied']])
    expect(result.notes.find(n => n.id === 'autoscale.dynos')?.fix).toBe(`once deployed: heroku ps:scale autoscale=1 -a ${APP}`)
    expect(result.budget.find(r => r.kind === 'redis')!.rows.map(r => r.type)).toContain('autoscale')
  })
})
