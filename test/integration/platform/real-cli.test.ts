// The real `heroku` CLI (devDependency) against the fake: if Heroku's own client is satisfied with the fake's
// answers, tests built on the fake say something about Heroku.

import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {afterEach, expect, test} from 'vitest'

import {type FakeApi, startFakeApi} from '../../helpers/fake-api.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, SENTINEL_VALUES} from '../../helpers/scenarios.js'

const HEROKU = fileURLToPath(new URL('../../../node_modules/.bin/heroku', import.meta.url))
let fake: FakeApi | undefined
let home: string | undefined
afterEach(async () => {
  await fake?.close()
  if (home) rmSync(home, {recursive: true, force: true})
  fake = undefined
  home = undefined
})

function heroku(args: string[], f: FakeApi): Promise<{code: number, stdout: string, stderr: string}> {
  home = mkdtempSync(join(tmpdir(), 'tsq-heroku-'))
  mkdirSync(join(home, 'cache', 'heroku'), {recursive: true})
  writeFileSync(join(home, 'cache', 'heroku', 'terms-of-service'), '')
  const env = {
    PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'), GIT_CONFIG_GLOBAL: join(home, '.gitconfig'), HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
    HEROKU_DISABLE_AUTOUPDATE: 'true', DISABLE_TELEMETRY: 'true', HEROKU_HOST: f.url, HEROKU_PARTICLEBOARD_URL: f.url,
    HEROKU_DATA_HOST: f.url, HEROKU_API_KEY: f.state.token,
  }
  return new Promise(resolve => {
    const child = execFile(HEROKU, args, {env, timeout: 30_000}, (error, stdout, stderr) => {
      resolve({code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
    })
    child.stdin?.end()
  })
}

test('heroku addons:attach --as REDIS against the fake: attaches, prints the release, leaks no secret', async () => {
  fake = await startFakeApi(scenarios.redisCloudOnly())
  const result = await heroku(['addons:attach', 'rediscloud-rigid-67890', '--as', 'REDIS', '-a', APP], fake)
  expect(result.code).toBe(0)
  expect(result.stderr).toContain(`Setting REDIS config vars and restarting ${APP}... done, v2`)
  expect(fake.mutations().map(r => r.body)).toEqual([{addon: {name: 'rediscloud-rigid-67890'}, app: {name: APP}, name: 'REDIS'}])
  for (const secret of SENTINEL_VALUES) expect(result.stdout + result.stderr).not.toContain(secret)
}, 60_000)

test('heroku ps:scale against the fake: the legacy string quantity and size form is applied', async () => {
  fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
  const result = await heroku(['ps:scale', 'worker=3:performance-m', '-a', APP], fake)
  expect(result.code).toBe(0)
  expect(result.stderr).toContain('worker at 3:Performance-M')
  expect(fake.state.app(APP).formation.find(p => p.type === 'worker')).toMatchObject({quantity: 3, size: 'performance-m'})
}, 60_000)
