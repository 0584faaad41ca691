// tsq:scale against the fake Platform API over real HTTP, recording every request. Bad arguments fail before
// any request (zero recorded); an unknown type or a count below zero fails after the reads, with no mutation.
// runScale also checks every run's stdout and stderr for SENTINEL secrets.

import {describe, expect, it} from 'vitest'

import {SCALE_FORMS} from '../../../src/core/model/formation.js'
import type {FakeApi, Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, PG_ADDON, STAGING, URLS} from '../../helpers/scenarios.js'
import {runScale} from './run-scale.js'
import Scale from '../../../commands/tsq/scale.js'
import {runCommand} from '../../helpers/run-command.js'

const {start} = useFakeApi()

/**
 * The app (Postgres essential-0: limit 20 per the Data API, reserve 2; Heroku Redis mini: 20) with one
 * standard-1x web and one standard-1x worker: Postgres 5 + 5 = 10, Redis 1 + 3 = 4. `pgLimit` changes what the
 * Data API reports.
 */
function smallApp(pgLimit = 20): Scenario {
  const s = scenarios.herokuRedisAndPostgres()
  s.apps[0]!.formation = [
    {type: 'web', quantity: 1, size: 'Standard-1X', command: 'node dist/web.js'},
    {type: 'worker', quantity: 1, size: 'Standard-1X', command: 'node dist/worker.js'},
  ]
  s.addons.find(a => a.name === PG_ADDON)!.connections = {used: 3, limit: pgLimit}
  return s
}

const scale = (f: FakeApi, ...args: string[]) => runScale(f, [...args, '-a', APP])
const formationOf = (f: FakeApi) => f.state.app(APP).formation.map(p => `${p.type}=${p.quantity}:${p.size}`).join(' ')
const PG_OVER = 'Postgres postgresql-curved-12345 would need 20 connections, over the 18 available (limit 20 − reserve 2)'

describe('tsq:scale reads and prints', () => {
  it('prints the formation in the ps:scale form without arguments, sending only reads', async () => {
    const f = await start(smallApp())
    const run = await scale(f)
    expect(run).toMatchObject({code: 0, stdout: 'web=1:standard-1x worker=1:standard-1x\n'})
    expect(f.requests.length).toBeGreaterThan(0)
    expect(f.mutations()).toEqual([])
  })
})

describe('tsq:scale applies a change that fits', () => {
  it('sends exactly one batch PATCH with the absolute count, and shows the new formation and its budget', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'worker+1')
    expect(run.code).toBe(0)
    expect(f.mutations().map(r => [r.method, r.path, r.body])).toEqual([
      ['PATCH', `/apps/${APP}/formation`, {updates: [{type: 'worker', quantity: 2}]}],
    ])
    expect(formationOf(f)).toBe('web=1:standard-1x worker=2:standard-1x')
    expect(run.stdout).toContain('⬢ example-app now runs web=1:standard-1x worker=2:standard-1x')
    expect(run.stdout).toMatch(/=== Postgres budget .*warn\n(.*\n)*\s+demand\s+15\s+20/)
    // 15 of 20 fits limit − reserve but not a restart's overlap: applied, with a warning on stderr
    expect(run.stderr).toContain('Warning: Postgres postgresql-curved-12345: 15 connections fit the limit of')
  })

  it('puts several changes and a size change in the same single PATCH, the size as dyno_size', async () => {
    const f = await start(smallApp(120))
    const run = await scale(f, 'web=2:standard-2x', 'worker+2', '--json')
    expect(run.code).toBe(0)
    expect(f.mutations().map(r => r.body)).toEqual([
      {updates: [{type: 'web', quantity: 2, dyno_size: {name: 'standard-2x'}}, {type: 'worker', quantity: 3}]},
    ])
    const json = JSON.parse(run.stdout)
    expect(json).toMatchObject({app: APP, applied: true, formation: [
      {type: 'web', quantity: 2, size: 'standard-2x'}, {type: 'worker', quantity: 3, size: 'standard-1x'},
    ]})
    // standard-2x runs 2 processes per dyno by default: 2 × 2 × 5 + 3 × 1 × 5
    const pg = json.budget.find((b: {kind: string}) => b.kind === 'postgres')
    expect(pg).toMatchObject({limit: 120, demand: 35, status: 'ok'})
    expect(pg.rows.find((r: {type: string}) => r.type === 'web')).toMatchObject({dynos: 2, processesPerDyno: 2})
  })

  it('sends nothing when the formation already is what was asked', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'worker=1', 'web=1:standard-1x')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('already runs web=1:standard-1x worker=1:standard-1x; nothing to change')
    expect(f.mutations()).toEqual([])
  })
})

