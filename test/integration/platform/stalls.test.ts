// §1: every request has a bounded time, body included. A body that stalls after the headers ends as the "No
// answer … within N s (METHOD path)" error in bounded time; after a mutating request the error says the change
// may have been applied and names the command that shows it.
import {describe, expect, test} from 'vitest'

import {isPlatformError, type PlatformError} from '../../../src/platform/index.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP} from '../../helpers/scenarios.js'

const {start} = useFakeApi(scenarios.herokuRedisAndPostgres)

/**
 * The error `promise` ends with. The bug this guards against is a promise that never settles (Node then exits 13):
 * one still pending after 15 s, fifty times the 0.3 s deadline, fails the test. How long it took is not asserted.
 */
async function failure(promise: Promise<unknown>, withinMs = 15_000): Promise<{error: PlatformError}> {
  let timer: NodeJS.Timeout | undefined
  const pending = new Promise<'pending'>(resolve => {
    timer = setTimeout(() => resolve('pending'), withinMs)
  })
  const outcome = await Promise.race([promise.then(() => 'resolved', (e: unknown) => e), pending])
  clearTimeout(timer)
  if (!isPlatformError(outcome)) throw new Error(`expected a PlatformError within ${withinMs} ms, got ${String(outcome)}`)
  return {error: outcome}
}

const formation = `/apps/${APP}/formation`
const config = `/apps/${APP}/config-vars`

describe('a body that stalls after the headers', () => {
  test('a 200 list that sends `[{"name":` and then nothing: "No answer" naming the request, in bounded time', async () => {
    const f = await start()
    f.failNext({path: formation, fault: {kind: 'stall', head: '[{"name":'}})
    const {platform} = await createFakePlatform(f, {timeoutMs: 300})
    const {error} = await failure(platform.get(formation))
    expect(error.kind).toBe('timeout')
    expect(error.message).toBe(`No answer from ${f.url} within 0.3 s (GET ${formation}).`)
    expect(error.mayHaveApplied).toBe(false)
  })

  test('an HTML 502 that sends its head and then nothing: the same timeout', async () => {
    const f = await start()
    f.failNext({path: `/apps/${APP}`, fault: {kind: 'stall', status: 502, contentType: 'text/html', head: '<html><head><title>502'}})
    const {platform} = await createFakePlatform(f, {timeoutMs: 300})
    const {error} = await failure(platform.get(`/apps/${APP}`))
    expect(error.message).toBe(`No answer from ${f.url} within 0.3 s (GET /apps/${APP}).`)
  })

  test('a formation PATCH applied, then its body stalls: "may have been applied", naming heroku ps, sent once', async () => {
    const f = await start()
    f.failNext({method: 'PATCH', path: formation, fault: {kind: 'stall', head: '[{"type":', apply: true}})
    const {platform} = await createFakePlatform(f, {timeoutMs: 300})
    const {error} = await failure(platform.patch(formation, {updates: [{type: 'worker', quantity: 2}]}, {idempotent: true}))
    expect(error.message).toBe(`No answer from ${f.url} within 0.3 s (PATCH ${formation}): the change may have been applied.`)
    expect(error.mayHaveApplied).toBe(true)
    expect(error.code).toBe('unknown_outcome')
    expect(error.suggestions).toEqual([`Run \`heroku ps -a ${APP}\` to see what happened before trying again.`])
    expect(f.mutations()).toHaveLength(1)
  })

  test('a config PATCH that stalls names heroku config', async () => {
    const f = await start()
    f.failNext({method: 'PATCH', path: config, fault: {kind: 'stall', head: '{', apply: true}})
    const {platform} = await createFakePlatform(f, {timeoutMs: 300})
    const {error} = await failure(platform.patch(config, {TSQ_CONCURRENCY: '4'}, {idempotent: true}))
    expect(error.suggestions[0]).toContain(`heroku config -a ${APP}`)
    expect(error.message).toContain('may have been applied')
  })
})
