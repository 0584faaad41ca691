// The small Ruby expression language real Rails config files use (spec §9): literals, ENV reads and fetches
// with defaults, Integer(), .to_i/.to_s, ||, &&, !, comparisons, Rails.env and local variables. Nothing is
// executed: an expression is tokenized, parsed and evaluated against a given environment. Anything outside
// the subset is `{ok: false, why}`, never a guess. Every result that an ENV variable decides names that
// variable, the lever a user turns to change the value. Pure.
import type {Env} from '../../model/settings.js'
import {NotUnderstood, Parser, type Node} from './syntax.js'
import {tokenize} from './tokens.js'
import {type EvalResult, type Evaluated, type RubyHash, type RubyValue, display, fail, ok, rubyEquals, rubyInteger, rubyToI, toS, truthy} from './values.js'

export {stringEnd} from './tokens.js'
export * from './values.js'

export interface EvalContext {
  env: Env
  /** `Rails.env`; when absent, Ruby's own: RAILS_ENV, else RACK_ENV, else development. */
  railsEnv?: string
  /** Local variables assigned earlier in the file. */
  locals?: ReadonlyMap<string, EvalResult>
}

/** Constants a Rails app's config code may test with `defined?`: they are loaded wherever these files run. */
const DEFINED = new Set(['ActiveRecord', 'ActiveRecord::Base', 'Rails', 'Sidekiq', '::ActiveRecord', '::ActiveRecord::Base', '::Rails'])

/** Evaluates one Ruby expression of the subset of spec §9. Never throws. */
export function evaluate(source: string, context: EvalContext): EvalResult {
  const tokens = tokenize(source)
  if (!Array.isArray(tokens)) return tokens
  if (tokens.length === 0) return fail('an empty expression')
  const parser = new Parser(tokens)
  let node: Node
  try {
    node = parser.expression(0)
    if (parser.pos < tokens.length) return fail(`\`${tokens[parser.pos]!.text}\` is not understood here`)
  } catch (error) {
    if (error instanceof NotUnderstood) return fail(error.message)
    throw error
  }
  return new Evaluator(context).eval(node)
}

function describe(value: RubyValue, from: Evaluated): string {
  return from.variable !== undefined && !from.fromDefault ? `the value of ${from.variable}` : display(value)
}

class Evaluator {
  private readonly railsEnv: Evaluated
  constructor(private readonly context: EvalContext) {
    const {env, railsEnv} = context
    const set = railsEnv ?? env.RAILS_ENV ?? env.RACK_ENV
    this.railsEnv = set !== undefined
      ? {ok: true, value: set, variable: railsEnv === undefined && env.RAILS_ENV === undefined ? 'RACK_ENV' : 'RAILS_ENV'}
      : {ok: true, value: 'development', variable: 'RAILS_ENV', fromDefault: true}
  }

