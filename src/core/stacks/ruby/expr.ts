// The small Ruby expression language real Rails config files use (spec §9): literals, ENV reads and fetches
// with defaults, Integer(), .to_i/.to_s, ||, &&, !, comparisons, Rails.env and local variables. Nothing is
// executed: an expression is tokenized, parsed and evaluated against a given environment. Anything outside
// the subset is `{ok: false, why}`, never a guess. Every result that an ENV variable decides names that
// variable, the lever a user turns to change the value. Pure.
import type {Env} from '../../model/settings.js'
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

export interface EvalContext {
  env: Env
  /** `Rails.env`; when absent, Ruby's own: RAILS_ENV, else RACK_ENV, else development. */
  railsEnv?: string
  /** Local variables assigned earlier in the file. */
  locals?: ReadonlyMap<string, EvalResult>
}

/** Constants a Rails app's config code may test with `defined?`: they are loaded wherever these files run. */
const DEFINED = new Set(['ActiveRecord', 'ActiveRecord::Base', 'Rails', 'Sidekiq', '::ActiveRecord', '::ActiveRecord::Base', '::Rails'])
const MAX_DEPTH = 64
const MAX_TOKENS = 4000

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

// ---- tokens ---------------------------------------------------------------------------------------------

type Token =
  | {kind: 'num', value: number, text: string}
  | {kind: 'str', value: string, interpolated: boolean, text: string}
  | {kind: 'sym', value: string, text: string}
  | {kind: 'words', value: RubyValue[], text: string}
  | {kind: 'id', value: string, text: string}
  | {kind: 'op', value: string, text: string}

const OPS = ['::', '||', '&&', '==', '!=', '>=', '<=', '=>', '(', ')', '[', ']', '{', '}', ',', '.', '!', '>', '<', '?', ':', '|', '-', '+', '=', '*', '/', '&', ';']

