// Reads a Ruby config file (puma.rb, an initializer) as the sequence of statements that would run, without
// running any: comments, `=begin` blocks and heredocs are skipped, continued lines joined, `if`/`unless`/
// `elsif`/`else` blocks and modifiers decided with the expression evaluator, and local variables assigned as
// they go. A statement under a condition that cannot be decided is kept and marked uncertain — never silently
// taken or dropped. `do … end` and `{ |x| … }` blocks are reported as enclosing frames. Pure, linear in the text.
import type {Env} from '../../model/settings.js'
import {type EvalResult, evaluate, stringEnd, truthy} from './expr.js'

export interface BlockFrame {
  /** The call the block belongs to, without `do`/`{`: `before_fork`, `Sidekiq.configure_server`. */
  opener: string
  /** Its parameters: `config` for `do |config|`. */
  params: string[]
  line: number
}

export interface Statement {
  line: number
  /** The statement without its modifier condition. */
  text: string
  /** Null when it certainly runs (as far as conditions go); else why that is not known. */
  uncertain: string | null
  /** The enclosing blocks, outermost first. */
  blocks: readonly BlockFrame[]
  /** The local variables (and constants) assigned before it. */
  locals: ReadonlyMap<string, EvalResult>
}

export interface ReaderContext {
  file: string
  env: Env
  railsEnv?: string
}

type State = 'taken' | 'skipped' | 'unknown'
interface Frame {
  kind: 'if' | 'block' | 'other'
  state: State
  base: State
  why?: string
  /** For `if`: whether an earlier branch ran. */
  anyTaken: boolean | 'unknown'
  brace: boolean
  block?: BlockFrame
}

/** Longer statements are not real config and are not read (this keeps every pattern applied to one linear). */
const MAX_STATEMENT = 8 * 1024
const MAX_JOINED_LINES = 200
const MAX_NESTING = 32

/** The statements of `text` that may run, in order, each with its certainty and enclosing blocks; `unknown`
 *  names what was too long or too deeply nested to read. */
export function readStatements(text: string, context: ReaderContext): {statements: Statement[], unknown: string[]} {
  const walker = new Walker(context)
  for (const logical of logicalLines(text)) {
    if (logical.text.length > MAX_STATEMENT) {
      walker.unknown.push(`${context.file}:${logical.line}: a statement over ${MAX_STATEMENT / 1024} KiB, not read`)
      continue
    }
    for (const part of splitTopLevel(logical.text, ';')) walker.statement(part.trim(), logical.line)
  }
  return {statements: walker.out, unknown: walker.unknown}
}

// ---- scanning -------------------------------------------------------------------------------------------

/** Calls `visit` for every character outside string literals, with the bracket depth before it. Linear. */
function scanCode(text: string, visit: (i: number, c: string, depth: number) => boolean | void): void {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"' || c === "'") {
      // `?'` / `?"` character literals and an apostrophe in an unterminated string end the scan safely.
      const end = stringEnd(text, i)
      if (end < 0) return
      i = end - 1
      continue
    }
    if (visit(i, c, depth) === true) return
    if (c === '(' || c === '[' || c === '{') depth++
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--
  }
}

/** `text` cut at `sep` characters outside strings and brackets. */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = []
  let from = 0
  scanCode(text, (i, c, depth) => {
    if (c === sep && depth === 0) { parts.push(text.slice(from, i)); from = i + 1 }
  })
  parts.push(text.slice(from))
  return parts
}

function stripComment(line: string): string {
  let cut = line.length
  scanCode(line, (i, c) => {
    if (c === '#') { cut = i; return true }
  })
  return line.slice(0, cut).trimEnd()
}

function bracketDepth(text: string): number {
  let end = 0
  scanCode(text, (_i, _c, depth) => { end = depth })
  const last = text.at(-1)
  return last === '(' || last === '[' || last === '{' ? end + 1 : last === ')' || last === ']' || last === '}' ? Math.max(0, end - 1) : end
}

