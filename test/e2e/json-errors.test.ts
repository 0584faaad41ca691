// §1: under --json every failure of every command — flag parsing, bad values, API errors, timeouts — prints
// exactly one {"error": {"message", "code", "suggestions"}} document on stdout and the message on stderr,
// exit 1. Run standalone through bin/run.js and through the real heroku CLI, against the fake Platform API.
import {describe, expect, it} from 'vitest'
import {useCliSandboxes} from '../helpers/cli-sandboxes.js'
import type {FakeApi} from '../helpers/fake-api.js'

import {expectErrorDocument} from '../helpers/json-error.js'
import * as scenarios from '../helpers/scenarios.js'
import {APP} from '../helpers/scenarios.js'

const cli = useCliSandboxes(() => scenarios.herokuRedisAndPostgres())

const on = (api: FakeApi, env: Record<string, string | undefined> = {}) =>
  ({env: {HEROKU_HOST: api.url, HEROKU_PARTICLEBOARD_URL: api.url, HEROKU_DATA_HOST: api.url, ...env}})

const COMMANDS = ['tsq:doctor', 'tsq:setup', 'tsq:scale'] as const

describe('standalone bin/run.js --json failures', () => {
  for (const command of COMMANDS) {
    it(`${command}: a 404 app is one error document naming the app`, async () => {
      const api = await cli.startApi()
      const run = await cli.standalone.standalone([command, '-a', 'no-such-app', '--json'], on(api))
      const error = expectErrorDocument(run)
      expect(error).toMatchObject({code: 'not_found', message: expect.stringContaining('no-such-app')})
      expect(error.suggestions.join(' ')).toContain('heroku apps')
      expect(api.mutations()).toEqual([])
    })

    it(`${command}: an unknown flag is one error document, not a stack overflow`, async () => {
      const api = await cli.startApi()
      const run = await cli.standalone.standalone([command, '-a', APP, '--json', '--bogus'], on(api))
      const error = expectErrorDocument(run)
      expect(error.message).toContain('--bogus')
      expect(api.requests).toEqual([])
    })

    it(`${command}: a rejected token (401) is one error document`, async () => {
      const api = await cli.startApi()
      const run = await cli.standalone.standalone([command, '-a', APP, '--json'], on(api, {HEROKU_API_KEY: 'not-the-token-0000'}))
      expect(expectErrorDocument(run)).toMatchObject({code: 'unauthorized', suggestions: [expect.stringContaining('heroku login')]})
    })

    it(`${command}: a request that times out is one error document naming the request`, async () => {
      const api = await cli.startApi()
      api.failNext({path: `/apps/${APP}`, hang: true})
      const run = await cli.standalone.standalone([command, '-a', APP, '--json'], on(api, {TSQ_API_TIMEOUT: '1'}))
      const error = expectErrorDocument(run)
      expect(error).toMatchObject({code: 'timeout', message: `No answer from ${api.url} within 1 s (GET /apps/${APP}).`})
    })
  }

  it('tsq:scale without an app (a required flag) is one error document', async () => {
    const api = await cli.startApi()
    const run = await cli.standalone.standalone(['tsq:scale', '--json'], on(api))
    expect(expectErrorDocument(run).message).toMatch(/app/i)
  })

  it('tsq:doctor -a APP --formation F (a flag dependency) is one error document naming --local', async () => {
    const api = await cli.startApi()
    const run = await cli.standalone.standalone(['tsq:doctor', '-a', APP, '--formation', 'web=1', '--json'], on(api))
    expect(expectErrorDocument(run).message).toContain('--local')
  })

  it('tsq:setup --formation without --local (a flag dependency) is one error document', async () => {
    const api = await cli.startApi()
    const run = await cli.standalone.standalone(['tsq:setup', '-a', APP, '--formation', 'web=1', '--json'], on(api))
    expect(expectErrorDocument(run).message).toContain('--local')
  })

  it('tsq:scale: a 422 on the formation PATCH is one error document with Heroku\'s message', async () => {
    const api = await cli.startApi()
    api.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, status: 422, body: {id: 'invalid_params', message: 'Cannot scale now.'}})
    const run = await cli.standalone.standalone(['tsq:scale', 'worker=1', 'web=1', '--force', '-a', APP, '--json'], on(api))
    expect(expectErrorDocument(run)).toMatchObject({code: 'invalid_params', message: 'Cannot scale now.'})
  })

  it('tsq:scale: a bad argument is one error document', async () => {
    const api = await cli.startApi()
    const run = await cli.standalone.standalone(['tsq:scale', 'worker=abc', '-a', APP, '--json'], on(api))
    expect(expectErrorDocument(run).message).toContain('worker=abc')
  })
})

describe('the real heroku CLI --json failures', () => {
  it('heroku tsq:doctor -a no-such-app --json: one error document', async () => {
    const api = await cli.startApi()
    const run = await cli.sandbox.heroku(['tsq:doctor', '-a', 'no-such-app', '--json'], on(api))
    expect(expectErrorDocument(run)).toMatchObject({code: 'not_found'})
  })

  it('heroku tsq:doctor --json --bogus: one error document', async () => {
    const api = await cli.startApi()
    const run = await cli.sandbox.heroku(['tsq:doctor', '-a', APP, '--json', '--bogus'], on(api))
    expect(expectErrorDocument(run).message).toContain('--bogus')
  })

  it('heroku tsq:scale --json without an app: one error document', async () => {
    const api = await cli.startApi()
    const run = await cli.sandbox.heroku(['tsq:scale', '--json'], on(api))
    expectErrorDocument(run)
  })

  it('heroku tsq:scale with a hung formation PATCH: one error document, exit 1, bounded time', async () => {
    const api = await cli.startApi()
    api.failNext({method: 'PATCH', path: `/apps/${APP}/formation`, hang: true})
    const run = await cli.sandbox.heroku(['tsq:scale', 'worker=1', 'web=1', '--force', '-a', APP, '--json'], on(api, {TSQ_API_TIMEOUT: '1'}))
    const error = expectErrorDocument(run)
    expect(error.message).toContain(`PATCH /apps/${APP}/formation`)
  })
})
