import {describe, expect, it} from 'vitest'
import type {AddonInfo, AppState} from '../../../../../src/core/model/app-state.js'
import {assess} from '../../../../../src/core/assess/assess.js'
import {runChecks} from '../../../../../src/core/checks/index.js'
import {ScaleArgumentError, parseScaleArgs} from '../../../../../src/core/model/formation.js'
import {type AttachChange, type ConfigChange, type SetupIntent, type SetupPlan, planSetup} from '../../../../../src/core/plans/setup/setup-plan.js'
import {addon, appStateOf, attachment, postgresAddon, redisAddon} from '../../../../helpers/app-state.js'

const PG = postgresAddon('essential-0', {id: 'pg1', name: 'postgresql-curved-1'})
const RC = redisAddon('rediscloud:30', {id: 'rc1', name: 'rediscloud-flat-2'})
const R2G = redisAddon('redistogo:nano', {id: 'tg1', name: 'redistogo-round-3'})
const KVS = redisAddon('heroku-redis:mini', {id: 'kv1', name: 'redis-curved-4', configVars: ['HEROKU_REDIS_PINK_URL']})
const MAIL = addon('mailgun:starter', {id: 'ml1', name: 'mailgun-shiny-5', configVars: ['MAILGUN_API_KEY']})

const URL_OF: Record<string, string> = {
  DATABASE_URL: 'postgres://u:p@pg.example.com:5432/d', REDISCLOUD_URL: 'redis://default:p@rc.example.com:1',
  REDISTOGO_URL: 'redis://redistogo:p@tg.example.com:2', HEROKU_REDIS_PINK_URL: 'rediss://:p@kv.example.com:3', REDIS_URL: 'rediss://:p@kv.example.com:3',
}

/** An app with these add-ons attached under their default names, config vars set accordingly. */
function app(addons: AddonInfo[], extra: Partial<AppState> = {}, config: Record<string, string> = {}): AppState {
  const vars = Object.fromEntries(addons.flatMap(a => a.configVars).map(v => [v, URL_OF[v] ?? 'value']))
  const formation = [{type: 'web', quantity: 1, size: 'standard-1x'}, {type: 'worker', quantity: 1, size: 'standard-1x'}]
  return {...appStateOf({addons, config: {...vars, ...config}, formation}), ...extra}
}

function intent(overrides: Partial<SetupIntent> = {}): SetupIntent {
  return {redis: null, local: null, procfile: {existing: 'web: npm start\nworker: npm run worker\n', scripts: null, commands: {}, force: false}, ...overrides}
}

const attaches = (plan: SetupPlan) => plan.changes.filter((c): c is AttachChange => c.kind === 'attach')
const configOf = (plan: SetupPlan) => plan.changes.find((c): c is ConfigChange => c.kind === 'config')

/** The app after the plan's attachments and config vars, as the platform would report it. */
function applied(state: AppState, plan: SetupPlan): AppState {
  const config = {...state.config, ...configOf(plan)?.vars}
  let attachments = state.attachments
  for (const a of attaches(plan).filter(a => a.as)) {
    const addon = state.addons.find(x => x.name === a.addon)!
    attachments = [...attachments.filter(x => !x.configVars.includes(`${a.as}_URL`)), attachment(addon, a.as!)]
    config[`${a.as}_URL`] = URL_OF[addon.configVars[0]!]!
  }
  return {...state, config, attachments}
}

/** The doctor's checks on an app state: the statuses setup promises. */
function doctor(state: AppState) {
  return runChecks({assessment: assess(state), state, local: false, live: false})
}

