// The syntax of a Procfile/formation command as sh reads it (spec §8): quoting, parameter expansions, lists and
// pipelines, redirections and comments. Nothing is expanded or run here (shell-expand.ts expands with an
// environment); what cannot be read is kept as written and named in `problems`, so bad input never throws. Pure.

export type ParamOp = ':-' | '-' | ':+' | '+' | ':=' | '=' | ':?' | '?'

/** One piece of a word. Unquoted text and unquoted expansions are split into fields; quoted ones are not. */
export type Part =
  | {kind: 'text', text: string, quoted: boolean}
  | {kind: 'param', name: string, op: ParamOp | null, word: Part[], quoted: boolean, raw: string}
  | {kind: 'unreadable', raw: string, why: string, quoted: boolean}

export interface Word {
  parts: Part[]
  raw: string
  /** 1-based column in the command, for messages. */
  column: number
}

/** Commands joined by `|`; `background` when the list ran it with `&`. */
export interface Pipeline {
  stages: Word[][]
  background: boolean
  column: number
}

export interface ShellSyntax {
  /** In order; `&&`, `||`, `;`, `&` and newlines all separate pipelines (which one runs last is what matters). */
  pipelines: Pipeline[]
  problems: string[]
}

type Token = {kind: 'word', word: Word} | {kind: 'op', op: string, column: number}

