// The config/database.yml edit of `tsq:setup --pooling` for a Rails app (spec §11): the environment's primary
// config (2-level: the section itself; 3-level: `primary`) reads the pooler's variable (`url: <%= ENV["X"] %>`)
// and turns off named prepared statements (`prepared_statements: false`), which a transaction pooler does not
// keep. Only those lines are added or replaced; every other byte stays. A sibling config (Rails 8's cache, queue,
// cable) that would inherit the new url: through `<<: *primary_production` gets its own url: for the variable it
// reads today, so Solid Queue and friends keep their database. The result is read back with the doctor's reader:
// an edit the reader does not resolve to the pooler is never offered. Pure.
import type {Env} from '../../model/settings.js'
import {type DatabaseConfig, parseDatabaseYml} from '../../stacks/ruby/database-config.js'
import {readPrimarySession} from '../../stacks/ruby/database-session.js'
import {nodeAt, readErbYaml} from '../../stacks/ruby/erb-yaml.js'

export const DATABASE_YML = 'config/database.yml'

export interface DatabaseYmlIntent {
  /** The pooler's config var (`DATABASE_CONNECTION_POOL_URL`). */
  variable: string
  /** The app's config vars once the pooler is attached (the variable set), for the file's ERB. */
  env: Env
  /** RAILS_ENV/RACK_ENV, else production. */
  railsEnv: string
}

export type DatabaseYmlPlan =
  | {kind: 'edit', after: string, /** One line per edit, for the plan. */ edits: string[]}
  | {kind: 'unchanged', reason: string}
  | {kind: 'skip', reason: string}

