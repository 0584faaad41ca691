// Setting variables in `.env` text so Node reads exactly the new values: the assignment that wins (the last)
// gets its value replaced in place — its `export `, key, comment and quoting kept where the value allows —
// variables without one are appended, and nothing else moves (a line inside a quoted value is part of that
// value, never an assignment). Every edit is checked by reading the result with Node's parser. Messages name
// variables and line numbers only: .env holds secrets. Pure.
import {type DotenvQuote, dotenvDisagreements, locateDotenv, parseDotenv, strayDotenvLines, winningAssignments} from './dotenv.js'

export interface DotenvEdit {
  /** The new text; the old one unchanged when there are problems. */
  text: string
  /** The variables whose value the edit changes, in the order given. */
  changed: string[]
  /** Why the edit cannot be made as asked (each names its variable); empty when it can. */
  problems: string[]
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `existing` (null: no file yet) with `vars` set as Node's parseEnv will read them. */
export function editDotenv(existing: string | null, vars: Readonly<Record<string, string>>): DotenvEdit {
  const text = existing ?? ''
  const assignments = locateDotenv(text)
  const values = parseDotenv(text)
  const winners = winningAssignments(assignments)
  const unsure = new Set(dotenvDisagreements(text, assignments))
  const edits: Edit[] = []
  const changed: string[] = []
  const problems: string[] = []
  for (const [key, value] of Object.entries(vars)) {
    if (Object.hasOwn(values, key) && values[key] === value) continue
    const winner = winners.get(key)
    if (!NAME.test(key)) {
      problems.push(`${JSON.stringify(key)} is not a variable name .env can hold (letters, digits and _, not starting with a digit)`)
      continue
    }
    if (winner && unsure.has(key)) {
      problems.push(`.env line ${winner.firstLine}: tsq cannot tell which text Node reads as ${key}, so it leaves ${key} alone; set it by hand`)
      continue
    }
    // The first rendering that Node reads back as meant on its own: a quote an earlier unclosed one would pair with is passed over.
    const candidates = renderDotenvValues(value, winner && !winner.unterminated ? winner.quote : null)
    const edit = (rendered: string) => winner ? {start: winner.valueStart, end: winner.valueEnd, text: rendered} : {append: `${key}=${rendered}`}
    const chosen = candidates.find(c => checkDotenvEdit(text, applyEdits(text, [edit(c)]), {[key]: value}).length === 0) ?? candidates[0]
    if (chosen === undefined) {
      problems.push(`the value for ${key} holds a carriage return or every kind of quote (" ' \`) and a # or spaces, which .env cannot express`)
      continue
    }
    edits.push(edit(chosen))
    changed.push(key)
  }
  if (problems.length > 0 || changed.length === 0) return {text, changed: problems.length > 0 ? [] : changed, problems}
  const out = applyEdits(text, edits)
  const wrong = checkDotenvEdit(existing, out, Object.fromEntries(changed.map(k => [k, vars[k]!])))
  return wrong.length > 0 ? {text, changed: [], problems: wrong} : {text: out, changed, problems: []}
}

type Edit = {start: number, end: number, text: string} | {append: string}

/** Replacements (by offsets of `text`) made from the end backwards, then appended lines in the file's line ending. */
function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = text
  const replacements = edits.flatMap(e => 'start' in e ? [e] : []).sort((a, b) => b.start - a.start)
  for (const e of replacements) out = out.slice(0, e.start) + e.text + out.slice(e.end)
  const appended = edits.flatMap(e => 'append' in e ? [e.append] : [])
  if (appended.length === 0) return out
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  if (out !== '' && !out.endsWith('\n')) out += eol
  return out + appended.map(line => line + eol).join('')
}

/**
 * What is wrong with `after` as the edit of `before` that sets `vars`, read with Node's parser: a variable
 * that does not read as set, or one the edit was not meant to touch that changed. Empty when the edit took.
 */
export function checkDotenvEdit(before: string | null, after: string, vars: Readonly<Record<string, string>>): string[] {
  const was = before === null ? {} : parseDotenv(before)
  const now = parseDotenv(after)
  const wrong: string[] = []
  for (const [key, value] of Object.entries(vars)) {
    if (now[key] !== value) wrong.push(`${key} does not read back as set (Node reads ${Object.hasOwn(now, key) ? 'another value' : 'no value'} for it)`)
  }
  const others = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter(key => !Object.hasOwn(vars, key) && was[key] !== now[key])
  // A name that is not a variable name may be the text of a stray line: it is counted, not shown.
  const named = others.filter(key => NAME.test(key))
  if (named.length > 0) wrong.push(`${named.join(', ')} would change too, though setup does not set ${named.length === 1 ? 'it' : 'them'}`)
  if (others.length > named.length) wrong.push(`${others.length - named.length} more name(s) Node reads from lines that are not KEY=value would change too`)
  if (wrong.length === 0) return []
  const stray = strayDotenvLines(after)
  const hint = stray.length > 0 ? `. .env line${stray.length === 1 ? '' : 's'} ${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} neither KEY=value nor a # comment, and Node reads such a line together with the next one` : ''
  return [wrong.join('; ') + hint]
}

/**
 * The ways to write the value as .env text that Node reads back unchanged, best first: a value that was
 * quoted stays quoted (in `prefer`'s quotes first: text after a closing quote is ignored, after a bare value
 * it is not); else bare when it can be, then quoted. Empty when none can (a `\r`, which Node drops, or every quote).
 */
export function renderDotenvValues(value: string, prefer: DotenvQuote | null): string[] {
  const fits = (q: DotenvQuote) => !value.includes('\r') && !value.includes(q) && !(q === '"' && value.includes('\\n'))
  const quotes = [...new Set([...(prefer === null ? [] : [prefer]), '"', '\'', '`'] as const)].filter(q => fits(q))
  const bare = prefer === null && !/[\n\r#]/.test(value) && !/^[\s"'`]/.test(value) && !/\s$/.test(value)
  return [...(bare ? [value] : []), ...quotes.map(q => q + value + q)]
}
