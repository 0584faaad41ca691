// Several resources of one kind (spec §14): every holder of a process counts on the resource whose config
// vars include the variable its configuration reads; one whose resource is not known counts on every resource
// of its kind. From the models' holders to each resource's per-type counts, its `holders` list and the
// assumptions its demand rests on (a guess never passes). Pure.
import type {ResourceKind} from '../model/catalogue.js'
import type {ProcessPlan, TypeCounts} from './budget.js'
import {ANY_RESOURCE, type Holder, type HolderName, type ProcessModel} from '../stacks/model.js'

/** One entry of a resource's `holders` in `--json` (spec §14). `perProcess` is null for what runs once per dyno. */
export interface ResourceHolder {
  type: string
  holder: HolderName
  perProcess: number | null
  perDyno: number
  source: string
  /** Where its count is set, when a line, variable or flag sets it: `config/environments/production.rb:6`. */
  setBy?: string
}

export interface HolderCounts {
  perType: TypeCounts
  holders: ResourceHolder[]
  assumptions: string[]
}

/** Whether a holder counts on a resource of `kind` reached through `variables`. */
export function holdsOn(h: Holder, kind: ResourceKind, variables: readonly string[]): boolean {
  return h.kind === kind && (h.resourceVar === ANY_RESOURCE || variables.includes(h.resourceVar))
}

/** The counts of every process type on the resource reached through `variables`. */
export function countHolders(kind: ResourceKind, variables: readonly string[], processes: readonly ProcessPlan[], models: readonly ProcessModel[]): HolderCounts {
  const perType: Record<string, {perProcess: number, perDyno: number}> = {}
  const holders: ResourceHolder[] = []
  const assumptions: string[] = []
  models.forEach((m, i) => {
    const p = processes[i]!
    const on = m.holders.filter(h => holdsOn(h, kind, variables))
    const perProcess = on.filter(h => !h.perDyno).reduce((n, h) => n + h.perProcess.value, 0)
    const dyno = on.filter(h => h.perDyno).reduce((n, h) => n + h.perProcess.value, 0)
    perType[p.type] = {perProcess, perDyno: p.processesPerDyno * perProcess + dyno}
    for (const h of on) {
      if (h.perProcess.value === 0 && !h.perProcess.unknown) continue
      const lever = h.perProcess.lever
      const setBy = lever?.kind === 'file' ? (lever.line > 0 ? `${lever.file}:${lever.line}` : lever.file) : lever?.kind === 'env' ? lever.variable : lever?.flag
      holders.push({type: p.type, holder: h.holder, perProcess: h.perDyno ? null : h.perProcess.value,
        perDyno: h.perDyno ? h.perProcess.value : p.processesPerDyno * h.perProcess.value, source: h.perDyno ? `once per dyno: ${h.perProcess.source}` : h.perProcess.source,
        ...setBy ? {setBy} : {}})
    }
    if (p.dynos === 0) return
    // A count above 0 rests on the process's own numbers too; a 0 only on the holders' (an app process's unknown Redis).
    const own = on.flatMap(h => h.perProcess.unknown ? [h.perProcess.unknown] : [])
    const general = perProcess + dyno > 0 ? [m.stack, m.processesPerDyno, m.concurrency, m.threads, ...kind === 'postgres' ? [m.dbPoolSetting] : []]
      .flatMap(v => v?.unknown ? [v.unknown] : []) : []
    for (const a of new Set([...general, ...own])) assumptions.push(`${m.type}: ${a}`)
  })
  return {perType, holders, assumptions: [...new Set(assumptions)]}
}
