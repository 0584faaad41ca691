// The syntax tree of the Ruby expression subset and its parser (precedence climbing over the tokens of tokens.ts).
// What is outside the subset throws NotUnderstood with a reason, which evaluate() returns as `{ok: false, why}`. Pure.
import {MAX_DEPTH, type Token} from './tokens.js'
import type {RubyValue} from './values.js'

export type Node =
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

export class NotUnderstood extends Error {}

// Binding powers, lowest first: `? :`, `||`, `&&`, `== !=`, `< > <= >=`.
const BINARY: Record<string, number> = {'||': 2, '&&': 3, '==': 4, '!=': 4, '>': 5, '<': 5, '>=': 5, '<=': 5}

export class Parser {
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
