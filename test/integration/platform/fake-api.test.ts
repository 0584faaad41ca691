// The fake Platform API itself, spoken to with plain fetch: the whole suite relies on it behaving like Heroku.

import {existsSync, readFileSync} from 'node:fs'

import {afterEach, describe, expect, test} from 'vitest'

import {type FakeApi, startFakeApi} from '../../helpers/fake-api.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, PG_ADDON, SENTINELS} from '../../helpers/scenarios.js'

// The official schema, from the shared reference beside the checkout: next to it, or next to a directory that
// holds it (a git worktree one level further down).
const SCHEMA = JSON.parse(readFileSync(findShared('reference/platform-api-schema.json'), 'utf8')) as
  {definitions: Record<string, {properties: Record<string, unknown>, required?: string[]}>}

function findShared(file: string): URL {
  for (let up = '../../../../'; up.length < 40; up += '../') {
    const url = new URL(`${up}shared/${file}`, import.meta.url)
    if (existsSync(url)) return url
  }
  throw new Error(`shared/${file} not found beside the checkout or its parent directories`)
}

let fake: FakeApi | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

async function call(path: string, init: RequestInit & {token?: string | null} = {}) {
  const {token = SENTINELS.apiToken, ...rest} = init
  const headers = new Headers(rest.headers)
  if (token !== null) headers.set('Authorization', `Bearer ${token}`)
  if (rest.body) headers.set('Content-Type', 'application/json')
  const response = await fetch(`${fake!.url}${path}`, {...rest, headers})
  return {status: response.status, headers: response.headers, body: await response.json() as unknown}
}

const keysOf = (value: unknown) => Object.keys(value as object)

describe('fake Platform API', () => {
  test.each([
    ['app', `/apps/${APP}`, false],
    ['add-on', `/apps/${APP}/addons`, true],
    ['add-on-attachment', `/apps/${APP}/addon-attachments`, true],
    ['formation', `/apps/${APP}/formation`, true],
    ['release', `/apps/${APP}/releases`, true],
  ])('%s answers carry every property the schema defines', async (definition, path, list) => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    const {status, body} = await call(path)
    expect(status).toBe(200)
    const sample = list ? (body as unknown[])[0] : body
    expect(keysOf(sample)).toEqual(expect.arrayContaining(keysOf(SCHEMA.definitions[definition]!.properties)))
  })

  test('without the right Bearer token: 401 unauthorized', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    expect(await call(`/apps/${APP}`, {token: null})).toMatchObject({status: 401, body: {id: 'unauthorized'}})
    expect((await call(`/apps/${APP}`, {token: 'other'})).status).toBe(401)
  })

  test('every answer has RateLimit-Remaining counting down and a Request-Id', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    const first = await call(`/apps/${APP}`)
    const second = await call('/apps/nope')
    expect([first.headers.get('ratelimit-remaining'), second.headers.get('ratelimit-remaining')]).toEqual(['4499', '4498'])
    expect(second.headers.get('request-id')).toMatch(/^[\da-f-]{36}$/)
    expect((await call('/account/rate-limits')).body).toEqual({remaining: 4498})
  })

  test('lists page by Range: 206 with Next-Range while more remain, and max= is honoured', async () => {
    fake = await startFakeApi(scenarios.manyAddons(6, 200))
    const first = await call(`/apps/${APP}/addons`, {headers: {Range: 'id ..; max=5'}})
    expect(first.status).toBe(206)
    const names = (first.body as Array<{name: string}>).map(a => a.name)
    expect(names).toHaveLength(5)
    const next = first.headers.get('next-range')!
    expect(next).toBe(`id ]${fake.state.addon(names[4]!).id}..; max=5`)
    const rest = await call(`/apps/${APP}/addons`, {headers: {Range: next}})
    expect([rest.status, (rest.body as unknown[]).length]).toEqual([200, 3])
  })

  test('releases by version, newest first, one at a time (as heroku addons:attach asks)', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    await call(`/apps/${APP}/config-vars`, {method: 'PATCH', body: JSON.stringify({A: '1'})})
    const latest = await call(`/apps/${APP}/releases`, {headers: {Range: 'version ..; max=1, order=desc'}})
    expect([latest.status, (latest.body as Array<{version: number}>).map(r => r.version)]).toEqual([206, [2]])
  })

  test('config vars: a bad name or a non-string value is 422 invalid_params and changes nothing', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    for (const body of [{'BAD-NAME': 'x'}, {GOOD: 5}]) {
      expect(await call(`/apps/${APP}/config-vars`, {method: 'PATCH', body: JSON.stringify(body)}))
        .toMatchObject({status: 422, body: {id: 'invalid_params'}})
    }
    expect(fake.state.app(APP).releases).toHaveLength(1)
  })

  test('formation: numeric strings and the legacy size are accepted; an unknown size is 422', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    const ok = await call(`/apps/${APP}/formation`, {method: 'PATCH', body: JSON.stringify({updates: [{type: 'worker', quantity: '3', size: 'Performance-M'}]})})
    expect(ok.body).toMatchObject([{type: 'worker', quantity: 3, size: 'Performance-M', dyno_size: {name: 'Performance-M'}}])
    const bad = await call(`/apps/${APP}/formation`, {method: 'PATCH', body: JSON.stringify({updates: [{type: 'web', quantity: 1, dyno_size: {name: 'mega'}}]})})
    expect(bad).toMatchObject({status: 422, body: {id: 'invalid_params'}})
  })

  test('Data API: Connections used/limit for a Postgres add-on, 404 for another add-on', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    const pg = await call(`/client/v11/databases/${PG_ADDON}`)
    expect((pg.body as {info: Array<{name: string, values: unknown[]}>}).info.find(i => i.name === 'Connections')).toEqual({name: 'Connections', values: ['7/20']})
    expect((await call(`/client/v11/databases/${scenarios.REDIS_ADDON}`)).status).toBe(404)
  })

  test('failNext: the next matching request fails as told, then the route answers again; requests are recorded', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    fake.failNext({method: 'GET', path: /formation$/, status: 503, times: 2})
    const statuses = [(await call(`/apps/${APP}/formation`)).status, (await call(`/apps/${APP}/formation`)).status, (await call(`/apps/${APP}/formation`)).status]
    expect(statuses).toEqual([503, 503, 200])
    expect(fake.requests.map(r => [r.seq, r.method, r.path, r.status])).toEqual([1, 2, 3].map(seq => [seq, 'GET', `/apps/${APP}/formation`, statuses[seq - 1]]))
    expect(fake.requests.every(r => r.finishedAt !== null && r.finishedAt >= r.startedAt)).toBe(true)
  })
})
