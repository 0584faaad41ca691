// The applier and the file writer on their own: stop at the first failure and say what happened to each
// change; write atomically, leaving neither a temporary file nor a damaged target when a write fails.
import {mkdirSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'
import {type SetupEffects, applySetup} from '../../../src/cli/setup-apply.js'
import {writeFileAtomic} from '../../../src/cli/setup-files.js'
import {type SetupPlan, planSetup} from '../../../src/core/plans/setup/setup-plan.js'
import {failureOf, setupResult} from '../../../src/render/setup.js'
import {appStateOf, postgresAddon, redisAddon} from '../../helpers/app-state.js'
import {appDir} from './run-setup.js'

const dirs: Array<ReturnType<typeof appDir>> = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove()
})

/** A plan with an attach, a config change and a Procfile: Redis Cloud + essential-0 over its limit, no Procfile. */
function threeChangePlan(): SetupPlan {
  const state = appStateOf({
    addons: [
      postgresAddon('essential-0', {id: 'pg', name: 'postgresql-a-1'}),
      redisAddon('rediscloud:30', {id: 'rc', name: 'rediscloud-b-2'}),
    ],
    config: {DATABASE_URL: 'postgres://u:p@h:5432/d', REDISCLOUD_URL: 'redis://u:p@r:1'},
    formation: [{type: 'web', quantity: 3, size: 'standard-2x'}, {type: 'worker', quantity: 1, size: 'standard-1x'}],
  })
  const plan = planSetup(state, {redis: null, local: null, procfile: {existing: null, scripts: {start: 'x', worker: 'y'}, commands: {}, force: false}})
  expect(plan.changes.map(c => c.kind)).toEqual(['attach', 'config', 'procfile'])
  return plan
}

function effects(overrides: Partial<SetupEffects>, calls: string[]): SetupEffects {
  return {
    attach: async c => void calls.push(`attach ${c.addon}`),
    readConfig: async () => (calls.push('read'), {REDIS_URL: 'redis://x'}),
    setConfig: async vars => void calls.push(`set ${Object.keys(vars).join(',')}`),
    writeFile: async name => void calls.push(`write ${name}`),
    readFile: async name => (calls.push(`read ${name}`), null),
    removeFile: async name => void calls.push(`remove ${name}`),
    step: (_c, run) => run(),
    ...overrides,
  }
}

describe('applySetup', () => {
  it('applies every change in order, reading the config back after the attach', async () => {
    const calls: string[] = []
    const outcomes = await applySetup(threeChangePlan(), effects({}, calls))
    expect(outcomes.map(o => o.status)).toEqual(['applied', 'applied', 'applied'])
    expect(calls).toEqual(['attach rediscloud-b-2', 'read', 'set TSQ_WEB_DB_POOL,TSQ_WORKER_DB_POOL,TSQ_WORKER_CONCURRENCY', 'write Procfile'])
  })

  it('stops at the first failure: later changes are not attempted, and the report says so', async () => {
    const calls: string[] = []
    const plan = threeChangePlan()
    const outcomes = await applySetup(plan, effects({setConfig: () => Promise.reject(new Error('Heroku API error 503'))}, calls))
    expect(outcomes.map(o => [o.status, o.error])).toEqual([['applied', null], ['failed', 'Heroku API error 503'], ['not-attempted', null]])
    expect(calls).not.toContain('write Procfile')
    const failure = failureOf(setupResult(plan, outcomes, false))
    expect(failure.message).toBe('Setup stopped: Heroku API error 503 (1 change(s) applied, 1 failed, 1 not attempted)')
    expect(failure.suggestions.at(-1)).toContain('heroku tsq:setup -a demo')
  })

  it('fails the attach when REDIS_URL does not appear afterwards, and goes no further', async () => {
    const calls: string[] = []
    const outcomes = await applySetup(threeChangePlan(), effects({readConfig: async () => ({})}, calls))
    expect(outcomes.map(o => o.status)).toEqual(['failed', 'not-attempted', 'not-attempted'])
    expect(outcomes[0]!.error).toContain('has no REDIS_URL afterwards')
  })
})

describe('writeFileAtomic', () => {
  it('replaces a file through a temporary file that does not remain', async () => {
    const d = appDir({Procfile: 'web: old\n'})
    dirs.push(d)
    await writeFileAtomic(`${d.dir}/Procfile`, 'web: new\n')
    expect(d.read('Procfile')).toBe('web: new\n')
    expect(d.list()).toEqual(['Procfile'])
  })

  it('leaves no temporary file when the rename fails (the target is a directory)', async () => {
    const d = appDir({})
    dirs.push(d)
    mkdirSync(`${d.dir}/Procfile`)
    mkdirSync(`${d.dir}/Procfile/inside`)
    await expect(writeFileAtomic(`${d.dir}/Procfile`, 'web: new\n')).rejects.toThrow()
    expect(d.list()).toEqual(['Procfile'])
  })
})
