// §1 "applied, then lost": a mutation whose answer is lost (reset, timeout) may have been applied. It is never
// sent again when that could apply it twice, and it is reported as unknown with the command that shows what
// happened — never as "not applied". A formation PATCH is followed by a read of the formation.
import {describe, expect, it} from 'vitest'

import Scale from '../../../commands/tsq/scale.js'
import {attachAddon, isPlatformError, patchFormation} from '../../../src/platform/index.js'
import type {FakeApi} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import {expectErrorDocument} from '../../helpers/json-error.js'
import {runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, withPostgres} from '../../helpers/scenarios.js'
import {PACKAGE_JSON, runSetupJson, useAppDirs} from './run-setup.js'

const RC_ADDON = 'rediscloud-rigid-67890'
const {start} = useFakeApi()
const dir = useAppDirs()

const posts = (f: FakeApi) => f.mutations().filter(r => r.method === 'POST')

describe('POST /addon-attachments applied, then the socket reset', () => {
  it('is sent once (two attachments would follow a re-send) and reported as may have been applied, naming heroku addons', async () => {
    const f = await start(scenarios.redisCloudOnly())
    f.failNext({method: 'POST', path: '/addon-attachments', fault: {kind: 'reset', apply: true}, times: 10})
    const {platform} = await createFakePlatform(f)
    const error = await attachAddon(platform, {app: APP, addon: RC_ADDON, name: 'REDIS'}).catch((e: unknown) => e)
    if (!isPlatformError(error)) throw new Error(`expected a PlatformError, got ${String(error)}`)
    expect(posts(f)).toHaveLength(1)
    expect(f.state.attachments.filter(t => t.name === 'REDIS')).toHaveLength(1)
    expect(error.mayHaveApplied).toBe(true)
    expect(error.message).toContain('may have been applied')
    expect(error.suggestions[0]).toContain(`heroku addons -a ${APP}`)
  })

  it('tsq:setup reports the attach as unknown, not failed, and stops there', async () => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    f.failNext({method: 'POST', path: '/addon-attachments', fault: {kind: 'reset', apply: true}, times: 10})
    const d = dir({'package.json': PACKAGE_JSON})
    const run = await runSetupJson(f, ['-a', APP, '--dir', d.dir])
    expect(run.code).toBe(1)
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['attach', 'unknown'], ['config', 'not-attempted'], ['procfile', 'not-attempted']])
    expect(run.json.changes[0]!.hint).toContain(`heroku addons -a ${APP}`)
    expect(posts(f)).toHaveLength(1)
  })
})

describe('a config PATCH delivered, then the socket reset', () => {
  it('is sent once and tsq:setup reports it as may have been applied, naming heroku config — not "failed"', async () => {
    const f = await start(withPostgres(scenarios.redisCloudOnly()))
    f.state.app(APP).config.REDIS_URL = scenarios.URLS.rediscloud
    f.failNext({method: 'PATCH', path: `/apps/${APP}/config-vars`, fault: {kind: 'reset', apply: true}, times: 10})
    const d = dir({'package.json': PACKAGE_JSON})
    const run = await runSetupJson(f, ['-a', APP, '--dir', d.dir])
    expect(run.code).toBe(1)
    const config = run.json.changes.find(c => c.kind === 'config')!
    expect(config.status).toBe('unknown')
    expect(config.error).toContain('may have been applied')
    expect(config.hint).toContain(`heroku config -a ${APP}`)
    expect(f.mutations().filter(r => r.method === 'PATCH')).toHaveLength(1)
  })
})

describe('a formation PATCH whose answer is lost', () => {
  it('is followed by a read of the formation, and the error says what Heroku now runs', async () => {
    const f = await start(scenarios.herokuRedisAndPostgres())
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, fault: {kind: 'reset', apply: true}, times: 10})
    const {platform} = await createFakePlatform(f)
    const error = await patchFormation(platform, APP, [{type: 'worker', quantity: 0}]).catch((e: unknown) => e)
    if (!isPlatformError(error)) throw new Error(`expected a PlatformError, got ${String(error)}`)
    expect(f.mutations()).toHaveLength(1)
    expect(f.requests.at(-1)).toMatchObject({method: 'GET', path: `/apps/${APP}/formation`})
    expect(error.message).toContain('may have been applied')
    expect(error.message).toContain('Heroku now reports web=2:standard-2x worker=0:standard-1x: the change was applied.')
    expect(error.suggestions[0]).toContain(`heroku ps -a ${APP}`)
  })

  it('a reset before the change took effect: the re-read says it is not there', async () => {
    const f = await start(scenarios.herokuRedisAndPostgres())
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, fault: {kind: 'reset'}, times: 10})
    const {platform} = await createFakePlatform(f)
    const error = await patchFormation(platform, APP, [{type: 'worker', quantity: 0}]).catch((e: unknown) => e)
    if (!isPlatformError(error)) throw new Error(`expected a PlatformError, got ${String(error)}`)
    expect(error.message).toContain('Heroku now reports web=2:standard-2x worker=1:standard-1x: not the change asked for (worker=0)')
  })

  it('tsq:scale --json: one error document saying what Heroku now runs', async () => {
    const f = await start(scenarios.herokuRedisAndPostgres())
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, fault: {kind: 'reset', apply: true}, times: 10})
    const run = await runCommand(Scale, ['web=1', '-a', APP, '--json'], {fake: f, env: {HEROKU_APP: undefined}, checkSentinels: true})
    const error = expectErrorDocument({...run, exitCode: run.code})
    expect(error.code).toBe('unknown_outcome')
    expect(error.message).toContain('Heroku now reports web=1:standard-2x worker=1:standard-1x: the change was applied.')
    expect(f.mutations()).toHaveLength(1)
  })
})
