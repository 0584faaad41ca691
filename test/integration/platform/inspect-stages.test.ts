// inspectApp's promise of at most 3 sequential rounds of requests. The fake answers each request after a
// delay, so requests sent together are all received before any is answered; a request's round is then
// 1 + the highest round among requests answered before it was received.

import {afterEach, expect, test} from 'vitest'

import {inspectApp, type InspectProgress} from '../../../src/platform/index.js'
import {type FakeApi, type RecordedRequest, type Scenario, startFakeApi} from '../../helpers/fake-api.js'
import {createFakePlatform} from '../../helpers/fake-api-client.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP} from '../../helpers/scenarios.js'

let fake: FakeApi | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

/** Each request's round, in request order. */
function rounds(requests: readonly RecordedRequest[]): number[] {
  const result: number[] = []
  requests.forEach((request, i) => {
    const before = requests.slice(0, i).map((r, j) => ({r, round: result[j]!}))
      .filter(({r}) => r.finishedAt !== null && r.finishedAt <= request.startedAt)
    result.push(1 + Math.max(0, ...before.map(b => b.round)))
  })
  return result
}

async function inspectRounds(scenario: Scenario): Promise<{byRound: string[][], progress: InspectProgress[]}> {
  fake = await startFakeApi(scenario, {latencyMs: 120})
  const {platform} = await createFakePlatform(fake)
  const progress: InspectProgress[] = []
  await inspectApp(platform, APP, {onProgress: e => progress.push(e)})
  const byRound: string[][] = []
  rounds(fake.requests).forEach((round, i) => {
    (byRound[round - 1] ??= []).push(fake!.requests[i]!.path.replace(/0000000\d-[\w-]+/, '{id}'))
  })
  return {byRound: byRound.map(paths => paths.sort()), progress}
}

test('an app shared with a staging app is read in exactly 3 rounds: app, add-ons, sharing app', async () => {
  const {byRound, progress} = await inspectRounds(scenarios.sharedDatabase())
  expect(byRound).toEqual([
    [`/apps/${APP}`, `/apps/${APP}/addon-attachments`, `/apps/${APP}/addons`, `/apps/${APP}/config-vars`, `/apps/${APP}/formation`, '/dyno-sizes'],
    ['/addons/{id}/addon-attachments', '/addons/{id}/addon-attachments', `/client/v11/databases/${scenarios.PG_ADDON}`,
      `/redis/v0/databases/${scenarios.REDIS_ADDON}`],
    [`/apps/${scenarios.STAGING}/config-vars`, `/apps/${scenarios.STAGING}/formation`],
  ])
  expect(progress.map(p => p.stage)).toEqual([1, 2, 3])
})

test('six extra add-ons without connection limits add no request: still 6 + 4 requests in 2 rounds (the 6th: dyno sizes; the 4th: Key-Value Store\'s eviction policy)', async () => {
  const {byRound} = await inspectRounds(scenarios.manyAddons(6, 200))
  expect(byRound.map(paths => paths.length)).toEqual([6, 4])
})

test('an app without sharing apps sends no third-round request', async () => {
  const {byRound} = await inspectRounds(scenarios.herokuRedisAndPostgres())
  expect(byRound).toHaveLength(2)
})
