// Procfile and .env text, and the app state of a local directory (`tsq:doctor --local`). Pure.
import {parseEnv} from 'node:util'
import type {AppState, FormationEntry} from './app-state.js'

export interface ProcfileEntry {
  type: string
  command: string
}

const LINE = /^([A-Za-z0-9_-]+):\s*(.+)$/

/** Procfile lines `<type>: <command>`; blank lines and `#` comments are skipped, a bad line is an error. */
export function parseProcfile(text: string): ProcfileEntry[] {
  const entries: ProcfileEntry[] = []
  const problems: string[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const m = LINE.exec(line)
    if (m) entries.push({type: m[1]!, command: m[2]!.trim()})
    else problems.push(`Procfile line ${i + 1} is not "<type>: <command>": ${JSON.stringify(line.slice(0, 60))}`)
  })
  if (problems.length > 0) throw new Error(problems.join('\n'))
  return entries
}

export function renderProcfile(entries: readonly ProcfileEntry[]): string {
  return entries.map(e => `${e.type}: ${e.command}`).join('\n') + '\n'
}

/** .env text as Node reads it (`KEY=value`, quotes, comments). */
export function parseDotenv(text: string): Record<string, string> {
  return parseEnv(text) as Record<string, string>
}

/** One dyno per Procfile type (the `release` phase excluded), no size: a local formation. */
export function localFormation(entries: readonly ProcfileEntry[]): FormationEntry[] {
  return entries.filter(e => e.type !== 'release').map(e => ({type: e.type, quantity: 1, size: '', ...(e.command ? {command: e.command} : {})}))
}

/** The AppState of a local directory: no add-ons, the merged environment as config, the given formation. */
export function localAppState(name: string, config: Record<string, string>, formation: FormationEntry[]): AppState {
  return {app: name, generation: null, addons: [], attachments: [], config, formation, sharing: {}, dataApi: {}}
}
