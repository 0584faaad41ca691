// redis.persistence and redis.auth against real throwaway redis-servers, one per configuration, read by the
// probe and judged by tsq:doctor --local as users run it. Clients connect through 127.0.0.1 only.
import {describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import type {Check} from '../../../src/core/checks/index.js'
import type {DoctorReport} from '../../../src/core/checks/doctor.js'
import {readRedisServer} from '../../../src/probe/index.js'
import {runCommand} from '../../helpers/run-command.js'
import {useThrowawayRedis} from '../../helpers/throwaway-servers.js'
import {useAppDirs} from '../setup/run-setup.js'

const PASSWORD = 'SENTINELredisAuthPW5521'
const server = useThrowawayRedis()
const appDir = useAppDirs()

/** The redis.* server checks tsq:doctor --local reports for an app whose .env points at `url`. */
async function doctorChecks(url: string): Promise<Record<string, Check>> {
  // Port 9 refuses at once: Postgres is not what these tests look at.
  const {dir} = appDir({Procfile: 'web: node app.js\nworker: node app.js\n', '.env': `REDIS_URL=${url}\nDATABASE_URL=postgres://app@127.0.0.1:9/app\n`})
  const run = await runCommand(Doctor, ['--local', '--dir', dir, '--json'])
  expect(run.stdout + run.stderr).not.toContain(PASSWORD)
  const report = JSON.parse(run.stdout) as DoctorReport
  return Object.fromEntries(report.checks.filter(c => c.id === 'redis.persistence' || c.id === 'redis.auth').map(c => [c.id, c]))
}

describe('redis.persistence', () => {
  it('warns when neither RDB snapshots nor AOF are on, naming the redis.conf lines', async () => {
    const s = await server({})
    const checks = await doctorChecks(s.url)
    expect(checks['redis.persistence']).toMatchObject({status: 'warn',
      message: expect.stringContaining('keeps queued jobs only in memory (save "" and appendonly no)')})
    expect(checks['redis.persistence']!.fix).toContain('in redis.conf set `appendonly yes` (with `appendfsync everysec`) or `save 3600 1 300 100 60 10000`')
  })

  it('passes with AOF on', async () => {
    const s = await server({appendonly: true})
    expect((await doctorChecks(s.url))['redis.persistence']).toMatchObject({status: 'ok', message: expect.stringContaining('AOF (appendonly yes)')})
  })

  it('passes with RDB snapshots on', async () => {
    const s = await server({save: '3600 1 300 100'})
    expect((await doctorChecks(s.url))['redis.persistence']).toMatchObject({status: 'ok', message: expect.stringContaining('RDB snapshots (save 3600 1 300 100)')})
  })

  it('warns that it could not read the settings when CONFIG is disabled, as on managed Redis', async () => {
    const s = await server({renameCommands: {CONFIG: ''}})
    const checks = await doctorChecks(s.url)
    expect(checks['redis.persistence']).toMatchObject({status: 'warn', message: expect.stringMatching(/CONFIG GET is refused \(ERR unknown command/)})
    expect(checks['redis.auth']).toMatchObject({status: 'warn', message: expect.stringContaining('Could not read which addresses Redis at')})
  })
})

describe('redis.auth', () => {
  it('passes for a Redis bound to loopback without a password', async () => {
    const s = await server({})
    expect((await doctorChecks(s.url))['redis.auth']).toMatchObject({status: 'ok', message: expect.stringContaining('listens on loopback only (bind 127.0.0.1)')})
  })

  it('fails for a Redis listening on every address with protected-mode off and no password, naming requirepass', async () => {
    const s = await server({bind: '* -::*', protectedMode: false})
    const check = (await doctorChecks(s.url))['redis.auth']!
    expect(check).toMatchObject({status: 'fail', message: expect.stringContaining('accepts clients from other machines (bind * -::*, protected-mode no) without a password')})
    expect(check.fix).toContain('requirepass')
    expect(check.fix).toContain('user default off')
  })

  it('warns when only protected-mode keeps other machines out', async () => {
    const s = await server({bind: '* -::*', protectedMode: true})
    expect((await doctorChecks(s.url))['redis.auth']).toMatchObject({status: 'warn', message: expect.stringContaining('only protected-mode keeps other machines out')})
  })

  it('passes for the same open Redis once it requires a password', async () => {
    const s = await server({bind: '* -::*', protectedMode: false, password: PASSWORD})
    expect((await doctorChecks(s.url))['redis.auth']).toMatchObject({status: 'ok', message: expect.stringContaining('refuses clients without a password')})
  })
})

describe('readRedisServer', () => {
  it('reads the settings, the version and that a password is required, with the password masked everywhere', async () => {
    const s = await server({password: PASSWORD, appendonly: true})
    const reading = await readRedisServer(s.url)
    expect(reading).toMatchObject({target: `127.0.0.1:${s.port}`, error: null, save: {ok: true, value: ''}, appendonly: {ok: true, value: 'yes'},
      bind: {ok: true, value: '127.0.0.1'}, protectedMode: {ok: true, value: 'yes'}, passwordRequired: {ok: true, value: true}})
    expect(reading.version).toMatch(/^\d+\.\d+/)
    const wrong = await readRedisServer(s.url.replace(encodeURIComponent(PASSWORD), 'SENTINELwrong'))
    expect(wrong.error).toMatch(/WRONGPASS|invalid password/)
    expect(JSON.stringify(wrong)).not.toContain('SENTINELwrong')
  })

  it('reports an unreachable server in error, within its deadline', async () => {
    const reading = await readRedisServer('redis://127.0.0.1:9', {timeoutMs: 2000})
    expect(reading.error).toMatch(/ECONNREFUSED/)
    expect(reading.save).toMatchObject({ok: false})
  })
})
