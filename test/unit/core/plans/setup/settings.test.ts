// The sentence tsq:setup prints for each resource's demand before and after its plan (reasonsFor → demandChange):
// every branch says what the after demand fits, and never that it fits when it is over.
import {describe, expect, it} from 'vitest'
import type {BudgetRow, ResourceBudget} from '../../../../../src/core/budget/budget.js'
import {demandChange} from '../../../../../src/core/plans/setup/settings.js'

const row = (type: string, total: number, over: Partial<BudgetRow> = {}): BudgetRow =>
  ({app: 'demo', type, dynos: 1, processesPerDyno: 1, perProcess: total, total, ...over})

/** A Postgres budget of `rows` against `limit` (null: unknown), reserve 2. */
function budget(rows: BudgetRow[], limit: number | null): ResourceBudget {
  const demand = rows.reduce((sum, r) => sum + r.total, 0)
  const available = limit === null ? null : limit - 2
  return {kind: 'postgres', addon: 'postgresql-curved-1', service: 'heroku-postgresql', plan: 'heroku-postgresql:standard-0', configVar: 'DATABASE_URL',
    limit, limitSource: null, reserve: 2, demand, available, status: available !== null && demand > available ? 'fail' : 'ok', sharedWith: [],
    attachedNotCounted: [], live: null, rows, largestPool: null, largestDynos: {}, assumptions: [], holders: []}
}

describe('demandChange', () => {
  it('still over: 190 (over the 118 available) → 152, "still over the 118 available" (152 > 120 − 2), never "fits"', () => {
    const text = demandChange(budget([row('web', 190)], 120), budget([row('web', 152)], 120))
    expect(text).toBe('190 (over the 118 available) → 152 connections, still over the 118 available')
  })

  it('one over by one: 119 > 118 is still over', () => {
    expect(demandChange(budget([row('web', 130)], 120), budget([row('web', 119)], 120)))
      .toBe('130 (over the 118 available) → 119 connections, still over the 118 available')
  })

  it('fits the limit but not a restart: 190 → 70, 70 ≤ 118 and 2 × 70 = 140 > 120', () => {
    expect(demandChange(budget([row('web', 190)], 120), budget([row('web', 70)], 120)))
      .toBe('190 (over the 118 available) → 70 connections, which fits the 118 available, though not a restart\'s overlap (2 × 70 = 140 > 120)')
  })

  it('fits a restart: 100 → 60 (no "over" before: 100 ≤ 118), 2 × 60 = 120 ≤ 120', () => {
    expect(demandChange(budget([row('web', 100)], 120), budget([row('web', 60)], 120)))
      .toBe('100 → 60 connections, which fits even while old and new dynos overlap on restart (2 × 60 = 120 ≤ 120)')
  })

  it('behind a server-side pooler its server side counts once: 2 × 0 + min(2 × 70, 90) = 90 ≤ 120 fits a restart', () => {
    const pooled = [row('web', 0, {via: 'server-pooler', clients: 70}), row('(pooler DATABASE_CONNECTION_POOL_URL)', 70, {via: 'pooler', clients: 70, restartTotal: 90})]
    expect(demandChange(budget([row('web', 190)], 120), budget(pooled, 120)))
      .toBe('190 (over the 118 available) → 70 connections, which fits even while old and new dynos overlap on restart (2 × 0 + 90 ((pooler DATABASE_CONNECTION_POOL_URL): min(2 × 70 clients, its server pool), counted once) = 90 ≤ 120)')
  })

  it('limit unknown: says so rather than what it fits', () => {
    expect(demandChange(budget([row('web', 10)], null), budget([row('web', 8)], null))).toBe('10 → 8 connections, against a limit that is not known')
  })
})
