// The fake Platform API's world: a declarative Scenario (what tests write) and the mutable FakeState built from
// it (what requests read and change). Response shapes live in fake-api-shapes.ts.

import {findService} from '../../src/core/model/catalogue.js'
import {type DynoSizeList, type FakeDynoSize, dynoSizeList} from './fake-api-dyno-sizes.js'

export interface ScenarioProcess {
  type: string
  quantity: number
  /** Dyno size, any case: `standard-2x`. */
  size: string
  command?: string
}

export interface ScenarioApp {
  name: string
  generation?: 'cedar' | 'fir'
  /** The app's own config vars; each attachment adds `<NAME>_URL`. */
  config?: Record<string, string>
  formation?: ScenarioProcess[]
  /** The token has no access to this app: every request about it answers 403. */
  forbidden?: boolean
}

export interface ScenarioAddon {
  name: string
  /** `addon_service.name`: `heroku-redis`, `heroku-postgresql`, `rediscloud`... */
  service: string
  /** Full plan name: `heroku-redis:mini`. */
  plan: string
  /** The app billed for it. */
  app: string
  /** What its `<ATTACHMENT>_URL` config vars hold. */
  url: string
  /** What Heroku names an attachment when none is given: REDIS, DATABASE, REDISCLOUD. Default from the catalogue. */
  defaultAttachment?: string
  state?: 'provisioning' | 'provisioned' | 'deprovisioned'
  /** Data API `Connections: used/limit` (heroku-postgresql only). */
  connections?: {used: number, limit: number}
  /** The server-side pooler's pgbouncer_* settings (heroku-postgresql), or `unreadable` (403); default POOLER_CONFIG. */
  poolerConfig?: Record<string, number> | 'unreadable'
  /** Key-Value Store's maxmemory-policy in `redis:info`; null: no such row. Default noeviction. */
  maxmemoryPolicy?: string | null
}

export interface ScenarioAttachment {
  app: string
  addon: string
  name: string
  namespace?: string | null
}

export interface Scenario {
  /** The API key the fake accepts as `Authorization: Bearer <token>`. */
  token: string
  /** List page size (Heroku: 200). */
  pageSize?: number
  /** Starting `RateLimit-Remaining` (Heroku: 4500). */
  rateLimitRemaining?: number
  apps: ScenarioApp[]
  addons: ScenarioAddon[]
  attachments: ScenarioAttachment[]
  /** What `GET /dyno-sizes` lists, and so which sizes a formation PATCH accepts. Default `all` (Cedar and Fir). */
  dynoSizes?: DynoSizeList
}

export interface FakeApp {
  id: string
  name: string
  generation: string
  forbidden: boolean
  config: Record<string, string>
  formation: FakeProcess[]
  releases: FakeRelease[]
}

export interface FakeProcess {
  id: string
  type: string
  quantity: number
  /** Lower-case size name. */
  size: string
  command: string
}

export interface FakeRelease {
  id: string
  version: number
  description: string
}

export interface FakeAddon extends Required<Omit<ScenarioAddon, 'connections' | 'poolerConfig'>> {
  id: string
  connections: {used: number, limit: number} | null
  poolerConfig: Record<string, number> | 'unreadable' | null
}

export interface FakeAttachment {
  id: string
  appId: string
  addonId: string
  name: string
  namespace: string | null
}

/** An API error the router answers with. */
export class ApiFault extends Error {
  constructor(readonly status: number, readonly id: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message)
  }
}

export const CREATED_AT = '2026-01-01T00:00:00Z'

/** Deterministic UUID-shaped ids; ids of one kind sort in creation order, as Heroku's ranges expect. */
export function fakeId(kind: number, n: number): string {
  return `0000000${kind}-0000-4000-8000-${String(n).padStart(12, '0')}`
}

export class FakeState {
  readonly apps: FakeApp[] = []
  readonly addons: FakeAddon[] = []
  readonly attachments: FakeAttachment[] = []
  readonly token: string
  readonly pageSize: number
  readonly dynoSizes: readonly FakeDynoSize[]
  rateLimitRemaining: number
  private counter = 0

