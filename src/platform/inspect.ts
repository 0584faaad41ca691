// Everything tsq needs to know about an app, in three sequential rounds of concurrent requests whatever the
// number of add-ons or process types (paging aside): the app itself; then the add-ons that hold connection
// limits; then the other apps that share those add-ons.

import type {AddonInfo, AppState, DataApiLimit, FormationEntry, SharingApp} from '../core/model/app-state.js'
import {POOLING_NAMESPACE} from '../core/budget/poolers.js'
import {classifyAddon} from '../core/model/catalogue.js'
import {
  ADDON_LIST_HEADERS, type ApiAddon, type ApiApp, type ApiAttachment, type ApiConfigVars, type ApiFormation,
  ATTACHMENT_LIST_HEADERS, type DataApiDatabase,
} from './api-types.js'
import type {Platform} from './client.js'
import {readPoolerConfig, readRedisDataConfig} from './data-configs.js'
import {PlatformError} from './errors.js'
import {SHAPES} from './shapes.js'
import {
  parseAddon, parseAttachedAddon, parseAttachment, parseConfigVars, parseConnectionsInfo, parseFormation,
} from './parse.js'

export interface InspectProgress {
  stage: 1 | 2 | 3
  /** What this stage reads, for a spinner on stderr. */
  message: string
}

export interface InspectOptions {
  onProgress?: (event: InspectProgress) => void
}

/** The name SharingApp gets when the apps sharing an add-on could not be listed at all. */
export const UNKNOWN_SHARING_APP = '(unknown)'

/** Reads an app, its add-ons, attachments, config vars and formation, and the apps sharing its Redis/Postgres. */
export async function inspectApp(platform: Platform, app: string, options: InspectOptions = {}): Promise<AppState> {
  const progress = options.onProgress ?? (() => {})
  const a = encodeURIComponent(app)

  progress({stage: 1, message: `Reading ${app}: add-ons, attachments, config vars, formation`})
  const [apiApp, apiAddons, apiAttachments, apiConfig, apiFormation] = await Promise.all([
    platform.get<ApiApp>(`/apps/${a}`, {shape: SHAPES.app}),
    platform.get<ApiAddon[]>(`/apps/${a}/addons`, {headers: ADDON_LIST_HEADERS, shape: SHAPES.addons}),
    platform.get<ApiAttachment[]>(`/apps/${a}/addon-attachments`, {headers: ATTACHMENT_LIST_HEADERS, shape: SHAPES.attachments}),
    platform.get<ApiConfigVars>(`/apps/${a}/config-vars`, {shape: SHAPES.configVars}),
    platform.get<ApiFormation[]>(`/apps/${a}/formation`, {shape: SHAPES.formation}),
  ])
  const appName = apiApp.name
  const attachments = apiAttachments.map(parseAttachment)
  const owned = apiAddons.map(parseAddon)
  // Add-ons billed to another app are attached here but may be missing from /apps/{app}/addons.
  const foreign = uniqueBy(apiAttachments.map(parseAttachedAddon).filter((x): x is AddonInfo => x !== null)
    .filter(x => !owned.some(o => o.id === x.id)), x => x.id)
  const attachedVars = (id: string) => attachments.filter(t => t.addonId === id).flatMap(t => t.configVars)
  const resources = [...owned, ...foreign].filter(x => classifyAddon(x.service, [...x.configVars, ...attachedVars(x.id)]) !== null)

  progress({stage: 2, message: `Reading ${resources.length} Redis/Postgres add-on(s): attachments and limits`})
  const pooled = resources.filter(x => x.service === 'heroku-postgresql' && attachments.some(t => t.addonId === x.id && t.namespace === POOLING_NAMESPACE))
  const [sharingLists, dataApi, foreignDetails, poolerConfig, redisConfig] = await Promise.all([
    Promise.all(resources.map(async x => ({addon: x, attachments: await settle(
      platform.get<ApiAttachment[]>(`/addons/${encodeURIComponent(x.id)}/addon-attachments`, {headers: ATTACHMENT_LIST_HEADERS, shape: SHAPES.attachments}))}))),
    Promise.all(resources.filter(x => x.service === 'heroku-postgresql').map(async x => [x.id, await readDataApiLimit(platform, x.name)] as const)),
    Promise.all(foreign.map(x => settle(platform.get<ApiAddon>(`/addons/${encodeURIComponent(x.id)}`, {headers: ADDON_LIST_HEADERS, shape: SHAPES.addon})))),
    Promise.all(pooled.map(async x => [x.id, await readPoolerConfig(platform, x.id)] as const)),
    Promise.all(resources.filter(x => x.service === 'heroku-redis').map(async x => [x.id, await readRedisDataConfig(platform, x.name)] as const)),
  ])
  const addons = [...owned, ...foreign.map((x, i) => {
    const detail = foreignDetails[i]
    return detail && !(detail instanceof PlatformError) ? parseAddon(detail) : x
  })]

  const others = uniqueBy(sharingLists.flatMap(s => s.attachments instanceof PlatformError ? []
    : s.attachments.map(t => t.app?.name ?? '').filter(name => name && name !== appName && name !== app)), x => x)
  progress({stage: 3, message: others.length > 0 ? `Reading ${others.length} app(s) sharing those add-ons` : 'No other app shares them'})
  const otherStates = new Map(await Promise.all(others.map(async other => [other, await readSharingApp(platform, other)] as const)))

  const sharing: Record<string, SharingApp[]> = {}
  for (const {addon, attachments: list} of sharingLists) {
    if (list instanceof PlatformError) {
      sharing[addon.id] = [{app: UNKNOWN_SHARING_APP, config: null, formation: null,
        error: `could not list the apps add-on ${addon.name} is attached to: ${list.message}`}]
      continue
    }
    const names = uniqueBy(list.map(t => t.app?.name ?? '').filter(n => n && n !== appName && n !== app), x => x)
    sharing[addon.id] = names.map(name => {
      // Its own attachments of this add-on in the pooling namespace: the variables that reach the add-on's pooler.
      const poolerVars = list.filter(t => t.app?.name === name && t.namespace === POOLING_NAMESPACE).flatMap(t => parseAttachment(t).configVars)
      return poolerVars.length > 0 ? {...otherStates.get(name)!, poolerVars} : otherStates.get(name)!
    })
  }

  return {
    app: appName,
    generation: apiApp.generation?.name ?? null,
    addons,
    attachments,
    config: parseConfigVars(apiConfig),
    formation: parseFormation(apiFormation),
    sharing,
    dataApi: Object.fromEntries(dataApi),
    ...(poolerConfig.length > 0 ? {poolerConfig: Object.fromEntries(poolerConfig)} : {}),
    ...(redisConfig.length > 0 ? {redisConfig: Object.fromEntries(redisConfig)} : {}),
  }
}

