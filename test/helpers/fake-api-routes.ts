// The fake's endpoints. Each handler reads or changes FakeState and answers in the schema's shapes; errors are
// thrown as ApiFault with Heroku's ids and messages.

import {ApiFault, type FakeAddon, type FakeApp, type FakeState} from './fake-api-model.js'
import {DATA_ROUTES} from './fake-api-data.js'
import {dynoSizeShape} from './fake-api-dyno-sizes.js'
import {addonShape, appShape, attachmentShape, databaseShape, formationShape, releaseShape} from './fake-api-shapes.js'

export interface RouteContext {
  state: FakeState
  params: string[]
  body: unknown
  /** Lower-cased request headers. */
  headers: Record<string, string>
}

/** A single object, or a list the server pages by Range. */
export type RouteResult = {status?: number, body: unknown} | {list: Array<Record<string, unknown>>}

type Handler = (ctx: RouteContext) => RouteResult

const SEG = '([^/]+)'
export const ROUTES: Array<[method: string, path: RegExp, handler: Handler]> = [
  ['GET', /^\/account\/rate-limits$/, ({state}) => ({body: {remaining: state.rateLimitRemaining}})],
  ['GET', route(`/apps/${SEG}`), ctx => ({body: appShape(appOf(ctx))})],
  ['GET', /^\/dyno-sizes$/, ({state}) => ({list: state.dynoSizes.map(dynoSizeShape)})],
  ['GET', route(`/apps/${SEG}/addons`), ctx => {
    const app = appOf(ctx)
    return {list: ctx.state.addons.filter(a => a.app === app.name).map(a => addonShape(ctx.state, a, expands(ctx)))}
  }],
  ['GET', route(`/apps/${SEG}/addon-attachments`), ctx =>
    ({list: ctx.state.attachmentsOfApp(appOf(ctx)).map(t => attachmentShape(ctx.state, t, inclusions(ctx)))})],
  ['GET', route(`/addons/${SEG}`), ctx => ({body: addonShape(ctx.state, addonOf(ctx), expands(ctx))})],
  ['GET', route(`/addons/${SEG}/addon-attachments`), ctx =>
    ({list: ctx.state.attachmentsOfAddon(addonOf(ctx)).map(t => attachmentShape(ctx.state, t, inclusions(ctx)))})],
  ['GET', /^\/addon-attachments$/, ctx => ({list: ctx.state.attachments.filter(t => !ctx.state.app(t.appId).forbidden)
    .map(t => attachmentShape(ctx.state, t, inclusions(ctx)))})],
  ['POST', /^\/addon-attachments$/, createAttachment],
  ['GET', route(`/apps/${SEG}/config-vars`), ctx => ({body: ctx.state.configVars(appOf(ctx).id)})],
  ['PATCH', route(`/apps/${SEG}/config-vars`), patchConfigVars],
  ['GET', route(`/apps/${SEG}/formation`), ctx => {
    const app = appOf(ctx)
    return {list: app.formation.map(p => formationShape(app, p))}
  }],
  ['PATCH', route(`/apps/${SEG}/formation`), patchFormation],
  ['GET', route(`/apps/${SEG}/releases`), ctx => {
    const app = appOf(ctx)
    return {list: app.releases.map(r => releaseShape(ctx.state, app, r))}
  }],
  ['GET', route(`/client/v11/databases/${SEG}`), ctx => {
    const addon = addonOf(ctx)
    if (addon.service !== 'heroku-postgresql') throw new ApiFault(404, 'not_found', `${addon.name} is not a Heroku Postgres database.`)
    return {body: databaseShape(addon)}
  }],
  ...DATA_ROUTES,
]

function createAttachment(ctx: RouteContext): RouteResult {
  const {state} = ctx
  const body = record(ctx.body)
  for (const key of ['addon', 'app']) if (body[key] === undefined) throw invalid(`Missing required params: ${key}`)
  const addon = state.findAddon(identity(body.addon))
  if (!addon) throw new ApiFault(404, 'not_found', "Couldn't find that add-on.", {resource: 'addon'})
  const app = accessibleApp(state, identity(body.app))
  const name = typeof body.name === 'string' ? body.name : freeDefaultName(state, app, addon)
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) {
    throw invalid('Name must start with a letter and can only contain uppercase letters, numbers, and underscores.')
  }
  const existing = state.attachmentsOfApp(app).find(t => t.name === name)
  if (existing?.addonId === addon.id) throw invalid(`${addon.name} is already attached to ${app.name} as ${name}.`)
  if (existing && body.confirm !== app.name) {
    // The official CLI's tests mock this answer as 400; the real status is not documented.
    throw new ApiFault(400, 'confirmation_required',
      `${name} on ${app.name} is already attached to ${state.addon(existing.addonId).name}. Attaching ${addon.name} as ${name} replaces it: confirm with the app name ${app.name}.`)
  }
  if (existing) state.attachments.splice(state.attachments.indexOf(existing), 1)
  // An add-on var overwrites a var of the same name set by hand (Heroku does the same for REDIS_URL).
  delete app.config[`${name}_URL`]
  const attachment = {id: state.nextId(4), appId: app.id, addonId: addon.id, name, namespace: typeof body.namespace === 'string' ? body.namespace : null}
  state.attachments.push(attachment)
  state.addRelease(app, `Attach ${name} (@ref:${addon.name})`)
  return {status: 201, body: attachmentShape(state, attachment, new Set())}
}

