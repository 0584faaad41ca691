// tsq:export's --json document and its human output: the limits the formation was judged against, each unit
// file's action (with the diff of an update, and the text of a new file under --dry-run), stale units, and
// the systemctl commands that start it all. Pure.
import {RESOURCE_TITLE} from '../core/model/catalogue.js'
import type {ExportBlock, ExportPlan} from '../core/plans/export/plan.js'
import type {ExportedProcess} from '../core/plans/export/systemd.js'
import type {FileAction} from '../core/plans/export/unit-files.js'
import {type Style, paint} from './style.js'

export interface ExportResult {
  app: string
  format: 'systemd'
  /** The output directory, absolute. */
  out: string
  dryRun: boolean
  /** True once the files were written; false under --dry-run and whenever the export was blocked. */
  written: boolean
  files: Array<{path: string, action: FileAction}>
  /** This app's units the formation no longer has; `removed` with --force. */
  stale: Array<{path: string, removed: boolean}>
  formation: ExportedProcess[]
  notes: string[]
  /** Why nothing was written (over a limit, files that differ without --force); null otherwise. */
  blocked: ExportBlock | null
}

export function exportResult(plan: ExportPlan, out: string, o: {dryRun: boolean, written: boolean, removed: readonly string[]}): ExportResult {
  const path = (name: string) => `${out.replace(/\/$/, '')}/${name}`
  return {
    app: plan.units.app, format: 'systemd', out, dryRun: o.dryRun, written: o.written,
    files: plan.files.files.map(f => ({path: path(f.name), action: f.action})),
    stale: plan.files.stale.map(name => ({path: path(name), removed: o.removed.includes(name)})),
    formation: plan.units.formation,
    notes: plan.units.notes,
    blocked: plan.blocked,
  }
}

const WIDTH = 'unchanged'.length

export function renderExport(plan: ExportPlan, result: ExportResult, style: Style): string {
  const head = `${paint(style, 'bold', `=== tsq:export systemd ${result.app} → ${result.out}`)}${result.dryRun ? '  (dry run: nothing is written)' : ''}`
  const limits = plan.report.resources.map(r => {
    const limit = r.limit === null ? 'limit unknown (not measured): not checked' : `limit ${r.limit}, reserve ${r.reserve}`
    const status = paint(style, r.status === 'fail' ? 'red' : r.status === 'warn' ? 'yellow' : 'green', r.status)
    return `${RESOURCE_TITLE[r.kind]}: ${r.demand} connections at full pools, ${limit} (${status})`
  })
  // Over a limit nothing would be written: the limits say why, a list of files would only bury it.
  const files = plan.blocked?.code === 'TSQ_EXPORT_OVER_LIMIT' ? [] : plan.files.files.map((f, i) => {
    const line = `${f.action.padEnd(WIDTH)}  ${result.files[i]!.path}`
    if (f.action === 'update') return [line, ...compactDiff(f.diff).map(d => `    ${colorDiff(style, d)}`)].join('\n')
    if (f.action === 'create' && result.dryRun) return [line, ...f.text.replace(/\n$/, '').split('\n').map(l => `    ${l}`)].join('\n')
    return line
  })
  const stale = result.stale.map(s => s.removed
    ? `${'removed'.padEnd(WIDTH)}  ${s.path}`
    : `${'stale'.padEnd(WIDTH)}  ${s.path}: not in the formation any more; remove it with systemctl stop ${basename(s.path)} && rm ${s.path} (or run again with --force)`)
  const next = result.written
    ? [`Start at boot and now: sudo systemctl daemon-reload && sudo systemctl enable --now ${result.app}.target`]
    : []
  return [head, limits.join('\n'), [...files, ...stale].join('\n'), result.notes.map(n => `note: ${n}`).join('\n'), next.join('\n')]
    .filter(s => s !== '').join('\n\n')
}

/** The changed lines of a diff with one line of context around each change; `…` where lines are left out. */
export function compactDiff(diff: readonly string[], context = 1): string[] {
  const changed = diff.map(d => !d.startsWith(' '))
  const keep = diff.map((_d, i) => changed.slice(Math.max(0, i - context), i + context + 1).some(Boolean))
  const out: string[] = []
  diff.forEach((d, i) => {
    if (keep[i]) out.push(d)
    else if (keep[i - 1] || (i === 0 && keep.some(Boolean))) out.push(' …')
  })
  return out
}

function colorDiff(style: Style, line: string): string {
  return line.startsWith('+') ? paint(style, 'green', line) : line.startsWith('-') ? paint(style, 'red', line) : line
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}
