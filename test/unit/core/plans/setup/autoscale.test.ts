// tsq:setup --autoscale's plan (spec §10, §5): the Procfile line, the one autoscaler dyno the budget counts
// before Heroku runs any, HEROKU_API_KEY and `ps:scale` left to the user, and a second run that changes nothing.
import {describe, expect, it} from 'vitest'
import type {AppState, FormationEntry} from '../../../../../src/core/model/app-state.js'
import {diagnose} from '../../../../../src/core/checks/doctor.js'
import {AUTOSCALE_COMMAND} from '../../../../../src/core/plans/setup/autoscale.js'
import {type SetupIntent, type SetupPlan, planSetup} from '../../../../../src/core/plans/setup/setup-plan.js'
import {appState, kvs, pg} from '../../checks/fixtures.js'

const PROCFILE = 'web: npm start\nworker: npm run worker\n'
const LINE = 'autoscale: npx heroku-tsq tsq:autoscale --interval 30'
const FORMATION: FormationEntry[] = [
  {type: 'web', quantity: 1, size: 'standard-1x', command: 'npm start'},
  {type: 'worker', quantity: 1, size: 'standard-1x', command: 'npm run worker'},
]

function app(config: Record<string, string> = {}, formation = FORMATION): AppState {
  return appState({addons: [kvs('mini'), pg('essential-0')], config, formation})
}

function intent(over: Partial<SetupIntent> = {}, existing: string | null = PROCFILE, force = true): SetupIntent {
  return {redis: null, local: null, autoscale: {tsqDependency: 'dependencies'}, procfile: {existing, scripts: null, commands: {}, force}, ...over}
}

const procfileOf = (plan: SetupPlan) => plan.changes.find(c => c.kind === 'procfile')
const varsOf = (plan: SetupPlan) => plan.changes.find(c => c.kind === 'config')?.vars ?? {}
const redisOf = (plan: SetupPlan) => plan.after.resources.find(r => r.kind === 'redis')!
const noteIds = (plan: SetupPlan) => plan.notes.map(n => n.id).filter(id => id.startsWith('autoscale.'))

/** The app once the plan is applied: config vars set, the Procfile deployed (types Heroku already runs get its commands). */
function applied(state: AppState, plan: SetupPlan): {state: AppState, procfile: string | null} {
  const procfile = procfileOf(plan)
  const config = {...state.config, ...varsOf(plan)}
  return {state: {...state, config}, procfile: procfile?.kind === 'procfile' ? procfile.after : PROCFILE}
}