describe('tsq:scale refuses a change over a limit', () => {
  it('sends no PATCH, exits 1, names the resource with demand and limit, and prints counts and pools that fit', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'worker=3')
    expect(run.code).toBe(1)
    expect(f.mutations()).toEqual([])
    expect(formationOf(f)).toBe('web=1:standard-1x worker=1:standard-1x')
    expect(run.stderr).toContain(`Not scaled: ${PG_OVER}.`)
    expect(run.stdout).toContain('worker=2  (asked 3)  heroku tsq:scale worker=2 -a example-app')
    expect(run.stdout).toMatch(/heroku config:set TSQ_\w+_DB_POOL=\d+.* -a example-app/)
    expect(run.stdout).toContain('heroku addons:upgrade postgresql-curved-12345 heroku-postgresql:')
  })

  it('its suggested count is accepted by tsq:scale itself, and one more is refused', async () => {
    const f = await start(smallApp())
    const refused = JSON.parse((await scale(f, 'worker=5', '--json')).stdout)
    const largest: number = refused.suggestions.counts[0].largest
    expect((await scale(f, `worker=${largest + 1}`)).code).toBe(1)
    expect(f.mutations()).toEqual([])
    expect((await scale(f, `worker=${largest}`)).code).toBe(0)
    expect(f.mutations().map(r => r.body)).toEqual([{updates: [{type: 'worker', quantity: largest}]}])
  })

  it('its suggested pools, once set, make the same request pass', async () => {
    const f = await start(smallApp())
    const refused = JSON.parse((await scale(f, 'worker=3', '--json')).stdout)
    expect(refused.suggestions.pools.fits).toBe('overlap')
    Object.assign(f.state.app(APP).config, refused.suggestions.pools.vars)
    const run = await scale(f, 'worker=3')
    expect(run.code).toBe(0)
    expect(f.mutations().map(r => r.body)).toEqual([{updates: [{type: 'worker', quantity: 3}]}])
  })

  it('counts the connections of a staging app sharing the database', async () => {
    const s = scenarios.sharedDatabase()
    s.apps[0]!.formation = smallApp().apps[0]!.formation
    const f = await start(s)
    // ours 10 + staging (basic web pool 5, basic worker pool = concurrency 3) 8 = 18 fits; a second worker (23) does not
    const run = await scale(f, 'worker=2')
    expect(run.code).toBe(1)
    expect(f.mutations()).toEqual([])
    expect(run.stderr).toContain('would need 23 connections, over the 18 available')
    expect(run.stdout).toMatch(new RegExp(`${STAGING} \\(shared\\)\\s+\\(all\\)\\s+8`))
    expect(run.stdout).toContain('worker=1  (asked 2)  heroku tsq:scale worker=1 -a example-app')
  })

  it('applies with --force, warning that the limit will be exceeded', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'worker=3', '--force')
    expect(run.code).toBe(0)
    expect(f.mutations().map(r => r.body)).toEqual([{updates: [{type: 'worker', quantity: 3}]}])
    expect(run.stderr).toContain('Warning: --force: scaling although Postgres')
  })

  it('with --force --json reports the change as applied and forced, with the failing budget', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'worker=3', '--force', '--json')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({applied: true, forced: true, budget: [{kind: 'postgres', demand: 20, status: 'fail'}, {kind: 'redis'}]})
    expect(run.stderr).toContain('Warning: --force: scaling although Postgres')
    expect(f.mutations()).toHaveLength(1)
  })

  it('with --json prints one JSON document with applied false and still exits 1', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'worker=3', '--json')
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout)
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['app', 'applied', 'formation', 'budget']))
    expect(json).toMatchObject({app: APP, applied: false, verdict: 'refuse', formation: [{type: 'web', quantity: 1}, {type: 'worker', quantity: 3}]})
    expect(json.budget.find((b: {kind: string}) => b.kind === 'postgres')).toMatchObject({demand: 20, limit: 20, reserve: 2, status: 'fail'})
    expect(f.mutations()).toEqual([])
  })
})

