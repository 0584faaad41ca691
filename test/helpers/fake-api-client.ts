// An APIClient pointed at a fake, built the way @heroku-cli/command's Command builds `this.heroku`: an oclif
// Config and the environment variables users set (HEROKU_HOST, HEROKU_API_KEY, HEROKU_DATA_HOST).

import {fileURLToPath} from 'node:url'

import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'

import {createPlatform, type Platform, type PlatformOptions} from '../../src/platform/index.js'
import type {FakeApi} from './fake-api.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
let config: Promise<Config> | undefined

/** HEROKU_HOST, HEROKU_DATA_HOST and HEROKU_API_KEY for the fake (the token defaults to the scenario's). */
export function fakeApiEnv(fake: Pick<FakeApi, 'url' | 'state'>, token = fake.state.token): {HEROKU_HOST: string, HEROKU_DATA_HOST: string, HEROKU_API_KEY: string} {
  return {HEROKU_HOST: fake.url, HEROKU_DATA_HOST: fake.url, HEROKU_API_KEY: token}
}

/** Points HEROKU_HOST, HEROKU_DATA_HOST and HEROKU_API_KEY at the fake (the token defaults to the scenario's). */
export function useFakeApiEnv(fake: Pick<FakeApi, 'url' | 'state'>, token = fake.state.token): void {
  Object.assign(process.env, fakeApiEnv(fake, token))
}

/** A fresh APIClient against the fake; reads the environment like a command does. */
export async function createFakeApiClient(fake: Pick<FakeApi, 'url' | 'state'>, token?: string): Promise<APIClient> {
  useFakeApiEnv(fake, token)
  config ??= Config.load({root: ROOT})
  return new APIClient(await config)
}

export interface TestPlatform {
  platform: Platform
  /** Every wait the platform asked for, in ms (nothing actually waits). */
  sleeps: number[]
}

/** A Platform against the fake whose retry waits are recorded instead of slept. */
export async function createFakePlatform(fake: Pick<FakeApi, 'url' | 'state'>, options: PlatformOptions & {token?: string} = {}): Promise<TestPlatform> {
  const sleeps: number[] = []
  const {token, ...platformOptions} = options
  const api = await createFakeApiClient(fake, token)
  const platform = createPlatform(api, {sleep: async ms => {
    sleeps.push(ms)
  }, random: () => 0.5, ...platformOptions})
  return {platform, sleeps}
}
