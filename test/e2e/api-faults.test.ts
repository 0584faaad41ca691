// A faulty Platform API through the plugin as users run it (standalone bin/run.js, and the real heroku CLI):
// every fault ends in bounded time with exit 1 and a clear message — never Node's exit 13 of a promise that
// never settles — and the status of every change is exact: applied, not applied, or "may have been applied"
// with the command that shows it.
import {describe, expect, it} from 'vitest'
import {useCliSandboxes} from '../helpers/cli-sandboxes.js'
import type {FakeApi} from '../helpers/fake-api.js'

import {expectErrorDocument} from '../helpers/json-error.js'
import * as scenarios from '../helpers/scenarios.js'
import {APP, SENTINEL_VALUES} from '../helpers/scenarios.js'

const cli = useCliSandboxes(() => scenarios.herokuRedisAndPostgres())

/** Each request bounded by 1 s; a run must end well within the harness's kill timer. */
const on = (api: FakeApi) => ({env: {HEROKU_HOST: api.url, HEROKU_PARTICLEBOARD_URL: api.url, HEROKU_DATA_HOST: api.url, TSQ_API_TIMEOUT: '1'}, timeoutMs: 30_000})
const flat = (text: string) => text.replace(/ ›/g, ' ').replace(/\s+/g, ' ')
const formation = `/apps/${APP}/formation`

describe('a body that stalls after the headers', () => {
  it('tsq:doctor: a 200 that sends `[{"name":` then nothing → "No answer … within 1 s (GET path)", exit 1, not 13', async () => {
    const api = await cli.startApi()
    api.failNext({path: `/apps/${APP}/addons`, fault: {kind: 'stall', head: '[{"name":'}})
    const run = await cli.standalone.standalone(['tsq:doctor', '-a', APP], on(api))
    expect(run.exitCode, run.stderr).toBe(1)
    expect(flat(run.stderr)).toContain(`Error: No answer from ${api.url} within 1 s (GET /apps/${APP}/addons).`)
  })

  it('tsq:doctor --json: an HTML 502 head then nothing → one error document, exit 1', async () => {
    const api = await cli.startApi()
    api.failNext({path: `/apps/${APP}`, fault: {kind: 'stall', status: 502, contentType: 'text/html', head: '<html><head>'}})
    const run = await cli.standalone.standalone(['tsq:doctor', '-a', APP, '--json'], on(api))
    expect(expectErrorDocument(run)).toMatchObject({code: 'timeout', message: `No answer from ${api.url} within 1 s (GET /apps/${APP}).`})
  })

  it('tsq:scale: the PATCH is applied, then its body stalls → "may have been applied", heroku ps, sent once, exit 1', async () => {
    const api = await cli.startApi()
    api.failNext({method: 'PATCH', path: formation, fault: {kind: 'stall', head: '[{"type":', apply: true}, times: 10})
    const run = await cli.standalone.standalone(['tsq:scale', 'worker=1', 'web=1', '--force', '-a', APP, '--json'], on(api))
    const error = expectErrorDocument(run)
    expect(error.message).toContain(`PATCH ${formation}`)
    expect(error.message).toContain('may have been applied')
    expect(error.suggestions.join(' ')).toContain(`heroku ps -a ${APP}`)
    expect(api.mutations()).toHaveLength(1)
  })

  it('heroku tsq:scale (real CLI): the same stalled PATCH ends with exit 1 and the message on stderr', async () => {
    const api = await cli.startApi()
    api.failNext({method: 'PATCH', path: formation, fault: {kind: 'stall', head: '[', apply: true}, times: 10})
    const run = await cli.sandbox.heroku(['tsq:scale', 'worker=1', 'web=1', '--force', '-a', APP], on(api))
    expect(run.exitCode, run.stderr).toBe(1)
    expect(flat(run.stderr)).toContain('may have been applied')
    expect(flat(run.stderr)).toContain(`heroku ps -a ${APP}`)
    for (const secret of SENTINEL_VALUES) expect(run.stdout + run.stderr).not.toContain(secret)
    expect(api.mutations()).toHaveLength(1)
  })
})