  constructor(scenario: Scenario) {
    this.token = scenario.token
    this.pageSize = scenario.pageSize ?? 200
    this.rateLimitRemaining = scenario.rateLimitRemaining ?? 4500
    this.dynoSizes = dynoSizeList(scenario.dynoSizes ?? 'all')
    for (const app of scenario.apps) {
      const fake: FakeApp = {id: this.nextId(1), name: app.name, generation: app.generation ?? 'cedar', forbidden: app.forbidden ?? false,
        config: {...app.config}, formation: [], releases: []}
      fake.formation = (app.formation ?? []).map(p => ({id: this.nextId(2), type: p.type, quantity: p.quantity,
        size: p.size.toLowerCase(), command: p.command ?? `npm run ${p.type}`}))
      this.apps.push(fake)
      this.addRelease(fake, 'Initial release')
    }
    for (const addon of scenario.addons) {
      this.app(addon.app)
      this.addons.push({...addon, id: this.nextId(3), state: addon.state ?? 'provisioned',
        defaultAttachment: addon.defaultAttachment ?? defaultAttachmentName(addon.service),
        connections: addon.connections ?? null, poolerConfig: addon.poolerConfig ?? null,
        maxmemoryPolicy: addon.maxmemoryPolicy === undefined ? 'noeviction' : addon.maxmemoryPolicy})
    }
    for (const t of scenario.attachments) {
      this.attachments.push({id: this.nextId(4), appId: this.app(t.app).id, addonId: this.addon(t.addon).id, name: t.name, namespace: t.namespace ?? null})
    }
  }

  nextId(kind: number): string {
    return fakeId(kind, ++this.counter)
  }

  /** An app by name or id; throws if missing (a test bug, not an API answer). */
  app(nameOrId: string): FakeApp {
    const app = this.findApp(nameOrId)
    if (!app) throw new Error(`fake API scenario has no app ${nameOrId}`)
    return app
  }

  findApp(nameOrId: string): FakeApp | undefined {
    return this.apps.find(a => a.name === nameOrId || a.id === nameOrId)
  }

  addon(nameOrId: string): FakeAddon {
    const addon = this.findAddon(nameOrId)
    if (!addon) throw new Error(`fake API scenario has no add-on ${nameOrId}`)
    return addon
  }

  /** A listed dyno size by name, any case, as Heroku looks one up. */
  findDynoSize(name: string): FakeDynoSize | undefined {
    return this.dynoSizes.find(s => s.name.toLowerCase() === name.toLowerCase())
  }

  findAddon(nameOrId: string): FakeAddon | undefined {
    return this.addons.find(a => a.name === nameOrId || a.id === nameOrId)
  }

  attachmentsOfApp(app: FakeApp): FakeAttachment[] {
    return this.attachments.filter(t => t.appId === app.id)
  }

  attachmentsOfAddon(addon: FakeAddon): FakeAttachment[] {
    return this.attachments.filter(t => t.addonId === addon.id)
  }

  /** The config vars an attachment sets on its app. */
  attachmentVars(attachment: FakeAttachment): Record<string, string> {
    const addon = this.addon(attachment.addonId)
    // Heroku's server-side pooler listens on its own host.
    const url = attachment.namespace === 'connection-pooling:default' ? addon.url.replace('@', '@pooler-') : addon.url
    return {[`${attachment.name}_URL`]: url}
  }

  /** What GET /apps/{app}/config-vars answers: the app's own vars plus one per attachment. */
  configVars(nameOrId: string): Record<string, string> {
    const app = this.app(nameOrId)
    return Object.assign({...app.config}, ...this.attachmentsOfApp(app).map(t => this.attachmentVars(t)))
  }

  addRelease(app: FakeApp, description: string): FakeRelease {
    const release = {id: this.nextId(5), version: app.releases.length + 1, description}
    app.releases.push(release)
    return release
  }
}

/** The name Heroku gives an add-on's first attachment: the catalogue's config var without `_URL`. */
export function defaultAttachmentName(service: string): string {
  const known = findService(service)?.configVar
  return known ? known.replace(/_URL(_TLS)?$/, '') : service.replace(/\W+/g, '_').toUpperCase()
}
