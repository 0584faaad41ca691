// API responses → the plain AppState pieces the core consumes. Pure.

import type {AddonInfo, AttachmentInfo, DataApiLimit, FormationEntry} from '../core/model/app-state.js'
import type {ApiAddon, ApiAttachment, ApiConfigVars, ApiFormation, DataApiDatabase} from './api-types.js'

export function parseAddon(addon: ApiAddon): AddonInfo {
  const plan = addon.plan?.name ?? ''
  return {
    id: addon.id,
    name: addon.name,
    service: addon.addon_service?.name ?? serviceOfPlan(plan),
    plan,
    configVars: [...(addon.config_vars ?? [])],
    billingApp: addon.app?.name ?? '',
    state: addon.state ?? 'provisioned',
  }
}

/**
 * An add-on known only through an attachment (attached from an app that is billed for it): what the
 * attachment tells, its service read from the plan name (`heroku-postgresql:essential-0`).
 */
export function parseAttachedAddon(attachment: ApiAttachment): AddonInfo | null {
  const addon = attachment.addon
  if (!addon?.id || !addon.name) return null
  const plan = addon.plan?.name ?? ''
  return {
    id: addon.id, name: addon.name, service: serviceOfPlan(plan), plan, configVars: [],
    billingApp: addon.app?.name ?? '', state: 'provisioned',
  }
}

export function parseAttachment(attachment: ApiAttachment): AttachmentInfo {
  // Without the 3.sdk inclusion Heroku names the var after the attachment: REDIS → REDIS_URL.
  const configVars = attachment.config_vars && attachment.config_vars.length > 0
    ? [...attachment.config_vars]
    : [`${attachment.name}_URL`]
  return {
    id: attachment.id,
    name: attachment.name,
    addonId: attachment.addon?.id ?? '',
    addonName: attachment.addon?.name ?? '',
    app: attachment.app?.name ?? '',
    namespace: attachment.namespace ?? null,
    configVars,
  }
}

export function parseFormation(entries: readonly ApiFormation[]): FormationEntry[] {
  return entries.map(entry => ({
    type: entry.type,
    quantity: typeof entry.quantity === 'number' ? entry.quantity : Number.parseInt(entry.quantity, 10) || 0,
    size: (entry.dyno_size?.name ?? entry.size ?? '').toLowerCase(),
    ...(typeof entry.command === 'string' ? {command: entry.command} : {}),
  }))
}

/** Config vars as strings; a null value (never sent by Heroku for set vars) is dropped. */
export function parseConfigVars(vars: ApiConfigVars): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(vars)) if (typeof value === 'string') out[key] = value
  return out
}

/** The `Connections: used/limit` line of `heroku pg:info` (Data API `info`). */
export function parseConnectionsInfo(database: DataApiDatabase): DataApiLimit {
  const line = database.info?.find(item => item.name?.toLowerCase() === 'connections')
  const value = line?.values?.find(v => typeof v === 'string' || typeof v === 'number')
  const match = typeof value === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)/.exec(value) : null
  if (!match) {
    return {used: null, limit: null, error: line ? `unreadable Connections value ${JSON.stringify(value ?? null)}` : 'no Connections line in the Data API answer'}
  }
  return {used: Number(match[1]), limit: Number(match[2]), error: null}
}

/** `heroku-postgresql:essential-0` → `heroku-postgresql`. */
export function serviceOfPlan(plan: string): string {
  const colon = plan.indexOf(':')
  return colon > 0 ? plan.slice(0, colon) : ''
}
