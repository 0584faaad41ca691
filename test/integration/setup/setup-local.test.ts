// tsq:setup --local against throwaway Redis and Postgres servers with tight limits: no Heroku at all. The
// values it writes into .env are judged by tsq:doctor --local, which measures the same servers.
import {afterEach, describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import {parseDotenv} from '../../../src/core/procfile.js'
import {type PostgresService, type RedisService, startPostgres, startRedis} from '../../helpers/services.js'
import {PACKAGE_JSON, PROCFILE, appDir, runCommand, runSetup, runSetupJson} from './run-setup.js'

const PASSWORD = 'SENTINELlocalPW3318'
let services: Array<PostgresService | RedisService> = []
const dirs: Array<ReturnType<typeof appDir>> = []
afterEach(async () => {
  await Promise.all(services.map(s => s.stop()))
  services = []
  for (const d of dirs.splice(0)) d.remove()
})

describe('tsq:setup --local', () => {
  it('writes the Procfile and .env values that the local doctor then passes, keeping other .env lines', async () => {
    // max_connections 12 − 3 superuser slots = 9, − reserve 2 = 7: the default pools (web 5 + worker 5) do not fit.
    const pg = await startPostgres({maxConnections: 12, password: PASSWORD})
    const redis = await startRedis({maxclients: 20, password: PASSWORD})
    services.push(pg, redis)
    const d = appDir({'package.json': PACKAGE_JSON, '.env': `# local settings\nDATABASE_URL=${pg.url}\nREDIS_URL=${redis.url}\n`})
    dirs.push(d)
    const before = await runCommand(Doctor, ['--local', '--dir', d.dir], null)
    expect(before.code).toBe(1)

    const run = await runSetupJson(null, ['--local', '--dir', d.dir])
    expect(run.code).toBe(0)
    expect(run.stdout + run.stderr).not.toContain(PASSWORD)
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['config', 'applied'], ['procfile', 'applied']])
    expect(d.read('Procfile')).toBe(PROCFILE)
    const env = parseDotenv(d.read('.env')!)
    expect(env).toMatchObject({DATABASE_URL: pg.url, REDIS_URL: redis.url})
    expect(d.read('.env')!.startsWith(`# local settings\nDATABASE_URL=${pg.url}\n`)).toBe(true)
    expect(d.list()).toEqual(['.env', 'Procfile', 'package.json'])

    const after = await runCommand(Doctor, ['--local', '--dir', d.dir], null)
    expect(after.stdout + after.stderr + before.stdout + before.stderr).not.toContain(PASSWORD)
    expect(after.code).toBe(0)
    const again = await runSetup(null, ['--local', '--dir', d.dir])
    expect(again.stdout).toContain('Nothing to change')
  })
})
