// What run() does at boot before any traffic: invalid settings and a database that cannot take the
// process's pool end it with one clear line (no password); role none runs nothing.
import {describe, expect, it} from 'vitest'
import {dynoEnv, uid, useRuntimeFixtures, type AppProcess} from './harness.js'

const suite = useRuntimeFixtures()

function start(vars: Record<string, string>): AppProcess {
  return suite.start(dynoEnv(vars))
}

describe('boot', () => {
  it('invalid settings: exit 1 with one line naming every bad variable, the URL password masked', async () => {
    const app = start({DYNO: 'worker.1', TSQ_CONCURRENCY: 'abc', TSQ_WORKER_DB_POOL: '0', REDIS_URL: 'redis://:hunter2secret@'})
    expect(await app.exited).toEqual({code: 1, signal: null})
    expect(app.lines).toHaveLength(1)
    expect(app.lines[0]).toMatch(/TSQ_CONCURRENCY.*TSQ_WORKER_DB_POOL.*REDIS_URL/)
    expect(app.lines[0]).not.toContain('hunter2secret')
  })

  it('role none (the release type): logs that it runs nothing and exits 0 by itself', async () => {
    const app = start({DYNO: 'release.42'})
    expect(await app.exited).toEqual({code: 0, signal: null})
    expect(app.lines).toEqual([expect.stringContaining('role none: nothing to run')])
  })

  it('a database that refuses part of the pool fails the boot (exit 1) with the count refused, not later under load', async () => {
    const role = `${uid()}_limited`
    suite.roles.push(role)
    await suite.pool.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 2`)
    const app = start({DYNO: 'web.1', PORT: '0', TSQ_DB_POOL: '3', DATABASE_URL: `postgres://${role}:pw-not-shown-77@127.0.0.1:5432/test`})
    expect(await app.exited).toEqual({code: 1, signal: null})
    const failure = app.lines.find(l => l.includes('boot failed'))
    expect(failure).toMatch(/refused 1 of the 3 connections/)
    expect(app.lines.join('\n')).not.toContain('pw-not-shown-77')
  })
})
