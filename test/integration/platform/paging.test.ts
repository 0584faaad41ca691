// §1: every list has a bounded number of pages and a total time bound. A Next-Range that repeats, an empty page
// that says more follow, or more than MAX_LIST_PAGES pages ends with an error naming the list — never a loop.
import {afterEach, describe, expect, test} from 'vitest'

import Doctor from '../../../commands/tsq/doctor.js'
import {MAX_LIST_PAGES} from '../../../src/platform/client.js'
import {isPlatformError, type PlatformError} from '../../../src/platform/index.js'
import {type FakeApi, startFakeApi} from '../../helpers/fake-api.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import {expectErrorDocument} from '../../helpers/json-error.js'
import {runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP} from '../../helpers/scenarios.js'

let fake: FakeApi | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

async function start(options: {latencyMs?: number} = {}): Promise<FakeApi> {
  fake = await startFakeApi(scenarios.manyAddons(6, 3), options)
  return fake
}

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(() => null, (e: unknown) => e)
  if (!isPlatformError(error)) throw new Error(`expected a PlatformError, got ${String(error)}`)
  return error
}

const addons = `/apps/${APP}/addons`
const pagesOf = (f: FakeApi, path: string) => f.requests.filter(r => r.path === path).length

describe('bounded paging', () => {
  test('a list of several pages is still read whole', async () => {
    const f = await start()
    const {platform} = await createFakePlatform(f)
    const list = await platform.get<unknown[]>(addons)
    expect(list.length).toBe(f.state.addons.filter(a => a.app === APP).length)
    expect(pagesOf(f, addons)).toBeGreaterThan(1)
  })

  test('a Next-Range that repeats stops at the second page with an error naming the list', async () => {
    const f = await start()
    f.failNext({path: addons, fault: {kind: 'loop-next-range'}, times: 1000})
    const {platform} = await createFakePlatform(f)
    const error = await failure(platform.get(addons))
    expect(error.kind).toBe('paging')
    expect(error.message).toContain(`add-ons of app ${APP}`)
    expect(error.message).toContain(`GET ${addons}`)
    expect(error.message).toContain('repeated')
    expect(pagesOf(f, addons)).toBe(2)
  })

  test('an empty page that carries a Next-Range is an error naming the list', async () => {
    const f = await start()
    f.failNext({path: addons, fault: {kind: 'empty-page'}, times: 1000})
    const {platform} = await createFakePlatform(f)
    const error = await failure(platform.get(addons))
    expect(error.kind).toBe('paging')
    expect(error.message).toContain(`add-ons of app ${APP}`)
    expect(error.message).toContain('empty page')
    expect(pagesOf(f, addons)).toBe(1)
  })

  test(`a list that never ends stops after ${MAX_LIST_PAGES} pages`, async () => {
    const f = await start()
    f.failNext({path: addons, fault: {kind: 'endless-pages'}, times: 100_000})
    const {platform} = await createFakePlatform(f)
    const error = await failure(platform.get(addons))
    expect(error.kind).toBe('paging')
    expect(error.message).toContain(`more than ${MAX_LIST_PAGES} pages`)
    expect(pagesOf(f, addons)).toBe(MAX_LIST_PAGES)
  })

  test('a list has a total time bound, whatever each page takes', async () => {
    const f = await start({latencyMs: 40})
    f.failNext({path: addons, fault: {kind: 'endless-pages'}, times: 100_000})
    const {platform} = await createFakePlatform(f, {listTimeoutMs: 400})
    // The bound shows in what ended the list (a timeout naming 0.4 s, before the page limit), not in wall-clock time.
    const error = await failure(platform.get(addons))
    expect(error.kind).toBe('timeout')
    expect(error.message).toContain(`add-ons of app ${APP}`)
    expect(error.message).toContain('0.4 s')
    expect(pagesOf(f, addons)).toBeLessThan(MAX_LIST_PAGES)
  })

  test('tsq:doctor --json on a looping list: one error document naming the list, a handful of requests', async () => {
    const f = await start()
    f.failNext({path: addons, fault: {kind: 'loop-next-range'}, times: 100_000})
    const run = await runCommand(Doctor, ['-a', APP, '--json'], {fake: f, env: {HEROKU_APP: undefined}, checkSentinels: true})
    const error = expectErrorDocument({...run, exitCode: run.code})
    expect(error.message).toContain(`add-ons of app ${APP}`)
    expect(f.requests.length).toBeLessThan(20)
  })
})
