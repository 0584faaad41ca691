// A line diff of two texts, as tsq shows files it would write (Procfile, .env, systemd units, Rails config):
// unchanged lines ` `, removed `-`, added `+`. jsdiff does the work. Every diff tsq prints or puts in JSON is made
// (or, for one built line by line, passed) here, and each of its lines has its secrets masked (redactLine): a
// literal password in database.yml or a token in .env shows as `*****`, the line still marked as changed. Pure.
import {diffLines, structuredPatch} from 'diff'
import {redactLine} from './redact.js'

export function lineDiff(before: string, after: string): string[] {
  const out: string[] = []
  for (const part of diffLines(before, after)) {
    const mark = part.added ? '+' : part.removed ? '-' : ' '
    for (const line of part.value.replace(/\r?\n$/, '').split(/\r?\n/)) out.push(`${mark}${line}`)
  }
  return redactDiff(out)
}

/** A unified diff of a file setup edits in place (config/database.yml): `---`/`+++` headers and `@@` hunks with 3 lines of context. */
export function unifiedDiff(file: string, before: string, after: string): string[] {
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before, after, '', '', {context: 3})
  const out = [`--- a/${file}`, `+++ b/${file}`]
  for (const h of patch.hunks) out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...redactDiff(h.lines))
  return out
}

/** Diff lines (a one-character mark, then the file's line) with each line's secrets masked; for a diff built line by line. */
export function redactDiff(lines: readonly string[]): string[] {
  return lines.map(l => `${l.slice(0, 1)}${redactLine(l.slice(1))}`)
}
