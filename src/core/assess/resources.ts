// Which resources an app's budget has (spec §14: every Redis and Postgres add-on of the app, and every URL a
// holder reads that no add-on sets), and the config vars that reach each: an add-on's attachments to the app,
// and any variable holding the same URL. The primary resources (DATABASE_URL, the app's Redis variable) come
// first, as the checks and the JSON have always shown them. Pure.
import type {AppState} from '../model/app-state.js'
import type {ResourceFinding} from './assess.js'
import {classifyAddon} from '../model/catalogue.js'
import {ANY_RESOURCE, type ModelProblem, type ProcessModel} from '../stacks/model.js'

export interface ResourceTarget {
  finding: ResourceFinding
  /** Config vars of the app that reach it. */
  variables: string[]
  /** DATABASE_URL's or the app's Redis variable's resource (live measurements are of these). */
  primary: boolean
}

/** The resources of the budget, in order, and the holders whose variable reaches none (named, for `settings`).
 *  `viaPoolers`: the variables of the server-side poolers in front of the primary Postgres. */
export function resourceTargets(state: AppState, config: Readonly<Record<string, string>>, primaries: readonly ResourceFinding[],
  models: readonly ProcessModel[], viaPoolers: readonly string[] = []): {targets: ResourceTarget[], unplaced: ModelProblem[]} {
  const targets: ResourceTarget[] = []
  const unplaced: ModelProblem[] = []
  const varsOf = (addonId: string): string[] => {
    const attached = state.attachments.filter(a => a.app === state.app && a.addonId === addonId).flatMap(a => a.configVars)
    return attached.length > 0 ? attached : state.addons.find(a => a.id === addonId)?.configVars ?? []
  }
  for (const kind of ['postgres', 'redis'] as const) {
    const primary = primaries.find(f => f.kind === kind)
    if (primary && (primary.used || primary.url)) {
      // What the stacks read when nothing names another variable (DATABASE_URL; REDIS_URL when the app has no Redis URL set).
      const fallback = primary.configVar ?? (kind === 'postgres' ? 'DATABASE_URL' : 'REDIS_URL')
      // A server-side pooler's variable reaches the primary database too: its rows are routed by the pooler (spec §11).
      const pooled = kind === 'postgres' ? viaPoolers : []
      targets.push({finding: primary, primary: true, variables: [...new Set([fallback, ...primary.used ? varsOf(primary.used.id) : [], ...pooled])]})
    }
    const addons = state.addons.filter(a => classifyAddon(a.service, a.configVars) === kind && a.id !== primary?.used?.id)
    for (const addon of addons) {
      const variables = varsOf(addon.id)
      const configVar = variables.find(v => config[v]) ?? variables[0] ?? null
      targets.push({finding: {kind, addons: primary?.addons ?? [], used: addon, configVar, url: configVar ? config[configVar] ?? null : null}, variables, primary: false})
    }
    // Variables holders read that no add-on sets: the same URL is the same server.
    const read = new Map<string, string[]>()
    for (const m of models) {
      for (const h of m.holders) {
        if (h.kind !== kind || h.resourceVar === ANY_RESOURCE || targets.some(t => t.finding.kind === kind && t.variables.includes(h.resourceVar))) continue
        read.set(h.resourceVar, [...read.get(h.resourceVar) ?? [], `${m.type} ${h.holder}`])
      }
    }
    for (const [variable, who] of read) {
      const url = config[variable]
      if (!url) {
        unplaced.push({variable, value: `${[...new Set(who)].join(', ')} connect with ${variable}, which is not set: not counted on any resource`,
          allowed: `set ${variable}, or point the config at a variable that is set`, kind: 'unknown'})
        continue
      }
      // Two URLs to one server (another Redis db number, another database) share its connection limit.
      const same = targets.find(t => t.finding.kind === kind && t.variables.some(v => config[v] !== undefined && serverOf(config[v]!) === serverOf(url)))
      if (same) same.variables.push(variable)
      else targets.push({finding: {kind, addons: [], used: null, configVar: variable, url}, variables: [variable], primary: false})
    }
  }
  return {targets, unplaced}
}

/** The config vars in `config` that reach the server of `url` (an app sharing an add-on reaches it through them). */
export function variablesWithUrl(config: Readonly<Record<string, string>>, url: string | null): string[] {
  return url ? Object.keys(config).filter(k => serverOf(config[k]!) === serverOf(url)) : []
}

const DEFAULT_PORT: Record<string, string> = {'redis:': '6379', 'rediss:': '6379', 'postgres:': '5432', 'postgresql:': '5432'}

/** `host:port` of a Redis or Postgres URL: what a connection limit belongs to; the URL itself when it does not parse. */
export function serverOf(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname.toLowerCase()}:${u.port || DEFAULT_PORT[u.protocol] || ''}`
  } catch {
    return url
  }
}

