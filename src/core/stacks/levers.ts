// Fixes in the app's own terms (spec §9): a value changed where the app reads it — a config var, a line of
// one of its files, a flag of its Procfile command — never a variable it does not read. Pure.
import type {Checkout} from '../model/app-state.js'
import type {Lever} from './sourced.js'

/** One value to change: `what` names it for people (`worker concurrency`). */
export interface LeverChange {
  lever: Lever
  to: number
  what: string
}

/** The config vars among the changes (what `heroku config:set` or `.env` takes), last value per variable. */
export function varsOf(changes: readonly LeverChange[]): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const c of changes) if (c.lever.kind === 'env') vars[c.lever.variable] = String(c.to)
  return vars
}

/**
 * The edits of files and commands among the changes, one phrase each: `config/sidekiq.yml:3: \`:concurrency: 8\``
 * (the line as it is with its one number replaced), `add \`:concurrency: 8\` to config/sidekiq.yml`, or
 * `the worker command's -c 8`.
 */
export function editsOf(changes: readonly LeverChange[], checkout?: Checkout): string[] {
  const edits: string[] = []
  for (const c of changes) {
    const lever = c.lever
    if (lever.kind === 'flag') edits.push(`in the Procfile, ${c.what}: ${lever.flag} ${c.to}`)
    if (lever.kind !== 'file') continue
    if (lever.line === 0) {
      edits.push(lever.text ? `add \`${lever.text.replace('{n}', String(c.to))}\` to ${lever.file}` : `set ${c.what} to ${c.to} in ${lever.file}`)
      continue
    }
    const file = checkout?.files[lever.file]
    const line = file && 'text' in file ? file.text.split(/\r?\n/)[lever.line - 1]?.trim() : undefined
    const numbers = line?.match(/\b\d+\b/g) ?? []
    edits.push(line !== undefined && numbers.length === 1 && line.length <= 120
      ? `${lever.file}:${lever.line}: \`${line.replace(/\b\d+\b/, String(c.to))}\` (${c.what}; now \`${line}\`)`
      : `${lever.file}:${lever.line}: set ${c.what} to ${c.to}`)
  }
  return edits
}