describe('tsq:scale --dry-run', () => {
  it('sends nothing for a change that fits and exits 0', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'worker=2', '--dry-run')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Dry run: ⬢ example-app would run web=1:standard-1x worker=2:standard-1x — allowed, nothing sent.')
    expect(f.mutations()).toEqual([])
  })

  it('sends nothing for a change over the limit and exits 1, even with --force', async () => {
    const f = await start(smallApp())
    expect((await scale(f, 'web=1:performance-m', '--dry-run')).code).toBe(1)
    expect((await scale(f, 'worker=3', '--dry-run', '--force')).code).toBe(0)
    expect(f.mutations()).toEqual([])
  })
})

describe('tsq:scale rejects bad arguments', () => {
  it.each([
    {args: ['worker=abc'], says: `"worker=abc": the count must be a whole number from 0 to 10000: use ${SCALE_FORMS}`},
    {args: ['worker=-1'], says: `"worker=-1": the count must be a whole number from 0 to 10000: use ${SCALE_FORMS}`},
    {args: ['worker'], says: `"worker" is not a scale argument: use ${SCALE_FORMS}`},
    {args: ['worker=1:huge$'], says: '"worker=1:huge$": "huge$" is not a dyno size name'},
    {args: ['worker+1:standard-2x'], says: '"worker+1:standard-2x": a size goes only with TYPE=N:SIZE'},
    {args: ['web=1', 'web=2'], says: '"web=2": process type web is given more than once'},
  ])('$args fails before any request, naming the argument', async ({args, says}) => {
    const f = await start(smallApp())
    const run = await scale(f, ...args)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(says)
    expect(f.requests).toEqual([])
  })

  it('fails in --json mode with one JSON error document and no request', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'worker=abc', '--json')
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout).error.message).toContain('"worker=abc"')
    expect(f.requests).toEqual([])
  })

  it.each([
    {args: ['clock=1'], says: '"clock=1": no process type clock in the formation (known: web, worker)'},
    {args: ['worker-2'], says: '"worker-2": worker has 1 dynos; it cannot go below 0'},
  ])('$args fails after reading the formation, with no mutating request', async ({args, says}) => {
    const f = await start(smallApp())
    const run = await scale(f, ...args)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(says)
    expect(f.requests.some(r => r.path === `/apps/${APP}/formation`)).toBe(true)
    expect(f.mutations()).toEqual([])
  })
})

