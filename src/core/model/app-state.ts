// What tsq knows about an app, gathered by src/platform (or from a local Procfile and .env) and consumed by
// the pure core. Plain data: no clients, no promises.

export interface AddonInfo {
  id: string
  /** Globally unique add-on name, e.g. `redis-curved-12345`. */
  name: string
  /** `addon_service.name`, e.g. `heroku-redis`, `rediscloud`, `heroku-postgresql`. */
  service: string
  /** Full plan name, e.g. `heroku-redis:mini`. */
  plan: string
  /** Config vars the add-on exposes to its owning app. */
  configVars: string[]
  /** The app that owns (is billed for) the add-on. */
  billingApp: string
  state: string
}

export interface AttachmentInfo {
  id: string
  /** Attachment name: `REDIS` gives `REDIS_URL`. */
  name: string
  addonId: string
  addonName: string
  app: string
  namespace: string | null
  /** Config vars this attachment sets on its app (`REDIS_URL` for `REDIS`). */
  configVars: string[]
}

export interface FormationEntry {
  type: string
  quantity: number
  /** Dyno size as the API reports it, lower-cased: `standard-2x`. */
  size: string
  /** The command its dynos run (formation `command` on Heroku, the Procfile line locally); absent when unknown. */
  command?: string
}

/** Another app the same add-on is attached to, and what it contributes to the shared limit. */
export interface SharingApp {
  app: string
  /** Its config vars and formation, or null when they could not be read (`error` says why). */
  config: Record<string, string> | null
  formation: FormationEntry[] | null
  error: string | null
  /** The config vars of its attachments of this add-on in Heroku's pooling namespace (its server-side pooler). */
  poolerVars?: string[]
}

/** A limit reported by Heroku's Data API (`Connections: used/limit` of `heroku pg:info`). */
export interface DataApiLimit {
  limit: number | null
  used: number | null
  error: string | null
}

/** Heroku's server-side pooler settings of a database (Data API `/postgres/v0/databases/{id}/config`, as
 *  `heroku pg:settings` reads them); a number is null when the answer has no such setting. */
export interface ServerPoolerConfig {
  maxClientConn: number | null
  maxDbConnections: number | null
  defaultPoolSize: number | null
  /** Why the config could not be read; null when it was. */
  error: string | null
}

/** A Key-Value Store's eviction policy as the Data API reports it (`heroku redis:info`). */
export interface RedisDataConfig {
  maxmemoryPolicy: string | null
  error: string | null
}

export interface AppState {
  app: string
  /** `cedar` or `fir`, when known. */
  generation: string | null
  addons: AddonInfo[]
  attachments: AttachmentInfo[]
  config: Record<string, string>
  formation: FormationEntry[]
  /** Per add-on id: the other apps it is attached to. */
  sharing: Record<string, SharingApp[]>
  /** Per add-on id: what the Data API reports, where it was asked. */
  dataApi: Record<string, DataApiLimit>
  /** Per database add-on id with server-side pooling attached: the pooler's settings (spec §11). */
  poolerConfig?: Record<string, ServerPoolerConfig>
  /** Per heroku-redis add-on id: its eviction policy from the Data API (redis.eviction). */
  redisConfig?: Record<string, RedisDataConfig>
  /** The app's checkout (`--dir`), whose config files the Ruby models read (spec §9); absent without one. */
  checkout?: Checkout
}

/** A checked-out file: its text, or why it could not be used (missing, binary, too large, unreadable). */
export type CheckoutFile = {text: string} | {error: string}

/** Files read from the app's directory, by path relative to it (`config/puma.rb`). A path that was not asked
 *  for is absent; one that was asked for and is missing says so in `error`. */
export interface Checkout {
  /** The directory as the user named it, for messages. */
  dir: string
  files: Record<string, CheckoutFile>
}
