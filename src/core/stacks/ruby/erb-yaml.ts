// Reads a YAML file the way a Rails app loads it (database.yml, sidekiq.yml, cable.yml): ERB first, anywhere
// in the file, with the expression evaluator; then YAML 1.1 as Psych reads it — anchors, aliases and `<<`
// merges applied in document order, a later key winning. Every value keeps its line, and a value the ERB
// decided keeps the variable that decided it. Unreadable ERB makes only its values unknown; a YAML syntax
// error makes the file unknown with the parser's message and line. Never throws. Pure.
import {type Document, LineCounter, type ScalarTag, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments} from 'yaml'
import type {Env} from '../../model/settings.js'
import {type Sourced, fileLine, known} from '../sourced.js'
import {type EvalResult, type RubyValue, evaluate, sourcedFrom, truthy} from './expr.js'
import {unreadableInput} from './input.js'

export interface ErbYamlOptions {
  file: string
  env: Env
  railsEnv?: string
}

/** A node of the loaded document, with the line it is written on and, for a scalar, the ERB that made it. */
export type YamlNode =
  | {kind: 'map', entries: Array<[string, YamlNode]>, line: number}
  | {kind: 'seq', items: YamlNode[], line: number}
  | {kind: 'scalar', value: unknown, line: number, erb: EvalResult | null}

export interface ErbYaml {
  file: string
  /** The document's root, null when the file is empty or could not be read. */
  root: YamlNode | null
  /** The document as plain data (merges applied; a value whose ERB could not be read is null). */
  data: unknown
  /** The whole file could not be read (binary, too large, a YAML syntax error). */
  failed: boolean
  unknown: string[]
}

/** How a scalar was read: its value with where it came from, or why it could not be. */
export type ScalarRead<T> = {ok: true, value: Sourced<T>} | {ok: false, why: string}

const MAX_NODES = 20_000
const BOOL = 'tag:yaml.org,2002:bool'
// Psych's booleans (ScalarScanner): yes/true/on and no/false/off in any case — not YAML 1.1's y/n.
const PSYCH_BOOLS: ScalarTag[] = [true, false].map(value => ({
  tag: BOOL, default: true, identify: (v: unknown) => v === value,
  test: value ? /^(?:yes|true|on)$/i : /^(?:no|false|off)$/i,
  resolve: () => value,
}))
const PLACEHOLDER = 'tsq-erb-unreadable'

/** Renders the ERB of `text` and loads the YAML. */
export function readErbYaml(text: string, options: ErbYamlOptions): ErbYaml {
  const {file} = options
  const result: ErbYaml = {file, root: null, data: null, failed: false, unknown: []}
  const bad = unreadableInput(text, file)
  if (bad) return {...result, failed: true, unknown: [bad]}
  const rendered = renderErb(text, options)
  result.unknown.push(...rendered.unknown)
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(rendered.text, {version: '1.1', uniqueKeys: false, prettyErrors: false, lineCounter,
    customTags: tags => [...tags.filter(t => typeof t === 'string' || t.tag !== BOOL), ...PSYCH_BOOLS]})
  const doc = Array.isArray(docs) ? docs[0] : undefined
  if (!doc) return result
  const error = doc.errors[0]
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line
    return {...result, failed: true, unknown: [...result.unknown, `${fileLine(file, line)}: YAML could not be parsed: ${error.message}`]}
  }
  try {
    result.root = new Loader(doc, lineCounter, rendered.slots).node(doc.contents)
  } catch (error) {
    if (!(error instanceof LoadError)) throw error
    return {...result, failed: true, unknown: [...result.unknown, `${file}: ${error.message}`]}
  }
  result.data = toData(result.root)
  return result
}

/** The node at `path` under `node`; with `symbolKeys`, `:concurrency` and `concurrency` are one key (Sidekiq). */
export function nodeAt(node: YamlNode | null, path: readonly string[], symbolKeys = false): YamlNode | null {
  let current = node
  for (const key of path) {
    if (current?.kind !== 'map') return null
    const want = symbolKeys ? key.replace(/^:/, '') : key
    current = current.entries.findLast(([k]) => (symbolKeys ? k.replace(/^:/, '') : k) === want)?.[1] ?? null
  }
  return current
}

/**
 * A scalar as a `Sourced` value: `config/database.yml:20` for a literal, `RAILS_MAX_THREADS via
 * config/database.yml:20` when ERB read a set variable, `config/database.yml:20 default 5 (RAILS_MAX_THREADS
 * unset)` for the ERB's default. `convert` returns null for a value of the wrong kind (`what` names the kind).
 */