describe('planSetup: Redis', () => {
  it.each([
    ['Redis Cloud', RC],
    ['Redis To Go', R2G],
    ['Heroku KVS attached under another name', KVS],
  ])('attaches the one %s add-on as REDIS, without confirm first, so the app gets REDIS_URL', (_name, addon) => {
    const state = app([PG, addon])
    const plan = planSetup(state, intent())
    expect(attaches(plan)).toEqual([expect.objectContaining({addon: addon.name, as: 'REDIS', confirm: false, configVar: 'REDIS_URL'})])
    expect(plan.after.redis).toMatchObject({configVar: 'REDIS_URL', used: {name: addon.name}})
    expect(plan.blocked).toBe(false)
  })

  it('never puts a URL into a planned change', () => {
    const plan = planSetup(app([PG, RC]), intent())
    const text = JSON.stringify(plan.changes)
    for (const url of Object.values(URL_OF)) expect(text).not.toContain(url)
  })

  it('skips the attach when REDIS_URL already comes from an attachment', () => {
    const state = app([PG, KVS])
    state.attachments[1] = attachment(KVS, 'REDIS')
    state.config.REDIS_URL = URL_OF.REDIS_URL!
    const plan = planSetup(state, intent())
    expect(attaches(plan)).toEqual([])
    expect(plan.skipped).toContainEqual({kind: 'attach', reason: expect.stringContaining(`comes from ${KVS.name}`)})
  })

  it('stops before any change when there are two Redis add-ons and no --redis, naming both', () => {
    const plan = planSetup(app([PG, RC, R2G]), intent())
    expect(plan.blocked).toBe(true)
    const problem = plan.problems.find(p => p.blocking)!
    expect(problem).toMatchObject({id: 'redis.addon'})
    expect(problem.message).toContain(RC.name)
    expect(problem.message).toContain(R2G.name)
    expect(problem.fix).toContain('--redis')
  })

  it('stops when there is no Redis add-on and names the command that provisions one', () => {
    const plan = planSetup(app([PG]), intent())
    expect(plan.blocked).toBe(true)
    expect(plan.problems[0]!.fix).toContain('heroku addons:create heroku-redis:mini -a demo')
  })

  it.each([
    ['an add-on that is not Redis', MAIL.name, 'is not a Redis add-on'],
    ['an add-on that is not attached', 'redis-nowhere-9', 'No add-on named redis-nowhere-9'],
  ])('refuses --redis naming %s, listing the Redis add-ons it could name', (_what, name, says) => {
    const plan = planSetup(app([PG, RC, MAIL]), intent({redis: name}))
    expect(plan.blocked).toBe(true)
    expect(plan.problems[0]!.message).toContain(says)
    expect(plan.problems[0]!.fix).toContain(RC.name)
  })

  it('accepts --redis by add-on name or by its attachment name on the app', () => {
    for (const name of [RC.name, 'REDISCLOUD']) {
      expect(attaches(planSetup(app([PG, RC, R2G]), intent({redis: name})))).toEqual([expect.objectContaining({addon: RC.name, as: 'REDIS'})])
    }
  })

  it('promotes like redis:promote: re-attaches the old REDIS_URL owner under its default name, then the new one as REDIS with confirm', () => {
    const state = app([PG, KVS, RC])
    state.attachments[1] = attachment(KVS, 'REDIS')
    state.config.REDIS_URL = URL_OF.REDIS_URL!
    const plan = planSetup(state, intent({redis: RC.name}))
    expect(attaches(plan).map(a => [a.addon, a.as, a.confirm])).toEqual([[KVS.name, null, true], [RC.name, 'REDIS', true]])
    expect(plan.after.redis.used?.name).toBe(RC.name)
  })

  it('skips the re-attach when the old owner keeps another URL on the app', () => {
    const state = app([PG, KVS, RC])
    state.attachments.push(attachment(KVS, 'REDIS'))
    state.config.REDIS_URL = URL_OF.REDIS_URL!
    const plan = planSetup(state, intent({redis: RC.name}))
    expect(attaches(plan).map(a => [a.addon, a.as, a.confirm])).toEqual([[RC.name, 'REDIS', true]])
  })

  it('leaves a hand-set REDIS_URL alone without --redis and passes on the doctor\'s warning', () => {
    const plan = planSetup(app([PG, RC], {}, {REDIS_URL: 'redis://h:p@elsewhere.example.com:1'}), intent())
    expect(attaches(plan)).toEqual([])
    expect(plan.notes.map(n => n.id)).toContain('redis.addon')
  })

  it('refuses --redis while REDIS_URL is set by hand, naming config:unset', () => {
    const plan = planSetup(app([PG, RC], {}, {REDIS_URL: 'redis://h:p@elsewhere.example.com:1'}), intent({redis: RC.name}))
    expect(plan.blocked).toBe(true)
    expect(plan.problems[0]).toMatchObject({id: 'redis.url', fix: expect.stringContaining('heroku config:unset REDIS_URL -a demo')})
  })
})

