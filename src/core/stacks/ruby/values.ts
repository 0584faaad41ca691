// Ruby values as the expression reader (expr.ts) sees them, the results of evaluating an expression, and the
// conversions Ruby's own methods make (`Integer()`, `.to_i`, `.to_s`, `==`, truthiness). Pure.
import {redactUrl} from '../../model/redact.js'
import {type Lever, type Sourced, fileLine, known} from '../sourced.js'

export interface RubySymbol { symbol: string }
export interface RubyHash { hash: Array<{key: RubyValue, value: EvalResult}> }
export type RubyValue = string | number | boolean | null | RubySymbol | RubyHash | RubyValue[]

export interface Evaluated {
  ok: true
  value: RubyValue
  /** The ENV variable that decides the value, set or not: the lever. */
  variable?: string
  /** The value is a default written in the file, taken because `variable` is unset. */
  fromDefault?: boolean
  /** The line the value was written on, when it came through a local variable assigned on another line. */
  line?: number
}
export interface NotEvaluated { ok: false, why: string }
export type EvalResult = Evaluated | NotEvaluated

/** Ruby truthiness: everything but nil and false. */
export function truthy(value: RubyValue): boolean {
  return value !== null && value !== false
}

/**
 * The `Sourced` form of an evaluated value (spec §8 `sources`): `RAILS_MAX_THREADS via config/puma.rb:23` when a
 * set variable decides it, `config/puma.rb:23 default 3 (RAILS_MAX_THREADS unset)` when it is the file's default
 * for an unset variable (setting it changes the value), `config/puma.rb:24` for a literal. Never a variable's value.
 */
export function sourcedFrom<T>(result: Evaluated, value: T, file: string, line: number): Sourced<T> {
  const at = fileLine(file, result.line ?? line)
  if (result.variable !== undefined) {
    const lever: Lever = {kind: 'env', variable: result.variable}
    if (result.fromDefault) return known(value, `${at} default ${display(result.value)} (${result.variable} unset)`, lever)
    return known(value, `${result.variable} via ${at}`, lever)
  }
  return known(value, at, {kind: 'file', file, line: result.line ?? line})
}

/** A literal for a source string: never a secret (URLs are redacted), never long. */
export function display(value: RubyValue): string {
  if (value === null) return 'nil'
  if (typeof value === 'string') {
    const shown = redactUrl(value)
    return JSON.stringify(shown.length > 40 ? `${shown.slice(0, 37)}...` : shown)
  }
  if (typeof value === 'object' && 'symbol' in value) return `:${value.symbol}`
  if (Array.isArray(value) || typeof value === 'object') return Array.isArray(value) ? 'an array' : 'a hash'
  return String(value)
}

/** Ruby's `Integer(s)` for a string: decimal with `_` separators, 0x/0b/0o/leading-0 octal; null when it raises. */
export function rubyInteger(value: RubyValue): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null
  if (typeof value !== 'string') return null
  const s = value.trim().replace(/^([+-]?)/, '$1')
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB][01]+(?:_[01]+)*|0[oO]?[0-7]+(?:_[0-7]+)*|0|[1-9]\d*(?:_\d+)*)$/.exec(s)
  if (!m) return null
  const body = m[2]!.replace(/_/g, '')
  const sign = m[1] === '-' ? -1 : 1
  let n: number
  if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16)
  else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2)
  else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8)
  else if (body.length > 1 && body.startsWith('0')) n = parseInt(body.slice(1), 8)
  else n = parseInt(body, 10)
  return sign * n
}

/** Ruby's `.to_i`: the leading integer of a string, else 0. */
export function rubyToI(value: RubyValue): number | null {
  if (value === null) return 0
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null
  if (typeof value !== 'string') return null
  const m = /^\s*([+-]?\d+(?:_\d+)*)/.exec(value)
  return m ? parseInt(m[1]!.replace(/_/g, ''), 10) : 0
}

export function fail(why: string): NotEvaluated {
  return {ok: false, why}
}

export function ok(value: RubyValue, from?: Evaluated): Evaluated {
  const result: Evaluated = {ok: true, value}
  if (from?.variable !== undefined) result.variable = from.variable
  if (from?.fromDefault) result.fromDefault = true
  if (from?.line !== undefined) result.line = from.line
  return result
}


export function rubyEquals(a: RubyValue, b: RubyValue): boolean {
  if (a === b) return true
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if ('symbol' in a && 'symbol' in b) return a.symbol === b.symbol
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => rubyEquals(x, b[i]!))
  }
  return false
}

export function toS(value: RubyValue): string | null {
  if (value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (!Array.isArray(value) && 'symbol' in value) return value.symbol
  return null
}
