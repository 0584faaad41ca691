import {describe, expect, it} from 'vitest'
import {PLAN_LIMITS, REDIS_URL_VARS, classifyAddon, findPlanLimit} from '../../../../src/core/model/catalogue.js'

describe('plan catalogue', () => {
  it('gives every catalogued limit a source, a date (ISO, or a year where the source gives only that) and a confidence', () => {
    for (const p of PLAN_LIMITS) {
      expect(p.source.length, p.plan).toBeGreaterThan(10)
      expect(p.date, p.plan).toMatch(/^\d{4}(-\d{2}-\d{2})?$/)
      expect(['confirmed', 'third-party']).toContain(p.confidence)
    }
  })

  it.each([
    ['heroku-postgresql:essential-0', 20], ['heroku-postgresql:essential-2', 40], ['heroku-postgresql:standard-0', 120],
    ['heroku-redis:mini', 20], ['heroku-redis:premium-0', 40], ['HEROKU-REDIS:PREMIUM-5', 1000], ['heroku-redis:shield-14', 65_000],
  ])('knows %s allows %i connections', (plan, limit) => {
    expect(findPlanLimit(plan)?.limit).toBe(limit)
  })

  it('returns nothing for a plan it does not know rather than a guess', () => {
    expect(findPlanLimit('heroku-postgresql:standard-7')).toBeUndefined()
    expect(findPlanLimit('heroku-redis:premium-6')).toBeUndefined()
  })
})

describe('classifyAddon', () => {
  it.each([
    ['heroku-redis', [], 'redis'], ['rediscloud', ['REDISCLOUD_URL'], 'redis'], ['some-new-redis', ['ACME_REDIS_URL'], 'redis'],
    ['heroku-postgresql', ['HEROKU_POSTGRESQL_RED_URL'], 'postgres'], ['papertrail', ['PAPERTRAIL_API_TOKEN'], null],
  ] as const)('classifies service %s exposing %j as %s', (service, vars, kind) => {
    expect(classifyAddon(service, vars)).toBe(kind)
  })

  it('keeps the spec order of Redis URL variables', () => {
    expect(REDIS_URL_VARS.slice(0, 4)).toEqual(['REDIS_URL', 'REDIS_TLS_URL', 'REDISCLOUD_URL', 'REDISTOGO_URL'])
  })
})