describe('planSetup --autoscale: the Procfile line', () => {
  it('appends the autoscale line (npx heroku-tsq, interval 30) to the Procfile with --force, keeping the other lines', () => {
    const plan = planSetup(app(), intent())
    expect(AUTOSCALE_COMMAND).toBe('npx heroku-tsq tsq:autoscale --interval 30')
    expect(procfileOf(plan)).toMatchObject({action: 'update', after: `${PROCFILE}${LINE}\n`,
      diff: [' web: npm start', ' worker: npm run worker', `+${LINE}`]})
  })

  it('creates a Procfile with web, worker and autoscale from package.json scripts when there is none', () => {
    const plan = planSetup(app(), intent({procfile: {existing: null, scripts: {start: 'node web.js', worker: 'node worker.js'}, commands: {}, force: false}}))
    expect(procfileOf(plan)).toMatchObject({action: 'create', after: `web: npm start\nworker: npm run worker\n${LINE}\n`})
  })

  it('without --force leaves an existing Procfile alone, shows the line in the skipped diff, and neither counts nor configures an autoscaler', () => {
    const plan = planSetup(app(), intent({}, PROCFILE, false))
    expect(procfileOf(plan)).toBeUndefined()
    expect(plan.skipped).toContainEqual(expect.objectContaining({kind: 'procfile', diff: expect.arrayContaining([`+${LINE}`])}))
    expect(plan.after.processes.map(p => p.type)).toEqual(['web', 'worker'])
    expect(varsOf(plan)).not.toHaveProperty('HEROKU_APP')
    expect(noteIds(plan)).toEqual([])
  })

  it('keeps a Procfile type that already runs tsq:autoscale under another name and flags, adding no second one', () => {
    const existing = `${PROCFILE}scaler: npx heroku-tsq tsq:autoscale --interval 60 --max 4\n`
    const plan = planSetup(app(), intent({}, existing))
    expect(procfileOf(plan)).toBeUndefined()
    expect(plan.skipped).toContainEqual({kind: 'procfile', reason: 'Procfile already runs web, worker, scaler'})
    expect(plan.after.processes.find(p => p.type === 'scaler')).toMatchObject({dynos: 1, stack: 'none', redisConnections: 1})
  })

  it('a Rails app gets the same line, and a note naming the Node buildpack and the heroku-tsq dependency its dyno needs', () => {
    const lock = 'GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (5.6.5)\n    rails (6.1.7.10)\n    sidekiq (6.4.1)\n\nDEPENDENCIES\n  rails\n'
    const state = {...app(), checkout: {dir: '.', files: {'Gemfile.lock': {text: lock}}}}
    const plan = planSetup(state, intent({autoscale: {tsqDependency: null}}, null))
    const procfile = procfileOf(plan)
    expect(procfile?.kind === 'procfile' && procfile.after.split('\n')).toContain(LINE)
    const note = plan.notes.find(n => n.id === 'autoscale.node')!
    expect(note.fix).toBe('heroku buildpacks:add --index 1 heroku/nodejs -a demo; then npm install --save-prod heroku-tsq, then commit package.json and package-lock.json')
  })

  it.each([
    ['in devDependencies', 'devDependencies', 'package.json has heroku-tsq in devDependencies, which the Node buildpack prunes from the slug'],
    ['not in package.json', null, 'package.json does not list heroku-tsq in dependencies'],
  ] as const)('a Node app with heroku-tsq %s is told to make it a dependency', (_title, where, says) => {
    const plan = planSetup(app(), intent({autoscale: {tsqDependency: where}}))
    expect(plan.notes.find(n => n.id === 'autoscale.node')).toEqual({id: 'autoscale.node',
      message: `${says}: \`npx heroku-tsq\` on the autoscale dyno would download it at every start`,
      fix: 'npm install --save-prod heroku-tsq, then commit package.json and package-lock.json'})
  })

  it('a Node app with heroku-tsq in dependencies gets no Node note', () => {
    expect(noteIds(planSetup(app(), intent()))).not.toContain('autoscale.node')
  })
})

describe('planSetup --autoscale: the budget counts one autoscaler dyno', () => {
  it('counts the new type at 1 dyno with stack none and one Redis connection: Redis demand is one more than without --autoscale', () => {
    const without = planSetup(app(), intent({autoscale: null}))
    const plan = planSetup(app(), intent())
    expect(plan.after.processes.find(p => p.type === 'autoscale')).toMatchObject({dynos: 1, stack: 'none', role: 'none', redisConnections: 1, dbPool: 0})
    expect(redisOf(plan).demand).toBe(redisOf(without).demand + 1)
    expect(plan.after.resources.find(r => r.kind === 'postgres')!.demand).toBe(without.after.resources.find(r => r.kind === 'postgres')!.demand)
  })

  it('counts 1 even when the formation already has the type at 0 dynos, and keeps a count above 1', () => {
    const atZero = planSetup(app({}, [...FORMATION, {type: 'autoscale', quantity: 0, size: 'basic', command: AUTOSCALE_COMMAND}]), intent({}, `${PROCFILE}${LINE}\n`))
    expect(atZero.after.processes.find(p => p.type === 'autoscale')!.dynos).toBe(1)
    const atTwo = planSetup(app({}, [...FORMATION, {type: 'autoscale', quantity: 2, size: 'basic', command: AUTOSCALE_COMMAND}]), intent({}, `${PROCFILE}${LINE}\n`))
    expect(atTwo.after.processes.find(p => p.type === 'autoscale')!.dynos).toBe(2)
    expect(noteIds(atTwo)).not.toContain('autoscale.dynos')
  })

  it('reports redis.connections when the autoscaler\'s connection is the one that no longer fits (it fits without --autoscale)', () => {
    // heroku-redis:mini allows 20; a reserve of 16 leaves 4: web 1 + worker 3 fit exactly, the autoscaler's 1 does not.
    const config = {TSQ_REDIS_RESERVE: '16'}
    const without = planSetup(app(config), intent({autoscale: null}))
    expect(without.problems).toEqual([])
    const plan = planSetup(app(config), intent())
    expect(redisOf(plan)).toMatchObject({demand: 5, available: 4, status: 'fail'})
    expect(plan.problems).toContainEqual(expect.objectContaining({id: 'redis.connections', blocking: false}))
  })
})

