// Wrong-shape 2xx answers: every answer's shape is checked before it is read. The error names the request and
// what was expected; nothing is ever assessed or acted on from a body of the wrong shape.
import {describe, expect, test} from 'vitest'

import Doctor from '../../../commands/tsq/doctor.js'
import Scale from '../../../commands/tsq/scale.js'
import {inspectApp, isPlatformError, patchFormation, type PlatformError} from '../../../src/platform/index.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import {expectErrorDocument} from '../../helpers/json-error.js'
import {runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP} from '../../helpers/scenarios.js'

const {start} = useFakeApi(scenarios.herokuRedisAndPostgres)

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(() => null, (e: unknown) => e)
  if (!isPlatformError(error)) throw new Error(`expected a PlatformError, got ${String(error)}`)
  return error
}

describe('a 2xx answer of the wrong shape is an error naming the request and what was expected', () => {
  test.each([
    ['formation {"web":2}', `/apps/${APP}/formation`, '{"web":2}', 'an object of another shape, where a list of process types'],
    ['an empty app body', `/apps/${APP}`, '', 'an empty body, where an app'],
    ['null add-ons', `/apps/${APP}/addons`, 'null', 'null, where a list of add-ons'],
    ['config vars [1,2,3]', `/apps/${APP}/config-vars`, '[1,2,3]', 'a list of other things, where config vars'],
    ['invalid JSON', `/apps/${APP}/addon-attachments`, '[{"id": "x",', 'a body that is not valid JSON'],
  ])('%s', async (_name, path, text, expected) => {
    const f = await start()
    f.failNext({path, fault: {kind: 'raw', text}})
    const {platform} = await createFakePlatform(f)
    const error = await failure(inspectApp(platform, APP))
    expect(error.kind).toBe('unreadable')
    expect(error.message).toContain(`Heroku answered GET ${path} with ${expected}`)
    expect(error.mayHaveApplied).toBe(false)
  })

  test('tsq:doctor --json on a formation {"web":2}: one error document, not "entries.map is not a function"', async () => {
    const f = await start()
    f.failNext({path: `/apps/${APP}/formation`, fault: {kind: 'raw', text: '{"web":2}'}})
    const run = await runCommand(Doctor, ['-a', APP, '--json'], {fake: f, env: {HEROKU_APP: undefined}, checkSentinels: true})
    const error = expectErrorDocument({...run, exitCode: run.code})
    expect(error.code).toBe('unreadable')
    expect(error.message).toContain(`GET /apps/${APP}/formation`)
    expect(error.message).not.toContain('is not a function')
  })

  test('a scale PATCH that answers {"ok":true} after applying: may have been applied, and the formation is read back', async () => {
    const f = await start()
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, fault: {kind: 'raw', text: '{"ok":true}', apply: true}})
    const {platform} = await createFakePlatform(f)
    const error = await failure(patchFormation(platform, APP, [{type: 'worker', quantity: 2}]))
    expect(error.message).toContain(`Heroku answered PATCH /apps/${APP}/formation with an object of another shape, where a list of process types`)
    expect(error.message).toContain('may have been applied')
    expect(error.message).toContain('Heroku now reports web=2:standard-2x worker=2:standard-1x: the change was applied.')
    expect(error.suggestions[0]).toContain(`heroku ps -a ${APP}`)
    expect(f.mutations()).toHaveLength(1)
  })

  test('tsq:scale on a PATCH answered with invalid JSON: exit 1, never a budget built on it', async () => {
    const f = await start()
    f.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, fault: {kind: 'raw', text: '[{"type":"web",', apply: true}})
    const run = await runCommand(Scale, ['web=1', '-a', APP, '--json'], {fake: f, env: {HEROKU_APP: undefined}, checkSentinels: true})
    const error = expectErrorDocument({...run, exitCode: run.code})
    expect(error.code).toBe('unknown_outcome')
    expect(error.message).toContain('not valid JSON')
  })
})
