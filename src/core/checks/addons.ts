// Checks of what the app is wired to: valid settings, a Redis add-on behind REDIS_URL, a Postgres add-on
// behind DATABASE_URL. Pure.
import type {AddonInfo} from '../model/app-state.js'
import {PROVISION_POSTGRES, PROVISION_REDIS, REDIS_URL_VARS, findService} from '../model/catalogue.js'
import {type Check, type CheckContext, fail, heroku, fixSetup, listJoin, ok, warn} from './common.js'
import {redactUrl} from '../model/redact.js'
import {showProblem} from '../model/settings.js'

const URL_VARS = new Set<string>([...REDIS_URL_VARS, 'DATABASE_URL'])

/** `settings`: every invalid TSQ_* value or URL, named with the value (secrets masked) and what is allowed. */
export function checkSettings(ctx: CheckContext): Check {
  const {problems, processes, unknowns} = ctx.assessment
  if (problems.length === 0 && unknowns.length > 0) {
    // A value tsq could not read stands in as a default: say which and where, so the guess is visible (spec §8).
    return warn('settings', `Could not read ${unknowns.length === 1 ? 'a value' : `${unknowns.length} values`}, so defaults stand in: ${unknowns.map(u => `${u.variable}: ${u.value}`).join('; ')}`,
      'write the value in a form tsq reads (a literal, ENV.fetch("X", n), a config var), or declare the type with TSQ_<TYPE>_STACK')
  }
  if (problems.length === 0) {
    return ok('settings', `Settings resolve for ${listJoin(processes.map(p => p.type)) || 'no process types'} with no invalid variables`)
  }
  const listed = problems.map(p => `${showProblem(p)} (allowed: ${p.allowed})`).join('; ')
  const tunables = problems.map(p => p.variable).filter(v => !URL_VARS.has(v))
  const urls = problems.map(p => p.variable).filter(v => URL_VARS.has(v))
  const fixes: string[] = []
  if (tunables.length > 0) {
    fixes.push(ctx.local
      ? `correct or remove ${tunables.join(', ')} in .env or the environment (removed, each falls back to its default)`
      : `${heroku(ctx, `config:unset ${tunables.join(' ')}`)} to fall back to the defaults, or set allowed values`)
  }
  if (urls.length > 0) fixes.push(`give ${listJoin(urls)} a valid URL`)
  return fail('settings', `Invalid settings: ${listed}`, fixes.join('; and '))
}

function describe(addon: AddonInfo, ctx: CheckContext): string {
  const title = findService(addon.service)?.title ?? addon.service
  const billed = addon.billingApp && addon.billingApp !== ctx.assessment.app ? `, billed to ${addon.billingApp}` : ''
  return `${addon.name} (${title}, plan ${addon.plan}${billed})`
}

function stateProblem(id: 'redis.addon' | 'postgres.addon', addon: AddonInfo, ctx: CheckContext): Check | null {
  if (addon.state === 'provisioned' || addon.state === '') return null
  return warn(id, `${describe(addon, ctx)} is ${addon.state}, not provisioned: connections to it fail until it is`,
    `wait for it: ${heroku(ctx, `addons:wait ${addon.name}`)}`)
}

/** `redis.addon`: the app has a Redis add-on, and the Redis URL the runtime reads comes from it. */
export function checkRedisAddon(ctx: CheckContext): Check {
  const {addons, used, configVar, url} = ctx.assessment.redis
  if (ctx.local) return ok('redis.addon', `Local run: Redis at ${url ? redactUrl(url) : 'none'}${configVar ? ` from ${configVar}` : ''}`)
  const others = addons.filter(a => a !== used).map(a => a.name)
  const also = others.length > 0 ? `; also attached, unused by tsq: ${listJoin(others)}` : ''
  if (used) return stateProblem('redis.addon', used, ctx) ?? ok('redis.addon', `Redis: ${describe(used, ctx)}${also}`)
  if (addons.length === 0 && !configVar) {
    return fail('redis.addon', 'No Redis add-on is attached and no Redis URL is set: the web process cannot enqueue and workers cannot start',
      `${heroku(ctx, PROVISION_REDIS.replace(/^heroku /, ''))}, then ${fixSetup(ctx)}`)
  }
  if (addons.length === 0) {
    return warn('redis.addon', `${configVar} is not set by a Redis add-on of ${ctx.assessment.app}: Heroku will not update it when credentials rotate, and tsq does not know its plan or connection limit`,
      `attach the add-on that provides it (heroku addons:attach ADDON --as REDIS -a ${ctx.assessment.app}), or run ${heroku(ctx, 'tsq:doctor --live')} to read the limit from the server`)
  }
  return warn('redis.addon', `${configVar} was set by hand, not by ${listJoin(addons.map(a => a.name), 'or')}: it breaks when the add-on's credentials rotate`,
    `${heroku(ctx, `config:unset ${configVar}`)}, then ${addons.length === 1 ? fixSetup(ctx) : `${heroku(ctx, `tsq:setup --redis ${addons[0]!.name}`)}`}`)
}