describe('planSetup --autoscale: config vars and what is left to the user', () => {
  it('sets HEROKU_APP to the app in the config change, with its reason', () => {
    const plan = planSetup(app(), intent())
    expect(varsOf(plan)).toMatchObject({HEROKU_APP: 'demo'})
    const config = plan.changes.find(c => c.kind === 'config')!
    expect(config.kind === 'config' && config.previous.HEROKU_APP).toBeNull()
    expect(config.kind === 'config' && config.reasons).toContainEqual(expect.stringMatching(/^HEROKU_APP=demo: tsq:autoscale on the autoscale dyno reads its app from it/))
  })

  it('names `heroku ps:scale autoscale=1 -a demo` and a HEROKU_API_KEY from `heroku authorizations:create` when the app has none', () => {
    const plan = planSetup(app(), intent())
    expect(plan.notes.find(n => n.id === 'autoscale.dynos')!.fix).toBe('once deployed: heroku ps:scale autoscale=1 -a demo')
    const token = plan.notes.find(n => n.id === 'autoscale.token')!
    expect(token.message).toContain('demo does not have')
    expect(token.fix).toContain('heroku authorizations:create')
  })

  it('never puts the app\'s HEROKU_API_KEY value into its changes, notes or skipped steps, and names no token step when the app has one', () => {
    const token = 'SENTINELtokenAPIKEY7781'
    const plan = planSetup(app({HEROKU_API_KEY: token}), intent())
    expect(JSON.stringify([plan.changes, plan.notes, plan.skipped, plan.problems])).not.toContain(token)
    expect(noteIds(plan)).toEqual(['autoscale.dynos'])
  })

  it('a second plan on the applied app changes nothing, and the doctor on the app counts the autoscaler\'s connection once it is scaled', () => {
    const state = app()
    const first = planSetup(state, intent())
    const after = applied(state, first)
    const second = planSetup(after.state, intent({}, after.procfile))
    expect(second.changes).toEqual([])
    // Deployed and scaled as the note says: the doctor's Redis demand is what setup planned for.
    const scaled = {...after.state, formation: [...FORMATION, {type: 'autoscale', quantity: 1, size: 'basic', command: AUTOSCALE_COMMAND}]}
    expect(diagnose(scaled).report.resources.find(r => r.kind === 'redis')!.demand).toBe(redisOf(first).demand)
  })

  it('--local writes no HEROKU_APP into .env and says the type needs an app, a token and ps:scale on Heroku', () => {
    const plan = planSetup(app(), intent({local: {dotenv: null}}))
    expect(varsOf(plan)).not.toHaveProperty('HEROKU_APP')
    expect(plan.after.processes.find(p => p.type === 'autoscale')).toMatchObject({dynos: 1, redisConnections: 1})
    expect(noteIds(plan)).toEqual(['autoscale.app', 'autoscale.dynos', 'autoscale.token'])
    expect(plan.notes.find(n => n.id === 'autoscale.dynos')!.fix).toBe('once deployed: heroku ps:scale autoscale=1 -a APP')
  })
})