/** Connections used/limit from the Data API; a failure is recorded, never thrown. */
export async function readDataApiLimit(platform: Platform, addonName: string): Promise<DataApiLimit> {
  const result = await settle(platform.getData<DataApiDatabase>(`/client/v11/databases/${encodeURIComponent(addonName)}`, {shape: SHAPES.database}))
  return result instanceof PlatformError ? {used: null, limit: null, error: result.message} : parseConnectionsInfo(result)
}

async function readSharingApp(platform: Platform, app: string): Promise<SharingApp> {
  const a = encodeURIComponent(app)
  const [config, formation] = await Promise.all([
    settle(platform.get<ApiConfigVars>(`/apps/${a}/config-vars`, {shape: SHAPES.configVars})),
    settle(platform.get<ApiFormation[]>(`/apps/${a}/formation`, {shape: SHAPES.formation})),
  ])
  const errors = [config, formation].filter((x): x is PlatformError => x instanceof PlatformError).map(e => e.message)
  return {
    app,
    config: config instanceof PlatformError ? null : parseConfigVars(config),
    formation: formation instanceof PlatformError ? null : parseFormation(formation) satisfies FormationEntry[],
    error: errors.length > 0 ? uniqueBy(errors, x => x).join(' ') : null,
  }
}

/** The value, or the PlatformError it failed with; anything else (a bug) still throws. */
async function settle<T>(promise: Promise<T>): Promise<T | PlatformError> {
  try {
    return await promise
  } catch (error) {
    if (error instanceof PlatformError) return error
    throw error
  }
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>()
  return items.filter(item => {
    const k = key(item)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
