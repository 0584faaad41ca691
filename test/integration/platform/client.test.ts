// The platform client over real HTTP against the fake: retries, timeouts, unreachable hosts, error messages.

import {createServer} from 'node:net'

import {Exit, handle} from '@oclif/core/handle'
import {describe, expect, test, vi} from 'vitest'

import {isPlatformError, type PlatformError} from '../../../src/platform/index.js'
import type {FakeApi} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, SENTINEL_VALUES, SENTINELS} from '../../helpers/scenarios.js'

const {start} = useFakeApi(scenarios.herokuRedisAndPostgres)

async function failure(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(() => null, (e: unknown) => e)
  if (!isPlatformError(error)) throw new Error(`expected a PlatformError, got ${String(error)}`)
  return error
}

function expectNoSentinel(error: PlatformError) {
  const printed = [error.message, error.hint, error.code, ...error.suggestions, error.herokuMessage ?? ''].join('\n')
  for (const secret of SENTINEL_VALUES) expect(printed).not.toContain(secret)
}

const formation = `/apps/${APP}/formation`

describe('retries', () => {
  test('a 429 is retried after a backoff and the second answer is returned', async () => {
    const f = await start()
    f.failNext({path: formation, status: 429})
    const {platform, sleeps} = await createFakePlatform(f)
    const body = await platform.get<Array<{type: string}>>(formation)
    expect(body.map(p => p.type)).toEqual(['web', 'worker'])
    expect(f.requests.filter(r => r.path === formation).map(r => r.status)).toEqual([429, 200])
    expect(sleeps).toEqual([300])
  })

  test('Retry-After on a 429 sets the wait', async () => {
    const f = await start()
    f.failNext({path: formation, status: 429, headers: {'Retry-After': '2'}})
    const {platform, sleeps} = await createFakePlatform(f)
    await platform.get(formation)
    expect(sleeps).toEqual([2000])
  })

  test('429 on every attempt: 4 requests, growing waits within the total bound, then a rate-limit error', async () => {
    const f = await start()
    f.failNext({path: formation, status: 429, times: 10})
    const {platform, sleeps} = await createFakePlatform(f)
    const error = await failure(platform.get(formation))
    expect(f.requests.filter(r => r.path === formation)).toHaveLength(4)
    expect(sleeps).toEqual([300, 600, 1200])
    expect([error.kind, error.status, error.id, error.attempts]).toEqual(['rate_limited', 429, 'rate_limit', 4])
    expect(error.message).toContain('rate limit')
    expect(error.hint).toContain('Wait a minute')
  })

  test('a 503 on every attempt of a GET: retried 3 times, then an error naming status, request and attempts', async () => {
    const f = await start()
    f.failNext({path: formation, status: 503, times: 10, body: {id: 'internal_server_error', message: 'Please try again later.'}})
    const {platform} = await createFakePlatform(f)
    const error = await failure(platform.get(formation))
    expect(error.message).toBe(`Heroku API error 503 on GET ${formation} after 4 attempt(s). Heroku says: Please try again later.`)
    expect(error.hint).toContain('status.heroku.com')
  })

  test('a 500 on POST /addon-attachments is not retried (the attachment may exist)', async () => {
    const f = await start()
    f.failNext({method: 'POST', path: '/addon-attachments', status: 500})
    const {platform, sleeps} = await createFakePlatform(f)
    const error = await failure(platform.post('/addon-attachments', {addon: {name: scenarios.REDIS_ADDON}, app: {name: APP}, name: 'REDIS'}))
    expect(f.mutations()).toHaveLength(1)
    expect(sleeps).toEqual([])
    expect(error.hint).toContain('may or may not have been applied')
  })

  test('a 500 on an idempotent PATCH is retried', async () => {
    const f = await start()
    f.failNext({method: 'PATCH', path: `/apps/${APP}/config-vars`, status: 500})
    const {platform} = await createFakePlatform(f)
    await platform.patch(`/apps/${APP}/config-vars`, {TSQ_CONCURRENCY: '4'}, {idempotent: true})
    expect(f.mutations().map(r => r.status)).toEqual([500, 200])
  })

  test('when RateLimit-Remaining runs low, the next request first waits', async () => {
    const fake = await start({...scenarios.herokuRedisAndPostgres(), rateLimitRemaining: 10})
    const {platform, sleeps} = await createFakePlatform(fake)
    await platform.get(`/apps/${APP}`)
    expect(sleeps).toEqual([])
    await platform.get(`/apps/${APP}`)
    expect(sleeps).toEqual([1000])
  })
})