describe('planSetup: settings', () => {
  const failing = {formation: [{type: 'web', quantity: 2, size: 'standard-2x'}, {type: 'worker', quantity: 2, size: 'standard-1x'}]}

  it('chooses settings for a formation that fails with defaults that the doctor then passes', () => {
    const state = app([PG, RC], failing)
    expect(doctor(state).find(c => c.id === 'postgres.connections')?.status).toBe('fail')
    const plan = planSetup(state, intent())
    expect(plan.problems).toEqual([])
    const after = applied(state, plan)
    expect(doctor(after).filter(c => c.status === 'fail')).toEqual([])
    const pg = assess(after).resources.find(r => r.kind === 'postgres')!
    expect(2 * pg.demand).toBeLessThanOrEqual(pg.limit!)
  })

  it('sets only variables whose value changes, with the previous value of each', () => {
    const state = app([PG, RC], failing, {TSQ_WEB_DB_POOL: '1'})
    const config = configOf(planSetup(state, intent()))!
    expect(config.vars).not.toHaveProperty('TSQ_WEB_DB_POOL')
    for (const [name, value] of Object.entries(config.vars)) {
      expect(state.config[name]).not.toBe(value)
      expect(config.previous[name]).toBe(state.config[name] ?? null)
    }
  })

  it('keeps values the user set when they fit the limit with the reserve', () => {
    // web 1 × 1 × 4 + worker 1 × 1 × 4 = 8 of 18 available, and 2 × 8 ≤ 20.
    const plan = planSetup(app([PG, RC], {}, {TSQ_DB_POOL: '4', TSQ_CONCURRENCY: '4'}), intent())
    expect(configOf(plan)).toBeUndefined()
    expect(plan.skipped).toContainEqual({kind: 'config', reason: expect.stringContaining('already fit')})
  })

  it('keeps user values that fit the limit but not a restart\'s overlap, and proposes the overlap fix as a note', () => {
    // web 1 × 1 × 7 + worker 1 × 1 × 7 = 14 ≤ 18, but 2 × 14 > 20.
    const plan = planSetup(app([PG, RC], {}, {TSQ_DB_POOL: '7', TSQ_CONCURRENCY: '7'}), intent())
    expect(configOf(plan)).toBeUndefined()
    expect(plan.skipped.some(s => s.kind === 'config' && s.reason.startsWith('kept your'))).toBe(true)
    expect(plan.notes.find(n => n.id === 'restart.overlap')?.fix).toContain('heroku config:set')
  })

  it('overrides user values that fail the budget and records what they were', () => {
    const state = app([PG, RC], {}, {TSQ_DB_POOL: '12'})
    const config = configOf(planSetup(state, intent()))!
    expect(config.previous).toMatchObject({TSQ_WEB_DB_POOL: null})
    expect(config.reasons.join('\n')).toContain('over the 18 available')
    expect(doctor(applied(state, planSetup(state, intent()))).filter(c => c.status === 'fail')).toEqual([])
  })

  it('changes nothing and reports postgres.connections with fixes when even pools of 1 do not fit', () => {
    const plan = planSetup(app([PG, RC], {formation: [{type: 'web', quantity: 10, size: 'standard-2x'}]}), intent())
    expect(configOf(plan)).toBeUndefined()
    expect(plan.blocked).toBe(false)
    const problem = plan.problems.find(p => p.id === 'postgres.connections')!
    expect(problem.blocking).toBe(false)
    expect(problem.fix).toMatch(/tsq:scale web=\d+/)
    expect(problem.fix).toContain('addons:upgrade')
    expect(plan.skipped).toContainEqual({kind: 'config', reason: expect.stringContaining('pool of 1')})
  })

  it('reports redis.connections when Redis, whose per-process count is fixed, does not fit', () => {
    const state = app([PG, R2G], {formation: [{type: 'worker', quantity: 3, size: 'standard-1x'}]}, {TSQ_DB_POOL: '1', TSQ_CONCURRENCY: '1'})
    const plan = planSetup(state, intent())
    expect(plan.problems.map(p => [p.id, p.blocking])).toContainEqual(['redis.connections', false])
  })

  it('stops before any change on invalid settings, naming variable, value and what is allowed', () => {
    const plan = planSetup(app([PG, RC], {}, {TSQ_CONCURRENCY: 'abc'}), intent())
    expect(plan.blocked).toBe(true)
    expect(plan.problems[0]!.message).toContain('TSQ_CONCURRENCY="abc"')
    expect(plan.problems[0]!.message).toContain('whole number')
  })

  it('leaves pools alone when the plan\'s limit is unknown', () => {
    const plan = planSetup(app([{...PG, plan: 'heroku-postgresql:standard-9'}, RC], failing), intent())
    expect(configOf(plan)).toBeUndefined()
    expect(plan.skipped).toContainEqual({kind: 'config', reason: expect.stringContaining('not known')})
  })

  it('plans nothing on a second run over the result of the first', () => {
    const state = app([PG, RC], failing)
    const first = planSetup(state, intent())
    expect(first.changes.length).toBeGreaterThan(0)
    const second = planSetup(applied(state, first), intent())
    expect(second.changes).toEqual([])
    expect(second.problems).toEqual([])
  })
})

