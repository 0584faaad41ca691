// One fake Platform API per test for the calling test file, closed after each test: the `let fake` +
// afterEach(close) + start(scenario) block the integration tests used to write out. Kept apart from
// fake-api.ts, which the benchmarks import without vitest.
import {afterEach} from 'vitest'
import {type FakeApi, type Scenario, startFakeApi} from './fake-api.js'

export interface FakeApiHook {
  /** Starts this test's fake Platform API from `scenario` (or the file's); it is closed after the test. */
  start(scenario?: Scenario): Promise<FakeApi>
  /** The fake the running test started last, or undefined before it starts one. */
  readonly current: FakeApi | undefined
}

/** Registers the afterEach that closes every fake the test started; `scenario` builds the file's default one. */
export function useFakeApi(scenario?: () => Scenario): FakeApiHook {
  let started: FakeApi[] = []
  afterEach(async () => {
    // close() also settles for a fake the test closed itself.
    await Promise.all(started.map(f => f.close()))
    started = []
  })
  return {
    async start(given = scenario?.()) {
      if (!given) throw new Error('useFakeApi: start() was given no scenario and the file has no default one')
      const fake = await startFakeApi(given)
      started.push(fake)
      return fake
    },
    get current() { return started.at(-1) },
  }
}
