// Procfile and .env text, and the app state of a local directory (`tsq:doctor --local`). Pure.
import type {AppState, FormationEntry} from './app-state.js'

export interface ProcfileEntry {
  type: string
  command: string
}

const LINE = /^([A-Za-z0-9_-]+):\s*(.+)$/

interface ProcfileLine extends ProcfileEntry {
  /** 1-based line number in the file. */
  line: number
}

/**
 * Procfile lines `<type>: <command>`; blank lines and `#` comments are skipped, a bad line is an error. A type
 * defined twice is one process type: the last definition wins, as on Heroku (procfileWarnings names it).
 */
export function parseProcfile(text: string): ProcfileEntry[] {
  const entries: ProcfileEntry[] = []
  for (const {type, command} of readProcfileLines(text)) {
    const earlier = entries.find(e => e.type === type)
    if (earlier) earlier.command = command
    else entries.push({type, command})
  }
  return entries
}

/** One warning per line that defines a type again: `Procfile line 4 defines worker again (first on line 2): …`. */
export function procfileWarnings(text: string): string[] {
  const first = new Map<string, number>()
  const warnings: string[] = []
  for (const {type, line} of readProcfileLines(text)) {
    const seen = first.get(type)
    if (seen === undefined) first.set(type, line)
    else warnings.push(`Procfile line ${line} defines ${type} again (first on line ${seen}): the last definition wins, as on Heroku`)
  }
  return warnings
}

function readProcfileLines(text: string): ProcfileLine[] {
  const entries: ProcfileLine[] = []
  const problems: string[] = []
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const m = LINE.exec(line)
    if (m) entries.push({type: m[1]!, command: m[2]!.trim(), line: i + 1})
    else problems.push(`Procfile line ${i + 1} is not "<type>: <command>": ${JSON.stringify(line.slice(0, 60))}`)
  })
  if (problems.length > 0) throw new Error(problems.join('\n'))
  return entries
}

export function renderProcfile(entries: readonly ProcfileEntry[]): string {
  return entries.map(e => `${e.type}: ${e.command}`).join('\n') + '\n'
}

/** .env's one reader lives in dotenv.ts; re-exported for the callers that read it beside the Procfile. */
export {parseDotenv} from './dotenv.js'

/** One dyno per Procfile type (the `release` phase excluded), no size: a local formation. */
export function localFormation(entries: readonly ProcfileEntry[]): FormationEntry[] {
  return entries.filter(e => e.type !== 'release').map(e => ({type: e.type, quantity: 1, size: '', ...(e.command ? {command: e.command} : {})}))
}

/** The AppState of a local directory: no add-ons, the merged environment as config, the given formation. */
export function localAppState(name: string, config: Record<string, string>, formation: FormationEntry[]): AppState {
  return {app: name, generation: null, addons: [], attachments: [], config, formation, sharing: {}, dataApi: {}}
}