describe('planSetup: Procfile', () => {
  const procfile = (p: Partial<SetupIntent['procfile']>) => planSetup(app([PG, RC]), intent({procfile: {existing: null, scripts: null, commands: {}, force: false, ...p}}))
  const fileChange = (plan: SetupPlan) => plan.changes.find(c => c.kind === 'procfile')

  it.each([
    ['package.json scripts', {scripts: {start: 'node web.js', worker: 'node worker.js', release: 'node migrate.js'}}, 'web: npm start\nworker: npm run worker\nrelease: npm run release\n'],
    ['flags, which win over scripts', {scripts: {start: 'x'}, commands: {web: 'node web.js', worker: 'node w.js'}}, 'web: node web.js\nworker: node w.js\n'],
  ])('creates a Procfile from %s', (_from, p, expected) => {
    expect(fileChange(procfile(p))).toMatchObject({action: 'create', before: null, after: expected})
  })

  it('says a Procfile that already runs web and worker needs nothing', () => {
    const plan = procfile({existing: 'web: node web.js\nworker: node w.js\n', scripts: {start: 'x', worker: 'y'}})
    expect(fileChange(plan)).toBeUndefined()
    expect(plan.skipped).toContainEqual({kind: 'procfile', reason: 'Procfile already runs web, worker'})
  })

  it('leaves a different Procfile alone without --force and reports the diff', () => {
    const plan = procfile({existing: 'web: node web.js\n', commands: {web: 'node server.js', worker: 'node w.js'}})
    expect(fileChange(plan)).toBeUndefined()
    const skip = plan.skipped.find(s => s.kind === 'procfile' && s.diff)!
    expect(skip.reason).toContain('--force')
    expect(skip.diff).toEqual(['-web: node web.js', '+web: node server.js', '+worker: node w.js'])
  })

  it('with --force rewrites only the managed lines, keeping comments and other types in place', () => {
    const existing = '# processes\nweb: node web.js\nclock: node clock.js\n'
    const change = fileChange(procfile({existing, commands: {web: 'node server.js', worker: 'node w.js'}, force: true}))
    expect(change).toMatchObject({action: 'update', after: '# processes\nweb: node server.js\nclock: node clock.js\nworker: node w.js\n'})
  })

  it('with a type defined twice, rewrites the definition that wins (the last) and notes the duplicate', () => {
    const existing = 'web: node web.js\nworker: node old.js\nworker: node w.js\n'
    const plan = procfile({existing, commands: {worker: 'node new.js'}, force: true})
    expect(fileChange(plan)).toMatchObject({after: 'web: node web.js\nworker: node old.js\nworker: node new.js\n'})
    expect(plan.notes).toContainEqual(expect.objectContaining({id: 'procfile.duplicate', message: expect.stringContaining('Procfile line 3 defines worker again')}))
  })

  it('stops on a --web that is empty or spans lines', () => {
    for (const web of ['', 'a\nb']) expect(procfile({commands: {web}}).problems[0]).toMatchObject({id: 'setup.procfile', blocking: true})
  })

  it('leaves an unparsable Procfile alone even with --force', () => {
    const plan = procfile({existing: 'this is not a procfile\n', commands: {web: 'x'}, force: true})
    expect(fileChange(plan)).toBeUndefined()
    expect(plan.skipped.find(s => s.kind === 'procfile')?.reason).toContain('Procfile line 1 is not')
  })

  it('says what to pass when there is no web or worker command anywhere', () => {
    const reasons = procfile({}).skipped.map(s => s.reason)
    expect(reasons).toContain('no web process: pass --web CMD or add a "start" script to package.json')
    expect(reasons).toContain('no worker process: pass --worker CMD or add a "worker" script to package.json')
  })
})