/** `redis.url`: the runtime finds a Redis URL, and it is REDIS_URL itself (what BullMQ tools and Heroku expect). */
export function checkRedisUrl(ctx: CheckContext): Check {
  const {addons, used, configVar} = ctx.assessment.redis
  const bad = ctx.assessment.problems.find(p => p.variable === configVar)
  if (configVar && bad) {
    return fail('redis.url', `${configVar} is not a valid Redis URL (${bad.allowed}): the runtime cannot connect`,
      ctx.local ? `correct ${configVar} in .env` : used ? fixSetup(ctx) : `correct ${configVar}: ${heroku(ctx, `config:set ${configVar}=rediss://HOST:PORT`)}`)
  }
  if (!configVar) {
    const exposed = addons.flatMap(a => a.configVars)
    const where = addons.length > 0 ? `; ${listJoin(addons.map(a => a.name))} exposes ${listJoin(exposed) || 'no URL variable'}` : ''
    return fail('redis.url', `The runtime reads the first of ${REDIS_URL_VARS.join(', ')}, and none is set${where}`,
      addons.length > 0 ? `${fixSetup(ctx)} (attaches ${addons[0]!.name} as REDIS, so Heroku keeps REDIS_URL in sync)` : `${heroku(ctx, PROVISION_REDIS.replace(/^heroku /, ''))}, then ${fixSetup(ctx)}`)
  }
  if (configVar === 'REDIS_URL' || ctx.local) return ok('redis.url', `The runtime reads Redis from ${configVar}`)
  return warn('redis.url', `REDIS_URL is not set: the runtime falls back to ${configVar}, but BullMQ tooling, Sidekiq-style scripts and Heroku's own redis:* commands expect REDIS_URL`,
    `${fixSetup(ctx)} (attaches ${used?.name ?? 'the add-on'} as REDIS, so Heroku sets REDIS_URL and keeps it in sync; no secret is copied)`)
}

/** `postgres.addon`: DATABASE_URL is set, and by a Heroku Postgres add-on. */
export function checkPostgresAddon(ctx: CheckContext): Check {
  const {addons, used, configVar, url} = ctx.assessment.postgres
  if (ctx.local) return ok('postgres.addon', `Local run: Postgres at ${url ? redactUrl(url) : 'none'}${configVar ? ` from ${configVar}` : ''}`)
  if (used && configVar) return stateProblem('postgres.addon', used, ctx) ?? ok('postgres.addon', `Postgres: ${describe(used, ctx)} as ${configVar}`)
  if (addons.length === 0 && !configVar) {
    return warn('postgres.addon', 'No Postgres add-on is attached and DATABASE_URL is not set: the runtime opens no database pools (fine if the app uses no database)',
      heroku(ctx, PROVISION_POSTGRES.replace(/^heroku /, '')))
  }
  if (!configVar) {
    const vars = listJoin(addons.flatMap(a => a.configVars))
    return fail('postgres.addon', `DATABASE_URL is not set, and the runtime reads only DATABASE_URL; ${listJoin(addons.map(a => a.name))} is attached as ${vars}`,
      heroku(ctx, `pg:promote ${addons[0]!.name}`))
  }
  if (addons.length === 0) {
    return warn('postgres.addon', `DATABASE_URL is not set by a Postgres add-on of ${ctx.assessment.app}: tsq does not know its plan or connection limit`,
      `attach the database (heroku addons:attach ADDON --as DATABASE -a ${ctx.assessment.app}), or run ${heroku(ctx, 'tsq:doctor --live')} to read max_connections from the server`)
  }
  return warn('postgres.addon', `DATABASE_URL was set by hand, not by ${listJoin(addons.map(a => a.name), 'or')}: it breaks when Heroku rotates the credentials`,
    heroku(ctx, `pg:promote ${addons[0]!.name}`))
}
