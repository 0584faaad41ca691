// `.env` as Node reads it — the one reader of the file for the doctor, setup and export. Values come from
// `util.parseEnv` itself (what `node --env-file` applies); `locateDotenv` finds where each assignment sits,
// following the same algorithm (Node 20.12+: `\r` dropped, a quoted value may span lines, `#` ends an unquoted
// value, `export ` dropped from the key, the last assignment of a key wins), so an edit can replace the
// assignment that wins and never a line inside a quoted value. `dotenvDisagreements` checks the two against
// each other: an edit trusts a location only when Node, reading that assignment alone, gets the same value. Pure.
import {parseEnv} from 'node:util'

/** .env text as Node reads it (`KEY=value`, quotes, comments; the last assignment of a key wins). */
export function parseDotenv(text: string): Record<string, string> {
  return {...parseEnv(text)} as Record<string, string>
}

export type DotenvQuote = '"' | '\'' | '`'

/** One `KEY=value` assignment as Node reads it; offsets index the original text (`\r` included). */
export interface DotenvAssignment {
  /** The name Node stores (after `export `). */
  key: string
  exported: boolean
  /** Where the assignment starts: just after the one before it (a line without `=` before its key is read as part of the key). */
  start: number
  /** The value as written: from its first character to its last (quotes included). */
  valueStart: number
  valueEnd: number
  /** The quote that wraps the value; null for a bare value. */
  quote: DotenvQuote | null
  /** A quoted value with no closing quote, which Node reads as the rest of its line, quote included. */
  unterminated: boolean
  /** Just past the assignment: after the newline that ends it, or the end of the text. */
  end: number
  /** 1-based lines of its `=` and of its value's last character. */
  firstLine: number
  lastLine: number
}

const QUOTES = new Set(['"', '\'', '`'])

/** Every assignment of `text`, in order (a key assigned twice appears twice; the last wins). */
export function locateDotenv(text: string): DotenvAssignment[] {
  // Node drops every `\r` before parsing; `at` maps a position of the stripped text back to the original.
  const at: number[] = []
  let s = ''
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r') continue
    at.push(i)
    s += text[i]
  }
  at.push(text.length)
  const lineOf = lineIndex(text)
  // Just past stripped position k − 1: an end that never takes in a `\r` after it.
  const after = (k: number) => k === 0 ? 0 : at[k - 1]! + 1
  const out: DotenvAssignment[] = []
  let lo = 0
  let hi = s.length
  while (lo < hi && s[lo] === ' ') lo++
  while (hi > lo && s[hi - 1] === ' ') hi--
  const find = (c: string, from: number) => {
    const i = s.indexOf(c, from)
    return i === -1 || i >= hi ? -1 : i
  }
  const push = (a: Omit<DotenvAssignment, 'firstLine' | 'lastLine' | 'start' | 'valueStart' | 'valueEnd' | 'end'>, start: number, eq: number, v0: number, v1: number, end: number) => {
    // An empty value sits just after what precedes it, so a CRLF's `\r` stays outside every value.
    const valueStart = v0 === v1 ? after(v0) : at[v0]!
    const valueEnd = v0 === v1 ? valueStart : after(v1)
    out.push({...a, start: at[start]!, valueStart, valueEnd, end: after(end),
      firstLine: lineOf(at[eq]!), lastLine: lineOf(Math.max(at[eq]!, valueEnd - 1))})
  }
  while (lo < hi) {
    if (s[lo] === '\n' || s[lo] === '#') {
      const nl = find('\n', lo)
      if (nl !== -1) {
        lo = nl + 1
        continue
      }
    }
    const eq = find('=', lo)
    if (eq === -1) {
      const nl = find('\n', lo)
      lo = nl === -1 ? hi : nl + 1
      continue
    }
    const start = lo
    let key = trimSpaces(s.slice(lo, eq))
    lo = eq + 1
    while (lo < hi && s[lo] === ' ') lo++
    if (key === '') break
    const exported = key.startsWith('export ')
    if (exported) key = key.slice(7)
    if (lo >= hi) {
      push({key, exported, quote: null, unterminated: false}, start, eq, lo, lo, hi)
      break
    }
    const front = s[lo]!
    if (QUOTES.has(front)) {
      const close = find(front, lo + 1)
      const nl = find('\n', close === -1 ? lo : close + 1)
      if (close === -1 && nl === -1) break
      const valueEnd = close === -1 ? nl : close + 1
      const next = nl === -1 ? hi : nl + 1
      push({key, exported, quote: front as DotenvQuote, unterminated: close === -1}, start, eq, lo, valueEnd, next)
      lo = next
      continue
    }
    const nl = find('\n', lo)
    const lineEnd = nl === -1 ? hi : nl
    const hash = s.slice(lo, lineEnd).indexOf('#')
    let valueEnd = hash === -1 ? lineEnd : lo + hash
    while (valueEnd > lo && s[valueEnd - 1] === ' ') valueEnd--
    const next = nl === -1 ? hi : nl + 1
    push({key, exported, quote: null, unterminated: false}, start, eq, lo, valueEnd, next)
    lo = next
  }
  return out
}

/** The assignment of each key that Node applies: the last one. */
export function winningAssignments(assignments: readonly DotenvAssignment[]): Map<string, DotenvAssignment> {
  return new Map(assignments.map(a => [a.key, a]))
}

/**
 * Keys where locateDotenv and Node disagree: a key one finds and the other does not, or a winning assignment
 * that Node, reading it alone, values differently from the whole file. Empty when every location is right.
 */
export function dotenvDisagreements(text: string, assignments: readonly DotenvAssignment[] = locateDotenv(text)): string[] {
  const values = parseDotenv(text)
  const winners = winningAssignments(assignments)
  const keys = new Set([...Object.keys(values), ...winners.keys()])
  return [...keys].filter(key => {
    const a = winners.get(key)
    if (a === undefined || !Object.hasOwn(values, key)) return true
    // Read after an assignment, as in the file: Node trims leading spaces only at the start of the text.
    return parseDotenv(`_=\n${text.slice(a.start, a.end)}`)[key] !== values[key]
  })
}

/** 1-based line numbers of the lines Node cannot read as an assignment or a comment (no values: .env holds secrets). */
export function strayDotenvLines(text: string, assignments: readonly DotenvAssignment[] = locateDotenv(text)): number[] {
  const covered = new Set<number>()
  for (const a of assignments) for (let l = a.firstLine; l <= a.lastLine; l++) covered.add(l)
  return text.split('\n').flatMap((line, i) => {
    const t = line.replace(/\r/g, '').trim()
    return t === '' || t.startsWith('#') || covered.has(i + 1) ? [] : [i + 1]
  })
}

function trimSpaces(text: string): string {
  return text.replace(/^ +| +$/g, '')
}

function lineIndex(text: string): (offset: number) => number {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1)
  return offset => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return lo + 1
  }
}