export function readScalar<T>(node: YamlNode, file: string, convert: (value: unknown) => T | null, what: string): ScalarRead<T> {
  const at = fileLine(file, node.line)
  if (node.kind !== 'scalar') return {ok: false, why: `${at}: ${what} is not a single value`}
  if (node.erb && !node.erb.ok) return {ok: false, why: `${at}: ${what} could not be read: ${node.erb.why}`}
  const value = convert(node.value)
  if (value === null) return {ok: false, why: `${at}: ${what} is not ${article(what)}`}
  if (node.erb) return {ok: true, value: sourcedFrom(node.erb, value, file, node.line)}
  return {ok: true, value: known(value, at, {kind: 'file', file, line: node.line})}
}

function article(what: string): string {
  return /^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`
}

// ---- ERB ------------------------------------------------------------------------------------------------

interface Slot { start: number, end: number, result: EvalResult }
interface Branch { state: 'taken' | 'skipped' | 'unknown', anyTaken: boolean | 'unknown', why?: string }

/** ERB rendered with one output line per input line (trim marks only ever remove blank space). */
function renderErb(text: string, options: ErbYamlOptions): {text: string, slots: Slot[], unknown: string[]} {
  const {file, env, railsEnv} = options
  const slots: Slot[] = []
  const unknown: string[] = []
  const stack: Branch[] = []
  let locals = new Map<string, EvalResult>()
  let out = ''
  let line = 1
  const state = (): Branch['state'] => stack.some(b => b.state === 'skipped') ? 'skipped'
    : stack.some(b => b.state === 'unknown') ? 'unknown' : 'taken'
  const whyUnknown = (): string => stack.find(b => b.state === 'unknown')?.why ?? 'an ERB condition that could not be read'
  const emit = (chunk: string): void => {
    const s = state()
    if (s === 'skipped') { out += chunk.replace(/[^\n]/g, ''); return }
    if (s === 'unknown' && chunk.trim() !== '') slots.push({start: out.length, end: out.length + chunk.length, result: {ok: false, why: `it is under ${whyUnknown()}`}})
    out += chunk
  }
  const decide = (code: string, negate: boolean): Branch => {
    const r = evaluate(code, {env, railsEnv, locals})
    if (!r.ok) return {state: 'unknown', anyTaken: 'unknown', why: `the ERB condition \`${code}\` at ${fileLine(file, line)} (${r.why})`}
    return truthy(r.value) !== negate ? {state: 'taken', anyTaken: true} : {state: 'skipped', anyTaken: false}
  }

  let i = 0
  while (i < text.length) {
    const open = text.indexOf('<%', i)
    if (open < 0) { emit(text.slice(i)); break }
    emit(text.slice(i, open))
    line += countLines(text, i, open)
    if (text[open + 2] === '%') { emit('<%'); i = open + 3; continue }
    const close = text.indexOf('%>', open + 2)
    if (close < 0) {
      unknown.push(`${fileLine(file, line)}: an ERB tag that is never closed`)
      emit(text.slice(open).replace(/[^\n]/g, ''))
      break
    }
    const tag = text.slice(open + 2, close)
    const newlines = tag.replace(/[^\n]/g, '')
    const kind = tag[0] === '=' || tag[0] === '#' ? tag[0] : ''
    const code = tag.slice(kind ? 1 : 0).replace(/^-/, '').replace(/-$/, '').trim()
    if (kind === '=') {
      if (state() === 'skipped') emit(newlines)
      else {
        const r = evaluate(code, {env, railsEnv, locals})
        const rendered = r.ok ? rubyToS(r.value) : null
        const result: EvalResult = !r.ok ? r : rendered === null ? {ok: false, why: `\`${code}\` is not a plain value`}
          : /[\n\r]/.test(rendered) ? {ok: false, why: `\`${code}\` renders several lines`} : r
        const s = result.ok ? rendered! : PLACEHOLDER
        const start = out.length
        emit(s)
        slots.push({start, end: start + s.length, result: state() === 'unknown' ? {ok: false, why: `it is under ${whyUnknown()}`} : result})
        out += newlines
      }
    } else if (kind === '#' || code === '') emit(newlines)
    else {
      const head = /^(if|unless|elsif|else|end)\b/.exec(code)?.[1]
      const rest = code.slice(head?.length ?? 0).replace(/\s+then$/, '').trim()
      const top = stack.at(-1)
      if (head === 'if' || head === 'unless') stack.push(decide(rest, head === 'unless'))
      else if (head === 'end') stack.pop()
      else if ((head === 'elsif' || head === 'else') && top) {
        if (top.anyTaken === true) top.state = 'skipped'
        else {
          const next = head === 'else' ? {state: 'taken' as const, anyTaken: true} : decide(rest, false)
          if (top.anyTaken === 'unknown' && next.state !== 'skipped') Object.assign(top, {state: 'unknown', why: top.why})
          else Object.assign(top, next)
        }
      } else {
        const assignment = /^([a-z_]\w*)\s*=(?!=)\s*(.+)$/s.exec(code)
        if (assignment && state() !== 'skipped') {
          const r = evaluate(assignment[2]!, {env, railsEnv, locals})
          const value: EvalResult = state() === 'unknown' ? {ok: false, why: `it is under ${whyUnknown()}`} : r.ok && r.line === undefined ? {...r, line} : r
          locals = new Map(locals).set(assignment[1]!, value)
        } else if (state() !== 'skipped') unknown.push(`${fileLine(file, line)}: the ERB statement \`${code.slice(0, 60)}\` could not be read`)
      }
      emit(newlines)
    }
    line += newlines.length
    i = close + 2
  }
  if (stack.length > 0) unknown.push(`${file}: an ERB \`if\` that is never closed`)
  return {text: out, slots, unknown}
}

