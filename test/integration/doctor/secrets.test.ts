// Secrets the URL mask used to miss never reach any output of any command: a REDIS_URL that is a bare
// password ("REDIS_URL is not a URL (value hidden)"), a ?password= query parameter, a password with a space.
import {describe, expect, it} from 'vitest'

import Doctor from '../../../commands/tsq/doctor.js'
import Scale from '../../../commands/tsq/scale.js'
import Setup from '../../../commands/tsq/setup.js'
import type {Scenario} from '../../helpers/fake-api.js'
import {useFakeApi} from '../../helpers/fake-api-hook.js'
import {type CommandClass, runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, REDIS_ADDON} from '../../helpers/scenarios.js'
import {PACKAGE_JSON, useAppDirs} from '../setup/run-setup.js'

const BARE = 'SENTINELbareRedisPW3141'
const QUERY = 'SENTINELqueryPW2718'
const SPACED = 'SENTINEL spaced"PW1618'

const api = useFakeApi()
const appDir = useAppDirs()

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
  const result = await runCommand(command, argv, {fake: api.current, env: {HEROKU_APP: undefined, NO_COLOR: '1'}, checkSentinels: true})
  expect(result.stdout + result.stderr, argv.join(' ')).not.toContain(secret)
  expect(result.stdout + result.stderr).not.toContain('SENTINEL')
  return result
}

describe.each(CASES)('%s is never printed', (_name, config, secret) => {
  it('by tsq:doctor, human and --json', async () => {
    await api.start(oddSecrets(config))
    await run(Doctor, ['-a', APP], secret)
    await run(Doctor, ['-a', APP, '--json'], secret)
  })

  it('by tsq:setup --dry-run and tsq:scale', async () => {
    await api.start(oddSecrets(config))
    const d = appDir({'package.json': PACKAGE_JSON})
    await run(Setup, ['-a', APP, '--dir', d.dir, '--dry-run'], secret)
    await run(Setup, ['-a', APP, '--dir', d.dir, '--dry-run', '--json'], secret)
    await run(Scale, ['-a', APP], secret)
    await run(Scale, ['worker=2', '-a', APP, '--dry-run', '--json'], secret)
  })
})

it('tsq:doctor says "REDIS_URL is not a URL (value hidden)"', async () => {
  await api.start(oddSecrets({REDIS_URL: BARE}))
  const result = await run(Doctor, ['-a', APP, '--json'], BARE)
  expect(result.stdout).toContain('REDIS_URL is not a URL (value hidden)')
})
