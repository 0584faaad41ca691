// What an export does to the output directory: each unit file created, updated (with its diff) or left
// unchanged, and this app's units that the new formation no longer has (stale). Pure: the caller reads the
// directory and writes the files.
import {lineDiff} from '../../model/text-diff.js'
import {type UnitFile, belongsTo, isUnitName} from './systemd.js'

export type FileAction = 'create' | 'update' | 'unchanged'

export interface UnitFileChange {
  name: string
  action: FileAction
  text: string
  /** Line diff against the existing file (` `, `-`, `+` prefixed); empty unless `update`. */
  diff: string[]
}

export interface UnitFilesPlan {
  files: UnitFileChange[]
  /** This app's unit files in the directory that the export does not write: listed for removal. */
  stale: string[]
}

/**
 * Compares the units with the directory's files (`existing`: name → text, for the files whose names this
 * exporter could have written). A unit file is stale when it is named like this app's units, says
 * `PartOf=<app>.target` (so another app's units are never listed), and is not written by this export.
 */
export function planUnitFiles(app: string, units: readonly UnitFile[], existing: ReadonlyMap<string, string>): UnitFilesPlan {
  const files = units.map((u): UnitFileChange => {
    const before = existing.get(u.name)
    if (before === undefined) return {name: u.name, action: 'create', text: u.text, diff: []}
    if (before === u.text) return {name: u.name, action: 'unchanged', text: u.text, diff: []}
    return {name: u.name, action: 'update', text: u.text, diff: diffLines(before, u.text)}
  })
  const written = new Set(units.map(u => u.name))
  const stale = [...existing].filter(([name, text]) => !written.has(name) && isUnitName(app, name) && belongsTo(app, text))
    .map(([name]) => name).sort()
  return {files, stale}
}

/** A line diff of two texts (kept as the export's name for it). */
export const diffLines = lineDiff
