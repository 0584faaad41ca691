// A line diff of two texts, as tsq shows files it would write (Procfile, systemd units, Rails config): unchanged
// lines ` `, removed `-`, added `+`. jsdiff does the work. Pure.
import {diffLines, structuredPatch} from 'diff'

export function lineDiff(before: string, after: string): string[] {
  const out: string[] = []
  for (const part of diffLines(before, after)) {
    const mark = part.added ? '+' : part.removed ? '-' : ' '
    for (const line of part.value.replace(/\r?\n$/, '').split(/\r?\n/)) out.push(`${mark}${line}`)
  }
  return out
}

/** A unified diff of a file setup edits in place (config/database.yml): `---`/`+++` headers and `@@` hunks with 3 lines of context. */
export function unifiedDiff(file: string, before: string, after: string): string[] {
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before, after, '', '', {context: 3})
  const out = [`--- a/${file}`, `+++ b/${file}`]
  for (const h of patch.hunks) out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines)
  return out
}
