// The two ways users run the plugin — linked into the real heroku CLI, and standalone through bin/run.js — each
// in its own sandbox for a test file, and a fake Platform API per test from the given scenario, closed after it.
import {afterAll, afterEach, beforeAll} from 'vitest'
import {type FakeApi, type Scenario, startFakeApi} from './fake-api.js'
import {type HerokuSandbox, createHerokuSandbox} from './heroku-cli.js'
import {SENTINELS} from './scenarios.js'

export interface CliSandboxes {
  /** The real `heroku` CLI with the plugin linked. */
  readonly sandbox: HerokuSandbox
  /** bin/run.js, no heroku CLI. */
  readonly standalone: HerokuSandbox
  /** Starts this test's fake Platform API (closed after the test), from the file's scenario unless given another. */
  startApi(scenario?: Scenario): Promise<FakeApi>
}

/** Registers the sandboxes' setup and cleanup hooks for the calling test file. */
export function useCliSandboxes(scenario: () => Scenario): CliSandboxes {
  let sandbox: HerokuSandbox | undefined
  let standalone: HerokuSandbox | undefined
  let fake: FakeApi | undefined
  beforeAll(async () => {
    // Each test points the runs at its own fake through HEROKU_HOST; this URL is never answered.
    const token = SENTINELS.apiToken
    sandbox = await createHerokuSandbox({apiUrl: 'http://127.0.0.1:9', apiKey: token, env: {NO_COLOR: '1'}})
    standalone = await createHerokuSandbox({apiUrl: 'http://127.0.0.1:9', apiKey: token, link: false, env: {NO_COLOR: '1'}})
  })
  afterEach(async () => {
    await fake?.close()
    fake = undefined
  })
  afterAll(() => {
    sandbox?.cleanup()
    standalone?.cleanup()
  })
  return {
    get sandbox() { return sandbox! },
    get standalone() { return standalone! },
    async startApi(other?: Scenario) {
      fake = await startFakeApi(other ?? scenario())
      return fake
    },
  }
}