describe('planSetup --local', () => {
  const live = (limit: number) => ({connections: 1, limit, limitSource: 'SHOW max_connections', attributed: [], unattributed: 1, error: null})

  it('judges one dyno per planned Procfile type against the local server and writes the values into .env', () => {
    const state = appStateOf({app: 'local', generation: null, config: {DATABASE_URL: 'postgres://127.0.0.1:5432/postgres', REDIS_URL: 'redis://127.0.0.1:6379', TSQ_WEB_DB_POOL: '9', OTHER: '1'}})
    const dotenv = '# local\nTSQ_WEB_DB_POOL=9\nOTHER=1\n'
    const plan = planSetup(state, intent({local: {dotenv}, live: {postgres: live(8)}}))
    expect(plan.after.formation.map(f => `${f.type}=${f.quantity}`)).toEqual(['web=1', 'worker=1'])
    const config = configOf(plan)!
    expect(config.target).toBe('.env')
    expect(attaches(plan)).toEqual([])
    const after = {...state.config, ...config.vars}
    const pg = assess({...state, formation: [...plan.after.formation]}, {config: after, live: {postgres: live(8)}}).resources.find(r => r.kind === 'postgres')!
    expect(pg.demand).toBeLessThanOrEqual(pg.available!)
    expect(config.file!.after.startsWith('# local\nTSQ_WEB_DB_POOL=')).toBe(true)
    expect(config.file!.after).toContain('\nOTHER=1\n')
    for (const [k, v] of Object.entries(config.vars)) expect(config.file!.after).toContain(`${k}=${v}\n`)
  })

  const localState = appStateOf({app: 'local', generation: null, config: {DATABASE_URL: 'postgres://127.0.0.1:5432/postgres', REDIS_URL: 'redis://127.0.0.1:6379'}})

  it('applies --formation to one dyno per planned Procfile type and sizes the pools for it', () => {
    const one = planSetup(localState, intent({local: {dotenv: null}, live: {postgres: live(20)}}))
    const plan = planSetup(localState, intent({local: {dotenv: null, formation: parseScaleArgs(['web=3,worker+1'])}, live: {postgres: live(20)}}))
    expect(plan.after.formation.map(f => `${f.type}=${f.quantity}`)).toEqual(['web=3', 'worker=2'])
    const pg = plan.after.resources.find(r => r.kind === 'postgres')!
    expect(pg.demand).toBeLessThanOrEqual(pg.available!)
    // 20 fits one dyno each at the default pools even twice over (2 × 10); five dynos need pools of 2.
    const pools = (p: SetupPlan) => p.after.processes.map(x => x.dbPool)
    expect([pools(one), pools(plan)]).toEqual([[5, 5], [2, 2]])
  })

  it('throws the ScaleArgumentError tsq:doctor --local gives for a type the planned Procfile does not have', () => {
    expect(() => planSetup(localState, intent({local: {dotenv: null, formation: parseScaleArgs(['clock=1'])}})))
      .toThrow(new ScaleArgumentError(['"clock=1": no process type clock in the formation (known: web, worker)']))
  })
})
