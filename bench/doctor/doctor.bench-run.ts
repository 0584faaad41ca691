// Benchmark of tsq:doctor against the fake Platform API with 150 ms added to every response (not part of
// `npm test`; run `npm run build`, then `npx vitest run --config bench/doctor/vitest.config.ts`).
//
// 1. Wall time through the real heroku CLI: `heroku tsq:doctor -a APP --json` against what a user does by
//    hand today, `heroku addons`, `heroku config`, `heroku ps` and `heroku addons:info <database>` one
//    after another, on the issue's app. Median of RUNS alternating runs, and their ratio.
// 2. The doctor's API round trips on a large app (50 add-ons, 20 process types, a database shared by 10
//    apps): requests sent and sequential stages (a request is in stage n + 1 when a request of stage n
//    had answered before it was sent), plus wall time standalone and through heroku.
// Results: a table on stdout and bench/.results/doctor.json.
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, expect, it} from 'vitest'
import {type FakeApi, type RecordedRequest, startFakeApi} from '../../test/helpers/fake-api.js'
import {type HerokuSandbox, REPO_ROOT, createHerokuSandbox} from '../../test/helpers/heroku-cli.js'
import * as scenarios from '../../test/helpers/scenarios.js'
import {APP, PG_ADDON} from '../../test/helpers/scenarios.js'
import {BIG, bigAppScenario} from './big-app.js'
import {type ManualProxy, startManualProxy} from './manual-routes.js'

const LATENCY_MS = 150
const RUNS = 3
const MANUAL = [['addons', '-a', APP], ['config', '-a', APP], ['ps', '-a', APP], ['addons:info', PG_ADDON, '-a', APP]]

const closers: Array<() => unknown> = []
afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

/** Sequential stages of a set of requests: 1 + the deepest stage that had answered before each was sent. */
export function stagesOf(requests: readonly RecordedRequest[]): number {
  const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt)
  const stage = new Map<RecordedRequest, number>()
  for (const r of sorted) {
    const before = sorted.filter(q => q.finishedAt !== null && q.finishedAt <= r.startedAt).map(q => stage.get(q) ?? 0)
    stage.set(r, 1 + Math.max(0, ...before))
  }
  return Math.max(0, ...stage.values())
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

async function setUp(scenario: ReturnType<typeof scenarios.herokuRedisAndPostgres>): Promise<{fake: FakeApi, proxy: ManualProxy, sandbox: HerokuSandbox}> {
  const fake = await startFakeApi(scenario, {latencyMs: LATENCY_MS})
  const proxy = await startManualProxy(fake, LATENCY_MS)
  const sandbox = await createHerokuSandbox({apiUrl: proxy.url, apiKey: fake.state.token, env: {NO_COLOR: '1', COLUMNS: '120'}})
  closers.push(() => fake.close(), () => proxy.close(), () => sandbox.cleanup())
  return {fake, proxy, sandbox}
}

async function doctorRun(fake: FakeApi, run: () => Promise<{exitCode: number, stdout: string, ms: number}>): Promise<{ms: number, requests: RecordedRequest[]}> {
  const from = fake.requests.length
  const result = await run()
  expect(() => JSON.parse(result.stdout), result.stdout).not.toThrow()
  return {ms: result.ms, requests: fake.requests.slice(from)}
}

it('measures tsq:doctor against doing it by hand, and its round trips on a large app', async () => {
  const issue = await setUp(scenarios.herokuRedisAndPostgres())
  const doctor = () => issue.sandbox.heroku(['tsq:doctor', '-a', APP, '--json'])
  const byHand = async () => {
    let ms = 0
    for (const args of MANUAL) {
      const r = await issue.sandbox.heroku(args)
      expect(r.exitCode, `heroku ${args.join(' ')}: ${r.stderr}`).toBe(0)
      ms += r.ms
    }
    return ms
  }
  // Warm-up: first runs fill the CLI's caches.
  await doctor()
  await byHand()
  const doctorMs: number[] = []
  const manualMs: number[] = []
  const manualRequests: number[] = []
  let issueRun: {ms: number, requests: RecordedRequest[]} | undefined
  for (let i = 0; i < RUNS; i++) {
    issueRun = await doctorRun(issue.fake, doctor)
    doctorMs.push(issueRun.ms)
    const from = issue.proxy.requests
    manualMs.push(await byHand())
    manualRequests.push(issue.proxy.requests - from)
  }

  const big = await setUp(bigAppScenario())
  await big.sandbox.standalone(['tsq:doctor', '-a', APP, '--json'])
  const bigStandalone = await doctorRun(big.fake, () => big.sandbox.standalone(['tsq:doctor', '-a', APP, '--json']))
  const bigHeroku = await doctorRun(big.fake, () => big.sandbox.heroku(['tsq:doctor', '-a', APP, '--json']))

  const results = {
    latencyMs: LATENCY_MS,
    runs: RUNS,
    issueApp: {
      doctorViaHerokuMs: Math.round(median(doctorMs)),
      byHandViaHerokuMs: Math.round(median(manualMs)),
      ratio: Number((median(doctorMs) / median(manualMs)).toFixed(2)),
      doctorRequests: issueRun!.requests.length,
      doctorStages: stagesOf(issueRun!.requests),
      byHandRequests: median(manualRequests),
      byHandCommands: MANUAL.length,
    },
    bigApp: {
      ...BIG,
      requests: bigStandalone.requests.length,
      stages: stagesOf(bigStandalone.requests),
      mutations: bigStandalone.requests.filter(r => r.method !== 'GET').length,
      standaloneMs: Math.round(bigStandalone.ms),
      viaHerokuMs: Math.round(bigHeroku.ms),
    },
  }
  const rows: Array<[string, string]> = [
    [`issue app: heroku tsq:doctor --json (median of ${RUNS})`, seconds(results.issueApp.doctorViaHerokuMs)],
    [`issue app: by hand, ${MANUAL.map(a => `heroku ${a[0]}`).join(' + ')} (median of ${RUNS})`, seconds(results.issueApp.byHandViaHerokuMs)],
    ['issue app: ratio doctor / by hand', `${results.issueApp.ratio}`],
    ['issue app: doctor requests / sequential stages', `${results.issueApp.doctorRequests} / ${results.issueApp.doctorStages}`],
    ['issue app: by hand requests / commands', `${results.issueApp.byHandRequests} / ${results.issueApp.byHandCommands}`],
    [`big app (${BIG.addons} add-ons, ${BIG.processTypes} types, db shared by ${BIG.sharingApps} apps): requests / stages`, `${results.bigApp.requests} / ${results.bigApp.stages}`],
    ['big app: mutating requests', `${results.bigApp.mutations}`],
    ['big app: tsq:doctor standalone (bin/run.js)', seconds(results.bigApp.standaloneMs)],
    ['big app: heroku tsq:doctor', seconds(results.bigApp.viaHerokuMs)],
  ]
  const width = Math.max(...rows.map(r => r[0].length))
  const table = [`tsq:doctor benchmark, ${LATENCY_MS} ms added to every API response`, ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`)].join('\n')
  process.stdout.write(`\n${table}\n\n`)
  const dir = join(REPO_ROOT, 'bench', '.results')
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'doctor.json'), `${JSON.stringify(results, null, 2)}\n`)
  expect(results.bigApp.mutations).toBe(0)
})
