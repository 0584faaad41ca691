// GET /dyno-sizes against the fake Platform API over real HTTP: Heroku's sizes (Cedar, and Fir's dotted names)
// become the catalogue with their source; a list that hangs, is missing or has another shape falls back to the
// built-in table with the reason, and inspectApp still reads the app.
import {afterEach, describe, expect, test} from 'vitest'

import {DYNO_SIZES_PATH, inspectApp, readDynoSizes} from '../../../src/platform/index.js'
import {findDynoSize} from '../../../src/core/model/dyno-sizes.js'
import {type FakeApi, type Scenario, startFakeApi} from '../../helpers/fake-api.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP} from '../../helpers/scenarios.js'

let fake: FakeApi | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

async function start(list: Scenario['dynoSizes']): Promise<FakeApi> {
  fake = await startFakeApi({...scenarios.herokuRedisAndPostgres(), dynoSizes: list})
  return fake
}

describe('readDynoSizes', () => {
  test('reads the Cedar list with one GET, each size with its memory, vCPUs and the API as its source', async () => {
    const f = await start('cedar')
    const {platform} = await createFakePlatform(f)
    const sizes = await readDynoSizes(platform)
    expect(f.requests.map(r => [r.method, r.path, r.headers.accept])).toEqual([['GET', DYNO_SIZES_PATH, 'application/vnd.heroku+json; version=3']])
    expect(sizes.origin).toBe('api')
    expect(sizes.sizes.map(s => s.name)).toEqual(f.state.dynoSizes.map(s => s.name.toLowerCase()))
    expect(findDynoSize(sizes, 'Standard-2X')).toEqual({name: 'standard-2x', memoryMb: 1024, cpus: 2, generation: 'cedar', source: 'GET /dyno-sizes: memory 1 GB, 2 vCPUs'})
    expect(findDynoSize(sizes, 'performance-l')).toMatchObject({memoryMb: 14_336, cpus: 8})
  })

  test('reads the Fir list with its dotted names', async () => {
    const f = await start('fir')
    const {platform} = await createFakePlatform(f)
    const sizes = await readDynoSizes(platform)
    expect(findDynoSize(sizes, 'dyno-1c-0.5gb')).toEqual({name: 'dyno-1c-0.5gb', memoryMb: 512, cpus: 1, generation: 'fir', source: 'GET /dyno-sizes: memory 0.5 GB, 1 vCPU'})
    expect(findDynoSize(sizes, 'dyno-2c-4gb')).toMatchObject({memoryMb: 4096, cpus: 2, source: 'GET /dyno-sizes: memory 4 GB, 2 vCPUs'})
    expect(sizes.sizes.some(s => s.name === 'standard-1x')).toBe(false)
  })

  test('follows a paged list to its end', async () => {
    fake = await startFakeApi({...scenarios.herokuRedisAndPostgres(), dynoSizes: 'all', pageSize: 5})
    const {platform} = await createFakePlatform(fake)
    const sizes = await readDynoSizes(platform)
    expect(sizes.sizes).toHaveLength(fake.state.dynoSizes.length)
    expect(fake.requests.length).toBe(Math.ceil(fake.state.dynoSizes.length / 5))
  })

  test.each([
    {what: 'a 404', rule: {status: 404}, reason: 'Heroku could not find the resource (404). Heroku says: Not found.'},
    {what: 'an object', rule: {fault: {kind: 'raw' as const, text: '{"name":"eco","memory":0.5}'}},
      reason: 'Heroku answered GET /dyno-sizes with an object of another shape, where a list of dyno sizes (objects with a name and a memory in GB) was expected.'},
    {what: 'a size whose memory is text', rule: {fault: {kind: 'raw' as const, text: '[{"name":"eco","memory":"0.5"}]'}},
      reason: 'Heroku answered GET /dyno-sizes with a list of other things, where a list of dyno sizes (objects with a name and a memory in GB) was expected.'},
    {what: 'an empty list', rule: {fault: {kind: 'raw' as const, text: '[]'}},
      reason: 'Heroku answered GET /dyno-sizes with an empty list, where a list of dyno sizes (objects with a name and a memory in GB) was expected.'},
    {what: 'invalid JSON', rule: {fault: {kind: 'raw' as const, text: '[{"name":'}}, reason: expect.stringMatching(/^Heroku answered GET \/dyno-sizes with a body that is not valid JSON/)},
  ])('falls back to the built-in table on $what, with the reason', async ({rule, reason}) => {
    const f = await start('cedar')
    f.failNext({path: DYNO_SIZES_PATH, ...rule})
    const {platform} = await createFakePlatform(f)
    const sizes = await readDynoSizes(platform)
    expect(sizes).toMatchObject({origin: 'built-in', fallback: reason})
    expect(findDynoSize(sizes, 'standard-2x')?.source).toMatch(/^built-in table: /)
  })

  test('falls back to the built-in table when the list never answers, once the request times out', async () => {
    const f = await start('cedar')
    f.failNext({path: DYNO_SIZES_PATH, hang: true})
    const {platform} = await createFakePlatform(f, {timeoutMs: 500})
    const sizes = await readDynoSizes(platform)
    expect(sizes).toMatchObject({origin: 'built-in', fallback: `No answer from ${f.url} within 0.5 s (GET /dyno-sizes).`})
  })
})

describe('inspectApp and the dyno sizes', () => {
  test('reads the dyno sizes with the app, and keeps the app when they fail', async () => {
    const f = await start('cedar')
    f.failNext({path: DYNO_SIZES_PATH, status: 404})
    const {platform} = await createFakePlatform(f)
    const state = await inspectApp(platform, APP)
    expect(state.formation.map(p => p.type)).toEqual(['web', 'worker'])
    expect(state.dynoSizes).toMatchObject({origin: 'built-in', fallback: expect.stringContaining('(404)')})
  })

  test('does not ask again for sizes it is given', async () => {
    const f = await start('fir')
    const {platform} = await createFakePlatform(f)
    const dynoSizes = await readDynoSizes(platform)
    const state = await inspectApp(platform, APP, {dynoSizes})
    expect(f.requests.filter(r => r.path === DYNO_SIZES_PATH)).toHaveLength(1)
    expect(state.dynoSizes).toBe(dynoSizes)
  })
})
