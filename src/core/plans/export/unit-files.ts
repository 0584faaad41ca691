// What an export does to the output directory: each unit file created, updated (with its diff) or left
// unchanged, and this app's units that the new formation no longer has (stale). Pure: the caller reads the
// directory and writes the files.
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

/** A line diff of two texts (longest common subsequence): unchanged lines ` `, removed `-`, added `+`. */
export function diffLines(before: string, after: string): string[] {
  const a = lines(before)
  const b = lines(after)
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..]. Unit files are a few dozen lines.
  const lengths = Array.from({length: a.length + 1}, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!)
    }
  }
  const out: string[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i++]}`)
      j++
    } else if (i < a.length && (j >= b.length || lengths[i + 1]![j]! >= lengths[i]![j + 1]!)) out.push(`-${a[i++]}`)
    else out.push(`+${b[j++]}`)
  }
  return out
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/)
}