  eval(node: Node): EvalResult {
    switch (node.t) {
      case 'lit': return ok(node.value)
      case 'interp': return fail('a string with #{} interpolation')
      case 'defined': return DEFINED.has(node.name) ? ok('constant') : fail(`defined?(${node.name})`)
      case 'array': {
        const items: RubyValue[] = []
        for (const item of node.items) {
          const r = this.eval(item)
          if (!r.ok) return r
          items.push(r.value)
        }
        return ok(items)
      }
      case 'hash': {
        const hash: RubyHash['hash'] = []
        for (const [k, v] of node.entries) {
          const key = this.eval(k)
          if (!key.ok) return key
          hash.push({key: key.value, value: this.eval(v)})
        }
        return ok({hash})
      }
      case 'name': {
        const local = this.context.locals?.get(node.name)
        if (local) return local
        if (node.name === 'rails_env') return this.railsEnv
        return fail(`\`${node.name}\` is not a variable assigned earlier`)
      }
      case 'const':
        if (node.name === 'ENV' || node.name === '::ENV') return ok('ENV')
        if (this.context.locals?.has(node.name)) return this.context.locals.get(node.name)!
        return fail(`the constant ${node.name}`)
      case 'not': {
        const r = this.eval(node.expr)
        return r.ok ? ok(!truthy(r.value), r) : r
      }
      case 'and': case 'or': {
        const left = this.eval(node.left)
        if (!left.ok) return left
        if (truthy(left.value) === (node.t === 'or')) return left
        const right = this.eval(node.right)
        if (!right.ok) return right
        if (right.variable !== undefined || left.variable === undefined) return right
        // `ENV['X'] || 5` with X unset: the default decides until X is set.
        const result: Evaluated = {...right, variable: left.variable}
        if (left.fromDefault) result.fromDefault = true
        else delete result.fromDefault
        return result
      }
      case 'if': {
        const cond = this.eval(node.cond)
        if (!cond.ok) return cond
        return this.eval(truthy(cond.value) ? node.then : node.else)
      }
      case 'cmp': return this.compare(node.op, node.left, node.right)
      case 'index': return this.index(node)
      case 'call': return this.call(node)
    }
  }