/** The database.yml text that routes the primary config through the pooler, or why it is already so or cannot be. */
export function planPoolerDatabaseYml(text: string, intent: DatabaseYmlIntent): DatabaseYmlPlan {
  const {variable, railsEnv} = intent
  const read = (t: string) => parseDatabaseYml(t, {file: DATABASE_YML, env: intent.env, railsEnv})
  const before = read(text)
  const byHand = `add url: <%= ENV["${variable}"] %> and prepared_statements: false to its ${railsEnv} primary config by hand`
  if (before.missing || before.configs.length === 0) return {kind: 'skip', reason: `${DATABASE_YML} has no ${railsEnv} database config to point at the pooler: ${byHand}`}
  const primary = primaryOf(before.configs)!
  const done = (t: string) => ({url: primaryOf(read(t).configs)?.url?.variable === variable && urlIsExactly(t, primaryOf(read(t).configs)!.name, intent),
    prepared: !preparedStatements(t, intent)})
  const now = done(text)
  if (now.url && now.prepared) return {kind: 'unchanged', reason: `${DATABASE_YML} already connects through ${variable} with prepared_statements: false`}

  const doc = new Lines(text)
  const section = doc.topKey(railsEnv)
  if (section === 'ambiguous') return {kind: 'skip', reason: `${DATABASE_YML} defines ${railsEnv}: more than once (ERB branches): ${byHand}`}
  if (section === null) return {kind: 'skip', reason: `${DATABASE_YML}'s ${railsEnv} section is not a block setup can edit: ${byHand}`}
  const sectionBlock = doc.block(section)
  const threeLevel = before.configs.some(c => c.name !== 'primary') || sectionBlock.keys.has('primary') && before.configs[0]?.name === 'primary' && !sectionBlock.keys.has('adapter')
  const target = threeLevel ? sectionBlock.keys.get(primary.name) : undefined
  const block = threeLevel ? (target && target.length === 1 ? doc.block(target[0]!.line) : null) : sectionBlock
  if (!block || block.childIndent === null) return {kind: 'skip', reason: `${DATABASE_YML}'s ${railsEnv} ${primary.name} config is not a block setup can edit: ${byHand}`}

  const quote = /ENV\['/.test(text) && !/ENV\["/.test(text) ? '\'' : '"'
  const urlLine = `url: <%= ENV[${quote}${variable}${quote}] %>`
  const edits: string[] = []
  const add: string[] = []
  const replacements: Array<{from: number, to: number, text: string}> = []
  for (const [key, line, ok] of [['url', urlLine, now.url], ['prepared_statements', 'prepared_statements: false', now.prepared]] as const) {
    if (ok) continue
    const own = block.keys.get(key) ?? []
    if (own.some(k => k.conditional) || own.length > 1) return {kind: 'skip', reason: `${DATABASE_YML} sets ${key}: of ${railsEnv} ${primary.name} inside ERB conditionals: ${byHand}`}
    if (own.length === 1) {
      // The key with its whole value: a block scalar (`url: |`, `url: >-`) or a plain scalar continued on more-indented lines.
      const from = own[0]!.line
      const to = doc.valueEnd(from)
      if (to === null) return {kind: 'skip', reason: `${DATABASE_YML}: the ${key}: value of ${railsEnv} ${primary.name} (line ${from + 1}) spans ERB tags setup cannot edit around: ${byHand}`}
      replacements.push({from, to, text: `${' '.repeat(block.childIndent)}${line}`})
      edits.push(to === from ? `${key}: replaced on line ${from + 1}` : `${key}: replaced on lines ${from + 1}-${to + 1}`)
    } else {
      add.push(line)
      edits.push(`${key}: added to ${railsEnv}${threeLevel ? `.${primary.name}` : ''}`)
    }
  }
  // Appended after the block's last line first, then the replaced ranges (all before it) bottom-up, so no index moves.
  if (add.length > 0) doc.insertAfter(block.end, add.map(l => `${' '.repeat(block.childIndent!)}${l}`))
  for (const r of replacements.sort((a, b) => b.from - a.from)) doc.replaceRange(r.from, r.to, r.text)
  let after = doc.text()

  // Siblings that inherit primary through `<<:` would now read the pooler too (and its database): pin what they read today.
  if (threeLevel) {
    const pinned = new Lines(after)
    const changed = read(after).configs.filter(c => c.name !== primary.name && !sameUrl(c, before.configs.find(b => b.name === c.name)))
    for (const c of changed.reverse()) {
      const was = before.configs.find(b => b.name === c.name)?.url?.variable
      const key = pinned.block(pinned.topKey(railsEnv) as number).keys.get(c.name)
      if (!was || !key || key.length !== 1) return {kind: 'skip', reason: `${DATABASE_YML}: ${railsEnv}.${c.name} inherits ${primary.name}'s url: and setup cannot tell what to keep it on: ${byHand}, and give ${c.name} its own url:`}
      const sibling = pinned.block(key[0]!.line)
      pinned.insertAfter(sibling.end, [`${' '.repeat(sibling.childIndent ?? 4)}url: <%= ENV[${quote}${was}${quote}] %>`])
      edits.push(`url: of ${railsEnv}.${c.name} kept on ${was} (it inherits ${primary.name}'s keys)`)
    }
    after = pinned.text()
  }
  // Read back as the doctor reads it: the pooler for primary, every other config where it was, nothing new unknown.
  const check = read(after)
  const result = done(after)
  const siblingsKept = before.configs.filter(c => c.name !== primary.name).every(c => sameUrl(c, check.configs.find(x => x.name === c.name)))
  if (!result.url || !result.prepared || !siblingsKept || check.unknown.length > before.unknown.length) {
    return {kind: 'skip', reason: `${DATABASE_YML}: setup's edit would not read back as intended: ${byHand}`}
  }
  return {kind: 'edit', after, edits}
}

/** Stands in for the pooler's URL in the read-back: a url: that renders to anything else (folded with the old value, quoted, suffixed) is not it. */
const READBACK_URL = 'postgres://tsq-readback.invalid:5432/pooler'

/** Whether config `name` of the environment renders its url: to exactly the pooler variable's value, nothing before or after it. */
function urlIsExactly(text: string, name: string, intent: DatabaseYmlIntent): boolean {
  const yaml = readErbYaml(text, {file: DATABASE_YML, env: {...intent.env, [intent.variable]: READBACK_URL}, railsEnv: intent.railsEnv})
  const section = nodeAt(yaml.root, [intent.railsEnv])
  const threeLevel = section?.kind === 'map' && section.entries.length > 0 && section.entries.every(([, v]) => v.kind === 'map')
  const url = nodeAt(section, threeLevel ? [name, 'url'] : ['url'])
  return url?.kind === 'scalar' && url.value === READBACK_URL
}

function primaryOf(configs: readonly DatabaseConfig[]): DatabaseConfig | undefined {
  return configs.find(c => c.name === 'primary') ?? configs[0]
}

/** Whether two reads of a config connect the same way: the same variable, or the same literal URL wherever its line moved. */
function sameUrl(a: DatabaseConfig | undefined, b: DatabaseConfig | undefined): boolean {
  const literal = (c: DatabaseConfig | undefined) => c?.url?.source.replace(/^[^:]*:\d+: /, '')
  return a?.url?.variable === b?.url?.variable && (a?.url?.variable !== null || literal(a) === literal(b))
}

function preparedStatements(text: string, intent: DatabaseYmlIntent): boolean {
  return readPrimarySession(text, {file: DATABASE_YML, env: intent.env, railsEnv: intent.railsEnv, url: intent.env[intent.variable] ?? null,
    urlVariable: intent.variable}).preparedStatements.value
}

interface Key { line: number, conditional: boolean }
interface Block {
  /** Indentation of the block's keys; null when it has none (an empty or flow-style map). */
  childIndent: number | null
  keys: Map<string, Key[]>
  /** The block's last line (content, or the ERB line that closes a conditional opened in it). */
  end: number
}

const ERB_ONLY = /^\s*<%(?!=).*%>\s*$/
const ERB_OPENS = /<%-?\s*(?:if|unless|case|while|until|for)\b|\bdo\s*(?:\|[^|]*\|)?\s*-?%>/
const ERB_CLOSES = /<%-?\s*end\b/

/** The file's lines, edited in place: what is not replaced or inserted keeps its bytes, line ends included. */
class Lines {
  private readonly lines: string[]
  private readonly eol: string
  private readonly finalEol: boolean

  constructor(text: string) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n'
    this.finalEol = /\r?\n$/.test(text)
    this.lines = text.replace(/\r?\n$/, '').split(/\r?\n/)
  }

  text(): string {
    return this.lines.join(this.eol) + (this.finalEol ? this.eol : '')
  }

  /** The line of top-level key `name:`; 'ambiguous' when written more than once. */
  topKey(name: string): number | 'ambiguous' | null {
    const re = new RegExp(`^(['"]?)${name.replace(/[^\w]/g, '\\$&')}\\1:\\s*(?:&\\S+\\s*)?(?:#.*)?$`)
    const found = this.lines.flatMap((l, i) => re.test(l) ? [i] : [])
    return found.length > 1 ? 'ambiguous' : found[0] ?? null
  }

  /** The block under the key on line `at`: its keys one level down (with whether an ERB conditional wraps them) and its end. */
  block(at: number): Block {
    const indent = indentOf(this.lines[at]!)
    const out: Block = {childIndent: null, keys: new Map(), end: at}
    let depth = 0
    for (let i = at + 1; i < this.lines.length; i++) {
      const line = this.lines[i]!
      if (ERB_ONLY.test(line)) {
        if (ERB_CLOSES.test(line) && depth > 0) { depth--; out.end = i }
        else if (ERB_OPENS.test(line)) depth++
        else if (depth > 0) out.end = i
        continue
      }
      if (/^\s*(#.*)?$/.test(line)) continue
      const own = indentOf(line)
      if (own <= indent) break
      out.end = i
      out.childIndent ??= own
      const key = own === out.childIndent ? /^\s*(['"]?)([\w<]+)\1:(?:\s|$)/.exec(line)?.[2] : undefined
      if (key) out.keys.set(key, [...out.keys.get(key) ?? [], {line: i, conditional: depth > 0}])
    }
    return out
  }

  /**
   * The last line of the value of the key on line `at`: the key's own line, or the last of the lines under it that
   * are more indented (a block scalar's text, a plain or quoted scalar's continuation), blank lines between them
   * included. A comment or key at the key's indent or less ends it. Null when an ERB tag line sits inside it.
   */
  valueEnd(at: number): number | null {
    const indent = indentOf(this.lines[at]!)
    let end = at
    for (let i = at + 1; i < this.lines.length; i++) {
      const line = this.lines[i]!
      if (line.trim() === '') continue
      if (indentOf(line) <= indent) break
      if (ERB_ONLY.test(line)) return null
      end = i
    }
    return end
  }

  /** Lines `from`..`to` (inclusive) become one line. */
  replaceRange(from: number, to: number, text: string): void {
    this.lines.splice(from, to - from + 1, text)
  }

  insertAfter(line: number, texts: readonly string[]): void {
    this.lines.splice(line + 1, 0, ...texts)
  }
}

function indentOf(line: string): number {
  return /^ */.exec(line)![0].length
}
