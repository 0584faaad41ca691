// tsq:setup --local on a .env that Node reads in less obvious ways (issue 16 item 8): a variable assigned with
// `export` and again later (the last wins), and a quoted multiline value holding a `TSQ_…=` line. Setup must
// edit the assignment Node applies, leave the quoted value whole, and then the doctor passes and a second run
// plans nothing. Real Redis and Postgres with tight limits; the writer's read-back is checked on its own.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import Doctor from '../../../commands/tsq/doctor.js'
import {applySetup, localEffects} from '../../../src/cli/setup-apply.js'
import {editDotenv} from '../../../src/core/model/dotenv-edit.js'
import {parseDotenv} from '../../../src/core/model/dotenv.js'
import type {ConfigChange, SetupPlan} from '../../../src/core/plans/setup/setup-plan.js'
import {useThrowawayServers} from '../../helpers/throwaway-servers.js'
import {PACKAGE_JSON, runCommand, runSetup, runSetupJson, useAppDirs} from './run-setup.js'

const PASSWORD = 'SENTINELdotenvPW5120'
const CERT_BODY = 'SENTINELcertBody9931'
const servers = useThrowawayServers()
const dir = useAppDirs()

describe('tsq:setup --local on a .env with export, a repeated key and a quoted multiline value', () => {
  it('edits the TSQ_WORKER_CONCURRENCY line Node applies, not the one inside the quoted value, keeps every other line byte for byte, then the doctor passes and a second run plans nothing', async () => {
    // max_connections 12 − 3 superuser slots − reserve 2 = 7: a worker concurrency of 8 (and the default pools) do not fit.
    const pg = await servers.postgres({maxConnections: 12, password: PASSWORD})
    const redis = await servers.redis({maxclients: 20, password: PASSWORD})
    const lines = [
      '# local settings',
      'export TSQ_WORKER_CONCURRENCY=9',
      `export DATABASE_URL=${pg.url}`,
      `REDIS_URL='${redis.url}'`,
      'TSQ_WORKER_CONCURRENCY=8 # the one Node reads',
      'CERT="-----BEGIN-----',
      'TSQ_WORKER_CONCURRENCY=3',
      `${CERT_BODY}`,
      '-----END-----"',
    ]
    const original = lines.join('\n') + '\n'
    const d = dir({'package.json': PACKAGE_JSON, '.env': original})
    expect(parseDotenv(original)).toMatchObject({TSQ_WORKER_CONCURRENCY: '8', DATABASE_URL: pg.url, REDIS_URL: redis.url})

    const run = await runSetupJson(null, ['--local', '--dir', d.dir])
    expect(run.code).toBe(0)
    expect(run.stdout + run.stderr).not.toContain(PASSWORD)
    expect(run.stdout + run.stderr).not.toContain(CERT_BODY)
    const config = run.json.changes.find(c => c.kind === 'config')
    if (config?.kind !== 'config') throw new Error(`setup planned no config change: ${run.stdout}`)
    expect([config.status, config.file]).toEqual(['applied', '.env'])
    const vars = config.vars
    expect(Object.keys(vars)).toContain('TSQ_WORKER_CONCURRENCY')
    expect(vars.TSQ_WORKER_CONCURRENCY).not.toBe('8')

    // Line 5 gets the new value (its comment kept); the other variables are appended; nothing else moves.
    const appended = Object.entries(vars).filter(([k]) => k !== 'TSQ_WORKER_CONCURRENCY').map(([k, v]) => `${k}=${v}`)
    const expected = [...lines.slice(0, 4), `TSQ_WORKER_CONCURRENCY=${vars.TSQ_WORKER_CONCURRENCY} # the one Node reads`, ...lines.slice(5), ...appended].join('\n') + '\n'
    const written = d.read('.env')!
    expect(written).toBe(expected)
    expect(parseDotenv(written).CERT).toBe(parseDotenv(original).CERT)
    expect(parseDotenv(written)).toMatchObject(vars)

    const doctor = await runCommand(Doctor, ['--local', '--dir', d.dir], null)
    expect(doctor.stdout + doctor.stderr).not.toContain(CERT_BODY)
    expect(doctor.code).toBe(0)

    const again = await runSetupJson(null, ['--local', '--dir', d.dir])
    expect(again.code).toBe(0)
    expect(again.json.changes).toEqual([])
    expect(d.read('.env')).toBe(expected)
    const text = await runSetup(null, ['--local', '--dir', d.dir])
    expect(text.stdout).toContain('Nothing to change')
  })
})