/** A Fir app: web 1 × dyno-2c-4gb (8 processes), worker 1 × dyno-1c-0.5gb; Postgres standard-0 (120). */
function firApp(): Scenario {
  const s = smallApp(120)
  s.dynoSizes = 'fir'
  s.apps[0]!.generation = 'fir'
  s.apps[0]!.formation = [
    {type: 'web', quantity: 1, size: 'dyno-2c-4gb', command: 'node dist/web.js'},
    {type: 'worker', quantity: 1, size: 'dyno-1c-0.5gb', command: 'node dist/worker.js'},
  ]
  return s
}
/** stderr as one line: oclif wraps warnings behind styled ` › ` prefixes. */
// eslint-disable-next-line no-control-regex
const flat = (text: string) => text.replace(/\u001B\[[0-9;]*m/g, '').replace(/\n\s*›\s+/g, ' ').replace(/\s+/g, ' ')
const FIR_LISTED = 'dyno-1c-0.5gb, dyno-1c-4gb, dyno-2c-1gb, dyno-2c-4gb, dyno-2c-8gb, dyno-4c-8gb, dyno-4c-16gb, dyno-8c-32gb, dyno-16c-64gb'

describe('tsq:scale and the sizes Heroku lists (GET /dyno-sizes)', () => {
  it('scales to a dotted Fir size the API lists, in one PATCH naming it as dyno_size, judged by its memory', async () => {
    const f = await start(firApp())
    const run = await scale(f, 'web=2:dyno-1c-0.5gb', '--json')
    expect(run.code).toBe(0)
    expect(f.mutations().map(r => [r.method, r.path, r.body])).toEqual([
      ['PATCH', `/apps/${APP}/formation`, {updates: [{type: 'web', quantity: 2, dyno_size: {name: 'dyno-1c-0.5gb'}}]}],
    ])
    expect(f.requests.filter(r => r.path === '/dyno-sizes')).toHaveLength(1)
    expect(formationOf(f)).toBe('web=2:dyno-1c-0.5gb worker=1:dyno-1c-0.5gb')
    const pg = JSON.parse(run.stdout).budget.find((b: {kind: string}) => b.kind === 'postgres')
    // 0.5 GB: 1 process per dyno. web 2 × 1 × 5 + worker 1 × 1 × 5
    expect(pg.rows.find((r: {type: string}) => r.type === 'web')).toMatchObject({dynos: 2, processesPerDyno: 1})
    expect(pg.demand).toBe(15)
  })

  it('judges the current Fir formation by the listed memory: dyno-2c-4gb runs 8 processes', async () => {
    const f = await start(firApp())
    const run = await scale(f, 'worker=2', '--dry-run', '--json')
    const pg = JSON.parse(run.stdout).budget.find((b: {kind: string}) => b.kind === 'postgres')
    expect(pg.rows.find((r: {type: string}) => r.type === 'web')).toMatchObject({dynos: 1, processesPerDyno: 8})
    expect(pg.demand).toBe(8 * 5 + 2 * 5)
    expect(f.mutations()).toEqual([])
  })

  it('rejects a size the API does not list after reading only the list, naming every listed size', async () => {
    const f = await start(firApp())
    const run = await scale(f, 'web=2:standard-2x', 'worker=1:dyno-3c-3gb')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`"web=2:standard-2x": unknown dyno size "standard-2x"; the sizes of Heroku's GET /dyno-sizes are: ${FIR_LISTED}`)
    expect(run.stderr).toContain(`"worker=1:dyno-3c-3gb": unknown dyno size "dyno-3c-3gb"; the sizes of Heroku's GET /dyno-sizes are: ${FIR_LISTED}`)
    expect(f.requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /dyno-sizes'])
  })

  it('rejects a Fir size on a Cedar-only list in --json mode with one error document and no mutating request', async () => {
    const f = await start({...smallApp(), dynoSizes: 'cedar'})
    const run = await scale(f, 'web=1:dyno-1c-0.5gb', '--json')
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout).error.message).toContain('"web=1:dyno-1c-0.5gb": unknown dyno size "dyno-1c-0.5gb"; the sizes of Heroku\'s GET /dyno-sizes are: eco, basic, standard-1x, standard-2x,')
    expect(f.mutations()).toEqual([])
  })

  it('rejects a Fir size for a Cedar app when the list holds both generations, after reading the app, with no mutating request', async () => {
    const f = await start(smallApp())
    const run = await scale(f, 'web=1:dyno-2c-4gb')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('"web=1:dyno-2c-4gb": dyno size "dyno-2c-4gb" is not offered for a cedar app; the sizes of Heroku\'s GET /dyno-sizes for a cedar app are: eco, basic, standard-1x, standard-2x,')
    expect(run.stderr).not.toMatch(/are: [^\n]*dyno-1c/)
    expect(f.mutations()).toEqual([])
  })

  it.each([
    {what: 'a 404', rule: {status: 404}},
    {what: 'a wrong shape', rule: {fault: {kind: 'raw' as const, text: '{"sizes":[]}'}}},
  ])('falls back to the built-in table on $what, with a warning, and still scales', async ({rule}) => {
    const f = await start(smallApp(120))
    f.failNext({path: '/dyno-sizes', ...rule})
    const run = await scale(f, 'web=2:standard-2x')
    expect(run.code).toBe(0)
    expect(flat(run.stderr)).toContain("Warning: Heroku's dyno sizes could not be read, so tsq's built-in table sizes the dynos: Heroku")
    expect(f.mutations().map(r => r.body)).toEqual([{updates: [{type: 'web', quantity: 2, dyno_size: {name: 'standard-2x'}}]}])
  })

  it('falls back to the built-in table when the list never answers, and names those sizes for an unknown one', async () => {
    const f = await start(smallApp())
    f.failNext({path: '/dyno-sizes', hang: true})
    const run = await runCommand(Scale, ['web=1:huge', '-a', APP], {fake: f, env: {TSQ_API_TIMEOUT: '1'}, checkSentinels: true})
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`"web=1:huge": unknown dyno size "huge"; the sizes of tsq's built-in table (Heroku's GET /dyno-sizes could not be used: No answer from ${f.url} within 1 s (GET /dyno-sizes).) are: eco, basic,`)
    expect(f.requests.map(r => r.path)).toEqual(['/dyno-sizes'])
  })
})

