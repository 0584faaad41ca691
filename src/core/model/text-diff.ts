// A line diff of two texts, as tsq shows files it would write (Procfile, systemd units, Rails config): unchanged
// lines ` `, removed `-`, added `+`. jsdiff does the work. Pure.
import {diffLines} from 'diff'

export function lineDiff(before: string, after: string): string[] {
  const out: string[] = []
  for (const part of diffLines(before, after)) {
    const mark = part.added ? '+' : part.removed ? '-' : ' '
    for (const line of part.value.replace(/\r?\n$/, '').split(/\r?\n/)) out.push(`${mark}${line}`)
  }
  return out
}