function patchConfigVars(ctx: RouteContext): RouteResult {
  const app = appOf(ctx)
  const body = record(ctx.body)
  const managed = new Set(ctx.state.attachmentsOfApp(app).flatMap(t => Object.keys(ctx.state.attachmentVars(t))))
  for (const [key, value] of Object.entries(body)) {
    if (!/^\w+$/.test(key)) throw invalid(`Invalid config var name: ${JSON.stringify(key)}. Use letters, digits and underscores.`)
    if (value !== null && typeof value !== 'string') throw invalid(`Config var ${key} must be a string or null.`)
    if (managed.has(key)) throw invalid(`Cannot overwrite attachment values ${key}.`)
  }
  for (const [key, value] of Object.entries(body)) {
    if (value === null) delete app.config[key]
    else app.config[key] = value as string
  }
  const set = Object.keys(body).filter(k => body[k] !== null)
  const removed = Object.keys(body).filter(k => body[k] === null)
  ctx.state.addRelease(app, [set.length > 0 ? `Set ${set.join(', ')} config vars` : '', removed.length > 0 ? `Remove ${removed.join(', ')} config vars` : '']
    .filter(Boolean).join('; ') || 'Update config vars')
  return {body: ctx.state.configVars(app.id)}
}

function patchFormation(ctx: RouteContext): RouteResult {
  const app = appOf(ctx)
  const body = record(ctx.body)
  if (!Array.isArray(body.updates)) throw invalid('Missing required params: updates')
  const planned = body.updates.map(raw => {
    const u = record(raw)
    const process = app.formation.find(p => p.type === u.type)
    if (!process) throw new ApiFault(404, 'not_found', `Couldn't find that process type (${String(u.type)}).`, {resource: 'formation'})
    return {process, quantity: parseQuantity(u.quantity, process.quantity, process.type), size: parseSize(ctx.state, u)}
  })
  for (const {process, quantity, size} of planned) {
    process.quantity = quantity
    if (size) process.size = size
  }
  return {body: planned.map(({process}) => formationShape(app, process))}
}

function parseQuantity(raw: unknown, current: number, type: string): number {
  if (raw === undefined) return current
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : ''
  const match = /^([+-]?)(\d+)$/.exec(text)
  if (!match || (typeof raw === 'number' && !Number.isInteger(raw))) {
    throw invalid(`Invalid quantity ${JSON.stringify(raw)} for ${type}: expected a whole number.`)
  }
  const n = Number(match[2])
  const value = match[1] === '+' ? current + n : match[1] === '-' ? current - n : n
  if (value < 0) throw invalid(`Cannot scale ${type} below 0.`)
  return value
}

/** A size Heroku lists (`GET /dyno-sizes`), by name or id as `dyno_size` allows, or the legacy `size`. */
function parseSize(state: FakeState, update: Record<string, unknown>): string | null {
  const dyno = update.dyno_size === undefined ? undefined : record(update.dyno_size)
  const raw = dyno ? dyno.name ?? dyno.id : update.size
  if (raw === undefined) return null
  const listed = typeof raw === 'string' ? state.findDynoSize(raw) ?? state.dynoSizes.find((s, i) => dynoSizeShape(s, i).id === raw) : undefined
  if (!listed) throw invalid(`Invalid dyno size: ${JSON.stringify(raw)}.`)
  return listed.name.toLowerCase()
}

function freeDefaultName(state: FakeState, app: FakeApp, addon: FakeAddon): string {
  const taken = new Set(state.attachmentsOfApp(app).map(t => t.name))
  if (!taken.has(addon.defaultAttachment)) return addon.defaultAttachment
  const prefix = addon.service.startsWith('heroku-') ? `HEROKU_${addon.service.slice(7).replace(/\W/g, '_').toUpperCase()}` : addon.defaultAttachment
  const color = ['AQUA', 'BLUE', 'COBALT', 'CRIMSON', 'GOLD', 'GREEN', 'MAROON', 'ONYX', 'PINK', 'PURPLE']
    .find(c => !taken.has(`${prefix}_${c}`))
  return `${prefix}_${color ?? taken.size}`
}

function appOf(ctx: RouteContext): FakeApp {
  return accessibleApp(ctx.state, decodeURIComponent(ctx.params[0] ?? ''))
}

function accessibleApp(state: FakeState, nameOrId: string): FakeApp {
  const app = state.findApp(nameOrId)
  if (!app) throw new ApiFault(404, 'not_found', "Couldn't find that app.", {resource: 'app'})
  if (app.forbidden) throw new ApiFault(403, 'forbidden', `You do not have access to the app ${app.name}.`, {app: {id: app.id, name: app.name}})
  return app
}

function addonOf(ctx: RouteContext): FakeAddon {
  const addon = ctx.state.findAddon(decodeURIComponent(ctx.params[0] ?? ''))
  if (!addon) throw new ApiFault(404, 'not_found', "Couldn't find that add-on.", {resource: 'addon'})
  return addon
}

/** An identity as the schema allows it: a string, or `{id}` / `{name}` as the official CLI sends. */
function identity(value: unknown): string {
  if (typeof value === 'string') return value
  const r = record(value)
  return typeof r.name === 'string' ? r.name : typeof r.id === 'string' ? r.id : ''
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('Expected a JSON object.')
  return value as Record<string, unknown>
}

function invalid(message: string): ApiFault {
  return new ApiFault(422, 'invalid_params', message)
}

const expands = (ctx: RouteContext) => /addon_service|plan/.test(ctx.headers['accept-expansion'] ?? '') && sdk(ctx)
const inclusions = (ctx: RouteContext) => new Set(sdk(ctx) ? (ctx.headers['accept-inclusion'] ?? '').split(',').map(s => s.trim()) : [])
const sdk = (ctx: RouteContext) => /version=3\.sdk/.test(ctx.headers.accept ?? '')

function route(pattern: string): RegExp {
  return new RegExp(`^${pattern}$`)
}
