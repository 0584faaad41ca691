// What `tsq:export` reads from the app directory: its Procfile (in order: a type's index sets its ports), the
// state `tsq:doctor --local` would judge — with the .env alone as the environment, because that is all a unit
// gets — and this machine's names, to tell which servers the URLs point at here.
import {hostname, networkInterfaces} from 'node:os'
import {join} from 'node:path'
import type {AppState} from '../core/model/app-state.js'
import {type ProcfileEntry, parseProcfile} from '../core/model/procfile.js'
import {readCheckout} from './checkout.js'
import {readLocalApp, readOptionalFile} from './local.js'

export interface ExportSource {
  state: AppState
  procfile: ProcfileEntry[]
  hasDotenv: boolean
  /** .env's text; null when there is none. */
  dotenv: string | null
}

/** Reads `dir` (absolute); a missing Procfile is an error, since the units run its commands. */
export async function readExportSource(dir: string, formation: string | undefined): Promise<ExportSource> {
  const text = await readOptionalFile(dir, 'Procfile')
  if (text === null) throw new Error(`No Procfile in ${dir}: the units run its commands. Write one (web: <command>, worker: <command>) or pass --dir`)
  let procfile: ProcfileEntry[]
  try {
    procfile = parseProcfile(text)
  } catch (error) {
    throw new Error(`${join(dir, 'Procfile')}: ${(error as Error).message}`)
  }
  const local = await readLocalApp({dir, formation, env: {}})
  // A Rails app's processes are judged from its config files, as tsq:doctor --local judges them.
  const state = {...local.state, checkout: await readCheckout(dir, local.state.formation)}
  return {state, procfile, hasDotenv: local.hasDotenv, dotenv: local.dotenv}
}

/** This machine's host name and interface addresses. */
export function ownHosts(): string[] {
  const addresses = Object.values(networkInterfaces()).flat().filter(a => a !== undefined).map(a => a.address)
  return [hostname(), ...addresses]
}