function tokenize(src: string): Token[] | NotEvaluated {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    if (out.length > MAX_TOKENS) return fail('an expression too long to read')
    const c = src[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue }
    if (c === '#') break // a comment runs to the end
    const start = i
    if (/\d/.test(c)) {
      let j = i
      while (j < src.length && /[\d_]/.test(src[j]!)) j++
      if (src[j] === '.' && /\d/.test(src[j + 1] ?? '')) { j++; while (j < src.length && /[\d_]/.test(src[j]!)) j++ }
      const text = src.slice(i, j)
      out.push({kind: 'num', value: Number(text.replace(/_/g, '')), text}); i = j; continue
    }
    if (c === '"' || c === "'") {
      const read = readString(src, i)
      if (!read) return fail('an unterminated string')
      out.push({kind: 'str', value: read.value, interpolated: read.interpolated, text: src.slice(i, read.end)}); i = read.end; continue
    }
    if (c === '%' && /[wi]/.test(src[i + 1] ?? '') && /[[({<]/.test(src[i + 2] ?? '')) {
      const close = {'[': ']', '(': ')', '{': '}', '<': '>'}[src[i + 2]!]!
      const end = src.indexOf(close, i + 3)
      if (end < 0) return fail('an unterminated %w[] list')
      const words = src.slice(i + 3, end).split(/\s+/).filter(Boolean)
      const value: RubyValue[] = src[i + 1] === 'i' ? words.map(w => ({symbol: w})) : words
      out.push({kind: 'words', value, text: src.slice(i, end + 1)}); i = end + 1; continue
    }
    if (c === ':' && src[i + 1] !== ':' && /[A-Za-z_"']/.test(src[i + 1] ?? '') && !endsValue(out.at(-1))) {
      if (src[i + 1] === '"' || src[i + 1] === "'") {
        const read = readString(src, i + 1)
        if (!read || read.interpolated) return fail('a symbol that could not be read')
        out.push({kind: 'sym', value: read.value, text: src.slice(i, read.end)}); i = read.end; continue
      }
      let j = i + 1
      while (j < src.length && /\w/.test(src[j]!)) j++
      if (/[?!]/.test(src[j] ?? '')) j++
      out.push({kind: 'sym', value: src.slice(i + 1, j), text: src.slice(i, j)}); i = j; continue
    }
    if (/[A-Za-z_@$]/.test(c)) {
      let j = i + 1
      while (j < src.length && /\w/.test(src[j]!)) j++
      // `present?`, `disconnect!`, `defined?` — but not `a ?b :c` or `x != y`
      if (/[?!]/.test(src[j] ?? '') && src[j + 1] !== '=') j++
      out.push({kind: 'id', value: src.slice(i, j), text: src.slice(i, j)}); i = j; continue
    }
    const op = OPS.find(o => src.startsWith(o, i))
    if (!op) return fail(`\`${c}\` is not understood`)
    out.push({kind: 'op', value: op, text: op}); i = start + op.length
  }
  return out
}

function endsValue(token: Token | undefined): boolean {
  if (!token) return false
  if (token.kind === 'op') return token.value === ')' || token.value === ']'
  return token.kind === 'id' || token.kind === 'num' || token.kind === 'str'
}

/** The index just past the '…' or "…" literal starting at `start`, or -1 when it does not end. */
export function stringEnd(src: string, start: number): number {
  return readString(src, start)?.end ?? -1
}

/** Reads a '…' or "…" literal from `start`; "…" with `#{` is marked interpolated. */
function readString(src: string, start: number, depth = 0): {value: string, interpolated: boolean, end: number} | null {
  if (depth > MAX_DEPTH) return null
  const quote = src[start]!
  let value = ''
  let interpolated = false
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i]!
    if (c === quote) return {value, interpolated, end: i + 1}
    if (c === '\\' && i + 1 < src.length) {
      const next = src[++i]!
      value += quote === "'" ? (next === "'" || next === '\\' ? next : `\\${next}`) : ({n: '\n', t: '\t'}[next] ?? next)
      continue
    }
    if (quote === '"' && c === '#' && src[i + 1] === '{') {
      interpolated = true
      const end = skipInterpolation(src, i + 2, depth)
      if (end < 0) return null
      value += src.slice(i, end)
      i = end - 1
      continue
    }
    value += c
  }
  return null
}

/** The index just past the `}` closing an interpolation whose body starts at `from`, or -1. */
function skipInterpolation(src: string, from: number, depth: number): number {
  let braces = 1
  for (let i = from; i < src.length; i++) {
    const c = src[i]!
    if (c === '"' || c === "'") {
      const inner = readString(src, i, depth + 1)
      if (!inner) return -1
      i = inner.end - 1
    } else if (c === '{') braces++
    else if (c === '}' && --braces === 0) return i + 1
  }
  return -1
}

// ---- syntax ---------------------------------------------------------------------------------------------

type Node =
  | {t: 'lit', value: RubyValue}
  | {t: 'interp'}
  | {t: 'name', name: string}
  | {t: 'const', name: string}
  | {t: 'call', recv: Node | null, name: string, args: Node[], kwargs: Map<string, Node>, block: Node | null}
  | {t: 'index', recv: Node, args: Node[]}
  | {t: 'and' | 'or', left: Node, right: Node}
  | {t: 'not', expr: Node}
  | {t: 'cmp', op: string, left: Node, right: Node}
  | {t: 'if', cond: Node, then: Node, else: Node}
  | {t: 'array', items: Node[]}
  | {t: 'hash', entries: Array<[Node, Node]>}
  | {t: 'defined', name: string}

class NotUnderstood extends Error {}

// Binding powers, lowest first: `? :`, `||`, `&&`, `== !=`, `< > <= >=`.
const BINARY: Record<string, number> = {'||': 2, '&&': 3, '==': 4, '!=': 4, '>': 5, '<': 5, '>=': 5, '<=': 5}

class Parser {
  pos = 0
  private depth = 0
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined { return this.tokens[this.pos + offset] }
  private isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset)
    return t?.kind === 'op' && t.value === value
  }
  private expect(value: string): void {
    if (!this.isOp(value)) throw new NotUnderstood(`expected \`${value}\`${this.peek() ? ` before \`${this.peek()!.text}\`` : ' at the end'}`)
    this.pos++
  }

  expression(minPower: number): Node {
    if (++this.depth > MAX_DEPTH) throw new NotUnderstood('an expression nested too deeply')
    let left = this.unary()
    for (;;) {
      const t = this.peek()
      if (t?.kind === 'id' && (t.value === 'and' || t.value === 'or') && minPower <= 1) {
        this.pos++
        left = {t: t.value, left, right: this.expression(2)}
        continue
      }
      if (t?.kind === 'op' && t.value === '?' && minPower <= 1) {
        this.pos++
        const then = this.expression(2)
        this.expect(':')
        left = {t: 'if', cond: left, then, else: this.expression(1)}
        continue
      }
      const power = t?.kind === 'op' ? BINARY[t.value] : undefined
      if (power === undefined || power < minPower) break
      this.pos++
      const right = this.expression(power + 1)
      const op = (t as Token).value as string
      left = op === '||' ? {t: 'or', left, right} : op === '&&' ? {t: 'and', left, right} : {t: 'cmp', op, left, right}
    }
    this.depth--
    return left
  }

  private unary(): Node {
    if (this.isOp('!') || (this.peek()?.kind === 'id' && this.peek()!.value === 'not')) {
      this.pos++
      return {t: 'not', expr: this.unary()}
    }
    if (this.isOp('-') && this.peek(1)?.kind === 'num') {
      this.pos++
      const n = this.tokens[this.pos++] as {value: number}
      return this.postfix({t: 'lit', value: -n.value})
    }
    return this.postfix(this.primary())
  }

  private primary(): Node {
    const t = this.peek()
    if (!t) throw new NotUnderstood('an expression that ends too early')
    this.pos++
    switch (t.kind) {
      case 'num': return {t: 'lit', value: t.value}
      case 'str': return t.interpolated ? {t: 'interp'} : {t: 'lit', value: t.value}
      case 'sym': return {t: 'lit', value: {symbol: t.value}}
      case 'words': return {t: 'lit', value: t.value}
      case 'op':
        if (t.value === '(') { const e = this.expression(0); this.expect(')'); return e }
        if (t.value === '[') return {t: 'array', items: this.list(']')}
        if (t.value === '{') return this.hash()
        if (t.value === '::' && this.peek()?.kind === 'id') return this.constPath('::' + this.tokens[this.pos++]!.text)
        throw new NotUnderstood(`\`${t.text}\` is not understood here`)
      case 'id': return this.identifier(t.value)
    }
  }

  private identifier(name: string): Node {
    if (name === 'true' || name === 'false') return {t: 'lit', value: name === 'true'}
    if (name === 'nil') return {t: 'lit', value: null}
    if (name === 'defined?') {
      const paren = this.isOp('(')
      if (paren) this.pos++
      let path = ''
      while (this.peek()?.kind === 'id' || this.isOp('::')) path += this.tokens[this.pos++]!.text
      if (paren) this.expect(')')
      return {t: 'defined', name: path}
    }
    if (/^[A-Z]/.test(name) && !this.isOp('(')) return this.constPath(name)
    if (this.isOp('(')) {
      this.pos++
      const {args, kwargs} = this.callArgs()
      return {t: 'call', recv: null, name, args, kwargs, block: null}
    }
    return {t: 'name', name}
  }

  private constPath(first: string): Node {
    let name = first
    while (this.isOp('::') && this.peek(1)?.kind === 'id' && /^[A-Z]/.test(this.peek(1)!.text)) {
      this.pos++
      name += '::' + this.tokens[this.pos++]!.text
    }
    return {t: 'const', name}
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.isOp('.') || (this.isOp('&') && this.isOp('.', 1))) {
        if (this.isOp('&')) this.pos++
        this.pos++
        const name = this.peek()
        if (name?.kind !== 'id') throw new NotUnderstood('a method call that could not be read')
        this.pos++
        let args: Node[] = []
        let kwargs = new Map<string, Node>()
        if (this.isOp('(')) { this.pos++; ({args, kwargs} = this.callArgs()) }
        let block: Node | null = null
        if (this.isOp('{')) {
          this.pos++
          if (this.isOp('|')) throw new NotUnderstood('a block with parameters')
          block = this.expression(0)
          this.expect('}')
        }
        node = {t: 'call', recv: node, name: name.value, args, kwargs, block}
        continue
      }
      if (this.isOp('[') ) {
        this.pos++
        node = {t: 'index', recv: node, args: this.list(']')}
        continue
      }
      return node
    }
  }

  private list(close: string): Node[] {
    const items: Node[] = []
    while (!this.isOp(close)) {
      items.push(this.expression(0))
      if (!this.isOp(close)) this.expect(',')
    }
    this.pos++
    return items
  }

  private callArgs(): {args: Node[], kwargs: Map<string, Node>} {
    const args: Node[] = []
    const kwargs = new Map<string, Node>()
    while (!this.isOp(')')) {
      if (this.peek()?.kind === 'id' && this.isOp(':', 1)) {
        const key = this.tokens[this.pos]!.value as string
        this.pos += 2
        kwargs.set(key, this.expression(0))
      } else args.push(this.expression(0))
      if (!this.isOp(')')) this.expect(',')
    }
    this.pos++
    return {args, kwargs}
  }

  private hash(): Node {
    const entries: Array<[Node, Node]> = []
    while (!this.isOp('}')) {
      if ((this.peek()?.kind === 'id' || this.peek()?.kind === 'str') && this.isOp(':', 1)) {
        const key = this.tokens[this.pos]!.value as string
        this.pos += 2
        entries.push([{t: 'lit', value: {symbol: key}}, this.expression(0)])
      } else {
        const key = this.expression(0)
        this.expect('=>')
        entries.push([key, this.expression(0)])
      }
      if (!this.isOp('}')) this.expect(',')
    }
    this.pos++
    return {t: 'hash', entries}
  }
}

// ---- evaluation -----------------------------------------------------------------------------------------

function fail(why: string): NotEvaluated {
  return {ok: false, why}
}

function ok(value: RubyValue, from?: Evaluated): Evaluated {
  const result: Evaluated = {ok: true, value}
  if (from?.variable !== undefined) result.variable = from.variable
  if (from?.fromDefault) result.fromDefault = true
  if (from?.line !== undefined) result.line = from.line
  return result
}

function describe(value: RubyValue, from: Evaluated): string {
  return from.variable !== undefined && !from.fromDefault ? `the value of ${from.variable}` : display(value)
}

export function rubyEquals(a: RubyValue, b: RubyValue): boolean {
  if (a === b) return true
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if ('symbol' in a && 'symbol' in b) return a.symbol === b.symbol
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => rubyEquals(x, b[i]!))
  }
  return false
}

function toS(value: RubyValue): string | null {
  if (value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (!Array.isArray(value) && 'symbol' in value) return value.symbol
  return null
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