describe('tsq:scale passes Platform API errors through', () => {
  it('shows Heroku\'s message for a 422 on the PATCH, sent once, and exits 1', async () => {
    const f = await start(smallApp())
    const message = 'Cannot scale to more than 5 PX size dynos per process type.'
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, status: 422, body: {id: 'invalid_params', message}})
    const run = await scale(f, 'worker=2')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`Error: ${message}`)
    expect(run.stderr).toContain('Code: invalid_params')
    expect(f.mutations()).toHaveLength(1)
    expect(formationOf(f)).toBe('web=1:standard-1x worker=1:standard-1x')
  })

  it('gives up on a PATCH refused by the rate limit with Heroku\'s message and what to do, changing nothing', async () => {
    const f = await start(smallApp())
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, status: 429, headers: {'Retry-After': '0'}, times: 10})
    const run = await scale(f, 'worker=2')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('Heroku API rate limit reached')
    expect(run.stderr).toContain('Heroku says: Your account reached the API rate limit')
    expect(run.stderr).toContain('Try this: Wait a minute for the rate limit to refill')
    expect(f.mutations().every(r => r.status === 429)).toBe(true)
    expect(formationOf(f)).toBe('web=1:standard-1x worker=1:standard-1x')
  })

  it('sends the batch again after a 503, since it carries absolute counts, and applies it once', async () => {
    const f = await start(smallApp())
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, status: 503, headers: {'Retry-After': '0'}})
    const run = await scale(f, 'worker+1')
    expect(run.code).toBe(0)
    expect(f.mutations().map(r => [r.status, r.body])).toEqual([
      [503, {updates: [{type: 'worker', quantity: 2}]}],
      [200, {updates: [{type: 'worker', quantity: 2}]}],
    ])
    expect(formationOf(f)).toBe('web=1:standard-1x worker=2:standard-1x')
  })

  it('masks a secret that Heroku\'s error message happens to contain', async () => {
    const f = await start(smallApp())
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, status: 422, body: {id: 'invalid_params', message: `cannot scale with ${URLS.postgres}`}})
    const run = await scale(f, 'worker=2')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('cannot scale with postgres://u4k2j9xq:*****@')
  })

  it('shows Heroku\'s message and what to do for a 403 on the app, with no mutating request', async () => {
    const f = await start(smallApp())
    f.failNext({method: 'GET', path: `/apps/${APP}`, status: 403, body: {id: 'forbidden', message: 'You do not have access to the app example-app.'}})
    const run = await scale(f, 'worker=2')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('You do not have access to app example-app (403). Heroku says: You do not have access to the app example-app.')
    expect(run.stderr).toContain('Try this: Ask an owner of example-app')
    expect(f.mutations()).toEqual([])
  })

  it('names the app and how to check it for a 404', async () => {
    const f = await start(smallApp())
    const run = await runScale(f, ['worker=2', '-a', 'no-such-app'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('Heroku could not find app no-such-app (404).')
    expect(f.mutations()).toEqual([])
  })
})

describe('tsq:scale budget for an add-on shared with an app it cannot read', () => {
  it('names the unreadable app in the --json budget\'s notCounted and shows its total as ? in the table, as the doctor does', async () => {
    const s = scenarios.forbiddenSharingApp()
    s.apps[0]!.formation = smallApp().apps[0]!.formation
    const f = await start(s)
    const json = JSON.parse((await scale(f, 'worker=2', '--dry-run', '--json')).stdout)
    const pg = json.budget.find((b: {kind: string}) => b.kind === 'postgres')
    expect(pg.sharedWith).toEqual([STAGING])
    expect(pg.notCounted).toEqual([{app: STAGING, error: expect.stringContaining('403')}])
    const human = await scale(f, 'worker=2', '--dry-run')
    expect(human.stdout).toMatch(/example-app-staging \(shared, not readable\)\s+\(all\)\s+\?/)
    expect(human.stdout).toContain('not counted: example-app-staging could not be read')
  })
})

describe('tsq:scale keeps secrets out of its output', () => {
  it('masks a secret echoed in a warning about an invalid setting, in human and --json output', async () => {
    const s = smallApp()
    // A secret pasted into the wrong variable: the warning quotes the value, the redactor must mask it.
    s.apps[0]!.config!.TSQ_DB_POOL = scenarios.SENTINELS.sessionSecret
    const f = await start(s)
    const human = await scale(f, 'worker=2', '--dry-run')
    expect(human.stderr).toContain('TSQ_DB_POOL="*****" is invalid')
    const json = await scale(f, 'worker=2', '--dry-run', '--json')
    expect(JSON.parse(json.stdout).warnings).toContain('TSQ_DB_POOL="*****" is invalid (a whole number from 1 to 10000); the budget assumes the default')
    for (const secret of scenarios.SENTINEL_VALUES) expect(human.stdout + human.stderr + json.stdout + json.stderr).not.toContain(secret)
  })
})
