// TSQ_DATABASE_URL_VAR: the runtime's pg pool connects through the variable it names (spec §11), so pointing it
// at Heroku's DATABASE_CONNECTION_POOL_URL moves the process behind the server-side pooler.
import {afterEach, describe, expect, it} from 'vitest'
import type pg from 'pg'
import {createPgPool, resolveSettings, RuntimeError} from '../../../src/runtime/index.js'
import {DATABASE_URL, uid} from './harness.js'

const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/never'
const pools: pg.Pool[] = []

afterEach(async () => {
  await Promise.all(pools.splice(0).map(p => p.end()))
})

describe('TSQ_DATABASE_URL_VAR', () => {
  it('the pool connects to the URL of the variable it names, not DATABASE_URL', async () => {
    const dyno = `web.${uid()}`
    const settings = resolveSettings({DYNO: dyno, DATABASE_URL: UNREACHABLE, DATABASE_CONNECTION_POOL_URL: DATABASE_URL,
      TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL', TSQ_WEB_DB_POOL: '1'})
    expect(settings.databaseUrlVar).toBe('DATABASE_CONNECTION_POOL_URL')
    const pool = createPgPool(settings)
    pools.push(pool)
    const {rows} = await pool.query<{name: string}>('select current_setting(\'application_name\') as name')
    expect(rows[0]!.name).toMatch(new RegExp(`^tsq:${dyno.replace('.', '\\.')}:`))
  })

  it('a per-type variable wins: the worker keeps DATABASE_URL while the web goes through the pooler', () => {
    const env = {DATABASE_URL, DATABASE_CONNECTION_POOL_URL: UNREACHABLE, TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL', TSQ_WORKER_DATABASE_URL_VAR: 'DATABASE_URL'}
    expect(resolveSettings({...env, DYNO: 'web.1'}).databaseUrl).toBe(UNREACHABLE)
    expect(resolveSettings({...env, DYNO: 'worker.1'}).databaseUrl).toBe(DATABASE_URL)
  })

  it('a named variable that is not set: creating the pool names that variable', () => {
    const settings = resolveSettings({DYNO: 'web.1', DATABASE_URL, TSQ_DATABASE_URL_VAR: 'DATABASE_CONNECTION_POOL_URL'})
    expect(settings.databaseUrl).toBeNull()
    expect(() => createPgPool(settings)).toThrow(RuntimeError)
    expect(() => createPgPool(settings)).toThrow(/DATABASE_CONNECTION_POOL_URL is not set/)
  })

  it('a value that is not a variable name is a settings error naming TSQ_DATABASE_URL_VAR', () => {
    expect(() => resolveSettings({DYNO: 'web.1', TSQ_DATABASE_URL_VAR: 'postgres://u:secret@h/db'})).toThrow(/TSQ_DATABASE_URL_VAR/)
    expect(() => resolveSettings({DYNO: 'web.1', TSQ_DATABASE_URL_VAR: 'postgres://u:secret@h/db'})).not.toThrow(/secret/)
  })
})
