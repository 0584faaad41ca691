// AppState builders for the core tests: add-ons, the attachments that expose their config vars, and an app
// made of them. Only the shape of the records lives here: each suite names its own ids, add-on names, plans,
// config values and formation, because its numbers and messages depend on them.
import type {AddonInfo, AppState, AttachmentInfo} from '../../src/core/model/app-state.js'

/** The app the builders attach add-ons to and bill them to, unless told otherwise. */
export const APP = 'demo'

/** The id and globally unique name a test gives an add-on, and any other field it overrides. */
export type AddonParts = Pick<AddonInfo, 'id' | 'name'> & Partial<Omit<AddonInfo, 'plan'>>

/** The config var a service's default attachment sets: `DATABASE_URL`, `REDIS_URL` for Heroku KVS, else `<SERVICE>_URL`. */
function defaultConfigVar(service: string): string {
  if (service === 'heroku-postgresql') return 'DATABASE_URL'
  if (service === 'heroku-redis') return 'REDIS_URL'
  return `${service.toUpperCase().replaceAll('-', '_')}_URL`
}

/** A provisioned add-on of the full plan `service:plan`, billed to `demo`, exposing its service's default config var. */
export function addon(plan: string, parts: AddonParts): AddonInfo {
  const service = plan.slice(0, plan.indexOf(':'))
  return {service, plan, configVars: [defaultConfigVar(service)], billingApp: APP, state: 'provisioned', ...parts}
}

/** A Heroku Postgres add-on of `plan` (`essential-0`), exposing `DATABASE_URL`. */
export function postgresAddon(plan: string, parts: AddonParts): AddonInfo {
  return addon(`heroku-postgresql:${plan}`, parts)
}

/** A Redis add-on of any service, by full plan: `heroku-redis:mini` (`REDIS_URL`), `rediscloud:30` (`REDISCLOUD_URL`). */
export function redisAddon(plan: string, parts: AddonParts): AddonInfo {
  return addon(plan, parts)
}

/**
 * The attachment of `target` to `demo` named `name`, setting `<NAME>_URL`; by default it is named for the add-on's
 * own first config var (`REDISCLOUD` for `REDISCLOUD_URL`) and sets the add-on's config vars.
 */
export function attachment(target: AddonInfo, name?: string): AttachmentInfo {
  const own = target.configVars[0]!.replace(/_URL$|_API_KEY$/, '')
  const as = name ?? own
  return {
    id: `at-${target.id}-${as}`, name: as, addonId: target.id, addonName: target.name, app: APP, namespace: null,
    configVars: as === own ? target.configVars : [`${as}_URL`],
  }
}

/**
 * A cedar app `demo` from parts: by default each add-on attached under its own config var, and no config vars,
 * process types, sharing apps or Data API limits.
 */
export function appStateOf(parts: Partial<AppState> = {}): AppState {
  const addons = parts.addons ?? []
  return {
    app: APP, generation: 'cedar', addons, attachments: addons.map(a => attachment(a)), config: {}, formation: [],
    sharing: {}, dataApi: {}, ...parts,
  }
}
