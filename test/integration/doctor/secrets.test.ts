// Secrets the URL mask used to miss never reach any output of any command: a REDIS_URL that is a bare
// password ("REDIS_URL is not a URL (value hidden)"), a ?password= query parameter, a password with a space.
import {afterEach, describe, expect, it} from 'vitest'

import Doctor from '../../../commands/tsq/doctor.js'
import Scale from '../../../commands/tsq/scale.js'
import Setup from '../../../commands/tsq/setup.js'
import {type FakeApi, type Scenario, startFakeApi} from '../../helpers/fake-api.js'
import {type CommandClass, runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, REDIS_ADDON} from '../../helpers/scenarios.js'
import {appDir, PACKAGE_JSON} from '../setup/run-setup.js'

const BARE = 'SENTINELbareRedisPW3141'
const QUERY = 'SENTINELqueryPW2718'
const SPACED = 'SENTINEL spaced"PW1618'

let fake: FakeApi | undefined
const dirs: Array<ReturnType<typeof appDir>> = []
afterEach(async () => {
  await fake?.close()
  fake = undefined
  for (const d of dirs.splice(0)) d.remove()
})

/** The app without its Redis add-on, and config vars holding secrets in odd places. */
function oddSecrets(config: Record<string, string>): Scenario {
  const s = scenarios.herokuRedisAndPostgres()
  s.addons = s.addons.filter(a => a.name !== REDIS_ADDON)
  s.attachments = s.attachments.filter(t => t.addon !== REDIS_ADDON)
  s.apps[0]!.config = {...s.apps[0]!.config, ...config}
  return s
}

const CASES: Array<[string, Record<string, string>, string]> = [
  ['a REDIS_URL that is a bare password', {REDIS_URL: BARE}, BARE],
  ['a ?password= query parameter', {REDIS_URL: `rediss://ec2-1.compute.amazonaws.com:6380?password=${QUERY}`}, QUERY],
  ['a password with a space and a quote', {REDIS_URL: `redis://user:${SPACED}@ec2-1.compute.amazonaws.com:6379`}, SPACED],
]

async function run(command: CommandClass, argv: string[], secret: string) {
  const result = await runCommand(command, argv, {fake, env: {HEROKU_APP: undefined, NO_COLOR: '1'}, checkSentinels: true})
  expect(result.stdout + result.stderr, argv.join(' ')).not.toContain(secret)
  expect(result.stdout + result.stderr).not.toContain('SENTINEL')
  return result
}

describe.each(CASES)('%s is never printed', (_name, config, secret) => {
  it('by tsq:doctor, human and --json', async () => {
    fake = await startFakeApi(oddSecrets(config))
    await run(Doctor, ['-a', APP], secret)
    await run(Doctor, ['-a', APP, '--json'], secret)
  })

  it('by tsq:setup --dry-run and tsq:scale', async () => {
    fake = await startFakeApi(oddSecrets(config))
    const d = appDir({'package.json': PACKAGE_JSON})
    dirs.push(d)
    await run(Setup, ['-a', APP, '--dir', d.dir, '--dry-run'], secret)
    await run(Setup, ['-a', APP, '--dir', d.dir, '--dry-run', '--json'], secret)
    await run(Scale, ['-a', APP], secret)
    await run(Scale, ['worker=2', '-a', APP, '--dry-run', '--json'], secret)
  })
})

it('tsq:doctor says "REDIS_URL is not a URL (value hidden)"', async () => {
  fake = await startFakeApi(oddSecrets({REDIS_URL: BARE}))
  const result = await run(Doctor, ['-a', APP, '--json'], BARE)
  expect(result.stdout).toContain('REDIS_URL is not a URL (value hidden)')
})
