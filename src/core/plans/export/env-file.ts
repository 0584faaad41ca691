// The units read .env through systemd's EnvironmentFile=, whose grammar is not Node's parseEnv (the one the
// doctor and `node --env-file` use): systemd takes no `export `, knows no backtick quotes, reads backslash
// escapes, keeps a `#` after a value, joins text after a closing quote to the value, and skips a line without
// `=` that Node reads into the next name. The lines where the
// two differ, so the export can say a unit would not get what the doctor judged. Names and line numbers
// only: .env holds secrets. Pure.
import {type DotenvAssignment, locateDotenv} from '../../model/dotenv.js'

type Difference = 'export' | 'stray' | 'backtick' | 'backslash' | 'comment' | 'trailing' | 'unterminated'

const WHY: Record<Difference, string> = {
  export: '"export " before the name, which systemd\'s EnvironmentFile= does not take: systemd ignores the assignment; remove "export "',
  stray: 'after a line that is neither KEY=value nor a # comment: Node reads that line into the name, so the app does not get the variable, while systemd skips it and sets the variable; remove the stray line',
  backtick: 'backtick quotes, which systemd does not treat as quotes: it keeps them in the value and reads each line of a multiline value as a line of its own; use single quotes',
  backslash: 'a backslash in the value, which systemd reads as an escape while Node keeps it (Node only turns \\n into a newline in double quotes); write the value without one or in single quotes',
  comment: 'a # comment after an unquoted value: Node drops it, systemd keeps it in the value; put the comment on a line of its own',
  trailing: 'text after the closing quote: Node ignores it, systemd adds it to the value; remove it',
  unterminated: 'a quote that is not closed: Node reads the rest of the line, quote included, systemd reads on to the next such quote; close the quote',
}

/** One note per kind of difference, naming the .env lines and variables systemd would read otherwise than Node. */
export function systemdEnvFileNotes(text: string | null): string[] {
  if (text === null) return []
  const found = new Map<Difference, DotenvAssignment[]>()
  for (const a of locateDotenv(text)) {
    for (const d of differences(text, a)) found.set(d, [...found.get(d) ?? [], a])
  }
  return [...found].map(([d, as]) => {
    const lines = as.map(a => a.firstLine)
    // A name that is not a variable name may hold a stray line's text: it is not shown.
    const names = [...new Set(as.map(a => a.key).filter(k => /^[A-Za-z_]\w*$/.test(k)))]
    return `.env line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}${names.length > 0 ? ` (${names.join(', ')})` : ''}: ${WHY[d]}`
  })
}

function differences(text: string, a: DotenvAssignment): Difference[] {
  const value = text.slice(a.valueStart, a.valueEnd)
  const lineEnd = text.indexOf('\n', a.valueEnd)
  const rest = text.slice(a.valueEnd, lineEnd === -1 ? text.length : lineEnd).replace(/\r$/, '')
  const out: Difference[] = []
  if (a.exported) out.push('export')
  if (a.key.includes('\n')) out.push('stray')
  if (a.unterminated) out.push('unterminated')
  else if (a.quote === '`') out.push('backtick')
  if (a.quote !== '\'' && value.includes('\\')) out.push('backslash')
  if (a.quote === null && rest.trim() !== '') out.push('comment')
  if (a.quote !== null && !a.unterminated && rest.trim() !== '') out.push('trailing')
  return out
}