const CONTINUES = /(?:,|\\|\|\||&&|[^=!<>]=|\(|\[|\.|\+)$/

/** Source lines with comments, `=begin` blocks and heredocs removed and continued lines joined. */
function logicalLines(text: string): Array<{line: number, text: string}> {
  const lines = text.split(/\r?\n/)
  const out: Array<{line: number, text: string}> = []
  let pending: {line: number, text: string} | null = null
  let joined = 0
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    if (raw.startsWith('__END__')) break
    if (raw.startsWith('=begin')) {
      while (i < lines.length && !lines[i]!.startsWith('=end')) i++
      continue
    }
    let code = stripComment(raw).trim()
    const heredoc = /<<[~-]?(['"]?)([A-Z_]\w*)\1/.exec(code)
    if (heredoc) {
      // The heredoc's body is data, not statements: skip to its terminator.
      while (i + 1 < lines.length && lines[i + 1]!.trim() !== heredoc[2]) i++
      i++
    }
    if (pending) {
      pending.text += ' ' + code
      code = pending.text
      joined++
    } else if (code === '') continue
    else { pending = {line: i + 1, text: code}; joined = 0 }
    if (code.length > MAX_STATEMENT || joined > MAX_JOINED_LINES) { out.push(pending); pending = null; continue }
    const next = (lines[i + 1] ?? '').trim()
    const opensBlock = trailingBlock(code) !== null
    const joins = !opensBlock && (bracketDepth(code) > 0 || CONTINUES.test(code)) || /^(?:\.|&\.|\|\||&&)/.test(next)
    if (joins && i + 1 < lines.length) continue
    out.push(pending)
    pending = null
  }
  if (pending) out.push(pending)
  return out
}

/** A statement that opens a multi-line block: `Sidekiq.configure_server do |config|`, `foo.each {`. */
function trailingBlock(text: string): {opener: string, params: string[], brace: boolean} | null {
  let rest = text
  let names: string[] = []
  if (rest.endsWith('|')) {
    const open = rest.lastIndexOf('|', rest.length - 2)
    if (open < 0) return null
    names = params(rest.slice(open))
    rest = rest.slice(0, open).trimEnd()
  }
  if (rest.endsWith('{') && blockBraceAt(rest, rest.length - 1)) return {opener: rest.slice(0, -1).trim(), params: names, brace: true}
  if (/(?:^|\s|\))do$/.test(rest)) return {opener: rest.slice(0, -2).trim(), params: names, brace: false}
  return null
}

/** `opener { |p| body }` or `opener do |p| body end` on one line: a block with parameters, or after a bare
 *  call (`before_fork { … }`) — not `ENV.fetch("X") { 5 }`, which is an expression. */
function oneLineBlock(text: string): {block: Omit<BlockFrame, 'line'>, body: string} | null {
  let open = -1
  let close = -1
  let doAt = -1
  scanCode(text, (i, c, depth) => {
    if (depth === 0 && c === '{' && open < 0 && blockBraceAt(text, i)) open = i
    else if (depth === 1 && c === '}' && open >= 0 && close < 0) close = i
    else if (depth === 0 && doAt < 0 && c === 'd' && /^do(?:\s|\|)/.test(text.slice(i, i + 3)) && /\s|\)/.test(text[i - 1] ?? '')) doAt = i
  })
  let opener: string
  let inner: string
  if (open >= 0 && close === text.length - 1) {
    opener = text.slice(0, open).trim()
    inner = text.slice(open + 1, close).trim()
  } else if (doAt >= 0 && /(?:\s|;)end$/.test(text)) {
    opener = text.slice(0, doAt).trim()
    inner = text.slice(doAt + 2, -3).trim()
  } else return null
  let names: string[] = []
  if (inner.startsWith('|')) {
    const end = inner.indexOf('|', 1)
    if (end < 0) return null
    names = params(inner.slice(0, end + 1))
    inner = inner.slice(end + 1)
  } else if (!/^[a-z_]\w*[!?]?$/.test(opener)) return null
  if (opener === '') return null
  return {block: {opener, params: names}, body: inner}
}

/** Whether the `{` at `index` opens a block (`foo {`, `foo(x) {`, `{ |x|`) rather than a hash. */
function blockBraceAt(text: string, index: number): boolean {
  if (index < 0) return true // a `do` opener
  if (/^\{\s*\|/.test(text.slice(index))) return true
  const before = text.slice(0, index).trimEnd()
  return /[)\w]$/.test(before) && !/(?:^|[\s(,=])(?:return|if|unless|and|or|not|when|in)$/.test(before)
}

/** The index of the first top-level modifier keyword (` if `, ` unless `) of a statement, or -1. */
function modifierAt(text: string): {index: number, keyword: 'if' | 'unless'} | null {
  let found: {index: number, keyword: 'if' | 'unless'} | null = null
  scanCode(text, (i, c, depth) => {
    if (depth !== 0 || (c !== 'i' && c !== 'u') || !/\s/.test(text[i - 1] ?? '')) return
    for (const keyword of ['if', 'unless'] as const) {
      if (text.startsWith(keyword, i) && /\s/.test(text[i + keyword.length] ?? '')) { found = {index: i, keyword}; return true }
    }
  })
  return found
}

// ---- walking --------------------------------------------------------------------------------------------

class Walker {
  readonly out: Statement[] = []
  readonly unknown: string[] = []
  private readonly frames: Frame[] = []
  private nesting = 0
  private locals: ReadonlyMap<string, EvalResult> = new Map()

  constructor(private readonly context: ReaderContext) {}

  statement(text: string, line: number): void {
    if (text === '') return
    if (/^end\b(?![?!:])/.test(text)) { this.pop(false); return }
    if (text.startsWith('}') && this.frames.at(-1)?.brace) { this.pop(true); return }
    const head = /^(if|unless|elsif|else|case|when|in|while|until|for|begin|rescue|ensure|def|class|module)\b(?![?!:])/.exec(text)?.[1]
    if (head) { this.keyword(head, text, line); return }
    const inline = oneLineBlock(text)
    if (inline) {
      if (this.nesting >= MAX_NESTING) { this.unknown.push(`${this.at(line)}: blocks nested too deeply, not read`); return }
      this.push({kind: 'block', state: 'taken', base: 'taken', anyTaken: true, brace: true, block: {...inline.block, line}})
      this.nesting++
      for (const part of splitTopLevel(inline.body, ';')) this.statement(part.trim(), line)
      this.nesting--
      this.pop(true)
      return
    }
    const opener = trailingBlock(text)
    if (opener) {
      this.push({kind: 'block', state: 'taken', base: 'taken', anyTaken: true, brace: opener.brace,
        block: {opener: opener.opener, params: opener.params, line}})
      return
    }
    this.simple(text, line)
  }

  private keyword(head: string, text: string, line: number): void {
    const rest = text.slice(head.length).replace(/\s+then$/, '').trim()
    const top = this.frames.at(-1)
    switch (head) {
      case 'if': case 'unless': {
        const inline = /^(.*?)\s+then\s+(.*?)(?:\s*;)?\s+end$/.exec(rest)
        if (inline) { this.simple(`${inline[2]} ${head} ${inline[1]}`, line); return }
        const state = this.decide(rest, head === 'unless', line)
        this.push({kind: 'if', state: state.state, base: state.state, why: state.why, anyTaken: state.state === 'taken' ? true : state.state === 'unknown' ? 'unknown' : false, brace: false})
        return
      }
      case 'elsif': case 'else': {
        if (top?.kind !== 'if') {
          if (top) { top.state = 'unknown'; top.why = `an \`${head}\` at ${this.at(line)} that could not be read` }
          return
        }
        if (top.anyTaken === true) { top.state = 'skipped'; return }
        const state = head === 'else' ? {state: 'taken' as State} : this.decide(rest, false, line)
        if (top.anyTaken === 'unknown' && state.state !== 'skipped') {
          top.state = 'unknown'
          top.why = top.why ?? `an \`${head}\` after a branch that could not be decided`
          return
        }
        top.state = state.state
        top.why = state.why
        if (state.state !== 'skipped') top.anyTaken = state.state === 'taken' ? true : 'unknown'
        return
      }
      case 'rescue': if (top) top.state = 'skipped'; return
      case 'ensure': if (top) top.state = top.base; return
      case 'when': case 'in': return
      case 'begin': case 'class': case 'module':
        this.push({kind: 'other', state: 'taken', base: 'taken', anyTaken: true, brace: false})
        return
      case 'def':
        if (/^def\s+[\w.?!]+(?:\([^)]*\))?\s*=[^=]/.test(text)) return // an endless method needs no `end`
        this.push({kind: 'other', state: 'unknown', base: 'unknown', why: `inside a method definition (${this.at(line)})`, anyTaken: true, brace: false})
        return
      default: // case, while, until, for
        this.push({kind: 'other', state: 'unknown', base: 'unknown', why: `inside a \`${head}\` (${this.at(line)})`, anyTaken: true, brace: false})
    }
  }

  private simple(text: string, line: number): void {
    let statement = text
    let uncertain = this.guard()
    if (uncertain === false) return
    const modifier = modifierAt(statement)
    if (modifier) {
      const condition = statement.slice(modifier.index + modifier.keyword.length).trim()
      statement = statement.slice(0, modifier.index).trim()
      // `a if b if c`: each further modifier is checked by the recursion's own split.
      const decided = this.decide(condition, modifier.keyword === 'unless', line)
      if (decided.state === 'skipped') return
      if (decided.state === 'unknown' && uncertain === null) uncertain = decided.why ?? null
    }
    const assignment = /^([A-Za-z_]\w*)\s*(\|\|=|=)(?![=~>])\s*(.+)$/s.exec(statement)
    if (assignment && !/^[a-z_]\w*[!?]$/.test(assignment[1]!)) {
      const [, name, op, value] = assignment as unknown as [string, string, string, string]
      const current = this.locals.get(name)
      let result: EvalResult
      if (op === '||=' && current?.ok && truthy(current.value)) result = current
      else result = evaluate(value, this.evalContext())
      if (result.ok && result.line === undefined) result = {...result, line}
      if (uncertain !== null) result = {ok: false, why: `\`${name}\` is assigned under ${uncertain}`}
      this.locals = new Map(this.locals).set(name, result)
    }
    this.out.push({line, text: statement, uncertain, blocks: this.frames.flatMap(f => f.block ? [f.block] : []), locals: this.locals})
  }

  /** False when an enclosing branch is not taken; the why of the first undecided one; null when certain. */
  private guard(): string | null | false {
    if (this.frames.some(f => f.state === 'skipped')) return false
    const unknown = this.frames.find(f => f.state === 'unknown')
    return unknown ? (unknown.why ?? 'a condition that could not be read') : null
  }

  private decide(condition: string, negate: boolean, line: number): {state: State, why?: string} {
    const result = evaluate(condition, this.evalContext())
    if (!result.ok) {
      return {state: 'unknown', why: `the condition \`${condition}\` at ${this.at(line)} (${result.why})`}
    }
    return {state: truthy(result.value) !== negate ? 'taken' : 'skipped'}
  }

  private evalContext() {
    return {env: this.context.env, railsEnv: this.context.railsEnv, locals: this.locals}
  }

  private at(line: number): string {
    return `${this.context.file}:${line}`
  }

  private push(frame: Frame): void {
    this.frames.push(frame)
  }

  private pop(brace: boolean): void {
    // Unbalanced `end`s or braces in odd code pop what there is; the walk never throws.
    const index = this.frames.findLastIndex(f => f.brace === brace)
    if (index >= 0) this.frames.splice(index)
  }
}

function params(text: string | undefined): string[] {
  return (text ?? '').replace(/\|/g, '').split(',').map(p => p.trim()).filter(Boolean)
}
