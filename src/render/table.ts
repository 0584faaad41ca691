// A plain text table: a header row, aligned columns (numbers right-aligned), no borders, so it reads the
// same in a terminal, a log and a CI transcript.
import {type Style, paint, visibleLength} from './style.js'

export interface Column {
  header: string
  align?: 'left' | 'right'
}

/** Renders rows under a dimmed header; every line is indented by `indent` spaces. */
export function renderTable(style: Style, columns: readonly Column[], rows: ReadonlyArray<readonly string[]>, indent = 2): string {
  const widths = columns.map((c, i) => Math.max(visibleLength(c.header), ...rows.map(r => visibleLength(r[i] ?? ''))))
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(Math.max(0, widths[i]! - visibleLength(text)))
    return columns[i]?.align === 'right' ? gap + text : text + gap
  }
  const line = (cells: readonly string[]) => (' '.repeat(indent) + cells.map((c, i) => pad(c, i)).join('  ')).trimEnd()
  return [paint(style, 'dim', line(columns.map(c => c.header))), ...rows.map(r => line(r))].join('\n')
}
