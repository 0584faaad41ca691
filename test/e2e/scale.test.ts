// tsq:scale end to end: through the real `heroku` CLI with the plugin linked, and standalone through
// bin/run.js, against the fake Platform API (fully offline), recording every request.
import {describe, expect, it} from 'vitest'
import type {FakeApi, Scenario} from '../helpers/fake-api.js'
import type {CliResult} from '../helpers/heroku-cli.js'
import * as scenarios from '../helpers/scenarios.js'
import {APP, PG_ADDON, SENTINEL_VALUES} from '../helpers/scenarios.js'
import {useCliSandboxes} from '../helpers/cli-sandboxes.js'

/** The app with one standard-1x web and worker: Postgres 10 of 20 (reserve 2), Redis 4 of 20. */
function smallApp(): Scenario {
  const s = scenarios.herokuRedisAndPostgres()
  s.apps[0]!.formation = [
    {type: 'web', quantity: 1, size: 'Standard-1X', command: 'node dist/web.js'},
    {type: 'worker', quantity: 1, size: 'Standard-1X', command: 'node dist/worker.js'},
  ]
  s.addons.find(a => a.name === PG_ADDON)!.connections = {used: 3, limit: 20}
  return s
}

/** The same app on Fir: web 1 × dyno-2c-4gb (8 processes: 40 Postgres connections, over the limit), worker 1 × dyno-1c-0.5gb. */
function firApp(): Scenario {
  const s = smallApp()
  s.dynoSizes = 'fir'
  s.apps[0]!.generation = 'fir'
  s.apps[0]!.formation = [
    {type: 'web', quantity: 1, size: 'dyno-2c-4gb', command: 'node dist/web.js'},
    {type: 'worker', quantity: 1, size: 'dyno-1c-0.5gb', command: 'node dist/worker.js'},
  ]
  return s
}

const cli = useCliSandboxes(() => smallApp())

const on = (api: FakeApi) => ({env: {HEROKU_HOST: api.url, HEROKU_PARTICLEBOARD_URL: api.url, HEROKU_DATA_HOST: api.url}})

/** Error output as one line: oclif wraps it to the terminal width and prefixes lines with ` ›`. */
const flat = (text: string) => text.replace(/ ›/g, ' ').replace(/\s+/g, ' ')

function noSecrets(run: CliResult): void {
  for (const secret of SENTINEL_VALUES) {
    expect(run.stdout).not.toContain(secret)
    expect(run.stderr).not.toContain(secret)
  }
}

describe('heroku tsq:scale through the real heroku CLI', () => {
  it('applies a scale that fits with one batch PATCH, a spinner on stderr, and the new formation and budget on stdout', async () => {
    const api = await cli.startApi()
    const run = await cli.sandbox.heroku(['tsq:scale', 'worker=2', '-a', APP], on(api))
    noSecrets(run)
    expect(run.exitCode).toBe(0)
    expect(api.mutations().map(r => [r.method, r.path, r.body])).toEqual([
      ['PATCH', `/apps/${APP}/formation`, {updates: [{type: 'worker', quantity: 2}]}],
    ])
    expect(run.stderr).toContain('Scaling worker to 2 on ⬢ example-app... done')
    expect(run.stdout).toContain('⬢ example-app now runs web=1:standard-1x worker=2:standard-1x')
    expect(run.stdout).toContain('=== Postgres budget')
    expect(api.state.app(APP).formation.find(p => p.type === 'worker')!.quantity).toBe(2)
  })

  it('refuses a scale over the Postgres limit: exit 1, the reason on stderr, the fixes on stdout, no PATCH', async () => {
    const api = await cli.startApi()
    const run = await cli.sandbox.heroku(['tsq:scale', 'worker=3', '-a', APP], on(api))
    noSecrets(run)
    expect(run.exitCode).toBe(1)
    expect(flat(run.stderr)).toContain('Error: Not scaled: Postgres postgresql-curved-12345 would need 20 connections, over the 18 available (limit 20 − reserve 2).')
    expect(run.stdout).toContain('heroku tsq:scale worker=2 -a example-app')
    expect(run.stdout).toMatch(/heroku config:set TSQ_\w+_DB_POOL=\d+/)
    expect(api.mutations()).toEqual([])
  })

  it('refuses with --json: exactly one JSON document on stdout, applied false, exit 1', async () => {
    const api = await cli.startApi()
    const run = await cli.sandbox.heroku(['tsq:scale', 'worker=3', '-a', APP, '--json'], on(api))
    noSecrets(run)
    expect(run.exitCode).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({app: APP, applied: false, budget: [{kind: 'postgres', demand: 20, status: 'fail'}, {kind: 'redis'}]})
    expect(api.mutations()).toEqual([])
  })
})

