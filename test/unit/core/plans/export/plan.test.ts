import {describe, expect, it} from 'vitest'
import type {LiveMeasurement} from '../../../../../src/core/budget/budget.js'
import {type ExportInput, type ExportIntent, planExport} from '../../../../../src/core/plans/export/plan.js'
import {localAppState, localFormation, parseProcfile} from '../../../../../src/core/model/procfile.js'

const PROCFILE = parseProcfile('web: node app.js\nworker: node app.js\n')
const live = (limit: number): LiveMeasurement => ({connections: 0, limit, limitSource: 'test', attributed: [], unattributed: 0, error: null})

function input(over: {web?: number, config?: Record<string, string>, pgLimit?: number, existing?: Map<string, string>} = {}): ExportInput {
  const formation = localFormation(PROCFILE).map(f => f.type === 'web' ? {...f, quantity: over.web ?? 1} : f)
  const config = {REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://127.0.0.1:5432/app', ...over.config}
  return {state: localAppState('myapp', config, formation), procfile: PROCFILE, hasDotenv: true,
    measurements: {postgres: live(over.pgLimit ?? 100), redis: live(10_000)}, existing: over.existing ?? new Map(), ownHosts: []}
}
const INTENT: ExportIntent = {basePort: 5000, dir: '/srv/myapp', force: false, dryRun: false}

describe('planExport', () => {
  it('plans the units of the formation for the directory, user defaulting to the app name', () => {
    const plan = planExport(input({web: 2}), INTENT)
    expect(plan.blocked).toBeNull()
    expect(plan.files.files.map(f => [f.name, f.action])).toEqual([
      ['myapp-web.1.service', 'create'], ['myapp-web.2.service', 'create'], ['myapp-worker.1.service', 'create'], ['myapp.target', 'create'],
    ])
    expect(plan.files.files[0]!.text).toContain('\nUser=myapp\n')
  })

  it('refuses a formation over a limit the server reported, unless forced', () => {
    // 10 web dynos × pool 5 + worker 5 = 55 > 40 − reserve 2.
    const over = input({web: 10, pgLimit: 40})
    expect(planExport(over, INTENT).blocked).toMatchObject({code: 'TSQ_EXPORT_OVER_LIMIT', message: expect.stringContaining('postgres.connections')})
    expect(planExport(over, {...INTENT, dryRun: true}).blocked?.code).toBe('TSQ_EXPORT_OVER_LIMIT')
    expect(planExport(over, {...INTENT, force: true})).toMatchObject({blocked: null, overLimit: [expect.objectContaining({id: 'postgres.connections'})]})
  })

  it('blocks writing over files that differ unless forced; a dry run only shows them', () => {
    const existing = new Map([['myapp.target', '[Unit]\nPartOf=myapp.target\n']])
    expect(planExport(input({existing}), INTENT).blocked).toMatchObject({code: 'TSQ_EXPORT_FILES_DIFFER', message: expect.stringContaining('myapp.target')})
    expect(planExport(input({existing}), {...INTENT, dryRun: true}).blocked).toBeNull()
    expect(planExport(input({existing}), {...INTENT, force: true}).blocked).toBeNull()
  })

  it('says when .env sets PORT or DYNO, which systemd would apply over every unit\'s own', () => {
    const plan = planExport(input({config: {PORT: '3000'}}), INTENT)
    expect(plan.units.notes).toEqual([expect.stringMatching(/^\.env sets PORT, which overrides each unit's own Environment=PORT=/)])
  })

  it('notes the .env lines systemd reads otherwise than Node (an export line), and none for a plain .env', () => {
    const plan = planExport({...input(), dotenv: 'A=1\nexport TSQ_WORKER_CONCURRENCY=3\n'}, INTENT)
    expect(plan.units.notes).toEqual([expect.stringMatching(/^\.env line 2 \(TSQ_WORKER_CONCURRENCY\): "export " before the name/)])
    expect(planExport({...input(), dotenv: 'A=1\nTSQ_WORKER_CONCURRENCY=3\n'}, INTENT).units.notes).toEqual([])
  })
})
