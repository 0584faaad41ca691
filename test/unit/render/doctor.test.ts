import {describe, expect, it} from 'vitest'
import {diagnose} from '../../../src/core/checks/doctor.js'
import {renderDoctor, renderLive} from '../../../src/render/doctor.js'
import {wantsColor} from '../../../src/render/style.js'
import {URL, appState, kvs, measurement, pg} from '../core/checks/fixtures.js'

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[/

describe('renderDoctor', () => {
  const report = diagnose(appState({config: {TSQ_WORKER_DB_POOL: '2'}, addons: [kvs(), pg('essential-0')]})).report
  const text = renderDoctor(report, {color: false})

  it('lists checks fail → warn → ok', () => {
    const statuses = text.split('\n').map(l => /^(✖ fail|▲ warn|✔ ok)/.exec(l)?.[1]).filter(Boolean)
    const order = statuses.map(s => s!.split(' ')[1])
    expect(order).toEqual([...order].sort((a, b) => ['fail', 'warn', 'ok'].indexOf(a!) - ['fail', 'warn', 'ok'].indexOf(b!)))
    expect(new Set(order)).toEqual(new Set(['fail', 'warn', 'ok']))
  })

  it('prints every check id and the fix under each failing or warning check', () => {
    for (const c of report.checks) {
      expect(text).toContain(c.id)
      if (c.fix) expect(text).toContain(`fix: ${c.fix}`)
    }
  })

  it('draws a budget table per resource with dynos, processes, per-process connections, totals and the limit', () => {
    expect(text).toContain('=== Postgres budget  postgresql-curved-2 · heroku-postgresql:essential-0 · DATABASE_URL')
    expect(text).toMatch(/type\s+dynos\s+processes\s+per process\s+total\s+limit/)
    // web 2×2×5 = 20; worker pool 2: 1×1×2 = 2; demand 22 of limit 20.
    expect(text).toMatch(/web\s+2\s+2\s+5\s+20/)
    expect(text).toMatch(/worker\s+1\s+1\s+2\s+2/)
    expect(text).toMatch(/demand\s+22\s+20/)
    expect(text).toContain('=== Redis budget')
    expect(text).toMatch(/limit 20 from devcenter\.heroku\.com\/articles\/heroku-redis-technical-characterization/)
  })

  it('has no colour codes when colour is off, and has them when on', () => {
    expect(text).not.toMatch(ANSI)
    expect(renderDoctor(report, {color: true})).toMatch(ANSI)
  })

  it('shows the sharing app as its own row', () => {
    const shared = diagnose(appState({addons: [kvs(), pg('standard-0')], sharing: {'postgresql-curved-2': [
      {app: 'demo-staging', config: {DATABASE_URL: URL.postgres}, formation: [{type: 'web', quantity: 1, size: 'basic'}], error: null}]}})).report
    expect(renderDoctor(shared, {color: false})).toMatch(/demo-staging \(shared\)\s+\(all\)\s+5/)
  })

  it('shows a sharing app that could not be read as ? and says why', () => {
    const shared = diagnose(appState({addons: [kvs(), pg('standard-0')], sharing: {'postgresql-curved-2': [
      {app: 'demo-staging', config: null, formation: null, error: 'forbidden (403)'}]}})).report
    const text = renderDoctor(shared, {color: false})
    expect(text).toMatch(/demo-staging \(shared, not readable\)\s+\(all\)\s+\?/)
    expect(text).toContain('not counted: demo-staging could not be read (forbidden (403))')
  })

  it('marks an unknown limit as unknown rather than a number', () => {
    const unknown = diagnose(appState({addons: [kvs(), pg('mystery-9')]})).report
    expect(renderDoctor(unknown, {color: false})).toContain('limit: unknown (plan heroku-postgresql:mystery-9 is not catalogued)')
  })
})

describe('renderLive', () => {
  it('lists tsq-named connections by dyno and purpose', () => {
    expect(renderLive(measurement({connections: 3, limit: 20, limitSource: 'INFO clients', unattributed: 1,
      attributed: [{dyno: 'web.1', purpose: 'producer', count: 2}]})))
      .toBe('live: 3 connections now, server limit 20 (INFO clients); tsq-named: web.1 producer 2; unattributed: 1')
  })

  it('says why nothing was measured', () => {
    expect(renderLive(measurement({error: 'ECONNREFUSED'}))).toBe('live: not measured (ECONNREFUSED)')
  })
})

describe('wantsColor', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{NO_COLOR: '1'}, true, false],
    [{FORCE_COLOR: '1'}, false, true],
    [{FORCE_COLOR: '0'}, true, false],
    [{TERM: 'dumb'}, true, false],
  ] as const)('env %o on a TTY=%s gives colour %s', (env, tty, expected) => {
    expect(wantsColor(env, tty)).toBe(expected)
  })
})