describe('heroku tsq:scale on Fir through the real heroku CLI', () => {
  it('scales web to the dotted size dyno-1c-0.5gb that GET /dyno-sizes lists: one PATCH with dyno_size, judged by its memory', async () => {
    const api = await cli.startApi(firApp())
    const run = await cli.sandbox.heroku(['tsq:scale', 'web=2:dyno-1c-0.5gb', '-a', APP], on(api))
    noSecrets(run)
    expect(run.exitCode).toBe(0)
    expect(api.mutations().map(r => [r.method, r.path, r.body])).toEqual([
      ['PATCH', `/apps/${APP}/formation`, {updates: [{type: 'web', quantity: 2, dyno_size: {name: 'dyno-1c-0.5gb'}}]}],
    ])
    expect(api.requests.filter(r => r.path === '/dyno-sizes')).toHaveLength(1)
    // 0.5 GB: 1 process per dyno, so web 2 × 5 + worker 5 = 15 of the 18 available (the 8 processes of dyno-2c-4gb needed 45)
    expect(run.stdout).toContain('⬢ example-app now runs web=2:dyno-1c-0.5gb worker=1:dyno-1c-0.5gb')
    expect(run.stdout).toMatch(/=== Postgres budget .*\n(.*\n)*\s+demand\s+15\s+20/)
    expect(api.state.app(APP).formation.map(p => `${p.type}=${p.quantity}:${p.size}`)).toEqual(['web=2:dyno-1c-0.5gb', 'worker=1:dyno-1c-0.5gb'])
  })

  it('rejects a size GET /dyno-sizes does not list, naming the listed ones, after that one read', async () => {
    const api = await cli.startApi(firApp())
    const run = await cli.sandbox.heroku(['tsq:scale', 'web=2:standard-2x', '-a', APP], on(api))
    expect(run.exitCode).toBe(1)
    expect(flat(run.stderr)).toContain('"web=2:standard-2x": unknown dyno size "standard-2x"; the sizes of Heroku\'s GET /dyno-sizes are: dyno-1c-0.5gb, dyno-1c-4gb,')
    expect(api.requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /dyno-sizes'])
  })
})

describe('tsq:scale standalone through bin/run.js', () => {
  it('prints the formation in the ps:scale form without arguments and sends only reads', async () => {
    const api = await cli.startApi()
    const run = await cli.standalone.standalone(['tsq:scale', '-a', APP], on(api))
    noSecrets(run)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toBe('web=1:standard-1x worker=1:standard-1x\n')
    expect(api.mutations()).toEqual([])
  })

  it('rejects a bad argument before any request', async () => {
    const api = await cli.startApi()
    const run = await cli.standalone.standalone(['tsq:scale', 'worker=abc', '-a', APP], on(api))
    expect(run.exitCode).toBe(1)
    expect(flat(run.stderr)).toContain('"worker=abc": the count must be a whole number from 0 to 10000: use TYPE=N, TYPE=N:SIZE, TYPE+N or TYPE-N')
    expect(api.requests).toEqual([])
  })
})
