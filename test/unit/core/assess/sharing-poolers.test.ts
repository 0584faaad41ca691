// An app sharing the Postgres add-on that connects through its own attachment of the add-on's server-side pooler
// (spec §3, §11): its processes are the pooler's clients, and only the pooler's server pool counts against the
// plan, as for the app's own pooled processes; one of its processes started with the pooler's variable set to the
// direct URL counts directly.
import {describe, expect, it} from 'vitest'
import type {AppState, SharingApp} from '../../../../src/core/model/app-state.js'
import {assess} from '../../../../src/core/assess/assess.js'
import {appStateOf, attachment, postgresAddon} from '../../../helpers/app-state.js'

const DIRECT = 'postgres://u:p@db.example:5432/d'
const POOLED = 'postgres://u:p@db.example:5433/d'
const POOL_VAR = 'DATABASE_CONNECTION_POOL_URL'
const POOLER_CONFIG = {maxClientConn: 10_000, maxDbConnections: 20, defaultPoolSize: 20, error: null}

/** demo: web 2 × standard-2x × pool 5 = 20 directly on standard-0 (120); the add-on is shared with demo-staging. */
function state(staging: SharingApp, own: Partial<AppState> = {}): AppState {
  const pg = postgresAddon('standard-0', {id: 'pg1', name: 'postgresql-curved-1'})
  return appStateOf({addons: [pg], config: {DATABASE_URL: DIRECT}, formation: [{type: 'web', quantity: 2, size: 'standard-2x'}],
    sharing: {pg1: [staging]}, poolerConfig: {pg1: POOLER_CONFIG}, ...own})
}

/** demo-staging: web 10 × standard-2x × pool 5 = 100 through its DATABASE_CONNECTION_POOL attachment. */
const staging = (command?: string): SharingApp => ({app: 'demo-staging', error: null, poolerVars: [POOL_VAR],
  config: {DATABASE_URL: DIRECT, [POOL_VAR]: POOLED, TSQ_DATABASE_URL_VAR: POOL_VAR},
  formation: [{type: 'web', quantity: 10, size: 'standard-2x', ...(command ? {command} : {})}]})

const rowsOf = (s: AppState) => assess(s).resources[0]!.rows.map(r => [r.app, r.type, r.via ?? 'direct', r.clients ?? null, r.total])

describe('an app sharing the database through its pooler attachment', () => {
  it('counts its 100 connections as pooler clients: the pooler holds its 20 server connections, 40 in all', () => {
    const s = state(staging())
    expect(rowsOf(s)).toEqual([
      ['demo', 'web', 'direct', null, 20],
      ['demo', `(pooler ${POOL_VAR})`, 'pooler', 100, 20],
      ['demo-staging', '(all)', 'direct', null, 0],
      ['demo-staging', '(pooled)', 'server-pooler', 100, 0],
    ])
    expect(assess(s).resources[0]).toMatchObject({demand: 40, status: 'ok', sharedWith: ['demo-staging']})
  })

  it('adds its clients to the same pooler as the app\'s own pooled processes: one pooler row', () => {
    const base = state(staging())
    const own: AppState = {...base, attachments: [...base.attachments, {...attachment(base.addons[0]!, 'DATABASE_CONNECTION_POOL'), namespace: 'connection-pooling:default'}],
      config: {...base.config, [POOL_VAR]: POOLED, TSQ_DATABASE_URL_VAR: POOL_VAR}}
    expect(rowsOf(own)).toEqual([
      ['demo', 'web', 'server-pooler', 20, 0],
      ['demo', `(pooler ${POOL_VAR})`, 'pooler', 120, 20],
      ['demo-staging', '(all)', 'direct', null, 0],
      ['demo-staging', '(pooled)', 'server-pooler', 100, 0],
    ])
  })

  it('a process started with the pooler variable set to DATABASE_URL counts directly', () => {
    const s = state(staging(`${POOL_VAR}=$DATABASE_URL node web.js`))
    expect(rowsOf(s)).toEqual([
      ['demo', 'web', 'direct', null, 20],
      ['demo-staging', '(all)', 'direct', null, 100],
    ])
    expect(assess(s).resources[0]).toMatchObject({demand: 120, status: 'fail'})
  })

  it('without a pooler attachment of its own, the same variable is not taken for the pooler', () => {
    const s = state({...staging(), poolerVars: undefined})
    expect(assess(s).resources[0]!.rows.some(r => r.via === 'pooler' || r.type === '(pooled)')).toBe(false)
  })
})
