// AppState specs for the check and report tests, built with test/helpers/app-state.ts: an app with add-ons
// attached under given names, the config vars those attachments set, a formation, and optionally apps sharing
// an add-on.
import type {AppState, DataApiLimit, FormationEntry, SharingApp} from '../../../../src/core/model/app-state.js'
import type {LiveMeasurement} from '../../../../src/core/budget/budget.js'
import type {Check, CheckId} from '../../../../src/core/checks/index.js'
import {type DiagnoseOptions, diagnose} from '../../../../src/core/checks/doctor.js'
import {APP, addon, appStateOf} from '../../../helpers/app-state.js'

export const SECRET = 'SENTINELchecksPW5150'

export const URL = {
  kvs: `rediss://:${SECRET}@ec2-1-2-3-4.compute-1.amazonaws.com:6380`,
  kvsPlain: `redis://:${SECRET}@ec2-1-2-3-4.compute-1.amazonaws.com:6379`,
  rediscloud: `redis://default:${SECRET}@redis-1.c1.us-east-1-4.ec2.cloud.redislabs.com:14012`,
  postgres: `postgres://u:${SECRET}@ec2-5-6-7-8.compute-1.amazonaws.com:5432/db`,
  localRedis: 'redis://127.0.0.1:6379',
  localPostgres: 'postgres://127.0.0.1:5432/postgres',
}

export interface AddonSpec {
  name: string
  service: string
  plan: string
  /** Attachment name on the app; its `<NAME>_URL` config var gets `url`. */
  as: string
  url: string
  billingApp?: string
  state?: string
}

export const kvs = (plan = 'mini', over: Partial<AddonSpec> = {}): AddonSpec =>
  ({name: 'redis-curved-1', service: 'heroku-redis', plan: `heroku-redis:${plan}`, as: 'REDIS', url: URL.kvs, ...over})
export const pg = (plan = 'essential-0', over: Partial<AddonSpec> = {}): AddonSpec =>
  ({name: 'postgresql-curved-2', service: 'heroku-postgresql', plan: `heroku-postgresql:${plan}`, as: 'DATABASE', url: URL.postgres, ...over})

export const WEB_2X: FormationEntry = {type: 'web', quantity: 2, size: 'standard-2x'}
export const WORKER_1X: FormationEntry = {type: 'worker', quantity: 1, size: 'standard-1x'}

export interface StateSpec {
  addons?: readonly AddonSpec[]
  config?: Readonly<Record<string, string>>
  formation?: FormationEntry[]
  /** Per add-on name: apps sharing it. */
  sharing?: Record<string, SharingApp[]>
  /** Per add-on name: what the Data API reported. */
  dataApi?: Record<string, DataApiLimit>
}

export function appState(spec: StateSpec = {}): AppState {
  const specs = spec.addons ?? [kvs(), pg()]
  const addons = specs.map((a, i) => addon(a.plan, {
    id: `addon-${i}`, name: a.name, service: a.service, configVars: [`${a.as}_URL`], billingApp: a.billingApp ?? APP, state: a.state ?? 'provisioned',
  }))
  const idOf = (name: string) => addons.find(a => a.name === name)!.id
  return appStateOf({
    addons,
    config: {...Object.fromEntries(specs.map(a => [`${a.as}_URL`, a.url])), ...spec.config},
    formation: spec.formation ?? [WEB_2X, WORKER_1X],
    sharing: Object.fromEntries(Object.entries(spec.sharing ?? {}).map(([name, apps]) => [idOf(name), apps])),
    dataApi: Object.fromEntries(Object.entries(spec.dataApi ?? {}).map(([name, d]) => [idOf(name), d])),
  })
}

export function checksOf(state: AppState, options: DiagnoseOptions = {}): Check[] {
  return diagnose(state, options).report.checks
}

/** The check with this id; fails the test when it is absent. */
export function check(state: AppState, id: CheckId, options: DiagnoseOptions = {}): Check {
  const found = checksOf(state, options).find(c => c.id === id)
  if (!found) throw new Error(`no ${id} check; got ${checksOf(state, options).map(c => c.id).join(', ')}`)
  return found
}

export function measurement(over: Partial<LiveMeasurement> = {}): LiveMeasurement {
  return {connections: 0, limit: 20, limitSource: 'SHOW max_connections', attributed: [], unattributed: 0, error: null, ...over}
}
