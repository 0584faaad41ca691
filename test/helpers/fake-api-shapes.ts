// FakeState → JSON in the Platform API schema's shapes (platform-api-schema.json: app, add-on,
// add-on-attachment, formation, release) and the Data API's `client/v11/databases` answer.

import {CREATED_AT, type FakeAddon, type FakeApp, type FakeAttachment, type FakeProcess, type FakeRelease, type FakeState, fakeId} from './fake-api-model.js'

const OWNER = {email: 'owner@example.com', id: fakeId(9, 1)}
const ref = (x: {id: string, name: string}) => ({id: x.id, name: x.name})

export function appShape(app: FakeApp) {
  return {
    acm: false, archived_at: null, buildpack_provided_description: 'Node.js', build_stack: {id: fakeId(8, 24), name: 'heroku-24'},
    created_at: CREATED_AT, generation: {id: fakeId(8, app.generation === 'fir' ? 2 : 1), name: app.generation},
    git_url: `https://git.heroku.com/${app.name}.git`, id: app.id, internal_routing: null, maintenance: false, name: app.name,
    owner: OWNER, organization: null, team: null, region: {id: fakeId(8, 100), name: 'us'}, released_at: CREATED_AT,
    repo_size: null, slug_size: 12_345_678, space: null, stack: {id: fakeId(8, 24), name: 'heroku-24'}, updated_at: CREATED_AT,
    web_url: `https://${app.name}-0a1b2c3d4e5f.herokuapp.com/`,
  }
}

/** `expand`: the `Accept-Expansion: addon_service,plan` variant, which adds detail to both. */
export function addonShape(state: FakeState, addon: FakeAddon, expand: boolean) {
  const billing = state.app(addon.app)
  const serviceRef = {id: fakeId(7, hash(addon.service)), name: addon.service}
  const planRef = {id: fakeId(6, hash(addon.plan)), name: addon.plan}
  const ownVars = state.attachmentsOfAddon(addon).filter(t => t.appId === billing.id).map(t => `${t.name}_URL`)
  return {
    actions: [],
    addon_service: expand ? {...serviceRef, human_name: addon.service, state: 'ga'} : serviceRef,
    billing_entity: {id: billing.id, name: billing.name, type: 'app'},
    app: ref(billing),
    billed_price: {cents: 0, contract: false, unit: 'month'},
    config_vars: ownVars.length > 0 ? ownVars : [`${addon.defaultAttachment}_URL`],
    created_at: CREATED_AT, id: addon.id, name: addon.name,
    plan: expand ? {...planRef, human_name: addon.plan.split(':')[1] ?? addon.plan} : planRef,
    provider_id: `resource-${addon.id.slice(-6)}`, provision_message: null, state: addon.state, updated_at: CREATED_AT,
    web_url: `https://addons-sso.heroku.com/apps/${billing.id}/addons/${addon.id}`,
  }
}

/** `include`: the `Accept-Inclusion` values asked for (`addon:plan`, `config_vars`). */
export function attachmentShape(state: FakeState, attachment: FakeAttachment, include: ReadonlySet<string>) {
  const addon = state.addon(attachment.addonId)
  const app = state.app(attachment.appId)
  return {
    addon: {id: addon.id, name: addon.name, app: ref(state.app(addon.app)),
      ...(include.has('addon:plan') ? {plan: {id: fakeId(6, hash(addon.plan)), name: addon.plan}} : {})},
    app: ref(app), created_at: CREATED_AT, id: attachment.id, name: attachment.name, namespace: attachment.namespace,
    updated_at: CREATED_AT, web_url: null, log_input_url: null,
    ...(include.has('config_vars') ? {config_vars: Object.keys(state.attachmentVars(attachment))} : {}),
  }
}

export function formationShape(app: FakeApp, process: FakeProcess) {
  const size = displaySize(process.size)
  return {
    app: ref(app), command: process.command, created_at: CREATED_AT, dyno_size: {id: fakeId(5, hash(process.size)), name: size},
    id: process.id, quantity: process.quantity, size, type: process.type, updated_at: CREATED_AT,
  }
}

export function releaseShape(state: FakeState, app: FakeApp, release: FakeRelease) {
  return {
    addon_plan_names: state.addons.filter(a => a.app === app.name).map(a => a.plan), artifacts: [], app: ref(app),
    created_at: CREATED_AT, description: release.description, id: release.id, updated_at: CREATED_AT, slug: null,
    status: 'succeeded', user: OWNER, version: release.version, current: release === app.releases.at(-1),
    output_stream_url: null, eligible_for_rollback: true,
  }
}

/** Data API `GET /client/v11/databases/{addon}`, as `heroku pg:info` reads it. */
export function databaseShape(addon: FakeAddon) {
  const plan = addon.plan.split(':')[1] ?? addon.plan
  const info = [
    {name: 'Plan', values: [plan.replace(/(^|-)(\w)/g, (_m, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`)]},
    {name: 'Status', values: ['Available']},
    {name: 'Data Size', values: ['8.9 MB']},
    {name: 'Tables', values: [4]},
    {name: 'PG Version', values: ['16.4']},
    ...(addon.connections ? [{name: 'Connections', values: [`${addon.connections.used}/${addon.connections.limit}`]}] : []),
    {name: 'Connection Pooling', values: ['Not Available']},
    {name: 'Created', values: [CREATED_AT]},
  ]
  return {addon_id: addon.id, name: addon.name, plan, resource_url: addon.url, info, following: null, waiting: false}
}

/** `standard-2x` → `Standard-2X`, `performance-l-ram` → `Performance-L-RAM`, as the API reports sizes. */
export function displaySize(size: string): string {
  if (size.startsWith('dyno-')) return size
  return size.split('-').map(part => part === 'ram' || /^\d*x?l?$|^[a-z]$/.test(part) ? part.toUpperCase()
    : part.charAt(0).toUpperCase() + part.slice(1)).join('-')
}

function hash(text: string): number {
  let h = 0
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) % 1_000_000
  return h
}