describe('tsq:setup --local on a .env it cannot edit so Node reads the values', () => {
  it('refuses before writing anything: exit 1, the variable and the stray line named, no value shown, .env and the directory unchanged', async () => {
    const pg = await servers.postgres({maxConnections: 12, password: PASSWORD})
    const redis = await servers.redis({maxclients: 20, password: PASSWORD})
    // Node reads a line without `=` into the next name: a TSQ_* line appended after it would not take effect.
    const original = `DATABASE_URL=${pg.url}\nREDIS_URL=${redis.url}\n${CERT_BODY}\n`
    const d = dir({'package.json': PACKAGE_JSON, '.env': original})
    const run = await runSetupJson(null, ['--local', '--dir', d.dir])
    expect(run.code).toBe(1)
    expect(run.stdout + run.stderr).not.toContain(PASSWORD)
    expect(run.stdout + run.stderr).not.toContain(CERT_BODY)
    // No .env change is planned; the rest is not attempted, since a blocking problem stops setup.
    expect(run.json.changes.map(c => [c.kind, c.status])).toEqual([['procfile', 'not-attempted']])
    const problem = run.json.problems.find(p => p.id === 'setup.dotenv')
    expect(problem).toMatchObject({blocking: true, message: expect.stringMatching(/^\.env: TSQ_\w+ does not read back as set .*\.env line 3 is neither KEY=value nor a # comment/)})
    expect(d.read('.env')).toBe(original)
    expect(d.list()).toEqual(['.env', 'package.json'])
  })
})

describe('writing .env: the read-back', () => {
  /** A config change to .env as the planner makes it. */
  function dotenvChange(before: string | null, vars: Record<string, string>): ConfigChange {
    const previous = Object.fromEntries(Object.keys(vars).map(k => [k, before === null ? null : parseDotenv(before)[k] ?? null]))
    return {kind: 'config', target: '.env', vars, previous, reasons: [], file: {name: '.env', before, after: editDotenv(before, vars).text}}
  }
  // applySetup reads only the app and the changes of a plan.
  const planOf = (change: ConfigChange) => ({app: 'demo', local: true, changes: [change]}) as unknown as SetupPlan

  it('puts the previous .env back and names the variable (not a value) when the written file does not read as planned', async () => {
    const before = `DATABASE_URL=postgres://app:${PASSWORD}@127.0.0.1:5432/app\nTSQ_WORKER_CONCURRENCY=8\n`
    const d = dir({'.env': before})
    const effects = localEffects(d.dir, () => 'Writing .env')
    // Another writer saves over .env right after setup's write (an editor holding the old buffer, say).
    const clobbering = {...effects, step: (_c: unknown, run: () => Promise<void>) => run(), writeFile: async (name: string, text: string) => {
      await effects.writeFile(name, text)
      if (text !== before) writeFileSync(join(d.dir, name), readFileSync(join(d.dir, name), 'utf8').replace('TSQ_WORKER_CONCURRENCY=2', 'TSQ_WORKER_CONCURRENCY=7'))
    }}
    const outcomes = await applySetup(planOf(dotenvChange(before, {TSQ_WORKER_CONCURRENCY: '2'})), clobbering)
    expect(outcomes.map(o => o.status)).toEqual(['failed'])
    expect(outcomes[0]!.error).toBe('.env did not read back as planned, so the previous .env was put back (restored): ' +
      'TSQ_WORKER_CONCURRENCY does not read back as set (Node reads another value for it)')
    expect(d.read('.env')).toBe(before)
  })

  it('removes a .env it created when the written file does not read as planned', async () => {
    const d = dir({})
    const effects = localEffects(d.dir, () => 'Writing .env')
    const clobbering = {...effects, step: (_c: unknown, run: () => Promise<void>) => run(), writeFile: async (name: string, text: string) => {
      await effects.writeFile(name, `${text}TSQ_WORKER_CONCURRENCY=5\n`)
    }}
    const outcomes = await applySetup(planOf(dotenvChange(null, {TSQ_WORKER_CONCURRENCY: '2'})), clobbering)
    expect(outcomes.map(o => [o.status, o.error])).toEqual([['failed', expect.stringContaining('(removed): ')]])
    expect(d.list()).toEqual([])
  })

  it('keeps the written .env when it reads back as planned', async () => {
    const before = 'A=1\n'
    const d = dir({'.env': before})
    const effects = {...localEffects(d.dir, () => 'Writing .env'), step: (_c: unknown, run: () => Promise<void>) => run()}
    const outcomes = await applySetup(planOf(dotenvChange(before, {TSQ_WORKER_CONCURRENCY: '2'})), effects)
    expect(outcomes.map(o => o.status)).toEqual(['applied'])
    expect(d.read('.env')).toBe('A=1\nTSQ_WORKER_CONCURRENCY=2\n')
  })
})
