// The one catalogue of what tsq knows about Heroku: Redis URL variables, add-on services, plan connection
// limits (each with its source and date). Dyno sizes are in dyno-sizes.ts. Pure data plus lookups; no I/O.

export type ResourceKind = 'postgres' | 'redis'

/** How messages name each kind of resource. */
export const RESOURCE_TITLE: Readonly<Record<ResourceKind, string>> = {postgres: 'Postgres', redis: 'Redis'}

/** Redis URL config vars in the order the resolver and the add-on inspection try them (spec §2). */
export const REDIS_URL_VARS = [
  'REDIS_URL',
  'REDIS_TLS_URL',
  'REDISCLOUD_URL',
  'REDISTOGO_URL',
  'OPENREDIS_URL',
  'REDISGREEN_URL',
  'STACKHERO_REDIS_URL_TLS',
  'MEMETRIA_REDIS_URL',
] as const

export const DATABASE_URL_VAR = 'DATABASE_URL'

export interface AddonService {
  /** Platform API `addon_service.name`. */
  service: string
  kind: ResourceKind
  /** Human name, for messages. */
  title: string
  /** The config var the add-on exposes when attached under its default name. */
  configVar: string
  /** The plan `heroku addons:create` would use for a small app, for suggestions. */
  starterPlan: string
}

export const ADDON_SERVICES: readonly AddonService[] = [
  {service: 'heroku-redis', kind: 'redis', title: 'Heroku Key-Value Store', configVar: 'REDIS_URL', starterPlan: 'heroku-redis:mini'},
  {service: 'rediscloud', kind: 'redis', title: 'Redis Cloud', configVar: 'REDISCLOUD_URL', starterPlan: 'rediscloud:30'},
  {service: 'redistogo', kind: 'redis', title: 'Redis To Go', configVar: 'REDISTOGO_URL', starterPlan: 'redistogo:nano'},
  {service: 'openredis', kind: 'redis', title: 'openredis', configVar: 'OPENREDIS_URL', starterPlan: 'openredis'},
  {service: 'redisgreen', kind: 'redis', title: 'RedisGreen', configVar: 'REDISGREEN_URL', starterPlan: 'redisgreen'},
  {service: 'stackhero-redis', kind: 'redis', title: 'Stackhero for Redis', configVar: 'STACKHERO_REDIS_URL_TLS', starterPlan: 'stackhero-redis'},
  {service: 'memetria-redis', kind: 'redis', title: 'Memetria K/V', configVar: 'MEMETRIA_REDIS_URL', starterPlan: 'memetria-redis'},
  {service: 'heroku-postgresql', kind: 'postgres', title: 'Heroku Postgres', configVar: 'DATABASE_URL', starterPlan: 'heroku-postgresql:essential-0'},
]

/** The suggestion printed when an app has no Redis at all. */
export const PROVISION_REDIS = 'heroku addons:create heroku-redis:mini'
export const PROVISION_POSTGRES = 'heroku addons:create heroku-postgresql:essential-0'

/**
 * Which kind of resource an add-on is, from its service slug, or else from the config vars it exposes
 * (a Redis add-on whose slug we do not know is still recognised by a catalogue variable).
 */
export function classifyAddon(service: string, configVars: readonly string[]): ResourceKind | null {
  const known = ADDON_SERVICES.find(s => s.service === service)
  if (known) return known.kind
  if (configVars.some(v => (REDIS_URL_VARS as readonly string[]).includes(v) || /(^|_)REDIS(_TLS)?_URL$/.test(v))) return 'redis'
  if (configVars.some(v => v === DATABASE_URL_VAR || /^HEROKU_POSTGRESQL_\w+_URL$/.test(v))) return 'postgres'
  return null
}

export function findService(service: string): AddonService | undefined {
  return ADDON_SERVICES.find(s => s.service === service)
}

export interface PlanLimit {
  /** Full plan name as the Platform API reports it, e.g. `heroku-postgresql:essential-0`. */
  plan: string
  limit: number
  source: string
  /** When the source said it: an ISO date, or only the year where the source gives no more. */
  date: string
  /** `confirmed`: Heroku or the vendor says so for this plan; `third-party`: only a third party does, or the
   *  vendor's number is matched to the Heroku plan by inference. */
  confidence: 'confirmed' | 'third-party'
}

const KVS_SOURCE = 'devcenter.heroku.com/articles/heroku-redis-technical-characterization'
const KVS_DATE = '2024-10-11'
const PG_3P = 'goldlapel.com/blog/heroku-postgresql-optimization'

function kvs(plan: string, limit: number): PlanLimit {
  return {plan: `heroku-redis:${plan}`, limit, source: KVS_SOURCE, date: KVS_DATE, confidence: 'confirmed'}
}

export const PLAN_LIMITS: readonly PlanLimit[] = [
  {plan: 'heroku-postgresql:essential-0', limit: 20, source: PG_3P, date: '2026-03-29', confidence: 'third-party'},
  {plan: 'heroku-postgresql:essential-1', limit: 20, source: PG_3P, date: '2026-03-29', confidence: 'third-party'},
  {plan: 'heroku-postgresql:essential-2', limit: 40, source: 'github.com/heroku/roadmap/issues/292 (maintainer comment)', date: '2024-05-17', confidence: 'confirmed'},
  {plan: 'heroku-postgresql:standard-0', limit: 120, source: PG_3P, date: '2026-03-29', confidence: 'third-party'},
  {plan: 'heroku-postgresql:premium-0', limit: 120, source: PG_3P, date: '2026-03-29', confidence: 'third-party'},
  {plan: 'heroku-postgresql:standard-2', limit: 400, source: PG_3P, date: '2026-03-29', confidence: 'third-party'},
  {plan: 'heroku-postgresql:premium-2', limit: 400, source: PG_3P, date: '2026-03-29', confidence: 'third-party'},
  {plan: 'heroku-postgresql:hobby-dev', limit: 20, source: 'heroku pg:info output "Connections: 0/20" (github.com/heroku/legacy-cli PR #1564)', date: '2015', confidence: 'confirmed'},
  {plan: 'heroku-postgresql:hobby-basic', limit: 20, source: 'heroku pg:info output "Connections: 0/20" (github.com/heroku/legacy-cli PR #1564)', date: '2015', confidence: 'confirmed'},
  kvs('mini', 20),
  kvs('hobby-dev', 20),
  kvs('premium-0', 40),
  kvs('premium-1', 80),
  kvs('premium-2', 200),
  kvs('premium-3', 400),
  kvs('premium-4', 700),
  kvs('premium-5', 1000),
  ...['premium', 'private', 'shield'].flatMap(tier => [
    kvs(`${tier}-7`, 10_000), kvs(`${tier}-9`, 25_000), kvs(`${tier}-10`, 40_000), kvs(`${tier}-12`, 65_000), kvs(`${tier}-14`, 65_000),
  ]),
  {plan: 'rediscloud:30', limit: 30, source: 'Redis Cloud Essentials docs, free 30 MB plan (github.com/redis/docs PR #2207); that the Heroku plan rediscloud:30 is that plan is inferred from its name', date: '2025', confidence: 'third-party'},
  {plan: 'redistogo:nano', limit: 10, source: 'github.com/Fueled/django-init PR #123 ("RedisToGo on heroku supports maximum of 10 connections")', date: '2016', confidence: 'third-party'},
]

/** The catalogued connection limit of a plan, or undefined when the plan is not catalogued (never a guess). */
export function findPlanLimit(plan: string): PlanLimit | undefined {
  const wanted = plan.toLowerCase()
  return PLAN_LIMITS.find(p => p.plan === wanted)
}