const OPERATORS = ['&&', '||', ';;', '&>>', '&>', '>>', '>&', '>|', '<<<', '<<-', '<<', '<&', '<>', '&', '|', ';', '\n', '<', '>', '(', ')']
const REDIRECTS = new Set(['&>>', '&>', '>>', '>&', '>|', '<<<', '<&', '<>', '<', '>'])
const HEREDOCS = new Set(['<<', '<<-'])
const PARAM_OPS: readonly ParamOp[] = [':-', ':+', ':=', ':?', '-', '+', '=', '?']
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/
const SPECIAL = /^(?:[0-9]+|[@*#?$!-])/
const WORD_END = /[\s&|;<>()]/

/** The pipelines of a command line, with every part sh would expand or could not be read. */
export function parseShell(text: string): ShellSyntax {
  const lexer = new Lexer(text)
  lexer.run()
  return {pipelines: group(lexer.tokens, lexer.problems), problems: lexer.problems}
}

function group(tokens: readonly Token[], problems: string[]): Pipeline[] {
  const pipelines: Pipeline[] = []
  let stages: Word[][] = [[]]
  let column = 1
  const close = (background: boolean): void => {
    const kept = stages.filter(s => s.length > 0)
    if (kept.length > 0) pipelines.push({stages: kept, background, column})
    stages = [[]]
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.kind === 'word') {
      if (stages.every(s => s.length === 0)) column = t.word.column
      stages[stages.length - 1]!.push(t.word)
    } else if (t.op === '|') stages.push([])
    else if (REDIRECTS.has(t.op) || HEREDOCS.has(t.op)) {
      if (HEREDOCS.has(t.op)) problems.push(`here-document \`${t.op}\` at column ${t.column} is not read`)
      if (tokens[i + 1]?.kind === 'word') i++ // its target is dropped with it
    } else if (t.op === '(' || t.op === ')' || t.op === ';;') problems.push(`\`${t.op}\` at column ${t.column} is not read`)
    else close(t.op === '&')
  }
  close(false)
  return pipelines
}

class Lexer {
  i = 0
  readonly tokens: Token[] = []
  readonly problems: string[] = []
  constructor(private readonly s: string) {}

  run(): void {
    while (this.i < this.s.length) {
      const c = this.s[this.i]!
      if (c === ' ' || c === '\t' || c === '\r') this.i++
      else if (c === '\\' && this.s[this.i + 1] === '\n') this.i += 2
      else if (c === '#') this.skipComment()
      else if (!this.operator()) this.word()
    }
  }

  private skipComment(): void {
    const end = this.s.indexOf('\n', this.i)
    this.i = end < 0 ? this.s.length : end
  }

  private operator(): boolean {
    const op = OPERATORS.find(o => this.s.startsWith(o, this.i))
    if (op === undefined) return false
    this.tokens.push({kind: 'op', op, column: this.i + 1})
    this.i += op.length
    return true
  }

  private word(): void {
    const start = this.i
    const parts = this.parts('word', false)
    const raw = this.s.slice(start, this.i)
    // `2>&1`: digits right before a redirection are its file descriptor, not a word.
    if (/^[0-9]+$/.test(raw) && /[<>]/.test(this.s[this.i] ?? '')) return
    if (this.i === start) this.i++ // never stall on a character no rule takes
    else this.tokens.push({kind: 'word', word: {parts, raw, column: start + 1}})
  }

  /** Parts up to the end of the context: a word's end, a closing `"`, or a closing `}` of `${X:-…}`. */
  private parts(context: 'word' | 'double' | 'brace', quoted: boolean, openedAt = this.i - 1): Part[] {
    const parts: Part[] = []
    const text = (t: string, q: boolean): void => {
      const last = parts[parts.length - 1]
      if (last?.kind === 'text' && last.quoted === q) last.text += t
      else parts.push({kind: 'text', text: t, quoted: q})
    }
    while (this.i < this.s.length) {
      const c = this.s[this.i]!
      if (context === 'word' && WORD_END.test(c)) return parts
      if (context === 'double' && c === '"') { this.i++; return parts }
      if (context === 'brace' && c === '}') { this.i++; return parts }
      if (c === '\\') {
        const next = this.s[this.i + 1]
        this.i += 2
        if (next === undefined || next === '\n') continue
        if (context === 'double' && !'$`"\\'.includes(next)) text('\\' + next, true)
        else text(next, true)
      } else if (c === '$') parts.push(this.dollar(quoted))
      else if (c === '`') parts.push(this.backtick(quoted))
      else if (c === '"' && context !== 'double') {
        this.i++
        const inner = this.parts('double', true)
        parts.push(...(inner.length > 0 ? inner : [{kind: 'text' as const, text: '', quoted: true}])) // `""` is a field
      }
      else if (c === '\'' && !quoted) text(this.single(), true)
      else { text(c, quoted); this.i++ }
    }
    if (context === 'double') this.problems.push(`unbalanced double quote at column ${openedAt + 1}`)
    if (context === 'brace') this.problems.push(`unclosed \`\${\` at column ${openedAt + 1}`)
    return parts
  }

  private single(): string {
    const end = this.s.indexOf('\'', this.i + 1)
    if (end < 0) this.problems.push(`unbalanced single quote at column ${this.i + 1}`)
    const text = this.s.slice(this.i + 1, end < 0 ? this.s.length : end)
    this.i = end < 0 ? this.s.length : end + 1
    return text
  }

  private dollar(quoted: boolean): Part {
    const start = this.i
    const rest = this.s.slice(start + 1)
    if (rest.startsWith('(')) {
      this.i = this.closing(start + 2, '(', ')')
      const raw = this.s.slice(start, this.i)
      const what = rest.startsWith('((') ? 'arithmetic' : 'command substitution'
      return {kind: 'unreadable', raw, quoted, why: `${what} \`${raw}\` at column ${start + 1} is not run`}
    }
    if (rest.startsWith('{')) return this.brace(quoted)
    const name = NAME.exec(rest)?.[0]
    if (name !== undefined) {
      this.i += 1 + name.length
      return {kind: 'param', name, op: null, word: [], quoted, raw: '$' + name}
    }
    const special = /^[0-9@*#?$!-]/.exec(rest)?.[0]
    this.i += 1 + (special?.length ?? 0)
    if (special === undefined) return {kind: 'text', text: '$', quoted}
    return {kind: 'unreadable', raw: '$' + special, quoted, why: `\`$${special}\` at column ${start + 1} is not known before the dyno runs`}
  }

  private brace(quoted: boolean): Part {
    const start = this.i
    const body = this.s.slice(start + 2)
    const name = NAME.exec(body)?.[0] ?? SPECIAL.exec(body)?.[0] ?? ''
    const after = body.slice(name.length)
    const op = after.startsWith('}') ? null : PARAM_OPS.find(o => after.startsWith(o))
    if (NAME.test(name) && op !== undefined) {
      this.i = start + 2 + name.length + (op?.length ?? 0)
      const word = op === null ? (this.i++, []) : this.parts('brace', quoted, start)
      return {kind: 'param', name, op, word, quoted, raw: this.s.slice(start, this.i)}
    }
    this.i = this.closing(start + 2, '{', '}')
    const raw = this.s.slice(start, this.i)
    return {kind: 'unreadable', raw, quoted, why: `expansion \`${raw}\` at column ${start + 1} is not supported`}
  }

  private backtick(quoted: boolean): Part {
    const start = this.i
    let end = start + 1
    while (end < this.s.length && this.s[end] !== '`') end += this.s[end] === '\\' ? 2 : 1
    if (end >= this.s.length) this.problems.push(`unbalanced backquote at column ${start + 1}`)
    this.i = Math.min(end + 1, this.s.length)
    const raw = this.s.slice(start, this.i)
    return {kind: 'unreadable', raw, quoted, why: `command substitution ${raw} at column ${start + 1} is not run`}
  }

  /** Index just past the bracket closing the one opened before `from`, skipping quoted text; the end if none. */
  private closing(from: number, open: string, close: string): number {
    let depth = 1
    for (let j = from; j < this.s.length; j++) {
      const c = this.s[j]!
      if (c === '\\') j++
      else if (c === '\'') j = this.s.indexOf('\'', j + 1) < 0 ? this.s.length : this.s.indexOf('\'', j + 1)
      else if (c === open) depth++
      else if (c === close && --depth === 0) return j + 1
    }
    this.problems.push(`unclosed \`${this.s.slice(from - 2, from)}\` at column ${from - 1}`)
    return this.s.length
  }
}
