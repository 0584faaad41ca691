// The fake's Data API endpoints for poolers and Key-Value Store (spec §11): `heroku pg:settings`' config read,
// `heroku pg:connection-pooling:attach`'s POST, and `heroku redis:info`'s database read with its maxmemory row.

import {ApiFault, type FakeAddon} from './fake-api-model.js'
import {attachmentShape} from './fake-api-shapes.js'
import type {RouteContext, RouteResult} from './fake-api-routes.js'

type Handler = (ctx: RouteContext) => RouteResult
const SEG = '([^/]+)'
const route = (pattern: string) => new RegExp(`^${pattern}$`)

/** What a standard-plan server-side pooler reports (heroku/cli's pg:settings test fixture). */
export const POOLER_CONFIG = {pgbouncer_default_pool_size: 150, pgbouncer_max_client_conn: 10_000, pgbouncer_max_db_connections: 150}

export const DATA_ROUTES: Array<[method: string, path: RegExp, handler: Handler]> = [
  ['GET', route(`/postgres/v0/databases/${SEG}/config`), ctx => {
    const addon = postgresOf(ctx)
    if (addon.poolerConfig === 'unreadable') throw new ApiFault(403, 'forbidden', 'You do not have access to the settings of this database.')
    const config = addon.poolerConfig ?? POOLER_CONFIG
    return {body: Object.fromEntries(Object.entries(config).map(([k, v]) => [k, {value: v, desc: k, default: v}]))}
  }],
  ['POST', route(`/client/v11/databases/${SEG}/connection-pooling`), attachPooling],
  ['GET', route(`/redis/v0/databases/${SEG}`), ctx => {
    const addon = addonOf(ctx)
    if (addon.service !== 'heroku-redis') throw new ApiFault(404, 'not_found', `${addon.name} is not a Key-Value Store.`)
    const policy = addon.maxmemoryPolicy
    return {body: {name: addon.name, info: [
      {name: 'Plan', values: [addon.plan.split(':')[1]]}, {name: 'Status', values: ['available']},
      {name: 'Version', values: ['7.2.4']}, ...(policy === null ? [] : [{name: 'Maxmemory', values: [policy]}]),
    ]}}
  }],
]

function attachPooling(ctx: RouteContext): RouteResult {
  const {state} = ctx
  const addon = postgresOf(ctx)
  const body = typeof ctx.body === 'object' && ctx.body !== null ? ctx.body as Record<string, unknown> : {}
  if (/:(essential|mini|basic|hobby)-/.test(addon.plan)) throw new ApiFault(422, 'invalid_params', "You can't perform this operation on Essential-tier databases.")
  if (body.credential !== 'default') throw new ApiFault(422, 'invalid_params', 'Only the default credential is supported.')
  const app = state.findApp(typeof body.app === 'string' ? body.app : '')
  if (!app) throw new ApiFault(404, 'not_found', "Couldn't find that app.", {resource: 'app'})
  const name = typeof body.name === 'string' && body.name ? body.name : 'DATABASE_CONNECTION_POOL'
  if (state.attachmentsOfApp(app).some(t => t.name === name)) throw new ApiFault(422, 'invalid_params', `${name} is already attached to ${app.name}.`)
  const attachment = {id: state.nextId(4), appId: app.id, addonId: addon.id, name, namespace: 'connection-pooling:default'}
  state.attachments.push(attachment)
  state.addRelease(app, `Attach ${name} (@ref:${addon.name})`)
  return {status: 201, body: attachmentShape(state, attachment, new Set())}
}

function addonOf(ctx: RouteContext): FakeAddon {
  const addon = ctx.state.findAddon(decodeURIComponent(ctx.params[0] ?? ''))
  if (!addon) throw new ApiFault(404, 'not_found', "Couldn't find that add-on.", {resource: 'addon'})
  return addon
}

function postgresOf(ctx: RouteContext): FakeAddon {
  const addon = addonOf(ctx)
  if (addon.service !== 'heroku-postgresql') throw new ApiFault(404, 'not_found', `${addon.name} is not a Heroku Postgres database.`)
  return addon
}

