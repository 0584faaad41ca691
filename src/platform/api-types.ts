// The parts of Platform API and Data API responses tsq reads (platform-api-schema.json). Everything is
// optional or nullable here because the API adds and deprecates fields; parse.ts turns them into AppState.

export interface Ref {
  id?: string
  name?: string
}

export interface ApiApp {
  id: string
  name: string
  generation?: Ref | null
}

export interface ApiAddon {
  id: string
  name: string
  addon_service?: Ref | null
  plan?: Ref | null
  app?: Ref | null
  config_vars?: string[] | null
  state?: string | null
}

export interface ApiAttachment {
  id: string
  name: string
  namespace?: string | null
  app?: Ref | null
  addon?: (Ref & {app?: Ref | null, plan?: Ref | null}) | null
  /** Only with `Accept: ...version=3.sdk` and `Accept-Inclusion: addon:plan,config_vars`. */
  config_vars?: string[] | null
}

export interface ApiFormation {
  type: string
  quantity: number | string
  /** Deprecated in the schema in favour of dyno_size, still sent. */
  size?: string | null
  dyno_size?: Ref | null
  command?: string | null
}

export type ApiConfigVars = Record<string, string | null>

/** Schema `dyno-size` (the fields tsq reads): `memory` is RAM in GB, `compute` the minimum vCPUs. */
export interface ApiDynoSize {
  name: string
  memory: number
  compute?: number | null
  generation?: Ref | null
}

export interface DataApiDatabase {
  info?: Array<{name?: string, values?: unknown[]}> | null
}

/** Headers of the variants the official CLI uses to get service/plan and attachment config vars in one call. */
export const SDK_ACCEPT = 'application/vnd.heroku+json; version=3.sdk'
export const ADDON_LIST_HEADERS = {Accept: SDK_ACCEPT, 'Accept-Expansion': 'addon_service,plan'}
export const ATTACHMENT_LIST_HEADERS = {Accept: SDK_ACCEPT, 'Accept-Inclusion': 'addon:plan,config_vars'}
