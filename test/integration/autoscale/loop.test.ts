// The --interval loop in-process (runAutoscale) against the fake Platform API and a throwaway Redis: it skips
// and logs a step while Redis is down and keeps going on the same reader, backs off (bounded) on API errors,
// and ends promptly when its signal aborts.
import {afterEach, describe, expect, it} from 'vitest'
import {runAutoscale} from '../../../src/cli/autoscale.js'
import type {StepDocument} from '../../../src/render/autoscale.js'
import {type FakeApi, startFakeApi} from '../../helpers/fake-api.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, REDIS_ADDON} from '../../helpers/scenarios.js'
import {type RedisService, startRedis} from '../../helpers/services.js'

let cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined)
  cleanup = []
})

async function setup(): Promise<{api: FakeApi, redis: RedisService}> {
  const redis = await startRedis({maxclients: 20})
  cleanup.push(() => redis.stop())
  const s = scenarios.herokuRedisAndPostgres()
  s.addons.find(a => a.name === REDIS_ADDON)!.url = redis.url
  const api = await startFakeApi(s)
  cleanup.push(() => api.close())
  return {api, redis}
}

function loop(api: FakeApi, platform: Awaited<ReturnType<typeof createFakePlatform>>['platform'], onStep: (doc: StepDocument, n: number) => void, refreshMs?: number) {
  const controller = new AbortController()
  const warnings: string[] = []
  let steps = 0
  const done = runAutoscale({
    app: APP, platform, types: ['worker'], prefix: 'bull', dryRun: true, intervalMs: 50, maxBackoffMs: 200,
    settings: {min: 1, max: 5, targetMs: 30_000, downAfterMs: 300_000}, connectionName: 'tsq:test:1:autoscale',
    signal: controller.signal, onStep: doc => onStep(doc, ++steps), onWarn: m => warnings.push(m), refreshMs,
  })
  return {controller, warnings, done, steps: () => steps}
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

describe('runAutoscale --interval', () => {
  it('skips and logs steps while Redis is down, and reads again once it is back', async () => {
    const {api, redis} = await setup()
    const {platform} = await createFakePlatform(api)
    const docs: StepDocument[] = []
    const run = loop(api, platform, doc => docs.push(doc))
    await until('a first step', () => docs.length >= 1)
    await redis.restart(async () => {
      const before = docs.length
      await until('a step while Redis is down', () => docs.length > before + 1 && /step skipped/.test(docs.at(-1)!.decisions[0]!.reason))
    })
    const back = docs.length
    await until('a step reading Redis again', () => docs.length > back && docs.at(-1)!.decisions[0]!.queues.length > 0, 60_000)
    run.controller.abort()
    await run.done
    expect(run.warnings.filter(w => /step skipped/.test(w)), run.warnings.join("\n")).not.toEqual([])
    expect(run.warnings.some(w => /worker: cannot read the queues in Redis: .*step skipped for it/.test(w)), run.warnings.join("\n")).toBe(true)
    expect(docs.every(d => d.decisions[0]!.from === d.decisions[0]!.to)).toBe(true)
  })

  it('backs off on API errors (bounded) and goes on stepping; an abort ends the loop', async () => {
    const {api} = await setup()
    const {platform} = await createFakePlatform(api, {retries: 0})
    const docs: StepDocument[] = []
    const run = loop(api, platform, doc => docs.push(doc))
    await until('a first step', () => docs.length >= 1)
    api.failNext({method: 'GET', path: /\/formation$/, status: 500, times: 3})
    api.failNext({method: 'GET', path: /\/formation$/, status: 429, times: 2})
    const before = docs.length
    await until('steps after the errors', () => docs.length > before + 1)
    run.controller.abort()
    await run.done
    const failed = run.warnings.filter(w => /^step failed \(\d in a row\), next try in/.test(w))
    expect(failed).toHaveLength(5)
    expect(run.warnings.some(w => /429|rate limit/i.test(w))).toBe(true)
  })
})

describe('runAutoscale and GET /dyno-sizes', () => {
  it('reads the dyno sizes once however often it reads the app again, and again only after a fallback, which it warns of', async () => {
    const {api} = await setup()
    api.failNext({path: '/dyno-sizes', status: 404})
    const {platform} = await createFakePlatform(api)
    const docs: StepDocument[] = []
    // refreshMs 0: every step reads the whole app again
    const run = loop(api, platform, doc => docs.push(doc), 0)
    await until('four steps', () => docs.length >= 4)
    run.controller.abort()
    await run.done
    expect(api.requests.filter(r => r.path === `/apps/${APP}`).length).toBeGreaterThanOrEqual(4)
    expect(api.requests.filter(r => r.path === '/dyno-sizes').map(r => r.status)).toEqual([404, 200])
    expect(run.warnings.filter(w => w.startsWith("Heroku's dyno sizes could not be read, so tsq's built-in table sizes the dynos: Heroku could not find the resource (404)."))).toHaveLength(1)
  })
})

describe('runAutoscale --once, run after run', () => {
  it('keeps the quiet clock in Redis, so a later --once run scales down after --down-after', async () => {
    const {api, redis} = await setup()
    api.state.app(APP).formation.find(p => p.type === 'worker')!.quantity = 2
    const {platform} = await createFakePlatform(api)
    const once = async (at: number) => {
      const docs: StepDocument[] = []
      await runAutoscale({
        app: APP, platform, types: ['worker'], prefix: 'bull', dryRun: false, intervalMs: null, now: () => at,
        settings: {min: 1, max: 5, targetMs: 30_000, downAfterMs: 300_000}, connectionName: 'tsq:test:1:autoscale',
        signal: new AbortController().signal, onStep: doc => docs.push(doc), onWarn: () => undefined,
      })
      return docs[0]!.decisions[0]!
    }
    const t0 = Date.now()
    expect(await once(t0)).toMatchObject({from: 2, to: 2, reason: 'queues empty for 0 s of the 300 s before one fewer'})
    expect(await once(t0 + 200_000)).toMatchObject({from: 2, to: 2, reason: 'queues empty for 200 s of the 300 s before one fewer'})
    expect(await once(t0 + 300_000)).toMatchObject({from: 2, to: 1})
    expect(api.state.app(APP).formation.find(p => p.type === 'worker')!.quantity).toBe(1)
    const {Redis} = await import('ioredis')
    const check = new Redis(redis.url)
    expect(await check.hgetall(`tsq:autoscale:${APP}:quiet`)).toEqual({worker: String(t0 + 300_000)})
    expect(await check.pttl(`tsq:autoscale:${APP}:quiet`)).toBeGreaterThan(0)
    check.disconnect()
  })
})