function countLines(text: string, from: number, to: number): number {
  let n = 0
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++
  return n
}

/** What `<%= %>` writes: Ruby's to_s of a plain value; null for arrays and hashes. */
function rubyToS(value: RubyValue): string | null {
  if (value === null) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (!Array.isArray(value) && 'symbol' in value) return value.symbol
  return null
}

// ---- YAML -----------------------------------------------------------------------------------------------

class LoadError extends Error {}

class Loader {
  private count = 0
  private readonly resolving = new Set<unknown>()

  constructor(private readonly doc: Document, private readonly lines: LineCounter, private readonly slots: Slot[]) {}

  node(node: unknown): YamlNode | null {
    if (node === null || node === undefined) return null
    if (++this.count > MAX_NODES) throw new LoadError(`more than ${MAX_NODES} values once aliases are expanded, not read`)
    if (isAlias(node)) {
      const target = node.resolve(this.doc)
      if (!target) throw new LoadError(`the alias *${node.source} has no anchor`)
      if (this.resolving.has(target)) throw new LoadError(`the alias *${node.source} refers to itself`)
      this.resolving.add(target)
      try { return this.node(target) } finally { this.resolving.delete(target) }
    }
    const range = (node as {range?: [number, number, number]}).range ?? [0, 0, 0]
    const line = this.lines.linePos(range[0]).line
    if (isScalar(node)) {
      const slot = this.slotAt(range[0], range[1])
      return {kind: 'scalar', value: node.value, line, erb: slot?.result ?? null}
    }
    if (isSeq(node)) return {kind: 'seq', items: node.items.map(item => this.node(item) ?? nullAt(line)), line}
    if (isMap(node)) {
      const entries: Array<[string, YamlNode]> = []
      const positions = new Map<string, number>()
      const set = (key: string, value: YamlNode): void => {
        const index = positions.get(key)
        if (index !== undefined) entries[index] = [key, value]
        else { positions.set(key, entries.length); entries.push([key, value]) }
      }
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = isScalar(pair.key) ? pair.key.value : pair.key
        const keyLine = isScalar(pair.key) && pair.key.range ? this.lines.linePos(pair.key.range[0]).line : line
        const value = this.node(pair.value) ?? nullAt(keyLine)
        // A block map or list written under its key is at the key's line (an aliased one keeps its anchor's).
        if (value.kind !== 'scalar' && !isAlias(pair.value)) value.line = keyLine
        if (typeof key === 'symbol' && key.description === '<<') {
          // Psych: `hash.merge!(map)`, and for a list of maps the earlier ones win.
          const maps = value.kind === 'seq' ? [...value.items].reverse() : [value]
          for (const map of maps) if (map.kind === 'map') for (const [k, v] of map.entries) set(k, v)
          continue
        }
        set(key === null || key === undefined ? '' : String(key), value)
      }
      return {kind: 'map', entries, line}
    }
    return null
  }

  /** The ERB slot that made the value at [start, end] (slots are in output order: a binary search). */
  private slotAt(start: number, end: number): Slot | undefined {
    let lo = 0
    let hi = this.slots.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.slots[mid]!.end < start) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < this.slots.length && this.slots[i]!.start <= end; i++) {
      const s = this.slots[i]!
      // An ERB that rendered nothing (`url: <%= ENV["UNSET"] %>`) still made this (null) value.
      if (s.start === s.end ? s.start >= start && s.start <= end : s.start < end && s.end > start) return s
    }
    return undefined
  }
}

function nullAt(line: number): YamlNode {
  return {kind: 'scalar', value: null, line, erb: null}
}

function toData(node: YamlNode | null): unknown {
  if (node === null) return null
  if (node.kind === 'scalar') return node.erb && !node.erb.ok ? null : node.value
  if (node.kind === 'seq') return node.items.map(toData)
  return Object.fromEntries(node.entries.map(([k, v]) => [k, toData(v)]))
}
