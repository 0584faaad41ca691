// The tokens of the Ruby expression subset (spec §9): numbers, strings (with `#{}` marked interpolated), symbols,
// %w/%i word lists, identifiers and operators. Bounded: more than MAX_TOKENS tokens, or strings nested deeper than
// MAX_DEPTH, are not understood rather than read slowly. Pure.
import {type NotEvaluated, type RubyValue, fail} from './values.js'

export const MAX_DEPTH = 64
const MAX_TOKENS = 4000

export type Token =
  | {kind: 'num', value: number, text: string}
  | {kind: 'str', value: string, interpolated: boolean, text: string}
  | {kind: 'sym', value: string, text: string}
  | {kind: 'words', value: RubyValue[], text: string}
  | {kind: 'id', value: string, text: string}
  | {kind: 'op', value: string, text: string}

const OPS = ['::', '||', '&&', '==', '!=', '>=', '<=', '=>', '(', ')', '[', ']', '{', '}', ',', '.', '!', '>', '<', '?', ':', '|', '-', '+', '=', '*', '/', '&', ';']

export function tokenize(src: string): Token[] | NotEvaluated {
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