  private compare(op: string, leftNode: Node, rightNode: Node): EvalResult {
    const left = this.eval(leftNode)
    if (!left.ok) return left
    const right = this.eval(rightNode)
    if (!right.ok) return right
    const from = left.variable !== undefined ? left : right
    if (op === '==' || op === '!=') return ok(rubyEquals(left.value, right.value) === (op === '=='), from)
    const [a, b] = [left.value, right.value]
    if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
      return fail(`comparison of ${describe(a, left)} with ${describe(b, right)} fails in Ruby`)
    }
    const result = op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b
    return ok(result, from)
  }

  private index(node: Extract<Node, {t: 'index'}>): EvalResult {
    const recv = this.eval(node.recv)
    if (!recv.ok) return recv
    if (node.args.length !== 1) return fail('an index with several arguments')
    const key = this.eval(node.args[0]!)
    if (!key.ok) return key
    if (recv.value === 'ENV' && node.recv.t === 'const') {
      if (typeof key.value !== 'string') return fail('ENV[] of a name that could not be read')
      return this.envRead(key.value)
    }
    const value = recv.value
    if (value && typeof value === 'object' && 'hash' in value) {
      const entry = value.hash.findLast(e => rubyEquals(e.key, key.value))
      return entry ? entry.value : ok(null, recv)
    }
    if (Array.isArray(value) && typeof key.value === 'number') return ok(value.at(key.value) ?? null, recv)
    return fail('an index that could not be read')
  }

  private envRead(name: string): Evaluated {
    const value = this.context.env[name]
    return value === undefined ? {ok: true, value: null, variable: name, fromDefault: true} : {ok: true, value, variable: name}
  }

  private call(node: Extract<Node, {t: 'call'}>): EvalResult {
    if (node.recv === null) return this.kernelCall(node)
    if (node.recv.t === 'const' && (node.recv.name === 'ENV' || node.recv.name === '::ENV')) return this.envCall(node)
    if (node.recv.t === 'const' && node.recv.name === 'Rails' && node.name === 'env' && node.args.length === 0) return this.railsEnv
    const recv = this.eval(node.recv)
    if (!recv.ok) return recv
    const v = recv.value
    const arg = node.args[0] ? this.eval(node.args[0]) : null
    if (arg && !arg.ok) return arg
    switch (node.name) {
      case 'to_i': { const n = rubyToI(v); return n === null ? fail(`.to_i of ${describe(v, recv)}`) : ok(n, recv) }
      case 'to_s': { const s = toS(v); return s === null ? fail(`.to_s of ${describe(v, recv)}`) : ok(s, recv) }
      case 'to_sym': return typeof v === 'string' ? ok({symbol: v}, recv) : fail(`.to_sym of ${describe(v, recv)}`)
      case 'downcase': case 'upcase': case 'strip':
        if (typeof v !== 'string') return fail(`.${node.name} of ${describe(v, recv)}`)
        return ok(node.name === 'downcase' ? v.toLowerCase() : node.name === 'upcase' ? v.toUpperCase() : v.trim(), recv)
      case 'nil?': return ok(v === null, recv)
      case 'present?': case 'blank?': {
        const blank = v === null || v === false || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0)
        return ok(node.name === 'blank?' ? blank : !blank, recv)
      }
      case 'include?': {
        if (!arg) return fail('.include? without an argument')
        if (Array.isArray(v)) return ok(v.some(x => rubyEquals(x, arg.value)), arg.variable !== undefined ? arg : recv)
        if (typeof v === 'string' && typeof arg.value === 'string') return ok(v.includes(arg.value), recv.variable !== undefined ? recv : arg)
        return fail('.include? on a value that could not be read')
      }
      case 'merge': {
        if (!(v && typeof v === 'object' && 'hash' in v) || !(arg?.value && typeof arg.value === 'object' && 'hash' in arg.value)) {
          return fail('.merge of values that are not hashes')
        }
        return ok({hash: [...v.hash, ...arg.value.hash]}, recv)
      }
    }
    // Rails.env.production? and friends (an ActiveSupport::StringInquirer)
    if (typeof v === 'string' && node.name.endsWith('?') && node.args.length === 0 && node.recv.t === 'call'
      && node.recv.name === 'env') {
      return ok(v === node.name.slice(0, -1), recv)
    }
    return fail(`.${node.name} is not understood`)
  }

  private kernelCall(node: Extract<Node, {t: 'call'}>): EvalResult {
    if (node.name === 'Integer') {
      if (node.args.length < 1 || node.args.length > 2) return fail('Integer() with these arguments')
      const arg = this.eval(node.args[0]!)
      if (!arg.ok) return arg
      const exceptionNode = node.kwargs.get('exception')
      const raises = !(exceptionNode?.t === 'lit' && exceptionNode.value === false)
      let n: number | null
      if (node.args.length === 2) {
        const base = this.eval(node.args[1]!)
        if (!base.ok || typeof base.value !== 'number' || typeof arg.value !== 'string') return fail('Integer() with a base')
        n = /^\s*[+-]?[0-9a-zA-Z]+\s*$/.test(arg.value) ? parseInt(arg.value, base.value) : null
        if (Number.isNaN(n)) n = null
      } else n = rubyInteger(arg.value)
      if (n === null) {
        if (!raises) return ok(null, arg)
        return fail(`Integer() of ${describe(arg.value, arg)} raises in Ruby`)
      }
      return ok(n, arg)
    }
    return fail(`${node.name}() is not understood`)
  }

  private envCall(node: Extract<Node, {t: 'call'}>): EvalResult {
    const nameNode = node.args[0]
    const name = nameNode ? this.eval(nameNode) : null
    if (!name?.ok || typeof name.value !== 'string') return fail(`ENV.${node.name} of a name that could not be read`)
    const variable = name.value
    if (node.name === 'key?' || node.name === 'has_key?' || node.name === 'include?') {
      return {ok: true, value: this.context.env[variable] !== undefined, variable}
    }
    if (node.name !== 'fetch') return fail(`ENV.${node.name} is not understood`)
    if (this.context.env[variable] !== undefined) return this.envRead(variable)
    const fallbackNode = node.block ?? node.args[1]
    if (!fallbackNode) return fail(`ENV.fetch("${variable}") raises KeyError in Ruby: ${variable} is unset and there is no default`)
    const fallback = this.eval(fallbackNode)
    if (!fallback.ok) return fallback
    // `ENV.fetch("RAILS_MIN_THREADS") { max_threads_count }`: another variable decides while this one is unset.
    if (fallback.variable !== undefined) return fallback
    return {...fallback, variable, fromDefault: true}
  }
}
