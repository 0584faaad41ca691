// The `heroku ps:scale` grammar shared by tsq:scale and `tsq:doctor --local --formation`:
// TYPE=N[:SIZE], TYPE+N, TYPE-N, comma- or space-separated. Pure.
import type {FormationEntry} from './app-state.js'
import {type DynoSizes, allowedDynoSizes, describeDynoSizes} from './dyno-sizes.js'

export interface ScaleChange {
  /** The argument as the user wrote it, for messages. */
  arg: string
  type: string
  op: '=' | '+' | '-'
  quantity: number
  /** Lower-cased dyno size, or null to keep the current one. */
  size: string | null
}

export const SCALE_FORMS = 'TYPE=N, TYPE=N:SIZE, TYPE+N or TYPE-N (e.g. web=2:standard-2x worker+1)'
const ARG = /^([a-z0-9][a-z0-9_-]*)(=|\+|-)(.*)$/i
const MAX_QUANTITY = 10_000
const SIZE_FORM = /^[a-z0-9][a-z0-9.-]{0,63}$/i

export class ScaleArgumentError extends Error {
  readonly code = 'TSQ_INVALID_SCALE'
  constructor(readonly problems: string[]) {
    super(problems.join('\n'))
    this.name = 'ScaleArgumentError'
  }
}

/** Splits arguments on commas and spaces, so `web=1,worker=2` and `web=1 worker=2` read the same. */
export function splitScaleArgs(args: readonly string[]): string[] {
  return args.flatMap(a => a.split(/[\s,]+/)).filter(a => a !== '')
}

/**
 * Parses scale arguments, reporting every bad one at once; never consults the API. A size is only checked for
 * its form here: whether Heroku has it is checkScaleSizes' question, once the list of sizes is known.
 */
export function parseScaleArgs(args: readonly string[]): ScaleChange[] {
  const problems: string[] = []
  const changes: ScaleChange[] = []
  const seen = new Set<string>()
  for (const arg of splitScaleArgs(args)) {
    const change = parseOne(arg, problems)
    if (!change) continue
    if (seen.has(change.type)) problems.push(`"${arg}": process type ${change.type} is given more than once`)
    seen.add(change.type)
    changes.push(change)
  }
  if (problems.length > 0) throw new ScaleArgumentError(problems)
  return changes
}

function parseOne(arg: string, problems: string[]): ScaleChange | undefined {
  const m = ARG.exec(arg)
  if (!m) {
    problems.push(`"${arg}" is not a scale argument: use ${SCALE_FORMS}`)
    return undefined
  }
  const [, type, op, rest] = m as unknown as [string, string, '=' | '+' | '-', string]
  const [count, size, extra] = rest.split(':')
  let ok = true
  if (!count || !/^\d+$/.test(count) || Number(count) > MAX_QUANTITY) {
    problems.push(`"${arg}": the count must be a whole number from 0 to ${MAX_QUANTITY}: use ${SCALE_FORMS}`)
    ok = false
  }
  if (size !== undefined && (op !== '=' || extra !== undefined)) {
    problems.push(`"${arg}": a size goes only with TYPE=N:SIZE`)
    ok = false
  } else if (size !== undefined && !SIZE_FORM.test(size)) {
    problems.push(`"${arg}": "${size.slice(0, 40)}" is not a dyno size name (letters, digits, "-" and ".", e.g. standard-2x or dyno-1c-0.5gb): use ${SCALE_FORMS}`)
    ok = false
  }
  return ok ? {arg, type: type.toLowerCase(), op, quantity: Number(count), size: size?.toLowerCase() ?? null} : undefined
}

/**
 * Every size the changes name must be one the catalogue offers (Heroku's `GET /dyno-sizes` list, or tsq's
 * built-in table when that could not be read) to an app of `generation` when known; an unknown one is an error
 * naming the allowed sizes.
 */
export function checkScaleSizes(changes: readonly ScaleChange[], sizes: DynoSizes | undefined, generation?: string | null): void {
  const allowed = allowedDynoSizes(sizes, generation)
  const of = generation ? ` for a ${generation} app` : ''
  const problems = changes.filter(c => c.size !== null && !allowed.includes(c.size))
    .map(c => `"${c.arg}": ${allowedDynoSizes(sizes).includes(c.size!) ? `dyno size "${c.size}" is not offered${of}` : `unknown dyno size "${c.size}"`}; the sizes of ${describeDynoSizes(sizes)}${of} are: ${allowed.join(', ')}`)
  if (problems.length > 0) throw new ScaleArgumentError(problems)
}

/** The formation after the changes; unknown types and negative results are errors, all reported at once. */
export function applyScale(formation: readonly FormationEntry[], changes: readonly ScaleChange[]): FormationEntry[] {
  const problems: string[] = []
  const next = formation.map(f => ({...f}))
  for (const c of changes) {
    const entry = next.find(f => f.type === c.type)
    if (!entry) {
      const known = formation.map(f => f.type).join(', ') || 'none'
      problems.push(`"${c.arg}": no process type ${c.type} in the formation (known: ${known})`)
      continue
    }
    const quantity = c.op === '=' ? c.quantity : c.op === '+' ? entry.quantity + c.quantity : entry.quantity - c.quantity
    if (quantity < 0) problems.push(`"${c.arg}": ${c.type} has ${entry.quantity} dynos; it cannot go below 0`)
    entry.quantity = Math.max(0, quantity)
    if (c.size) entry.size = c.size
  }
  if (problems.length > 0) throw new ScaleArgumentError(problems)
  return next
}

/** `web=2:standard-2x worker=1:standard-1x`, the form `heroku ps:scale` accepts back. */
export function renderFormation(formation: readonly FormationEntry[]): string {
  return formation.map(f => `${f.type}=${f.quantity}${f.size ? `:${f.size}` : ''}`).join(' ')
}
