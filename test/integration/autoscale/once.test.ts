// tsq:autoscale --once in-process against the fake Platform API and real BullMQ queues on the machine's Redis
// (a unique key prefix per test): the "done when" app, 200 jobs waiting for two minutes and a
// Postgres that fits two workers.
import {randomUUID} from 'node:crypto'
import {Queue} from 'bullmq'
import {afterEach, describe, expect, it} from 'vitest'
import Autoscale from '../../../commands/tsq/autoscale.js'
import {type FakeApi, type Scenario, startFakeApi} from '../../helpers/fake-api.js'
import {runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, REDIS_ADDON} from '../../helpers/scenarios.js'

const REDIS_URL = process.env.TSQ_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

let cleanup: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined)
  cleanup = []
})

/** web 1 × pool 5 and worker n × pool 5 on essential-0 (20 − reserve 2): 2 workers fit, 3 do not. */
function app(): Scenario {
  const s = scenarios.herokuRedisAndPostgres()
  s.apps[0]!.formation = [
    {type: 'web', quantity: 1, size: 'Standard-1X', command: 'node dist/web.js'},
    {type: 'worker', quantity: 1, size: 'Standard-1X', command: 'node dist/worker.js'},
  ]
  s.addons.find(a => a.name === REDIS_ADDON)!.url = REDIS_URL
  return s
}

async function setup(jobs: number, ageMs: number): Promise<{api: FakeApi, prefix: string}> {
  const api = await startFakeApi(app())
  cleanup.push(() => api.close())
  const prefix = `tsqtest-${randomUUID().slice(0, 8)}`
  const queue = new Queue('default', {connection: {url: REDIS_URL}, prefix})
  cleanup.push(async () => {
    await queue.obliterate({force: true})
    await queue.close()
  })
  const timestamp = Date.now() - ageMs
  await queue.addBulk(Array.from({length: jobs}, (_, i) => ({name: 'job', data: {i}, opts: {timestamp}})))
  return {api, prefix}
}

const autoscale = (api: FakeApi, args: string[]) => runCommand(Autoscale, ['-a', APP, ...args], {fake: api, checkSentinels: true})
const patches = (api: FakeApi) => api.mutations().filter(r => r.method === 'PATCH' && r.path.endsWith('/formation'))

describe('tsq:autoscale --once', () => {
  it('200 jobs waiting for 2 minutes, Postgres fits 2 workers: 1 → 2, budgetMax 2, the budget named, exactly one PATCH', async () => {
    const {api, prefix} = await setup(200, 120_000)
    const run = await autoscale(api, ['--type', 'worker', '--once', '--json', '--prefix', prefix])
    expect(run.code, run.stderr).toBe(0)
    const doc = JSON.parse(run.stdout) as Record<string, unknown> & {decisions: Array<Record<string, unknown>>}
    expect(Object.keys(doc)).toEqual(['app', 'at', 'applied', 'decisions'])
    expect(doc).toMatchObject({app: APP, applied: true})
    expect(Date.parse(doc.at as string)).not.toBeNaN()
    const [d] = doc.decisions
    expect(Object.keys(d!)).toEqual(['type', 'from', 'to', 'reason', 'latencyMs', 'queues', 'budgetMax'])
    expect(d).toMatchObject({type: 'worker', from: 1, to: 2, budgetMax: 2})
    expect(d!.reason).toMatch(/connection budget stops it at 2 \(wanted [45]\): Postgres postgresql-curved-12345/)
    expect(d!.latencyMs as number).toBeGreaterThanOrEqual(120_000)
    expect(d!.queues).toEqual([{name: 'default', backend: 'bullmq', waiting: 200, active: 0, delayed: 0, latencyMs: d!.latencyMs}])
    expect(patches(api)).toHaveLength(1)
    expect(patches(api)[0]!.body).toEqual({updates: [{type: 'worker', quantity: 2}]})
    expect(api.state.app(APP).formation.find(p => p.type === 'worker')!.quantity).toBe(2)

    // Already at what the budget fits: nothing to send.
    const again = await autoscale(api, ['--type', 'worker', '--once', '--json', '--prefix', prefix])
    expect(JSON.parse(again.stdout)).toMatchObject({applied: false, decisions: [{from: 2, to: 2, budgetMax: 2}]})
    expect(patches(api)).toHaveLength(1)
  })

  it('--dry-run decides the same and sends nothing; human output is one line per type', async () => {
    const {api, prefix} = await setup(200, 120_000)
    const run = await autoscale(api, ['--once', '--dry-run', '--prefix', prefix])
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z worker \[default \d+(\.\d)?s 200w 0a 0d\] 1 → 2 \(dry run\): latency .* connection budget stops it at 2/)
    expect(api.mutations()).toEqual([])
  })

  it('a PATCH whose answer is lost is reported as "may have been applied" and the formation is read again', async () => {
    const {api, prefix} = await setup(5, 120_000)
    api.failNext({method: 'PATCH', path: /\/formation$/, status: 503, times: 10})
    const run = await autoscale(api, ['--once', '--json', '--prefix', prefix])
    const stderr = run.stderr.replace(/ ›/g, ' ').replace(/\s+/g, ' ')
    expect(stderr).toMatch(/the formation change \(worker=2\) may have been applied: Heroku API error 503/)
    expect(stderr).toMatch(/heroku ps -a example-app shows it/)
    const doc = JSON.parse(run.stdout) as {applied: boolean}
    expect(doc.applied).toBe(false)
    expect(run.code).toBe(1)
    const afterPatch = api.requests.filter(r => r.seq > patches(api).at(-1)!.seq)
    expect(afterPatch.some(r => r.method === 'GET' && r.path.endsWith('/formation'))).toBe(true)
  })

  it('an unknown --type is an error document, exit 1, nothing sent', async () => {
    const {api, prefix} = await setup(0, 0)
    const run = await autoscale(api, ['--type', 'nope', '--once', '--json', '--prefix', prefix])
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({error: {message: expect.stringMatching(/no process type nope/)}})
    expect(api.mutations()).toEqual([])
  })
})
