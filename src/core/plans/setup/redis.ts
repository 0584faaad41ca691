// Giving an app a REDIS_URL that Heroku keeps in sync: attach its Redis add-on as REDIS, never copy a URL.
// When another add-on owns REDIS_URL, do what `heroku redis:promote` does: re-attach the old owner under its
// default name first (so it keeps a URL), then attach the new one as REDIS with confirmation. Pure.
import type {AddonInfo, AppState, AttachmentInfo} from '../../model/app-state.js'
import {PROVISION_REDIS, classifyAddon} from '../../model/catalogue.js'
import {findRedisUrl} from '../../model/settings.js'
import type {AttachChange, SetupProblem, SkippedStep} from './types.js'

export const REDIS_ATTACHMENT = 'REDIS'
export const REDIS_URL = 'REDIS_URL'
/** Stands in for the URL an attachment will expose when the add-on's current URL is not readable. */
const PLACEHOLDER_URL = 'redis://attached-by-tsq-setup.invalid:6379'

export interface RedisPlan {
  changes: AttachChange[]
  skipped: SkippedStep[]
  problems: SetupProblem[]
  /**
   * The app as it will be once the attachments exist, for judging the settings. Its REDIS_URL holds the
   * add-on's current URL in memory only: it is never sent anywhere.
   */
  predicted: AppState
}

/** Plans the attachments that give the app REDIS_URL; `wanted` is `--redis ADDON` (name or id) or null. */
export function planRedis(state: AppState, wanted: string | null): RedisPlan {
  const app = state.app
  const redisAddons = state.addons.filter(a => classifyAddon(a.service, a.configVars) === 'redis')
  const own = state.attachments.filter(a => a.app === app)
  const owner = own.find(a => a.configVars.includes(REDIS_URL)) ?? null
  const result = (r: Partial<RedisPlan>): RedisPlan => ({changes: [], skipped: [], problems: [], predicted: state, ...r})
  const block = (id: string, message: string, fix: string) => result({problems: [{id, message, fix, blocking: true}]})
  const listed = redisAddons.map(a => `${a.name} (${a.plan})`).join(', ')

  if (wanted !== null) {
    const target = redisAddons.find(a => matches(a, own, wanted))
    if (!target) {
      const other = state.addons.find(a => matches(a, own, wanted))
      const message = other ? `${wanted} is not a Redis add-on: it is ${other.plan}.` : `No add-on named ${wanted} is attached to ${app}.`
      const fix = redisAddons.length > 0 ? `Pass one of the Redis add-ons of ${app} to --redis: ${listed}.`
        : `Provision one with \`${PROVISION_REDIS} -a ${app}\`, or attach one from another app with \`heroku addons:attach ADDON -a ${app}\`.`
      return block('redis.addon', message, fix)
    }
    if (owner?.addonId === target.id) return result({skipped: [{kind: 'attach', reason: `${REDIS_URL} already comes from ${target.name} (attachment ${owner.name})`}]})
    if (state.config[REDIS_URL] && !owner) {
      return block('redis.url', `${REDIS_URL} is set by hand on ${app}, so ${target.name} cannot be attached as ${REDIS_ATTACHMENT} without clashing with it.`,
        `Remove it with \`heroku config:unset ${REDIS_URL} -a ${app}\`, then run \`heroku tsq:setup -a ${app} --redis ${target.name}\` again.`)
    }
    return attach(state, own, target, owner, result)
  }

  if (state.config[REDIS_URL]) {
    if (owner) return result({skipped: [{kind: 'attach', reason: `${REDIS_URL} already comes from ${owner.addonName} (attachment ${owner.name})`}]})
    // The doctor's redis.addon check says what a hand-set URL risks and how to hand it to an add-on.
    return result({skipped: [{kind: 'attach', reason: `${REDIS_URL} is set by hand; setup does not replace a value it did not set`}]})
  }
  if (redisAddons.length === 0) {
    const other = findRedisUrl(state.config)
    if (other) return result({skipped: [{kind: 'attach', reason: `no Redis add-on to attach; the app reads Redis from ${other.variable}`}]})
    return block('redis.addon', `${app} has no Redis add-on.`, `Provision one with \`${PROVISION_REDIS} -a ${app}\`, then run \`heroku tsq:setup -a ${app}\` again.`)
  }
  if (redisAddons.length > 1) {
    return block('redis.addon', `${app} has ${redisAddons.length} Redis add-ons and no ${REDIS_URL}: ${listed}. Setup will not guess which one the app should use.`,
      `Run again with --redis ADDON, e.g. \`heroku tsq:setup -a ${app} --redis ${redisAddons[0]!.name}\`.`)
  }
  return attach(state, own, redisAddons[0]!, null, result)
}

function attach(state: AppState, own: AttachmentInfo[], target: AddonInfo, owner: AttachmentInfo | null,
  result: (r: Partial<RedisPlan>) => RedisPlan): RedisPlan {
  const changes: AttachChange[] = []
  // redis:promote re-attaches the old owner only when REDIS_URL is its only URL on the app.
  const ownerKeepsUrl = owner !== null && own.some(a => a.addonId === owner.addonId && a.id !== owner.id && a.configVars.some(v => v.endsWith('_URL')))
  if (owner && !ownerKeepsUrl) {
    changes.push({kind: 'attach', addon: owner.addonName, service: state.addons.find(a => a.id === owner.addonId)?.service ?? 'unknown',
      as: null, confirm: true, configVar: null,
      reason: `${owner.addonName} owns ${REDIS_URL} now; re-attach it under its default name first so it keeps a URL (as heroku redis:promote does)`})
  }
  changes.push({kind: 'attach', addon: target.name, service: target.service, as: REDIS_ATTACHMENT, confirm: owner !== null, configVar: REDIS_URL,
    reason: owner ? `move ${REDIS_URL} from ${owner.addonName} to ${target.name}; Heroku keeps it in sync when credentials rotate`
      : `the app has no ${REDIS_URL}; attaching ${target.name} as ${REDIS_ATTACHMENT} gives it one that Heroku keeps in sync when credentials rotate`})

  const targetVars = [...own.filter(a => a.addonId === target.id).flatMap(a => a.configVars), ...target.configVars]
  const url = targetVars.map(v => state.config[v]).find(v => v) ?? PLACEHOLDER_URL
  const config = {...state.config}
  for (const v of owner?.configVars ?? []) delete config[v]
  config[REDIS_URL] = url
  const planned: AttachmentInfo = {id: 'planned:REDIS', name: REDIS_ATTACHMENT, addonId: target.id, addonName: target.name, app: state.app,
    namespace: null, configVars: [REDIS_URL]}
  const attachments = [...state.attachments.filter(a => a !== owner), planned]
  return result({changes, predicted: {...state, config, attachments}})
}

/** `--redis` names an add-on by name, id or the name of its attachment on the app (as `heroku addons:info` does). */
function matches(addon: AddonInfo, own: AttachmentInfo[], wanted: string): boolean {
  const w = wanted.trim().toLowerCase()
  return addon.name.toLowerCase() === w || addon.id.toLowerCase() === w
    || own.some(a => a.addonId === addon.id && a.name.toLowerCase() === w)
}
