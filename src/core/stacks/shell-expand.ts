// Expanding the words of a command with an environment as sh does (spec §8): `$X`, `${X}`, `${X:-n}`, `${X-n}`,
// `${X:+w}`, `${X+w}`, quoting, then field splitting of what was not quoted. Nothing is run: a part that
// cannot be read stays as written and its reason is collected, so the caller can mark what depends on it. Pure.
import type {Part, Word} from './shell-syntax.js'

/** Variables the dyno manager sets at run time: unknown before then, but no size depends on them, so an
 *  unset `$PORT` stays as written (`-p $PORT`) instead of vanishing and shifting the arguments after it. */
const SET_ON_THE_DYNO = new Set(['PORT', 'DYNO'])

/** What expansion can see: every variable set (exported or not), and where to report what cannot be read. */
export interface ExpandContext {
  vars: ReadonlyMap<string, string>
  unknown: string[]
}

interface Piece {
  text: string
  split: boolean
}

/** The fields a word becomes (none for an unquoted empty expansion, several for unquoted spaces). */
export function expandWord(word: Word, ctx: ExpandContext): string[] {
  return fields(pieces(word.parts, ctx))
}

/** The value of `NAME=value` after the `=`: expanded, never split (as sh treats assignments). */
export function expandValue(parts: readonly Part[], ctx: ExpandContext): string {
  return pieces(parts, ctx).map(p => p.text).join('')
}

/** `NAME=` at the start of a word, written unquoted: the word is an assignment. */
export function assignmentOf(word: Word): {name: string, value: Part[]} | null {
  const first = word.parts[0]
  if (first?.kind !== 'text' || first.quoted) return null
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text)
  if (!m) return null
  const rest = first.text.slice(m[0].length)
  return {name: m[1]!, value: [...(rest === '' ? [] : [{...first, text: rest}]), ...word.parts.slice(1)]}
}

function pieces(parts: readonly Part[], ctx: ExpandContext): Piece[] {
  return parts.flatMap((part): Piece[] => {
    if (part.kind === 'text') return [{text: part.text, split: !part.quoted}]
    if (part.kind === 'unreadable') {
      ctx.unknown.push(part.why)
      return [{text: part.raw, split: false}]
    }
    const value = ctx.vars.get(part.name)
    const set = value !== undefined
    const nonEmpty = set && value !== ''
    const result = (text: string): Piece[] => [{text, split: !part.quoted}]
    switch (part.op) {
      case null: return !set && SET_ON_THE_DYNO.has(part.name) ? [{text: part.raw, split: false}] : result(value ?? '')
      case ':-': case ':=': return nonEmpty ? result(value) : pieces(part.word, ctx)
      case '-': case '=': return set ? result(value) : pieces(part.word, ctx)
      case ':+': return nonEmpty ? pieces(part.word, ctx) : []
      case '+': return set ? pieces(part.word, ctx) : []
      case ':?': case '?':
        if (part.op === ':?' ? nonEmpty : set) return result(value ?? '')
        ctx.unknown.push(`\`${part.raw}\`: ${part.name} is ${set ? 'empty' : 'unset'}, so the shell would stop here`)
        return [{text: part.raw, split: false}]
    }
  })
}

/** Field splitting on blanks (sh's default IFS); a quoted empty string still makes a field. */
function fields(list: readonly Piece[]): string[] {
  const out: string[] = []
  let current = ''
  let open = false
  for (const piece of list) {
    if (!piece.split) {
      current += piece.text
      open = true
      continue
    }
    for (const c of piece.text) {
      if (c === ' ' || c === '\t' || c === '\n') {
        if (open) out.push(current)
        current = ''
        open = false
      } else {
        current += c
        open = true
      }
    }
  }
  if (open) out.push(current)
  return out
}
