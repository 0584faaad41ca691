import {describe, expect, it} from 'vitest'
import {CHECK_IDS} from '../../../../src/core/checks/index.js'
import {diagnose, doctorWarnings} from '../../../../src/core/checks/doctor.js'
import {URL, appState, kvs, measurement, pg} from './fixtures.js'

const RESOURCE_KEYS = ['kind', 'addon', 'service', 'plan', 'configVar', 'limit', 'reserve', 'demand', 'status', 'sharedWith', 'live']
const PROCESS_KEYS = ['type', 'role', 'dynos', 'size', 'processesPerDyno', 'concurrency', 'dbPool', 'redisConnections', 'stack', 'threads', 'sources']

describe('diagnose report (spec §4 shape)', () => {
  it('has every key spec §4 binds, for the app, its processes, resources and checks', () => {
    const {report} = diagnose(appState())
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['app', 'ok', 'processes', 'resources', 'checks']))
    for (const p of report.processes) expect(Object.keys(p)).toEqual(expect.arrayContaining(PROCESS_KEYS))
    for (const r of report.resources) expect(Object.keys(r)).toEqual(expect.arrayContaining(RESOURCE_KEYS))
    for (const c of report.checks) expect(Object.keys(c).sort()).toEqual(['fix', 'id', 'message', 'status'])
  })

  it('reports the issue\'s processes: web 2 × standard-2x gives 2 processes per dyno without WEB_CONCURRENCY, each number with its source', () => {
    const {report} = diagnose(appState())
    expect(report.processes).toEqual([
      {type: 'web', role: 'web', dynos: 2, size: 'standard-2x', processesPerDyno: 2, concurrency: null, dbPool: 5, redisConnections: 1,
        stack: 'tsq', threads: null, sources: {
          processesPerDyno: "dyno size standard-2x (the Node buildpack's WEB_CONCURRENCY: 1024 MB ÷ 512 MB = 2; built-in table: memory 1 GB (Dev Center dyno-types, 2024-06-04))", concurrency: 'not a worker (tsq)',
          threads: 'not a threaded web server (tsq)', dbPool: 'heroku-tsq web default 5', redisConnections: 'heroku-tsq/runtime: 1 producer connection',
        }},
      {type: 'worker', role: 'worker', dynos: 1, size: 'standard-1x', processesPerDyno: 1, concurrency: 5, dbPool: 5, redisConnections: 3,
        stack: 'tsq', threads: null, sources: {
          processesPerDyno: "dyno size standard-1x (the Node buildpack's WEB_CONCURRENCY: 512 MB ÷ 512 MB = 1; built-in table: memory 512 MB (Dev Center dyno-types, 2024-06-04))", concurrency: 'heroku-tsq default 5',
          threads: 'not a threaded web server (tsq)', dbPool: "the worker's concurrency (heroku-tsq default)",
          redisConnections: 'heroku-tsq/runtime: 1 producer + 1 consumer + 1 blocking per queue (1 queue)',
        }},
    ])
  })

  it('is not ok exactly when a check fails', () => {
    const failing = diagnose(appState()).report
    expect(failing.checks.some(c => c.status === 'fail')).toBe(true)
    expect(failing.ok).toBe(false)
    const passing = diagnose(appState({addons: [kvs(), pg('standard-0')]})).report
    expect(passing.checks.some(c => c.status === 'fail')).toBe(false)
    expect(passing.ok).toBe(true)
  })

  it('keeps checks in the stable id order and uses only known ids', () => {
    const ids = diagnose(appState(), {live: true, measurements: {redis: measurement(), postgres: measurement()}}).report.checks.map(c => c.id)
    expect(ids).toEqual([...CHECK_IDS].filter(id => ids.includes(id)))
    expect(ids).toContain('redis.live')
  })

  it('sets live to null on every resource without --live, and to the measurement with it', () => {
    expect(diagnose(appState()).report.resources.map(r => r.live)).toEqual([null, null])
    const m = measurement({connections: 3})
    const live = diagnose(appState(), {live: true, measurements: {postgres: m}}).report.resources
    expect(live.find(r => r.kind === 'postgres')!.live).toEqual(m)
  })

  it('takes measurements only with --live or --local', () => {
    const m = measurement({connections: 3})
    expect(diagnose(appState(), {measurements: {postgres: m}}).report.resources.map(r => r.live)).toEqual([null, null])
    expect(diagnose(appState(), {local: true, measurements: {postgres: m}}).report.mode).toBe('local')
  })
})

describe('diagnose on an app without process types', () => {
  it('reports zero demand and no failing budget instead of crashing', () => {
    const {report} = diagnose(appState({addons: [kvs(), pg()], formation: []}))
    expect(report.processes).toEqual([])
    expect(report.resources.map(r => [r.kind, r.demand, r.status])).toEqual([['postgres', 0, 'ok'], ['redis', 0, 'ok']])
    expect(report.ok).toBe(true)
  })
})

describe('notCounted', () => {
  it('lists the sharing apps whose demand could not be read, with the reason', () => {
    const state = appState({addons: [kvs(), pg('standard-0')], sharing: {'postgresql-curved-2': [
      {app: 'ok-app', config: {DATABASE_URL: URL.postgres}, formation: [], error: null}, {app: 'demo-staging', config: null, formation: null, error: 'forbidden'}]}})
    const postgres = diagnose(state).report.resources.find(r => r.kind === 'postgres')!
    expect(postgres.sharedWith).toEqual(['ok-app', 'demo-staging'])
    expect(postgres.notCounted).toEqual([{app: 'demo-staging', error: 'forbidden'}])
  })
})

describe('doctorWarnings', () => {
  it('names an unknown plan and an unreadable sharing app', () => {
    const state = appState({addons: [kvs(), pg('mystery-9')],
      sharing: {'postgresql-curved-2': [{app: 'demo-staging', config: null, formation: null, error: 'forbidden'}]}})
    const lines = doctorWarnings(state, diagnose(state).report)
    expect(lines).toEqual([
      'Postgres plan heroku-postgresql:mystery-9 has no known connection limit: limit is null and demand 25 is not checked',
      'demo-staging shares postgresql-curved-2 but could not be read, so its connections are not counted: forbidden',
    ])
  })

  it('is empty when everything could be checked', () => {
    const state = appState({addons: [kvs(), pg('standard-0')]})
    expect(doctorWarnings(state, diagnose(state).report)).toEqual([])
  })
})