describe('errors', () => {
  test('401: names the token problem and says to run heroku login or fix HEROKU_API_KEY', async () => {
    const f = await start()
    const {platform} = await createFakePlatform(f, {token: 'not-the-right-token-1234'})
    const error = await failure(platform.get(`/apps/${APP}`))
    expect([error.kind, error.status, error.code]).toEqual(['unauthorized', 401, 'unauthorized'])
    expect(error.hint).toContain('heroku login')
    expect(error.hint).toContain('HEROKU_API_KEY')
    expect(error.message).not.toContain('not-the-right-token-1234')
  })

  test('403: names the app and says to ask an owner', async () => {
    const fake = await start(scenarios.forbiddenSharingApp())
    const {platform} = await createFakePlatform(fake)
    const error = await failure(platform.get(`/apps/${scenarios.STAGING}/formation`))
    expect(error.message).toBe(`You do not have access to app ${scenarios.STAGING} (403). Heroku says: You do not have access to the app ${scenarios.STAGING}.`)
    expect(error.hint).toContain(`Ask an owner of ${scenarios.STAGING}`)
  })

  test('404: names the missing app and suggests -a', async () => {
    const f = await start()
    const {platform} = await createFakePlatform(f)
    const error = await failure(platform.get('/apps/no-such-app/formation'))
    expect(error.message).toBe("Heroku could not find app no-such-app (404). Heroku says: Couldn't find that app.")
    expect(error.hint).toContain('-a APP')
  })

  test('422: passes Heroku\'s message through', async () => {
    const f = await start()
    const {platform} = await createFakePlatform(f)
    const error = await failure(platform.patch(formation, {updates: [{type: 'web', quantity: 1, dyno_size: {name: 'huge-9x'}}]}))
    expect([error.kind, error.status, error.id]).toEqual(['invalid', 422, 'invalid_params'])
    expect(error.message).toBe('Invalid dyno size: "huge-9x".')
  })

  test('a URL password or the API token inside Heroku\'s message never reaches the error', async () => {
    const f = await start()
    f.failNext({path: formation, status: 422, body: {id: 'invalid_params',
      message: `bad ${scenarios.URLS.postgres} for token ${SENTINELS.apiToken}`}})
    const {platform} = await createFakePlatform(f)
    const error = await failure(platform.get(formation))
    expectNoSentinel(error)
    expect(error.message).toContain('postgres://u4k2j9xq:*****@')
  })

  test('a hanging request times out with a message naming the host', async () => {
    const f = await start()
    f.failNext({path: formation, hang: true})
    const {platform} = await createFakePlatform(f, {timeoutMs: 300})
    const error = await failure(platform.get(formation))
    expect(error.kind).toBe('timeout')
    expect(error.message).toBe(`No answer from ${f.url} within 0.3 s (GET ${formation}).`)
  })

  test('a refused connection becomes "could not reach" naming the host', async () => {
    const port = await closedPort()
    const {platform} = await createFakePlatform({url: `http://127.0.0.1:${port}`, state: {token: SENTINELS.apiToken} as FakeApi['state']})
    const error = await failure(platform.get(`/apps/${APP}`))
    expect(error.kind).toBe('unreachable')
    expect(error.message).toBe(`Could not reach the Heroku API at http://127.0.0.1:${port} (ECONNREFUSED).`)
    expect(error.hint).toContain('HEROKU_HOST')
    expect(error.stack ?? '').not.toContain(SENTINELS.apiToken)
  }, 30_000)

  test('oclif prints the error with its code and a "Try this" suggestion', async () => {
    const f = await start()
    const {platform} = await createFakePlatform(f)
    const error = await failure(platform.get('/apps/no-such-app'))
    const lines: string[] = []
    const consoleError = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
    const exit = vi.spyOn(Exit, 'exit').mockImplementation(() => undefined as never)
    let exitCalls: unknown[][] = []
    try {
      await handle(error)
      exitCalls = [...exit.mock.calls]
    } finally {
      consoleError.mockRestore()
      exit.mockRestore()
    }
    expect(exitCalls).toEqual([[1]])
    const printed = lines.join('\n').replace(/\s+/g, ' ')
    expect(printed).not.toContain('    at ')
    expect(printed).toContain("Error: Heroku could not find app no-such-app (404). Heroku says: Couldn't find that app.")
    expect(printed).toContain('Code: not_found')
    expect(printed).toContain('Try this: Check the app name with `heroku apps`')
  })
})

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (typeof address !== 'object' || address === null) return reject(new Error('no port'))
      server.close(() => resolve(address.port))
    })
  })
}
