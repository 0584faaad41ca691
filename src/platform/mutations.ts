// The requests that change an app, one function each, sent in the forms the schema documents.

import type {AttachmentInfo, FormationEntry} from '../core/model/app-state.js'
import type {ApiAttachment, ApiConfigVars, ApiFormation} from './api-types.js'
import type {Platform} from './client.js'
import {renderFormation} from '../core/model/formation.js'
import {isPlatformError, PlatformError} from './errors.js'
import {parseAttachment, parseConfigVars, parseFormation} from './parse.js'
import {SHAPES} from './shapes.js'

export interface AttachInput {
  app: string
  /** Add-on name or id. */
  addon: string
  /** Attachment name (`REDIS` gives `REDIS_URL`); omitted, Heroku picks the add-on's default. */
  name?: string
  /**
   * When Heroku answers `confirmation_required` (the name is taken on the app), send again with `confirm: app`,
   * which replaces the existing attachment, as `heroku addons:attach --confirm APP` does. Default true.
   */
  confirm?: boolean
}

export interface AttachResult {
  attachment: AttachmentInfo
  /** True when Heroku asked for confirmation and the request was sent again with it. */
  confirmed: boolean
}

/** POST /addon-attachments; retried on 429 only (a 5xx may have created the attachment). */
export async function attachAddon(platform: Platform, input: AttachInput): Promise<AttachResult> {
  const body: Record<string, unknown> = {addon: {name: input.addon}, app: {name: input.app}}
  if (input.name !== undefined) body.name = input.name
  const check = `heroku addons -a ${input.app}`
  try {
    return {attachment: parseAttachment(await platform.post<ApiAttachment>('/addon-attachments', body, {check, shape: SHAPES.attachment})), confirmed: false}
  } catch (error) {
    if (!isPlatformError(error) || error.id !== 'confirmation_required' || input.confirm === false) throw error
    const again = await platform.post<ApiAttachment>('/addon-attachments', {...body, confirm: input.app}, {check, shape: SHAPES.attachment})
    return {attachment: parseAttachment(again), confirmed: true}
  }
}

/** One attach of a promotion plan. */
export interface AttachStep {
  addon: string
  /** Undefined: Heroku's default name for the add-on. */
  name?: string
}

/** Runs a promotion plan in order; every step confirms, because taking REDIS from another add-on is the point. */
export async function promoteRedis(platform: Platform, app: string, steps: readonly AttachStep[]): Promise<AttachResult[]> {
  const results: AttachResult[] = []
  for (const step of steps) {
    const body: Record<string, unknown> = {addon: {name: step.addon}, app: {name: app}, confirm: app}
    if (step.name !== undefined) body.name = step.name
    results.push({attachment: parseAttachment(await platform.post<ApiAttachment>('/addon-attachments', body, {check: `heroku addons -a ${app}`, shape: SHAPES.attachment})), confirmed: true})
  }
  return results
}

const CONFIG_KEY = /^\w+$/

/** PATCH /apps/{app}/config-vars: a string sets, null deletes. Returns the app's config vars afterwards. */
export async function patchConfigVars(platform: Platform, app: string, vars: Record<string, string | null>): Promise<Record<string, string>> {
  const bad = Object.keys(vars).filter(key => !CONFIG_KEY.test(key))
  if (bad.length > 0) {
    throw new Error(`Invalid config var name(s) ${bad.map(k => JSON.stringify(k)).join(', ')}: use letters, digits and underscores only.`)
  }
  // Absolute values: sending the same PATCH twice is harmless, so a 5xx may be retried.
  const result = await platform.patch<ApiConfigVars>(`/apps/${encodeURIComponent(app)}/config-vars`, vars, {idempotent: true, check: `heroku config -a ${app}`, shape: SHAPES.configVars})
  return parseConfigVars(result)
}

export async function getConfigVars(platform: Platform, app: string): Promise<Record<string, string>> {
  return parseConfigVars(await platform.get<ApiConfigVars>(`/apps/${encodeURIComponent(app)}/config-vars`, {shape: SHAPES.configVars}))
}

export async function getFormation(platform: Platform, app: string): Promise<FormationEntry[]> {
  return parseFormation(await platform.get<ApiFormation[]>(`/apps/${encodeURIComponent(app)}/formation`, {shape: SHAPES.formation}))
}

export interface FormationUpdate {
  type: string
  /** Absolute dyno count (never relative), so the batch can be retried safely. */
  quantity: number
  /** Dyno size name, e.g. `standard-2x`; omitted keeps the current size. */
  size?: string
}

/** ONE PATCH /apps/{app}/formation batch in the schema's form. Returns the updated process types. */
export async function patchFormation(platform: Platform, app: string, updates: readonly FormationUpdate[]): Promise<FormationEntry[]> {
  const bad = updates.filter(u => !Number.isInteger(u.quantity) || u.quantity < 0)
  if (bad.length > 0) {
    throw new Error(`Invalid dyno count for ${bad.map(u => `${u.type}=${u.quantity}`).join(', ')}: use a whole number of 0 or more.`)
  }
  const body = {updates: updates.map(u => ({type: u.type, quantity: u.quantity, ...(u.size ? {dyno_size: {name: u.size}} : {})}))}
  try {
    const result = await platform.patch<ApiFormation[]>(`/apps/${encodeURIComponent(app)}/formation`, body, {idempotent: true, check: `heroku ps -a ${app}`, shape: SHAPES.formation})
    return parseFormation(result)
  } catch (error) {
    if (!isPlatformError(error) || !error.mayHaveApplied) throw error
    throw await withFormationNow(platform, app, updates, error)
  }
}

/**
 * The lost answer to a formation PATCH, completed with what Heroku runs now (one more read): whether every
 * update shows, or not (not applied, or not yet). Without that read, the error as it was.
 */
async function withFormationNow(platform: Platform, app: string, updates: readonly FormationUpdate[], lost: PlatformError): Promise<PlatformError> {
  let now: FormationEntry[]
  try {
    now = await getFormation(platform, app)
  } catch {
    return lost
  }
  const shows = (u: FormationUpdate) => now.some(p => p.type === u.type && p.quantity === u.quantity && (!u.size || p.size === u.size.toLowerCase()))
  const asked = updates.map(u => `${u.type}=${u.quantity}${u.size ? `:${u.size}` : ''}`).join(' ')
  const verdict = updates.every(shows) ? 'the change was applied.' : `not the change asked for (${asked}): it was not applied, or not yet.`
  return new PlatformError({kind: lost.kind, method: lost.method, path: lost.path, attempts: lost.attempts, mayHaveApplied: true,
    status: lost.status, id: lost.id, hint: lost.hint,
    message: `${lost.message} Heroku now reports ${renderFormation(now)}: ${verdict}`})
}

/** The app's current release version (for "done, v42"), or null when it has none. */
export async function getLatestReleaseVersion(platform: Platform, app: string): Promise<number | null> {
  const releases = await platform.get<Array<{version?: number}>>(`/apps/${encodeURIComponent(app)}/releases`,
    {headers: {Range: 'version ..; max=1, order=desc'}, partial: true, shape: SHAPES.releases})
  return releases[0]?.version ?? null
}
