// The warning headers Heroku may send with an answer (`X-Heroku-Warning`, `Warning-Message`) are printed by
// @heroku-cli/command's APIClient on stderr. Through a real tsq command against the fake Platform API: what
// reaches stderr carries no control character, no secret, and is bounded like a server message (the unit test
// test/unit/platform/warning-headers.test.ts covers ESC sequences, which Node's parser never lets through).
import {afterEach, describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import {MAX_HEROKU_MESSAGE} from '../../../src/platform/errors.js'
import {type FakeApi, startFakeApi} from '../../helpers/fake-api.js'
import {runCommand} from '../../helpers/run-command.js'
import * as scenarios from '../../helpers/scenarios.js'
import {APP, URLS} from '../../helpers/scenarios.js'

let fake: FakeApi | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

// Node's HTTP parser refuses a header with ESC, BEL or a line break in it (the whole answer fails), but lets
// the C1 controls through, which a UTF-8 terminal obeys as well: 8-bit CSI (U+009B), OSC (U+009D) … ST
// (U+009C), NEL (U+0085). Those, a tab, a database URL and 10 KB of text are what a header can carry.
const C1 = /[\u0080-\u009F]/
const HOSTILE = '\u009B2J\u009B31mThis stack is deprecated\u009B0m \u009D8;;https://evil.example\u009Csee here\u009D8;;\u009C\u0085\t' +
  `for ${URLS.postgres} ${'W'.repeat(10_240)}`

async function doctorWith(headers: Record<string, string>, ...args: string[]) {
  fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
  fake.sendHeaders({path: `/apps/${APP}`, headers})
  return runCommand(Doctor, ['-a', APP, ...args], {fake, env: {NO_COLOR: '1', HEROKU_APP: undefined}, checkSentinels: true})
}

describe('warning headers from the Platform API', () => {
  it.each(['X-Heroku-Warning', 'Warning-Message'])('%s with C1 escape sequences, a database URL and 10 KB of text reaches stderr without control characters, masked and bounded', async header => {
    const run = await doctorWith({[header]: HOSTILE}, '--json')
    expect(run.stderr).not.toMatch(C1)
    expect(run.stderr).not.toContain('W'.repeat(MAX_HEROKU_MESSAGE))
    // oclif wraps the warning behind ` › ` (words longer than a line are cut): compared without whitespace, it is
    // the header's text, cleaned, masked and cut with `…` (the fake writes the header as UTF-8, read back as
    // Latin-1: each C1 control arrives after an `Â`).
    const warning = run.stderr.slice(run.stderr.indexOf('Warning: '))
    const text = warning.split('\n').map(line => line.replace(/^\s*›\s*/, '')).join('').replace(/\s/g, '')
    expect(text).toMatch(/^Warning:\S*Thisstackisdeprecated\S*seehere\S*forpostgres:\/\/u4k2j9xq:\*{5}@[^W]+W+…/)
    expect(text.split('W').length - 1).toBeLessThan(MAX_HEROKU_MESSAGE)
    // stdout is still exactly one JSON document
    expect(JSON.parse(run.stdout)).toMatchObject({app: APP})
  })

  it('prints a plain warning once however many answers carry it', async () => {
    fake = await startFakeApi(scenarios.herokuRedisAndPostgres())
    fake.sendHeaders({path: /^\/apps\//, headers: {'X-Heroku-Warning': 'Warning: this app runs on a deprecated stack'}})
    const run = await runCommand(Doctor, ['-a', APP], {fake, env: {NO_COLOR: '1', HEROKU_APP: undefined}})
    expect(run.stderr.split('this app runs on a deprecated stack')).toHaveLength(2)
  })
})
